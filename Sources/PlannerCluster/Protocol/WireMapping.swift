import PlannerCore
import PlannerWire

/// Conversions between engine values and wire messages (the only place they meet).
enum WireMapping {
    static func entry(_ entry: SweepEntry) -> Planner_Wire_V1_Entry {
        var wire = Planner_Wire_V1_Entry()
        wire.index = UInt64(entry.index)
        wire.batchSize = UInt32(clamping: entry.batchSize)
        wire.ttftMs = entry.ttftMs
        wire.averageTpotMs = entry.averageTPOTMs
        wire.totalLatencyMs = entry.totalLatencyMs
        wire.totalThroughputTokS = entry.totalThroughputTokensPerSecond
        wire.outputThroughputTokS = entry.outputThroughputTokensPerSecond
        wire.memoryPerDeviceGib = entry.memoryPerDeviceGiB
        return wire
    }

    static func entry(_ wire: Planner_Wire_V1_Entry) -> SweepEntry {
        SweepEntry(index: Int(clamping: wire.index), batchSize: Int(wire.batchSize), ttftMs: wire.ttftMs,
                   averageTPOTMs: wire.averageTpotMs, totalLatencyMs: wire.totalLatencyMs,
                   totalThroughputTokensPerSecond: wire.totalThroughputTokS, outputThroughputTokensPerSecond: wire.outputThroughputTokS,
                   memoryPerDeviceGiB: wire.memoryPerDeviceGib)
    }

    /// A task summary as a RESULT body (the caller stamps the job and task identity and the timing).
    static func result(_ chunk: SweepEvaluator.Chunk) -> Planner_Wire_V1_Result {
        var wire = Planner_Wire_V1_Result()
        wire.start = UInt64(chunk.start)
        wire.count = UInt64(chunk.count)
        wire.ranked = UInt64(chunk.rankedCount)
        wire.skipped = chunk.skipped.sorted { $0.key < $1.key }.map { reason, count in
            var skip = Planner_Wire_V1_SkipCount()
            skip.reason = reason
            skip.count = UInt64(count)
            return skip
        }
        wire.top = chunk.ranking.ordered.map(entry)
        wire.all = chunk.all.map(entry)
        return wire
    }

    /// Rebuilds a task summary from a RESULT, checking it against the space and the expected range.
    /// - Returns: nil when the message is inconsistent (wrong range, indices outside it, counts that do not add up).
    static func chunk(_ wire: Planner_Wire_V1_Result, space: SweepSpace, expected: Range<Int>) -> SweepEvaluator.Chunk? {
        guard wire.start == UInt64(expected.lowerBound), wire.count == UInt64(expected.count) else { return nil }
        var skipped: [String: Int] = [:]
        var total = Int(clamping: wire.ranked)
        for skip in wire.skipped {
            guard skip.count <= UInt64(expected.count), !skip.reason.isEmpty, skip.reason.utf8.count <= 200 else { return nil }
            skipped[skip.reason, default: 0] += Int(skip.count)
            total += Int(skip.count)
        }
        guard total == expected.count else { return nil }
        var ranking = SweepRanking(limit: space.spec.rankingSize)
        let grouped = !space.spec.groupBy.isEmpty
        for item in wire.top {
            let value = entry(item)
            guard expected.contains(value.index) else { return nil }
            ranking.insert(value, group: grouped ? space.groupKey(of: space.configuration(at: value.index)) : "")
        }
        var all: [SweepEntry] = []
        for item in wire.all {
            let value = entry(item)
            guard expected.contains(value.index) else { return nil }
            all.append(value)
        }
        return SweepEvaluator.Chunk(start: expected.lowerBound, count: expected.count, rankedCount: Int(clamping: wire.ranked),
                                    skipped: skipped, ranking: ranking, all: all)
    }
}
