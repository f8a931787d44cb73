import Foundation
import PlannerCluster
import PlannerCore
import PlannerWire
import Testing

/// The journal's integrity rules: a checksum per line, a torn last line cut away, damage stops the
/// resume unless repair is asked for.
struct JournalTests {
    static let spec = """
        model: [llama2_7b]
        hardware: [A100_80GB, H100_80GB]
        tensor_parallel: [1, 2, 4]
        batch_size: [1, 8]
        input_tokens: [512]
        output_tokens: [128]
        top: 5
        """

    static func job() throws -> SweepJob { try SweepJob(text: spec, source: "spec", chunkSize: 2) }

    static func result(_ job: SweepJob, task: Int) -> Planner_Wire_V1_Result {
        let range = job.range(ofTask: task)
        var result = job.evaluate(range)
        result.sweepID = job.jobID
        result.taskID = UInt64(task)
        result.start = UInt64(range.lowerBound)
        result.count = UInt64(range.count)
        return result
    }

    /// A journal holding tasks 0, 1 and 2 (of 6), and its path.
    static func written() throws -> (String, SweepJob) {
        let job = try job()
        let path = NSTemporaryDirectory() + "planner-journal-\(UUID().uuidString).journal"
        let journal = try Journal(path: path, job: job, resume: false)
        for task in 0..<3 { try journal.append(task: task, body: WireCodec.body(of: .result(result(job, task: task)))) }
        return (path, job)
    }

    static func text(_ path: String) -> String { String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self) }

    static func corrupt(_ path: String, line: Int, _ edit: (String) -> String) throws {
        var lines = text(path).components(separatedBy: "\n")
        lines[line] = edit(lines[line])
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test func everyLineCarriesItsChecksumAndReplays() throws {
        let (path, job) = try Self.written()
        let lines = Self.text(path).split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].contains("\"journal\":\"planner/3\""))
        for line in lines {
            let checksum = line.prefix(16)
            #expect(checksum.allSatisfy(\.isHexDigit) && line.dropFirst(16).first == " ")
        }
        let replay = try Journal.replay(path: path, job: job)
        #expect(replay.completed == [0, 1, 2] && replay.tornBytes == 0 && replay.droppedRecords == 0)
    }

    @Test func aTornLastLineIsCutAwayBeforeAppending() throws {
        let (path, job) = try Self.written()
        let intact = Self.text(path)
        // A coordinator killed mid-write: half a record, no newline.
        let torn = String(Journal.line("{\"task\":3,\"result\":\"AAAA\"}").prefix(20))
        try (intact + torn).write(toFile: path, atomically: true, encoding: .utf8)
        let (journal, replay) = try Journal.resume(path: path, job: job, repair: false)
        #expect(replay.tornBytes == torn.utf8.count && replay.completed == [0, 1, 2])
        #expect(Self.text(path) == intact)
        // The next record is not glued to the torn one: a later resume sees all four tasks.
        try journal.append(task: 3, body: WireCodec.body(of: .result(Self.result(job, task: 3))))
        #expect(try Journal.replay(path: path, job: job).completed == [0, 1, 2, 3])
    }

    @Test func aGluedLineStopsTheResumeUnlessRepaired() throws {
        let (path, job) = try Self.written()
        // What the old journal did: a torn record with the next one appended to it on the same line.
        try Self.corrupt(path, line: 2) { line in String(line.prefix(30)) + Self.text(path).components(separatedBy: "\n")[3] }
        #expect {
            try Journal.resume(path: path, job: job, repair: false)
        } throws: { error in
            "\(error)".contains("line 3") && "\(error)".contains("checksum") && "\(error)".contains("--resume-repair")
        }
        let (_, replay) = try Journal.resume(path: path, job: job, repair: true)
        #expect(replay.droppedRecords == 1 && replay.completed == [0, 2])
        // Rewritten without the bad record: the next resume is clean.
        let again = try Journal.replay(path: path, job: job)
        #expect(again.droppedRecords == 0 && again.completed == [0, 2])
    }

    @Test func aCorruptRecordStopsTheResumeUnlessRepaired() throws {
        let (path, job) = try Self.written()
        try Self.corrupt(path, line: 1) { line in
            var characters = Array(line)
            characters[characters.count - 5] = characters[characters.count - 5] == "A" ? "B" : "A"
            return String(characters)
        }
        #expect(throws: ClusterError.self) { try Journal.replay(path: path, job: job) }
        let (_, replay) = try Journal.resume(path: path, job: job, repair: true)
        #expect(replay.droppedRecords == 1 && replay.completed == [1, 2])
    }

    @Test func aCorruptHeaderStopsTheResumeUnlessRepaired() throws {
        let (path, job) = try Self.written()
        try Self.corrupt(path, line: 0) { $0.replacingOccurrences(of: "planner/3", with: "planner/9") }
        #expect {
            try Journal.resume(path: path, job: job, repair: false)
        } throws: { error in
            "\(error)".contains("damaged header") && "\(error)".contains(path)
        }
        let (journal, replay) = try Journal.resume(path: path, job: job, repair: true)
        #expect(replay.headerReplaced && replay.droppedRecords == 3 && replay.completed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: path + ".damaged"))
        // New records go under a good header.
        try journal.append(task: 5, body: WireCodec.body(of: .result(Self.result(job, task: 5))))
        #expect(try Journal.replay(path: path, job: job).completed == [5])
    }

    @Test func anOldJournalWithoutChecksumsAndAnotherJobAreRefused() throws {
        let job = try Self.job()
        let path = NSTemporaryDirectory() + "planner-journal-\(UUID().uuidString).journal"
        try "{\"journal\":\"planner/2\",\"job_id\":\"\(job.jobID)\",\"chunk_size\":2}\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect {
            try Journal.replay(path: path, job: job)
        } throws: { error in
            "\(error)".contains("older planner")
        }
        let (written, _) = try Self.written()
        let other = try SweepJob(text: Self.spec + "\nbits: [int8]", source: "spec", chunkSize: 2)
        #expect {
            try Journal.replay(path: written, job: other, repair: true)
        } throws: { error in
            "\(error)".contains("belongs to job")
        }
    }
}
