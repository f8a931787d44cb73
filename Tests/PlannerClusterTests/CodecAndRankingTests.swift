import PlannerCluster
import PlannerCore
import PlannerWire
import Testing

struct CodecTests {
    @Test func everyCommandRoundTrips() throws {
        var hello = Planner_Wire_V1_Hello()
        hello.workerID = "w"
        hello.slots = 4
        var task = Planner_Wire_V1_Task()
        task.taskID = 9
        task.start = 90
        task.count = 10
        var result = Planner_Wire_V1_Result()
        result.taskID = 9
        var entry = Planner_Wire_V1_Entry()
        entry.index = 91
        entry.totalThroughputTokS = 1234.5
        result.top = [entry]
        var bye = Planner_Wire_V1_Bye()
        bye.reason = .versionMismatch
        let messages: [WireCodec.Message] = [
            .hello(hello), .welcome(Planner_Wire_V1_Welcome()), .credit(Planner_Wire_V1_Credit()), .task(task), .result(result),
            .heartbeat, .cancel(Planner_Wire_V1_Cancel()), .bye(bye), .unknown(Planner_Wire_V1_Unknown()),
        ]
        for message in messages {
            let frames = WireCodec.encode(message)
            #expect(frames[0] == Array("PLNR1".utf8) && frames.count == 3)
            let decoded = try WireCodec.decode(frames)
            #expect(decoded.command == message.command)
            #expect(WireCodec.encode(decoded) == frames)
        }
    }

    @Test func garbageIsRejected() {
        #expect(throws: WireCodec.DecodeError.badSignature) { try WireCodec.decode([Array("HTTP/".utf8), [1], []]) }
        #expect(throws: WireCodec.DecodeError.unknownCommand(0x7F)) { try WireCodec.decode([WireCodec.signature, [0x7F], []]) }
        #expect(throws: WireCodec.DecodeError.frameCount(1)) { try WireCodec.decode([WireCodec.signature]) }
        #expect(throws: (any Error).self) { try WireCodec.decode([WireCodec.signature, [0x05], [0xFF, 0xFF, 0xFF, 0xFF]]) }
        #expect(throws: (any Error).self) { try WireCodec.decode([WireCodec.signature, [0x01, 0x02], []]) }
    }
}

struct RankingTests {
    static func entry(_ index: Int, _ throughput: Double) -> SweepEntry {
        SweepEntry(index: index, batchSize: 1, ttftMs: 1, averageTPOTMs: 1, totalLatencyMs: 1, totalThroughputTokensPerSecond: throughput,
                   outputThroughputTokensPerSecond: throughput / 2, memoryPerDeviceGiB: 1)
    }

    @Test func mergingInAnyOrderGivesTheSameTopK() {
        var generator = SystemRandomNumberGenerator()
        let entries = (0..<500).map { Self.entry($0, Double(Int.random(in: 0..<50, using: &generator))) }
        var reference = SweepRanking(limit: 20)
        for entry in entries { reference.insert(entry) }
        let expected = entries.sorted { $0.ranksBefore($1) }.prefix(20)
        #expect(reference.ordered == Array(expected))
        for _ in 0..<20 {
            var shuffled = entries
            shuffled.shuffle(using: &generator)
            var merged = SweepRanking(limit: 20)
            var part = SweepRanking(limit: 20)
            for (position, entry) in shuffled.enumerated() {
                part.insert(entry)
                if position % 37 == 0 { merged.merge(part); part = SweepRanking(limit: 20) }
            }
            merged.merge(part)
            merged.merge(part)  // merging the same part twice changes nothing
            #expect(merged.ordered == reference.ordered)
        }
    }

    @Test func groupsKeepTheirOwnTop() {
        var ranking = SweepRanking(limit: 2)
        for index in 0..<10 { ranking.insert(Self.entry(index, Double(index)), group: index % 2 == 0 ? "even" : "odd") }
        #expect(ranking.groups["even"]?.map(\.index) == [8, 6] && ranking.groups["odd"]?.map(\.index) == [9, 7])
        #expect(ranking.ordered.map(\.index) == [9, 8, 7, 6] && ranking.count == 4)
    }
}

struct ProgressClockTests {
    @Test func rateAndRemainingTime() {
        let clock = ProgressClock()
        #expect(clock.rate(done: 0, total: 100) == (0, 0))
        let (rate, eta) = clock.rate(done: 50, total: 100)
        // Elapsed time is floored at 1 ms, so the rate is at most 50 / 0.001; the remaining half takes
        // as long as the first, well under a second here.
        #expect(rate > 0 && rate <= 50_000 && eta == 0)
        #expect(clock.rate(done: 100, total: 100).etaSeconds == 0)
    }
}
