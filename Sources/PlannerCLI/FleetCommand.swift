import ArgumentParser
import Dispatch
import Foundation
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner fleet WORKLOAD`: how many devices and nodes of each hardware, and what they cost.
    struct Fleet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Size a serving fleet: GPUs, nodes and cost per option for a workload and latency targets.",
            discussion: """
                WORKLOAD (YAML or JSON) holds `model`, one rate (`rate_rps`, `rate_output_tokens_per_s` or \
                `rate_tokens_per_s`), `input_tokens` and `output_tokens` (an integer, {mean, p50, p90, p99} or a \
                histogram [{tokens, weight}]), `slo` ({ttft_p99_ms, tpot_p99_ms, ttft_mean_ms, tpot_mean_ms, ...}), \
                `bits`, `hardware` (names or objects with devices_per_node, max_devices_per_replica, price), \
                `prices`, `headroom` (default 20%), `profile`, `max_batch_size`, `bill_whole_nodes`. \
                Every layout of each hardware and precision is sized with a steady-state continuous-batching model \
                and an M/G/1 queue for TTFT; replicas = ceil(rate x (1 + headroom) / per-replica rate). Writes \
                report.md, report.html, report.csv and report.json to --out and prints the cheapest options. \
                Prices: shipped defaults (USD per device-hour, dated and sourced), then the workload's `prices`, \
                then --prices FILE. Exit status 1 when no option meets the targets (the reports are still written).
                """)

        @Argument(help: "Workload file, YAML or JSON (- for standard input).") var workload: String
        @Option(help: "Folder for report.md, report.html, report.csv and report.json (created if missing).") var out = "fleet-report"
        @Option(help: "Price file (YAML or JSON): {HARDWARE: USD per device-hour} or {HARDWARE: {usd_per_device_hour, date, source}}.")
        var prices: String?
        @Option(help: "Performance model, overriding the workload's `profile`: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile?
        @Option(help: "Options printed (the reports hold all).") var top = 10
        @Option(help: "Threads evaluating layouts (default: all cores).") var threads: Int?
        @Option(help: "Where to run the layout search: 'local' (this process, --threads threads; the default).")
        var coordinate: String?
        @Flag(help: "Print report.json to standard output instead of the table.") var json = false

        func validate() throws {
            if top < 1 { throw ValidationError("--top must be at least 1") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            if let coordinate, coordinate.lowercased() != "local" {
                throw ValidationError("--coordinate '\(coordinate)': allowed 'local' (a thread pool in this process). "
                    + "Distributed runs use the same engine (FleetSizing.evaluate per task), but the cluster protocol carries sweep "
                    + "configurations only; run `planner fleet` on one machine with --threads")
            }
        }

        func run() throws {
            try reportingErrors {
                let text = try Console.readText(workload, field: "workload")
                let document = try Documents.parse(text, source: workload)
                var overrides: PriceList?
                if let prices {
                    let priceText = try Console.readText(prices, field: "prices")
                    overrides = try FleetInput.prices(try Documents.parse(priceText, source: prices), source: prices)
                }
                var parsed = try FleetInput.workload(document, source: workload, priceOverrides: overrides, readFile: Console.readModelFile)
                if let profile { parsed.profile = profile }
                let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
                let plan = try FleetRunner.run(parsed, threads: threadCount)
                try writeReports(plan)
                if json {
                    print(FleetReport.json(plan).serialized(indent: 2))
                } else {
                    print(FleetReport.headline(plan))
                    print(FleetReport.table(plan, top: top))
                    if plan.options.count > top { print("(\(plan.options.count - top) more options in \(out)/report.csv)") }
                    for entry in plan.unavailable {
                        print("unavailable: \(entry.modelName) on \(entry.hardwareName) \(entry.precision.rawValue): \(entry.reason)")
                    }
                    print("reports: \(["report.md", "report.html", "report.csv", "report.json"].map { "\(out)/\($0)" }.joined(separator: ", "))")
                }
                if plan.cheapest == nil {
                    throw CLIError.message("no option meets the latency targets; see \(out)/report.md for the reason of each")
                }
            }
        }

        func writeReports(_ plan: FleetPlan) throws {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw CLIError.message("cannot create the output folder '\(out)': \(error.localizedDescription)")
            }
            let files = [
                ("report.json", FleetReport.json(plan).serialized(indent: 2) + "\n"),
                ("report.csv", FleetReport.csv(plan)),
                ("report.md", FleetReport.markdown(plan)),
                ("report.html", FleetHTML.render(plan)),
            ]
            for (name, contents) in files {
                let path = (out as NSString).appendingPathComponent(name)
                guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else {
                    throw CLIError.message("cannot write '\(path)'")
                }
            }
        }
    }
}

/// Runs a fleet sizing's layout tasks on a pool of threads. Outcomes are stored by task index, so the
/// plan is the same whatever the thread count.
enum FleetRunner {
    static func run(_ workload: FleetWorkload, threads: Int) throws(PlannerError) -> FleetPlan {
        let (tasks, skipped) = try FleetSizing.tasks(workload)
        let results = OutcomeSlots(count: tasks.count)
        let workers = max(1, min(threads, tasks.count))
        if workers == 1 {
            for (index, task) in tasks.enumerated() { results.store(FleetSizing.evaluate(task, in: workload), at: index) }
        } else {
            let next = TaskCounter()
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let index = next.take(below: tasks.count) {
                    results.store(FleetSizing.evaluate(tasks[index], in: workload), at: index)
                }
            }
        }
        return FleetSizing.assemble(workload, tasks: tasks, outcomes: results.outcomes(), skipped: skipped)
    }

    /// Hands out task indices to threads.
    final class TaskCounter: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0

        func take(below count: Int) -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// One slot per task, written once by the thread that evaluated it.
    final class OutcomeSlots: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [FleetSizing.Outcome?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func store(_ outcome: FleetSizing.Outcome, at index: Int) {
            lock.lock()
            slots[index] = outcome
            lock.unlock()
        }

        func outcomes() -> [FleetSizing.Outcome] {
            lock.lock()
            defer { lock.unlock() }
            return slots.map { $0 ?? .notRunnable(skip: SkipReason.other, detail: "not evaluated", fitRatio: nil, estimates: 0) }
        }
    }
}
