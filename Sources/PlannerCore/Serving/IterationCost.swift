/// The work of one serving-engine iteration, as the totals its cost depends on.
///
/// An iteration mixes prefill chunks (a request's next prompt tokens, attending to its cached prefix
/// and to themselves) and decode tokens (one per running request, attending to its whole context).
/// Build it with ``IterationCostModel/addPrefillChunk(to:cachedTokens:tokens:completesPrompt:)`` and
/// ``IterationCostModel/addDecode(to:contextTokens:)``, which know the model's sliding window.
public struct IterationWork: Sendable, Hashable {
    /// Prompt tokens processed in this iteration (all chunks).
    public var prefillTokens = 0
    /// Prefill chunks (one per request with prompt tokens in this iteration).
    public var prefillChunks = 0
    /// Chunks that finish their prompt: they need logits (their request's first token).
    public var completingPrefills = 0
    /// Query-key pairs of the chunks on global-attention layers.
    public var prefillPairs = 0.0
    /// Query-key pairs of the chunks on sliding-window layers.
    public var prefillWindowPairs = 0.0
    /// Cached-prefix tokens the chunks read from the KV cache (global layers).
    public var prefillCachedTokens = 0.0
    /// Cached-prefix tokens the chunks read on sliding-window layers.
    public var prefillWindowCachedTokens = 0.0
    /// Requests decoding one token in this iteration.
    public var decodeRequests = 0
    /// Sum over the decoding requests of their context (cached tokens + the new one), global layers.
    public var decodeContextTokens = 0.0
    /// The same sum capped at the window, sliding-window layers.
    public var decodeWindowContextTokens = 0.0

    public init() {}

    /// Tokens through the projections: prompt tokens plus one per decoding request.
    @inlinable public var tokens: Int { prefillTokens + decodeRequests }
    /// Rows that need logits: decoding requests plus the chunks that finish a prompt.
    @inlinable public var logitRows: Int { decodeRequests + completingPrefills }
    /// True when the iteration does nothing.
    @inlinable public var isEmpty: Bool { prefillTokens == 0 && decodeRequests == 0 }
}

/// The time of one mixed serving iteration for the `default` profile, with every per-layout constant
/// computed once.
///
/// GEMMs, elementwise kernels, the embedding gather and the tensor-parallel all-reduces run on the
/// iteration's total token count (weights are read once per iteration); the fused attention kernel
/// takes the chunks' query-key pairs and the decode tokens' contexts (KV reads per request); the
/// classifier runs on the rows that need logits. Every kernel pays the profile's fixed overhead.
/// Attention for prefill chunks and decode tokens is one kernel (vLLM V1 and TensorRT-LLM run one
/// variable-length kernel over the mixed batch), except with latent attention (MLA), where prefill
/// expands the latent and decode absorbs it: two kernels of different widths.
///
/// It reduces to the estimator: a pure prefill of B prompts of S tokens from an empty cache costs
/// `Estimator.prefill` of batch B, input S; B decode tokens at context S + 1 cost `Estimator.decode`
/// of batch B, input S, output 1 (and the mean over contexts S + 1 ... S + N that of output N).
///
/// Not modelled here: pipeline parallelism (refused), beams (refused), the `genz` profile (refused),
/// and the per-iteration CPU/scheduler time (the simulator adds it per engine, ``SchedulerConfig``).
public struct IterationCostModel: Sendable {
    /// One token-linear operator: max(compute, memory) at achievable rates plus fixed overheads.
    struct Linear: Sendable {
        /// Multiply-accumulates per (scaled) token.
        var macsPerToken: Double
        /// Activation bytes per (scaled) token.
        var bytesPerToken: Double
        /// Weight bytes read per iteration (for routed experts: if every local expert is touched).
        var weightBytes: Double
        /// Kernel overheads, seconds.
        var overheadSeconds: Double
        /// Tokens this operator sees per iteration token (routed experts: top-k / EP).
        var tokenScale: Double
        /// Weights scale with the fraction of experts the iteration's tokens touch.
        var touched: Bool
    }

    /// One kind of decoder layer (global or window attention, dense or MoE FFN) and its count.
    struct LayerKind: Sendable {
        var count: Double
        var window: Bool
        var moe: Bool
        var linears: [Linear]
    }

    let roofline: DefaultRoofline
    let kinds: [LayerKind]
    let embedding: Linear
    let classifier: Linear
    let hidden: Double
    let activationBytes: Double
    let shards: Int
    let vocabSize: Double
    let slidingWindow: Int?
    let latent: Bool
    /// Kernels of the latent up-projection besides the phase-dependent ones (q_b: 1 with q_lora_rank).
    let latentQueryKernels: Double
    let experts: Double
    let topK: Double
    /// Attention data-parallel ranks (1: none). The iteration's work is the replica's; one rank does
    /// its 1/DP share (ranks balanced) and the experts see every rank's tokens.
    public let dataParallel: Int
    /// Devices the experts span (all-to-all participants with attention data parallelism).
    let expertShards: Int
    /// All-to-all bytes of the dispatch and of the combine per rank token and MoE layer on the busiest device; 0 without attention DP.
    let dispatchBytesPerToken: Double
    let combineBytesPerToken: Double
    // Attention constants, prefill (p) and decode (d) widths (they differ only with latent attention).
    let prefillMacsPerPair: Double
    let decodeMacsPerPair: Double
    let prefillActivationBytesPerToken: Double
    let decodeQueryOutputBytesPerToken: Double
    let kvBytesPerTokenPerLayer: Double
    /// Decoder layers whose attention uses the sliding window, and the others.
    let globalLayers: Double
    let windowLayers: Double
    /// A graph kept for its expert-touch rule (the estimator's own function).
    let graph: DefaultGraph

    /// Weight bytes on one device.
    public let weightBytesPerDevice: Double
    /// KV-cache bytes one token of context takes on one device, all layers (sliding-window layers
    /// counted in full, as a cache without a hybrid allocator keeps them).
    public let kvBytesPerTokenPerDevice: Double
    /// Device memory, bytes (binary GiB x 2^30).
    public let deviceMemoryBytes: Double
    /// Devices of one replica (TP x EP; pipeline parallelism is refused).
    public let devices: Int
    /// Per token activation bytes of the peak (hidden buffers and the widest intermediate).
    let activationBytesPerToken: Double
    let logitBytesPerRow: Double

    /// Precomputes the constants of `request`'s model, hardware, precision and layout (its batch and
    /// lengths are ignored).
    /// - Throws: ``PlannerError`` when the request is invalid for the `default` profile, or for the
    ///   `genz` profile, pipeline parallelism or beam search, which the simulator does not model.
    public init(_ request: EstimateRequest) throws(PlannerError) {
        if request.profile != .default {
            throw .invalidValue(field: "profile", value: request.profile.rawValue,
                                allowed: "default (the serving simulator models the default profile only)")
        }
        if request.parallelism.pipeline != 1 {
            throw .invalidValue(field: "pipeline_parallel", value: "\(request.parallelism.pipeline)",
                                allowed: "1 (the serving simulator does not model pipeline parallelism yet; use tensor or expert parallelism)")
        }
        if request.beamSize != 1 {
            throw .invalidValue(field: "beam_size", value: "\(request.beamSize)", allowed: "1 (the serving simulator does not model beam search)")
        }
        let (prefill, decode) = try DefaultModel.iterationGraphs(request)
        let model = request.model
        graph = prefill
        roofline = prefill.roofline
        hidden = prefill.hidden
        activationBytes = prefill.activationBytes
        shards = prefill.shards
        vocabSize = Double(model.vocabSize)
        slidingWindow = model.slidingWindow
        latent = model.latentAttention != nil
        experts = Double(model.numExperts)
        topK = Double(model.expertTopK)
        dataParallel = prefill.dataParallel
        expertShards = prefill.expertShards
        // As the estimator's moeBlockSeconds: each device sends its share of its rank's tokens, top-k copies each.
        let sentPerToken = prefill.dataParallel > 1 ? topK * hidden * prefill.expertImbalance / Double(prefill.shards) : 0
        dispatchBytesPerToken = sentPerToken * prefill.dispatchBytes
        combineBytesPerToken = sentPerToken * prefill.activationBytes
        devices = request.parallelism.devices
        deviceMemoryBytes = request.hardware.memoryGiB * Units.bytesPerGiB

        let kernel = roofline.kernelSeconds
        let wb = prefill.weightBytes, ab = prefill.activationBytes
        let heads = prefill.heads, kvHeads = prefill.kvHeads
        func gemm(m: Double, k: Double, weights: Double? = nil, kernels: Double = 1, scale: Double = 1, touched: Bool = false) -> Linear {
            Linear(macsPerToken: m * k, bytesPerToken: (m + k) * ab, weightBytes: (weights ?? m * k) * wb,
                   overheadSeconds: kernels * kernel, tokenScale: scale, touched: touched)
        }

        // Attention block (without the attention kernel and the all-reduce, added per iteration).
        var attention: [Linear] = []
        var latentQueryKernels = 0.0
        if let mla = model.latentAttention {
            let kvLora = Double(mla.kvLoraRank), rope = Double(mla.qkRopeHeadDim)
            let nope = Double(mla.qkNopeHeadDim), value = Double(mla.vHeadDim)
            let qLora = mla.qLoraRank.map(Double.init)
            let down = (qLora ?? heads * (nope + rope)) + kvLora + rope
            attention.append(gemm(m: down, k: hidden))
            let upWeights = (qLora.map { $0 * heads * (nope + rope) } ?? 0) + kvLora * heads * (nope + value)
            let queryUpMacs = qLora.map { $0 * heads * (nope + rope) } ?? 0
            // The same MACs and bytes in both phases; the kernel count depends on the phases present.
            attention.append(Linear(macsPerToken: queryUpMacs + heads * kvLora * (nope + value),
                                    bytesPerToken: (kvLora + heads * (nope + value)) * ab, weightBytes: upWeights * wb,
                                    overheadSeconds: 0, tokenScale: 1, touched: false))
            latentQueryKernels = qLora == nil ? 0 : 1
            attention.append(gemm(m: hidden, k: heads * value))
        } else {
            let headDim = Double(model.headDim)
            attention.append(gemm(m: (heads + 2 * kvHeads) * headDim, k: hidden))
            attention.append(gemm(m: hidden, k: heads * headDim))
        }
        // Two normalisations, rotary embedding, residual adds (as the estimator: ten activation passes, four kernels).
        attention.append(Linear(macsPerToken: 0, bytesPerToken: 10 * hidden * ab, weightBytes: 0, overheadSeconds: 4 * kernel,
                                tokenScale: 1, touched: false))
        self.latentQueryKernels = latentQueryKernels

        let ffi = Double(model.numFFI)
        let shardsD = Double(prefill.shards)
        let denseWidth = Double((model.intermediateSize + prefill.shards - 1) / prefill.shards)
        let dense = [gemm(m: ffi * denseWidth, k: hidden), gemm(m: hidden, k: denseWidth)]
        var moe: [Linear] = []
        if model.isMoE {
            // As the estimator: experts over EP (each over TP), or whole over DP x TP with attention DP,
            // where a rank token brings DP x top-k routed rows to the busiest device, imbalance included.
            let split = prefill.expertTensor
            let width = Double((model.routedExpertIntermediateSize + split - 1) / split)
            let localExperts = experts / Double(prefill.expertShards)
            let scale = topK * Double(prefill.dataParallel) * prefill.expertImbalance / Double(prefill.expertShards)
            moe.append(gemm(m: experts, k: hidden))
            moe.append(gemm(m: ffi * width, k: hidden, weights: localExperts * ffi * width * hidden, scale: scale, touched: true))
            moe.append(gemm(m: hidden, k: width, weights: localExperts * width * hidden, scale: scale, touched: true))
            if model.sharedExperts > 0 {
                let sharedWidth = Double(model.sharedExperts * (model.sharedExpertIntermediateSize ?? model.routedExpertIntermediateSize))
                let shardWidth = (sharedWidth / shardsD).rounded(.up)
                moe.append(gemm(m: ffi * shardWidth, k: hidden))
                moe.append(gemm(m: hidden, k: shardWidth))
            }
        }
        let all = prefill.iterationLayerKinds
        let counts = [all.0, all.1, all.2, all.3]
        var kinds: [LayerKind] = []
        for index in 0..<4 where counts[index] > 0 {
            let isMoE = index % 2 == 1
            kinds.append(LayerKind(count: counts[index], window: index >= 2, moe: isMoE, linears: attention + (isMoE ? moe : dense)))
        }
        self.kinds = kinds
        globalLayers = all.0 + all.1
        windowLayers = all.2 + all.3

        embedding = Linear(macsPerToken: 0, bytesPerToken: hidden * (wb + ab), weightBytes: 0, overheadSeconds: kernel,
                           tokenScale: 1, touched: false)
        classifier = gemm(m: prefill.vocabShard, k: hidden)

        prefillMacsPerPair = heads * (prefill.qkWidth + prefill.vWidth)
        decodeMacsPerPair = heads * (decode.qkWidth + decode.vWidth)
        let kvHeadsRead = latent ? heads : kvHeads
        prefillActivationBytesPerToken = (heads * prefill.qkWidth + kvHeadsRead * (prefill.qkWidth + prefill.vWidth) + heads * prefill.vWidth) * ab
        decodeQueryOutputBytesPerToken = heads * (decode.qkWidth + decode.vWidth) * ab
        kvBytesPerTokenPerLayer = prefill.kvBytesPerToken

        // Memory of one device, as the estimator counts it with one pipeline stage.
        let embeddingWeights = prefill.vocabShard * hidden
        var weights = Double(model.numLayers) * prefill.attentionWeights + (all.0 + all.2) * prefill.iterationFFNWeights(moe: false)
            + (all.1 + all.3) * (model.isMoE ? prefill.iterationFFNWeights(moe: true) : 0) + embeddingWeights
        if !model.tieWordEmbeddings { weights += embeddingWeights }
        weightBytesPerDevice = weights * wb
        kvBytesPerTokenPerDevice = Double(model.numLayers) * prefill.kvBytesPerToken
        activationBytesPerToken = (4 * hidden + prefill.iterationWidestActivation) * ab
        logitBytesPerRow = prefill.vocabShard * 4
    }

    // MARK: - Building an iteration

    /// Adds a prefill chunk of `tokens` prompt tokens after `cachedTokens` already in the cache.
    /// - Parameter completesPrompt: the chunk ends the prompt (its request samples its first token).
    public func addPrefillChunk(to work: inout IterationWork, cachedTokens: Int, tokens: Int, completesPrompt: Bool) {
        let p = Double(cachedTokens), c = Double(tokens)
        work.prefillTokens += tokens
        work.prefillChunks += 1
        if completesPrompt { work.completingPrefills += 1 }
        let pairs = c * p + c * (c + 1) / 2
        work.prefillPairs += pairs
        work.prefillCachedTokens += p
        if let w = slidingWindowTokens {
            // Positions p+1 ... p+c each attend to min(position, w) keys.
            let end = p + c
            let windowPairs: Double
            if end <= w { windowPairs = pairs }
            else if p >= w { windowPairs = c * w }
            else { windowPairs = (w * (w + 1) / 2 - p * (p + 1) / 2) + (end - w) * w }
            work.prefillWindowPairs += windowPairs
            work.prefillWindowCachedTokens += min(p, w)
        } else {
            work.prefillWindowPairs += pairs
            work.prefillWindowCachedTokens += p
        }
    }

    /// Adds one decode token of a request whose context (cached tokens plus this one) is `contextTokens`.
    public func addDecode(to work: inout IterationWork, contextTokens: Int) {
        let length = Double(contextTokens)
        work.decodeRequests += 1
        work.decodeContextTokens += length
        work.decodeWindowContextTokens += slidingWindowTokens.map { min(length, $0) } ?? length
    }

    /// The model's sliding window in tokens, if it has one.
    public var slidingWindowTokens: Double? { slidingWindow.map(Double.init) }

    // MARK: - Cost

    /// Seconds of the forward pass of `work` on one replica (no CPU/scheduler time); 0 when empty.
    /// With attention data parallelism `work` is the whole replica's and each rank does a 1/DP share.
    public func seconds(_ work: IterationWork) -> Double {
        if work.isEmpty { return 0 }
        let share = 1 / Double(dataParallel)
        let tokens = Double(work.tokens) * share
        let macRate = roofline.macsPerSecond, memRate = roofline.memoryBytesPerSecond
        let kernel = roofline.kernelSeconds
        let touchedFraction = experts > 1
            ? graph.iterationTouchedFraction(tokens: Double(work.tokens), topK: topK, experts: experts) : 1
        let allReduce = roofline.allReduceSeconds(bytes: tokens * hidden * activationBytes, participants: shards)
        let allToAll = roofline.allToAllSeconds(bytes: tokens * dispatchBytesPerToken, participants: expertShards)
            + roofline.allToAllSeconds(bytes: tokens * combineBytesPerToken, participants: expertShards)
        let hasPrefill = work.prefillTokens > 0, hasDecode = work.decodeRequests > 0
        let latentKernels = latent ? latentQueryKernels + (hasPrefill ? 1 : 0) + (hasDecode ? 2 : 0) : 0
        // Attention parts shared by every layer kind.
        let prefillMemory = Double(work.prefillTokens) * share * (prefillActivationBytesPerToken + kvBytesPerTokenPerLayer)
        let decodeMemory = Double(work.decodeRequests) * share * decodeQueryOutputBytesPerToken

        var total = 0.0
        for kind in kinds {
            var seconds = 2 * allReduce + latentKernels * kernel + (kind.moe ? allToAll : 0)
            for linear in kind.linears { seconds += cost(linear, tokens: tokens, touched: touchedFraction, macRate: macRate, memRate: memRate) }
            let pairs = (kind.window ? work.prefillWindowPairs : work.prefillPairs) * share
            let cached = (kind.window ? work.prefillWindowCachedTokens : work.prefillCachedTokens) * share
            let context = (kind.window ? work.decodeWindowContextTokens : work.decodeContextTokens) * share
            let pc = pairs * prefillMacsPerPair / macRate
            let pm = (prefillMemory + cached * kvBytesPerTokenPerLayer) / memRate
            let dc = context * decodeMacsPerPair / macRate
            let dm = (decodeMemory + context * kvBytesPerTokenPerLayer) / memRate
            if latent {
                if hasPrefill { seconds += max(pc, pm) + kernel }
                if hasDecode { seconds += max(dc, dm) + kernel }
            } else {
                seconds += max(pc + dc, pm + dm) + kernel
            }
            total += kind.count * seconds
        }
        total += cost(embedding, tokens: tokens, touched: 1, macRate: macRate, memRate: memRate)
        let rows = Double(work.logitRows) * share
        if rows > 0 {
            total += cost(classifier, tokens: rows, touched: 1, macRate: macRate, memRate: memRate)
            total += roofline.allGatherSeconds(totalBytes: rows * vocabSize * 4, participants: shards)
        }
        return total
    }

    @inline(__always)
    func cost(_ linear: Linear, tokens: Double, touched: Double, macRate: Double, memRate: Double) -> Double {
        let t = tokens * linear.tokenScale
        let weights = linear.touched ? linear.weightBytes * touched : linear.weightBytes
        return max(t * linear.macsPerToken / macRate, (weights + t * linear.bytesPerToken) / memRate) + linear.overheadSeconds
    }

    /// Peak activation bytes of one device for an iteration of `tokens` tokens and `logitRows` logit rows.
    public func activationBytes(tokens: Int, logitRows: Int) -> Double {
        Double(tokens) * activationBytesPerToken + Double(logitRows) * logitBytesPerRow
    }
}
