/// The `default` profile: an analytical model of inference that follows what real serving stacks
/// do, where GenZ 0.0.16 and its wrapper do not (README, "The default profile", lists every difference).
///
/// Per device and per layer it models: the QKV (or latent-attention) projections, one fused causal
/// attention kernel whose scores stay on-chip, the output projection, the tensor-parallel all-reduces,
/// fused elementwise kernels, and the FFN (dense, or routed + shared experts with the expected number
/// of distinct experts a step touches). Each kernel takes max(compute, memory) at achievable rates
/// plus a fixed overhead. Layers of the same kind (global or sliding-window attention, dense or MoE
/// FFN) are evaluated once and multiplied by their count per pipeline stage.
///
/// Prefill `latencyMs` is the time to prefill the whole batch (TTFT of a static batch); decode
/// `latencyMs` is one step averaged exactly over the output steps, the KV length growing from
/// input + 1 to input + output tokens, so that TTFT + output tokens x that step is the sum of the steps.
enum DefaultModel {
    static func estimate(_ request: EstimateRequest, phase: Phase, operators: Bool) throws(PlannerError) -> PhaseEstimate {
        var warnings: [String] = request.model.catalogWarnings
        let shape = try validate(request, phase: phase, warnings: &warnings)
        var graph = DefaultGraph(request: request, shape: shape, phase: phase, keepRows: operators)
        return try graph.run(warnings: warnings)
    }

    /// Per-device shapes of a layout.
    struct Shape {
        /// Devices attention, dense FFNs, shared experts, embedding and classifier are sharded over:
        /// TP x EP, or TP (one attention data-parallel rank) with attention data parallelism.
        var shards: Int
        var headsPerDevice: Int
        var kvHeadsPerDevice: Int
    }

    /// Checks the request; the `default` profile needs the head counts to split evenly, as real engines do.
    static func validate(_ request: EstimateRequest, phase: Phase, warnings: inout [String]) throws(PlannerError) -> Shape {
        let model = request.model
        try request.validateShared(phase: phase)
        if let limit = model.maxModelLength, request.inputTokens + request.outputTokens > limit {
            throw .invalidValue(field: "input_tokens + output_tokens", value: "\(request.inputTokens) + \(request.outputTokens)",
                                allowed: "at most the context length of '\(model.name)', \(limit) tokens (max_position_embeddings)")
        }
        let layout = request.parallelism
        let dataParallel = layout.attentionDataParallel
        let shards = dataParallel ? layout.tensor : layout.tensor * layout.expert
        let shardsName = dataParallel ? "tensor_parallel (per attention data-parallel rank)" : "tensor_parallel x expert_parallel"
        let heads = model.numAttentionHeads
        let kvHeads = model.latentAttention == nil ? model.numKeyValueHeads : heads
        if !splits(heads: heads, kvHeads: kvHeads, shards: shards) {
            throw .invalidParallelism(
                field: "tensor_parallel", value: layout.tensor,
                reason: "\(shardsName) = \(shards) must divide the \(heads) query heads of '\(model.name)', and the "
                    + "\(kvHeads) KV heads must divide evenly or be replicated (shards a multiple of them). Allowed \(shardsName): "
                    + GenZModel.divisors(of: heads).filter { splits(heads: heads, kvHeads: kvHeads, shards: $0) }
                    .map(String.init).joined(separator: ", "))
        }
        if model.intermediateSize % shards != 0 && (!model.isMoE || model.firstDenseLayers > 0) {
            warnings.append("\(shardsName) = \(shards) does not divide intermediate_size \(model.intermediateSize): rounded up per device")
        }
        if dataParallel && request.batchSize % layout.dataParallel != 0 {
            warnings.append("batch_size \(request.batchSize) is not a multiple of data_parallel \(layout.dataParallel): the busiest "
                + "attention rank holds \((request.batchSize + layout.dataParallel - 1) / layout.dataParallel) requests")
        }
        if model.isMoE && !dataParallel && model.routedExpertIntermediateSize % layout.tensor != 0 {
            warnings.append("tensor_parallel \(layout.tensor) does not divide the expert width \(model.routedExpertIntermediateSize): rounded up per device")
        }
        return Shape(shards: shards, headsPerDevice: heads / shards,
                     kvHeadsPerDevice: kvHeads >= shards ? kvHeads / shards : 1)
    }

    /// True when `shards` devices can split `heads` query heads and `kvHeads` KV heads.
    static func splits(heads: Int, kvHeads: Int, shards: Int) -> Bool {
        heads % shards == 0 && (kvHeads % shards == 0 || shards % kvHeads == 0)
    }

}

/// One evaluation of the `default` profile: constants of the request, per-layer costs, stages, memory.
struct DefaultGraph {
    let request: EstimateRequest
    let model: ModelSpec
    let phase: Phase
    let roofline: DefaultRoofline
    let keepRows: Bool

    // Bytes per element: weights at the request's precision; the KV cache at least 8-bit; activations
    // and collective payloads in bf16 (fp32 for f32 models), as inference engines keep them.
    let weightBytes: Double
    let kvBytes: Double
    let activationBytes: Double

    let shards: Int
    let tensor: Int
    let expert: Int
    let pipeline: Int
    /// Attention data-parallel ranks (1: none); the batch is split over them.
    let dataParallel: Int
    /// Devices the routed experts are spread over (EP, or DP x TP with attention data parallelism).
    let expertShards: Int
    /// Devices one routed expert is split over (TP, or 1: whole experts with attention data parallelism).
    let expertTensor: Int
    /// Busiest expert-parallel device's routed tokens over the mean (1 without attention data parallelism).
    let expertImbalance: Double
    /// Bytes per element of the expert-parallel dispatch (DeepEP sends fp8 with fp8 or narrower weights).
    let dispatchBytes: Double
    let microBatches: Int
    /// Requests in one micro-batch.
    let requests: Double
    /// Sequences per decode step in one micro-batch: requests x beams.
    let rows: Double
    /// Tokens through the projections in one pass of one micro-batch.
    let tokens: Double
    let inputTokens: Double
    let outputTokens: Int

    let hidden: Double
    let heads: Double
    let kvHeads: Double
    let vocabShard: Double
    /// Query-key and value widths per head as the attention kernel sees them.
    let qkWidth: Double
    let vWidth: Double
    /// KV-cache bytes per token and layer on one device.
    let kvBytesPerToken: Double
    /// Weight elements per device of one layer's attention block.
    let attentionWeights: Double
    let slidingWindow: Int?

    var rowsTable: [OperatorRow] = []
    var breakdown = RuntimeBreakdown()

    init(request: EstimateRequest, shape: DefaultModel.Shape, phase: Phase, keepRows: Bool) {
        self.request = request
        model = request.model
        self.phase = phase
        roofline = DefaultRoofline(hardware: request.hardware, precision: request.precision)
        self.keepRows = keepRows
        let precision = request.precision
        weightBytes = precision.bytesPerElement
        kvBytes = max((request.kvPrecision ?? precision).bytesPerElement, 1)
        activationBytes = precision == .f32 ? 4 : 2
        shards = shape.shards
        tensor = request.parallelism.tensor
        expert = request.parallelism.expert
        pipeline = request.parallelism.pipeline
        dataParallel = request.parallelism.dataParallel
        expertShards = request.parallelism.expertShards
        let attentionDP = request.parallelism.attentionDataParallel
        expertTensor = attentionDP ? 1 : tensor
        expertImbalance = attentionDP ? (request.expertImbalance ?? EstimateRequest.defaultExpertImbalance) : 1
        // DeepEP's normal and low-latency dispatch send fp8 (with scales) and combine in bf16
        // (github.com/deepseek-ai/DeepEP README); engines use it for fp8 and narrower checkpoints.
        dispatchBytes = precision.bytesPerElement <= 1 ? 1 : (precision == .f32 ? 4 : 2)
        // With attention data parallelism each rank runs its share of the batch (the busiest rank: rounded up).
        let batch = (request.batchSize + dataParallel - 1) / dataParallel
        microBatches = pipeline > 1 ? min(batch, pipeline) : 1
        let microBatch = (batch + microBatches - 1) / microBatches
        requests = Double(microBatch)
        rows = phase == .decode ? Double(microBatch * request.beamSize) : Double(microBatch)
        inputTokens = Double(request.inputTokens)
        outputTokens = request.outputTokens
        tokens = phase == .decode ? rows : requests * inputTokens
        hidden = Double(model.hiddenSize)
        heads = Double(shape.headsPerDevice)
        kvHeads = Double(shape.kvHeadsPerDevice)
        vocabShard = Double((model.vocabSize + shape.shards - 1) / shape.shards)
        slidingWindow = model.slidingWindow

        let fused: Double
        if let latent = model.latentAttention {
            let kvLora = Double(latent.kvLoraRank), rope = Double(latent.qkRopeHeadDim)
            let nope = Double(latent.qkNopeHeadDim), value = Double(latent.vHeadDim)
            if phase == .decode {
                // Weight absorption: attention runs in the latent space, one shared "KV head".
                qkWidth = kvLora + rope
                vWidth = kvLora
            } else {
                qkWidth = nope + rope
                vWidth = value
            }
            kvBytesPerToken = (kvLora + rope) * kvBytes
            let width = Double(model.hiddenSize), localHeads = Double(shape.headsPerDevice)
            var queryWeights = width * localHeads * (nope + rope)
            if let qLora = latent.qLoraRank { queryWeights = Double(qLora) * (width + localHeads * (nope + rope)) }
            fused = queryWeights + width * (kvLora + rope) + kvLora * localHeads * (nope + value) + localHeads * value * width
        } else {
            let headDim = Double(model.headDim), width = Double(model.hiddenSize)
            let localHeads = Double(shape.headsPerDevice), localKVHeads = Double(shape.kvHeadsPerDevice)
            qkWidth = headDim
            vWidth = headDim
            kvBytesPerToken = 2 * localKVHeads * headDim * kvBytes
            fused = width * (localHeads + 2 * localKVHeads) * headDim + localHeads * headDim * width
        }
        attentionWeights = fused
    }

    // MARK: - Operators

    /// Records one operator (per instance: compute, memory, kernels x overhead) and returns its seconds.
    @inline(__always)
    mutating func op(_ name: OperatorName, _ kind: OperatorKind, macs: Double, bytes: Double, kernels: Double = 1,
                     elements: (Double, Double, Double), multiplicity: Double) -> Double {
        let compute = roofline.computeSeconds(macs: macs)
        let memory = roofline.memorySeconds(bytes: bytes)
        let seconds = max(compute, memory) + kernels * roofline.kernelSeconds
        record(name, kind, macs: macs, elements: elements, compute: compute, memory: memory, seconds: seconds, multiplicity: multiplicity)
        return seconds
    }

    /// A matrix multiply of `tokens` rows by a `k` x `m` weight of which `weightElements` are read.
    @inline(__always)
    mutating func gemm(_ name: OperatorName, tokens: Double, m: Double, k: Double, weightElements: Double? = nil,
                       kernels: Double = 1, multiplicity: Double) -> Double {
        let weights = weightElements ?? m * k
        return op(name, .gemm, macs: tokens * m * k, bytes: weights * weightBytes + tokens * (m + k) * activationBytes,
                  kernels: kernels, elements: (tokens * k, weights, tokens * m), multiplicity: multiplicity)
    }

    mutating func record(_ name: OperatorName, _ kind: OperatorKind, macs: Double, elements: (Double, Double, Double),
                         compute: Double, memory: Double, seconds: Double, multiplicity: Double) {
        if multiplicity == 0 { return }
        breakdown.add(name, totalMs: Units.milliseconds(fromSeconds: seconds) * multiplicity)
        if keepRows {
            rowsTable.append(OperatorRow(
                name: name, kind: kind, multiplicity: multiplicity, macs: macs, inputElements: elements.0,
                weightElements: elements.1, outputElements: elements.2, collective: nil, participants: 1, payloadBytes: 0,
                computeMs: Units.milliseconds(fromSeconds: compute), memoryMs: Units.milliseconds(fromSeconds: memory),
                communicationMs: 0, latencyMs: Units.milliseconds(fromSeconds: seconds),
                bound: compute >= memory ? .compute : .memory))
        }
    }

    mutating func recordSync(_ name: OperatorName, _ collective: Collective, seconds: Double, participants: Int, bytes: Double,
                             multiplicity: Double) {
        if multiplicity == 0 || seconds == 0 { return }
        let ms = Units.milliseconds(fromSeconds: seconds)
        breakdown.add(name, totalMs: ms * multiplicity)
        if keepRows {
            rowsTable.append(OperatorRow(
                name: name, kind: .sync, multiplicity: multiplicity, macs: 0, inputElements: 0, weightElements: 0,
                outputElements: 0, collective: collective, participants: participants, payloadBytes: bytes, computeMs: 0,
                memoryMs: 0, communicationMs: ms, latencyMs: ms, bound: .collective))
        }
    }

    // MARK: - Layers

    /// Seconds of one decoder layer of the given kind on one device (one micro-batch), recording its
    /// operators with `multiplicity` (the number of such layers in the model).
    mutating func layerSeconds(window: Bool, moe: Bool, multiplicity: Double) -> Double {
        var seconds = attentionBlockSeconds(window: window, multiplicity: multiplicity)
        seconds += moe ? moeBlockSeconds(multiplicity: multiplicity) : denseBlockSeconds(multiplicity: multiplicity)
        return seconds
    }

    mutating func attentionBlockSeconds(window: Bool, multiplicity: Double) -> Double {
        var seconds = 0.0
        if let latent = model.latentAttention {
            let kvLora = Double(latent.kvLoraRank), rope = Double(latent.qkRopeHeadDim)
            let nope = Double(latent.qkNopeHeadDim), value = Double(latent.vHeadDim)
            let qLora = latent.qLoraRank.map(Double.init)
            // Fused down-projections (q_a and kv_a), replicated on every device.
            let down = (qLora ?? heads * (nope + rope)) + kvLora + rope
            seconds += gemm(.qkv, tokens: tokens, m: down, k: hidden, multiplicity: multiplicity)
            let upWeights = (qLora.map { $0 * heads * (nope + rope) } ?? 0) + kvLora * heads * (nope + value)
            let queryUpMacs = qLora.map { tokens * $0 * heads * (nope + rope) } ?? 0
            // Prefill expands the latent into per-head keys and values; decode absorbs the key and
            // value up-projections into the query and output (per head nope -> latent, latent -> v).
            let macs = phase == .decode ? queryUpMacs + tokens * heads * kvLora * (nope + value)
                : queryUpMacs + tokens * kvLora * heads * (nope + value)
            let kernels = (qLora == nil ? 0.0 : 1.0) + (phase == .decode ? 2 : 1)
            seconds += op(.latentUp, .gemm, macs: macs,
                          bytes: upWeights * weightBytes + tokens * (kvLora + heads * (nope + value)) * activationBytes,
                          kernels: kernels, elements: (tokens * (kvLora + (qLora ?? 0)), upWeights, tokens * heads * (nope + value)),
                          multiplicity: multiplicity)
            seconds += attentionSeconds(window: window, multiplicity: multiplicity)
            seconds += gemm(.outProjection, tokens: tokens, m: hidden, k: heads * value, multiplicity: multiplicity)
        } else {
            let headDim = Double(model.headDim)
            seconds += gemm(.qkv, tokens: tokens, m: (heads + 2 * kvHeads) * headDim, k: hidden, multiplicity: multiplicity)
            seconds += attentionSeconds(window: window, multiplicity: multiplicity)
            seconds += gemm(.outProjection, tokens: tokens, m: hidden, k: heads * headDim, multiplicity: multiplicity)
        }
        seconds += allReduce(.attentionAllReduce, multiplicity: multiplicity)
        // Two normalisations, rotary embedding, residual adds: about ten activation-sized reads/writes in four kernels.
        let elementwiseBytes = 10 * tokens * hidden * activationBytes
        seconds += op(.elementwise, .elementwise, macs: 0, bytes: elementwiseBytes, kernels: 4,
                      elements: (tokens * hidden, 0, tokens * hidden), multiplicity: multiplicity)
        return seconds
    }

    /// The fused attention kernel: causal from an empty cache in prefill; in decode the average
    /// step over the growing context (sliding-window layers stop growing at the window).
    mutating func attentionSeconds(window: Bool, multiplicity: Double) -> Double {
        let macsPerPair = heads * (qkWidth + vWidth)
        let windowTokens = window ? slidingWindow.map(Double.init) : nil
        if phase == .prefill {
            let length = inputTokens
            let pairsPerSequence: Double
            if let windowTokens, windowTokens < length {
                pairsPerSequence = windowTokens * (windowTokens + 1) / 2 + (length - windowTokens) * windowTokens
            } else {
                pairsPerSequence = length * (length + 1) / 2
            }
            let macs = requests * pairsPerSequence * macsPerPair
            // Q, K, V read once and O written once (scores stay on-chip), plus the KV-cache write.
            let kvHeadsRead = model.latentAttention == nil ? kvHeads : heads
            let activations = tokens * (heads * qkWidth + kvHeadsRead * (qkWidth + vWidth) + heads * vWidth)
            let bytes = activations * activationBytes + tokens * kvBytesPerToken
            return op(.attention, .fusedAttention, macs: macs, bytes: bytes,
                      elements: (tokens * heads * qkWidth, tokens * kvBytesPerToken / kvBytes, tokens * heads * vWidth),
                      multiplicity: multiplicity)
        }
        // Decode: step j = 1...N sees a KV length k(j) = S + j (capped at the window).
        let steps = max(outputTokens, 1)
        let computePerToken = rows * macsPerPair / roofline.macsPerSecond
        let queryOutputSeconds = roofline.memorySeconds(bytes: rows * heads * (qkWidth + vWidth) * activationBytes)
        let perTokenSeconds = roofline.memorySeconds(bytes: kvBytesPerToken)
        var total = 0.0
        let s = inputTokens
        var meanLength = 0.0
        if let windowTokens {
            // Each sequence reads its own window; the length grows until it reaches the window.
            let growing = Int.clamping(windowTokens - s, low: 0, high: steps)
            total += DefaultRoofline.sumOfMaxAffine(
                computePerToken * s, computePerToken, queryOutputSeconds + rows * perTokenSeconds * s, rows * perTokenSeconds,
                from: 1, to: growing)
            let capped = Double(steps - growing)
            if capped > 0 {
                total += capped * max(computePerToken * windowTokens, queryOutputSeconds + rows * perTokenSeconds * windowTokens)
            }
            meanLength = (Double(growing) * s + Double(growing * (growing + 1)) / 2 + capped * windowTokens) / Double(steps)
        } else {
            // The prompt's cache is shared by a request's beams; generated tokens are per beam.
            total += DefaultRoofline.sumOfMaxAffine(
                computePerToken * s, computePerToken, queryOutputSeconds + requests * s * perTokenSeconds, rows * perTokenSeconds,
                from: 1, to: steps)
            meanLength = s + Double(steps + 1) / 2
        }
        let seconds = total / Double(steps) + roofline.kernelSeconds
        if multiplicity > 0 {
            let macs = rows * meanLength * macsPerPair
            let cacheElements = rows * meanLength * kvBytesPerToken / kvBytes
            let compute = roofline.computeSeconds(macs: macs)
            let memory = queryOutputSeconds + rows * perTokenSeconds * meanLength
            record(.attention, .fusedAttention, macs: macs, elements: (rows * heads * qkWidth, cacheElements, rows * heads * vWidth),
                   compute: compute, memory: memory, seconds: seconds, multiplicity: multiplicity)
        }
        return seconds
    }

    mutating func denseBlockSeconds(multiplicity: Double) -> Double {
        let width = Double((model.intermediateSize + shards - 1) / shards)
        let ffi = Double(model.numFFI)
        let (upName, downName): (OperatorName, OperatorName) = model.isMoE ? (.denseUpGate, .denseDown) : (.upGate, .down)
        var seconds = gemm(upName, tokens: tokens, m: ffi * width, k: hidden, multiplicity: multiplicity)
        seconds += gemm(downName, tokens: tokens, m: hidden, k: width, multiplicity: multiplicity)
        seconds += allReduce(.ffnAllReduce, multiplicity: multiplicity)
        return seconds
    }

    /// Without attention data parallelism, routed experts are split over EP (each expert over TP);
    /// tokens are already on every device after the attention all-reduce, so no dispatch is needed
    /// and the layer's all-reduce over TP x EP sums the experts' partial outputs (expert parallelism
    /// inside a tensor-parallel group).
    ///
    /// With attention data parallelism, whole experts are spread over the DP x TP devices: every
    /// rank's tokens (a TP group's devices sharing them) are dispatched to their top-k experts and
    /// combined back by all-to-all, the experts see the tokens of all DP ranks, the busiest device
    /// `expertImbalance` times the mean, and shared experts run per rank, TP-sharded, with an
    /// all-reduce over TP.
    mutating func moeBlockSeconds(multiplicity: Double) -> Double {
        let experts = Double(model.numExperts)
        let topK = Double(model.expertTopK)
        let ffi = Double(model.numFFI)
        var seconds = gemm(.gate, tokens: tokens, m: experts, k: hidden, multiplicity: multiplicity)
        let width = Double((model.routedExpertIntermediateSize + expertTensor - 1) / expertTensor)
        let localExperts = experts / Double(expertShards)
        // Tokens of this layer over all attention ranks.
        let layerTokens = tokens * Double(dataParallel)
        // Expected distinct experts that `tokens` tokens, each routed to K of E, touch: E (1 - (1 - K/E)^tokens).
        let touched = localExperts * touchedFraction(tokens: layerTokens, topK: topK, experts: experts)
        let routedTokens = layerTokens * topK / Double(expertShards) * expertImbalance
        if dataParallel > 1 {
            // Each device sends its share of its rank's tokens, top-k copies each (the busiest receives more).
            let sent = tokens / Double(shards) * topK * hidden * expertImbalance
            seconds += allToAll(.dispatchAllToAll, bytes: sent * dispatchBytes, multiplicity: multiplicity)
            seconds += allToAll(.collectAllToAll, bytes: sent * activationBytes, multiplicity: multiplicity)
        }
        seconds += gemm(.upGate, tokens: routedTokens, m: ffi * width, k: hidden, weightElements: touched * ffi * width * hidden,
                        multiplicity: multiplicity)
        seconds += gemm(.down, tokens: routedTokens, m: hidden, k: width, weightElements: touched * width * hidden,
                        multiplicity: multiplicity)
        if model.sharedExperts > 0 {
            let sharedWidth = Double(model.sharedExperts * (model.sharedExpertIntermediateSize ?? model.routedExpertIntermediateSize))
            let shardWidth = (sharedWidth / Double(shards)).rounded(.up)
            seconds += gemm(.sharedUpGate, tokens: tokens, m: ffi * shardWidth, k: hidden, multiplicity: multiplicity)
            seconds += gemm(.sharedDown, tokens: tokens, m: hidden, k: shardWidth, multiplicity: multiplicity)
        }
        seconds += allReduce(.ffnAllReduce, multiplicity: multiplicity)
        return seconds
    }

    /// Fraction of experts that `tokens` tokens with top-`topK` routing touch, in expectation.
    func touchedFraction(tokens: Double, topK: Double, experts: Double) -> Double {
        if topK >= experts { return 1 }
        // (1 - K/E)^tokens by binary exponentiation (tokens is a whole count).
        var base = 1 - topK / experts, power = Int.clamping(tokens.rounded(), low: 0, high: Int(Int32.max)), untouched = 1.0
        while power > 0 && untouched > 1e-300 {
            if power & 1 == 1 { untouched *= base }
            base *= base
            power >>= 1
        }
        return 1 - untouched
    }

    mutating func allToAll(_ name: OperatorName, bytes: Double, multiplicity: Double) -> Double {
        let seconds = roofline.allToAllSeconds(bytes: bytes, participants: expertShards)
        recordSync(name, .allToAll, seconds: seconds, participants: expertShards, bytes: bytes, multiplicity: multiplicity)
        return seconds
    }

    mutating func allReduce(_ name: OperatorName, multiplicity: Double) -> Double {
        let bytes = tokens * hidden * activationBytes
        let seconds = roofline.allReduceSeconds(bytes: bytes, participants: shards)
        recordSync(name, .allReduce, seconds: seconds, participants: shards, bytes: bytes, multiplicity: multiplicity)
        return seconds
    }

    // MARK: - Weights and memory (elements / bytes per device)

    /// Weight elements per device of one layer's FFN block.
    func ffnWeights(moe: Bool) -> Double {
        let ffi = Double(model.numFFI)
        if !moe {
            return (ffi + 1) * hidden * Double((model.intermediateSize + shards - 1) / shards)
        }
        let width = Double((model.routedExpertIntermediateSize + expertTensor - 1) / expertTensor)
        var weights = hidden * Double(model.numExperts) + Double(model.numExperts / expertShards) * (ffi + 1) * hidden * width
        if model.sharedExperts > 0 {
            let sharedWidth = Double(model.sharedExperts * (model.sharedExpertIntermediateSize ?? model.routedExpertIntermediateSize))
            weights += (ffi + 1) * hidden * (sharedWidth / Double(shards)).rounded(.up)
        }
        return weights
    }

    /// Widest activation of one token on one device, elements (for the activation peak).
    func widestActivation() -> Double {
        let ffi = Double(model.numFFI)
        var widest = (heads + 2 * kvHeads) * max(qkWidth, vWidth)
        if !model.isMoE || model.firstDenseLayers > 0 {
            widest = max(widest, ffi * Double((model.intermediateSize + shards - 1) / shards))
        }
        if model.isMoE {
            // Routed rows per rank token: top-k over the expert devices, for the tokens of every rank (busiest device).
            let routed = Double(model.expertTopK) * Double(dataParallel) * expertImbalance / Double(expertShards) * ffi
                * Double((model.routedExpertIntermediateSize + expertTensor - 1) / expertTensor)
            let shared = model.sharedExperts > 0
                ? ffi * (Double(model.sharedExperts * (model.sharedExpertIntermediateSize ?? model.routedExpertIntermediateSize)) / Double(shards)).rounded(.up)
                : 0
            widest = max(widest, routed + shared)
        }
        return widest
    }

    // MARK: - Stages

    /// Layer kinds in the half-open layer range: (global dense, global MoE, window dense, window MoE).
    func layerKinds(from start: Int, to end: Int) -> (Double, Double, Double, Double) {
        let count = end - start
        let moe = moeLayers(from: start, to: end)
        let window = windowLayers(from: start, to: end)
        var both = 0
        if moe > 0 && window > 0 {
            if window == count { both = moe } else if moe == count { both = window } else {
                for index in start..<end where model.isMoELayer(index) && model.usesSlidingWindow(index) { both += 1 }
            }
        }
        return (Double(count - moe - window + both), Double(moe - both), Double(window - both), Double(both))
    }

    func moeLayers(from start: Int, to end: Int) -> Int {
        guard model.isMoE else { return 0 }
        let low = max(start, model.firstDenseLayers)
        if low >= end { return 0 }
        guard let interval = model.moeLayerInterval, interval > 1 else { return end - low }
        return end / interval - low / interval
    }

    func windowLayers(from start: Int, to end: Int) -> Int {
        guard slidingWindow != nil else { return 0 }
        switch model.slidingWindowLayers {
        case .none: return 0
        case .all: return end - start
        case let .interleaved(every):
            let every = max(every, 1)
            return (end - start) - (end / every - start / every)
        }
    }

    /// First layer of pipeline stage `stage`: layers split as evenly as possible, earlier stages
    /// taking the remainder.
    func stageStart(_ stage: Int) -> Int {
        let base = model.numLayers / pipeline, extra = model.numLayers % pipeline
        return stage * base + min(stage, extra)
    }

    // MARK: - Whole pass

    mutating func run(warnings: [String]) throws(PlannerError) -> PhaseEstimate {
        // Per-layer seconds of each kind present in the model, recorded once with the model's count.
        let all = layerKinds(from: 0, to: model.numLayers)
        let counts = [all.0, all.1, all.2, all.3]
        var perLayer = [0.0, 0.0, 0.0, 0.0]
        for kind in 0..<4 where counts[kind] > 0 {
            perLayer[kind] = layerSeconds(window: kind >= 2, moe: kind % 2 == 1, multiplicity: counts[kind])
        }

        // First stage: embedding gather. Last stage: classifier over the rows that need logits (the last
        // token of each prompt in prefill, every sequence in decode) and the logits' all-gather.
        let embedding = op(.embeddings, .elementwise, macs: 0, bytes: tokens * hidden * (weightBytes + activationBytes),
                           elements: (tokens, tokens * hidden, tokens * hidden), multiplicity: 1)
        let logitRows = phase == .decode ? rows : requests
        var classifier = gemm(.classifier, tokens: logitRows, m: vocabShard, k: hidden, multiplicity: 1)
        let logitBytes = logitRows * Double(model.vocabSize) * 4
        let gather = roofline.allGatherSeconds(totalBytes: logitBytes, participants: shards)
        recordSync(.classifierAllGather, .allGather, seconds: gather, participants: shards, bytes: logitBytes, multiplicity: 1)
        classifier += gather

        // Pipeline stages: a transfer crosses nodes when its stage boundary is on a node boundary.
        var passSeconds = 0.0
        var slowestStage = 0.0
        var heaviestStage = (bytes: -1.0, weights: 0.0, kv: 0.0)
        var totalWeightBytes = 0.0, totalKVBytes = 0.0
        let transferBytes = tokens * hidden * activationBytes
        let nodeSize = roofline.devicesPerNode
        var crossing = 0.0, local = 0.0
        let attentionLayerWeights = attentionWeights
        let denseWeights = ffnWeights(moe: false)
        let moeWeights = model.isMoE ? ffnWeights(moe: true) : 0
        let (globalTokens, windowTokens) = cachedTokens()
        let embeddingWeights = vocabShard * hidden
        let activations = activationPeakBytes()
        for stage in 0..<pipeline {
            let start = stageStart(stage), end = stageStart(stage + 1)
            let kinds = start == 0 && end == model.numLayers ? all : layerKinds(from: start, to: end)
            var seconds = kinds.0 * perLayer[0] + kinds.1 * perLayer[1] + kinds.2 * perLayer[2] + kinds.3 * perLayer[3]
            var weights = Double(end - start) * attentionLayerWeights + (kinds.0 + kinds.2) * denseWeights + (kinds.1 + kinds.3) * moeWeights
            if stage == 0 {
                seconds += embedding
                weights += embeddingWeights
            }
            if stage == pipeline - 1 {
                seconds += classifier
                if !(model.tieWordEmbeddings && pipeline == 1) { weights += embeddingWeights }
            }
            let kv = ((kinds.0 + kinds.1) * globalTokens + (kinds.2 + kinds.3) * windowTokens) * kvBytesPerToken
            let weightTotal = weights * weightBytes
            totalWeightBytes += weightTotal
            totalKVBytes += kv
            let need = weightTotal + kv + activations
            if need > heaviestStage.bytes { heaviestStage = (need, weightTotal, kv) }
            passSeconds += seconds
            slowestStage = max(slowestStage, seconds)
            if stage > 0 {
                let stageDevices = request.parallelism.devices / pipeline
                if (stage * stageDevices) % nodeSize == 0 || stageDevices >= nodeSize { crossing += 1 } else { local += 1 }
            }
        }
        if pipeline > 1 {
            let localSeconds = roofline.pointToPointSeconds(bytes: transferBytes, crossesNodes: false)
            let crossingSeconds = roofline.pointToPointSeconds(bytes: transferBytes, crossesNodes: true)
            recordSync(.messagePass, .pointToPoint, seconds: localSeconds, participants: 2, bytes: transferBytes, multiplicity: local)
            recordSync(.messagePass, .pointToPoint, seconds: crossingSeconds, participants: 2, bytes: transferBytes, multiplicity: crossing)
            passSeconds += local * localSeconds + crossing * crossingSeconds
        }

        let memory = try memoryFootprint(heaviest: heaviestStage, activations: activations, totalWeightBytes: totalWeightBytes,
                                         totalKVBytes: totalKVBytes)

        // Prefill: the whole batch, its micro-batches pipelined. Decode: a sequence advances once per
        // pass, or once per round of all micro-batches through the slowest stage when that is longer.
        let batch = Double(request.batchSize)
        let seconds = phase == .prefill
            ? passSeconds + Double(microBatches - 1) * slowestStage
            : max(passSeconds, Double(microBatches) * slowestStage)
        let latencyMs = Units.milliseconds(fromSeconds: seconds)
        let requestsPerSecond = batch / seconds
        let tokensPerSecond = phase == .prefill ? requestsPerSecond * inputTokens : requestsPerSecond * Double(request.beamSize)
        return PhaseEstimate(
            phase: phase, latencyMs: latencyMs, throughputRequestsPerSecond: requestsPerSecond,
            throughputTokensPerSecond: tokensPerSecond, batchSize: request.batchSize, microBatchSize: Int.clamping(requests, low: 1, high: request.batchSize),
            microBatches: microBatches, memory: memory, breakdown: breakdown, operators: rowsTable, warnings: warnings)
    }

    /// Tokens cached per layer on one device, for global and sliding-window layers: every request of
    /// the batch, its prompt once and each beam's generated tokens (decode), capped at the window.
    func cachedTokens() -> (global: Double, window: Double) {
        // With attention data parallelism a device caches its own rank's requests only.
        let batch = Double((request.batchSize + dataParallel - 1) / dataParallel)
        let beams = Double(request.beamSize)
        let generated = phase == .decode ? Double(outputTokens) : 0
        let global = batch * inputTokens + batch * beams * generated
        guard let window = slidingWindow.map(Double.init) else { return (global, global) }
        let perSequence = min(inputTokens + generated, window)
        return (global, phase == .decode ? batch * beams * perSequence : batch * perSequence)
    }

    /// Peak activations of one device: the widest intermediate of one micro-batch's tokens, four
    /// hidden-sized buffers (residual, normalised input, attention output, FFN output) and the logits.
    func activationPeakBytes() -> Double {
        let logitRows = phase == .decode ? rows : requests
        return tokens * (4 * hidden + widestActivation()) * activationBytes + logitRows * vocabShard * 4
    }

    func memoryFootprint(heaviest: (bytes: Double, weights: Double, kv: Double), activations: Double, totalWeightBytes: Double,
                         totalKVBytes: Double) throws(PlannerError) -> MemoryFootprint {
        let hardware = request.hardware
        let deviceMiB = Units.mib(fromGiB: hardware.memoryGiB)
        let usableMiB = deviceMiB * hardware.usableMemoryFraction
        let memory = MemoryFootprint(
            weightsMiB: totalWeightBytes / Units.bytesPerMiB, kvCacheMiB: totalKVBytes / Units.bytesPerMiB,
            capacityMiB: usableMiB * Double(pipeline), perDeviceMiB: heaviest.bytes / Units.bytesPerMiB,
            deviceCapacityMiB: usableMiB, activationsMiB: activations / Units.bytesPerMiB)
        if memory.perDeviceMiB > usableMiB {
            let activationsGiB = (activations / Units.bytesPerGiB * 1000).rounded() / 1000
            throw .doesNotFit(
                capacityMiB: usableMiB, weightsMiB: heaviest.weights / Units.bytesPerMiB, kvCacheMiB: heaviest.kv / Units.bytesPerMiB,
                detail: "default profile: one device of the heaviest of \(pipeline) pipeline stage(s), plus activations \(activationsGiB) GiB, "
                    + "against usable_memory_fraction \(hardware.usableMemoryFraction) x \(hardware.memoryGiB) GiB on \(hardware.name); "
                    + "use more tensor/pipeline/expert parallelism, a smaller batch or context, or fewer bits")
        }
        return memory
    }
}
