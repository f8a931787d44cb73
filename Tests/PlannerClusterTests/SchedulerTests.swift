import PlannerCluster
import Testing

/// The scheduler state machine with a manual clock: no sockets, no threads.
struct SchedulerTests {
    let a: Scheduler.Peer = Array("a".utf8)
    let b: Scheduler.Peer = Array("b".utf8)

    static func dispatched(_ actions: [Scheduler.Action]) -> [(Scheduler.Peer, Int)] {
        actions.compactMap { if case let .dispatch(peer, task, _, _, _) = $0 { (peer, task) } else { nil } }
    }

    @Test func creditBoundsWhatIsSent() {
        var scheduler = Scheduler(count: 100, chunkSize: 10)
        #expect(scheduler.taskCount == 10)
        scheduler.join(a, nowMs: 0)
        #expect(Self.dispatched(scheduler.tick(nowMs: 0)).isEmpty)
        let sent = Self.dispatched(scheduler.credit(a, n: 3, nowMs: 1))
        #expect(sent.map(\.1) == [0, 1, 2])
        #expect(scheduler.inFlightCount == 3)
        let (verdict, more) = scheduler.result(a, task: 0, failed: false, nowMs: 2)
        #expect(verdict == .accepted)
        #expect(Self.dispatched(more).map(\.1) == [3])
        #expect(scheduler.range(of: 9) == 90..<100)
    }

    @Test func aDeadWorkersTasksGoToOthers() {
        var configuration = Scheduler.Configuration()
        configuration.heartbeatMs = 100
        configuration.liveness = 3
        var scheduler = Scheduler(count: 40, chunkSize: 10, configuration: configuration)
        scheduler.join(a, nowMs: 0)
        scheduler.join(b, nowMs: 0)
        let toA = Self.dispatched(scheduler.credit(a, n: 2, nowMs: 0)).map(\.1)
        #expect(toA == [0, 1])
        // b keeps talking, a goes silent.
        scheduler.heard(b, nowMs: 250)
        let actions = scheduler.tick(nowMs: 301)
        #expect(actions.contains(.forget(peer: a, reason: "silent for 301 ms")))
        #expect(!scheduler.knows(a))
        let toB = Self.dispatched(scheduler.credit(b, n: 4, nowMs: 302)).map(\.1)
        #expect(toB == [0, 1, 2, 3])
        #expect(scheduler.redispatched == 2)
    }

    @Test func duplicatesAreIgnoredAndLateResultsStillCount() {
        var scheduler = Scheduler(count: 20, chunkSize: 10)
        scheduler.join(a, nowMs: 0)
        _ = scheduler.credit(a, n: 1, nowMs: 0)
        scheduler.leave(a)
        scheduler.join(b, nowMs: 1)
        #expect(Self.dispatched(scheduler.credit(b, n: 1, nowMs: 1)).map(\.1) == [0])
        // The first worker's late result arrives first: it wins; b's copy is a duplicate.
        #expect(scheduler.result(a, task: 0, failed: false, nowMs: 2).0 == .accepted)
        #expect(scheduler.result(b, task: 0, failed: false, nowMs: 3).0 == .duplicate)
        #expect(scheduler.duplicateResults == 1 && scheduler.completedCount == 1)
        #expect(scheduler.result(b, task: 7, failed: false, nowMs: 3).0 == .invalid)
    }

    @Test func expiredLeasesAreHandedOutAgain() {
        var configuration = Scheduler.Configuration()
        configuration.minimumLeaseMs = 1000
        configuration.heartbeatMs = 10_000
        var scheduler = Scheduler(count: 10, chunkSize: 10, configuration: configuration)
        scheduler.join(a, nowMs: 0)
        scheduler.join(b, nowMs: 0)
        #expect(Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0)).map(\.1) == [0])
        #expect(Self.dispatched(scheduler.credit(b, n: 1, nowMs: 0)).isEmpty)
        let again = Self.dispatched(scheduler.tick(nowMs: 1001))
        #expect(again.count == 1 && again[0].1 == 0)
    }

    @Test func repeatedFailuresPoisonATask() {
        var scheduler = Scheduler(count: 10, chunkSize: 5)
        scheduler.join(a, nowMs: 0)
        _ = scheduler.credit(a, n: 1, nowMs: 0)
        var verdicts: [Scheduler.ResultVerdict] = []
        for time in 1...3 {
            verdicts.append(scheduler.result(a, task: 0, failed: true, nowMs: Int64(time)).0)
        }
        #expect(verdicts == [.failed(poisoned: false), .failed(poisoned: false), .failed(poisoned: true)])
        #expect(scheduler.poisoned == [0])
        #expect(scheduler.result(a, task: 1, failed: false, nowMs: 5).0 == .accepted)
        #expect(scheduler.isFinished)
    }

    @Test func aResumedSchedulerSkipsCompletedTasks() {
        var scheduler = Scheduler(count: 50, chunkSize: 10, completed: [0, 2, 4])
        #expect(scheduler.completedCount == 3)
        scheduler.join(a, nowMs: 0)
        #expect(Self.dispatched(scheduler.credit(a, n: 10, nowMs: 0)).map(\.1) == [1, 3])
    }

    @Test func inFlightStaysBoundedOverManyTasks() {
        var scheduler = Scheduler(count: 200_000, chunkSize: 1)
        scheduler.join(a, nowMs: 0)
        var completed = 0
        var time: Int64 = 0
        var pending = Self.dispatched(scheduler.credit(a, n: 8, nowMs: 0)).map(\.1)
        var cursor = 0
        var largestInFlight = 0
        while cursor < pending.count {
            let task = pending[cursor]
            cursor += 1
            time += 1
            let (verdict, actions) = scheduler.result(a, task: task, failed: false, nowMs: time)
            if verdict == .accepted { completed += 1 }
            pending += Self.dispatched(actions).map(\.1)
            largestInFlight = max(largestInFlight, scheduler.inFlightCount)
        }
        #expect(largestInFlight <= 8)
        #expect(completed == 200_000 && scheduler.isFinished)
    }
}

/// The coordinator's bounded per-peer drop counts.
struct DropCounterTests {
    @Test func countsByReasonAndPeerAndEvictsTheOldestPeer() {
        var drops = DropCounter(maxPeers: 3)
        for id in 0..<10 { drops.count(.malformed, peer: [UInt8(id)]) }
        drops.count(.tooManyFrames, peer: [9])
        #expect(drops.totals == [.malformed: 10, .tooManyFrames: 1])
        #expect(drops.total == 11 && drops.trackedPeers == 3)
        #expect(drops.counts(for: [0]).isEmpty)
        #expect(drops.counts(for: [9]) == [.malformed: 1, .tooManyFrames: 1])
        #expect(drops.summary == "1 too many frames, 10 malformed")
        #expect(DropCounter().summary == "none")
    }

    @Test func aFloodOfPeersStaysBounded() {
        var drops = DropCounter()
        for id in 0..<40_000 { drops.count(.notWelcomed, peer: withUnsafeBytes(of: UInt32(id)) { Array($0) }) }
        #expect(drops.trackedPeers == DropCounter.defaultMaxPeers)
        #expect(drops.totals[.notWelcomed] == 40_000)
    }
}
