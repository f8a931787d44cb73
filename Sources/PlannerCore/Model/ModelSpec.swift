/// The architecture of a decoder-only language model, as the estimator needs it.
///
/// Sizes are element counts (not bytes). Invariants checked by ``validate()``: every size is
/// positive, `numAttentionHeads` is a multiple of `numKeyValueHeads`, and `expertTopK <= numExperts`.
public struct ModelSpec: Sendable, Hashable {
    /// What kind of layers the model stacks.
    public enum Kind: String, Sendable, Hashable {
        /// Attention + feed-forward (dense or mixture-of-experts) blocks: modelled.
        case transformer
        /// Pure state-space (Mamba) blocks: not modelled.
        case mamba
        /// Mamba and attention blocks interleaved (Jamba): not modelled.
        case hybrid
    }

    /// Canonical name (Hugging Face style `org/name`).
    public var name: String
    /// Every name the catalog accepts for this model (matched case-insensitively).
    public var lookupKeys: [String]
    public var kind: Kind
    /// Decoder layers (L).
    public var numLayers: Int
    /// Model width (D).
    public var hiddenSize: Int
    /// Query heads (H).
    public var numAttentionHeads: Int
    /// Key/value heads (Hkv); equal to H for multi-head attention, fewer for GQA/MQA.
    public var numKeyValueHeads: Int
    /// Per-head dimension (Dh).
    public var headDim: Int
    /// Feed-forward width per expert as GenZ uses it (Df).
    public var intermediateSize: Int
    /// Number of up projections: 2 for gated (SwiGLU/GeGLU) MLPs, 1 for plain MLPs.
    public var numFFI: Int
    /// Vocabulary size (V).
    public var vocabSize: Int
    /// Routed experts (E); 1 for dense models.
    public var numExperts: Int
    /// Experts each token is routed to (K); 1 for dense models.
    public var expertTopK: Int
    /// Feed-forward width of one routed expert, where the model defines it separately.
    public var moeIntermediateSize: Int?
    /// Shared (always active) experts per MoE layer.
    public var sharedExperts: Int
    /// Feed-forward width of one shared expert.
    public var sharedExpertIntermediateSize: Int?
    /// Leading layers that use a dense FFN in an MoE model (`first_k_dense_replace`).
    public var firstDenseLayers: Int
    /// Sliding attention window in tokens, if the model uses one.
    public var slidingWindow: Int?
    /// Longest context the model supports, in tokens.
    public var maxModelLength: Int?
    /// Activation function name of the feed-forward block.
    public var hiddenActivation: String

    public init(
        name: String,
        lookupKeys: [String] = [],
        kind: Kind = .transformer,
        numLayers: Int,
        hiddenSize: Int,
        numAttentionHeads: Int,
        numKeyValueHeads: Int,
        headDim: Int,
        intermediateSize: Int,
        numFFI: Int = 2,
        vocabSize: Int,
        numExperts: Int = 1,
        expertTopK: Int = 1,
        moeIntermediateSize: Int? = nil,
        sharedExperts: Int = 0,
        sharedExpertIntermediateSize: Int? = nil,
        firstDenseLayers: Int = 0,
        slidingWindow: Int? = nil,
        maxModelLength: Int? = nil,
        hiddenActivation: String = "silu"
    ) {
        self.name = name
        self.lookupKeys = lookupKeys
        self.kind = kind
        self.numLayers = numLayers
        self.hiddenSize = hiddenSize
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads
        self.headDim = headDim
        self.intermediateSize = intermediateSize
        self.numFFI = numFFI
        self.vocabSize = vocabSize
        self.numExperts = numExperts
        self.expertTopK = expertTopK
        self.moeIntermediateSize = moeIntermediateSize
        self.sharedExperts = sharedExperts
        self.sharedExpertIntermediateSize = sharedExpertIntermediateSize
        self.firstDenseLayers = firstDenseLayers
        self.slidingWindow = slidingWindow
        self.maxModelLength = maxModelLength
        self.hiddenActivation = hiddenActivation
    }

    /// True when the feed-forward block is a mixture of experts.
    @inlinable public var isMoE: Bool { numExperts > 1 }

    /// Checks the invariants listed on the type.
    /// - Throws: ``PlannerError/unsupportedModel(name:reason:)`` for Mamba/hybrid models, or
    ///   ``PlannerError/invalidValue(field:value:allowed:)`` naming the first bad field.
    public func validate() throws(PlannerError) {
        switch kind {
        case .transformer: break
        case .mamba:
            throw .unsupportedModel(name: name, reason: "pure Mamba (state-space) models are not modelled; only attention transformers (dense and MoE) are")
        case .hybrid:
            throw .unsupportedModel(name: name, reason: "hybrid Mamba/attention models (Jamba) are not modelled; only attention transformers (dense and MoE) are")
        }
        let positive: [(String, Int)] = [
            ("num_hidden_layers", numLayers), ("hidden_size", hiddenSize),
            ("num_attention_heads", numAttentionHeads), ("num_key_value_heads", numKeyValueHeads),
            ("head_dim", headDim), ("intermediate_size", intermediateSize), ("num_ffi", numFFI),
            ("vocab_size", vocabSize), ("num_experts", numExperts), ("expert_top_k", expertTopK),
        ]
        for (field, value) in positive where value < 1 {
            throw .invalidValue(field: field, value: "\(value)", allowed: "a positive integer (model '\(name)')")
        }
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw .invalidValue(field: "num_key_value_heads", value: "\(numKeyValueHeads)",
                                allowed: "a divisor of num_attention_heads \(numAttentionHeads) (model '\(name)')")
        }
        if expertTopK > numExperts {
            throw .invalidValue(field: "expert_top_k", value: "\(expertTopK)",
                                allowed: "at most num_experts \(numExperts) (model '\(name)')")
        }
    }
}
