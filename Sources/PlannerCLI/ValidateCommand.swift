import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner validate --points FILE...`: predictions against measured points, with both profiles' errors.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare predictions with measured points: planner's format or benchmark tools' result files.",
            discussion: """
                Each --points file is planner's measured-point format (a JSON array, as measured_public.json) or a \
                result file of vllm bench serve --save-result, sglang.bench_serving (JSON lines), GenAI-Perf \
                (profile_export_genai_perf.json) or trtllm-bench --report_json, detected from its keys. What a \
                result file does not say (hardware, TP, precision, model) comes from --hardware/--tp/--bits/--model \
                or a sidecar YAML (--sidecar); a missing one is an error naming it. Predicts every point with a fixed \
                batch (static batching) or concurrency (closed-loop serving) and fixed input and output lengths (a \
                benchmark run's mean lengths), and prints the prediction, the measurement and the signed error in % \
                per measurement, then the median and mean absolute error of the chosen profile and of the other \
                profile (default vs genz) on the same points. Points it cannot model are listed with the reason.
                """)

        @Option(parsing: .upToNextOption, help: "Measured points or benchmark result files (- reads standard input).")
        var points: [String]
        @OptionGroup(title: "What benchmark result files do not say") var context: BenchmarkContextOptions
        @Option(help: "Performance model: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile = EstimateRequest.defaultProfile
        @Flag(help: "Print JSON: {points: [{id, metric, measured, predicted, error_pct} | {id, skipped}], median_abs_error_pct, mean_abs_error_pct, baseline}.")
        var json = false

        func validate() throws {
            if points.isEmpty { throw ValidationError("give at least one --points FILE") }
        }

        func run() throws {
            try reportingErrors {
                let document = try context.measuredPoints(points)
                let report = try Validation.run(document, profile: profile)
                let other: Profile = profile == .genz ? .default : .genz
                let baseline = try Validation.run(document, profile: other)
                print(json ? Validation.json(report, baseline: baseline).serialized(indent: 2) : Validation.text(report, baseline: baseline))
            }
        }
    }
}

/// The options that complete benchmark result files (shared by `validate` and `calibrate`).
struct BenchmarkContextOptions: ParsableArguments {
    @Option(help: "Model the benchmark ran (when the file does not name it).") var model: String?
    @Option(help: "Hardware the benchmark ran on (a catalog name, see `planner hardware`).") var hardware: String?
    @Option(help: "Tensor-parallel degree of the benchmarked replica.") var tp: Int?
    @Option(help: "Pipeline-parallel degree (default 1).") var pp: Int?
    @Option(help: "Expert-parallel degree (default 1).") var ep: Int?
    @Option(help: "Weight precision of the benchmarked model (\(Precision.acceptedNames)).") var bits: String?
    @Option(help: "Serving engine and version, recorded with the points (e.g. 'vllm 0.11.0').") var engine: String?
    @Option(help: "GPUs the measured throughput covers (default TP x PP x EP).") var gpuCount: Int?
    @Option(help: "Sidecar YAML with the same fields: {model, hardware, tp, pp, ep, bits, engine, gpu_count}.") var sidecar: String?

    /// The context from the options, over the sidecar's.
    func resolved() throws -> BenchmarkResults.Context {
        for (name, value) in [("tp", tp), ("pp", pp), ("ep", ep), ("gpu-count", gpuCount)] {
            if let value, value < 1 || value > 65536 {
                throw PlannerError.invalidValue(field: name, value: "\(value)", allowed: "an integer in 1...65536")
            }
        }
        if let bits { _ = try Precision.parse(bits) }
        let options = BenchmarkResults.Context(model: model, hardware: hardware, tensorParallel: tp, pipelineParallel: pp,
                                               expertParallel: ep, precision: bits, engine: engine, gpuCount: gpuCount)
        guard let sidecar else { return options }
        let text = try Console.readText(sidecar, field: "sidecar")
        return options.overriding(try BenchmarkResults.Context.sidecar(try Documents.parse(text, source: sidecar), source: sidecar))
    }

    /// Every file's measured points, in file order, as one JSON array.
    func measuredPoints(_ files: [String]) throws -> JSONValue {
        let context = try resolved()
        var all: [JSONValue] = []
        for file in files {
            all += try BenchmarkResults.points(try Console.readText(file, field: "points"), source: file, context: context)
        }
        return .array(all)
    }
}
