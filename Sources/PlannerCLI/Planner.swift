import ArgumentParser
import PlannerCore
import PlannerFormats

/// `planner`: which hardware, precision and parallel layout to serve an LLM with, and how fast it runs.
@main
struct Planner: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "planner",
        abstract: "Estimate LLM inference latency, throughput and memory, and plan hardware and layouts.",
        discussion: """
            Latencies are in milliseconds; memory in GiB (tables) or MiB (JSON keys ending in _MB, as GenZ). \
            GenZ's `Throughput` is requests per second; token rates say tokens in their name.
            """,
        version: PlannerVersion.string,
        subcommands: [Estimate.self, Compare.self, Recommend.self, Fleet.self, Simulate.self, Validate.self, Calibrate.self, Sweep.self, Coordinate.self, WorkerCommand.self, Keys.self, Models.self, HardwareList.self, Bench.self]
    )
}

/// The version printed by `--version` and used in wire handshakes.
enum PlannerVersion {
    static let string = "0.1.0"
}

extension Profile: ExpressibleByArgument {}
extension Phase: ExpressibleByArgument {}
extension Inputs.CasePhase: ExpressibleByArgument {}

extension ChartColoring: ExpressibleByArgument {}
