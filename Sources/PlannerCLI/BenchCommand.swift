import ArgumentParser
import Dispatch
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner bench`: times the engine on a cases file, single-threaded (used by scripts/bench-engine).
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time the estimation engine on a cases file (one thread); prints one JSON line.",
            discussion: "Cases that are invalid are counted as errors and left out. Build in release mode for meaningful figures.")

        @Option(help: "A JSON array of cases (the format of `planner estimate --cases`).") var cases: String
        @Option(help: "Seconds to spend timing (at least one full pass).") var seconds: Double = 3
        @Option(help: "Performance model: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).") var profile: Profile = EstimateRequest.defaultProfile
        @Flag(help: "Also build the per-operator table for every estimate.") var operators = false

        func run() throws {
            try reportingErrors {
                let document = try Console.readJSON(cases, field: "cases")
                guard let items = document.arrayValue else { throw CLIError.message("cases file must hold a JSON array") }
                var valid: [(EstimateRequest, Phase)] = []
                var errors = 0
                for (index, item) in items.enumerated() {
                    do {
                        let parsed = try Inputs.estimateCase(item, index: index, readFile: Console.readModelFile, profileOverride: profile)
                        let phase: Phase = parsed.phase == .decode ? .decode : .prefill
                        _ = try Estimator.estimate(parsed.request, phase: phase, operators: operators)
                        valid.append((parsed.request, phase))
                    } catch {
                        errors += 1
                    }
                }
                guard !valid.isEmpty else { throw CLIError.message("no valid case to time") }
                var estimates = 0
                var checksum = 0.0
                let start = DispatchTime.now().uptimeNanoseconds
                let budget = UInt64(seconds * 1e9)
                var elapsed: UInt64 = 0
                repeat {
                    for (request, phase) in valid {
                        if let estimate = try? Estimator.estimate(request, phase: phase, operators: operators) {
                            checksum += estimate.latencyMs
                        }
                    }
                    estimates += valid.count
                    elapsed = DispatchTime.now().uptimeNanoseconds - start
                } while elapsed < budget
                let secondsSpent = Double(elapsed) / 1e9
                print(JSONValue.object([
                    ("estimates", .int(estimates)),
                    ("seconds", .double(secondsSpent)),
                    ("estimates_per_second", .double(Double(estimates) / secondsSpent)),
                    ("us_per_estimate", .double(secondsSpent * 1e6 / Double(estimates))),
                    ("errors", .int(errors)),
                    ("profile", .string(profile.rawValue)),
                    ("operators", .bool(operators)),
                    ("checksum", .double(checksum)),
                ]).serialized())
            }
        }
    }
}
