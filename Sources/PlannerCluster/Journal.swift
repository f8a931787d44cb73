import Foundation
import PlannerCore
import PlannerFormats
import PlannerWire

/// The coordinator's append-only record of completed tasks, for `--resume`.
///
/// Every line is `<checksum> <payload>\n`: the payload is one JSON object and the checksum its
/// FNV-1a 64-bit hash as 16 hex digits. Line 1 is a header naming the job (`{"journal": "planner/3",
/// "kind", "job_id", "count", "chunk_size"}`); each further line is one completed task, `{"task": N,
/// "result": base64 of the RESULT body as the job keeps it (``ClusterJob/journaled(_:)``)}`,
/// written and fsynced (one `fsync` per record) when the task first completes.
///
/// On resume: a last line without its newline (a coordinator killed mid-write) is torn and is
/// truncated away before anything is appended (``Replay/tornBytes``). A header or record that fails
/// its checksum, does not parse, repeats a task or does not rebuild a valid part stops the resume
/// with ``ClusterError/journalCorrupt(_:)``, unless `repair` is given: then the bad records are
/// dropped (``Replay/droppedRecords``), the journal is rewritten without them, and a bad header
/// starts the journal over (the damaged file is kept beside it as `PATH.damaged`).
public final class Journal {
    private let handle: FileHandle
    public let path: String
    /// Header format tag (planner/3: a checksum on every line; planner/2 had none).
    static let format = "planner/3"

    /// What a replay recovered.
    public struct Replay<Totals> {
        public var completed: Set<Int> = []
        public var totals: Totals
        /// Bytes of a torn last line (cut away on resume).
        public var tornBytes = 0
        /// Records dropped by `repair` (bad checksum, unparsable, repeated, inconsistent).
        public var droppedRecords = 0
        /// With `repair`: the header was damaged, so the journal starts over.
        public var headerReplaced = false
        /// The good lines, header first (what a repaired journal is rewritten with).
        var goodLines: [Substring] = []
    }

    /// Opens `path` for a job. With `resume`, an existing journal is appended to (replay it first with
    /// ``resume(path:job:repair:)``, which also cuts a torn last line); without it, any existing file is
    /// replaced.
    /// - Throws: ``ClusterError`` when the journal cannot be written.
    public init<Job: ClusterJob>(path: String, job: Job, resume: Bool) throws {
        self.path = path
        let manager = FileManager.default
        if !(resume && manager.fileExists(atPath: path) && !(Self.isEmptyFile(path))) {
            guard manager.createFile(atPath: path, contents: Data(Self.line(Self.header(job)).utf8)) else {
                throw ClusterError.io("cannot create journal '\(path)'")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ClusterError.io("cannot open journal '\(path)' for writing") }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { try? handle.close() }

    /// Replays the journal of `job` at `path` and makes it safe to append to: a torn last line is
    /// truncated away; with `repair`, bad records are dropped and the file rewritten without them.
    /// - Returns: the open journal and what was recovered.
    /// - Throws: ``ClusterError/journalMismatch(_:)`` for another job or task size,
    ///   ``ClusterError/journalCorrupt(_:)`` for damage without `repair`, ``ClusterError/io(_:)``.
    public static func resume<Job: ClusterJob>(path: String, job: Job, repair: Bool) throws -> (Journal, Replay<Job.Totals>) {
        let replay = try replay(path: path, job: job, repair: repair)
        if replay.headerReplaced {
            try? FileManager.default.removeItem(atPath: path + ".damaged")
            try FileManager.default.moveItem(atPath: path, toPath: path + ".damaged")
        } else if replay.droppedRecords > 0 {
            let text = replay.goodLines.map { $0 + "\n" }.joined()
            let temporary = path + ".repair"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                throw ClusterError.io("cannot write the repaired journal '\(temporary)'")
            }
            _ = rename(temporary, path)
        } else if replay.tornBytes > 0 {
            guard truncate(path, off_t(fileSize(path) - replay.tornBytes)) == 0 else {
                throw ClusterError.io("cannot truncate the torn last line of journal '\(path)': \(String(cString: strerror(errno)))")
            }
        }
        return (try Journal(path: path, job: job, resume: !replay.headerReplaced), replay)
    }

    /// Reads back a journal of `job`: the tasks it completed and their merged parts (nothing is written).
    /// - Parameter repair: drop bad records (and a bad header) instead of throwing.
    /// - Throws: ``ClusterError/journalMismatch(_:)`` when the header names another job or task size;
    ///   ``ClusterError/journalCorrupt(_:)`` for a damaged header or record without `repair`.
    public static func replay<Job: ClusterJob>(path: String, job: Job, repair: Bool = false) throws -> Replay<Job.Totals> {
        var replay = Replay(totals: job.emptyTotals())
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return replay }
        var text = String(decoding: data, as: UTF8.self)
        if let lastNewline = text.lastIndex(of: "\n") {
            let tail = text[text.index(after: lastNewline)...]
            replay.tornBytes = tail.utf8.count
            text = String(text[...lastNewline])
        } else {
            replay.tornBytes = data.count
            text = ""
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        guard let first = lines.first else { return replay }
        let header: JSONValue
        do {
            header = try checkedPayload(first)
        } catch {
            let reason = first.hasPrefix("{") ? "was written by an older planner (its lines carry no checksums)" : "has a damaged header (\(error))"
            guard repair else {
                throw ClusterError.journalCorrupt("journal '\(path)' \(reason); give --resume-repair to start it over (its tasks run "
                    + "again), or remove it")
            }
            replay.headerReplaced = true
            replay.droppedRecords = lines.count - 1
            replay.tornBytes = 0
            return replay
        }
        guard header["journal"]?.stringValue == Self.format, header["job_id"]?.stringValue == job.jobID else {
            let other = header["job_id"]?.stringValue ?? "?"
            throw ClusterError.journalMismatch("journal '\(path)' belongs to job \(other) (format \(header["journal"]?.stringValue ?? "?")), "
                + "not \(Job.kindName) \(job.jobID) (format \(Self.format)): a different specification, engine version or journal "
                + "format; remove it or choose another --journal")
        }
        guard header["chunk_size"]?.intValue == job.chunkSize else {
            throw ClusterError.journalMismatch("journal '\(path)' was written with --chunk-size \(header["chunk_size"]?.intValue ?? 0), "
                + "not \(job.chunkSize); resume with the same --chunk-size")
        }
        replay.goodLines = [first]
        for (offset, line) in lines.dropFirst().enumerated() {
            do {
                let (task, part) = try record(line, job: job, completed: replay.completed)
                replay.completed.insert(task)
                job.merge(part, into: &replay.totals)
                replay.goodLines.append(line)
            } catch {
                guard repair else {
                    throw ClusterError.journalCorrupt("journal '\(path)' line \(offset + 2): \(error); give --resume-repair to drop the "
                        + "bad records (their tasks run again)")
                }
                replay.droppedRecords += 1
            }
        }
        return replay
    }

    /// One record line checked: checksum, JSON, task in range and not seen, a RESULT that rebuilds a valid part.
    private static func record<Job: ClusterJob>(_ line: Substring, job: Job, completed: Set<Int>) throws -> (Int, Job.Part) {
        let record = try checkedPayload(line)
        guard let task = record["task"]?.intValue, task >= 0, task < job.taskCount else {
            throw ClusterError.journalCorrupt("no task number inside 0..<\(job.taskCount)")
        }
        guard !completed.contains(task) else { throw ClusterError.journalCorrupt("task \(task) recorded twice") }
        guard let encoded = record["result"]?.stringValue, let bytes = Data(base64Encoded: encoded),
              case let .result(result)? = try? WireCodec.decode([WireCodec.signature, [WireCodec.Command.result.rawValue], Array(bytes)])
        else { throw ClusterError.journalCorrupt("task \(task): the result is not a RESULT body") }
        do {
            return (task, try job.part(of: result, expected: job.range(ofTask: task)))
        } catch {
            throw ClusterError.journalCorrupt("task \(task): \(error)")
        }
    }

    /// The payload of a `<checksum> <payload>` line, once its checksum matches.
    private static func checkedPayload(_ line: Substring) throws -> JSONValue {
        let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 16 else { throw ClusterError.journalCorrupt("no checksum") }
        let payload = String(parts[1])
        guard ClusterJobs.hash(payload) == parts[0] else {
            throw ClusterError.journalCorrupt("checksum mismatch (\(parts[0]) recorded, \(ClusterJobs.hash(payload)) computed)")
        }
        do {
            return try JSONValue.parse(payload)
        } catch {
            throw ClusterError.journalCorrupt("not JSON")
        }
    }

    /// A payload with its checksum, as one line.
    public static func line(_ payload: String) -> String { ClusterJobs.hash(payload) + " " + payload + "\n" }

    static func header<Job: ClusterJob>(_ job: Job) -> String {
        JSONValue.object([
            ("journal", .string(Self.format)), ("kind", .string(Job.kindName)), ("job_id", .string(job.jobID)),
            ("count", .int(job.unitCount)), ("chunk_size", .int(job.chunkSize)),
        ]).serialized()
    }

    private static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    private static func isEmptyFile(_ path: String) -> Bool { fileSize(path) == 0 }

    /// Appends a completed task (its RESULT's protobuf body) and fsyncs it.
    public func append(task: Int, body: [UInt8]) throws {
        let payload = JSONValue.object([("task", .int(task)), ("result", .string(Data(body).base64EncodedString()))]).serialized()
        try handle.write(contentsOf: Data(Self.line(payload).utf8))
        try handle.synchronize()
    }
}

/// Errors of the cluster layer.
public enum ClusterError: Error, CustomStringConvertible {
    case io(String)
    case journalMismatch(String)
    /// A journal damaged beyond a torn last line (bad checksum, unparsable header or record).
    case journalCorrupt(String)
    case transport(String)
    case refused(String)
    case security(String)
    /// Stopped by a signal (SIGTERM, SIGINT) before the job was complete.
    case interrupted(signal: Int32)

    public var description: String {
        switch self {
        case let .interrupted(signal): "stopped by signal \(signal) before the job was complete"
        case let .io(text), let .journalMismatch(text), let .journalCorrupt(text), let .transport(text), let .refused(text), let .security(text): text
        }
    }
}
