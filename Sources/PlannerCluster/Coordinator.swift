import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PlannerCore
import PlannerFormats
import PlannerWire
import Synchronization
import ZeroMQ

/// How a coordinator runs (whatever the job).
public struct CoordinatorOptions: Sendable {
    /// Endpoint to bind; nil binds loopback on an ephemeral port (the embedded default).
    public var bind: String?
    /// Worker processes to start on this machine (`planner worker --connect <endpoint> --exit-when-done`).
    public var localWorkers = 0
    /// Threads per local worker (nil: the worker's default).
    public var localWorkerThreads: Int?
    /// The planner executable used for local workers.
    public var executable = "/proc/self/exe"
    /// Journal file for `--resume`; nil disables journaling.
    public var journalPath: String?
    public var resume = false
    /// With `resume`: drop damaged journal records (and a damaged header) instead of stopping.
    public var resumeRepair = false
    /// Set from a signal handler to stop the run: local workers are stopped and ``Coordinator/run()``
    /// throws ``ClusterError/interrupted(signal:)``.
    public var stop = StopRequest()
    /// Receives warnings that are always shown (a journal repaired or cut); standard error in the CLI.
    public var warn: @Sendable (String) -> Void = { _ in }
    /// JSONL file for every ranked configuration (when the spec keeps `all`).
    public var outPath: String?
    /// CURVE: the coordinator's secret key (Z85) and the allowed worker public keys.
    public var curveSecretKey: String?
    public var allowedWorkerKeys: Set<String> = []
    /// Allow binding a non-loopback address without CURVE.
    public var insecure = false
    public var heartbeatMs: Int64 = 1000
    public var liveness: Int64 = 5
    /// Minimum task lease before a stalled task is handed out again.
    public var minimumLeaseMs: Int64 = 60_000
    /// Share of each worker's accepted tasks the coordinator re-evaluates itself (0 ... 1); a worker
    /// whose figures differ is quarantined and the task runs again elsewhere.
    public var verifyFraction = 0.0
    /// The secret seed of the verification sample (nil: a random one per run; tests fix it).
    public var verifySeed: UInt64?
    /// Receives a progress line about once a second (`final` is true for the last one); nil for none.
    public var progress: (@Sendable (_ line: String, _ final: Bool) -> Void)?

    public init() {}
}

/// `planner coordinate` and `planner fleet --coordinate cluster`: serves a job's tasks to workers
/// over one ROUTER socket, merges their results exactly once per task, and journals progress for
/// `--resume`.
///
/// Everything runs on the calling thread: the socket, the ``Scheduler`` state machine, merging and
/// journaling (each is cheap next to the workers' computation).
public final class Coordinator<Job: ClusterJob> {
    public typealias Options = CoordinatorOptions

    /// What a finished run produced.
    public struct Outcome: Sendable {
        public var totals: Job.Totals
        public var poisonedTasks: [Int]
        /// The index ranges of ``poisonedTasks``, in the same order.
        public var poisonedRanges: [Range<Int>]
        /// Workers quarantined (invalid results, expired leases, figures that differ from a re-evaluation).
        public var quarantinedWorkers: Int
        /// RESULTs re-evaluated by the coordinator (`--verify-fraction`), and how many differed.
        public var verifiedResults: Int
        public var verificationMismatches: Int
        public var endpoint: String
        /// Messages dropped (every reason); ``drops`` has them by reason and peer.
        public var malformedMessages: Int
        public var drops: DropCounter
        /// CURVE (or other) handshakes the ZAP handler refused.
        public var refusedHandshakes: Int
        public var duplicateResults: Int
        public var redispatchedTasks: Int
        public var refusedWorkers: Int
        public var workersSeen: Int
    }

    private let job: Job
    private let options: Options
    private let log: @Sendable (String) -> Void
    private var scheduler: Scheduler
    private var totals: Job.Totals
    private var journal: Journal?
    private var outHandle: FileHandle?
    private var drops = DropCounter()
    private var refused = 0
    /// CURVE handshakes the ZAP handler refused (counted on its thread).
    private let refusedHandshakes = SharedCount()
    private var verified = 0
    private var mismatches = 0
    private let verifySeed: UInt64
    private var children: [Process] = []
    private var restarts = 0
    /// With CURVE: the key pair local workers use and the coordinator's public key.
    private var localWorkerKeys: (pair: CurveKeyPair, serverKey: String)?
    private let epoch = UInt64(DispatchTime.now().uptimeNanoseconds)
    private let started = DispatchTime.now().uptimeNanoseconds
    private let clock = ProgressClock()
    private var lastProgressMs: Int64 = 0
    /// The bound endpoint, once ``run()`` has bound it (for tests and logs).
    public private(set) var endpoint = ""

    /// - Parameter log: receives one line per notable event (joins, deaths, refusals).
    public init(job: Job, options: Options, log: @escaping @Sendable (String) -> Void) throws {
        self.job = job
        self.options = options
        self.log = log
        verifySeed = options.verifySeed ?? UInt64.random(in: .min ... .max)
        var configuration = Scheduler.Configuration()
        configuration.heartbeatMs = options.heartbeatMs
        configuration.liveness = options.liveness
        configuration.minimumLeaseMs = options.minimumLeaseMs
        var completed: Set<Int> = []
        var totals = job.emptyTotals()
        if let path = options.journalPath {
            if options.resume {
                let (opened, replay) = try Journal.resume(path: path, job: job, repair: options.resumeRepair)
                completed = replay.completed
                totals = replay.totals
                if replay.tornBytes > 0 {
                    options.warn("journal '\(path)': cut a torn last line (\(replay.tornBytes) bytes, an interrupted write); its task runs again")
                }
                if replay.headerReplaced {
                    options.warn("journal '\(path)': the header was damaged; started it over (\(replay.droppedRecords) record(s) dropped, "
                        + "the old file kept as '\(path).damaged')")
                } else if replay.droppedRecords > 0 {
                    options.warn("journal '\(path)': dropped \(replay.droppedRecords) bad record(s) (--resume-repair); their tasks run again")
                }
                if !completed.isEmpty { log("resuming: \(completed.count) task(s) already complete in \(path)") }
                journal = opened
            } else {
                journal = try Journal(path: path, job: job, resume: false)
            }
        }
        self.totals = totals
        scheduler = Scheduler(count: job.unitCount, chunkSize: job.chunkSize, completed: completed, jobID: job.jobID,
                              configuration: configuration)
        if let outPath = options.outPath {
            let manager = FileManager.default
            if !(options.resume && manager.fileExists(atPath: outPath)) {
                guard manager.createFile(atPath: outPath, contents: nil) else { throw ClusterError.io("cannot create '\(outPath)'") }
            }
            guard let handle = FileHandle(forWritingAtPath: outPath) else { throw ClusterError.io("cannot open '\(outPath)'") }
            handle.seekToEndOfFile()
            outHandle = handle
        }
    }

    /// Binds, starts local workers, serves tasks until every task is complete or poisoned, then
    /// tells the workers the sweep is done.
    public func run() throws -> Outcome {
        let bindAddress = options.bind ?? "tcp://127.0.0.1:*"
        if options.curveSecretKey == nil && !options.insecure && !Self.isLoopback(bindAddress) {
            throw ClusterError.security("refusing to bind \(bindAddress) without CURVE keys: give --curve-secret-file and "
                + "--allow-keys, or --insecure to accept unauthenticated workers")
        }
        let context = try ZMQContext()
        var allowed = options.allowedWorkerKeys
        if let secret = options.curveSecretKey, options.localWorkers > 0 {
            // Local workers get a key pair of their own for this run, passed through the environment.
            let pair = try CurveKeyPair.generate()
            localWorkerKeys = (pair, try CurveKeyPair.publicKey(fromSecret: secret))
            allowed.insert(pair.publicKey)
        }
        // A ZAP handler runs in every mode: with CURVE it enforces the allow-list; without keys it admits
        // every NULL handshake, which (with the ZAP domain set on the router) makes libzmq refuse the
        // legacy ZMTP/1.0 handshake that raw garbage could drive into an assertion.
        let log = self.log
        let refusedHandshakes = self.refusedHandshakes
        let authenticator = ZAPAuthenticator(
            context: context, allowedPublicKeys: allowed, domain: Self.zapDomain,
            allowsNullMechanism: options.curveSecretKey == nil,
            onDecision: { decision in
                guard !decision.isAllowed else { return }
                refusedHandshakes.value.add(1, ordering: .relaxed)
                log("refused \(decision.mechanism) handshake from \(decision.address)"
                    + (decision.publicKey.map { ", public key \($0)" } ?? "") + ": \(decision.reason) (ZAP \(decision.statusCode))")
            })
        try authenticator.start()
        defer { authenticator.stop() }
        let router = try ZMQSocket(context, type: .router)
        var settings: [SocketOption] = [
            .routerMandatory(true), .routerHandover(false), .maxMessageSizeBytes(Int64(WireCodec.maxMessageBytes)),
            .sendHighWaterMark(10_000), .receiveHighWaterMark(10_000), .handshakeIntervalMs(5000),
            .heartbeatIntervalMs(2000), .heartbeatTimeoutMs(6000), .zapDomain(Self.zapDomain),
        ]
        if let secret = options.curveSecretKey {
            settings += [.curveServer(true), .curveSecretKey(secret)]
        }
        try router.set(settings)
        try router.bind(bindAddress)
        endpoint = try router.lastEndpoint()
        log("coordinator: \(Job.kindName) \(job.jobID), \(job.unitCount) \(Job.unitName) in \(scheduler.taskCount) tasks, listening on \(endpoint)")
        try startLocalWorkers()
        defer { stopLocalWorkers() }

        while !scheduler.isFinished {
            if let signal = options.stop.signal {
                log("stopping on signal \(signal): stopping \(children.count) local worker(s)")
                throw ClusterError.interrupted(signal: signal)
            }
            let readable = try router.poll(.readable, timeoutMs: 50)
            if readable {
                var handled = 0
                while handled < 1000, let received = try router.receiveBounded(dontWait: true, maxFrames: Self.maxFrames) {
                    switch received {
                    case let .message(message):
                        handle(message, router: router)
                    case let .tooManyFrames(_, peer):
                        drops.count(.tooManyFrames, peer: peer)
                    }
                    handled += 1
                }
            }
            perform(scheduler.tick(nowMs: nowMs()), router: router)
            releaseMemoryAfterChurn()
            reportProgress(force: false)
            try superviseLocalWorkers()
        }
        reportProgress(force: true)
        var bye = Planner_Wire_V1_Bye()
        bye.reason = .sweepDone
        bye.text = "\(Job.kindName) \(job.jobID) complete"
        for peer in scheduler.knownPeers {
            try? router.send([peer] + WireCodec.encode(.bye(bye)), dontWait: true)
        }
        try? outHandle?.synchronize()
        waitForLocalWorkers(timeoutMs: 3000)
        let poisoned = scheduler.poisoned.sorted()
        return Outcome(totals: totals, poisonedTasks: poisoned, poisonedRanges: poisoned.map { scheduler.range(of: $0) },
                       quarantinedWorkers: scheduler.quarantinedCount, verifiedResults: verified, verificationMismatches: mismatches,
                       endpoint: endpoint, malformedMessages: drops.total, drops: drops,
                       refusedHandshakes: refusedHandshakes.value.load(ordering: .relaxed),
                       duplicateResults: scheduler.duplicateResults, redispatchedTasks: scheduler.redispatched,
                       refusedWorkers: refused, workersSeen: scheduler.joinedCount)
    }

    // MARK: Messages

    private func handle(_ message: ZMQMessage, router: borrowing ZMQSocket) {
        guard message.frames.count >= 2, !message.frames[0].isEmpty else { drops.count(.malformed, peer: message.frames.first ?? []); return }
        let peer = message.frames[0]
        let decoded: WireCodec.Message
        do {
            decoded = try WireCodec.decode(Array(message.frames.dropFirst()))
        } catch {
            drops.count(.malformed, peer: peer)
            return
        }
        let now = nowMs()
        switch decoded {
        case let .hello(hello):
            guard hello.protocolVersion == WireCodec.protocolVersion, hello.engineVersion == EngineVersion.string else {
                refused += 1
                var bye = Planner_Wire_V1_Bye()
                bye.reason = .versionMismatch
                bye.text = "refused: worker \(hello.workerID) runs protocol \(hello.protocolVersion) / engine '\(hello.engineVersion)', "
                    + "coordinator runs protocol \(WireCodec.protocolVersion) / engine '\(EngineVersion.string)'"
                log(bye.text)
                send(.bye(bye), to: peer, router: router)
                return
            }
            let known = scheduler.knows(peer)
            switch scheduler.join(peer, slots: Int(clamping: hello.slots), nowMs: now) {
            case .joined:
                break
            case .full:
                drops.count(.tooManyWorkers, peer: peer)
                var bye = Planner_Wire_V1_Bye()
                bye.reason = .shutdown
                bye.text = "the coordinator serves \(scheduler.configuration.maxWorkers) workers already; try again later"
                send(.bye(bye), to: peer, router: router)
                return
            case .quarantined:
                drops.count(.quarantined, peer: peer)
                sendQuarantined(peer, reason: "this worker was quarantined earlier in this run", router: router)
                return
            }
            if !known {
                log("worker joined: \(hello.workerID.prefix(200)) (\(hello.slots) slots, \(hello.host.prefix(200)))")
            }
            var welcome = Planner_Wire_V1_Welcome()
            welcome.epoch = epoch
            welcome.sweepID = job.jobID
            welcome.kind = Job.kind
            welcome.spec = Data(job.specText.utf8)
            welcome.heartbeatMs = UInt32(clamping: options.heartbeatMs)
            welcome.liveness = UInt32(clamping: options.liveness)
            send(.welcome(welcome), to: peer, router: router)
        case let .credit(credit):
            guard !scheduler.isQuarantined(peer) else { drops.count(.quarantined, peer: peer); return }
            guard scheduler.knows(peer) else { drops.count(.notWelcomed, peer: peer); sendUnknown(to: peer, router: router); return }
            perform(scheduler.credit(peer, n: Int(credit.n), nowMs: now), router: router)
        case let .result(result):
            // The body as received: journaled as is unless the job trims the RESULT.
            handleResult(result, body: message.frames.count == 4 ? message.frames[3] : [], from: peer, now: now, router: router)
        case .heartbeat:
            if scheduler.knows(peer) {
                scheduler.heard(peer, nowMs: now)
            } else if !scheduler.isQuarantined(peer) {
                sendUnknown(to: peer, router: router)
            }
        case .bye:
            if scheduler.knows(peer) { log("worker left: \(Self.describe(peer))") }
            scheduler.leave(peer)
        case .welcome, .task, .cancel, .unknown:
            drops.count(.unexpectedCommand, peer: peer)
        }
    }

    private func handleResult(_ result: Planner_Wire_V1_Result, body: [UInt8], from peer: [UInt8], now: Int64,
                              router: borrowing ZMQSocket) {
        let task: Int
        switch scheduler.admit(peer, jobID: result.sweepID, taskID: result.taskID, attempt: result.attempt, nowMs: now) {
        case .duplicate:
            return
        case let .rejected(reason):
            drops.count(reason, peer: peer)
            if reason == .notWelcomed { sendUnknown(to: peer, router: router) }
            return
        case let .admitted(admitted):
            task = admitted
        }
        let range = scheduler.range(of: task)
        var part: Job.Part?
        var check = Scheduler.ResultCheck.valid
        if !result.error.isEmpty {
            let reason = String(result.error.prefix(500))
            log("task \(task) failed on \(Self.describe(peer)): \(reason)")
            check = .workerError(reason)
        } else {
            do {
                part = try job.part(of: result, expected: range)
            } catch {
                drops.count(.invalidValues, peer: peer)
                log("invalid RESULT for task \(task) from \(Self.describe(peer)): \(error)")
                check = .violation(error.reason)
            }
        }
        if part != nil, Verification.isSampled(seed: verifySeed, peer: peer, task: task, fraction: options.verifyFraction) {
            verified += 1
            let local = job.result(task: task, attempt: Int(result.attempt), range: range, computeMs: { 0 })
            if !Verification.sameFigures(local, result) {
                mismatches += 1
                part = nil
                check = .mismatch("its figures for task \(task) (indices \(range.lowerBound)..<\(range.upperBound)) differ from the "
                    + "coordinator's re-evaluation")
            }
        }
        let (verdict, actions) = scheduler.result(peer, task: task, check: check, nowMs: now)
        if verdict == .accepted, let part {
            job.merge(part, into: &totals)
            do {
                if let journal {
                    try journal.append(task: task, body: job.journaled(result).map { WireCodec.body(of: .result($0)) } ?? body)
                }
                let lines = job.outputLines(part)
                if let outHandle, !lines.isEmpty {
                    try outHandle.write(contentsOf: Data((lines.joined(separator: "\n") + "\n").utf8))
                }
            } catch {
                log("warning: cannot write journal or output: \(error)")
            }
        }
        perform(actions, router: router)
    }

    private func perform(_ actions: [Scheduler.Action], router: borrowing ZMQSocket) {
        for action in actions {
            switch action {
            case let .dispatch(peer, taskID, attempt, start, count):
                var task = Planner_Wire_V1_Task()
                task.sweepID = job.jobID
                task.taskID = UInt64(taskID)
                task.attempt = UInt32(clamping: attempt)
                task.start = UInt64(start)
                task.count = UInt64(count)
                send(.task(task), to: peer, router: router)
            case let .heartbeat(peer):
                send(.heartbeat, to: peer, router: router)
            case let .forget(peer, reason):
                log("worker lost: \(Self.describe(peer)) (\(reason)); its tasks were re-queued")
            case let .quarantine(peer, reason):
                log("worker quarantined: \(Self.describe(peer)): \(reason); its tasks were re-queued")
                sendQuarantined(peer, reason: reason, router: router)
            case let .giveUp(taskID, reason):
                let range = scheduler.range(of: taskID)
                log("task \(taskID) (indices \(range.lowerBound)..<\(range.upperBound)) given up after "
                    + "\(scheduler.configuration.maxAttempts) failed attempts; the last: \(reason)")
            }
        }
    }

    /// Tells a quarantined worker why it gets no more tasks (it exits with status 3).
    private func sendQuarantined(_ peer: [UInt8], reason: String, router: borrowing ZMQSocket) {
        var bye = Planner_Wire_V1_Bye()
        bye.reason = .protocolError
        bye.text = "quarantined by the coordinator: \(reason)"
        try? router.send([peer] + WireCodec.encode(.bye(bye)), dontWait: true)
    }

    private func send(_ message: WireCodec.Message, to peer: [UInt8], router: borrowing ZMQSocket) {
        do {
            try router.send([peer] + WireCodec.encode(message), dontWait: true)
            scheduler.sent(peer, nowMs: nowMs())
        } catch let error as ZMQError where error.isHostUnreachable || error.isAgain {
            // Gone (or too slow to keep up): forget it; its tasks go to others.
            if scheduler.knows(peer) {
                log("worker lost: \(Self.describe(peer)) (\(error.isHostUnreachable ? "unreachable" : "not keeping up")); its tasks were re-queued")
                let actions = scheduler.lose(peer)
                perform(actions.filter { if case .giveUp = $0 { true } else { false } }, router: router)
            }
        } catch {
            log("send failed to \(Self.describe(peer)): \(error)")
            _ = scheduler.lose(peer)
        }
    }

    private func sendUnknown(to peer: [UInt8], router: borrowing ZMQSocket) {
        var unknown = Planner_Wire_V1_Unknown()
        unknown.epoch = epoch
        send(.unknown(unknown), to: peer, router: router)
    }

    // MARK: Local workers

    private func startLocalWorkers() throws {
        for _ in 0..<options.localWorkers { try spawnLocalWorker() }
    }

    private func spawnLocalWorker() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.resolveExecutable(options.executable))
        var arguments = ["worker", "--connect", endpoint, "--exit-when-done", "--heartbeat-ms", "\(options.heartbeatMs)"]
        if let threads = options.localWorkerThreads { arguments += ["--threads", "\(threads)"] }
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        if let keys = localWorkerKeys {
            var environment = ProcessInfo.processInfo.environment
            environment["PLANNER_WORKER_SECRET_KEY"] = keys.pair.secretKey
            environment["PLANNER_SERVER_KEY"] = keys.serverKey
            process.environment = environment
        }
        do {
            try process.run()
        } catch {
            throw ClusterError.io("cannot start a local worker (\(options.executable)): \(error)")
        }
        children.append(process)
    }

    /// Replaces local workers that died before the sweep finished (nothing is lost: their tasks are
    /// re-queued), up to ``maxRestarts``; a worker refused for its version is not replaced.
    private func superviseLocalWorkers() throws {
        for (position, child) in children.enumerated() where !child.isRunning {
            children.remove(at: position)
            let status = child.terminationStatus
            if status == Self.refusedStatus || restarts >= Self.maxRestarts(options.localWorkers) {
                log("local worker \(child.processIdentifier) exited (status \(status)); not restarting it")
            } else {
                restarts += 1
                log("local worker \(child.processIdentifier) exited (status \(status)); starting another")
                try spawnLocalWorker()
            }
            if children.isEmpty && options.bind == nil {
                throw ClusterError.transport("every local worker exited (last status \(status)) and no other worker can join "
                    + "(no --bind); see the workers' errors above")
            }
            return
        }
    }

    /// Exit status of a worker the coordinator refused.
    static var refusedStatus: Int32 { 3 }
    static func maxRestarts(_ workers: Int) -> Int { max(3 * workers, 3) }

    private func waitForLocalWorkers(timeoutMs: Int) {
        let deadline = nowMs() + Int64(timeoutMs)
        while children.contains(where: \.isRunning) && nowMs() < deadline { usleep(20_000) }
    }

    /// SIGTERM to every local worker (each returns its running task and exits), then SIGKILL to any
    /// still running after 3 s; waits for all of them, so none outlives the coordinator.
    private func stopLocalWorkers() {
        for child in children where child.isRunning { child.terminate() }
        let deadline = nowMs() + 3_000
        while children.contains(where: \.isRunning) && nowMs() < deadline { usleep(10_000) }
        for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) }
        for child in children { child.waitUntilExit() }
        children = []
    }

    // MARK: Helpers

    private var joinedAtLastTrim = 0
    private var workersAtLastTrim = 0
    private var lastTrimMs: Int64 = 0

    /// After many short-lived connections (a HELLO flood, or a large fleet of workers coming and
    /// going), hands the freed heap back to the system: libzmq frees each connection's session, pipes
    /// and buffers on its I/O thread, whose malloc arena glibc otherwise keeps (measured with
    /// `scripts/bench-hello-flood`: +8 MiB retained after 2,000 connections without this).
    /// At most every 2 s, and only when workers joined or left since the last time (`malloc_trim` takes
    /// well under a millisecond on a coordinator's heap of a few tens of MiB).
    private func releaseMemoryAfterChurn() {
        #if canImport(Glibc)
        let now = nowMs()
        guard scheduler.joinedCount != joinedAtLastTrim || scheduler.workerCount != workersAtLastTrim, now - lastTrimMs >= 2_000 else { return }
        joinedAtLastTrim = scheduler.joinedCount
        workersAtLastTrim = scheduler.workerCount
        lastTrimMs = now
        _ = HeapTrim.function?(0)
        #endif
    }

    private func nowMs() -> Int64 { Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000) }

    private func reportProgress(force: Bool) {
        guard let progress = options.progress else { return }
        let now = nowMs()
        guard force || now - lastProgressMs >= 1000 else { return }
        lastProgressMs = now
        let done = job.unitsDone(totals)
        let rate = clock.rate(done: done, total: job.unitCount).perSecond
        let state = scheduler.workerCount == 0 && scheduler.completedCount < scheduler.taskCount
            ? "waiting for workers" : "workers \(scheduler.workerCount), \(clock.etaText(done: done, total: job.unitCount))"
        progress("tasks \(scheduler.completedCount)/\(scheduler.taskCount), \(rate) \(Job.unitName)/s, \(state)", force)
    }

    /// The ZAP domain of the coordinator's router (set in every mode, so a ZAP handler always runs).
    static var zapDomain: String { "planner" }
    /// The most frames a `planner/1` message has at the router: routing id, signature, command, body.
    static var maxFrames: Int { 4 }

    /// A routing id for logs: as text when it is printable ASCII (workers name themselves), else hex.
    static func describe(_ peer: [UInt8]) -> String {
        if !peer.isEmpty, peer.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: peer.prefix(200), as: UTF8.self) }
        return "0x" + peer.prefix(64).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func isLoopback(_ endpoint: String) -> Bool {
        guard endpoint.hasPrefix("tcp://") else { return endpoint.hasPrefix("ipc://") || endpoint.hasPrefix("inproc://") }
        let host = endpoint.dropFirst(6).split(separator: ":").dropLast().joined(separator: ":")
        return host == "127.0.0.1" || host == "localhost" || host == "[::1]" || host.hasPrefix("127.")
    }

    static func resolveExecutable(_ path: String) -> String {
        if path == "/proc/self/exe", let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: path) { return resolved }
        return path
    }
}

/// A stop request shared with a signal handler: the signal number, once one arrived.
public final class StopRequest: Sendable {
    private let value = Atomic<Int32>(0)

    public init() {}

    /// Records `signal` (the first one wins).
    public func request(_ signal: Int32) {
        _ = value.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
    }

    /// The signal that asked for the stop, or nil.
    public var signal: Int32? {
        let current = value.load(ordering: .relaxed)
        return current == 0 ? nil : current
    }
}

/// A counter shared with another thread (the ZAP handler's).
final class SharedCount: Sendable {
    let value = Atomic<Int>(0)
}

#if canImport(Glibc)
/// glibc's `malloc_trim` (not exported by the Glibc module), looked up once.
enum HeapTrim {
    static let function: (@convention(c) (Int) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
    }()
}
#endif
