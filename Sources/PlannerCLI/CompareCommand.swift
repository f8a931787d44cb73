import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner compare --configs FILE`: the Python API's compare_performance_configurations, from a file.
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare configurations end to end, sorted by total throughput (YAML or JSON file).",
            discussion: """
                FILE holds shared `model`, `batch_size`, `input_tokens`, `output_tokens` (and any estimate parameter) \
                and a `configurations` list; each has a `name`, `hardware`, `tensor_parallel`, `pipeline_parallel`, \
                `expert_parallel`, `bits` and may override any shared parameter. Sorted by total throughput \
                (input + output tokens/s), descending and stable; a failing configuration stays, at the end, with \
                its error, throughput 0 and infinite latencies (null in JSON).
                """)

        @Option(help: "Comparison file, YAML or JSON (- for standard input).") var configs: String
        @Option(help: "Performance model for configurations that do not set `profile`: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile?
        @Flag(help: "Print JSON instead of a table.") var json = false

        func run() throws {
            try reportingErrors {
                let text = try Console.readText(configs, field: "configs")
                var document = try Documents.parse(text, source: configs)
                if let profile, case var .object(members) = document, document["profile"] == nil {
                    members.append(("profile", .string(profile.rawValue)))
                    document = .object(members)
                }
                let entries = Comparison.run(try Inputs.comparison(document, source: configs, readFile: Console.readModelFile),
                                             objective: try Inputs.comparisonObjective(document))
                print(json ? PlanningOutput.comparisonJSON(entries).serialized(indent: 2) : PlanningOutput.comparisonTable(entries))
                let failed = entries.filter { if case .failure = $0.outcome { true } else { false } }
                if !entries.isEmpty && failed.count == entries.count {
                    throw CLIError.message("every configuration failed (the first: \(failed[0].name))")
                }
            }
        }
    }
}
