/// Which performance model to apply.
public enum Profile: String, Sendable, Hashable, CaseIterable, Codable {
    /// Faithful to real hardware: causal fused attention, MoE and MLA as the model defines them,
    /// achievable (derated) compute, memory and links, per-kernel overhead, topology-aware
    /// collectives, per-device memory of the heaviest pipeline stage, decode averaged over the
    /// growing context (README, "The default profile"). The default.
    case `default`
    /// Exact reproduction of GenZ 0.0.16 (see README, "Differences from GenZ" for input checks).
    case genz
}

/// Everything one estimate needs. Defaults are those of llm-memory-calculator's performance API:
/// batch 1, beam 1, 2048 input tokens, 256 output tokens, bf16, no parallelism.
public struct EstimateRequest: Sendable, Hashable {
    public var model: ModelSpec
    public var hardware: HardwareSpec
    /// Requests processed together. At least 1.
    public var batchSize: Int
    /// Beams per request (decode only; prefill ignores it). At least 1.
    public var beamSize: Int
    /// Prompt length in tokens. At least 1.
    public var inputTokens: Int
    /// Generated tokens per request. At least 0.
    public var outputTokens: Int
    public var precision: Precision
    public var parallelism: Parallelism
    public var profile: Profile
    /// Precision of the KV cache when it differs from the weights' (`kv_bits`; fp8 KV with bf16
    /// weights is the common production choice: vLLM `--kv-cache-dtype fp8`, TensorRT-LLM FP8 KV).
    /// nil: the weights' precision, as GenZ. One of ``kvPrecisions``; the `genz` profile ignores it (with a warning).
    public var kvPrecision: Precision?

    /// Routed-token load of the busiest expert-parallel device over the mean (>= 1), with attention
    /// data parallelism (wide EP); nil: ``defaultExpertImbalance``. Ignored without attention DP.
    public var expertImbalance: Double?

    /// Busiest-rank over mean routed tokens with EP load balancing: TensorRT-LLM measured an
    /// imbalance ratio (max - mean)/mean of 0.109 with EPLB (1.564 without) for DeepSeek-R1 at EP 32
    /// ("Scaling Expert Parallelism in TensorRT-LLM, Part 1", Table 1,
    /// docs/source/blogs/tech_blog/blog4_Scaling_Expert_Parallelism_in_TensorRT-LLM.md), so 1.109.
    /// Without EPLB, or at another EP size, set `expert_imbalance` (up to 2.564 measured there).
    public static let defaultExpertImbalance = 1.109

    /// KV-cache precisions engines store: f32, bf16 (fp16), fp8, int8.
    public static let kvPrecisions: [Precision] = [.f32, .bf16, .fp8, .int8]

    /// The profile used when none is given.
    public static let defaultProfile: Profile = .default

    public init(
        model: ModelSpec,
        hardware: HardwareSpec = HardwareCatalog.defaultHardware,
        batchSize: Int = 1,
        beamSize: Int = 1,
        inputTokens: Int = 2048,
        outputTokens: Int = 256,
        precision: Precision = .bf16,
        parallelism: Parallelism = Parallelism(),
        profile: Profile = EstimateRequest.defaultProfile,
        kvPrecision: Precision? = nil,
        expertImbalance: Double? = nil
    ) {
        self.kvPrecision = kvPrecision
        self.expertImbalance = expertImbalance
        self.model = model
        self.hardware = hardware
        self.batchSize = batchSize
        self.beamSize = beamSize
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.precision = precision
        self.parallelism = parallelism
        self.profile = profile
    }
}

extension EstimateRequest {
    /// Parses a `kv_bits` value: one of ``kvPrecisions`` (with the precision aliases), or `auto`
    /// (nil: the weights' precision).
    public static func parseKVPrecision(_ text: String, field: String = "kv_bits") throws(PlannerError) -> Precision? {
        if text.lowercased() == "auto" { return nil }
        let allowed = "auto or " + kvPrecisions.map(\.rawValue).joined(separator: ", ")
        guard let precision = Precision.aliases[text.lowercased()], kvPrecisions.contains(precision) else {
            throw .invalidValue(field: field, value: text, allowed: allowed)
        }
        return precision
    }
}
