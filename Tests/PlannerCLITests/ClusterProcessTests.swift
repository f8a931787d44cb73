import Foundation
import PlannerCluster
import PlannerCore
import PlannerFormats
import PlannerWire
import Testing
import ZeroMQ

/// `planner coordinate` and `planner worker` as real processes over real sockets. Every run must
/// rank byte-identically to `planner sweep` on the same specification.
@Suite(.serialized)
struct ClusterProcessTests {
    static let spec = """
        model: [llama2_7b, mixtral_8x7b]
        hardware: [A100_80GB, H100_80GB]
        bits: [bf16, int8]
        tensor_parallel: [1, 2, 4, 8]
        pipeline_parallel: [1, 2]
        expert_parallel: [1, 2]
        batch_size: [1, 8, auto]
        input_tokens: [512, 2048]
        output_tokens: [128]
        profile: genz
        top: 25
        """

    /// The reference: `planner sweep` JSON and report.
    static func reference(_ specPath: String) throws -> (json: String, report: String) {
        let report = specPath + ".sweep.md"
        let outcome = try PlannerProcess.run(["sweep", specPath, "--json", "--report", report, "--no-progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return (outcome.stdout, String(decoding: FileManager.default.contents(atPath: report) ?? Data(), as: UTF8.self))
    }

    static func specFile() throws -> String { try PlannerProcess.temporaryFile(spec, suffix: ".yaml") }

    static func journalLines(_ path: String) -> Int {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            .split(separator: "\n").count - 1
    }

    @Test func embeddedDefaultMatchesSweepByteForByte() throws {
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let report = specPath + ".coordinate.md"
        let outcome = try PlannerProcess.run(["coordinate", specPath, "--json", "--local-workers", "3", "--report", report, "--chunk-size", "16",
                                              "--no-progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout == expected.json)
        #expect(String(decoding: FileManager.default.contents(atPath: report) ?? Data(), as: UTF8.self) == expected.report)
        #expect(expected.json.contains("\"total_throughput\""))
    }

    @Test func aKilledWorkerAndALateJoinerLoseNothing() throws {
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "8",
                                                 "--journal", specPath + ".journal", "--verbose", "--heartbeat-ms", "200", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        let doomed = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--task-delay-ms", "40", "--exit-when-done",
                                            "--heartbeat-ms", "200"])
        let steady = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--task-delay-ms", "40", "--exit-when-done",
                                            "--heartbeat-ms", "200"])
        #expect(eventually { Self.journalLines(specPath + ".journal") >= 10 })
        doomed.signal(SIGKILL)
        _ = doomed.wait()
        let late = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--exit-when-done", "--heartbeat-ms", "200"])
        let status = coordinator.wait(timeoutSeconds: 90)
        #expect(status == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected.json)
        #expect(coordinator.stderr.contains("worker lost") || coordinator.stderr.contains("re-dispatched"))
        #expect(steady.wait() == 0 && late.wait() == 0)
    }

    @Test func aKilledCoordinatorResumesWithoutRedoingWork() throws {
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let journal = specPath + ".journal"
        let port = freeLoopbackPort()
        let endpoint = "tcp://127.0.0.1:\(port)"
        let arguments = ["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "8", "--journal", journal, "--verbose",
                         "--heartbeat-ms", "200", "--no-progress"]
        let first = try BackgroundProcess(arguments)
        #expect(first.waitForStderr("listening on"))
        // One worker outlives both coordinators: it reconnects on its own.
        let worker = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--task-delay-ms", "30", "--exit-when-done",
                                            "--heartbeat-ms", "200"])
        #expect(eventually { Self.journalLines(journal) >= 12 })
        first.signal(SIGKILL)
        _ = first.wait()
        let completedBefore = Self.journalLines(journal)
        let second = try BackgroundProcess(arguments + ["--resume"])
        let status = second.wait(timeoutSeconds: 90)
        #expect(status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming: \(completedBefore) task(s) already complete") || completedBefore == 0)
        #expect(second.stdout == expected.json)
        // Every task is journaled exactly once across both runs: 768 configurations / 8 per task.
        let tasks = Self.journaledTasks(journal)
        #expect(tasks.count == 96 && Set(tasks).count == 96)
        #expect(worker.wait() == 0)
    }

    @Test func garbageAndWrongVersionsAreRefusedWithoutHarm() throws {
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "16", "--verbose",
                                                 "--heartbeat-ms", "200", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        let context = try ZMQContext()
        // A rogue DEALER: garbage frames, a bogus result, then a HELLO from another engine version.
        let rogue = try ZMQSocket(context, type: .dealer)
        try rogue.connect(endpoint)
        try rogue.send([Array("garbage".utf8)])
        try rogue.send([WireCodec.signature, [0x42], [1, 2, 3]])
        try rogue.send([WireCodec.signature, [0x05], [0xFF, 0xFF, 0xFF]])
        var hello = Planner_Wire_V1_Hello()
        hello.protocolVersion = WireCodec.protocolVersion
        hello.workerID = "impostor"
        hello.engineVersion = "planner-engine 0 (something else)"
        try rogue.send(WireCodec.encode(.hello(hello)))
        var refusal: String?
        let deadline = Date().addingTimeInterval(10)
        while refusal == nil && Date() < deadline {
            if try rogue.poll(.readable, timeoutMs: 100), let message = try rogue.receive(dontWait: true),
               case let .bye(bye)? = try? WireCodec.decode(message.frames) {
                refusal = bye.text
                #expect(bye.reason == .versionMismatch)
            }
        }
        #expect(refusal?.contains("refused") == true)
        // Raw TCP noise on the same port.
        let parts = endpoint.split(separator: ":")
        let port = UInt16(parts.last ?? "0") ?? 0
        HostileNetworkTests.rawTCP(port: port, (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) })
        // A real worker (another process) still completes the sweep correctly.
        let worker = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--exit-when-done", "--heartbeat-ms", "200"])
        #expect(coordinator.wait(timeoutSeconds: 60) == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected.json)
        #expect(coordinator.stderr.contains("refused: worker impostor"))
        #expect(coordinator.stderr.contains("malformed messages") && !coordinator.stderr.contains("malformed messages 0 "))
        #expect(worker.wait() == 0)
        rogue.close()
    }

    @Test func curveAdmitsOnlyAllowedWorkers() throws {
        let keys = NSTemporaryDirectory() + "planner-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: keys + "/allowed", withIntermediateDirectories: true)
        for (name, folder) in [("coordinator", keys), ("good", keys + "/allowed"), ("bad", keys)] {
            let outcome = try PlannerProcess.run(["keys", "generate", "--name", name, "--dir", folder])
            #expect(outcome.status == 0, "\(outcome.stderr)")
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: keys + "/coordinator.key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "32",
                                                 "--curve-secret-file", keys + "/coordinator.key", "--allow-keys", keys + "/allowed",
                                                 "--journal", specPath + ".journal", "--verbose", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        let intruder = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--server-key", keys + "/coordinator.pub",
                                              "--curve-secret-file", keys + "/bad.key"])
        Thread.sleep(forTimeInterval: 1.5)
        #expect(Self.journalLines(specPath + ".journal") == 0, "an unknown key must not get any task")
        #expect(!coordinator.stderr.contains("worker joined"))
        let good = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--server-key", keys + "/coordinator.pub",
                                          "--curve-secret-file", keys + "/allowed/good.key", "--exit-when-done"])
        #expect(coordinator.wait(timeoutSeconds: 60) == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected.json)
        #expect(good.wait() == 0)
        intruder.signal(SIGTERM)
        #expect(intruder.wait(timeoutSeconds: 10) == 0)
        // Local workers of a CURVE coordinator get a key pair of their own and are admitted.
        let local = try PlannerProcess.run(["coordinate", specPath, "--json", "--local-workers", "2", "--chunk-size", "32",
                                            "--curve-secret-file", keys + "/coordinator.key", "--allow-keys", keys + "/allowed",
                                            "--journal", specPath + ".local.journal", "--no-progress"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout == expected.json)
        // A public bind without keys is refused unless --insecure.
        let open = try PlannerProcess.run(["coordinate", specPath, "--bind", "tcp://0.0.0.0:\(freeLoopbackPort())", "--no-progress"])
        #expect(open.status == 64 && open.stderr.contains("--insecure"))
    }

    @Test func aWorkerStopsCleanlyOnSIGTERM() throws {
        let specPath = try Self.specFile()
        let expected = try Self.reference(specPath)
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "8",
                                                 "--journal", specPath + ".journal", "--verbose", "--heartbeat-ms", "200", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        let leaving = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--task-delay-ms", "50", "--heartbeat-ms", "200"])
        #expect(eventually { Self.journalLines(specPath + ".journal") >= 3 })
        leaving.signal(SIGTERM)
        #expect(leaving.wait(timeoutSeconds: 10) == 0)
        // Normally the BYE arrives ("worker left"); on a loaded machine the coordinator may have given up on
        // the worker first ("worker lost"). Either way its tasks are re-dispatched.
        #expect(eventually { coordinator.stderr.contains("worker left") || coordinator.stderr.contains("worker lost") })
        let finisher = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--exit-when-done", "--heartbeat-ms", "200"])
        #expect(coordinator.wait(timeoutSeconds: 60) == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected.json)
        #expect(finisher.wait() == 0)
    }

    @Test func everyEntryIsStreamedOnceWithTopAll() throws {
        let text = Self.spec.replacingOccurrences(of: "top: 25", with: "top: all\ngroup_by: [model]")
        let specPath = try PlannerProcess.temporaryFile(text, suffix: ".yaml")
        let local = try PlannerProcess.run(["sweep", specPath, "--json", "--out", specPath + ".sweep.jsonl", "--no-progress"])
        #expect(local.status == 0, "\(local.stderr)")
        let distributed = try PlannerProcess.run(["coordinate", specPath, "--json", "--out", specPath + ".coordinate.jsonl", "--local-workers", "2",
                                                  "--chunk-size", "16", "--no-progress"])
        #expect(distributed.status == 0, "\(distributed.stderr)")
        #expect(distributed.stdout == local.stdout)
        func lines(_ path: String) -> [String] {
            String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self).split(separator: "\n").map(String.init)
        }
        let sweepLines = lines(specPath + ".sweep.jsonl")
        let coordinateLines = lines(specPath + ".coordinate.jsonl")
        #expect(!sweepLines.isEmpty && sweepLines.count == Set(sweepLines).count)
        #expect(coordinateLines.sorted() == sweepLines.sorted())
        // Ranked per model group: both models appear in the ranking.
        let ranking = try #require(local.json?.arrayValue)
        #expect(Set(ranking.compactMap { $0["model"]?.stringValue }).count == 2)
    }

    // MARK: - Fleet sizing through the coordinator

    static let fleetWorkload = """
        model: llama2_70b
        rate_rps: 20
        input_tokens: {mean: 1500, p99: 3500}
        output_tokens: 256
        slo: {ttft_p99_ms: 2000, tpot_p99_ms: 50}
        hardware: [A100_80GB, H100_80GB, MI300X]
        """

    static let fleetReports = ["report.json", "report.csv", "report.md", "report.html"]

    static func folderContents(_ folder: String) -> [String: String] {
        var files: [String: String] = [:]
        for name in fleetReports {
            let path = (folder as NSString).appendingPathComponent(name)
            files[name] = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        }
        return files
    }

    /// The reference: `planner fleet` in one process, its stdout (report.json) and the four reports.
    static func fleetReference(_ workload: String) throws -> (json: String, files: [String: String]) {
        let out = NSTemporaryDirectory() + "planner-fleet-local-\(UUID().uuidString)"
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", out, "--json", "--threads", "1", "--no-progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return (outcome.stdout, folderContents(out))
    }

    static func journaledTasks(_ path: String) -> [Int] {
        let lines = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self).split(separator: "\n").dropFirst()
        return lines.compactMap { line -> Int? in
            guard let start = line.range(of: "\"task\":") else { return nil }
            return Int(line[start.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func fleetThroughTheEmbeddedCoordinatorMatchesTheLocalRun() throws {
        let workload = try PlannerProcess.temporaryFile(Self.fleetWorkload, suffix: ".yaml")
        let expected = try Self.fleetReference(workload)
        let out = NSTemporaryDirectory() + "planner-fleet-cluster-\(UUID().uuidString)"
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", out, "--json", "--coordinate", "cluster", "--local-workers", "2",
                                              "--chunk-size", "3", "--verbose", "--no-progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("fleet sizing") && outcome.stderr.contains("worker joined"))
        #expect(outcome.stdout == expected.json)
        #expect(Self.folderContents(out) == expected.files)
        #expect(expected.files["report.json"]?.contains("\"options\"") == true)
        // The default journal sits beside the reports, one line per task.
        let tasks = Self.journaledTasks((out as NSString).appendingPathComponent("fleet.journal"))
        #expect(!tasks.isEmpty && tasks.sorted() == Array(0..<tasks.count))
    }

    @Test func fleetSurvivesAKilledWorkerAndAKilledCoordinator() throws {
        let workload = try PlannerProcess.temporaryFile(Self.fleetWorkload, suffix: ".yaml")
        let expected = try Self.fleetReference(workload)
        let out = NSTemporaryDirectory() + "planner-fleet-remote-\(UUID().uuidString)"
        let journal = (out as NSString).appendingPathComponent("fleet.journal")
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let arguments = ["fleet", workload, "--out", out, "--json", "--coordinate", "cluster", "--bind", endpoint, "--chunk-size", "1",
                         "--verbose", "--heartbeat-ms", "200", "--no-progress"]
        let first = try BackgroundProcess(arguments)
        #expect(first.waitForStderr("listening on"))
        // One worker outlives both coordinators and reconnects on its own; the other is killed mid-task.
        let steady = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--task-delay-ms", "60", "--exit-when-done",
                                            "--heartbeat-ms", "200"])
        let doomed = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--task-delay-ms", "60",
                                            "--heartbeat-ms", "200"])
        #expect(eventually { Self.journaledTasks(journal).count >= 4 })
        doomed.signal(SIGKILL)
        _ = doomed.wait()
        #expect(eventually { Self.journaledTasks(journal).count >= 8 })
        first.signal(SIGKILL)
        _ = first.wait()
        let completedBefore = Self.journaledTasks(journal).count
        let second = try BackgroundProcess(arguments + ["--resume"])
        let status = second.wait(timeoutSeconds: 120)
        #expect(status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("resuming: \(completedBefore) task(s) already complete") || completedBefore == 0, "\(second.stderr)")
        #expect(second.stdout == expected.json)
        #expect(Self.folderContents(out) == expected.files)
        // Each layout's task is journaled exactly once across both coordinators.
        let tasks = Self.journaledTasks(journal)
        #expect(tasks.count == Set(tasks).count && tasks.sorted() == Array(0..<tasks.count))
        #expect(steady.wait() == 0)
    }

    @Test func onePersistentWorkerServesASweepThenAFleetSizing() throws {
        let specPath = try Self.specFile()
        let expectedSweep = try Self.reference(specPath)
        let workload = try PlannerProcess.temporaryFile(Self.fleetWorkload, suffix: ".yaml")
        let expectedFleet = try Self.fleetReference(workload)
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        // No --exit-when-done: the worker stays for the next coordinator on the same endpoint.
        let worker = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--heartbeat-ms", "200", "--verbose"])
        defer {
            worker.signal(SIGKILL)
            _ = worker.wait()
        }
        let sweep = try PlannerProcess.run(["coordinate", specPath, "--bind", endpoint, "--json", "--chunk-size", "16",
                                            "--journal", specPath + ".persistent.journal", "--heartbeat-ms", "200", "--no-progress"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout == expectedSweep.json)
        let out = NSTemporaryDirectory() + "planner-fleet-persistent-\(UUID().uuidString)"
        let fleet = try PlannerProcess.run(["fleet", workload, "--out", out, "--json", "--coordinate", "cluster", "--bind", endpoint,
                                            "--heartbeat-ms", "200", "--no-progress"])
        #expect(fleet.status == 0, "\(fleet.stderr)")
        #expect(fleet.stdout == expectedFleet.json)
        #expect(Self.folderContents(out) == expectedFleet.files)
    }

    @Test func fleetTasksFailingEveryAttemptAreReportedNotLost() throws {
        let workload = try PlannerProcess.temporaryFile(Self.fleetWorkload, suffix: ".yaml")
        let out = NSTemporaryDirectory() + "planner-fleet-poisoned-\(UUID().uuidString)"
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["fleet", workload, "--out", out, "--json", "--coordinate", "cluster", "--bind", endpoint,
                                                 "--chunk-size", "16", "--heartbeat-ms", "200", "--verbose", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        // A worker that speaks the protocol but fails every task it is given.
        let context = try ZMQContext()
        let faulty = try ZMQSocket(context, type: .dealer)
        try faulty.connect(endpoint)
        var hello = Planner_Wire_V1_Hello()
        hello.protocolVersion = WireCodec.protocolVersion
        hello.workerID = "faulty"
        hello.engineVersion = EngineVersion.string
        hello.slots = 1
        try faulty.send(WireCodec.encode(.hello(hello)))
        var kind: Planner_Wire_V1_JobKind?
        var failures = 0
        var done = false
        let deadline = Date().addingTimeInterval(60)
        while !done && Date() < deadline {
            guard try faulty.poll(.readable, timeoutMs: 100), let message = try faulty.receive(dontWait: true),
                  let decoded = try? WireCodec.decode(message.frames) else {
                try faulty.send(WireCodec.encode(.heartbeat))
                continue
            }
            switch decoded {
            case let .welcome(welcome):
                kind = welcome.kind
                var credit = Planner_Wire_V1_Credit()
                credit.n = 4
                try faulty.send(WireCodec.encode(.credit(credit)))
            case let .task(task):
                var result = Planner_Wire_V1_Result()
                result.sweepID = task.sweepID
                result.taskID = task.taskID
                result.attempt = task.attempt
                result.start = task.start
                result.count = task.count
                result.error = "injected failure"
                try faulty.send(WireCodec.encode(.result(result)))
                failures += 1
            case .bye:
                done = true
            default:
                try faulty.send(WireCodec.encode(.heartbeat))
            }
        }
        faulty.close()
        #expect(kind == .fleet)
        let status = coordinator.wait(timeoutSeconds: 60)
        #expect(status == 2, "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("failed 3 times and were given up"))
        #expect(coordinator.stderr.contains("injected failure") && failures >= 3)
        // The reports are still written; the given-up layouts are listed as not evaluated, never silently dropped.
        let report = try JSONValue.parse(String(decoding: FileManager.default.contents(atPath: out + "/report.json") ?? Data(), as: UTF8.self))
        let unavailable = report["unavailable"]?.arrayValue ?? []
        #expect(report["options"]?.arrayValue?.isEmpty == true)
        #expect(unavailable.count == 3 && unavailable.allSatisfy { $0["reason"]?.stringValue?.contains("not evaluated") == true })
    }

    @Test func invalidSpecsAreRejectedBeforeAnyWork() throws {
        for (text, message) in [
            ("model: [llama2_7b]\ntensor_parallel: [0]\n", "tensor_parallel"),
            ("model: [nope]\n", "unknown model 'nope'"),
            ("model: llama2_7b\nbatch_size: [many]\n", "batch_size"),
            ("model: llama2_7b\ntensor_paralel: [2]\n", "tensor_paralel"),
            ("model: llama2_7b\ntop: -1\n", "top"),
            ("hardware: [H100_80GB]\n", "model"),
            ("model: [llama2_7b\n", "malformed"),
        ] {
            let path = try PlannerProcess.temporaryFile(text, suffix: ".yaml")
            for command in [["sweep", path], ["coordinate", path, "--local-workers", "1"]] {
                let outcome = try PlannerProcess.run(command)
                #expect(outcome.status == 1, "\(command) \(text)")
                #expect(outcome.stderr.contains(path) && outcome.stderr.contains(message), "\(outcome.stderr)")
            }
        }
    }
}
