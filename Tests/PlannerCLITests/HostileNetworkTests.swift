import Foundation
import PlannerCluster
import PlannerCore
import PlannerWire
import Testing
import ZeroMQ

/// Attacks from issue 10 against a live `planner coordinate` (no keys, loopback): each one killed or
/// corrupted the coordinator before; now the coordinator survives, counts what it dropped, and a real
/// worker that joins afterwards still gets a ranking byte-identical to `planner sweep`.
@Suite(.serialized)
struct HostileNetworkTests {
    /// The repository's example sweep (a second of work).
    static let exampleSpec: String = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("examples/sweep.yaml").path
    }()

    /// `planner sweep examples/sweep.yaml --json`: the reference ranking.
    static func reference() throws -> String {
        let outcome = try PlannerProcess.run(["sweep", exampleSpec, "--json", "--no-progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        return outcome.stdout
    }

    /// A coordinator of the example sweep bound on a free loopback port, with no local worker.
    static func coordinator(_ extra: [String] = []) throws -> (BackgroundProcess, endpoint: String, port: UInt16) {
        let port = freeLoopbackPort()
        let endpoint = "tcp://127.0.0.1:\(port)"
        let journal = NSTemporaryDirectory() + "planner-hostile-\(UUID().uuidString).journal"
        let process = try BackgroundProcess(["coordinate", exampleSpec, "--bind", endpoint, "--local-workers", "0", "--json", "--verbose",
                                             "--heartbeat-ms", "200", "--journal", journal, "--no-progress"] + extra)
        #expect(process.waitForStderr("listening on"))
        return (process, endpoint, UInt16(port))
    }

    /// A real worker joins; the coordinator must then finish with exit 0 and the reference ranking.
    static func finishWithRealWorker(_ coordinator: BackgroundProcess, endpoint: String, expected: String) {
        guard let worker = try? BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--exit-when-done",
                                                   "--heartbeat-ms", "200"]) else {
            Issue.record("cannot start a worker")
            return
        }
        #expect(coordinator.wait(timeoutSeconds: 60) == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected)
        #expect(worker.wait(timeoutSeconds: 30) == 0)
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, optionally waits, closes. False when the
    /// connection was refused (the coordinator is gone).
    @discardableResult
    static func rawTCP(port: UInt16, _ bytes: [UInt8], lingerMs: Int = 0) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return false }
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if lingerMs > 0 { usleep(UInt32(lingerMs) * 1000) }
        return true
    }

    /// The issue's python one-liner: a ZMTP/1.0 peer sending a 10-frame message.
    static let zmtp10TenFrames: [UInt8] = [0x01, 0x00] + Array(repeating: [0x02, 0x01, 0x78], count: 8).flatMap { $0 } + [0x02, 0x00, 0x78]

    @Test func aZMTP10ManyFrameMessageAndAManyFrameDealerAreDroppedNotFatal() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, port) = try Self.coordinator()
        Self.rawTCP(port: port, Self.zmtp10TenFrames, lingerMs: 300)
        // The same through libzmq: 10 frames, then 8, then 1,000 from a proper ZMTP/3 DEALER.
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.connect(endpoint)
        for count in [10, 8, 1_000] {
            try dealer.send(Array(repeating: Array("x".utf8), count: count))
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(coordinator.process.isRunning, "\(coordinator.stderr)")
        dealer.close()
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
        #expect(coordinator.stderr.contains("3 too many frames"), "\(coordinator.stderr)")
    }

    @Test func rawTCPGarbageOnManyConnectionsCannotKillTheCoordinator() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, port) = try Self.coordinator()
        var refusedConnections = 0
        for seed in UInt64(1)...6 {
            var generator = SeededGenerator(seed: seed)
            for connection in 0..<60 {
                let length = Int.random(in: 1...600, using: &generator)
                var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                // A third start like a ZMTP/1.0 or ZMTP/3 greeting, so the garbage reaches deeper parsers.
                switch connection % 3 {
                case 1: bytes = [0x01, 0x00] + bytes
                case 2: bytes = [0xFF, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x7F, 0x03, 0x00] + Array("NULL".utf8) + bytes
                default: break
                }
                if !Self.rawTCP(port: port, bytes) { refusedConnections += 1 }
            }
        }
        Thread.sleep(forTimeInterval: 0.3)
        #expect(refusedConnections == 0, "the coordinator stopped accepting connections: \(coordinator.stderr)")
        #expect(coordinator.process.isRunning, "\(coordinator.stderr)")
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
    }

    @Test func garbageProtobufFromADealerIsDroppedAndCounted() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, _) = try Self.coordinator()
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.connect(endpoint)
        var generator = SeededGenerator(seed: 42)
        var sent = 0
        for _ in 0..<400 {
            let command = UInt8.random(in: 0...11, using: &generator)
            let body = (0..<Int.random(in: 0...64, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let frames: [[UInt8]] = Bool.random(using: &generator) ? [WireCodec.signature, [command], body]
                : (0..<Int.random(in: 1...3, using: &generator)).map { _ in body }
            try dealer.send(frames)
            sent += 1
        }
        #expect(sent == 400)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(coordinator.process.isRunning, "\(coordinator.stderr)")
        dealer.close()
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
        #expect(coordinator.stderr.contains("malformed messages") && !coordinator.stderr.contains("malformed messages 0 "), "\(coordinator.stderr)")
    }
}

extension HostileNetworkTests {
    static func specText() throws -> String { try String(contentsOfFile: exampleSpec, encoding: .utf8) }

    /// The genuine RESULT of a task, as a worker would send it.
    static func genuine(_ job: SweepJob, _ task: Planner_Wire_V1_Task) -> Planner_Wire_V1_Result {
        let range = Int(task.start)..<Int(task.start + task.count)
        var result = job.evaluate(range)
        result.sweepID = job.jobID
        result.taskID = task.taskID
        result.attempt = task.attempt
        result.start = task.start
        result.count = task.count
        return result
    }

    static func hello(_ id: String) -> [[UInt8]] {
        var hello = Planner_Wire_V1_Hello()
        hello.protocolVersion = WireCodec.protocolVersion
        hello.workerID = id
        hello.engineVersion = EngineVersion.string
        hello.slots = 1
        return WireCodec.encode(.hello(hello))
    }

    /// What a fake worker saw.
    struct FakeLog {
        var tasks = 0
        var bye: Planner_Wire_V1_Bye?
    }

    /// A DEALER that speaks `planner/1` correctly (HELLO, CREDIT, heartbeats) and answers each TASK
    /// with `answer` (nil: never answer), until BYE, `stop()` or the timeout.
    static func fakeWorker(endpoint: String, id: String, credit: UInt32 = 1, creditEveryRound: Bool = false,
                           timeoutSeconds: Double = 20, stop: () -> Bool = { false },
                           answer: (SweepJob, Planner_Wire_V1_Task, Int) -> Planner_Wire_V1_Result?) throws -> FakeLog {
        let context = try ZMQContext()
        let dealer = try ZMQSocket(context, type: .dealer)
        try dealer.connect(endpoint)
        try dealer.send(hello(id))
        var log = FakeLog()
        var job: SweepJob?
        var grant = Planner_Wire_V1_Credit()
        grant.n = credit
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline && !stop() {
            if try dealer.poll(.readable, timeoutMs: 50) {
                while let message = try dealer.receive(dontWait: true), let decoded = try? WireCodec.decode(message.frames) {
                    switch decoded {
                    case let .welcome(welcome):
                        job = try SweepJob(text: String(decoding: welcome.spec, as: UTF8.self), source: "welcome")
                        try dealer.send(WireCodec.encode(.credit(grant)))
                    case let .task(task):
                        log.tasks += 1
                        if let job, let result = answer(job, task, log.tasks) { try dealer.send(WireCodec.encode(.result(result))) }
                    case let .bye(bye):
                        log.bye = bye
                        return log
                    default:
                        break
                    }
                }
            }
            try dealer.send(WireCodec.encode(.heartbeat))
            if creditEveryRound && job != nil { try dealer.send(WireCodec.encode(.credit(grant))) }
        }
        return log
    }

    @Test func resultsFromStrangersAndFromPeersWithoutTheLeaseAreDroppedAndCounted() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, _) = try Self.coordinator(["--chunk-size", "12"])
        let job = try SweepJob(text: try Self.specText(), source: "spec", chunkSize: 12)
        var task = Planner_Wire_V1_Task()
        task.sweepID = job.jobID
        task.start = 0
        task.count = 12
        task.attempt = 1
        // A fabricated 5e11 tokens/s entry that would rank first, and error RESULTs for every task.
        var forged = Self.genuine(job, task)
        if forged.top.isEmpty { forged.top = [Planner_Wire_V1_Entry()] }
        forged.top[0].totalThroughputTokS = 5e11
        let context = try ZMQContext()
        let stranger = try ZMQSocket(context, type: .dealer)
        try stranger.connect(endpoint)
        try stranger.send(WireCodec.encode(.result(forged)))
        for taskID in 0..<UInt64(job.taskCount) {
            for attempt in UInt32(1)...3 {
                var failure = Planner_Wire_V1_Result()
                failure.sweepID = job.jobID
                failure.taskID = taskID
                failure.attempt = attempt
                failure.error = "forged failure"
                try stranger.send(WireCodec.encode(.result(failure)))
            }
        }
        // A peer that said HELLO but holds no lease (it never grants credit).
        let greeted = try ZMQSocket(context, type: .dealer)
        try greeted.connect(endpoint)
        try greeted.send(Self.hello("greeted"))
        #expect(try greeted.poll(.readable, timeoutMs: 5_000))
        try greeted.send(WireCodec.encode(.result(forged)))
        Thread.sleep(forTimeInterval: 0.3)
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
        #expect(coordinator.stderr.contains("\(1 + 3 * job.taskCount) no HELLO"), "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("1 no lease"), "\(coordinator.stderr)")
        #expect(!coordinator.stderr.contains("forged failure"))
    }

    @Test func aProtocolCorrectLiarIsCountedAgainstItselfAndQuarantined() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, _) = try Self.coordinator(["--chunk-size", "12"])
        let log = try Self.fakeWorker(endpoint: endpoint, id: "liar") { job, task, number in
            var result = Self.genuine(job, task)
            if result.top.isEmpty { result.top = [Planner_Wire_V1_Entry()] }
            switch number {
            case 1: result.top[0].ttftMs = .nan
            case 2: result.top = Array(repeating: result.top[0], count: 5)
            default: result.top[0].totalThroughputTokS = .infinity
            }
            return result
        }
        #expect(log.tasks == 3, "one task at a time on probation, three strikes")
        #expect(log.bye?.reason == .protocolError && log.bye?.text.contains("quarantined") == true, "\(String(describing: log.bye))")
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
        #expect(coordinator.stderr.contains("3 invalid values"), "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("quarantined 1"), "\(coordinator.stderr)")
    }

    @Test func verifyFractionCatchesAPlausibleLiar() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, _) = try Self.coordinator(["--chunk-size", "12", "--verify-fraction", "1"])
        // "Skipped" for everything: consistent counts and a known reason, so only a re-evaluation can tell.
        let log = try Self.fakeWorker(endpoint: endpoint, id: "plausible") { job, task, _ in
            var result = Self.genuine(job, task)
            result.top = []
            result.ranked = 0
            var skip = Planner_Wire_V1_SkipCount()
            skip.reason = SkipReason.targets
            skip.count = task.count
            result.skipped = [skip]
            return result
        }
        #expect(log.tasks == 1 && log.bye?.text.contains("differ from the coordinator's re-evaluation") == true,
                "\(String(describing: log.bye))")
        Self.finishWithRealWorker(coordinator, endpoint: endpoint, expected: expected)
        #expect(coordinator.stderr.contains("(1 differed)"), "\(coordinator.stderr)")
        let invalid = try PlannerProcess.run(["coordinate", Self.exampleSpec, "--verify-fraction", "1.5", "--local-workers", "1"])
        #expect(invalid.status == 1 && invalid.stderr.contains("--verify-fraction 1.5: allowed a number from 0 to 1"), "\(invalid.stderr)")
    }

    @Test func aPeerThatTakesCreditAndNeverAnswersCannotHoldTheSweep() throws {
        let expected = try Self.reference()
        let (coordinator, endpoint, _) = try Self.coordinator(["--chunk-size", "12"])
        let started = Date()
        var worker: BackgroundProcess?
        let log = try Self.fakeWorker(endpoint: endpoint, id: "hostage-taker", credit: 1_000, creditEveryRound: true, timeoutSeconds: 30,
                                      stop: {
                                          if worker == nil { worker = try? BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2",
                                                                                              "--exit-when-done", "--heartbeat-ms", "200"]) }
                                          return !coordinator.process.isRunning
                                      }, answer: { _, _, _ in nil })
        let elapsed = Date().timeIntervalSince(started)
        #expect(coordinator.wait(timeoutSeconds: 5) == 0, "\(coordinator.stderr)")
        #expect(coordinator.stdout == expected)
        // The minimum lease is 60 s; a worker on probation loses its task after max(10 x median, 5 heartbeats).
        #expect(elapsed < 15, "took \(elapsed) s")
        #expect(log.tasks <= 3)
        #expect(worker?.wait(timeoutSeconds: 10) == 0)
    }

    @Test func aTaskThatCrashesEveryWorkerIsGivenUpWithItsRange() throws {
        let (coordinator, endpoint, _) = try Self.coordinator(["--chunk-size", "12"])
        for generation in 1...3 {
            let crasher = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--crash-on-task", "0",
                                                 "--heartbeat-ms", "200"])
            #expect(crasher.wait(timeoutSeconds: 20) == 134, "crash worker \(generation)")
            #expect(eventually { coordinator.stderr.components(separatedBy: "worker lost").count > generation }, "\(coordinator.stderr)")
        }
        let worker = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--exit-when-done", "--heartbeat-ms", "200"])
        #expect(coordinator.wait(timeoutSeconds: 60) == 2, "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("given up: task 0 (indices 0..<12)"), "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("1 task(s) failed 3 times and were given up"))
        #expect(worker.wait(timeoutSeconds: 10) == 0)
    }
}

