import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner estimate prefill|decode|e2e ...` and `planner estimate --cases FILE`.
    struct Estimate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Estimate one configuration (prefill, decode or end to end), or a file of cases.",
            discussion: """
                Defaults are those of llm-memory-calculator: llama2_7b, batch 1, beam 1, 2048 input and 256 output \
                tokens, bf16, the A100 80GB system {Flops 312, Memory_size 80, Memory_BW 2039, ICN 600}.
                With --cases FILE (a JSON array in the format of genz_cases_public.json) it prints a JSON array with \
                one object per case, in order: `id` plus the result keys, or `id` plus `error`. Cases take the hardware \
                overrides as keys (compute_efficiency, ...); the command-line overrides apply to single estimates.
                """
        )

        @Argument(help: "prefill, decode or e2e (end to end). Not used with --cases.")
        var phase: Inputs.CasePhase?

        @Option(help: "Model: a catalog name (see `planner models`, case-insensitive) or a path to a Hugging Face config.json.")
        var model = "llama2_7b"

        @Option(help: "Hardware name (see `planner hardware`). Default: the A100 80GB system of llm-memory-calculator.")
        var hardware: String?

        @Option(name: .customLong("hardware-json"), help: "Custom hardware as JSON: {\"Flops\":TFLOPS,\"Memory_size\":GB,\"Memory_BW\":GB/s,\"ICN\":GB/s,\"ICN_LL\":us}.")
        var hardwareJSON: String?
        @Option(name: .customLong("hardware-file"), help: "Hardware description or calibrated profile (YAML or JSON, as `planner calibrate` writes).")
        var hardwareFile: String?

        @Option(parsing: .unconditional, help: "Requests per batch (>= 1).") var batchSize = 1
        @Option(parsing: .unconditional, help: "Beams per request, decode only (>= 1).") var beamSize = 1
        @Option(parsing: .unconditional, help: "Prompt tokens (>= 1).") var inputTokens = 2048
        @Option(parsing: .unconditional, help: "Output tokens (>= 0).") var outputTokens = 256
        @Option(help: "Precision: \(Precision.acceptedNames).") var bits = "bf16"
        @Option(help: "KV-cache precision: auto (the weights'), f32, bf16, fp8, int8.") var kvBits = "auto"
        @Option(name: [.customLong("tp"), .customLong("tensor-parallel")], parsing: .unconditional, help: "Tensor-parallel degree.") var tensorParallel = 1
        @Option(name: [.customLong("pp"), .customLong("pipeline-parallel")], parsing: .unconditional, help: "Pipeline-parallel degree.") var pipelineParallel = 1
        @Option(name: [.customLong("ep"), .customLong("expert-parallel")], parsing: .unconditional, help: "Expert-parallel degree (MoE models).") var expertParallel = 1
        @Option(name: [.customLong("dp"), .customLong("data-parallel")], parsing: .unconditional,
                help: "Attention data-parallel ranks (MoE models, default profile): each rank TP-sharded over --tp devices with its own requests' KV cache, experts over DP x TP devices.")
        var dataParallel = 1
        @Option(parsing: .unconditional, help: "With --dp: busiest expert-parallel device's routed tokens over the mean (default \(EstimateRequest.defaultExpertImbalance), with EPLB).")
        var expertImbalance: Double?
        @Option(help: "Performance model: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile = EstimateRequest.defaultProfile
        @OptionGroup(title: "Hardware figures of the default profile (override the preset's or its family's)")
        var overrides: HardwareOverrides
        @Flag(help: "Print JSON instead of a table.") var json = false
        @Flag(help: "Include the per-operator table (why the time goes where it goes).") var breakdown = false
        @Option(help: "A JSON array of cases to estimate (use - for standard input).") var cases: String?

        func validate() throws {
            if cases != nil && phase != nil {
                throw ValidationError("give either a phase (prefill, decode, e2e) or --cases FILE, not both")
            }
            if cases == nil && phase == nil {
                throw ValidationError("missing phase: prefill, decode or e2e (or --cases FILE)")
            }
            if hardware != nil && hardwareJSON != nil {
                throw ValidationError("give either --hardware NAME or --hardware-json JSON, not both")
            }
        }

        func run() throws {
            try reportingErrors {
                if let cases {
                    print(try runCases(path: cases).serialized(indent: 2))
                    return
                }
                try runSingle(phase: phase ?? .e2e)
            }
        }

        private func runSingle(phase: Inputs.CasePhase) throws {
            var spec = try resolveHardware(name: hardware, json: hardwareJSON, file: hardwareFile)
            try overrides.apply(to: &spec)
            let request = EstimateRequest(
                model: try Inputs.model(.string(model), readFile: Console.readModelFile, profile: profile), hardware: spec, batchSize: batchSize,
                beamSize: beamSize, inputTokens: inputTokens, outputTokens: outputTokens, precision: try Precision.parse(bits),
                parallelism: Parallelism(tensor: tensorParallel, pipeline: pipelineParallel, expert: expertParallel, dataParallel: dataParallel),
                profile: profile, kvPrecision: try EstimateRequest.parseKVPrecision(kvBits), expertImbalance: expertImbalance)
            switch phase {
            case .prefill, .decode:
                let corePhase: Phase = phase == .prefill ? .prefill : .decode
                let estimate = try Estimator.estimate(request, phase: corePhase, operators: true)
                print(json ? ResultJSON.phase(estimate, request: request, operators: breakdown).serialized(indent: 2)
                      : EstimateText.phase(estimate, request: request, operators: breakdown))
            case .e2e:
                let estimate = try Estimator.endToEnd(request, operators: true)
                print(json ? ResultJSON.endToEnd(estimate, request: request, operators: breakdown).serialized(indent: 2)
                      : EstimateText.endToEnd(estimate, request: request, operators: breakdown))
            }
        }

        /// Every case is answered, in order; a bad case yields `{id, error}` and never stops the others.
        private func runCases(path: String) throws -> JSONValue {
            let document = try Console.readJSON(path, field: "cases")
            guard let items = document.arrayValue else {
                throw CLIError.message("cases file '\(path)' must hold a JSON array of case objects, found \(document.typeName)")
            }
            return .array(items.enumerated().map { index, item in
                CaseRunner.run(item, index: index, profileOverride: profileWasGiven ? profile : nil, operators: breakdown)
            })
        }

        /// True when --profile was given on the command line (it then overrides the cases' own).
        private var profileWasGiven: Bool { CommandLine.arguments.contains { $0 == "--profile" || $0.hasPrefix("--profile=") } }
    }
}

/// Command-line overrides of the hardware figures the `default` profile reads.
struct HardwareOverrides: ParsableArguments {
    @Option(help: "Hardware family: \(HardwareFamily.allCases.map(\.rawValue).joined(separator: ", ")).") var family: String?
    @Option(parsing: .unconditional, help: "Achievable fraction of dense peak FLOPS, [0.001, 1].") var computeEfficiency: Double?
    @Option(parsing: .unconditional, help: "Achievable fraction of peak memory bandwidth, [0.001, 1].") var memoryEfficiency: Double?
    @Option(parsing: .unconditional, help: "Achievable fraction of link bandwidth for collectives, [0.001, 1].") var linkEfficiency: Double?
    @Option(parsing: .unconditional, help: "Fixed cost of every kernel, microseconds.") var kernelOverheadUs: Double?
    @Option(parsing: .unconditional, help: "Devices sharing the scale-up link (NVLink domain).") var devicesPerNode: Int?
    @Option(parsing: .unconditional, help: "Per-device inter-node bandwidth, GB/s.") var interNodeBandwidth: Double?
    @Option(parsing: .unconditional, help: "Inter-node hop latency, microseconds.") var interNodeLatencyUs: Double?
    @Option(parsing: .unconditional, help: "Fraction of device memory the model may use, [0.001, 1] (default 0.9).") var usableMemoryFraction: Double?

    /// Applies the given overrides to `spec` (and validates it).
    func apply(to spec: inout HardwareSpec) throws {
        var members: [(String, JSONValue)] = []
        if let family { members.append(("family", .string(family))) }
        let numbers: [(String, Double?)] = [
            ("compute_efficiency", computeEfficiency), ("memory_efficiency", memoryEfficiency), ("link_efficiency", linkEfficiency),
            ("kernel_overhead_us", kernelOverheadUs), ("inter_node_BW", interNodeBandwidth), ("inter_node_LL", interNodeLatencyUs),
            ("usable_memory_fraction", usableMemoryFraction),
        ]
        for (key, value) in numbers { if let value { members.append((key, .double(value))) } }
        if let devicesPerNode { members.append(("devices_per_node", .int(devicesPerNode))) }
        if members.isEmpty { return }
        try Inputs.applyOverrides(.object(members), to: &spec, field: "")
    }
}
