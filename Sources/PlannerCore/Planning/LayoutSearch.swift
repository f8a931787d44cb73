/// Enumerates tensor/pipeline/expert-parallel layouts, precisions and batch sizes that fit a device
/// budget, estimates each, filters by latency targets and ranks by an objective.
///
/// Layouts: every (TP, PP, EP) with TP x PP x EP <= devices (EP > 1 only for MoE models), each with
/// as many data-parallel replicas as fit (`replicas = devices / (TP x PP x EP)`, floored), so the
/// layouts that use all devices are included. Fewer replicas of the same layout have the same
/// per-replica latencies and per-device throughput, so they are not listed separately.
public enum LayoutSearch {
    /// What to rank by.
    public enum Objective: String, Sendable, Hashable, CaseIterable {
        /// Output tokens per second over all replicas, highest first.
        case throughput
        /// Output tokens per second per device used, highest first (the default).
        case throughputPerDevice = "throughput-per-device"
        /// End-to-end request latency (TTFT + decode), lowest first.
        case latency
    }

    /// Which batch sizes to try.
    public enum BatchSizes: Sendable, Hashable {
        /// Powers of two up to the largest batch that fits in memory, that largest batch itself, and
        /// (with latency targets) the largest batch that meets them.
        case auto
        /// Exactly these batch sizes (those that do not fit are skipped and counted).
        case list([Int])
    }

    /// The search space and constraints.
    public struct Options: Sendable, Hashable {
        public var model: ModelSpec
        public var hardware: HardwareSpec
        /// Devices available (>= 1).
        public var devices: Int
        /// Devices per node, for the node count of a layout (>= 1).
        public var devicesPerNode: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var precisions: [Precision]
        /// Upper bound on time to first token, ms.
        public var maxTTFTMs: Double?
        /// Upper bound on time per output token, ms.
        public var maxTPOTMs: Double?
        public var batchSizes: BatchSizes
        /// Largest batch the automatic search tries.
        public var maxBatchSize: Int
        public var objective: Objective
        public var profile: Profile
        /// The serving model candidates are evaluated with (``Serving``).
        public var serving: Serving
        /// Prices per device-hour, for the cost columns (hardware without a price gets none).
        public var prices: PriceList
        /// KV-cache precision when it differs from the weights' (nil: the weights').
        public var kvPrecision: Precision? = nil

        public init(
            model: ModelSpec, hardware: HardwareSpec, devices: Int, devicesPerNode: Int = 8, inputTokens: Int = 2048,
            outputTokens: Int = 256, precisions: [Precision] = [.bf16], maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil,
            batchSizes: BatchSizes = .auto, maxBatchSize: Int = 4096, objective: Objective = .throughputPerDevice,
            profile: Profile = EstimateRequest.defaultProfile, serving: Serving = .staticBatch, prices: PriceList = .shipped
        ) {
            self.model = model
            self.hardware = hardware
            self.devices = devices
            self.devicesPerNode = devicesPerNode
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.precisions = precisions
            self.maxTTFTMs = maxTTFTMs
            self.maxTPOTMs = maxTPOTMs
            self.batchSizes = batchSizes
            self.maxBatchSize = maxBatchSize
            self.objective = objective
            self.profile = profile
            self.serving = serving
            self.prices = prices
        }
    }

    /// One feasible configuration.
    public struct Candidate: Sendable, Hashable {
        public var layout: Parallelism
        /// Data-parallel copies of the layout.
        public var replicas: Int
        /// Devices used: replicas x TP x PP x EP.
        public var devices: Int
        /// Nodes used: devices / devices per node, rounded up.
        public var nodes: Int
        public var precision: Precision
        /// Requests per batch of each replica.
        public var batchSize: Int
        public var ttftMs: Double
        public var tpotMs: Double
        /// TTFT plus all decode steps, ms.
        public var requestLatencyMs: Double
        /// Output tokens per second of all replicas together.
        public var throughputTokensPerSecond: Double
        /// Output tokens per second per device used.
        public var throughputPerDevice: Double
        /// Memory the heaviest device needs (the larger of prefill and decode), GiB.
        public var memoryPerDeviceGiB: Double
        /// True when no other candidate has both more throughput per device and less TPOT.
        public var isPareto: Bool
        /// US dollars per hour for the devices used, when the hardware has a price.
        public var costPerHourUSD: Double? = nil
        /// US dollars per million output tokens at the candidate's full throughput, when priced.
        public var costPerMillionOutputTokensUSD: Double? = nil
    }

    /// The outcome of a search.
    public struct Result: Sendable, Hashable {
        /// Feasible candidates meeting the targets, ranked by the objective (best first), all of them.
        public var candidates: [Candidate]
        /// Layouts enumerated (TP, PP, EP combinations within the budget), before any skip.
        public var layoutsConsidered: Int
        /// Skipped layouts or batch sizes, by reason.
        public var skipped: [String: Int]
        /// End-to-end estimates evaluated.
        public var estimatesEvaluated: Int
        /// Feasible configurations dropped for breaking a latency target.
        public var droppedByTargets: Int
        /// Why nothing qualified, when `candidates` is empty.
        public var explanation: String?
        /// The serving model the figures come from.
        public var serving: Serving
    }

    /// Runs the search.
    /// - Throws: ``PlannerError`` for invalid options (devices < 1, no precision, bad batch sizes or targets).
    public static func run(_ options: Options) throws(PlannerError) -> Result {
        try validate(options)
        var search = Search(options: options)
        switch options.serving {
        case .staticBatch: search.enumerate()
        case .continuous: search.enumerateContinuous()
        }
        return search.finish()
    }

    static func validate(_ options: Options) throws(PlannerError) {
        try options.model.validate()
        try options.hardware.validate()
        if options.devices < 1 || options.devices > 65536 {
            throw .invalidValue(field: "devices", value: "\(options.devices)", allowed: "an integer in 1...65536")
        }
        try PhysicalLimits.devicesPerNode.check(options.devicesPerNode, field: "devices-per-node")
        try PhysicalLimits.inputTokens.check(options.inputTokens, field: "input-tokens")
        try PhysicalLimits.outputTokens.check(options.outputTokens, field: "output-tokens")
        if options.precisions.isEmpty {
            throw .invalidValue(field: "bits", value: "", allowed: "at least one of \(Precision.acceptedNames)")
        }
        if case let .list(sizes) = options.batchSizes, sizes.isEmpty || sizes.contains(where: { !PhysicalLimits.batchSize.contains($0) }) {
            throw .invalidValue(field: "batch-sizes", value: sizes.map(String.init).joined(separator: ","),
                                allowed: "'auto' or a comma-separated list of integers in 1...\(PhysicalLimits.batchSize.high)")
        }
        try LatencyTargets(maxTTFTMs: options.maxTTFTMs, maxTPOTMs: options.maxTPOTMs)
            .validate(ttftField: "max-ttft-ms", tpotField: "max-tpot-ms")
        try PhysicalLimits.batchSize.check(options.maxBatchSize, field: "max-batch-size")
        try options.prices.validate()
        if case .continuous = options.serving {
            if case let .list(sizes) = options.batchSizes {
                throw .invalidValue(field: "batch-sizes", value: sizes.map(String.init).joined(separator: ","),
                                    allowed: "'auto' with continuous batching (the engine chooses the running batch; "
                                        + "use --serving static to estimate fixed batch sizes)")
            }
        }
    }
}

extension LayoutSearch {
    /// Every (TP, PP, EP) with TP x PP x EP <= `devices` (EP > 1 only for MoE models), in the search's
    /// order (TP, then EP, then PP ascending), then for MoE models with `attentionDataParallel` every
    /// attention data-parallel layout DP x TP <= `devices` (DP >= 2, experts over DP x TP devices, no
    /// pipeline: engines run attention DP without it), DP then TP ascending; each with the structural
    /// reason it cannot run (``SkipReason/structural(model:layout:)``) or nil. Layouts that pass may
    /// still fail to fit in memory.
    /// - Parameter attentionDataParallel: include attention-DP layouts (the `default` profile models them; `genz` does not).
    public static func layouts(model: ModelSpec, devices: Int, attentionDataParallel: Bool = false) -> [(layout: Parallelism, skip: String?)] {
        let budget = max(devices, 1)
        let expertDegrees = model.isMoE ? Array(1...budget) : [1]
        var result: [(layout: Parallelism, skip: String?)] = []
        for tensor in 1...budget {
            for expert in expertDegrees where tensor * expert <= budget {
                for pipeline in 1...(budget / (tensor * expert)) {
                    let layout = Parallelism(tensor: tensor, pipeline: pipeline, expert: expert)
                    result.append((layout, SkipReason.structural(model: model, layout: layout)))
                }
            }
        }
        if attentionDataParallel && model.isMoE && budget >= 2 {
            for dataParallel in 2...budget {
                for tensor in 1...(budget / dataParallel) {
                    let layout = Parallelism(tensor: tensor, pipeline: 1, expert: dataParallel * tensor, dataParallel: dataParallel)
                    result.append((layout, SkipReason.structural(model: model, layout: layout)))
                }
            }
        }
        return result
    }

    /// The mutable state of one search.
    struct Search {
        let options: Options
        var feasible: [Candidate] = []
        var layoutsConsidered = 0
        var skipped: [String: Int] = [:]
        var estimates = 0
        var dropped = 0
        /// The configuration closest to fitting: (need / capacity ratio, description).
        var closestToFitting: (ratio: Double, text: String)?
        /// Best latencies among feasible configurations (for explaining unmet targets).
        var bestTTFT: (ms: Double, text: String)?
        var bestTPOT: (ms: Double, text: String)?

        init(options: Options) { self.options = options }

        mutating func enumerate() {
            for (layout, structural) in LayoutSearch.layouts(model: options.model, devices: options.devices,
                                                             attentionDataParallel: options.profile == .default) {
                layoutsConsidered += 1
                if let reason = structural { skip(reason); continue }
                for precision in options.precisions {
                    explore(layout, precision: precision)
                }
            }
        }

        mutating func skip(_ reason: String, count: Int = 1) { skipped[reason, default: 0] += count }

        func request(_ layout: Parallelism, _ precision: Precision, batch: Int) -> EstimateRequest {
            Self.request(options, layout, precision, batch: batch)
        }

        static func request(_ options: Options, _ layout: Parallelism, _ precision: Precision, batch: Int) -> EstimateRequest {
            EstimateRequest(
                model: options.model, hardware: options.hardware, batchSize: batch, beamSize: 1, inputTokens: options.inputTokens,
                outputTokens: options.outputTokens, precision: precision, parallelism: layout, profile: options.profile,
                kvPrecision: options.kvPrecision)
        }

        /// The estimate of one batch size, or the error (memory or otherwise).
        mutating func evaluate(_ layout: Parallelism, _ precision: Precision, batch: Int) -> Swift.Result<EndToEndEstimate, PlannerError> {
            estimates += 1
            let request = request(layout, precision, batch: batch)
            return Swift.Result { () throws(PlannerError) -> EndToEndEstimate in try Estimator.endToEnd(request, operators: false) }
        }

        mutating func explore(_ layout: Parallelism, precision: Precision) {
            var cache: [Int: EndToEndEstimate] = [:]
            switch evaluate(layout, precision, batch: 1) {
            case let .success(estimate):
                cache[1] = estimate
            case let .failure(error):
                classify(error, layout: layout, precision: precision)
                return
            }
            var batches: [Int]
            switch options.batchSizes {
            case let .list(sizes):
                batches = Array(Set(sizes)).sorted()
            case .auto:
                let largest = largestBatch(layout, precision, cache: &cache, requireTargets: false)
                batches = []
                var power = 1
                while power < largest { batches.append(power); power *= 2 }
                batches.append(largest)
                if options.maxTTFTMs != nil || options.maxTPOTMs != nil {
                    let meeting = largestBatch(layout, precision, cache: &cache, upTo: largest, requireTargets: true)
                    if meeting >= 1, !batches.contains(meeting) { batches.append(meeting) }
                }
                batches.sort()
            }
            for batch in batches {
                let estimate: EndToEndEstimate
                if let cached = cache[batch] {
                    estimate = cached
                } else {
                    switch evaluate(layout, precision, batch: batch) {
                    case let .success(value): estimate = value; cache[batch] = value
                    case .failure: skip(SkipReason.batchMemory); continue
                    }
                }
                let candidate = makeCandidate(layout, precision, batch: batch, estimate: estimate).priced(options.prices, hardware: options.hardware.name)
                noteBest(candidate)
                if meetsTargets(estimate) { feasible.append(candidate) } else { dropped += 1 }
            }
        }

        /// The largest batch up to `limit` that fits (and, with `requireTargets`, meets the targets); 0 if none.
        mutating func largestBatch(_ layout: Parallelism, _ precision: Precision, cache: inout [Int: EndToEndEstimate],
                                   upTo limit: Int? = nil, requireTargets: Bool) -> Int {
            var evaluations = 0
            let options = self.options
            let request = { (batch: Int) in Self.request(options, layout, precision, batch: batch) }
            let found = BatchSearch.largest(
                limit: min(limit ?? options.maxBatchSize, options.maxBatchSize), cache: &cache,
                evaluate: { batch in
                    evaluations += 1
                    return try? Estimator.endToEnd(request(batch), operators: false)
                },
                accept: { estimate in !requireTargets || Self.meets(options, estimate) })
            estimates += evaluations
            return found ?? 0
        }

        func meetsTargets(_ estimate: EndToEndEstimate) -> Bool { Self.meets(options, estimate) }

        static func meets(_ options: Options, _ estimate: EndToEndEstimate) -> Bool {
            LatencyTargets(maxTTFTMs: options.maxTTFTMs, maxTPOTMs: options.maxTPOTMs).areMet(by: estimate)
        }

        func makeCandidate(_ layout: Parallelism, _ precision: Precision, batch: Int, estimate: EndToEndEstimate) -> Candidate {
            let replicas = options.devices / layout.devices
            let devices = replicas * layout.devices
            let throughput = Double(replicas) * estimate.outputThroughputTokensPerSecond
            let memoryMiB = max(estimate.prefill.memory.perDeviceMiB, estimate.decode.memory.perDeviceMiB)
            return Candidate(
                layout: layout, replicas: replicas, devices: devices,
                nodes: (devices + options.devicesPerNode - 1) / options.devicesPerNode, precision: precision, batchSize: batch,
                ttftMs: estimate.ttftMs, tpotMs: estimate.averageTPOTMs, requestLatencyMs: estimate.totalLatencyMs,
                throughputTokensPerSecond: throughput, throughputPerDevice: throughput / Double(devices),
                memoryPerDeviceGiB: memoryMiB / 1024, isPareto: false)
        }

        static func describe(_ layout: Parallelism, _ precision: Precision, batch: Int) -> String {
            "\(layout.label) \(precision.rawValue) batch \(batch)"
        }

        mutating func noteBest(_ candidate: Candidate) {
            let text = Self.describe(candidate.layout, candidate.precision, batch: candidate.batchSize)
            if bestTTFT == nil || candidate.ttftMs < bestTTFT?.ms ?? .infinity { bestTTFT = (candidate.ttftMs, text) }
            if bestTPOT == nil || candidate.tpotMs < bestTPOT?.ms ?? .infinity { bestTPOT = (candidate.tpotMs, text) }
        }

        mutating func classify(_ error: PlannerError, layout: Parallelism, precision: Precision) {
            skip(SkipReason.classify(error, atBatchOne: true))
            if case let .doesNotFit(capacity, weights, kv, _) = error {
                let ratio = (weights + kv) / capacity
                if closestToFitting == nil || ratio < closestToFitting?.ratio ?? .infinity {
                    closestToFitting = (ratio, "\(Self.describe(layout, precision, batch: 1)) needs weights \(gib(weights)) GiB + KV cache "
                        + "\(gib(kv)) GiB against \(gib(capacity)) GiB available")
                }
            }
        }

        func gib(_ mib: Double) -> String {
            let value = (mib / 1024 * 100).rounded() / 100
            return "\(value)"
        }

        mutating func finish() -> Result {
            var ranked = Comparison.stableSorted(feasible, by: ranksBefore)
            markPareto(&ranked)
            var explanation: String?
            if ranked.isEmpty {
                explanation = explain()
            }
            return Result(candidates: ranked, layoutsConsidered: layoutsConsidered, skipped: skipped,
                          estimatesEvaluated: estimates, droppedByTargets: dropped, explanation: explanation,
                          serving: options.serving)
        }

        func explain() -> String {
            if bestTTFT == nil {
                if let closest = closestToFitting {
                    return "no layout fits in memory on \(options.devices) x \(options.hardware.name) "
                        + "(\(options.hardware.memoryGiB) GiB each): the closest, \(closest.text)"
                }
                return "no layout of \(options.model.name) can run on \(options.devices) device(s): "
                    + skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")
            }
            var reasons: [String] = []
            if let limit = options.maxTTFTMs, let best = bestTTFT, best.ms > limit {
                reasons.append("max-ttft-ms \(limit): the lowest TTFT of any fitting configuration is "
                    + "\((best.ms * 100).rounded() / 100) ms (\(best.text))")
            }
            if let limit = options.maxTPOTMs, let best = bestTPOT, best.ms > limit {
                reasons.append("max-tpot-ms \(limit): the lowest TPOT of any fitting configuration is "
                    + "\((best.ms * 1000).rounded() / 1000) ms (\(best.text))")
            }
            if reasons.isEmpty {
                reasons.append("no single configuration meets max-ttft-ms and max-tpot-ms together")
            }
            return "no configuration meets the latency targets: " + reasons.joined(separator: "; ")
        }

        /// The objective, then deterministic tie-breakers: fewer devices, smaller TP, PP, EP,
        /// precision order as given, smaller batch.
        func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool {
            switch options.objective {
            case .throughput:
                if a.throughputTokensPerSecond != b.throughputTokensPerSecond { return a.throughputTokensPerSecond > b.throughputTokensPerSecond }
            case .throughputPerDevice:
                if a.throughputPerDevice != b.throughputPerDevice { return a.throughputPerDevice > b.throughputPerDevice }
            case .latency:
                if a.requestLatencyMs != b.requestLatencyMs { return a.requestLatencyMs < b.requestLatencyMs }
            }
            let keyA = (a.devices, a.layout.dataParallel, a.layout.tensor, a.layout.pipeline, a.layout.expert)
            let keyB = (b.devices, b.layout.dataParallel, b.layout.tensor, b.layout.pipeline, b.layout.expert)
            if keyA != keyB { return keyA < keyB }
            let orderA = options.precisions.firstIndex(of: a.precision) ?? 0
            let orderB = options.precisions.firstIndex(of: b.precision) ?? 0
            if orderA != orderB { return orderA < orderB }
            return a.batchSize < b.batchSize
        }

        /// Marks the Pareto frontier of throughput per device (higher is better) against TPOT (lower is better).
        func markPareto(_ candidates: inout [Candidate]) {
            let order = candidates.indices.sorted {
                candidates[$0].tpotMs != candidates[$1].tpotMs ? candidates[$0].tpotMs < candidates[$1].tpotMs
                    : candidates[$0].throughputPerDevice > candidates[$1].throughputPerDevice
            }
            var bestSoFar = -Double.infinity
            var start = 0
            while start < order.count {
                var end = start
                while end < order.count, candidates[order[end]].tpotMs == candidates[order[start]].tpotMs { end += 1 }
                let groupBest = candidates[order[start]].throughputPerDevice
                if groupBest > bestSoFar {
                    for position in start..<end where candidates[order[position]].throughputPerDevice == groupBest {
                        candidates[order[position]].isPareto = true
                    }
                    bestSoFar = groupBest
                }
                start = end
            }
        }
    }
}
