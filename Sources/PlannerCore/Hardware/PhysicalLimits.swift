/// The range a real-valued input figure may take, with its unit.
///
/// Ranges are wide (several orders of magnitude around every product shipping today) and exist to
/// keep the arithmetic physical: no zero, subnormal, infinite or 1e308-class figure reaches the
/// engine, so every latency, rate and cost it computes stays finite and every conversion of a
/// computed value to an integer is defined.
public struct PhysicalRange: Sendable, Hashable {
    /// The input key the range applies to (GenZ's or the workload's spelling).
    public var key: String
    /// Smallest allowed value.
    public var low: Double
    /// Largest allowed value (inclusive).
    public var high: Double
    /// Unit, as the README writes it (`TFLOPS`, `GB/s`, `us`, ...); empty for pure fractions.
    public var unit: String
    /// What the figure is, for the README table.
    public var meaning: String

    public init(key: String, low: Double, high: Double, unit: String, meaning: String) {
        self.key = key
        self.low = low
        self.high = high
        self.unit = unit
        self.meaning = meaning
    }

    /// True when `value` is within `low...high` and is zero or a normal number (never NaN,
    /// infinite or subnormal, even where the range starts at 0).
    @inlinable public func contains(_ value: Double) -> Bool { value >= low && value <= high && (value == 0 || value.isNormal) }

    /// The allowed values in words: `a number in [0.001, 1e+07] TFLOPS`.
    public var allowed: String {
        "a number in [\(PhysicalLimits.format(low)), \(PhysicalLimits.format(high))]" + (unit.isEmpty ? "" : " \(unit)")
            + (low == 0 ? " (subnormal values, below 2.2e-308, are refused)" : "")
    }

    /// Checks `value`.
    /// - Parameters:
    ///   - field: the name in the error (default: ``key``), e.g. `hardware.Flops`.
    ///   - context: appended to the allowed values in the error, e.g. `(hardware 'custom')`.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the field, the value and the range.
    @inlinable public func check(_ value: Double, field: String? = nil, context: String = "") throws(PlannerError) {
        if !contains(value) { throw failure(value, field: field, context: context) }
    }

    /// The error for a value outside the range.
    public func failure(_ value: Double, field: String?, context: String) -> PlannerError {
        .invalidValue(field: field ?? key, value: "\(value)", allowed: allowed + (context.isEmpty ? "" : " \(context)"))
    }
}

/// The range an integer input may take.
public struct IntegerRange: Sendable, Hashable {
    /// The input key the range applies to.
    public var key: String
    public var low: Int
    public var high: Int
    /// Unit, as the README writes it; empty for counts.
    public var unit: String
    /// What the figure is, for the README table.
    public var meaning: String

    public init(key: String, low: Int, high: Int, unit: String = "", meaning: String) {
        self.key = key
        self.low = low
        self.high = high
        self.unit = unit
        self.meaning = meaning
    }

    /// True when `value` is within `low...high`.
    @inlinable public func contains(_ value: Int) -> Bool { value >= low && value <= high }

    /// The allowed values in words: `an integer in 1...1048576`.
    public var allowed: String { "an integer in \(low)...\(high)" + (unit.isEmpty ? "" : " \(unit)") }

    /// Checks `value`.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the field, the value and the range.
    @inlinable public func check(_ value: Int, field: String? = nil, context: String = "") throws(PlannerError) {
        if !contains(value) { throw failure(value, field: field, context: context) }
    }

    /// The error for a value outside the range.
    public func failure(_ value: Int, field: String?, context: String) -> PlannerError {
        .invalidValue(field: field ?? key, value: "\(value)", allowed: allowed + (context.isEmpty ? "" : " \(context)"))
    }
}

/// Every physical range of planner's inputs, in one place (README, "Input ranges", prints this table).
///
/// Reference points for the bounds (the largest parts shipping in 2025): NVIDIA B200 2,250 dense bf16
/// TFLOPS, 192 GB HBM3e at 8 TB/s, NVLink 5 at 900 GB/s per direction (NVIDIA HGX B200 datasheet,
/// https://www.nvidia.com/en-us/data-center/hgx/); AMD MI355X 288 GB (https://www.amd.com/en/products/accelerators/instinct/mi350.html);
/// GB200 NVL72: 72 devices per NVLink domain. Every upper bound leaves at least three orders of
/// magnitude above those; every lower bound is far below any real part and far above the subnormal
/// range (about 2.2e-308), where rates divided into work overflow to infinity.
public enum PhysicalLimits {
    // MARK: Hardware

    /// Peak bf16 throughput (`Flops`, and the dense figure `dense_Flops`).
    public static let flopsTFLOPS = PhysicalRange(key: "Flops", low: 1e-3, high: 1e7, unit: "TFLOPS", meaning: "peak bf16 tensor throughput")
    /// The dense bf16 peak where `Flops` is a sparse figure.
    public static let denseFlopsTFLOPS = PhysicalRange(key: "dense_Flops", low: 1e-3, high: 1e7, unit: "TFLOPS", meaning: "dense bf16 peak")
    /// Device memory.
    public static let memoryGiB = PhysicalRange(key: "Memory_size", low: 1e-3, high: 1e5, unit: "GB", meaning: "device memory")
    /// Device memory bandwidth.
    public static let memoryBandwidthGBps = PhysicalRange(key: "Memory_BW", low: 1e-3, high: 1e6, unit: "GB/s", meaning: "memory bandwidth")
    /// Interconnect bandwidth of collectives (GenZ's `ICN`).
    public static let interconnectGBps = PhysicalRange(key: "ICN", low: 1e-3, high: 1e6, unit: "GB/s", meaning: "interconnect bandwidth per device")
    /// Scale-up (NVLink class) bandwidth per direction.
    public static let scaleUpGBps = PhysicalRange(key: "scale_up_BW", low: 1e-3, high: 1e6, unit: "GB/s", meaning: "scale-up link bandwidth per direction")
    /// Inter-node bandwidth per device.
    public static let interNodeGBps = PhysicalRange(key: "inter_node_BW", low: 1e-3, high: 1e6, unit: "GB/s", meaning: "inter-node bandwidth per device")
    /// Interconnect hop latency (GenZ's `ICN_LL`).
    public static let interconnectLatencyUs = PhysicalRange(key: "ICN_LL", low: 0, high: 1e6, unit: "us", meaning: "interconnect latency per hop")
    /// Inter-node hop latency.
    public static let interNodeLatencyUs = PhysicalRange(key: "inter_node_LL", low: 0, high: 1e6, unit: "us", meaning: "inter-node latency per hop")
    /// Fixed cost of every kernel.
    public static let kernelOverheadUs = PhysicalRange(key: "kernel_overhead_us", low: 0, high: 1e6, unit: "us", meaning: "fixed cost of every kernel")
    /// Achievable fraction of the dense peak. The lower bound 0.001 (0.1% of peak) is far below any
    /// measured kernel (the family defaults are 0.35 to 0.75, README "Efficiencies").
    public static let computeEfficiency = PhysicalRange(key: "compute_efficiency", low: 1e-3, high: 1, unit: "", meaning: "achievable fraction of dense peak FLOPS")
    /// Achievable fraction of the memory bandwidth.
    public static let memoryEfficiency = PhysicalRange(key: "memory_efficiency", low: 1e-3, high: 1, unit: "", meaning: "achievable fraction of memory bandwidth")
    /// Achievable fraction of the link bandwidth in collectives.
    public static let linkEfficiency = PhysicalRange(key: "link_efficiency", low: 1e-3, high: 1, unit: "", meaning: "achievable fraction of link bandwidth")
    /// Fraction of device memory the model may use.
    public static let usableMemoryFraction = PhysicalRange(key: "usable_memory_fraction", low: 1e-3, high: 1, unit: "",
                                                           meaning: "fraction of device memory the model may use")
    /// Devices sharing the scale-up link (GB200 NVL72: 72; 65,536 is the engine's parallel-degree limit).
    public static let devicesPerNode = IntegerRange(key: "devices_per_node", low: 1, high: 1 << 16, meaning: "devices per node (scale-up domain)")

    // MARK: Requests (estimate, sweep, compare, recommend)

    /// Requests per batch.
    public static let batchSize = IntegerRange(key: "batch_size", low: 1, high: 1 << 20, meaning: "requests per batch")
    /// Beams per request (any phase).
    public static let beamSize = IntegerRange(key: "beam_size", low: 1, high: 1024, meaning: "beams per request")
    /// Prompt length.
    public static let inputTokens = IntegerRange(key: "input_tokens", low: 1, high: 1 << 24, unit: "tokens", meaning: "prompt length")
    /// Generated length.
    public static let outputTokens = IntegerRange(key: "output_tokens", low: 0, high: 1 << 24, unit: "tokens", meaning: "output length")
    /// Tensor-, pipeline- and expert-parallel degrees.
    public static let parallelDegree = IntegerRange(key: "tensor_parallel, pipeline_parallel, expert_parallel", low: 1, high: 1 << 16,
                                                    meaning: "parallel degree")

    // MARK: Fleet workloads

    /// Request rate: from one request every 1,000 s to ten million per second (a planning bound,
    /// not a measurement: below it the cost per token of one replica is meaningless, above it the
    /// replica counts leave any fleet that can be built).
    public static let requestsPerSecond = PhysicalRange(key: "rate_rps", low: 1e-3, high: 1e7, unit: "requests/s", meaning: "request rate")
    /// Token rates (`rate_output_tokens_per_s`, `rate_tokens_per_s`); the request rate they imply must
    /// also lie in ``requestsPerSecond``.
    public static let tokensPerSecond = PhysicalRange(key: "rate_output_tokens_per_s, rate_tokens_per_s", low: 1, high: 1e11, unit: "tokens/s",
                                                      meaning: "token rate")
    /// Price of one device for one hour.
    public static let usdPerDeviceHour = PhysicalRange(key: "prices", low: 1e-4, high: 1e4, unit: "USD per device-hour", meaning: "device price")
    /// Latency targets (TTFT, TPOT, end to end).
    public static let latencyTargetMs = PhysicalRange(key: "slo.*_ms, max_ttft_ms, max_tpot_ms", low: 1e-3, high: 1e8, unit: "ms",
                                                      meaning: "latency target")
    /// Spare capacity on top of the load (0.2 = 20%).
    public static let headroomFraction = PhysicalRange(key: "headroom", low: 0, high: 10, unit: "", meaning: "spare capacity (0.2 = 20%)")
    /// Relative weight of a histogram bin of token lengths (any scale; the bins' ratio matters).
    public static let histogramWeight = PhysicalRange(key: "input_tokens/output_tokens histogram weight", low: 1e-12, high: 1e12, unit: "",
                                                      meaning: "relative share of a histogram bin")
    /// Largest running batch per replica.
    public static let maxBatchSize = IntegerRange(key: "max_batch_size", low: 1, high: 1 << 20, meaning: "largest running batch per replica")
    /// Largest replica (TP x PP x EP) of a fleet candidate.
    public static let maxDevicesPerReplica = IntegerRange(key: "max_devices_per_replica", low: 1, high: 4096, meaning: "largest replica of a fleet candidate")
    /// Most replicas one fleet option may take: beyond it the option is reported as not sized. Ten
    /// million is a bound that keeps replicas x devices per replica (at most 4,096) far inside `Int`,
    /// and lies well above the largest GPU clusters announced (xAI's Colossus: 200,000 GPUs,
    /// https://x.ai/colossus).
    public static let maxReplicas = 10_000_000

    // MARK: Model configurations

    /// Decoder layers.
    public static let numLayers = IntegerRange(key: "num_hidden_layers", low: 1, high: 1 << 14, meaning: "decoder layers")
    /// Model width, feed-forward widths, head widths and latent ranks.
    public static let width = IntegerRange(key: "hidden_size, intermediate_size, head_dim, ...", low: 1, high: 1 << 22, meaning: "widths")
    /// Query and key/value heads.
    public static let heads = IntegerRange(key: "num_attention_heads, num_key_value_heads", low: 1, high: 1 << 16, meaning: "attention heads")
    /// Vocabulary size.
    public static let vocabSize = IntegerRange(key: "vocab_size", low: 1, high: 1 << 24, meaning: "vocabulary size")
    /// Routed experts and experts per token.
    public static let experts = IntegerRange(key: "num_experts, expert_top_k", low: 1, high: 1 << 16, meaning: "routed experts")

    /// Every real-valued range, in README order.
    public static let realRanges: [PhysicalRange] = [
        flopsTFLOPS, denseFlopsTFLOPS, memoryGiB, memoryBandwidthGBps, interconnectGBps, scaleUpGBps, interNodeGBps,
        interconnectLatencyUs, interNodeLatencyUs, kernelOverheadUs, computeEfficiency, memoryEfficiency, linkEfficiency,
        usableMemoryFraction, requestsPerSecond, tokensPerSecond, usdPerDeviceHour, latencyTargetMs, headroomFraction, histogramWeight,
    ]

    /// Every integer range, in README order.
    public static let integerRanges: [IntegerRange] = [
        devicesPerNode, batchSize, beamSize, inputTokens, outputTokens, parallelDegree, maxBatchSize, maxDevicesPerReplica,
        numLayers, width, heads, vocabSize, experts,
    ]

    /// `1e-3` -> `0.001`, `1e7` -> `1e+07`: short and exact for the bounds above.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e6 { return "\(Int(value))" }
        if abs(value) >= 1e-3 && abs(value) < 1e6 { return "\(value)" }
        var exponent = 0, mantissa = abs(value)
        while mantissa >= 10 { mantissa /= 10; exponent += 1 }
        while mantissa < 1 { mantissa *= 10; exponent -= 1 }
        var rounded = (mantissa * 1000).rounded() / 1000
        if rounded >= 10 { rounded /= 10; exponent += 1 }
        let digits = rounded == rounded.rounded() ? "\(Int(rounded))" : "\(rounded)"
        return (value < 0 ? "-" : "") + digits + "e" + (exponent < 0 ? "-" : "+") + (abs(exponent) < 10 ? "0" : "") + "\(abs(exponent))"
    }
}
