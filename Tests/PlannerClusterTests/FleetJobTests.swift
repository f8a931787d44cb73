import Foundation
import PlannerCluster
import PlannerCore
import PlannerFormats
import PlannerWire
import Testing

/// Fleet sizing as cluster work: the bundle, the wire mapping of outcomes, merging in any order, the
/// journal, and the local thread pool, each checked against ``FleetSizing/run(_:)``.
struct FleetJobTests {
    static let workload = """
        model: llama2_70b
        rate_rps: 20
        input_tokens: {mean: 1500, p99: 3500}
        output_tokens: 256
        slo: {ttft_p99_ms: 2000, tpot_p99_ms: 50}
        bits: [bf16, fp8]
        hardware: [A100_80GB, H100_80GB, MI300X]
        """

    static let mistralConfig = """
        {"architectures": ["MistralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336, "model_type": "mistral",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "vocab_size": 32000,
         "max_position_embeddings": 32768, "torch_dtype": "bfloat16"}
        """

    static func job(_ text: String = workload, chunkSize: Int? = nil) throws -> FleetJob {
        try FleetJob(workloadText: text, source: "workload.yaml", chunkSize: chunkSize)
    }

    /// Task `task`'s RESULT as a worker sends it (evaluate, then stamp the range).
    static func result(_ job: FleetJob, task: Int) -> Planner_Wire_V1_Result {
        let range = job.range(ofTask: task)
        var result = job.evaluate(range)
        result.start = UInt64(range.lowerBound)
        result.count = UInt64(range.count)
        return result
    }

    /// The plan merged from `parts` (each task's RESULT as a worker would send it), in the given order;
    /// records an issue unless every layout is counted exactly once.
    static func merged(_ job: FleetJob, tasks order: [Int]) -> FleetPlan {
        var totals = job.emptyTotals()
        for task in order {
            guard let part = try? job.part(of: Self.result(job, task: task), expected: job.range(ofTask: task)) else {
                Issue.record("task \(task) was rejected")
                continue
            }
            job.merge(part, into: &totals)
        }
        #expect(job.unitsDone(totals) == Set(order).map { job.range(ofTask: $0).count }.reduce(0, +))
        return job.plan(totals)
    }

    @Test func everyOutcomeSurvivesTheWire() throws {
        let job = try Self.job()
        var options = 0
        var notRunnable = 0
        var withReason = 0
        var withFitRatio = 0
        for (index, task) in job.tasks.enumerated() {
            let outcome = FleetSizing.evaluate(task, in: job.workload)
            var result = Planner_Wire_V1_Result()
            result.start = UInt64(index)
            result.count = 1
            result.fleet = [job.evaluate(index..<index + 1).fleet[0]]
            // Through the frames, as a RESULT travels.
            guard case let .result(decoded) = try WireCodec.decode(WireCodec.encode(.result(result))) else {
                Issue.record("not a RESULT")
                continue
            }
            let part = try job.part(of: decoded, expected: index..<index + 1)
            #expect(part.outcomes == [outcome], "layout \(index)")
            switch outcome {
            case let .option(option, _):
                options += 1
                if option.reason != nil { withReason += 1 }
            case let .notRunnable(_, _, ratio, _):
                notRunnable += 1
                if ratio != nil { withFitRatio += 1 }
            }
        }
        // The workload exercises every shape of outcome.
        #expect(options > 0 && notRunnable > 0 && withReason > 0 && withFitRatio > 0, "\(options) \(notRunnable) \(withReason) \(withFitRatio)")
    }

    @Test func mergingTasksInAnyOrderGivesTheSamePlan() throws {
        let expected = try FleetSizing.run(Self.job().workload)
        for chunkSize in [1, 3, 7, 1000] {
            let job = try Self.job(chunkSize: chunkSize)
            #expect(job.taskCount == (job.tasks.count + chunkSize - 1) / chunkSize)
            var order = Array(0..<job.taskCount)
            #expect(Self.merged(job, tasks: order) == expected, "chunk size \(chunkSize)")
            order.shuffle()
            // A task merged twice (a late duplicate) changes nothing.
            #expect(Self.merged(job, tasks: order + order.prefix(2)) == expected, "chunk size \(chunkSize), shuffled")
        }
    }

    @Test func theLocalPoolGivesTheSamePlanWhateverTheThreads() throws {
        let job = try Self.job()
        let expected = try FleetSizing.run(job.workload)
        for threads in [1, 3] {
            let reports = Reports()
            let plan = LocalFleet.run(job, threads: threads, progress: { done, total in reports.add(done, total) })
            #expect(plan == expected)
            #expect(reports.last == [job.tasks.count, job.tasks.count])
        }
    }

    @Test func inconsistentResultsAreRejected() throws {
        let job = try Self.job(chunkSize: 4)
        let range = job.range(ofTask: 1)
        let good = Self.result(job, task: 1)
        #expect((try? job.part(of: good, expected: range)) != nil)
        var changes: [(String, (inout Planner_Wire_V1_Result) -> Void)] = [
            ("wrong start", { $0.start += 1 }),
            ("wrong count", { $0.count += 1 }),
            ("an outcome missing", { $0.fleet.removeLast() }),
            ("an index out of order", { $0.fleet.swapAt(0, 1) }),
            ("no outcome", { $0.fleet[0].outcome = nil }),
            ("an empty skip reason", { $0.fleet[0].notRunnable = Planner_Wire_V1_FleetNotRunnable() }),
        ]
        if let position = good.fleet.firstIndex(where: { $0.option.targetValuesMs.count > 0 }) {
            changes.append(("a target value missing", { $0.fleet[position].option.targetValuesMs.removeLast() }))
            changes.append(("too long a curve", { result in
                let points = FleetOption.curveLimit + 1
                result.fleet[position].option.curveBatch = Array(repeating: 1, count: points)
                result.fleet[position].option.curveTpotMs = Array(repeating: 1, count: points)
                result.fleet[position].option.curveOutputTokSPerDevice = Array(repeating: 1, count: points)
                result.fleet[position].option.curveMeetsTargets = Array(repeating: true, count: points)
            }))
            changes.append(("curve arrays of different lengths", { $0.fleet[position].option.curveTpotMs.removeLast() }))
            changes.append(("a replica count beyond Int", { $0.fleet[position].option.replicas = UInt64.max }))
            changes.append(("a NaN cost", { $0.fleet[position].option.costPerMillionOutputTokensUsd = .nan }))
            changes.append(("a negative TTFT", { $0.fleet[position].option.ttftMeanMs = -1 }))
            changes.append(("a NaN curve point", { $0.fleet[position].option.curveTpotMs[0] = .nan }))
        } else {
            Issue.record("task 1 holds no option")
        }
        for (name, change) in changes {
            var bad = good
            change(&bad)
            #expect(throws: ResultViolation.self, "\(name)") { try job.part(of: bad, expected: range) }
        }
    }

    @Test func theBundleCarriesModelFilesPricesAndProfile() throws {
        let text = """
            models: [configs/mistral.json, llama2_7b]
            rate_output_tokens_per_s: 5000
            input_tokens: 1024
            output_tokens: 128
            hardware: [{name: H100_80GB, price: 4.25}, MI300X]
            """
        var reads: [String] = []
        let reader: Inputs.FileReader = { path throws(PlannerError) in
            guard path == "configs/mistral.json" else { throw .malformedInput(source: path, reason: "no such file") }
            return Self.mistralConfig
        }
        let job = try FleetJob(workloadText: text, source: "w.yaml", pricesText: "MI300X: 1.5\n", pricesSource: "p.yaml", profile: .genz,
                               readFile: { path throws(PlannerError) in
                                   reads.append(path)
                                   return try reader(path)
                               })
        #expect(reads == ["configs/mistral.json"])
        #expect(job.workload.profile == .genz)
        #expect(job.workload.prices.price(for: "MI300X")?.usdPerDeviceHour == 1.5)
        #expect(job.workload.prices.price(for: "H100_80GB")?.usdPerDeviceHour == 4.25)
        // A worker reads the bundle alone: no file access, the same workload, the same identity.
        let worker = try FleetJob(bundle: job.specText)
        #expect(worker.workload == job.workload && worker.tasks == job.tasks && worker.jobID == job.jobID)
        let made = try ClusterJobs.make(kind: .fleet, text: job.specText)
        #expect(made.jobID == job.jobID && made.unitCount == job.tasks.count)
        // The identity covers the workload, the prices and the profile.
        let other = try FleetJob(workloadText: text, source: "w.yaml", pricesText: "MI300X: 1.6\n", pricesSource: "p.yaml", profile: .genz,
                                 readFile: reader)
        #expect(other.jobID != job.jobID)
        // Errors name the user's files, before any bundle exists.
        #expect(throws: PlannerError.self) { try FleetJob(workloadText: text, source: "w.yaml", readFile: { path throws(PlannerError) in
            throw .malformedInput(source: path, reason: "cannot read")
        }) }
    }

    @Test func malformedBundlesAndUnknownKindsAreRefused() throws {
        for text in ["", "not json", "{}", #"{"fleet_bundle": 2, "source": "w", "workload": {}, "files": {}}"#,
                     #"{"fleet_bundle": 1, "source": "w", "workload": {"model": "nope"}, "files": {}}"#] {
            #expect(throws: PlannerError.self, "\(text)") { try FleetJob(bundle: text) }
        }
        let job = try Self.job()
        for chunkSize in [0, -1, FleetJob.maxChunkSize + 1] {
            #expect(throws: PlannerError.self, "chunk size \(chunkSize)") { try FleetJob(bundle: job.specText, chunkSize: chunkSize) }
        }
        #expect(throws: (any Error).self) { try ClusterJobs.make(kind: .UNRECOGNIZED(7), text: job.specText) }
        // A fleet bundle is not a sweep specification, and the other way round.
        #expect(throws: (any Error).self) { try ClusterJobs.make(kind: .sweep, text: job.specText) }
    }

    @Test func theJournalReplaysFleetTasks() throws {
        let job = try Self.job(chunkSize: 5)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fleet-\(UUID().uuidString).journal").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let journal = try Journal(path: path, job: job, resume: false)
        let written = [0, 2, 3]
        for task in written {
            let result = Self.result(job, task: task)
            try journal.append(task: task, body: WireCodec.body(of: .result(job.journaled(result) ?? result)))
        }
        // A torn last line (a crash mid-write) is ignored.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"task": 5, "result": "CgR0"#.utf8))
        try handle.close()
        let replay = try Journal.replay(path: path, job: job)
        #expect(replay.completed == Set(written))
        #expect(job.unitsDone(replay.totals) == written.map { job.range(ofTask: $0).count }.reduce(0, +))
        // Resuming: the remaining tasks complete the same plan.
        var totals = replay.totals
        for task in 0..<job.taskCount where !replay.completed.contains(task) {
            job.merge(try job.part(of: Self.result(job, task: task), expected: job.range(ofTask: task)), into: &totals)
        }
        #expect(job.plan(totals) == (try FleetSizing.run(job.workload)))
        // Another job, or another task size, does not replay this journal.
        #expect(throws: ClusterError.self) { try Journal.replay(path: path, job: try Self.job(Self.workload + "\nheadroom: 0.3")) }
        #expect(throws: ClusterError.self) { try Journal.replay(path: path, job: try Self.job(chunkSize: 6)) }
    }
}

/// Progress calls, from any thread.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var calls: [[Int]] = []

    func add(_ done: Int, _ total: Int) {
        lock.lock()
        calls.append([done, total])
        lock.unlock()
    }

    var last: [Int]? {
        lock.lock()
        defer { lock.unlock() }
        return calls.last
    }
}
