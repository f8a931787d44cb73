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

    /// Skip reasons a sweep worker can report (``SkipReason``'s strings).
    static let sweepSkipReasons: Set<String> = [
        SkipReason.heads, SkipReason.experts, SkipReason.denseExperts, SkipReason.layers, SkipReason.memory,
        SkipReason.batchMemory, SkipReason.deviceBudget, SkipReason.targets, SkipReason.other,
    ]

    /// Rebuilds a task summary from a RESULT, checking it against the space and the expected range.
    /// - Throws: ``ResultViolation`` naming the first inconsistency: wrong range, indices outside it
    ///   or repeated, counts that do not add up, unknown skip reasons, figures that are not finite and
    ///   non-negative.
    static func chunk(_ wire: Planner_Wire_V1_Result, space: SweepSpace, expected: Range<Int>) throws(ResultViolation) -> SweepEvaluator.Chunk {
        guard wire.start == UInt64(expected.lowerBound), wire.count == UInt64(expected.count) else {
            throw ResultViolation("range \(wire.start)+\(wire.count) is not the task's \(expected.lowerBound)+\(expected.count)")
        }
        guard wire.ranked <= UInt64(expected.count) else { throw ResultViolation("ranked \(wire.ranked) > \(expected.count) configurations") }
        var skipped: [String: Int] = [:]
        var total = Int(wire.ranked)
        for skip in wire.skipped {
            guard Self.sweepSkipReasons.contains(skip.reason) else {
                throw ResultViolation("unknown skip reason '\(skip.reason.prefix(80))'")
            }
            guard skip.count >= 1, skip.count <= UInt64(expected.count), skipped[skip.reason] == nil else {
                throw ResultViolation("skip count \(skip.count) for '\(skip.reason)' (repeated, zero or over the task's size)")
            }
            skipped[skip.reason] = Int(skip.count)
            total += Int(skip.count)
        }
        guard total == expected.count else {
            throw ResultViolation("ranked + skipped = \(total), not the task's \(expected.count) configurations")
        }
        let keepsAll = space.spec.keep == .all
        guard wire.top.count <= total, wire.top.count <= Int(wire.ranked) else {
            throw ResultViolation("\(wire.top.count) top entries for \(wire.ranked) ranked configurations")
        }
        // A journal keeps a `top: all` RESULT without its `all` entries (they went to the --out file).
        guard keepsAll ? (wire.all.isEmpty || wire.all.count == Int(wire.ranked)) : wire.all.isEmpty else {
            throw ResultViolation("\(wire.all.count) 'all' entries for \(wire.ranked) ranked configurations (keep \(keepsAll ? "all" : "top"))")
        }
        var ranking = SweepRanking(limit: space.spec.rankingSize)
        let grouped = !space.spec.groupBy.isEmpty
        var seen = Set<Int>()
        for item in wire.top {
            var value = try checked(item, expected: expected)
            value.rankKey = space.rankKey(of: value)
            guard seen.insert(value.index).inserted else { throw ResultViolation("index \(value.index) repeated in the top entries") }
            ranking.insert(value, group: grouped ? space.groupKey(of: space.configuration(at: value.index)) : "")
        }
        var all: [SweepEntry] = []
        all.reserveCapacity(wire.all.count)
        seen.removeAll(keepingCapacity: true)
        for item in wire.all {
            var value = try checked(item, expected: expected)
            value.rankKey = space.rankKey(of: value)
            guard seen.insert(value.index).inserted else { throw ResultViolation("index \(value.index) repeated in the 'all' entries") }
            all.append(value)
        }
        return SweepEvaluator.Chunk(start: expected.lowerBound, count: expected.count, rankedCount: Int(wire.ranked),
                                    skipped: skipped, ranking: ranking, all: all)
    }

    /// One entry, checked: index inside the task, batch size >= 1, every figure finite and >= 0.
    static func checked(_ wire: Planner_Wire_V1_Entry, expected: Range<Int>) throws(ResultViolation) -> SweepEntry {
        guard wire.index >= UInt64(expected.lowerBound), wire.index < UInt64(expected.upperBound) else {
            throw ResultViolation("index \(wire.index) outside the task's range \(expected.lowerBound)..<\(expected.upperBound)")
        }
        guard wire.batchSize >= 1 else { throw ResultViolation("batch size 0 at index \(wire.index)") }
        let figures: [(String, Double)] = [
            ("ttft_ms", wire.ttftMs), ("average_tpot_ms", wire.averageTpotMs), ("total_latency_ms", wire.totalLatencyMs),
            ("total_throughput_tok_s", wire.totalThroughputTokS), ("output_throughput_tok_s", wire.outputThroughputTokS),
            ("memory_per_device_gib", wire.memoryPerDeviceGib),
        ]
        for (name, value) in figures where !(value.isFinite && value >= 0) {
            throw ResultViolation("\(name) = \(value) at index \(wire.index) (allowed: finite, >= 0)")
        }
        return entry(wire)
    }
}
