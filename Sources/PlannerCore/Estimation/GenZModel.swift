/// GenZ 0.0.16's model of inference, reproduced formula by formula (`genz` profile).
///
/// The graph is GenZ's: an embedding (prefill only), `L` identical decoder layers, `PP - 1`
/// pipeline transfers and a classifier. Identical layers are evaluated once and multiplied by
/// their count, which gives GenZ's sums (up to floating-point order) at a fraction of the cost.
enum GenZModel {
    /// Largest accepted batch, token count and parallel degree: far beyond any real deployment, and
    /// small enough that every product of them stays exact in `Double`.
    static let maxBatchSize = 1 << 20
    static let maxTokens = 1 << 24
    static let maxParallelDegree = 1 << 16

    static func estimate(_ request: EstimateRequest, phase: Phase, operators: Bool) throws(PlannerError) -> PhaseEstimate {
        var warnings: [String] = request.model.catalogWarnings
        let shape = try validate(request, phase: phase, warnings: &warnings)
        if let kv = request.kvPrecision, kv != request.precision {
            warnings.append("kv_bits \(kv.rawValue) ignored: GenZ stores the KV cache at the weights' precision (\(request.precision.rawValue))")
        }
        if let limit = request.model.maxModelLength, request.inputTokens + request.outputTokens > limit {
            // GenZ estimates past the context length; the `default` profile refuses it.
            warnings.append("input_tokens + output_tokens = \(request.inputTokens + request.outputTokens) exceeds the context length "
                + "of '\(request.model.name)' (\(limit) tokens): GenZ estimates it anyway")
        }
        let model = request.model
        let layout = request.parallelism
        let batch = request.batchSize
        let pipeline = layout.pipeline
        let microBatch = pipeline > 1 ? max(batch / pipeline, 1) : batch
        let microBatches = batch / microBatch
        if pipeline > batch {
            warnings.append("pipeline_parallel \(pipeline) > batch_size \(batch): every micro-batch holds 1 request")
        } else if pipeline > 1 && batch % pipeline != 0 {
            warnings.append("batch_size \(batch) is not a multiple of pipeline_parallel \(pipeline): micro-batch \(microBatch), \(microBatches) micro-batches (GenZ floors)")
        }

        var graph = GraphBuilder(hardware: request.hardware, precision: request.precision, keepRows: operators)
        let layers = Double(model.numLayers)
        let hidden = Double(model.hiddenSize)
        let headDim = Double(model.headDim)
        let heads = Double(shape.headsPerDevice)
        let kvHeads = Double(shape.kvHeadsPerDevice)
        let qkvWidth = (heads + 2 * kvHeads) * headDim
        let ffnShard = Double(shape.ffnPerDevice)
        let ffi = Double(model.numFFI)
        let vocab = Double(model.vocabSize)
        let vocabShard = Double(model.vocabSize / shape.attentionShards)
        let tensor = layout.tensor
        let expert = layout.expert
        let attentionShards = shape.attentionShards
        let experts = Double(model.numExperts)
        let topK = Double(model.expertTopK)

        switch phase {
        case .prefill:
            let rows = Double(microBatch)
            let tokens = Double(request.inputTokens)
            graph.gemm(.embeddings, batch: rows, m: hidden, n: tokens, k: vocabShard, count: 1)
            if attentionShards > 1 {
                graph.sync(.embeddingAllReduce, .allReduce, elements: rows * tokens * hidden, participants: attentionShards, count: 1)
            }
            graph.gemm(.qkv, batch: rows, m: qkvWidth, n: tokens, k: hidden, count: layers)
            graph.attention(.logit, .logit, batch: rows, heads: heads, m: tokens, n: tokens, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: false, count: layers)
            graph.attention(.attend, .attend, batch: rows, heads: heads, m: tokens, n: tokens, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: false, count: layers)
            graph.gemm(.outProjection, batch: rows, m: hidden, n: tokens, k: heads * headDim, count: layers)
            if attentionShards > 1 {
                graph.sync(.attentionAllReduce, .allReduce, elements: rows * tokens * hidden, participants: attentionShards, count: layers)
            }
            if model.isMoE {
                let localExperts = experts / Double(expert)
                let routedTokens = (tokens * topK / experts).rounded(.down)
                graph.gemm(.gate, batch: rows, m: experts, n: tokens, k: Double(model.hiddenSize / tensor), count: layers)
                if tensor > 1 {
                    graph.sync(.gateAllReduce, .allReduce, elements: rows * tokens * experts, participants: tensor, count: layers)
                }
                if expert > 1 {
                    graph.sync(.dispatchAllToAll, .allToAll, elements: rows * tokens * topK * hidden, participants: expert, count: layers)
                }
                graph.gemm(.upGate, batch: rows, m: localExperts * ffnShard * ffi, n: routedTokens, k: hidden, count: layers)
                graph.gemm(.down, batch: rows, m: hidden, n: routedTokens, k: localExperts * ffnShard, count: layers)
                if expert > 1 {
                    graph.sync(.collectAllToAll, .allToAll, elements: rows * tokens * topK * hidden, participants: expert, count: layers)
                }
            } else {
                graph.gemm(.upGate, batch: rows, m: ffnShard * ffi, n: tokens, k: hidden, count: layers)
                graph.gemm(.down, batch: rows, m: hidden, n: tokens, k: ffnShard, count: layers)
            }
            if tensor > 1 {
                graph.sync(.ffnAllReduce, .allReduce, elements: rows * tokens * hidden, participants: tensor, count: layers)
            }
            if pipeline > 1 {
                graph.sync(.messagePass, .pointToPoint, elements: rows * tokens * hidden, participants: 2, count: Double(pipeline - 1))
            }
            graph.gemm(.classifier, batch: rows, m: vocabShard, n: tokens, k: hidden, count: 1)
            if attentionShards > 1 {
                graph.sync(.classifierAllGather, .allGather, elements: rows * tokens * vocab, participants: attentionShards, count: 1)
            }

        case .decode:
            let requests = Double(microBatch)
            let rows = requests * Double(request.beamSize)
            let context = Double(request.inputTokens)
            let generated = Double(request.outputTokens)
            graph.gemm(.qkv, batch: rows, m: qkvWidth, n: 1, k: hidden, count: layers, activationsOnChip: true)
            graph.attention(.logitPrefix, .logit, batch: requests, heads: heads, m: 1, n: context, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: true, count: layers)
            graph.attention(.logitSuffix, .logit, batch: rows, heads: heads, m: 1, n: generated, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: true, count: layers)
            graph.attention(.attendPrefix, .attend, batch: requests, heads: heads, m: 1, n: context, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: true, count: layers)
            graph.attention(.attendSuffix, .attend, batch: rows, heads: heads, m: 1, n: generated, headDim: headDim, kvHeads: kvHeads,
                            activationsOnChip: true, count: layers)
            graph.gemm(.outProjection, batch: rows, m: hidden, n: 1, k: heads * headDim, count: layers, activationsOnChip: true)
            if attentionShards > 1 {
                graph.sync(.attentionAllReduce, .allReduce, elements: rows * hidden, participants: attentionShards, count: layers)
            }
            if model.isMoE {
                let activeExperts = max(1, (model.expertTopK + expert - 1) / expert)
                let unusedExperts = (model.numExperts + expert - 1) / expert - activeExperts
                graph.gemm(.gate, batch: rows, m: experts, n: 1, k: Double(model.hiddenSize / tensor), count: layers)
                if tensor > 1 {
                    graph.sync(.gateAllReduce, .allReduce, elements: rows * hidden, participants: tensor, count: layers)
                }
                if expert > 1 {
                    graph.sync(.dispatchAllToAll, .allToAll, elements: rows * topK * hidden, participants: expert, count: layers)
                }
                let active = Double(activeExperts)
                graph.gemm(.upGate, batch: rows, m: active * ffnShard * ffi, n: 1, k: hidden, count: layers, activationsOnChip: true)
                graph.gemm(.down, batch: rows, m: hidden, n: 1, k: active * ffnShard, count: layers, activationsOnChip: true)
                if unusedExperts > 0 {
                    let unused = Double(unusedExperts)
                    graph.gemm(.unusedUpGate, batch: rows, m: unused * ffnShard * ffi, n: 0, k: hidden, count: layers)
                    graph.gemm(.unusedDown, batch: rows, m: hidden, n: 0, k: unused * ffnShard, count: layers)
                }
                if expert > 1 {
                    graph.sync(.collectAllToAll, .allToAll, elements: rows * topK * hidden, participants: expert, count: layers)
                }
            } else {
                graph.gemm(.upGate, batch: rows, m: ffnShard * ffi, n: 1, k: hidden, count: layers, activationsOnChip: true)
                graph.gemm(.down, batch: rows, m: hidden, n: 1, k: ffnShard, count: layers, activationsOnChip: true)
            }
            if tensor > 1 {
                graph.sync(.ffnAllReduce, .allReduce, elements: rows * hidden, participants: tensor, count: layers)
            }
            if pipeline > 1 {
                graph.sync(.messagePass, .pointToPoint, elements: rows * hidden, participants: 2, count: Double(pipeline - 1))
            }
            graph.gemm(.classifier, batch: rows, m: vocabShard, n: 1, k: hidden, count: 1)
            if attentionShards > 1 {
                graph.sync(.classifierAllGather, .allGather, elements: rows * vocab, participants: attentionShards, count: 1)
            }
        }

        let weightsMiB = graph.weightBytes / Units.bytesPerMiB
        let kvCacheMiB = graph.kvCacheBytes / Units.bytesPerMiB
        let deviceMiB = Units.mib(fromGiB: request.hardware.memoryGiB)
        let memory = MemoryFootprint(
            weightsMiB: weightsMiB, kvCacheMiB: kvCacheMiB, capacityMiB: deviceMiB * Double(pipeline),
            perDeviceMiB: (weightsMiB + kvCacheMiB) / Double(pipeline), deviceCapacityMiB: deviceMiB)
        if memory.capacityMiB < memory.totalMiB {
            throw .doesNotFit(
                capacityMiB: memory.capacityMiB, weightsMiB: memory.weightsMiB, kvCacheMiB: memory.kvCacheMiB,
                detail: "GenZ check: weights and KV cache per tensor/expert shard, summed over \(pipeline) pipeline stage(s), "
                    + "against \(request.hardware.memoryGiB) GiB x \(pipeline) on \(request.hardware.name); "
                    + "use more tensor/pipeline/expert parallelism, a smaller batch or context, or fewer bits")
        }

        let latencyMs = graph.latencyMs
        let throughput: Double
        if pipeline > 1 {
            throughput = Units.millisecondsPerSecond * Double(batch)
                / (Double(microBatches - 1) * latencyMs / Double(pipeline) + latencyMs)
        } else {
            throughput = Units.millisecondsPerSecond * Double(batch) / latencyMs
        }
        let tokensPerSecond = phase == .prefill ? throughput * Double(request.inputTokens) : throughput * Double(request.beamSize)
        return PhaseEstimate(
            phase: phase, latencyMs: latencyMs, throughputRequestsPerSecond: throughput,
            throughputTokensPerSecond: tokensPerSecond, batchSize: batch,
            microBatchSize: microBatch, microBatches: microBatches, memory: memory, breakdown: graph.breakdown,
            operators: graph.rows, warnings: warnings)
    }

    /// Per-device shapes derived from the layout.
    struct Shape {
        /// TP x EP: attention, embedding and classifier are sharded over both.
        var attentionShards: Int
        var headsPerDevice: Int
        var kvHeadsPerDevice: Int
        var ffnPerDevice: Int
    }

    /// Checks every input GenZ would crash on or answer with nonsense.
    static func validate(_ request: EstimateRequest, phase: Phase, warnings: inout [String]) throws(PlannerError) -> Shape {
        let model = request.model
        try request.validateShared(phase: phase)
        let layout = request.parallelism
        let layers = model.numLayers
        let pipeline = layout.pipeline
        let perStage = (layers + pipeline - 1) / pipeline
        let lastStage = layers - perStage * (pipeline - 1)
        if lastStage < 1 {
            throw .invalidParallelism(
                field: "pipeline_parallel", value: pipeline,
                reason: "GenZ gives each of the first \(pipeline - 1) stages ceil(\(layers)/\(pipeline)) = \(perStage) layers, "
                    + "leaving \(lastStage) for the last stage of the \(layers)-layer model '\(model.name)'; "
                    + "allowed: \(validPipelineDegrees(layers: layers).map(String.init).joined(separator: ", "))")
        }

        let expert = layout.expert
        let tensor = layout.tensor
        let shards = tensor * expert
        let heads = max((model.numAttentionHeads + shards - 1) / shards, 1)
        let kvHeads = max((model.numKeyValueHeads + shards - 1) / shards, 1)
        if heads % kvHeads != 0 {
            throw .invalidParallelism(
                field: "tensor_parallel", value: tensor,
                reason: "tensor_parallel x expert_parallel = \(shards) leaves \(heads) query heads and \(kvHeads) KV heads per device "
                    + "(of \(model.numAttentionHeads) and \(model.numKeyValueHeads)); query heads must be a multiple of KV heads. "
                    + "Allowed tensor_parallel x expert_parallel: "
                    + validAttentionShards(model).map(String.init).joined(separator: ", "))
        }
        if model.numAttentionHeads % shards != 0 {
            warnings.append("tensor_parallel x expert_parallel = \(shards) does not divide the \(model.numAttentionHeads) attention heads: "
                + "modelled as \(heads) heads per device, as GenZ does (padding)")
        } else if model.numKeyValueHeads % shards != 0 {
            warnings.append("tensor_parallel x expert_parallel = \(shards) does not divide the \(model.numKeyValueHeads) KV heads: "
                + "modelled as \(kvHeads) KV heads per device (replicated)")
        }
        if model.intermediateSize % tensor != 0 {
            warnings.append("tensor_parallel \(tensor) does not divide intermediate_size \(model.intermediateSize): rounded up per device")
        }
        return Shape(attentionShards: shards, headsPerDevice: heads, kvHeadsPerDevice: kvHeads,
                     ffnPerDevice: max((model.intermediateSize + tensor - 1) / tensor, 1))
    }

    /// Pipeline degrees GenZ can split `layers` layers into (every stage non-empty).
    static func validPipelineDegrees(layers: Int) -> [Int] {
        (1...max(layers, 1)).filter { p in layers - ((layers + p - 1) / p) * (p - 1) >= 1 }
    }

    /// Divisors of the head count for which GenZ's rounded per-device head counts stay consistent.
    static func validAttentionShards(_ model: ModelSpec) -> [Int] {
        divisors(of: model.numAttentionHeads).filter { shards in
            let heads = (model.numAttentionHeads + shards - 1) / shards
            let kvHeads = (model.numKeyValueHeads + shards - 1) / shards
            return heads % kvHeads == 0
        }
    }

    static func divisors(of value: Int) -> [Int] {
        (1...max(value, 1)).filter { value % $0 == 0 }
    }
}
