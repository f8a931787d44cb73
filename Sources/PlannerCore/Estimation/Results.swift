/// Prefill (prompt processing, first token) or decode (one output token per step).
public enum Phase: String, Sendable, Hashable, CaseIterable, Codable {
    case prefill, decode
}

/// Tensor, pipeline, expert and attention-data parallel degrees. Each must be at least 1.
///
/// Two ways to spread a mixture-of-experts model:
/// - `dataParallel == 1` (expert parallelism inside a tensor-parallel group, GenZ's layout): attention,
///   dense FFNs and shared experts are sharded over TP x EP devices; routed experts are split over EP
///   groups, each expert over TP. A replica occupies TP x PP x EP devices.
/// - `dataParallel > 1` (attention data parallelism with wide expert parallelism, SGLang
///   `--enable-dp-attention`, vLLM `--data-parallel-size` with `--enable-expert-parallel`,
///   TensorRT-LLM attention DP): `dataParallel` attention ranks, each TP-sharded over `tensor` devices
///   and holding the KV cache of its own requests only; the routed experts of a stage are spread whole
///   over all DP x TP devices (EP = DP x TP, tokens dispatched and combined by all-to-all). A replica
///   occupies DP x TP x PP devices; `expert` is then 1 (implied) or DP x TP.
///
/// On a dense model attention data parallelism is just DP independent replicas, which the fleet
/// and layout search already count as replicas; the estimator refuses `dataParallel > 1` there.
public struct Parallelism: Sendable, Hashable, Codable {
    public var tensor: Int
    public var pipeline: Int
    public var expert: Int
    /// Attention data-parallel ranks (1: none).
    public var dataParallel: Int

    public init(tensor: Int = 1, pipeline: Int = 1, expert: Int = 1, dataParallel: Int = 1) {
        self.tensor = tensor
        self.pipeline = pipeline
        self.expert = expert
        self.dataParallel = dataParallel
    }

    /// Devices one model replica occupies: TP x PP x EP, or DP x TP x PP with attention data parallelism.
    @inlinable public var devices: Int { dataParallel > 1 ? dataParallel * tensor * pipeline : tensor * pipeline * expert }

    /// Devices the routed experts of one pipeline stage are spread over: EP, or DP x TP with attention data parallelism.
    @inlinable public var expertShards: Int { dataParallel > 1 ? dataParallel * tensor : expert }

    /// The layout as outputs print it: `TP 2 PP 1 EP 4`, or `DP 8 TP 1 PP 1 EP 8 (attention DP)`.
    public var label: String {
        attentionDataParallel ? "DP \(dataParallel) TP \(tensor) PP \(pipeline) EP \(expertShards) (attention DP)"
            : "TP \(tensor) PP \(pipeline) EP \(expert)"
    }

    /// True for attention data parallelism with wide expert parallelism.
    @inlinable public var attentionDataParallel: Bool { dataParallel > 1 }

    enum CodingKeys: String, CodingKey { case tensor, pipeline, expert, dataParallel }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        tensor = try container.decode(Int.self, forKey: .tensor)
        pipeline = try container.decode(Int.self, forKey: .pipeline)
        expert = try container.decode(Int.self, forKey: .expert)
        dataParallel = try container.decodeIfPresent(Int.self, forKey: .dataParallel) ?? 1
    }
}

/// Memory of one configuration; MiB = 2^20 bytes.
///
/// `weightsMiB`, `kvCacheMiB` and `capacityMiB` follow GenZ: per tensor/expert shard, **summed over
/// all pipeline stages**, against device memory x pipeline stages. `perDeviceMiB` is what the
/// profile checks against `deviceCapacityMiB` (the `genz` profile: the GenZ total divided by the
/// pipeline stages, which is GenZ's check; the `default` profile: weights + KV cache + activations
/// of one device of the heaviest stage, against the usable fraction of device memory).
public struct MemoryFootprint: Sendable, Hashable {
    public var weightsMiB: Double
    public var kvCacheMiB: Double
    public var capacityMiB: Double
    /// Memory one device needs (the heaviest device where the profile knows it), MiB.
    public var perDeviceMiB: Double
    /// Memory one device offers to the model, MiB.
    public var deviceCapacityMiB: Double
    /// Peak activations of the heaviest device, MiB (`default` profile; 0 for `genz`, which ignores them).
    public var activationsMiB: Double

    public init(weightsMiB: Double, kvCacheMiB: Double, capacityMiB: Double, perDeviceMiB: Double, deviceCapacityMiB: Double,
                activationsMiB: Double = 0) {
        self.weightsMiB = weightsMiB
        self.kvCacheMiB = kvCacheMiB
        self.capacityMiB = capacityMiB
        self.perDeviceMiB = perDeviceMiB
        self.deviceCapacityMiB = deviceCapacityMiB
        self.activationsMiB = activationsMiB
    }

    @inlinable public var totalMiB: Double { weightsMiB + kvCacheMiB }
}

/// Where the time goes, in milliseconds, following GenZ's `RuntimeBreakdown`.
///
/// `embeddingMs + attentionMs + ffnMs + sendRecvMs` equals the latency of one pass.
public struct RuntimeBreakdown: Sendable, Hashable {
    /// Embedding + classifier and their collectives.
    public var embeddingMs: Double = 0
    /// QKV, output projection, attention scores/outputs and the attention all-reduce.
    public var attentionMs: Double = 0
    /// Gate, expert/dense projections, their all-reduces and all-to-alls.
    public var ffnMs: Double = 0
    /// Every collective and pipeline transfer.
    public var collectiveMs: Double = 0
    /// Attention score and output operators (Logit/Attend).
    public var logitAttendMs: Double = 0
    /// QKV and output projections.
    public var qkvoMs: Double = 0
    /// Gate, up+gate and down projections.
    public var ffnLayersMs: Double = 0
    /// All-reduces and the classifier all-gather (as GenZ counts `AR_time`).
    public var allReduceMs: Double = 0
    /// Expert-parallel dispatch and collect.
    public var allToAllMs: Double = 0
    /// Pipeline-stage transfers.
    public var sendRecvMs: Double = 0
    /// Embedding and classifier matrix multiplies (without their collectives).
    public var embeddingLayersMs: Double = 0

    public init() {}
}

/// One phase (prefill or decode) of one configuration.
public struct PhaseEstimate: Sendable, Hashable {
    public var phase: Phase
    /// Milliseconds. `genz`: one pass of one micro-batch through all pipeline stages (the prefill of a
    /// batch, or one decode step at the final context). `default`: the prefill of the whole batch
    /// (TTFT), or one decode step averaged over the context growing from input to input + output tokens.
    public var latencyMs: Double
    /// Requests per second (prefill: first tokens per second; decode: steps x batch per second,
    /// one token per request, beams not counted). GenZ's `Throughput`.
    public var throughputRequestsPerSecond: Double
    /// Tokens per second: prefill, prompt tokens processed; decode, output tokens generated
    /// (requests/s x beams), pipelining included.
    public var throughputTokensPerSecond: Double = 0
    /// Batch and micro-batching actually modelled.
    public var batchSize: Int
    public var microBatchSize: Int
    public var microBatches: Int
    public var memory: MemoryFootprint
    public var breakdown: RuntimeBreakdown
    /// Per-operator table (one row per distinct operator, multiplicity applied in `totalLatencyMs`).
    public var operators: [OperatorRow]
    /// Non-fatal remarks about how the configuration was modelled (rounded head counts, ...).
    public var warnings: [String]
}

/// Prefill plus decode of one configuration, as llm-memory-calculator's end-to-end estimate.
public struct EndToEndEstimate: Sendable, Hashable {
    public var prefill: PhaseEstimate
    public var decode: PhaseEstimate
    public var batchSize: Int
    public var beamSize: Int
    public var inputTokens: Int
    public var outputTokens: Int

    /// Time to first token, milliseconds (= prefill latency).
    @inlinable public var ttftMs: Double { prefill.latencyMs }
    /// Time per output token, milliseconds (= one decode step; the `default` profile's step is the
    /// average over the growing context, so the total below is TTFT + the sum of the decode steps).
    @inlinable public var averageTPOTMs: Double { decode.latencyMs }
    /// TTFT + TPOT x output tokens, milliseconds.
    @inlinable public var totalLatencyMs: Double { prefill.latencyMs + decode.latencyMs * Double(outputTokens) }
    /// Input **and** output tokens per second over the whole request: b x (S + O) / total latency
    /// (the Python API's `total_throughput`).
    @inlinable public var totalThroughputTokensPerSecond: Double {
        Double(batchSize * (inputTokens + outputTokens)) * Units.millisecondsPerSecond / totalLatencyMs
    }
    /// Output tokens per second of one replica serving batches back to back: O / (1 / prefill
    /// requests/s + O / decode requests/s). Both rates include pipelining (micro-batches in flight);
    /// without pipeline parallelism this is b x O / total latency.
    @inlinable public var outputThroughputTokensPerSecond: Double {
        let output = Double(outputTokens)
        return output / (1 / prefill.throughputRequestsPerSecond + output / decode.throughputRequestsPerSecond)
    }
}
