/// Evaluates configurations of a sweep space: pure, deterministic, safe to call from any thread.
public struct SweepEvaluator: Sendable {
    public let space: SweepSpace

    public init(space: SweepSpace) { self.space = space }

    /// What became of one configuration.
    public enum Outcome: Sendable, Hashable {
        /// Estimated and within the latency targets.
        case ranked(SweepEntry)
        /// Not ranked, with the reason (one of ``SkipReason``'s strings).
        case skipped(String)
    }

    /// The summary of a contiguous index range (one task).
    public struct Chunk: Sendable, Hashable {
        public var start: Int
        public var count: Int
        /// Configurations estimated and within targets.
        public var rankedCount: Int
        /// Skip counts by reason.
        public var skipped: [String: Int]
        /// The best entries of the range (per group).
        public var ranking: SweepRanking
        /// Every ranked entry in index order, only when the spec keeps `all`.
        public var all: [SweepEntry]

        public init(start: Int, count: Int, rankedCount: Int, skipped: [String: Int], ranking: SweepRanking, all: [SweepEntry]) {
            self.start = start
            self.count = count
            self.rankedCount = rankedCount
            self.skipped = skipped
            self.ranking = ranking
            self.all = all
        }
    }

    /// Evaluates one configuration.
    public func evaluate(_ index: Int) -> Outcome {
        evaluate(space.configuration(at: index))
    }

    /// Evaluates one configuration of the space.
    public func evaluate(_ configuration: SweepSpace.Configuration) -> Outcome {
        let index = configuration.index
        let spec = space.spec
        if let budget = spec.maxDevices, configuration.parallelism.devices > budget { return .skipped(SkipReason.deviceBudget) }
        if let reason = SkipReason.structural(model: configuration.model, layout: configuration.parallelism) { return .skipped(reason) }
        let estimate: EndToEndEstimate
        let batchSize: Int
        switch configuration.batch {
        case let .fixed(size):
            do {
                estimate = try Estimator.endToEnd(configuration.request(batchSize: size), operators: false)
            } catch {
                return .skipped(SkipReason.classify(error, atBatchOne: size == 1))
            }
            batchSize = size
            if !spec.targets.areMet(by: estimate) { return .skipped(SkipReason.targets) }
        case .auto:
            let first: EndToEndEstimate
            do {
                first = try Estimator.endToEnd(configuration.request(batchSize: 1), operators: false)
            } catch {
                return .skipped(SkipReason.classify(error, atBatchOne: true))
            }
            if !spec.targets.areMet(by: first) { return .skipped(SkipReason.targets) }
            var cache: [Int: EndToEndEstimate] = [1: first]
            let targets = spec.targets
            let found = BatchSearch.largest(
                limit: spec.maxAutoBatchSize, cache: &cache,
                evaluate: { try? Estimator.endToEnd(configuration.request(batchSize: $0), operators: false) },
                accept: { targets.areMet(by: $0) }) ?? 1
            batchSize = found
            estimate = cache[found] ?? first
        }
        return .ranked(SweepEntry(
            index: index, batchSize: batchSize, ttftMs: estimate.ttftMs, averageTPOTMs: estimate.averageTPOTMs,
            totalLatencyMs: estimate.totalLatencyMs, totalThroughputTokensPerSecond: estimate.totalThroughputTokensPerSecond,
            outputThroughputTokensPerSecond: estimate.outputThroughputTokensPerSecond,
            memoryPerDeviceGiB: max(estimate.prefill.memory.perDeviceMiB, estimate.decode.memory.perDeviceMiB) / 1024,
            rankKey: space.rankKey(totalTokensPerSecond: estimate.totalThroughputTokensPerSecond,
                                   outputTokensPerSecond: estimate.outputThroughputTokensPerSecond, ttftMs: estimate.ttftMs,
                                   tpotMs: estimate.averageTPOTMs, configuration: configuration)))
    }

    /// Evaluates `range` and summarises it.
    public func run(_ range: Range<Int>) -> Chunk {
        var chunk = Chunk(start: range.lowerBound, count: range.count, rankedCount: 0, skipped: [:],
                          ranking: SweepRanking(limit: space.spec.rankingSize), all: [])
        let keepAll = space.spec.keep == .all
        let grouped = !space.spec.groupBy.isEmpty
        for index in range {
            let configuration = space.configuration(at: index)
            switch evaluate(configuration) {
            case let .ranked(entry):
                chunk.rankedCount += 1
                chunk.ranking.insert(entry, group: grouped ? space.groupKey(of: configuration) : "")
                if keepAll { chunk.all.append(entry) }
            case let .skipped(reason):
                chunk.skipped[reason, default: 0] += 1
            }
        }
        return chunk
    }
}

/// The merged state of a sweep: what tasks have reported so far.
public struct SweepTotals: Sendable, Hashable {
    /// Configurations accounted for (ranked + skipped).
    public var evaluated = 0
    public var ranked = 0
    public var skipped: [String: Int] = [:]
    public var ranking: SweepRanking

    public init(rankingSize: Int) { ranking = SweepRanking(limit: rankingSize) }

    /// Adds one task's summary (call once per task).
    public mutating func add(_ chunk: SweepEvaluator.Chunk) {
        evaluated += chunk.count
        ranked += chunk.rankedCount
        for (reason, count) in chunk.skipped { skipped[reason, default: 0] += count }
        ranking.merge(chunk.ranking)
    }
}
