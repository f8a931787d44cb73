/// The operators of GenZ's per-layer graph, plus those of the `default` profile.
public enum OperatorName: String, Sendable, Hashable, CaseIterable {
    case embeddings
    case embeddingAllReduce = "Emb_AR"
    case qkv = "QKV"
    case logit = "Logit"
    case attend = "Attend"
    case logitPrefix = "Logit Pre"
    case logitSuffix = "Logit Suf"
    case attendPrefix = "Attend Pre"
    case attendSuffix = "Attend Suf"
    case outProjection = "Out Proj"
    case attentionAllReduce = "MHA AR"
    case gate = "Gate"
    case gateAllReduce = "Gate AR"
    case dispatchAllToAll = "Dispatch A2A"
    case upGate = "up+gate"
    case down
    case unusedUpGate = "up+gate (unused experts)"
    case unusedDown = "down (unused experts)"
    case collectAllToAll = "Collect A2A"
    case ffnAllReduce = "FFN AR"
    case messagePass = "Message Pass"
    case classifier
    case classifierAllGather = "classifier_AG"
    // Operators only the `default` profile emits.
    /// Fused (flash) attention: scores stay on-chip, causal in prefill.
    case attention = "Attention"
    /// Multi-head latent attention's up-projections (query and key/value, absorbed in decode).
    case latentUp = "q/kv up-proj"
    /// Shared experts of an MoE layer.
    case sharedUpGate = "shared up+gate"
    case sharedDown = "shared down"
    /// The dense FFN of an MoE model's leading dense layers (`first_k_dense_replace`).
    case denseUpGate = "dense up+gate"
    case denseDown = "dense down"
    /// Normalisations, rotary embedding, activation and residual adds (fused elementwise kernels).
    case elementwise = "norm/rope/act"
}

/// How an operator is computed.
public enum OperatorKind: String, Sendable, Hashable {
    /// Matrix multiply: input A, weights W, output O.
    case gemm = "GEMM"
    /// Attention scores Q·Kᵀ: query, key cache, scores.
    case logit = "Logit"
    /// Attention output S·V: scores, value cache, output.
    case attend = "Attend"
    /// Fused attention (`default` profile): query, key/value cache, output.
    case fusedAttention = "Attention"
    /// Elementwise work (`default` profile): no weights, activations in and out.
    case elementwise = "Elementwise"
    /// A collective or point-to-point transfer.
    case sync = "Sync"
}

/// Which roofline limit sets an operator's time.
public enum Bound: String, Sendable, Hashable {
    case compute = "Compute"
    case memory = "Memory"
    /// Communication, or an operator with no arithmetic.
    case collective = "Collective"
}

/// Collective patterns and their cost formulas.
public enum Collective: String, Sendable, Hashable {
    case allReduce = "AllReduce"
    case allGather = "AllGather"
    case allToAll = "AllToAll"
    case pointToPoint = "P2P"
}

/// One row of an estimate's per-operator table.
///
/// Element counts and times are for **one** instance; `multiplicity` says how many times the
/// operator runs (layers, pipeline boundaries). For GEMMs the three tensors are input (A),
/// weights (W) and output (O); for Logit they are query, key cache and scores; for Attend
/// scores, value cache and output. `weightElements` of Logit/Attend rows is therefore KV cache.
public struct OperatorRow: Sendable, Hashable {
    public var name: OperatorName
    public var kind: OperatorKind
    /// Times this operator runs in one pass (may be fractional in principle; GenZ uses counts).
    public var multiplicity: Double
    /// Multiply-accumulates of one instance (FLOPs = 2 x MACs).
    public var macs: Double
    public var inputElements: Double
    public var weightElements: Double
    public var outputElements: Double
    /// For `.sync` rows: the collective, its participants and payload in bytes.
    public var collective: Collective?
    public var participants: Int
    public var payloadBytes: Double
    /// Roofline components of one instance, milliseconds.
    public var computeMs: Double
    public var memoryMs: Double
    public var communicationMs: Double
    /// Time of one instance: max of the three components, milliseconds.
    public var latencyMs: Double
    public var bound: Bound

    /// Time of all instances, milliseconds.
    @inlinable public var totalLatencyMs: Double { latencyMs * multiplicity }
}
