/// One ranked configuration of a sweep: its index in the space and its figures.
public struct SweepEntry: Sendable, Hashable {
    /// Index in the ``SweepSpace`` (identifies the configuration).
    public var index: Int
    /// Batch size evaluated (the resolved value for `auto`).
    public var batchSize: Int
    public var ttftMs: Double
    public var averageTPOTMs: Double
    /// TTFT + all decode steps, ms.
    public var totalLatencyMs: Double
    /// Input + output tokens per second (the Python API's `total_throughput`): the ranking key.
    public var totalThroughputTokensPerSecond: Double
    /// Output tokens per second.
    public var outputThroughputTokensPerSecond: Double
    /// Memory of the heaviest device, GiB.
    public var memoryPerDeviceGiB: Double
    /// The ranking key, higher first (``RankObjective/key(totalTokensPerSecond:outputTokensPerSecond:ttftMs:tpotMs:devices:usdPerDeviceHour:)``,
    /// computed from the figures and the configuration by whoever builds the entry; not sent on the wire).
    public var rankKey: Double

    public init(index: Int, batchSize: Int, ttftMs: Double, averageTPOTMs: Double, totalLatencyMs: Double,
                totalThroughputTokensPerSecond: Double, outputThroughputTokensPerSecond: Double, memoryPerDeviceGiB: Double,
                rankKey: Double? = nil) {
        self.rankKey = rankKey ?? totalThroughputTokensPerSecond
        self.index = index
        self.batchSize = batchSize
        self.ttftMs = ttftMs
        self.averageTPOTMs = averageTPOTMs
        self.totalLatencyMs = totalLatencyMs
        self.totalThroughputTokensPerSecond = totalThroughputTokensPerSecond
        self.outputThroughputTokensPerSecond = outputThroughputTokensPerSecond
        self.memoryPerDeviceGiB = memoryPerDeviceGiB
    }

    /// The ranking order: higher ``rankKey`` first (total throughput unless the sweep ranks by
    /// another objective), then lower index. A strict total order, so merging rankings in any order
    /// gives the same result.
    @inlinable public func ranksBefore(_ other: SweepEntry) -> Bool {
        if rankKey != other.rankKey { return rankKey > other.rankKey }
        return index < other.index
    }
}

/// The best entries of a sweep, per group, bounded in size.
///
/// `insert` and `merge` are order-independent (the order of ``SweepEntry/ranksBefore(_:)`` is
/// total), so partial rankings from tasks can be merged in any order, and merging the same task's
/// entries twice is prevented by the caller (task-level deduplication).
public struct SweepRanking: Sendable, Hashable {
    /// Entries kept per group.
    public let limit: Int
    /// Group key -> entries, best first, at most `limit`.
    public private(set) var groups: [String: [SweepEntry]] = [:]

    public init(limit: Int) { self.limit = max(limit, 1) }

    /// Adds an entry to its group, keeping only the best `limit`.
    public mutating func insert(_ entry: SweepEntry, group: String = "") {
        var list = groups[group, default: []]
        if list.count == limit, let last = list.last, !entry.ranksBefore(last) { return }
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle].ranksBefore(entry) { low = middle + 1 } else { high = middle }
        }
        if low < list.count, list[low] == entry { return }
        list.insert(entry, at: low)
        if list.count > limit { list.removeLast() }
        groups[group] = list
    }

    /// Merges another ranking of the same limit.
    public mutating func merge(_ other: SweepRanking) {
        for (group, entries) in other.groups.sorted(by: { $0.key < $1.key }) {
            for entry in entries { insert(entry, group: group) }
        }
    }

    /// Every kept entry of every group, in ranking order.
    public var ordered: [SweepEntry] {
        groups.values.flatMap { $0 }.sorted { $0.ranksBefore($1) }
    }

    /// Number of kept entries over all groups.
    public var count: Int { groups.values.reduce(0) { $0 + $1.count } }
}
