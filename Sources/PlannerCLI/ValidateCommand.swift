import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner validate --points FILE`: predictions against measured points, with both profiles' errors.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare predictions with measured points (the format of measured_public.json).",
            discussion: """
                Predicts every point with a fixed batch (static batching) or concurrency (closed-loop serving) and fixed \
                input and output lengths, and prints the prediction, the measurement and the signed error in % per \
                measurement, then the median and mean absolute error of the chosen profile and of the other profile \
                (default vs genz) on the same points. Points it cannot model are listed with the reason.
                """)

        @Option(help: "A JSON array of measured points (use - for standard input).") var points: String
        @Option(help: "Performance model: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile = EstimateRequest.defaultProfile
        @Flag(help: "Print JSON: {points: [{id, metric, measured, predicted, error_pct} | {id, skipped}], median_abs_error_pct, mean_abs_error_pct, baseline}.")
        var json = false

        func run() throws {
            try reportingErrors {
                let document = try Console.readJSON(points, field: "points")
                let report = try Validation.run(document, profile: profile)
                let other: Profile = profile == .genz ? .default : .genz
                let baseline = try Validation.run(document, profile: other)
                print(json ? Validation.json(report, baseline: baseline).serialized(indent: 2) : Validation.text(report, baseline: baseline))
            }
        }
    }
}
