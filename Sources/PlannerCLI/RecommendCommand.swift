import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner recommend`: search TP/PP/EP layouts, precisions and batch sizes on a device budget.
    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find the best TP/PP/EP layouts, precisions and batch sizes for a model on N devices.",
            discussion: """
                Every layout with TP x PP x EP <= N (EP only for MoE models; for MoE models also attention data \
                parallelism DP x TP <= N with experts over DP x TP devices) is tried with as many data-parallel \
                replicas as fit, including those that use all N devices. For each layout and precision the batch \
                sizes that fit in memory are estimated (auto: powers of two up to the largest that fits, that \
                largest, and the largest that meets the latency targets). Pareto: throughput per device vs TPOT.

                Serving model (--serving): 'continuous' (default) evaluates each layout with continuous batching \
                under load, with the same analytic queue model as `planner fleet` (one candidate per layout and \
                precision: the largest running batch meeting the targets, TTFT and TPOT at --slo-statistic); \
                'static' estimates fixed batches served back to back (prefill the batch, then decode it to the end), \
                as `planner estimate e2e` does. 'disaggregated' simulates prefill and decode pools with --engine's \
                scheduler and searches x prefill + y decode instances on N devices; 'auto' also simulates aggregated \
                layouts on the same devices and says which wins (both need --max-ttft-ms and --max-tpot-ms). Cost columns use the shipped prices (as `planner fleet`); \
                $/M output tokens is at the candidate's full throughput.
                """)

        @Option(help: "Model: a catalog name, or a path to a Hugging Face config.json.") var model: String
        @Option(help: "Hardware name (see `planner hardware`).") var hardware: String?
        @Option(name: .customLong("hardware-json"), help: "Custom hardware as JSON {Flops, Memory_size, Memory_BW, ICN, ICN_LL}.")
        var hardwareJSON: String?
        @Option(name: .customLong("hardware-file"), help: "Hardware description or calibrated profile (YAML or JSON, as `planner calibrate` writes).")
        var hardwareFile: String?
        @Option(parsing: .unconditional, help: "Devices available (N).") var devices: Int
        @Option(parsing: .unconditional, help: "Devices per node (for node counts).") var devicesPerNode = 8
        @Option(parsing: .unconditional, help: "Prompt tokens.") var inputTokens = 2048
        @Option(parsing: .unconditional, help: "Output tokens.") var outputTokens = 256
        @Option(help: "Precisions to try, comma-separated (\(Precision.acceptedNames)).") var bits = "bf16"
        @Option(help: "KV-cache precision: auto (the weights'), f32, bf16, fp8, int8.") var kvBits = "auto"
        @Option(parsing: .unconditional, help: "Latency target: maximum time to first token, ms.") var maxTtftMs: Double?
        @Option(parsing: .unconditional, help: "Latency target: maximum time per output token, ms.") var maxTpotMs: Double?
        @Option(help: "Batch sizes: 'auto' or a comma-separated list.") var batchSizes = "auto"
        @Option(parsing: .unconditional, help: "Largest batch the automatic search tries.") var maxBatchSize = 4096
        @Option(help: "Rank by: throughput, throughput-per-device, latency.") var objective: LayoutSearch.Objective = .throughputPerDevice
        @Option(help: "Serving model: continuous (batching under load, as `planner fleet`), static (fixed batches back to back), disaggregated (prefill and decode pools, simulated) or auto (aggregated vs disaggregated, both simulated).")
        var serving: ServingChoice = .continuous
        @Option(help: "Statistic of the TTFT/TPOT targets with continuous batching: mean, p50, p90, p95, p99, p99.9, ...")
        var sloStatistic = "p99"
        @Option(parsing: .unconditional, help: "How many to print.") var top = 10
        @Option(help: "Serving engine simulated with --serving disaggregated|auto: vllm, sglang, trtllm.") var engine = "vllm"
        @Option(parsing: .unconditional, help: "Requests per simulation with --serving disaggregated|auto.") var simulationRequests = 300
        @Option(help: "Performance model: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).") var profile: Profile = EstimateRequest.defaultProfile
        @Flag(help: "Print a JSON array instead of a table.") var json = false
        @Flag(name: .shortAndLong, help: "Also report skipped layouts and why (on standard error).") var verbose = false
        @OptionGroup(title: "Launch lines") var launch: LaunchOptions

        func validate() throws {
            if top < 1 { throw ValidationError("--top must be at least 1") }
            if hardware != nil && hardwareJSON != nil { throw ValidationError("give either --hardware or --hardware-json, not both") }
            if hardware == nil && hardwareJSON == nil && hardwareFile == nil {
                throw ValidationError("missing --hardware NAME (or --hardware-json, --hardware-file)")
            }
        }

        /// The serving model from `--serving` and `--slo-statistic`.
        func servingModel() throws(PlannerError) -> LayoutSearch.Serving {
            switch serving {
            case .staticBatch: return .staticBatch
            case .continuous, .disaggregated, .auto:
                guard let (_, statistic) = ServiceLevelObjectives.parseKey("ttft_\(sloStatistic)_ms") else {
                    throw .invalidValue(field: "slo-statistic", value: sloStatistic,
                                        allowed: "mean or a percentile pNN in (0, 100), e.g. p50, p90, p99, p99.9")
                }
                return .continuous(statistic: statistic)
            }
        }

        func run() throws {
            if serving == .disaggregated || serving == .auto {
                try reportingErrors { try runDisaggregated() }
                return
            }
            try reportingErrors {
                let serving = try servingModel()
                var options = LayoutSearch.Options(
                    model: try Inputs.model(.string(model), readFile: Console.readModelFile), hardware: try resolveHardware(name: hardware, json: hardwareJSON, file: hardwareFile),
                    devices: devices, devicesPerNode: devicesPerNode, inputTokens: inputTokens, outputTokens: outputTokens,
                    precisions: try parsePrecisions(bits), maxTTFTMs: maxTtftMs, maxTPOTMs: maxTpotMs,
                    batchSizes: try parseBatchSizes(batchSizes), maxBatchSize: maxBatchSize, objective: objective, profile: profile,
                    serving: serving)
                options.kvPrecision = try EstimateRequest.parseKVPrecision(kvBits)
                let result = try LayoutSearch.run(options)
                if verbose {
                    Console.error("layouts considered: \(result.layoutsConsidered); estimates: \(result.estimatesEvaluated); "
                        + "feasible but over a latency target: \(result.droppedByTargets)")
                    for (reason, count) in result.skipped.sorted(by: { $0.key < $1.key }) {
                        Console.error("skipped \(count): \(reason)")
                    }
                }
                guard !result.candidates.isEmpty else {
                    throw CLIError.message(result.explanation ?? "no configuration qualifies")
                }
                let shown = Array(result.candidates.prefix(top))
                let launchEngines = try launch.selectedEngines()
                if json {
                    print(JSONValue.array(shown.enumerated().map { position, candidate in
                        PlanningOutput.candidateJSON(candidate, rank: position + 1, serving: serving,
                                                     launch: launch.lines(candidate, options: options, givenModel: model,
                                                                          engines: launchEngines ?? EngineLaunch.engines))
                    }).serialized(indent: 2))
                } else {
                    print("\(options.model.name) on up to \(devices) x \(options.hardware.name), input \(inputTokens), output \(outputTokens) tokens, "
                        + "ranked by \(objective.rawValue) (profile \(profile.rawValue)); \(result.candidates.count) qualifying configurations")
                    print("serving model: \(serving.summary)")
                    print(PlanningOutput.recommendationTable(shown, serving: serving))
                    print("tok/s: output tokens per second; * = Pareto frontier of tok/s/device vs TPOT")
                    if let launchEngines {
                        print(launch.printedText(shown, options: options, givenModel: model, engines: launchEngines), terminator: "")
                    }
                }
            }
        }
    }
}

extension LayoutSearch.Objective: ExpressibleByArgument {}

/// The values of `recommend --serving`.
enum ServingChoice: String, ExpressibleByArgument, CaseIterable {
    case continuous
    case staticBatch = "static"
    /// Prefill and decode pools, both simulated (`Disaggregation`).
    case disaggregated
    /// Aggregated and disaggregated, both simulated on the same devices, and which wins.
    case auto
}
