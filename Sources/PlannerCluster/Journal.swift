import Foundation
import PlannerCore
import PlannerFormats

/// The coordinator's append-only record of completed tasks, for `--resume`.
///
/// Line 1 is a header naming the sweep; each further line is one completed task's summary, written
/// (and flushed) when the task first completes. A torn last line from a crash is ignored on replay.
public final class Journal {
    private let handle: FileHandle
    public let path: String

    /// What a replay recovered.
    public struct Replay {
        public var completed: Set<Int> = []
        public var totals: SweepTotals
    }

    /// Opens `path` for a sweep. With `resume`, an existing journal of the same sweep is replayed
    /// and appended to; without it, any existing file is replaced.
    /// - Throws: ``ClusterError`` when the journal belongs to another sweep or cannot be written.
    public init(path: String, job: SweepJob, resume: Bool) throws {
        self.path = path
        let manager = FileManager.default
        if !(resume && manager.fileExists(atPath: path)) {
            let header = JSONValue.object([
                ("journal", .string("planner/1")), ("sweep_id", .string(job.sweepID)),
                ("count", .int(job.space.count)), ("chunk_size", .int(job.chunkSize)),
            ]).serialized() + "\n"
            guard manager.createFile(atPath: path, contents: Data(header.utf8)) else {
                throw ClusterError.io("cannot create journal '\(path)'")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ClusterError.io("cannot open journal '\(path)' for writing") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Reads back a journal of `job`.
    /// - Throws: ``ClusterError/journalMismatch(_:)`` when the header names another sweep.
    public static func replay(path: String, job: SweepJob) throws -> Replay {
        var replay = Replay(totals: SweepTotals(rankingSize: job.space.spec.rankingSize))
        guard let data = FileManager.default.contents(atPath: path) else { return replay }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first, let header = try? JSONValue.parse(String(first)) else { return replay }
        guard header["sweep_id"]?.stringValue == job.sweepID else {
            throw ClusterError.journalMismatch("journal '\(path)' belongs to sweep \(header["sweep_id"]?.stringValue ?? "?"), "
                + "not \(job.sweepID) (a different specification or engine version); remove it or choose another --journal")
        }
        guard header["chunk_size"]?.intValue == job.chunkSize else {
            throw ClusterError.journalMismatch("journal '\(path)' was written with --chunk-size \(header["chunk_size"]?.intValue ?? 0), "
                + "not \(job.chunkSize); resume with the same --chunk-size")
        }
        let grouped = !job.space.spec.groupBy.isEmpty
        for line in lines.dropFirst() {
            guard let record = try? JSONValue.parse(String(line)), let task = record["task"]?.intValue,
                  task >= 0, task * job.chunkSize < job.space.count, !replay.completed.contains(task) else { continue }
            let start = task * job.chunkSize
            let count = min(job.chunkSize, job.space.count - start)
            var chunk = SweepEvaluator.Chunk(start: start, count: count, rankedCount: record["ranked"]?.intValue ?? 0, skipped: [:],
                                             ranking: SweepRanking(limit: job.space.spec.rankingSize), all: [])
            for (reason, value) in record["skipped"]?.objectMembers ?? [] { chunk.skipped[reason] = value.intValue ?? 0 }
            var valid = true
            for item in record["top"]?.arrayValue ?? [] {
                guard let fields = item.arrayValue, fields.count == 8, let index = fields[0].intValue, let batch = fields[1].intValue,
                      (start..<start + count).contains(index) else { valid = false; break }
                let numbers = fields[2...].map { $0.doubleValue ?? .nan }
                let entry = SweepEntry(index: index, batchSize: batch, ttftMs: numbers[0], averageTPOTMs: numbers[1], totalLatencyMs: numbers[2],
                                       totalThroughputTokensPerSecond: numbers[3], outputThroughputTokensPerSecond: numbers[4],
                                       memoryPerDeviceGiB: numbers[5])
                chunk.ranking.insert(entry, group: grouped ? job.space.groupKey(of: job.space.configuration(at: index)) : "")
            }
            guard valid, chunk.rankedCount + chunk.skipped.values.reduce(0, +) == count else { continue }
            replay.completed.insert(task)
            replay.totals.add(chunk)
        }
        return replay
    }

    /// Appends a completed task and flushes it to disk.
    public func append(task: Int, chunk: SweepEvaluator.Chunk) throws {
        let top: [JSONValue] = chunk.ranking.ordered.map { entry in
            .array([.int(entry.index), .int(entry.batchSize), .double(entry.ttftMs), .double(entry.averageTPOTMs),
                    .double(entry.totalLatencyMs), .double(entry.totalThroughputTokensPerSecond),
                    .double(entry.outputThroughputTokensPerSecond), .double(entry.memoryPerDeviceGiB)])
        }
        let line = JSONValue.object([
            ("task", .int(task)), ("ranked", .int(chunk.rankedCount)),
            ("skipped", .object(chunk.skipped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
            ("top", .array(top)),
        ]).serialized() + "\n"
        try handle.write(contentsOf: Data(line.utf8))
        try handle.synchronize()
    }
}

/// Errors of the cluster layer.
public enum ClusterError: Error, CustomStringConvertible {
    case io(String)
    case journalMismatch(String)
    case transport(String)
    case refused(String)
    case security(String)

    public var description: String {
        switch self {
        case let .io(text), let .journalMismatch(text), let .transport(text), let .refused(text), let .security(text): text
        }
    }
}
