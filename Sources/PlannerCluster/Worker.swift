import Dispatch
import Foundation
import PlannerCore
import PlannerWire
import Synchronization
import ZeroMQ

/// `planner worker`: connects a DEALER to a coordinator, evaluates the tasks it is given on a pool
/// of threads, and reconnects with backoff when the coordinator goes silent (Paranoid Pirate).
///
/// The socket lives on the thread that calls ``run()``; computation runs on `threads` threads and
/// hands results back through a mutex-protected outbox and a wake-up pipe.
public final class Worker: Sendable {
    public struct Options: Sendable {
        public var endpoint: String
        public var threads: Int
        public var workerID: String
        /// CURVE: the coordinator's public key and this worker's key pair (Z85).
        public var serverKey: String?
        public var keyPair: CurveKeyPair?
        public var heartbeatMs: Int64 = 1000
        public var liveness: Int64 = 5
        /// Longest wait between reconnection attempts.
        public var maxBackoffMs: Int64 = 32_000
        /// Exit after the coordinator says the sweep is done (local workers); otherwise wait for the next.
        public var exitWhenDone = false
        /// Extra time spent on every task, ms: a testing aid that simulates a slow worker.
        public var taskDelayMs = 0
        /// Exit the process at once (status 134, like an abort) when given this task: a testing aid
        /// that simulates an input that crashes workers.
        public var crashOnTask: Int?

        public init(endpoint: String, threads: Int, workerID: String) {
            self.endpoint = endpoint
            self.threads = max(threads, 1)
            self.workerID = workerID
        }
    }

    /// How a worker stopped.
    public enum Exit: Sendable, Equatable {
        /// The sweep is complete (with `exitWhenDone`).
        case sweepDone
        /// Asked to stop (SIGTERM): running tasks were finished and returned, queued ones released.
        case stopped
        /// The coordinator refused this worker (version mismatch); the text says why.
        case refused(String)
    }

    struct PendingTask: Sendable {
        var taskID: Int
        var attempt: Int
        var range: Range<Int>
        var sweepID: String
    }

    struct Shared: Sendable {
        var queue: [PendingTask] = []
        var running = 0
        var outbox: [Planner_Wire_V1_Result] = []
        var job: (any ClusterJob)?
        var stopping = false
    }

    private let options: Options
    private let shared = Mutex(Shared())
    private let available = DispatchSemaphore(value: 0)
    private let wake: WakePipe
    private let stopRequested = Atomic<Bool>(false)

    public init(options: Options) throws {
        self.options = options
        wake = try WakePipe()
    }

    /// Asks the worker to stop gracefully (safe from any thread or a signal handler's queue).
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
        wake.signal()
    }

    /// Runs until the sweep is done (with `exitWhenDone`), a stop is requested, or the coordinator refuses it.
    /// - Parameters:
    ///   - log: connection events (the CLI shows them with --verbose).
    ///   - warn: problems always worth showing (a CURVE refusal by the coordinator's allow-list).
    public func run(log: @escaping @Sendable (String) -> Void, warn: (@Sendable (String) -> Void)? = nil) throws -> Exit {
        let warn = warn ?? log
        for _ in 0..<options.threads {
            let thread = Thread { [self] in computeLoop() }
            thread.stackSize = 1 << 20
            thread.start()
        }
        defer {
            shared.withLock { $0.stopping = true }
            for _ in 0..<options.threads { available.signal() }
        }
        let context = try ZMQContext()
        var incarnation = 0
        var backoffMs: Int64 = 1000
        while true {
            incarnation += 1
            let outcome = try session(context: context, incarnation: incarnation, log: log, warn: warn)
            switch outcome {
            case let .finished(exit):
                return exit
            case .coordinatorSilent:
                if stopRequested.load(ordering: .acquiring) { return .stopped }
                let jitter = Int64.random(in: -(backoffMs / 5)...(backoffMs / 5))
                log("coordinator silent; reconnecting in \(backoffMs + jitter) ms"
                    + (options.serverKey == nil ? "" : " (with CURVE, a likely cause is keys: a wrong --server-key, or this worker's "
                        + "public key missing from the coordinator's --allow-keys)"))
                sleepInterruptibly(ms: backoffMs + jitter)
                backoffMs = min(backoffMs * 2, options.maxBackoffMs)
            case .welcomed:
                backoffMs = 1000
            }
        }
    }

    enum SessionOutcome {
        case finished(Exit)
        case coordinatorSilent
        case welcomed
    }

    /// One connection: HELLO, then serve until the coordinator goes silent or the worker finishes.
    private func session(context: ZMQContext, incarnation: Int, log: @Sendable (String) -> Void,
                         warn: @Sendable (String) -> Void) throws -> SessionOutcome {
        let dealer = try ZMQSocket(context, type: .dealer, lingerMs: 2000)
        var settings: [SocketOption] = [
            .routingID(Array("\(options.workerID)/\(incarnation)/\(String(UInt32.random(in: .min ... .max), radix: 16))".utf8)), .maxMessageSizeBytes(Int64(WireCodec.maxMessageBytes)),
            .reconnectIntervalMs(1000), .reconnectIntervalMaxMs(Int(options.maxBackoffMs)), .heartbeatIntervalMs(2000),
            .heartbeatTimeoutMs(6000), .heartbeatTTLMs(6000), .immediate(false),
        ]
        if let serverKey = options.serverKey, let keys = options.keyPair {
            settings += [.curveServerKey(serverKey), .curvePublicKey(keys.publicKey), .curveSecretKey(keys.secretKey)]
        }
        try dealer.set(settings)
        // With CURVE, a monitor tells a refusal by the coordinator's ZAP allow-list (the ERROR command
        // carrying status 400) from a coordinator that is merely silent.
        let monitorEndpoint = "inproc://planner-worker-monitor-\(incarnation)-\(UInt32.random(in: .min ... .max))"
        let monitor = try ZMQSocket(context, type: .pair)
        if options.serverKey != nil {
            try dealer.monitor(monitorEndpoint, events: .handshakeFailedAuth)
            try monitor.connect(monitorEndpoint)
        }
        var refusals = 0
        try dealer.connect(options.endpoint)
        let started = DispatchTime.now().uptimeNanoseconds
        func now() -> Int64 { Int64((DispatchTime.now().uptimeNanoseconds - started) / 1_000_000) }
        var lastHeard = now()
        var lastSent = now()
        var welcomed = false
        var sweepID = ""
        var heartbeatMs = options.heartbeatMs
        var liveness = options.liveness
        var sayingBye = false

        func send(_ message: WireCodec.Message) {
            if (try? dealer.send(WireCodec.encode(message), dontWait: true)) != nil { lastSent = now() }
        }
        func hello() {
            var hello = Planner_Wire_V1_Hello()
            hello.protocolVersion = WireCodec.protocolVersion
            hello.workerID = options.workerID
            hello.engineVersion = EngineVersion.string
            hello.slots = UInt32(options.threads)
            hello.host = ProcessInfo.processInfo.hostName
            send(.hello(hello))
        }
        func grantCredit() {
            let held = shared.withLock { $0.queue.count + $0.running }
            let capacity = options.threads + 1
            if held < capacity {
                var credit = Planner_Wire_V1_Credit()
                credit.n = UInt32(capacity - held)
                send(.credit(credit))
            }
        }
        hello()
        while true {
            let ready = try ZMQPoller.poll([.socket(dealer), wake.pollItem, .socket(monitor)], timeoutMs: 100)
            if ready[1] { wake.drain() }
            if ready[2] {
                while let message = try monitor.receive(dontWait: true), let event = MonitorEvent(message) {
                    guard event.event == .handshakeFailedAuth else { continue }
                    refusals += 1
                    if refusals == 1 || refusals.isMultiple(of: 10) {
                        warn("refused by the coordinator's allow-list (ZAP status \(event.value), \(event.endpoint)): add this worker's public "
                            + "key (\(options.keyPair?.publicKey ?? "?")) to the coordinator's --allow-keys folder; retrying (refusal \(refusals))")
                    }
                }
            }
            if ready[0] {
                while let message = try dealer.receive(dontWait: true, maxFrames: 8) {
                    lastHeard = now()
                    guard let decoded = try? WireCodec.decode(message.frames) else { continue }
                    switch decoded {
                    case let .welcome(welcome):
                        let text = String(decoding: welcome.spec, as: UTF8.self)
                        let needsJob = shared.withLock { $0.job?.jobID != welcome.sweepID }
                        if needsJob {
                            do {
                                let job = try ClusterJobs.make(kind: welcome.kind, text: text)
                                guard job.jobID == welcome.sweepID else {
                                    return .finished(.refused("the coordinator's job \(welcome.sweepID) hashes to \(job.jobID) here: "
                                        + "different planner builds"))
                                }
                                shared.withLock { $0.job = job; $0.queue.removeAll() }
                            } catch {
                                return .finished(.refused("cannot read the coordinator's job specification: \(error)"))
                            }
                        }
                        sweepID = welcome.sweepID
                        heartbeatMs = Int64(max(welcome.heartbeatMs, 10))
                        liveness = Int64(max(welcome.liveness, 2))
                        if !welcomed { log("connected to \(options.endpoint), job \(sweepID)") }
                        welcomed = true
                        if !stopRequested.load(ordering: .acquiring) { grantCredit() }
                    case let .task(task):
                        guard welcomed, task.sweepID == sweepID, !stopRequested.load(ordering: .acquiring) else { continue }
                        let start = Int(clamping: task.start)
                        let (end, overflow) = start.addingReportingOverflow(Int(clamping: task.count))
                        // An impossible range becomes an empty one, which the compute thread answers with an error.
                        let range = overflow ? 0..<0 : start..<end
                        let pending = PendingTask(taskID: Int(clamping: task.taskID), attempt: Int(task.attempt),
                                                  range: range, sweepID: task.sweepID)
                        shared.withLock { $0.queue.append(pending) }
                        available.signal()
                    case let .cancel(cancel):
                        let ids = Set(cancel.taskIds.map { Int(clamping: $0) })
                        shared.withLock { $0.queue.removeAll { ids.contains($0.taskID) } }
                    case let .bye(bye):
                        switch bye.reason {
                        case .versionMismatch, .protocolError:
                            return .finished(.refused(bye.text))
                        case .sweepDone where options.exitWhenDone:
                            return .finished(.sweepDone)
                        default:
                            log("coordinator said bye: \(bye.text)")
                            welcomed = false
                        }
                    case .unknown:
                        welcomed = false
                        hello()
                    case .heartbeat, .hello, .credit, .result:
                        break
                    }
                }
            }
            // Results computed since the last round.
            let results = shared.withLock { state -> [Planner_Wire_V1_Result] in
                defer { state.outbox.removeAll() }
                return state.outbox
            }
            for result in results { send(.result(result)) }
            if stopRequested.load(ordering: .acquiring) && !sayingBye {
                sayingBye = true
                let running = shared.withLock { state -> Int in
                    state.queue.removeAll()
                    return state.running
                }
                log("stopping: finishing \(running) running task(s), releasing the queued ones")
            }
            if sayingBye {
                let idle = shared.withLock { $0.running == 0 && $0.outbox.isEmpty }
                if idle {
                    var bye = Planner_Wire_V1_Bye()
                    bye.reason = .shutdown
                    bye.text = "worker \(options.workerID) stopping"
                    send(.bye(bye))
                    log("stopped; said bye to the coordinator")
                    // Give the I/O thread a moment to put the BYE on the wire before the process exits.
                    _ = try? dealer.poll(.readable, timeoutMs: 250)
                    return .finished(.stopped)
                }
            }
            let time = now()
            if time - lastSent >= heartbeatMs { send(.heartbeat) }
            if time - lastHeard > heartbeatMs * liveness {
                return welcomed ? .welcomed : .coordinatorSilent
            }
        }
    }

    /// One compute thread: takes tasks from the queue, evaluates them, posts results.
    private func computeLoop() {
        while true {
            available.wait()
            let next = shared.withLock { state -> (PendingTask, any ClusterJob)? in
                if state.stopping { return nil }
                guard !state.queue.isEmpty, let job = state.job else { return nil }
                state.running += 1
                return (state.queue.removeFirst(), job)
            }
            if shared.withLock({ $0.stopping }) { return }
            guard let (task, job) = next else { continue }
            let started = DispatchTime.now().uptimeNanoseconds
            if options.taskDelayMs > 0 { usleep(UInt32(min(options.taskDelayMs, 60_000)) * 1000) }
            if let crash = options.crashOnTask, crash == task.taskID { _exit(134) }
            // A task queued for an earlier job (the coordinator changed jobs meanwhile) is dropped.
            guard task.sweepID == job.jobID else {
                shared.withLock { $0.running -= 1 }
                continue
            }
            let result = job.result(task: task.taskID, attempt: task.attempt, range: task.range, computeMs: {
                Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
            })
            shared.withLock {
                $0.running -= 1
                $0.outbox.append(result)
            }
            wake.signal()
        }
    }

    private func sleepInterruptibly(ms: Int64) {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(ms, 0)) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline && !stopRequested.load(ordering: .acquiring) {
            _ = try? ZMQPoller.poll([wake.pollItem], timeoutMs: 100)
            wake.drain()
        }
    }
}
