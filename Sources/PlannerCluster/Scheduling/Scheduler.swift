/// The coordinator's task bookkeeping as a pure state machine: no sockets, no clock of its own.
///
/// Tasks are fixed index ranges (`taskID * chunkSize ..< min(+chunkSize, count)`), so a restarted
/// coordinator numbers them the same way. Dispatch is at-least-once (credit-based, with leases and
/// re-dispatch when a worker dies, leaves or stalls); completion is exactly-once (a bitset, first
/// result wins, later duplicates are counted and ignored).
public struct Scheduler: Sendable {
    /// Timers and limits, in milliseconds.
    public struct Configuration: Sendable, Hashable {
        /// A worker silent for `heartbeatMs * liveness` is dead.
        public var heartbeatMs: Int64 = 1000
        public var liveness: Int64 = 5
        /// Minimum task lease; the lease is the larger of this and 10 x the median task time seen.
        public var minimumLeaseMs: Int64 = 60_000
        /// Failed attempts (RESULT with an error) after which a task is poisoned and never retried.
        public var maxAttempts = 3
        /// Most tasks one worker may hold, whatever credit it claims.
        public var maxCreditPerWorker = 64

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
    }

    /// The outcome of a RESULT.
    public enum ResultVerdict: Sendable, Hashable {
        /// First completion of the task: merge it.
        case accepted
        /// The task was already complete: ignore it.
        case duplicate
        /// A failed attempt: re-queued, or poisoned after `maxAttempts`.
        case failed(poisoned: Bool)
        /// Not a task of this sweep.
        case invalid
    }

    struct WorkerState: Sendable {
        var credit = 0
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
    private var workers: [Peer: WorkerState] = [:]
    private var recentTaskMs: [Int64] = []

    /// Tasks completed (merged once each).
    public private(set) var completedCount = 0
    /// Tasks given up after `maxAttempts` failures.
    public private(set) var poisoned: Set<Int> = []
    /// Results that arrived for tasks already complete.
    public private(set) var duplicateResults = 0
    /// Tasks handed out again after a death, departure, failure or lease expiry.
    public private(set) var redispatched = 0

    /// - Parameters:
    ///   - count: configurations in the sweep (>= 0).
    ///   - chunkSize: configurations per task (>= 1).
    ///   - completed: tasks already done (from a journal).
    public init(count: Int, chunkSize: Int, completed: Set<Int> = [], configuration: Configuration = Configuration()) {
        self.configuration = configuration
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

    /// Tasks currently leased to workers.
    public var inFlightCount: Int { leases.count }

    /// Whether `peer` has said HELLO in this session.
    public func knows(_ peer: Peer) -> Bool { workers[peer] != nil }

    // MARK: Events

    /// A worker said HELLO (again): (re)register it with no credit.
    public mutating func join(_ peer: Peer, nowMs: Int64) {
        if workers[peer] != nil { requeue(peer) }
        workers[peer] = WorkerState(lastHeardMs: nowMs, lastSentMs: nowMs)
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

    /// `peer` returned a RESULT for `task` (attempt). A result also returns one credit.
    public mutating func result(_ peer: Peer, task: Int, failed: Bool, nowMs: Int64) -> (ResultVerdict, [Action]) {
        guard task >= 0 && task < taskCount else { return (.invalid, []) }
        if var worker = workers[peer] {
            worker.lastHeardMs = nowMs
            worker.tasks.remove(task)
            worker.credit = min(worker.credit + 1, configuration.maxCreditPerWorker)
            workers[peer] = worker
        }
        let lease = leases[task]
        if lease?.peer == peer { leases[task] = nil }
        let verdict: ResultVerdict
        if done[task] {
            duplicateResults += 1
            verdict = .duplicate
        } else if failed {
            failures[task, default: 0] += 1
            if failures[task, default: 0] >= configuration.maxAttempts {
                poisoned.insert(task)
                releaseLease(task)
                verdict = .failed(poisoned: true)
            } else {
                if leases[task] == nil { enqueueRetry(task) }
                verdict = .failed(poisoned: false)
            }
        } else {
            done[task] = true
            completedCount += 1
            poisoned.remove(task)
            attempts[task] = nil
            failures[task] = nil
            if let lease { noteTaskTime(nowMs - lease.startedMs) }
            releaseLease(task)
            verdict = .accepted
        }
        return (verdict, dispatch(nowMs: nowMs))
    }

    /// `peer` left (BYE) or is unreachable: re-queue its tasks and forget it.
    public mutating func leave(_ peer: Peer) {
        requeue(peer)
        workers[peer] = nil
    }

    /// Records that something was sent to `peer` (for heartbeat pacing).
    public mutating func sent(_ peer: Peer, nowMs: Int64) {
        workers[peer]?.lastSentMs = nowMs
    }

    /// Advances time: forgets silent workers, re-dispatches expired leases, paces heartbeats.
    public mutating func tick(nowMs: Int64) -> [Action] {
        var actions: [Action] = []
        let silence = configuration.heartbeatMs * configuration.liveness
        for (peer, worker) in workers.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            if nowMs - worker.lastHeardMs > silence {
                leave(peer)
                actions.append(.forget(peer: peer, reason: "silent for \(nowMs - worker.lastHeardMs) ms"))
            } else if nowMs - worker.lastSentMs >= configuration.heartbeatMs {
                actions.append(.heartbeat(peer: peer))
                workers[peer]?.lastSentMs = nowMs
            }
        }
        for (task, lease) in leases.sorted(by: { $0.key < $1.key }) where nowMs > lease.deadlineMs {
            leases[task] = nil
            workers[lease.peer]?.tasks.remove(task)
            if !done[task] && !poisoned.contains(task) { enqueueRetry(task) }
        }
        return actions + dispatch(nowMs: nowMs)
    }

    // MARK: Internals

    private mutating func dispatch(nowMs: Int64) -> [Action] {
        var actions: [Action] = []
        let peers = workers.keys.sorted { $0.lexicographicallyPrecedes($1) }
        var progress = true
        while progress {
            progress = false
            for peer in peers {
                guard let worker = workers[peer], worker.credit > 0, let task = nextPendingTask() else { continue }
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
        return actions
    }

    private mutating func nextPendingTask() -> Int? {
        while retryHead < retry.count {
            let task = retry[retryHead]
            retryHead += 1
            if retryHead > 1024 && retryHead * 2 > retry.count {
                retry.removeFirst(retryHead)
                retryHead = 0
            }
            if !done[task] && !poisoned.contains(task) && leases[task] == nil {
                redispatched += 1
                return task
            }
        }
        while nextTask < taskCount {
            let task = nextTask
            nextTask += 1
            if !done[task] { return task }
        }
        return nil
    }

    private mutating func enqueueRetry(_ task: Int) {
        retry.append(task)
    }

    private mutating func releaseLease(_ task: Int) {
        if let lease = leases[task] { workers[lease.peer]?.tasks.remove(task) }
        leases[task] = nil
    }

    private mutating func requeue(_ peer: Peer) {
        guard let worker = workers[peer] else { return }
        for task in worker.tasks.sorted() where leases[task]?.peer == peer {
            leases[task] = nil
            if !done[task] && !poisoned.contains(task) { enqueueRetry(task) }
        }
        workers[peer]?.tasks = []
        workers[peer]?.credit = 0
    }

    private mutating func noteTaskTime(_ ms: Int64) {
        recentTaskMs.append(max(ms, 0))
        if recentTaskMs.count > 64 { recentTaskMs.removeFirst(recentTaskMs.count - 64) }
    }

    private func leaseMs() -> Int64 {
        guard !recentTaskMs.isEmpty else { return configuration.minimumLeaseMs }
        let median = recentTaskMs.sorted()[recentTaskMs.count / 2]
        return max(configuration.minimumLeaseMs, 10 * median)
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
