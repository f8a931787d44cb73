/// How one serving engine schedules iterations, with its documented defaults and the knobs it exposes.
///
/// Four engines:
/// - `vllm` (V1 engine): chunked prefill always on; each iteration serves the running requests first
///   (one decode token each, or the next chunk of an unfinished prompt), then admits waiting requests
///   FCFS while the token budget `max_num_batched_tokens` and `max_num_seqs` allow; when the KV cache
///   runs out it preempts the most recently admitted request by recompute.
/// - `sglang`: an iteration is either a prefill (extend) batch of waiting requests, up to
///   `chunked_prefill_size` tokens (one request chunked at a time), or a decode step of the running
///   batch (mixed chunks are off by default); admission reserves KV for the running requests' future
///   tokens (`new_token_ratio`); out of KV during decode it retracts the most recent request.
/// - `trtllm` (in-flight batching, GUARANTEED_NO_EVICT): a request is admitted only when the KV cache
///   can hold its whole prompt and output; each iteration runs the generation requests, then context
///   requests within `max_num_tokens` (chunked only with `enable_chunked_context`).
/// - `static`: batches of `batch_size` requests wait until full (or the last requests), prefill
///   together, then decode until the longest output (finished sequences stay in the batch as padding).
public struct SchedulerConfig: Sendable, Hashable {
    /// The engine whose scheduler is modelled.
    public enum Engine: String, Sendable, Hashable, CaseIterable, Codable {
        case vllm, sglang, trtllm, `static`
    }

    public var engine: Engine
    /// Tokens one iteration may process: vLLM `max_num_batched_tokens`, SGLang `chunked_prefill_size`,
    /// TensorRT-LLM `max_num_tokens`; unused by `static`.
    public var maxBatchedTokens: Int
    /// Requests running at once: vLLM `max_num_seqs`, SGLang `max_running_requests` (nil: derived from
    /// the KV cache as SGLang does), TensorRT-LLM `max_batch_size`, static `batch_size`.
    public var maxRunningRequests: Int?
    /// Fraction of device memory the engine takes: vLLM `gpu_memory_utilization` (weights, activations
    /// and KV cache), SGLang `mem_fraction_static` (weights and KV pool), TensorRT-LLM
    /// `kv_cache_free_gpu_mem_fraction` (of the memory left after weights and activations); `static`
    /// uses the hardware's usable memory fraction as the estimator does.
    public var memoryFraction: Double
    /// TensorRT-LLM `enable_chunked_context`; vLLM V1 and SGLang always chunk; static never does.
    public var chunkedPrefill: Bool
    /// Tokens per KV-cache block.
    public var blockTokens: Int
    /// CPU time per iteration the GPU waits for (scheduling, input preparation, sampling), microseconds.
    public var overheadUs: Double

    public init(engine: Engine, maxBatchedTokens: Int, maxRunningRequests: Int?, memoryFraction: Double, chunkedPrefill: Bool,
                blockTokens: Int, overheadUs: Double) {
        self.engine = engine
        self.maxBatchedTokens = maxBatchedTokens
        self.maxRunningRequests = maxRunningRequests
        self.memoryFraction = memoryFraction
        self.chunkedPrefill = chunkedPrefill
        self.blockTokens = blockTokens
        self.overheadUs = overheadUs
    }

    /// The engine names, for messages.
    public static let engineNames = Engine.allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses an engine name (case-insensitive).
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `scheduler`.
    public static func engine(named name: String) throws(PlannerError) -> Engine {
        guard let engine = Engine(rawValue: name.lowercased()) else {
            throw .invalidValue(field: "scheduler", value: name, allowed: engineNames)
        }
        return engine
    }

    /// The defaults `engine` picks on `hardware` with `parallelism` (they depend on device memory, as the engines' do).
    public static func defaults(_ engine: Engine, hardware: HardwareSpec, parallelism: Parallelism = Parallelism()) -> SchedulerConfig {
        let memoryGiB = hardware.memoryGiB
        switch engine {
        case .vllm:
            // vllm/engine/arg_utils.py, EngineArgs.get_batch_defaults (vLLM v0.10, `vllm serve` = the
            // OPENAI_API_SERVER usage context): devices with >= 70 GiB that are not A100 get
            // max_num_batched_tokens 8192 and max_num_seqs 1024, others 2048 and 256.
            let large = memoryGiB >= 70 && !hardware.name.lowercased().contains("a100") && hardware.family != .nvidiaAmpere
            // gpu_memory_utilization 0.9 and block_size 16: vllm/config/cache.py (CacheConfig, v0.10).
            // Overhead: own estimate (150 us). V1 moves tokenisation, detokenisation and the API server
            // to other processes (https://blog.vllm.ai/2025/01/27/v1-alpha-release.html); the engine
            // core still schedules, prepares inputs and samples on the CPU between GPU steps.
            return SchedulerConfig(engine: .vllm, maxBatchedTokens: large ? 8192 : 2048, maxRunningRequests: large ? 1024 : 256,
                                   memoryFraction: 0.9, chunkedPrefill: true, blockTokens: 16, overheadUs: 150)
        case .sglang:
            // python/sglang/srt/server_args.py (v0.4.9/v0.5, _handle_gpu_memory_settings): chunked_prefill_size
            // by device memory: < 35 GiB 2048, < 60 GiB 4096, < 160 GiB 8192 (H100, A100, H20, H200), else 16384;
            // mem_fraction_static = (memory - reserved) / memory with reserved = 2.8 + TP x PP / 10 GiB below
            // 35 GiB, 9.5 + TP x PP / 2 below 90 GiB, 12 + TP x PP / 2 below 160 GiB, 32 GiB above.
            // page_size 1 (token-granular KV pool). max_running_requests: derived from the pool (below).
            // Overhead: own estimate (50 us): the overlap scheduler hides CPU work behind the GPU step
            // (https://lmsys.org/blog/2024-12-04-sglang-v0-4/, "zero-overhead batch scheduler").
            let chunk = memoryGiB < 35 ? 2048 : memoryGiB < 60 ? 4096 : memoryGiB < 160 ? 8192 : 16384
            // With --enable-dp-attention SGLang's --tp-size is DP x TP (every device of the replica).
            let parallel = Double(parallelism.attentionDataParallel ? parallelism.devices : parallelism.tensor * parallelism.pipeline)
            let reservedGiB = memoryGiB < 35 ? 2.8 + parallel / 10 : memoryGiB < 90 ? 9.5 + parallel / 2
                : memoryGiB < 160 ? 12 + parallel / 2 : 32
            let fraction = max(0.05, ((memoryGiB - reservedGiB) / memoryGiB * 1000).rounded() / 1000)
            return SchedulerConfig(engine: .sglang, maxBatchedTokens: chunk, maxRunningRequests: nil, memoryFraction: fraction,
                                   chunkedPrefill: true, blockTokens: 1, overheadUs: 50)
        case .trtllm:
            // tensorrt_llm/llmapi/llm_args.py (TensorRT-LLM 1.0): max_batch_size 2048, max_num_tokens 8192,
            // enable_chunked_prefill False; KvCacheConfig.free_gpu_memory_fraction "Default is 90%" (of the
            // memory free after weights and activations), tokens_per_block 32; scheduler policy
            // GUARANTEED_NO_EVICT. Overhead: own estimate (100 us) for the C++ executor loop.
            return SchedulerConfig(engine: .trtllm, maxBatchedTokens: 8192, maxRunningRequests: 2048, memoryFraction: 0.9,
                                   chunkedPrefill: false, blockTokens: 32, overheadUs: 100)
        case .static:
            // Own defaults: batch 16; the memory rule and zero CPU time of the estimator (`estimate e2e`).
            return SchedulerConfig(engine: .static, maxBatchedTokens: Int(Int32.max), maxRunningRequests: 16,
                                   memoryFraction: hardware.usableMemoryFraction, chunkedPrefill: false, blockTokens: 1, overheadUs: 0)
        }
    }

    /// The knobs each engine accepts (engine spelling), in documentation order.
    public static func knobs(_ engine: Engine) -> [String] {
        switch engine {
        case .vllm: ["max_num_batched_tokens", "max_num_seqs", "gpu_memory_utilization", "block_size", "overhead_us"]
        case .sglang: ["chunked_prefill_size", "max_running_requests", "mem_fraction_static", "page_size", "overhead_us"]
        case .trtllm: ["max_num_tokens", "max_batch_size", "kv_cache_free_gpu_mem_fraction", "enable_chunked_context",
                       "tokens_per_block", "overhead_us"]
        case .static: ["batch_size", "overhead_us"]
        }
    }

    /// Sets one knob from text (`key=value` on the command line).
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the knob, for an unknown knob
    ///   (listing the engine's) or a value out of range.
    public mutating func set(knob: String, value: String) throws(PlannerError) {
        let key = knob.lowercased().replacingDashes()
        func integer(_ low: Int, _ high: Int) throws(PlannerError) -> Int {
            guard let number = Int(value), number >= low, number <= high else {
                throw .invalidValue(field: knob, value: value, allowed: "an integer in \(low)...\(high)")
            }
            return number
        }
        func fraction() throws(PlannerError) -> Double {
            guard let number = Double(value), number.isFinite, number > 0, number <= 1 else {
                throw .invalidValue(field: knob, value: value, allowed: "a fraction in (0, 1]")
            }
            return number
        }
        let tokenLimit = 1 << 24
        switch (engine, key) {
        case (_, "overhead_us"):
            guard let number = Double(value), number.isFinite, number >= 0, number <= 1_000_000 else {
                throw .invalidValue(field: knob, value: value, allowed: "microseconds in 0...1000000")
            }
            overheadUs = number
        case (.vllm, "max_num_batched_tokens"), (.sglang, "chunked_prefill_size"), (.trtllm, "max_num_tokens"):
            maxBatchedTokens = try integer(1, tokenLimit)
        case (.vllm, "max_num_seqs"), (.sglang, "max_running_requests"), (.trtllm, "max_batch_size"), (.static, "batch_size"):
            maxRunningRequests = try integer(1, 1 << 20)
        case (.vllm, "gpu_memory_utilization"), (.sglang, "mem_fraction_static"), (.trtllm, "kv_cache_free_gpu_mem_fraction"):
            memoryFraction = try fraction()
        case (.vllm, "block_size"), (.sglang, "page_size"), (.trtllm, "tokens_per_block"):
            blockTokens = try integer(1, 1024)
        case (.trtllm, "enable_chunked_context"):
            switch value.lowercased() {
            case "true", "1", "on", "yes": chunkedPrefill = true
            case "false", "0", "off", "no": chunkedPrefill = false
            default: throw .invalidValue(field: knob, value: value, allowed: "true or false")
            }
        default:
            throw .invalidValue(field: "scheduler knob", value: knob,
                                allowed: "for \(engine.rawValue): " + Self.knobs(engine).joined(separator: ", "))
        }
    }

    /// CPU time per iteration, seconds.
    public var overheadSeconds: Double { overheadUs * Units.secondsPerMicrosecond }

    /// A one-line description with the values in effect (engine spelling).
    public var summary: String {
        let running = maxRunningRequests.map(String.init) ?? "auto"
        switch engine {
        case .vllm:
            return "vllm: max_num_batched_tokens \(maxBatchedTokens), max_num_seqs \(running), gpu_memory_utilization \(memoryFraction), "
                + "block_size \(blockTokens), overhead_us \(overheadUs)"
        case .sglang:
            return "sglang: chunked_prefill_size \(maxBatchedTokens), max_running_requests \(running), mem_fraction_static \(memoryFraction), "
                + "page_size \(blockTokens), overhead_us \(overheadUs)"
        case .trtllm:
            return "trtllm: max_num_tokens \(maxBatchedTokens), max_batch_size \(running), kv_cache_free_gpu_mem_fraction \(memoryFraction), "
                + "enable_chunked_context \(chunkedPrefill), tokens_per_block \(blockTokens), overhead_us \(overheadUs)"
        case .static:
            return "static: batch_size \(running), usable memory fraction \(memoryFraction), overhead_us \(overheadUs)"
        }
    }

    /// KV-cache capacity in blocks for this engine on `cost`'s device (one device of the replica).
    ///
    /// vLLM: fraction x memory - weights - the activation peak of a `max_num_batched_tokens` iteration
    /// (vLLM profiles one such forward pass). SGLang: fraction x memory - weights. TensorRT-LLM:
    /// fraction x (memory - weights - the activation peak of a `max_num_tokens` iteration). Static:
    /// fraction x memory - weights - the activations of the prefill of `tokensPerStaticBatch` tokens.
    /// - Throws: ``PlannerError/doesNotFit(capacityMiB:weightsMiB:kvCacheMiB:detail:)`` when nothing is left.
    public func kvCapacityBlocks(cost: IterationCostModel, staticPrefillTokens: Int = 0) throws(PlannerError) -> Int {
        let memory = cost.deviceMemoryBytes
        let weights = cost.weightBytesPerDevice
        let running = maxRunningRequests ?? 1
        let budget: Double
        switch engine {
        case .vllm:
            budget = memoryFraction * memory - weights
                - cost.activationBytes(tokens: maxBatchedTokens, logitRows: min(running, maxBatchedTokens))
        case .sglang:
            budget = memoryFraction * memory - weights
        case .trtllm:
            budget = memoryFraction * (memory - weights - cost.activationBytes(tokens: maxBatchedTokens, logitRows: min(running, maxBatchedTokens)))
        case .static:
            budget = memoryFraction * memory - weights - cost.activationBytes(tokens: staticPrefillTokens, logitRows: running)
        }
        let blockBytes = cost.kvBytesPerTokenPerDevice * Double(blockTokens)
        let blocks = budget > 0 ? (budget / blockBytes).rounded(.down) : 0
        if blocks < 1 {
            throw .doesNotFit(capacityMiB: memoryFraction * memory / Units.bytesPerMiB, weightsMiB: weights / Units.bytesPerMiB, kvCacheMiB: 0,
                              detail: "\(engine.rawValue) leaves no room for a KV-cache block (\(summary)); use more tensor/expert "
                                + "parallelism, fewer bits, or a larger memory fraction")
        }
        return Int(min(blocks, Double(Int32.max)))
    }
}

fileprivate extension String {
    /// `max-num-seqs` -> `max_num_seqs`.
    func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
