/// Accumulates GenZ roofline times, memory and the runtime breakdown operator by operator.
///
/// Every `count` is the operator's multiplicity. Times follow GenZ §5: compute = MACs x precision
/// multiplier / (peak MAC/s); memory = bytes of each tensor / the bandwidth where it lives
/// (off-chip HBM or on-chip SRAM), and zero when the operator does no arithmetic; communication
/// from the collective formulas; an operator takes the largest of the three.
struct GraphBuilder {
    private let macsPerSecond: Double
    private let computeMultiplier: Double
    private let bytesPerElement: Double
    private let offChipBytesPerSecond: Double
    private let onChipBytesPerSecond: Double
    private let linkBytesPerSecond: Double
    private let linkLatencySeconds: Double
    private let keepRows: Bool

    private(set) var rows: [OperatorRow] = []
    private(set) var latencyMs: Double = 0
    private(set) var weightBytes: Double = 0
    private(set) var kvCacheBytes: Double = 0
    private(set) var breakdown = RuntimeBreakdown()

    init(hardware: HardwareSpec, precision: Precision, keepRows: Bool) {
        macsPerSecond = Units.macsPerSecond(tflops: hardware.flopsTFLOPS)
        computeMultiplier = precision.computeMultiplier
        bytesPerElement = precision.bytesPerElement
        offChipBytesPerSecond = Units.bytesPerSecond(gbps: hardware.memoryBandwidthGBps)
        onChipBytesPerSecond = Units.bytesPerSecond(gbps: hardware.onChipBandwidthGBps)
        linkBytesPerSecond = Units.bytesPerSecond(gbps: hardware.interconnectGBps)
        linkLatencySeconds = hardware.interconnectLatencyUs * Units.secondsPerMicrosecond
        self.keepRows = keepRows
        if keepRows { rows.reserveCapacity(24) }
    }

    /// A matrix multiply: input B x K x N, weights M x K, output B x M x N; MACs = B·M·N·K.
    /// Weights are always off-chip; input and output are on-chip when `activationsOnChip`.
    mutating func gemm(_ name: OperatorName, batch: Double, m: Double, n: Double, k: Double, count: Double,
                       activationsOnChip: Bool = false) {
        let input = batch * k * n
        let weights = m * k
        let output = batch * m * n
        let activationBandwidth = activationsOnChip ? onChipBytesPerSecond : offChipBytesPerSecond
        let memorySeconds = bytesPerElement * ((input + output) / activationBandwidth + weights / offChipBytesPerSecond)
        weightBytes += weights * bytesPerElement * count
        record(name, .gemm, count: count, macs: batch * m * n * k, tensors: (input, weights, output),
               memorySeconds: memorySeconds)
    }

    /// Attention scores (`.logit`: query x key cache -> scores) or outputs (`.attend`: scores x value
    /// cache -> output) for `heads` query heads sharing `kvHeads` cache heads. The cache is off-chip;
    /// scores are always on-chip; query/output are on-chip when `activationsOnChip` (decode).
    mutating func attention(_ name: OperatorName, _ kind: OperatorKind, batch: Double, heads: Double, m: Double, n: Double,
                            headDim: Double, kvHeads: Double, activationsOnChip: Bool, count: Double) {
        let cache = batch * kvHeads * n * headDim
        let scores = batch * heads * m * n
        let activations = batch * heads * m * headDim
        let activationBandwidth = activationsOnChip ? onChipBytesPerSecond : offChipBytesPerSecond
        let memorySeconds = bytesPerElement
            * (activations / activationBandwidth + cache / offChipBytesPerSecond + scores / onChipBytesPerSecond)
        kvCacheBytes += cache * bytesPerElement * count
        let tensors = kind == .logit ? (activations, cache, scores) : (scores, cache, activations)
        record(name, kind, count: count, macs: batch * heads * m * n * headDim, tensors: tensors, memorySeconds: memorySeconds)
    }

    /// A collective over `participants` devices moving `elements` elements per device.
    mutating func sync(_ name: OperatorName, _ collective: Collective, elements: Double, participants: Int, count: Double) {
        let bytes = elements * bytesPerElement
        let seconds = Collectives.seconds(collective, bytes: bytes, participants: participants,
                                             linkBytesPerSecond: linkBytesPerSecond, linkLatencySeconds: linkLatencySeconds)
        let ms = Units.milliseconds(fromSeconds: seconds)
        accumulate(name, totalMs: ms * count)
        if keepRows {
            rows.append(OperatorRow(
                name: name, kind: .sync, multiplicity: count, macs: 0, inputElements: 0, weightElements: 0, outputElements: 0,
                collective: collective, participants: participants, payloadBytes: bytes, computeMs: 0, memoryMs: 0,
                communicationMs: ms, latencyMs: ms, bound: .collective))
        }
    }

    private mutating func record(_ name: OperatorName, _ kind: OperatorKind, count: Double, macs: Double,
                                 tensors: (Double, Double, Double), memorySeconds: Double) {
        let computeSeconds = macs * computeMultiplier / macsPerSecond
        let memory = computeSeconds == 0 ? 0 : memorySeconds
        let ms = Units.milliseconds(fromSeconds: max(computeSeconds, memory))
        accumulate(name, totalMs: ms * count)
        if keepRows {
            let bound: Bound = memory == 0 ? (computeSeconds > 0 ? .compute : .collective)
                : (computeSeconds > memory ? .compute : (computeSeconds > 0 ? .memory : .collective))
            rows.append(OperatorRow(
                name: name, kind: kind, multiplicity: count, macs: macs, inputElements: tensors.0, weightElements: tensors.1,
                outputElements: tensors.2, collective: nil, participants: 1, payloadBytes: 0,
                computeMs: Units.milliseconds(fromSeconds: computeSeconds), memoryMs: Units.milliseconds(fromSeconds: memory),
                communicationMs: 0, latencyMs: ms, bound: bound))
        }
    }

    /// Adds `totalMs` to the latency and to GenZ's breakdown buckets (§9).
    private mutating func accumulate(_ name: OperatorName, totalMs: Double) {
        latencyMs += totalMs
        breakdown.add(name, totalMs: totalMs)
    }
}

extension RuntimeBreakdown {
    /// Adds `totalMs` of operator `name` to GenZ's breakdown buckets (§9); every profile uses this map.
    mutating func add(_ name: OperatorName, totalMs: Double) {
        switch name {
        case .embeddings, .classifier:
            self.embeddingMs += totalMs; self.embeddingLayersMs += totalMs
        case .embeddingAllReduce, .classifierAllGather:
            self.embeddingMs += totalMs; self.collectiveMs += totalMs; self.allReduceMs += totalMs
        case .qkv, .outProjection:
            self.attentionMs += totalMs; self.qkvoMs += totalMs
        case .logit, .attend, .logitPrefix, .logitSuffix, .attendPrefix, .attendSuffix, .attention:
            self.attentionMs += totalMs; self.logitAttendMs += totalMs
        case .latentUp:
            self.attentionMs += totalMs; self.qkvoMs += totalMs
        case .elementwise:
            self.attentionMs += totalMs
        case .attentionAllReduce:
            self.attentionMs += totalMs; self.collectiveMs += totalMs; self.allReduceMs += totalMs
        case .gate, .upGate, .down, .unusedUpGate, .unusedDown, .sharedUpGate, .sharedDown, .denseUpGate, .denseDown:
            self.ffnMs += totalMs; self.ffnLayersMs += totalMs
        case .gateAllReduce, .ffnAllReduce:
            self.ffnMs += totalMs; self.collectiveMs += totalMs; self.allReduceMs += totalMs
        case .dispatchAllToAll, .collectAllToAll:
            self.ffnMs += totalMs; self.collectiveMs += totalMs; self.allToAllMs += totalMs
        case .messagePass:
            self.collectiveMs += totalMs; self.sendRecvMs += totalMs
        }
    }
}

/// GenZ's collective cost formulas (§6).
public enum Collectives {
    /// Time of one collective in seconds: ring all-reduce, all-gather, all-to-all (GenZ uses the
    /// all-gather formula) and a point-to-point pass between pipeline stages.
    /// - Parameters:
    ///   - bytes: payload per device.
    ///   - participants: devices in the group (a group of one costs nothing, except point-to-point).
    public static func seconds(_ collective: Collective, bytes: Double, participants: Int,
                               linkBytesPerSecond: Double, linkLatencySeconds: Double) -> Double {
        let fixedSeconds = 5e-6
        let n = Double(participants)
        switch collective {
        case .allReduce:
            if participants <= 1 || bytes == 0 { return 0 }
            return fixedSeconds + 2 * (n - 1) * linkLatencySeconds + 2 * (n - 1) * (bytes / n) / linkBytesPerSecond
        case .allGather, .allToAll:
            if participants <= 1 { return 0 }
            return fixedSeconds + (n - 1) * linkLatencySeconds + (n - 1) * (bytes / n) / linkBytesPerSecond
        case .pointToPoint:
            if bytes == 0 { return 0 }
            return linkLatencySeconds + bytes / linkBytesPerSecond
        }
    }
}
