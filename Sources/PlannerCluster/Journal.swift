import Foundation
import PlannerCore
import PlannerFormats
import PlannerWire

/// The coordinator's append-only record of completed tasks, for `--resume`.
///
/// Line 1 is a header naming the job (`{"journal": "planner/2", "kind", "job_id", "count",
/// "chunk_size"}`); each further line is one completed task, `{"task": N, "result": base64 of the
/// RESULT body as the job keeps it (``ClusterJob/journaled(_:)``)}`, written and flushed when the task
/// first completes. Replay rebuilds each task's part with the same checks as a live RESULT, so a
/// torn last line from a crash, or any damaged line, is ignored (its task runs again).
public final class Journal {
    private let handle: FileHandle
    public let path: String
    /// Header format tag.
    static let format = "planner/2"

    /// What a replay recovered.
    public struct Replay<Totals> {
        public var completed: Set<Int> = []
        public var totals: Totals
    }

    /// Opens `path` for a job. With `resume`, an existing journal of the same job is appended to
    /// (replay it first with ``replay(path:job:)``); without it, any existing file is replaced.
    /// - Throws: ``ClusterError`` when the journal cannot be written.
    public init<Job: ClusterJob>(path: String, job: Job, resume: Bool) throws {
        self.path = path
        let manager = FileManager.default
        if !(resume && manager.fileExists(atPath: path)) {
            let header = JSONValue.object([
                ("journal", .string(Self.format)), ("kind", .string(Job.kindName)), ("job_id", .string(job.jobID)),
                ("count", .int(job.unitCount)), ("chunk_size", .int(job.chunkSize)),
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

    /// Reads back a journal of `job`: the tasks it completed and their merged parts.
    /// - Throws: ``ClusterError/journalMismatch(_:)`` when the header names another job or task size.
    public static func replay<Job: ClusterJob>(path: String, job: Job) throws -> Replay<Job.Totals> {
        var replay = Replay(totals: job.emptyTotals())
        guard let data = FileManager.default.contents(atPath: path) else { return replay }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        guard let first = lines.first, let header = try? JSONValue.parse(String(first)) else { return replay }
        guard header["journal"]?.stringValue == Self.format, header["job_id"]?.stringValue == job.jobID else {
            let other = header["job_id"]?.stringValue ?? header["sweep_id"]?.stringValue ?? "?"
            throw ClusterError.journalMismatch("journal '\(path)' belongs to job \(other), not \(Job.kindName) \(job.jobID) (a different "
                + "specification, engine version or journal format); remove it or choose another --journal")
        }
        guard header["chunk_size"]?.intValue == job.chunkSize else {
            throw ClusterError.journalMismatch("journal '\(path)' was written with --chunk-size \(header["chunk_size"]?.intValue ?? 0), "
                + "not \(job.chunkSize); resume with the same --chunk-size")
        }
        for line in lines.dropFirst() {
            guard let record = try? JSONValue.parse(String(line)), let task = record["task"]?.intValue,
                  task >= 0, task < job.taskCount, !replay.completed.contains(task),
                  let encoded = record["result"]?.stringValue, let bytes = Data(base64Encoded: encoded),
                  case let .result(result)? = try? WireCodec.decode([WireCodec.signature, [WireCodec.Command.result.rawValue], Array(bytes)]),
                  let part = try? job.part(of: result, expected: job.range(ofTask: task)) else { continue }
            replay.completed.insert(task)
            job.merge(part, into: &replay.totals)
        }
        return replay
    }

    /// Appends a completed task (its RESULT's protobuf body) and flushes it to disk.
    public func append(task: Int, body: [UInt8]) throws {
        let line = JSONValue.object([("task", .int(task)), ("result", .string(Data(body).base64EncodedString()))]).serialized() + "\n"
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
