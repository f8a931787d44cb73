import PlannerCluster
import Testing

/// The scheduler state machine with a manual clock: no sockets, no threads.
struct SchedulerTests {
    let a: Scheduler.Peer = Array("a".utf8)
    let b: Scheduler.Peer = Array("b".utf8)
    let c: Scheduler.Peer = Array("c".utf8)

    struct Sent: Hashable {
        var peer: Scheduler.Peer
        var task: Int
        var attempt: Int
    }

    static func dispatched(_ actions: [Scheduler.Action]) -> [Sent] {
        actions.compactMap { if case let .dispatch(peer, task, attempt, _, _) = $0 { Sent(peer: peer, task: task, attempt: attempt) } else { nil } }
    }

    /// Admits and reports one RESULT for a dispatched task.
    static func answer(_ scheduler: inout Scheduler, _ sent: Sent, check: Scheduler.ResultCheck = .valid, nowMs: Int64)
        -> (Scheduler.ResultVerdict, [Scheduler.Action]) {
        switch scheduler.admit(sent.peer, jobID: scheduler.jobID, taskID: UInt64(sent.task), attempt: UInt32(sent.attempt), nowMs: nowMs) {
        case let .admitted(task):
            return scheduler.result(sent.peer, task: task, check: check, nowMs: nowMs)
        case .duplicate:
            return (.rejected(.noLease), [])
        case let .rejected(reason):
            return (.rejected(reason), [])
        }
    }

    @Test func aWorkerOnProbationHoldsOneTaskThenSlotsPlusOne() {
        var scheduler = Scheduler(count: 100, chunkSize: 10, jobID: "job")
        #expect(scheduler.taskCount == 10)
        #expect(scheduler.join(a, slots: 2, nowMs: 0) == .joined)
        #expect(Self.dispatched(scheduler.tick(nowMs: 0)).isEmpty)
        let first = Self.dispatched(scheduler.credit(a, n: 3, nowMs: 1))
        #expect(first.map(\.task) == [0])
        #expect(scheduler.isOnProbation(a) && scheduler.taskLimit(of: a) == 1)
        let (verdict, more) = Self.answer(&scheduler, first[0], nowMs: 2)
        #expect(verdict == .accepted)
        // Probation over: the three credits it granted are usable (slots 2 + 1).
        #expect(Self.dispatched(more).map(\.task) == [1, 2, 3])
        #expect(!scheduler.isOnProbation(a) && scheduler.taskLimit(of: a) == 3)
        #expect(scheduler.range(of: 9) == 90..<100)
    }

    @Test func claimedCreditAndSlotsAreCapped() {
        var scheduler = Scheduler(count: 10_000, chunkSize: 1, jobID: "job")
        _ = scheduler.join(a, slots: 1_000_000, nowMs: 0)
        let first = Self.dispatched(scheduler.credit(a, n: Int(UInt32.max), nowMs: 0))
        #expect(first.count == 1)
        let (_, more) = Self.answer(&scheduler, first[0], nowMs: 1)
        #expect(Self.dispatched(more).count == Scheduler.Configuration().maxCreditPerWorker)
        #expect(scheduler.inFlightCount == 64)
        // More CREDIT while holding 64 tasks sends nothing.
        #expect(Self.dispatched(scheduler.credit(a, n: 1_000, nowMs: 2)).isEmpty)
    }

    @Test func aResultCountsOnlyFromTheLeaseHolderAtThatAttemptForThisJob() {
        var scheduler = Scheduler(count: 30, chunkSize: 10, jobID: "job")
        // Never said HELLO.
        #expect(scheduler.admit(c, jobID: "job", taskID: 0, attempt: 1, nowMs: 0) == .rejected(.notWelcomed))
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        let toA = Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0))
        #expect(toA == [Sent(peer: a, task: 0, attempt: 1)])
        #expect(scheduler.admit(a, jobID: "other", taskID: 0, attempt: 1, nowMs: 1) == .rejected(.foreignJob))
        #expect(scheduler.admit(a, jobID: "job", taskID: 1, attempt: 1, nowMs: 1) == .rejected(.noLease))
        #expect(scheduler.admit(a, jobID: "job", taskID: 0, attempt: 2, nowMs: 1) == .rejected(.noLease))
        #expect(scheduler.admit(a, jobID: "job", taskID: UInt64.max, attempt: 1, nowMs: 1) == .rejected(.noLease))
        #expect(scheduler.admit(b, jobID: "job", taskID: 0, attempt: 1, nowMs: 1) == .rejected(.noLease))
        #expect(scheduler.result(b, task: 0, check: .valid, nowMs: 1).0 == .rejected(.noLease))
        #expect(scheduler.completedCount == 0)
        // a leaves; b gets the task at attempt 2 and completes it; a's late copy is a duplicate.
        scheduler.leave(a)
        let toB = Self.dispatched(scheduler.credit(b, n: 1, nowMs: 2))
        #expect(toB == [Sent(peer: b, task: 0, attempt: 2)])
        #expect(Self.answer(&scheduler, toB[0], nowMs: 3).0 == .accepted)
        _ = scheduler.join(a, nowMs: 4)
        #expect(scheduler.admit(a, jobID: "job", taskID: 0, attempt: 1, nowMs: 4) == .duplicate)
        #expect(scheduler.duplicateResults == 1 && scheduler.completedCount == 1)
    }

    @Test func aDeadWorkersTasksGoToOthersAndCountAsFailedAttempts() {
        var configuration = Scheduler.Configuration()
        configuration.heartbeatMs = 100
        configuration.liveness = 3
        var scheduler = Scheduler(count: 40, chunkSize: 10, jobID: "job", configuration: configuration)
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        #expect(Self.dispatched(scheduler.credit(a, n: 2, nowMs: 0)).map(\.task) == [0])
        // b keeps talking, a goes silent.
        scheduler.heard(b, nowMs: 250)
        let actions = scheduler.tick(nowMs: 301)
        #expect(actions.contains(.forget(peer: a, reason: "silent for 301 ms")))
        #expect(!scheduler.knows(a))
        let toB = Self.dispatched(scheduler.credit(b, n: 4, nowMs: 302))
        #expect(toB == [Sent(peer: b, task: 0, attempt: 2)])
        #expect(scheduler.redispatched == 1)
    }

    @Test func aTaskThatKillsEveryWorkerIsGivenUpAfterThreeAttempts() {
        var configuration = Scheduler.Configuration()
        configuration.heartbeatMs = 100
        configuration.liveness = 3
        var scheduler = Scheduler(count: 20, chunkSize: 10, jobID: "job", configuration: configuration)
        var time: Int64 = 0
        var gaveUp: [Scheduler.Action] = []
        // A fresh worker (a restarted local worker has a new routing id) takes task 0 and crashes, three times.
        for generation in 0..<3 {
            let peer = Array("crash-\(generation)".utf8)
            _ = scheduler.join(peer, nowMs: time)
            #expect(Self.dispatched(scheduler.credit(peer, n: 1, nowMs: time)).map(\.task) == [0])
            time += 400
            gaveUp += scheduler.tick(nowMs: time).filter { if case .giveUp = $0 { true } else { false } }
        }
        #expect(scheduler.poisoned == [0])
        #expect(gaveUp == [.giveUp(taskID: 0, reason: "its worker died holding it")])
        // The other task still completes.
        _ = scheduler.join(a, nowMs: time)
        let next = Self.dispatched(scheduler.credit(a, n: 1, nowMs: time))
        #expect(next.map(\.task) == [1])
        #expect(Self.answer(&scheduler, next[0], nowMs: time + 1).0 == .accepted)
        #expect(scheduler.isFinished)
    }

    @Test func expiredLeasesFailAnAttemptStrikeTheHolderAndAreHandedOutAgain() {
        var configuration = Scheduler.Configuration()
        configuration.minimumLeaseMs = 1000
        configuration.heartbeatMs = 10_000
        var scheduler = Scheduler(count: 10, chunkSize: 10, jobID: "job", configuration: configuration)
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        #expect(Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0)).map(\.task) == [0])
        #expect(Self.dispatched(scheduler.credit(b, n: 1, nowMs: 0)).isEmpty)
        let again = Self.dispatched(scheduler.tick(nowMs: 1001))
        #expect(again == [Sent(peer: b, task: 0, attempt: 2)])
        // a's answer after expiry does not count.
        #expect(scheduler.admit(a, jobID: "job", taskID: 0, attempt: 1, nowMs: 1002) == .rejected(.noLease))
    }

    @Test func aWorkerThatNeverAnswersLosesItsTaskFastOnceTaskTimesAreKnown() {
        var configuration = Scheduler.Configuration()
        configuration.heartbeatMs = 100
        configuration.liveness = 5
        var scheduler = Scheduler(count: 30, chunkSize: 1, jobID: "job", configuration: configuration)
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        // a: CREDIT and heartbeats, never a RESULT. b: answers every task in 10 ms.
        let hostage = Self.dispatched(scheduler.credit(a, n: 64, nowMs: 0))
        #expect(hostage.map(\.task) == [0])
        var pending = Self.dispatched(scheduler.credit(b, n: 1, nowMs: 0))
        var time: Int64 = 0
        while !scheduler.isFinished && time < 5_000 {
            time += 10
            scheduler.heard(a, nowMs: time)
            var next: [Sent] = []
            for sent in pending where sent.peer == b {
                next += Self.dispatched(Self.answer(&scheduler, sent, nowMs: time).1)
            }
            next += Self.dispatched(scheduler.tick(nowMs: time))
            pending = next + pending.filter { $0.peer != b && !next.contains($0) }
        }
        // Far less than the 60 s minimum lease: 10 x the median or the 500 ms silence interval.
        #expect(scheduler.isFinished && time < 1_500, "finished \(scheduler.isFinished) at \(time) ms")
        #expect(scheduler.poisoned.isEmpty)
    }

    @Test func workerErrorsGiveUpATaskAfterThreeAttempts() {
        var scheduler = Scheduler(count: 10, chunkSize: 5, jobID: "job")
        _ = scheduler.join(a, nowMs: 0)
        var sent = Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0))
        var verdicts: [Scheduler.ResultVerdict] = []
        var gaveUp: [Int] = []
        var time: Int64 = 0
        // A lone worker that fails everything: each task is tried three times, then given up (never forever).
        while let next = sent.first, time < 100 {
            time += 1
            let (verdict, actions) = Self.answer(&scheduler, next, check: .workerError("boom"), nowMs: time)
            verdicts.append(verdict)
            gaveUp += actions.compactMap { if case let .giveUp(task, _) = $0 { task } else { nil } }
            sent = Self.dispatched(actions)
        }
        #expect(verdicts.count == 6 && verdicts.filter { $0 == .failed(poisoned: true) }.count == 2)
        #expect(scheduler.poisoned == [0, 1] && gaveUp.sorted() == [0, 1])
        #expect(scheduler.isFinished && scheduler.completedCount == 0)
    }

    @Test func threeInvalidResultsQuarantineAWorkerAndItsTasksGoElsewhere() {
        var scheduler = Scheduler(count: 50, chunkSize: 10, jobID: "job")
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        var sent = Self.dispatched(scheduler.credit(a, n: 5, nowMs: 0))
        var verdicts: [Scheduler.ResultVerdict] = []
        var quarantines: [Scheduler.Action] = []
        for time in 1...3 {
            let (verdict, actions) = Self.answer(&scheduler, sent[0], check: .violation("ttft_ms = nan"), nowMs: Int64(time))
            verdicts.append(verdict)
            quarantines += actions.filter { if case .quarantine = $0 { true } else { false } }
            sent = Self.dispatched(actions).filter { $0.peer == a }
            if time < 3 { #expect(sent.count == 1, "still on probation: one task at a time") }
        }
        #expect(verdicts == [.violation(quarantined: false), .violation(quarantined: false), .violation(quarantined: true)])
        #expect(quarantines.count == 1 && scheduler.quarantinedCount == 1)
        #expect(scheduler.isQuarantined(a) && !scheduler.knows(a))
        #expect(scheduler.join(a, nowMs: 4) == .quarantined)
        #expect(scheduler.admit(a, jobID: "job", taskID: 0, attempt: 1, nowMs: 4) == .rejected(.quarantined))
        // Nothing was given up or completed by the liar; b does all the work.
        #expect(scheduler.poisoned.isEmpty && scheduler.completedCount == 0)
        var pending = Self.dispatched(scheduler.credit(b, n: 2, nowMs: 5))
        var time: Int64 = 5
        while let next = pending.first {
            pending.removeFirst()
            time += 1
            pending += Self.dispatched(Self.answer(&scheduler, next, nowMs: time).1)
        }
        #expect(scheduler.isFinished && scheduler.completedCount == 5)
    }

    @Test func aRetryGoesToAnotherWorkerWhenOneHasCredit() {
        var scheduler = Scheduler(count: 30, chunkSize: 10, jobID: "job")
        _ = scheduler.join(a, nowMs: 0)
        _ = scheduler.join(b, nowMs: 0)
        let toA = Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0))
        #expect(toA.map(\.task) == [0])
        #expect(Self.dispatched(scheduler.credit(b, n: 1, nowMs: 0)).map(\.task) == [1])
        // a fails task 0 and is given the next fresh task instead; b, when free, gets the retry.
        let (_, actions) = Self.answer(&scheduler, toA[0], check: .workerError("boom"), nowMs: 1)
        #expect(Self.dispatched(actions) == [Sent(peer: a, task: 2, attempt: 1)])
        let (_, next) = Self.answer(&scheduler, Sent(peer: b, task: 1, attempt: 1), nowMs: 2)
        #expect(Self.dispatched(next).contains(Sent(peer: b, task: 0, attempt: 2)))
    }

    @Test func knownWorkersAreBoundedAndExpire() {
        var configuration = Scheduler.Configuration()
        configuration.maxWorkers = 4
        configuration.heartbeatMs = 100
        configuration.liveness = 2
        var scheduler = Scheduler(count: 10, chunkSize: 1, jobID: "job", configuration: configuration)
        for id in 0..<4 { #expect(scheduler.join([UInt8(id)], nowMs: 0) == .joined) }
        #expect(scheduler.join([9], nowMs: 0) == .full)
        #expect(scheduler.join([0], nowMs: 0) == .joined, "a known worker may say HELLO again")
        _ = scheduler.tick(nowMs: 201)
        #expect(scheduler.workerCount == 0)
        #expect(scheduler.join([9], nowMs: 202) == .joined)
        #expect(scheduler.joinedCount == 5)
    }

    @Test func aResumedSchedulerSkipsCompletedTasks() {
        var scheduler = Scheduler(count: 50, chunkSize: 10, completed: [0, 2, 4], jobID: "job")
        #expect(scheduler.completedCount == 3)
        _ = scheduler.join(a, slots: 8, nowMs: 0)
        let first = Self.dispatched(scheduler.credit(a, n: 10, nowMs: 0))
        #expect(first.map(\.task) == [1])
        #expect(Self.dispatched(Self.answer(&scheduler, first[0], nowMs: 1).1).map(\.task) == [3])
    }

    @Test func inFlightStaysBoundedOverManyTasks() {
        var scheduler = Scheduler(count: 200_000, chunkSize: 1, jobID: "job")
        _ = scheduler.join(a, slots: 7, nowMs: 0)
        var completed = 0
        var time: Int64 = 0
        var pending = Self.dispatched(scheduler.credit(a, n: 8, nowMs: 0))
        var cursor = 0
        var largestInFlight = 0
        while cursor < pending.count {
            let sent = pending[cursor]
            cursor += 1
            time += 1
            let (verdict, actions) = Self.answer(&scheduler, sent, nowMs: time)
            if verdict == .accepted { completed += 1 }
            pending += Self.dispatched(actions)
            largestInFlight = max(largestInFlight, scheduler.inFlightCount)
        }
        #expect(largestInFlight == 8)
        #expect(completed == 200_000 && scheduler.isFinished)
    }

    @Test func theVerificationSampleIsDeterministicPerSeedAndNearTheFraction() {
        let peers = (0..<4).map { Array("worker-\($0)".utf8) }
        var sampled = 0
        for peer in peers {
            for task in 0..<2_500 where Verification.isSampled(seed: 7, peer: peer, task: task, fraction: 0.1) { sampled += 1 }
        }
        #expect(sampled > 850 && sampled < 1_150, "\(sampled) of 10,000")
        #expect(Verification.isSampled(seed: 7, peer: peers[0], task: 3, fraction: 0.5)
            == Verification.isSampled(seed: 7, peer: peers[0], task: 3, fraction: 0.5))
        let other = (0..<200).filter { Verification.isSampled(seed: 8, peer: peers[0], task: $0, fraction: 0.5) }
        let same = (0..<200).filter { Verification.isSampled(seed: 7, peer: peers[0], task: $0, fraction: 0.5) }
        #expect(other != same)
        #expect(!Verification.isSampled(seed: 7, peer: peers[0], task: 1, fraction: 0))
        #expect(Verification.isSampled(seed: 7, peer: peers[0], task: 1, fraction: 1))
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

extension SchedulerTests {
    @Test func aVerificationMismatchQuarantinesAtOnceBeforeAnotherTaskIsSent() {
        var scheduler = Scheduler(count: 30, chunkSize: 10, jobID: "job")
        _ = scheduler.join(a, nowMs: 0)
        let sent = Self.dispatched(scheduler.credit(a, n: 3, nowMs: 0))
        let (verdict, actions) = Self.answer(&scheduler, sent[0], check: .mismatch("figures differ"), nowMs: 1)
        #expect(verdict == .violation(quarantined: true))
        #expect(Self.dispatched(actions).isEmpty)
        #expect(actions.contains { if case .quarantine = $0 { true } else { false } })
        #expect(scheduler.isQuarantined(a) && scheduler.completedCount == 0)
    }
}

extension SchedulerTests {
    @Test func sayingHelloAgainDoesNotWipeStrikes() {
        var scheduler = Scheduler(count: 50, chunkSize: 10, jobID: "job")
        _ = scheduler.join(a, nowMs: 0)
        var sent = Self.dispatched(scheduler.credit(a, n: 1, nowMs: 0))
        for time in 1...2 {
            sent = Self.dispatched(Self.answer(&scheduler, sent[0], check: .violation("nan"), nowMs: Int64(time)).1)
        }
        #expect(scheduler.join(a, nowMs: 3) == .joined)
        sent = Self.dispatched(scheduler.credit(a, n: 1, nowMs: 3))
        #expect(Self.answer(&scheduler, sent[0], check: .violation("nan"), nowMs: 4).0 == .violation(quarantined: true))
    }
}
