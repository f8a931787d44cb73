/// Engine launch lines: the command that starts vLLM, SGLang or TensorRT-LLM with the layout,
/// precision, batch and token limits and memory fraction a plan assumed, so that a user can go from
/// the plan to a running server.
///
/// ``make(_:)`` is pure: it returns the argv array, the POSIX-shell-quoted command line and, for
/// TensorRT-LLM, the text of the `--extra_llm_api_options` YAML file (options `trtllm-serve` takes
/// only there). Every flag written is in the engine's flag table (``flags(_:)``), each table citing
/// the engine source it was checked against; ``check(argv:engine:)`` verifies an argv against it.
///
/// Layouts (``Parallelism``; TP = `tensor`, PP = `pipeline`, EP = `expert`, DP = `dataParallel`):
/// - TP x EP without attention data parallelism: attention over TP x EP devices, the routed experts
///   in EP groups of TP devices. SGLang `--tp-size TP*EP --ep-size EP` and TensorRT-LLM
///   `--tp_size TP*EP --ep_size EP` express it exactly (the MoE tensor parallelism is tp / ep);
///   vLLM `--tensor-parallel-size TP*EP --enable-expert-parallel` spreads the experts whole over all
///   TP*EP ranks (the same expert memory per device; a note says so when TP and EP are both > 1).
/// - Attention DP (DP > 1, MoE only): DP attention ranks of TP devices, experts over DP x TP devices.
///   vLLM `--data-parallel-size DP --tensor-parallel-size TP --enable-expert-parallel`; SGLang
///   `--tp-size DP*TP --dp-size DP --enable-dp-attention --ep-size DP*TP` (SGLang's attention TP is
///   tp / dp); TensorRT-LLM `--tp_size DP --ep_size DP` with `enable_attention_dp: true` (its
///   attention DP replicates attention on every rank, so TP must be 1). Attention DP with PP > 1 is
///   refused for every engine (none of the engines documents that combination).
public enum EngineLaunch {
    /// Which server of a deployment the line starts.
    public enum Role: String, Sendable, Hashable, CaseIterable {
        /// One server doing prefill and decode.
        case aggregated
        /// The prefill (context) server of a disaggregated deployment.
        case prefill
        /// The decode (generation) server of a disaggregated deployment.
        case decode
    }

    /// Everything a launch line needs.
    public struct Request: Sendable, Hashable {
        /// `vllm`, `sglang` or `trtllm` (`static` has no server and is refused).
        public var engine: SchedulerConfig.Engine
        /// Hugging Face repository id or local model folder, passed to the engine as is.
        public var model: String
        /// Whether the model is a mixture of experts (EP and DP need one).
        public var isMoE: Bool
        /// Largest context the model supports (tokens), when known: `maxModelLength` may not exceed it.
        public var modelContextLimit: Int?
        public var layout: Parallelism
        /// Weight precision.
        public var weightPrecision: Precision
        /// KV-cache precision (nil: the weights').
        public var kvPrecision: Precision?
        /// Requests one replica runs at once (all its DP ranks together), >= 1.
        public var maxRunningRequests: Int
        /// Tokens one iteration may process (vLLM `max_num_batched_tokens`, SGLang
        /// `chunked_prefill_size`, TensorRT-LLM `max_num_tokens`), >= 1.
        public var maxBatchedTokens: Int
        /// The engine's memory fraction (vLLM `gpu_memory_utilization`, SGLang
        /// `mem_fraction_static`, TensorRT-LLM `kv_cache_free_gpu_memory_fraction`), in (0, 1].
        public var memoryFraction: Double
        /// TensorRT-LLM `enable_chunked_prefill` (vLLM V1 and SGLang always chunk).
        public var chunkedPrefill: Bool
        /// Longest request, prompt plus output, tokens (>= 1).
        public var maxModelLength: Int
        /// HTTP port of the server, 1...65535.
        public var port: Int
        public var role: Role
        /// The devices' family, when known (TensorRT-LLM runs on NVIDIA GPUs only).
        public var hardwareFamily: HardwareFamily?

        public init(engine: SchedulerConfig.Engine, model: String, isMoE: Bool, modelContextLimit: Int? = nil, layout: Parallelism,
                    weightPrecision: Precision, kvPrecision: Precision? = nil, maxRunningRequests: Int, maxBatchedTokens: Int,
                    memoryFraction: Double, chunkedPrefill: Bool = true, maxModelLength: Int, port: Int = EngineLaunch.defaultPort,
                    role: Role = .aggregated, hardwareFamily: HardwareFamily? = nil) {
            self.engine = engine
            self.model = model
            self.isMoE = isMoE
            self.modelContextLimit = modelContextLimit
            self.layout = layout
            self.weightPrecision = weightPrecision
            self.kvPrecision = kvPrecision
            self.maxRunningRequests = maxRunningRequests
            self.maxBatchedTokens = maxBatchedTokens
            self.memoryFraction = memoryFraction
            self.chunkedPrefill = chunkedPrefill
            self.maxModelLength = maxModelLength
            self.port = port
            self.role = role
            self.hardwareFamily = hardwareFamily
        }

        /// The request for `scheduler`'s engine and knobs: its token budget, memory fraction and
        /// chunking, with `maxRunningRequests` the plan's running batch.
        public init(scheduler: SchedulerConfig, model: String, spec: ModelSpec, layout: Parallelism, weightPrecision: Precision,
                    kvPrecision: Precision?, maxRunningRequests: Int, maxModelLength: Int, port: Int = EngineLaunch.defaultPort,
                    role: Role = .aggregated, hardwareFamily: HardwareFamily? = nil) {
            self.init(engine: scheduler.engine, model: model, isMoE: spec.isMoE, modelContextLimit: spec.maxModelLength, layout: layout,
                      weightPrecision: weightPrecision, kvPrecision: kvPrecision, maxRunningRequests: maxRunningRequests,
                      maxBatchedTokens: scheduler.maxBatchedTokens, memoryFraction: scheduler.memoryFraction,
                      chunkedPrefill: scheduler.chunkedPrefill, maxModelLength: maxModelLength, port: port, role: role,
                      hardwareFamily: hardwareFamily)
        }
    }

    /// A launch line.
    public struct Line: Sendable, Hashable {
        public var engine: SchedulerConfig.Engine
        public var role: Role
        /// The command's words, program first.
        public var argv: [String]
        /// `argv` quoted for a POSIX shell (``shellQuote(_:)``), joined by spaces.
        public var command: String
        /// TensorRT-LLM: the YAML to save as ``extraOptionsFile`` (nil for the other engines).
        public var extraOptionsYAML: String?
        /// The file name the command passes to `--extra_llm_api_options` (nil for the other engines).
        public var extraOptionsFile: String?
        /// What the line does not settle (a precision the checkpoint decides, how an engine counts a knob).
        public var notes: [String]
    }

    /// Port when none is given (vLLM's and TensorRT-LLM's default; SGLang's is 30000, so it is written).
    public static let defaultPort = 8000

    /// File name of TensorRT-LLM's extra options in the command line.
    public static let trtllmOptionsFile = "extra_llm_api_options.yaml"

    /// The engines that have a server to launch.
    public static let engines: [SchedulerConfig.Engine] = [.vllm, .sglang, .trtllm]

    /// The names of ``engines``, for messages.
    public static let engineNames = engines.map(\.rawValue).joined(separator: ", ")

    /// Parses a launch engine name (case-insensitive).
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `field`.
    public static func engine(named name: String, field: String = "launch") throws(PlannerError) -> SchedulerConfig.Engine {
        guard let engine = SchedulerConfig.Engine(rawValue: name.lowercased()), engines.contains(engine) else {
            throw .invalidValue(field: field, value: name, allowed: engineNames)
        }
        return engine
    }

    /// The launch line of `request`.
    /// - Throws: ``PlannerError`` naming the field for a value out of range, a layout the engine (or
    ///   the model) cannot take, or a precision the engine cannot serve.
    public static func make(_ request: Request) throws(PlannerError) -> Line {
        try validate(request)
        let layout = request.layout
        var notes: [String] = []
        var argv: [String]
        var yaml: [(key: String, value: YAMLValue)] = []
        let dataParallel = layout.dataParallel
        let perRankRunning = (request.maxRunningRequests + dataParallel - 1) / dataParallel
        switch request.engine {
        case .vllm:
            argv = ["vllm", "serve", request.model, "--port", "\(request.port)"]
            argv += ["--tensor-parallel-size", "\(layout.attentionDataParallel ? layout.tensor : layout.tensor * layout.expert)"]
            argv += ["--pipeline-parallel-size", "\(layout.pipeline)"]
            if layout.attentionDataParallel {
                argv += ["--data-parallel-size", "\(dataParallel)", "--enable-expert-parallel"]
                notes.append("vllm runs one engine per data-parallel rank: --max-num-seqs \(perRankRunning) is the plan's "
                    + "\(request.maxRunningRequests) running requests over \(dataParallel) ranks")
            } else if layout.expert > 1 {
                argv.append("--enable-expert-parallel")
                if layout.tensor > 1 {
                    notes.append("vllm spreads whole experts over all \(layout.tensor * layout.expert) ranks; planner modelled "
                        + "\(layout.expert) expert groups of \(layout.tensor) devices (the same expert memory per device)")
                }
            }
            argv += try vllmPrecision(request, notes: &notes)
            argv += ["--max-num-seqs", "\(perRankRunning)", "--max-num-batched-tokens", "\(request.maxBatchedTokens)",
                     "--gpu-memory-utilization", number(request.memoryFraction), "--max-model-len", "\(request.maxModelLength)"]
            if request.role != .aggregated {
                argv += ["--kv-transfer-config", #"{"kv_connector":"NixlConnector","kv_role":"kv_both"}"#]
                notes.append("\(request.role.rawValue) server of a disaggregated pair (NixlConnector); a proxy in front sends "
                    + "each request to a prefill server, then to a decode server")
            }
        case .sglang:
            argv = ["python3", "-m", "sglang.launch_server", "--model-path", request.model, "--port", "\(request.port)"]
            if layout.attentionDataParallel {
                let ranks = dataParallel * layout.tensor
                argv += ["--tp-size", "\(ranks)", "--dp-size", "\(dataParallel)", "--enable-dp-attention", "--ep-size", "\(ranks)"]
                notes.append("sglang divides --max-running-requests and --chunked-prefill-size by --dp-size across the attention ranks")
            } else {
                argv += ["--tp-size", "\(layout.tensor * layout.expert)"]
                if layout.expert > 1 { argv += ["--ep-size", "\(layout.expert)"] }
            }
            argv += ["--pp-size", "\(layout.pipeline)"]
            argv += try sglangPrecision(request, notes: &notes)
            argv += ["--max-running-requests", "\(request.maxRunningRequests)", "--chunked-prefill-size", "\(request.maxBatchedTokens)",
                     "--mem-fraction-static", number(request.memoryFraction), "--context-length", "\(request.maxModelLength)"]
            if request.role != .aggregated {
                argv += ["--disaggregation-mode", request.role.rawValue, "--disaggregation-transfer-backend", "mooncake"]
                notes.append("\(request.role.rawValue) server of a disaggregated pair (Mooncake transfer); a router in front pairs "
                    + "prefill and decode servers")
            }
        case .trtllm:
            argv = ["trtllm-serve", request.model, "--backend", "pytorch", "--port", "\(request.port)"]
            if layout.attentionDataParallel {
                argv += ["--tp_size", "\(dataParallel)", "--ep_size", "\(dataParallel)"]
                yaml.append(("enable_attention_dp", .bool(true)))
                notes.append("trtllm counts --max_batch_size per attention rank: \(perRankRunning) is the plan's "
                    + "\(request.maxRunningRequests) running requests over \(dataParallel) ranks")
            } else {
                argv += ["--tp_size", "\(layout.tensor * layout.expert)"]
                if layout.expert > 1 { argv += ["--ep_size", "\(layout.expert)"] }
            }
            argv += ["--pp_size", "\(layout.pipeline)"]
            let kvDType = try trtllmPrecision(request, yaml: &yaml, notes: &notes)
            argv += ["--max_batch_size", "\(perRankRunning)", "--max_num_tokens", "\(request.maxBatchedTokens)",
                     "--max_seq_len", "\(request.maxModelLength)", "--kv_cache_free_gpu_memory_fraction", number(request.memoryFraction)]
            // A `kv_cache_config` in the YAML replaces the one the command line builds, so it repeats the fraction.
            var kvCache: [(key: String, value: YAMLValue)] = [("free_gpu_memory_fraction", .number(number(request.memoryFraction)))]
            if let kvDType { kvCache.append(("dtype", .text(kvDType))) }
            yaml.append(("kv_cache_config", .map(kvCache)))
            if request.chunkedPrefill {
                yaml.append(("enable_chunked_prefill", .bool(true)))
            } else if request.maxBatchedTokens < request.maxModelLength {
                notes.append("without chunked prefill trtllm needs a whole prompt within --max_num_tokens \(request.maxBatchedTokens)")
            }
            if request.role != .aggregated {
                yaml.append(("cache_transceiver_config", .map([("backend", .text("DEFAULT"))])))
                if request.role == .prefill { yaml.append(("disable_overlap_scheduler", .bool(true))) }
                notes.append("\(request.role == .prefill ? "context" : "generation") server of a disaggregated deployment; "
                    + "`trtllm-serve disaggregated -c CONFIG` routes requests to the context and generation servers")
            }
            argv += ["--extra_llm_api_options", trtllmOptionsFile]
        case .static:
            throw .invalidValue(field: "engine", value: "static", allowed: engineNames + " (static batching has no server)")
        }
        let yamlText = request.engine == .trtllm ? YAMLValue.render(yaml) : nil
        return Line(engine: request.engine, role: request.role, argv: argv, command: argv.map(shellQuote).joined(separator: " "),
                    extraOptionsYAML: yamlText, extraOptionsFile: request.engine == .trtllm ? trtllmOptionsFile : nil, notes: notes)
    }

    /// Checks the request's values and the layout against the model and the engine.
    static func validate(_ request: Request) throws(PlannerError) {
        guard engines.contains(request.engine) else {
            throw .invalidValue(field: "engine", value: request.engine.rawValue, allowed: engineNames + " (static batching has no server)")
        }
        if request.model.isEmpty || request.model.hasPrefix("-") || request.model.contains(where: { $0 == "\0" || $0 == "\n" || $0 == "\r" }) {
            throw .invalidValue(field: "model", value: request.model,
                                allowed: "a Hugging Face repository id or a model folder, not starting with '-', without NUL or line breaks")
        }
        if request.engine == .trtllm, let family = request.hardwareFamily,
           ![.nvidiaAmpere, .nvidiaHopper, .nvidiaBlackwell, .generic].contains(family) {
            throw .invalidValue(field: "hardware", value: family.rawValue,
                                allowed: "for trtllm: NVIDIA GPUs (nvidia-ampere, nvidia-hopper, nvidia-blackwell); TensorRT-LLM runs on NVIDIA GPUs only")
        }
        let layout = request.layout
        for (field, value) in [("tensor_parallel", layout.tensor), ("pipeline_parallel", layout.pipeline),
                               ("expert_parallel", layout.expert), ("data_parallel", layout.dataParallel)] where value < 1 || value > 65536 {
            throw .invalidParallelism(field: field, value: value, reason: "must be in 1...65536")
        }
        if !request.isMoE && layout.expert > 1 {
            throw .invalidParallelism(field: "expert_parallel", value: layout.expert, reason: "expert parallelism needs a mixture-of-experts model")
        }
        if layout.attentionDataParallel {
            if !request.isMoE {
                throw .invalidParallelism(field: "data_parallel", value: layout.dataParallel,
                                          reason: "attention data parallelism needs a mixture-of-experts model; a dense model is served by replicas")
            }
            if layout.expert != 1 && layout.expert != layout.dataParallel * layout.tensor {
                throw .invalidParallelism(field: "expert_parallel", value: layout.expert,
                                          reason: "with attention data parallelism EP is 1 (implied) or DP x TP = \(layout.dataParallel * layout.tensor)")
            }
            if layout.pipeline > 1 {
                throw .invalidParallelism(field: "pipeline_parallel", value: layout.pipeline,
                                          reason: "\(request.engine.rawValue) launch lines take attention data parallelism with pipeline parallelism 1 only")
            }
            if request.engine == .trtllm && layout.tensor > 1 {
                throw .invalidParallelism(field: "tensor_parallel", value: layout.tensor,
                                          reason: "TensorRT-LLM attention data parallelism replicates attention on every rank (TP 1 per attention rank)")
            }
        }
        if request.maxRunningRequests < 1 || request.maxRunningRequests > 1 << 20 {
            throw .invalidValue(field: "max_running_requests", value: "\(request.maxRunningRequests)", allowed: "an integer in 1...\(1 << 20)")
        }
        if request.maxBatchedTokens < 1 || request.maxBatchedTokens > 1 << 24 {
            throw .invalidValue(field: "max_batched_tokens", value: "\(request.maxBatchedTokens)", allowed: "an integer in 1...\(1 << 24)")
        }
        if !request.memoryFraction.isFinite || request.memoryFraction <= 0 || request.memoryFraction > 1 {
            throw .invalidValue(field: "memory_fraction", value: "\(request.memoryFraction)", allowed: "a fraction in (0, 1]")
        }
        let contextLimit = request.modelContextLimit ?? 1 << 24
        if request.maxModelLength < 1 || request.maxModelLength > contextLimit {
            throw .invalidValue(field: "max_model_len", value: "\(request.maxModelLength)",
                                allowed: "an integer in 1...\(contextLimit)" + (request.modelContextLimit == nil ? "" : " (the model's context length)"))
        }
        if request.port < 1 || request.port > 65535 {
            throw .invalidValue(field: "port", value: "\(request.port)", allowed: "an integer in 1...65535")
        }
    }

    /// A fraction as the engines read it: at most three decimals, no exponent (0.9, 0.873).
    static func number(_ value: Double) -> String {
        let thousandths = Int((value * 1000).rounded())
        let whole = thousandths / 1000, rest = thousandths % 1000
        guard rest != 0 else { return "\(whole).0" }
        var digits = String(rest)
        digits = String(repeating: "0", count: 3 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    /// The KV-cache precision in effect (the weights' when none is given).
    static func kvPrecision(_ request: Request) -> Precision { request.kvPrecision ?? request.weightPrecision }

    static func unsupportedWeights(_ request: Request, allowed: String) -> PlannerError {
        .invalidValue(field: "bits", value: request.weightPrecision.rawValue, allowed: "for \(request.engine.rawValue): \(allowed)")
    }

    static func unsupportedKV(_ request: Request, allowed: String) -> PlannerError {
        .invalidValue(field: "kv_bits", value: kvPrecision(request).rawValue,
                      allowed: "for \(request.engine.rawValue) with \(request.weightPrecision.rawValue) weights: \(allowed)")
    }

    static func checkpointNote(_ precision: Precision, engine: SchedulerConfig.Engine) -> String {
        "\(precision.rawValue) weights have no \(engine.rawValue) flag: serve a checkpoint quantized to \(precision.rawValue) "
            + "(the engine reads its quantization config)"
    }

    /// vLLM `--dtype`, `--quantization` and `--kv-cache-dtype`.
    static func vllmPrecision(_ request: Request, notes: inout [String]) throws(PlannerError) -> [String] {
        try dtypeFlags(request, engine: .vllm, fp8KVValue: "fp8", notes: &notes,
                       fp8Note: "--quantization fp8 quantizes a 16-bit checkpoint as it loads, or reads an FP8 checkpoint "
                           + "(quant_method fp8); for another pre-quantized format (compressed-tensors, modelopt) drop it")
    }

    /// SGLang `--dtype`, `--quantization` and `--kv-cache-dtype`.
    static func sglangPrecision(_ request: Request, notes: inout [String]) throws(PlannerError) -> [String] {
        try dtypeFlags(request, engine: .sglang, fp8KVValue: "fp8_e4m3", notes: &notes,
                       fp8Note: "--quantization fp8 quantizes a 16-bit checkpoint as it loads, or reads an FP8 checkpoint; "
                           + "for another pre-quantized format drop it")
    }

    /// The `--dtype`, `--quantization` and `--kv-cache-dtype` flags vLLM and SGLang share; they differ
    /// in the fp8 KV-cache value (`fp8KVValue`) and the note on fp8 checkpoints.
    static func dtypeFlags(_ request: Request, engine: SchedulerConfig.Engine, fp8KVValue: String, notes: inout [String],
                           fp8Note: String) throws(PlannerError) -> [String] {
        var flags: [String]
        let weights = request.weightPrecision
        switch weights {
        case .f32: flags = ["--dtype", "float32"]
        case .bf16: flags = ["--dtype", "bfloat16"]
        case .fp8:
            flags = ["--dtype", "bfloat16", "--quantization", "fp8"]
            notes.append(fp8Note)
        case .int8, .int4, .fp4:
            flags = ["--dtype", "auto"]
            notes.append(checkpointNote(weights, engine: engine))
        case .fp6, .int2:
            throw unsupportedWeights(request, allowed: "f32, bf16, fp8 (--quantization fp8), int8, int4 or fp4 (a pre-quantized checkpoint)")
        }
        switch kvPrecision(request) {
        case .fp8: flags += ["--kv-cache-dtype", fp8KVValue]
        case .bf16 where weights != .f32: break
        case .f32 where weights == .f32: break
        case .bf16, .f32, .int8, .fp6, .int4, .fp4, .int2:
            throw unsupportedKV(request, allowed: fp8KVValue == "fp8" ? "fp8, or the activations' precision (auto)"
                                : "fp8 (\(fp8KVValue)), or the activations' precision (auto)")
        }
        return flags
    }

    /// TensorRT-LLM (PyTorch backend): `dtype` in the YAML for f32; quantized weights come from the
    /// checkpoint. Returns the `kv_cache_config.dtype` to write, if any.
    static func trtllmPrecision(_ request: Request, yaml: inout [(key: String, value: YAMLValue)],
                                notes: inout [String]) throws(PlannerError) -> String? {
        let weights = request.weightPrecision
        switch weights {
        case .f32: yaml.append(("dtype", .text("float32")))
        case .bf16: break
        case .fp8, .int8, .int4, .fp4:
            notes.append(checkpointNote(weights, engine: .trtllm) + ", e.g. a TensorRT Model Optimizer checkpoint")
        case .fp6, .int2:
            throw unsupportedWeights(request, allowed: "f32, bf16, or fp8, int8, int4, fp4 (a pre-quantized checkpoint)")
        }
        switch kvPrecision(request) {
        case .fp8: return "fp8"
        case .bf16 where weights != .f32: return nil
        case .f32 where weights == .f32: return nil
        case .bf16, .f32, .int8, .fp6, .int4, .fp4, .int2:
            throw unsupportedKV(request, allowed: "fp8, or the model's precision (auto)")
        }
    }
}

/// A YAML value of TensorRT-LLM's extra options: a flat or nested map of scalars.
enum YAMLValue: Sendable {
    case bool(Bool)
    /// A number, already spelled.
    case number(String)
    /// A plain word (no quoting needed: letters, digits, `_`, `.`).
    case text(String)
    case map([(key: String, value: YAMLValue)])

    /// Block-style YAML, two spaces per level, one key per line.
    static func render(_ members: [(key: String, value: YAMLValue)], indent: Int = 0) -> String {
        var out = ""
        let pad = String(repeating: " ", count: indent)
        for (key, value) in members {
            switch value {
            case let .bool(flag): out += "\(pad)\(key): \(flag)\n"
            case let .number(text), let .text(text): out += "\(pad)\(key): \(text)\n"
            case let .map(inner): out += "\(pad)\(key):\n" + render(inner, indent: indent + 2)
            }
        }
        return out
    }
}
