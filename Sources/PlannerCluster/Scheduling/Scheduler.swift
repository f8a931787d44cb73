/// The coordinator's task bookkeeping as a pure state machine: no sockets, no clock of its own.
///
/// Tasks are fixed index ranges (`taskID * chunkSize ..< min(+chunkSize, count)`), so a restarted
/// coordinator numbers them the same way. Dispatch is at-least-once (credit-based, with leases and
/// re-dispatch when a worker dies, leaves or stalls); completion is exactly-once (a bitset, first
/// accepted result wins).
///
/// Trust: a RESULT counts only from a worker that said HELLO, for this job, for a task (and attempt)
/// it holds the lease of ("admission"); everything else is rejected with a ``DropCounter/Reason``.
/// A worker starts on probation (one task at a time, a short lease once task times are known) until
/// its first accepted result, then holds at most `slots + 1` tasks (at most
/// ``Configuration/maxCreditPerWorker``). A RESULT whose values break the task's invariants, or a
/// lease that expires, is a strike against the worker; ``Configuration/maxStrikes`` strikes quarantine
/// it (no more leases, its tasks re-queued, its messages dropped). A task fails an attempt when a
/// worker reports an error for it, its lease expires, or its worker dies holding it; after
/// ``Configuration/maxAttempts`` failed attempts it is given up ("poisoned"), never retried forever.
public struct Scheduler: Sendable {
    /// Timers and limits, in milliseconds.
    public struct Configuration: Sendable, Hashable {
        /// A worker silent for `heartbeatMs * liveness` is dead.
        public var heartbeatMs: Int64 = 1000
        public var liveness: Int64 = 5
        /// Minimum task lease; the lease is the larger of this and 10 x the median task time seen
        /// (on probation, once task times are known: the larger of 10 x the median and the silence
        /// interval `heartbeatMs * liveness`).
        public var minimumLeaseMs: Int64 = 60_000
        /// Failed attempts (error result, expired lease, worker death) after which a task is given up.
        public var maxAttempts = 3
        /// Most tasks one worker may hold, whatever credit or slots it claims.
        public var maxCreditPerWorker = 64
        /// Strikes (invalid RESULTs, expired leases) after which a worker is quarantined.
        public var maxStrikes = 3
        /// Most workers known at once; a HELLO beyond it is refused.
        public var maxWorkers = 4096
        /// Most quarantined peers remembered (the oldest is forgotten first).
        public var maxQuarantined = 4096

        public init() {}
    }

    /// A worker's routing identity as the ROUTER sees it.
    public typealias Peer = [UInt8]

    /// What the transport should do.
    public enum Action: Sendable, Hashable {
        /// Send TASK `taskID` (attempt, index range) to `peer`.
        case dispatch(peer: Peer, taskID: Int, attempt: Int, start: Int, count: Int)
        /// Send a heartbeat to `peer` (nothing else was sent for an interval).
        case heartbeat(peer: Peer)
        /// `peer` is considered dead; its tasks were re-queued.
        case forget(peer: Peer, reason: String)
        /// `peer` was quarantined (tell it and stop serving it); its tasks were re-queued.
        case quarantine(peer: Peer, reason: String)
        /// Task `taskID` was given up after its last failed attempt.
        case giveUp(taskID: Int, reason: String)
    }

    /// Whether a RESULT may be looked at: the sender's standing for that task.
    public enum Admission: Sendable, Hashable {
        /// The sender holds the lease of this task at this attempt: check the values, then call ``result(_:task:check:nowMs:)``.
        case admitted(task: Int)
        /// A late result for a task already complete (its lease had moved on): ignored.
        case duplicate
        /// Not a result this sender may send: dropped.
        case rejected(DropCounter.Reason)
    }

    /// What the coordinator found in an admitted RESULT.
    public enum ResultCheck: Sendable, Hashable {
        /// Consistent with the task: merge it.
        case valid
        /// The worker reports it could not evaluate the task (a failed attempt of the task).
        case workerError(String)
        /// The values break the task's invariants (a strike against the worker).
        case violation(String)
        /// The figures differ from the coordinator's own evaluation (`--verify-fraction`): the worker is
        /// quarantined at once.
        case mismatch(String)
    }

    /// The outcome of an admitted RESULT.
    public enum ResultVerdict: Sendable, Hashable {
        /// First completion of the task: merge it.
        case accepted
        /// A failed attempt: re-queued, or given up after `maxAttempts`.
        case failed(poisoned: Bool)
        /// Invalid values: a strike against the worker (quarantined at `maxStrikes`); the task is re-queued.
        case violation(quarantined: Bool)
        /// Not admissible (see ``Admission/rejected(_:)``).
        case rejected(DropCounter.Reason)
    }

    /// The outcome of a HELLO.
    public enum JoinVerdict: Sendable, Hashable {
        case joined
        /// ``Configuration/maxWorkers`` workers are known already.
        case full
        /// The peer was quarantined.
        case quarantined
    }

    struct WorkerState: Sendable {
        /// Credit the worker granted and has not used (at most `maxCreditPerWorker`).
        var credit = 0
        /// Tasks it evaluates at once, as its HELLO says (1...63).
        var slots = 1
        /// True until its first accepted result.
        var onProbation = true
        var strikes = 0
        var lastHeardMs: Int64
        var lastSentMs: Int64
        var tasks: Set<Int> = []
    }

    struct Lease: Sendable {
        var peer: Peer
        var attempt: Int
        var deadlineMs: Int64
        var startedMs: Int64
    }

    public let configuration: Configuration
    /// The job whose results are accepted (RESULTs naming another are rejected).
    public let jobID: String
    /// Configurations in the sweep.
    public let count: Int
    /// Configurations per task.
    public let chunkSize: Int
    /// Number of tasks.
    public let taskCount: Int

    private var nextTask = 0
    private var retry: [Int] = []
    private var retryHead = 0
    private var leases: [Int: Lease] = [:]
    private var done: Bitset
    private var attempts: [Int: Int] = [:]
    private var failures: [Int: Int] = [:]
    /// The worker whose attempt at a task failed last (a retry goes elsewhere when it can).
    private var lastFailedPeer: [Int: Peer] = [:]
    private var workers: [Peer: WorkerState] = [:]
    private var quarantinedPeers: Set<Peer> = []
    private var quarantineOrder: [Peer] = []
    private var quarantineHead = 0
    private var recentTaskMs: [Int64] = []

    /// Tasks completed (merged once each).
    public private(set) var completedCount = 0
    /// Tasks given up after `maxAttempts` failures.
    public private(set) var poisoned: Set<Int> = []
    /// Results that arrived for tasks already complete.
    public private(set) var duplicateResults = 0
    /// Tasks handed out again after a death, departure, failure or lease expiry.
    public private(set) var redispatched = 0
    /// Workers quarantined so far.
    public private(set) var quarantinedCount = 0
    /// Workers that said HELLO so far (each routing id once per session).
    public private(set) var joinedCount = 0

    /// - Parameters:
    ///   - count: configurations in the sweep (>= 0).
    ///   - chunkSize: configurations per task (>= 1).
    ///   - completed: tasks already done (from a journal).
    ///   - jobID: the job RESULTs must name.
    public init(count: Int, chunkSize: Int, completed: Set<Int> = [], jobID: String = "", configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.jobID = jobID
        self.count = max(count, 0)
        self.chunkSize = max(chunkSize, 1)
        self.taskCount = (self.count + self.chunkSize - 1) / self.chunkSize
        self.done = Bitset(count: taskCount)
        for task in completed where task >= 0 && task < taskCount && !done[task] {
            done[task] = true
            completedCount += 1
        }
    }

    /// The index range of a task.
    public func range(of task: Int) -> Range<Int> {
        let start = task * chunkSize
        return start..<min(start + chunkSize, count)
    }

    /// True when every task is complete or poisoned.
    public var isFinished: Bool { completedCount + poisoned.count >= taskCount }

    /// Whether `task` is complete.
    public func isComplete(_ task: Int) -> Bool { task >= 0 && task < taskCount && done[task] }

    /// Workers currently known.
    public var workerCount: Int { workers.count }

    /// The workers currently known, in a fixed order.
    public var knownPeers: [Peer] { workers.keys.sorted { $0.lexicographicallyPrecedes($1) } }

    /// Tasks currently leased to workers.
    public var inFlightCount: Int { leases.count }

    /// Whether `peer` has said HELLO in this session (and is not quarantined).
    public func knows(_ peer: Peer) -> Bool { workers[peer] != nil }

    /// Whether `peer` was quarantined (and is still remembered as such).
    public func isQuarantined(_ peer: Peer) -> Bool { quarantinedPeers.contains(peer) }

    /// Whether `peer` is still on probation (no accepted result yet).
    public func isOnProbation(_ peer: Peer) -> Bool { workers[peer]?.onProbation ?? false }

    /// Tasks `peer` may hold at once right now.
    public func taskLimit(of peer: Peer) -> Int { workers[peer].map(limit) ?? 0 }

    // MARK: Events

    /// A worker said HELLO (again): (re)register it with no credit, on probation.
    /// - Parameter slots: the tasks it says it evaluates at once (clamped to 1 ... maxCreditPerWorker - 1).
    public mutating func join(_ peer: Peer, slots: Int = 1, nowMs: Int64) -> JoinVerdict {
        if quarantinedPeers.contains(peer) { return .quarantined }
        var strikes = 0
        if let known = workers[peer] {
            // A HELLO again (a reconnect) starts a fresh session on probation, but keeps the strikes.
            strikes = known.strikes
            requeue(peer, failing: false)
        } else {
            guard workers.count < configuration.maxWorkers else { return .full }
            joinedCount += 1
        }
        var state = WorkerState(lastHeardMs: nowMs, lastSentMs: nowMs)
        state.strikes = strikes
        state.slots = min(max(slots, 1), max(configuration.maxCreditPerWorker - 1, 1))
        workers[peer] = state
        return .joined
    }

    /// Any message from `peer` proves it alive.
    public mutating func heard(_ peer: Peer, nowMs: Int64) {
        workers[peer]?.lastHeardMs = nowMs
    }

    /// `peer` grants `n` more tasks; returns the tasks to send.
    public mutating func credit(_ peer: Peer, n: Int, nowMs: Int64) -> [Action] {
        guard var worker = workers[peer] else { return [] }
        worker.credit = min(worker.credit + max(n, 0), configuration.maxCreditPerWorker)
        worker.lastHeardMs = nowMs
        workers[peer] = worker
        return dispatch(nowMs: nowMs)
    }

    /// Whether `peer` may deliver a RESULT for `taskID` at `attempt` of job `jobID`.
    public mutating func admit(_ peer: Peer, jobID: String, taskID: UInt64, attempt: UInt32, nowMs: Int64) -> Admission {
        if quarantinedPeers.contains(peer) { return .rejected(.quarantined) }
        guard workers[peer] != nil else { return .rejected(.notWelcomed) }
        workers[peer]?.lastHeardMs = nowMs
        guard jobID == self.jobID else { return .rejected(.foreignJob) }
        guard taskID < UInt64(taskCount) else { return .rejected(.noLease) }
        let task = Int(taskID)
        guard let lease = leases[task], lease.peer == peer, UInt64(lease.attempt) == UInt64(attempt) else {
            if done[task] {
                duplicateResults += 1
                return .duplicate
            }
            return .rejected(.noLease)
        }
        return .admitted(task: task)
    }

    /// `peer` returned an admitted RESULT for `task`; `check` says what its values are worth. A
    /// result also returns one credit.
    public mutating func result(_ peer: Peer, task: Int, check: ResultCheck, nowMs: Int64) -> (ResultVerdict, [Action]) {
        guard task >= 0, task < taskCount, let lease = leases[task], lease.peer == peer, var worker = workers[peer] else {
            return (.rejected(.noLease), [])
        }
        leases[task] = nil
        worker.lastHeardMs = nowMs
        worker.tasks.remove(task)
        worker.credit = min(worker.credit + 1, configuration.maxCreditPerWorker)
        workers[peer] = worker
        var actions: [Action] = []
        let verdict: ResultVerdict
        switch check {
        case .valid:
            done[task] = true
            completedCount += 1
            attempts[task] = nil
            failures[task] = nil
            lastFailedPeer[task] = nil
            noteTaskTime(nowMs - lease.startedMs)
            workers[peer]?.onProbation = false
            verdict = .accepted
        case let .workerError(reason):
            let poisoned = failAttempt(task, by: peer, reason: "the worker reported: \(reason)", actions: &actions)
            verdict = .failed(poisoned: poisoned)
        case let .violation(reason):
            // The worker's fault, not the task's: re-queued without counting a failed attempt.
            lastFailedPeer[task] = peer
            enqueueRetry(task)
            let quarantined = strike(peer, reason: "invalid RESULT for task \(task): \(reason)", actions: &actions)
            verdict = .violation(quarantined: quarantined)
        case let .mismatch(reason):
            lastFailedPeer[task] = peer
            enqueueRetry(task)
            workers[peer]?.strikes = configuration.maxStrikes - 1
            _ = strike(peer, reason: reason, actions: &actions)
            verdict = .violation(quarantined: true)
        }
        return (verdict, actions + dispatch(nowMs: nowMs))
    }

    /// Quarantines `peer` at once (for example when its figures differ from a re-evaluation).
    public mutating func quarantine(_ peer: Peer, reason: String, nowMs: Int64) -> [Action] {
        guard workers[peer] != nil else { return [] }
        requeue(peer, failing: false)
        workers[peer] = nil
        remember(quarantined: peer)
        return [.quarantine(peer: peer, reason: reason)] + dispatch(nowMs: nowMs)
    }

    /// `peer` left cleanly (BYE): re-queue its tasks (no failed attempt) and forget it.
    public mutating func leave(_ peer: Peer) {
        requeue(peer, failing: false)
        workers[peer] = nil
    }

    /// `peer` is gone without a word (unreachable): each task it held failed an attempt.
    public mutating func lose(_ peer: Peer) -> [Action] {
        var actions: [Action] = []
        requeue(peer, failing: true, actions: &actions)
        workers[peer] = nil
        return actions
    }

    /// Records that something was sent to `peer` (for heartbeat pacing).
    public mutating func sent(_ peer: Peer, nowMs: Int64) {
        workers[peer]?.lastSentMs = nowMs
    }

    /// Advances time: forgets silent workers (their tasks fail an attempt), expires leases (a failed
    /// attempt and a strike against the holder), paces heartbeats.
    public mutating func tick(nowMs: Int64) -> [Action] {
        var actions: [Action] = []
        let silence = configuration.heartbeatMs * configuration.liveness
        for (peer, worker) in workers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            if nowMs - worker.lastHeardMs > silence {
                actions.append(.forget(peer: peer, reason: "silent for \(nowMs - worker.lastHeardMs) ms"))
                requeue(peer, failing: true, actions: &actions)
                workers[peer] = nil
            } else if nowMs - worker.lastSentMs >= configuration.heartbeatMs {
                actions.append(.heartbeat(peer: peer))
                workers[peer]?.lastSentMs = nowMs
            }
        }
        let probationLease = probationLeaseMs()
        for (task, lease) in leases.sorted(by: { $0.key < $1.key }) {
            var deadline = lease.deadlineMs
            if let probationLease, workers[lease.peer]?.onProbation == true {
                deadline = min(deadline, lease.startedMs + probationLease)
            }
            guard nowMs > deadline else { continue }
            leases[task] = nil
            workers[lease.peer]?.tasks.remove(task)
            _ = failAttempt(task, by: lease.peer, reason: "its lease expired after \(nowMs - lease.startedMs) ms", actions: &actions)
            workers[lease.peer]?.onProbation = true
            _ = strike(lease.peer, reason: "let the lease of task \(task) expire", actions: &actions)
        }
        return actions + dispatch(nowMs: nowMs)
    }

    // MARK: Internals

    private func limit(_ worker: WorkerState) -> Int {
        worker.onProbation ? 1 : min(worker.slots + 1, configuration.maxCreditPerWorker)
    }

    /// One failed attempt of `task` (not leased any more): re-queued, or given up at `maxAttempts`.
    /// - Returns: true when the task was given up.
    private mutating func failAttempt(_ task: Int, by peer: Peer, reason: String, actions: inout [Action]) -> Bool {
        guard !done[task], !poisoned.contains(task) else { return false }
        failures[task, default: 0] += 1
        lastFailedPeer[task] = peer
        if failures[task, default: 0] >= configuration.maxAttempts {
            poisoned.insert(task)
            releaseLease(task)
            actions.append(.giveUp(taskID: task, reason: reason))
            return true
        }
        if leases[task] == nil { enqueueRetry(task) }
        return false
    }

    /// One strike against `peer`; quarantines it at `maxStrikes`.
    /// - Returns: true when the worker was quarantined.
    private mutating func strike(_ peer: Peer, reason: String, actions: inout [Action]) -> Bool {
        guard var worker = workers[peer] else { return false }
        worker.strikes += 1
        workers[peer] = worker
        guard worker.strikes >= configuration.maxStrikes else { return false }
        requeue(peer, failing: false)
        workers[peer] = nil
        remember(quarantined: peer)
        actions.append(.quarantine(peer: peer, reason: "\(worker.strikes) strikes, the last: \(reason)"))
        return true
    }

    private mutating func remember(quarantined peer: Peer) {
        quarantinedCount += 1
        guard quarantinedPeers.insert(peer).inserted else { return }
        quarantineOrder.append(peer)
        while quarantinedPeers.count > configuration.maxQuarantined, quarantineHead < quarantineOrder.count {
            quarantinedPeers.remove(quarantineOrder[quarantineHead])
            quarantineHead += 1
        }
        if quarantineHead > 1024 && quarantineHead * 2 > quarantineOrder.count {
            quarantineOrder.removeFirst(quarantineHead)
            quarantineHead = 0
        }
    }

    private mutating func dispatch(nowMs: Int64) -> [Action] {
        var actions: [Action] = []
        let peers = workers.keys.sorted { $0.lexicographicallyPrecedes($1) }
        // First pass: fresh tasks, and retries only to workers other than the one that failed them last;
        // second pass: whatever is left to whoever has credit (a lone worker retries its own failures).
        for fallback in [false, true] {
            var progress = true
            while progress {
                progress = false
                for peer in peers {
                    guard let worker = workers[peer], worker.credit > 0, worker.tasks.count < limit(worker),
                          let task = nextPendingTask(for: peer, fallback: fallback) else { continue }
                    let attempt = attempts[task, default: 0] + 1
                    attempts[task] = attempt
                    let range = range(of: task)
                    leases[task] = Lease(peer: peer, attempt: attempt, deadlineMs: nowMs + leaseMs(), startedMs: nowMs)
                    workers[peer]?.credit -= 1
                    workers[peer]?.tasks.insert(task)
                    workers[peer]?.lastSentMs = nowMs
                    actions.append(.dispatch(peer: peer, taskID: task, attempt: attempt, start: range.lowerBound, count: range.count))
                    progress = true
                }
            }
        }
        return actions
    }

    private func isPending(_ task: Int) -> Bool { !done[task] && !poisoned.contains(task) && leases[task] == nil }

    /// The next task for `peer`: a retry that did not last fail on it, else a fresh task, else (with
    /// `fallback`) any retry.
    private mutating func nextPendingTask(for peer: Peer, fallback: Bool) -> Int? {
        while retryHead < retry.count && !isPending(retry[retryHead]) { retryHead += 1 }
        compactRetry()
        let lookahead = min(retry.count, retryHead + 16)
        for position in retryHead..<lookahead where isPending(retry[position]) && lastFailedPeer[retry[position]] != peer {
            let task = retry[position]
            retry.swapAt(position, retryHead)
            retryHead += 1
            redispatched += 1
            return task
        }
        while nextTask < taskCount {
            let task = nextTask
            nextTask += 1
            if !done[task] { return task }
        }
        guard fallback else { return nil }
        for position in retryHead..<lookahead where isPending(retry[position]) {
            let task = retry[position]
            retry.swapAt(position, retryHead)
            retryHead += 1
            redispatched += 1
            return task
        }
        return nil
    }

    private mutating func compactRetry() {
        if retryHead > 1024 && retryHead * 2 > retry.count {
            retry.removeFirst(retryHead)
            retryHead = 0
        }
    }

    private mutating func enqueueRetry(_ task: Int) {
        retry.append(task)
    }

    private mutating func releaseLease(_ task: Int) {
        if let lease = leases[task] { workers[lease.peer]?.tasks.remove(task) }
        leases[task] = nil
    }

    private mutating func requeue(_ peer: Peer, failing: Bool) {
        var ignored: [Action] = []
        requeue(peer, failing: failing, actions: &ignored)
    }

    /// Re-queues every task `peer` holds; with `failing`, each counts as a failed attempt.
    private mutating func requeue(_ peer: Peer, failing: Bool, actions: inout [Action]) {
        guard let worker = workers[peer] else { return }
        for task in worker.tasks.sorted() where leases[task]?.peer == peer {
            leases[task] = nil
            if failing {
                _ = failAttempt(task, by: peer, reason: "its worker died holding it", actions: &actions)
            } else {
                if !done[task] && !poisoned.contains(task) { enqueueRetry(task) }
            }
        }
        workers[peer]?.tasks = []
        workers[peer]?.credit = 0
    }

    private mutating func noteTaskTime(_ ms: Int64) {
        recentTaskMs.append(max(ms, 0))
        if recentTaskMs.count > 64 { recentTaskMs.removeFirst(recentTaskMs.count - 64) }
    }

    private var medianTaskMs: Int64? {
        guard !recentTaskMs.isEmpty else { return nil }
        return recentTaskMs.sorted()[recentTaskMs.count / 2]
    }

    private func leaseMs() -> Int64 {
        guard let median = medianTaskMs else { return configuration.minimumLeaseMs }
        return max(configuration.minimumLeaseMs, 10 * median)
    }

    /// The lease of a worker on probation once task times are known: 10 x the median, at least the
    /// silence interval (a worker that answers heartbeats but never a task is found out this fast).
    private func probationLeaseMs() -> Int64? {
        guard let median = medianTaskMs else { return nil }
        return max(10 * median, configuration.heartbeatMs * configuration.liveness)
    }
}

/// A fixed-size set of bits (1 bit per task).
public struct Bitset: Sendable, Hashable {
    private var words: [UInt64]
    public let count: Int

    public init(count: Int) {
        self.count = max(count, 0)
        words = [UInt64](repeating: 0, count: (self.count + 63) / 64)
    }

    public subscript(index: Int) -> Bool {
        get { words[index >> 6] & (1 << UInt64(index & 63)) != 0 }
        set {
            if newValue { words[index >> 6] |= 1 << UInt64(index & 63) } else { words[index >> 6] &= ~(1 << UInt64(index & 63)) }
        }
    }
}
