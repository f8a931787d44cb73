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
    /// Which layers use the sliding window (the `default` profile; GenZ ignores windows).
    public var slidingWindowLayers: SlidingWindowLayers
    /// Multi-head latent attention (DeepSeek V2/V3), or nil for standard multi-head/grouped attention.
    public var latentAttention: LatentAttention?
    /// True when the classifier reuses the embedding matrix (`tie_word_embeddings`): its weights are
    /// stored once (the `default` profile; GenZ always counts both).
    public var tieWordEmbeddings: Bool
    /// Layers where the FFN is a mixture of experts, when not every layer after `firstDenseLayers` is
    /// (Qwen2-MoE `decoder_sparse_step`/`mlp_only_layers`); nil means every such layer.
    public var moeLayerInterval: Int?
    /// Warnings of the catalog lookup that produced this spec (a GenZ quirk the `genz` profile
    /// applied, ``ModelCatalog/genzQuirks``); every estimate starts its `warnings` with them.
    public var catalogWarnings: [String] = []

    /// Where a model's sliding attention window applies.
    public enum SlidingWindowLayers: Sendable, Hashable {
        /// No layer uses the window (for example Qwen2 with `use_sliding_window: false`).
        case none
        /// Every layer attends to at most `slidingWindow` tokens (Mistral 7B v0.1, Phi-3).
        case all
        /// Every `globalEvery`-th layer is global, the others use the window (Gemma 2: 2, Gemma 3: 6).
        case interleaved(globalEvery: Int)
    }

    /// The sizes of multi-head latent attention (DeepSeek V2/V3): keys and values are cached as one
    /// compressed latent of `kvLoraRank` plus a shared rotary key of `qkRopeHeadDim` per token and layer.
    public struct LatentAttention: Sendable, Hashable {
        /// Width of the compressed key/value latent (`kv_lora_rank`).
        public var kvLoraRank: Int
        /// Width of the compressed query (`q_lora_rank`), or nil when queries are projected directly.
        public var qLoraRank: Int?
        /// Rotary part of each query/key head (`qk_rope_head_dim`).
        public var qkRopeHeadDim: Int
        /// Non-rotary part of each query/key head (`qk_nope_head_dim`).
        public var qkNopeHeadDim: Int
        /// Value head width (`v_head_dim`).
        public var vHeadDim: Int

        /// The sizes as a DeepSeek `config.json` names them (`kv_lora_rank`, `q_lora_rank`, ...).
        public init(kvLoraRank: Int, qLoraRank: Int?, qkRopeHeadDim: Int, qkNopeHeadDim: Int, vHeadDim: Int) {
            self.kvLoraRank = kvLoraRank
            self.qLoraRank = qLoraRank
            self.qkRopeHeadDim = qkRopeHeadDim
            self.qkNopeHeadDim = qkNopeHeadDim
            self.vHeadDim = vHeadDim
        }

        /// Elements cached per token and layer: `kv_lora_rank + qk_rope_head_dim`.
        @inlinable public var cachedElementsPerToken: Int { kvLoraRank + qkRopeHeadDim }
    }

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
        hiddenActivation: String = "silu",
        slidingWindowLayers: SlidingWindowLayers = .all,
        latentAttention: LatentAttention? = nil,
        tieWordEmbeddings: Bool = false,
        moeLayerInterval: Int? = nil
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
        self.slidingWindowLayers = slidingWindowLayers
        self.latentAttention = latentAttention
        self.tieWordEmbeddings = tieWordEmbeddings
        self.moeLayerInterval = moeLayerInterval
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
        // Checked one by one (no temporary arrays): this runs on every estimate.
        let context = "(model '\(name)')"
        func check(_ range: IntegerRange, _ field: String, _ value: Int?) throws(PlannerError) {
            if let value { try range.check(value, field: field, context: context) }
        }
        try check(PhysicalLimits.numLayers, "num_hidden_layers", numLayers)
        try check(PhysicalLimits.width, "hidden_size", hiddenSize)
        try check(PhysicalLimits.heads, "num_attention_heads", numAttentionHeads)
        try check(PhysicalLimits.heads, "num_key_value_heads", numKeyValueHeads)
        try check(PhysicalLimits.width, "head_dim", headDim)
        try check(PhysicalLimits.width, "intermediate_size", intermediateSize)
        if numFFI < 1 || numFFI > 2 {
            throw .invalidValue(field: "num_ffi", value: "\(numFFI)", allowed: "1 (plain MLP) or 2 (gated MLP) \(context)")
        }
        try check(PhysicalLimits.vocabSize, "vocab_size", vocabSize)
        try check(PhysicalLimits.experts, "num_experts", numExperts)
        try check(PhysicalLimits.experts, "expert_top_k", expertTopK)
        if numAttentionHeads % numKeyValueHeads != 0 {
            throw .invalidValue(field: "num_key_value_heads", value: "\(numKeyValueHeads)",
                                allowed: "a divisor of num_attention_heads \(numAttentionHeads) (model '\(name)')")
        }
        if expertTopK > numExperts {
            throw .invalidValue(field: "expert_top_k", value: "\(expertTopK)",
                                allowed: "at most num_experts \(numExperts) (model '\(name)')")
        }
        try check(PhysicalLimits.width, "moe_intermediate_size", moeIntermediateSize)
        try check(PhysicalLimits.width, "shared_expert_intermediate_size", sharedExpertIntermediateSize)
        try check(PhysicalLimits.inputTokens, "sliding_window", slidingWindow)
        try check(PhysicalLimits.numLayers, "moe_layer_freq", moeLayerInterval)
        if let latent = latentAttention {
            try check(PhysicalLimits.width, "kv_lora_rank", latent.kvLoraRank)
            try check(PhysicalLimits.width, "q_lora_rank", latent.qLoraRank)
            try check(PhysicalLimits.width, "qk_rope_head_dim", latent.qkRopeHeadDim)
            try check(PhysicalLimits.width, "qk_nope_head_dim", latent.qkNopeHeadDim)
            try check(PhysicalLimits.width, "v_head_dim", latent.vHeadDim)
        }
        if sharedExperts < 0 || sharedExperts > PhysicalLimits.experts.high {
            throw .invalidValue(field: "n_shared_experts", value: "\(sharedExperts)",
                                allowed: "an integer in 0...\(PhysicalLimits.experts.high) \(context)")
        }
        if firstDenseLayers < 0 || firstDenseLayers > numLayers {
            throw .invalidValue(field: "first_k_dense_replace", value: "\(firstDenseLayers)",
                                allowed: "an integer in 0...\(numLayers) (model '\(name)')")
        }
        if case let .interleaved(every) = slidingWindowLayers, every < 1 {
            throw .invalidValue(field: "sliding_window_pattern", value: "\(every)", allowed: "a positive integer (model '\(name)')")
        }
    }

    /// Feed-forward width of one routed expert: `moe_intermediate_size` where given, else `intermediate_size`.
    @inlinable public var routedExpertIntermediateSize: Int { moeIntermediateSize ?? intermediateSize }

    /// Layer `index` (0-based) has a mixture-of-experts FFN (after `firstDenseLayers`, every
    /// `moeLayerInterval`-th layer); always false for dense models.
    @inlinable public func isMoELayer(_ index: Int) -> Bool {
        guard isMoE, index >= firstDenseLayers else { return false }
        guard let interval = moeLayerInterval, interval > 1 else { return true }
        return (index + 1) % interval == 0
    }

    /// Layer `index` (0-based) attends through the sliding window (false when the model has none).
    @inlinable public func usesSlidingWindow(_ index: Int) -> Bool {
        guard slidingWindow != nil else { return false }
        switch slidingWindowLayers {
        case .none: return false
        case .all: return true
        case let .interleaved(every): return (index + 1) % max(every, 1) != 0
        }
    }
}
