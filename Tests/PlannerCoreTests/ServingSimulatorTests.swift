@testable import PlannerCore
import Testing

/// Properties of the serving simulator (issue 11's list).
struct ServingSimulatorTests {
    static func request(_ model: String = "Llama-3.1-8B", hardware: String = "H100_80GB", tp: Int = 1) throws -> EstimateRequest {
        EstimateRequest(model: try ModelCatalog.model(named: model), hardware: try HardwareCatalog.hardware(named: hardware),
                        parallelism: Parallelism(tensor: tp))
    }

    static func setup(_ engine: SchedulerConfig.Engine, _ arrivals: ServingWorkload.Arrivals, input: TokenDistribution = .fixed(1024),
                      output: TokenDistribution = .fixed(128), requests: Int = 200, seed: UInt64 = 7, model: String = "Llama-3.1-8B",
                      tp: Int = 1, knobs: [(String, String)] = []) throws -> SimulationSetup {
        let request = try request(model, tp: tp)
        var scheduler = SchedulerConfig.defaults(engine, hardware: request.hardware, parallelism: request.parallelism)
        for (knob, value) in knobs { try scheduler.set(knob: knob, value: value) }
        return SimulationSetup(request: request, scheduler: scheduler,
                               workload: ServingWorkload(arrivals: arrivals, inputTokens: input, outputTokens: output),
                               seed: seed, requestCount: requests)
    }

    static let variableInput = TokenDistribution.summary(mean: 800, p50: 600, p90: nil, p99: nil)
    static let variableOutput = TokenDistribution.histogram([.init(tokens: 1, weight: 1), .init(tokens: 64, weight: 3), .init(tokens: 300, weight: 2)])

    @Test(arguments: SchedulerConfig.Engine.allCases)
    func everyRequestCompletesOnceAndEveryTokenIsServed(engine: SchedulerConfig.Engine) throws {
        let setup = try Self.setup(engine, .poisson(requestsPerSecond: 20), input: Self.variableInput, output: Self.variableOutput, requests: 300)
        var seen = Array(repeating: 0, count: 300)
        var requested = 0
        let summary = try ServingSimulator.run(setup) { record in
            seen[record.index] += 1
            requested += record.outputTokens
            #expect(record.finishSeconds >= record.firstTokenSeconds && record.firstTokenSeconds > record.arrivalSeconds)
        }
        #expect(seen.allSatisfy { $0 == 1 })
        #expect(summary.outputTokensServed == requested)
        #expect(summary.requestsSimulated == 300 && summary.requestsMeasured == 300)
        #expect(summary.maxKVUtilization <= 1 && summary.maxKVUtilization > 0)
    }

    @Test(arguments: [SchedulerConfig.Engine.vllm, .sglang, .trtllm])
    func ttftIsAtLeastTheRequestsOwnBatchOnePrefill(engine: SchedulerConfig.Engine) throws {
        let lengths = TokenDistribution.histogram([.init(tokens: 200, weight: 1), .init(tokens: 3000, weight: 1), .init(tokens: 9000, weight: 1)])
        let setup = try Self.setup(engine, .poisson(requestsPerSecond: 8), input: lengths, output: .fixed(64), requests: 150,
                                   knobs: engine == .trtllm ? [("enable_chunked_context", "true")] : [])
        var prefillMs: [Int: Double] = [:]
        for tokens in [200, 3000, 9000] {
            var request = setup.request
            request.inputTokens = tokens
            prefillMs[tokens] = try Estimator.prefill(request, operators: false).latencyMs
        }
        var checked = 0
        _ = try ServingSimulator.run(setup) { record in
            checked += 1
            #expect(record.ttftMs >= (prefillMs[record.inputTokens] ?? .infinity) * (1 - 1e-12), "request \(record.index)")
        }
        #expect(checked == 150)
    }

    @Test(arguments: [SchedulerConfig.Engine.vllm, .sglang, .trtllm, .static])
    func atAVeryLowRateLatenciesConvergeToBatchOneEstimates(engine: SchedulerConfig.Engine) throws {
        // A static batch of one makes a request that arrives during another's 2.3 s wait for it, which
        // moves the mean TTFT of 40 requests by tens of percent: static requests arrive evenly spaced.
        let arrivals: ServingWorkload.Arrivals = engine == .static ? .constant(requestsPerSecond: 0.05) : .poisson(requestsPerSecond: 0.01)
        var setup = try Self.setup(engine, arrivals, input: .fixed(1024), output: .fixed(128), requests: 40,
                                   model: "Llama-3.1-70B", tp: 4, knobs: engine == .static ? [("batch_size", "1")] : [])
        setup.request.inputTokens = 1024
        setup.request.outputTokens = 128
        let estimate = try Estimator.endToEnd(setup.request, operators: false)
        let summary = try ServingSimulator.run(setup)
        #expect(abs(summary.ttft.meanMs / estimate.ttftMs - 1) < 0.02, "TTFT \(summary.ttft.meanMs) vs \(estimate.ttftMs)")
        #expect(abs(summary.tpot.meanMs / estimate.averageTPOTMs - 1) < 0.02, "TPOT \(summary.tpot.meanMs) vs \(estimate.averageTPOTMs)")
        #expect(summary.meanRunningBatch < 1.05)
    }

    @Test(arguments: [SchedulerConfig.Engine.vllm, .sglang, .trtllm])
    func latencyGrowsWithTheRate(engine: SchedulerConfig.Engine) throws {
        var previous = (ttft: 0.0, e2e: 0.0, tpot: 0.0)
        for rate in [1.0, 4.0, 12.0, 24.0] {
            let summary = try ServingSimulator.run(try Self.setup(engine, .poisson(requestsPerSecond: rate), input: Self.variableInput,
                                                                  output: .fixed(128), requests: 250))
            #expect(summary.e2e.meanMs >= previous.e2e, "rate \(rate)")
            #expect(summary.tpot.meanMs >= previous.tpot, "rate \(rate)")
            previous = (summary.ttft.meanMs, summary.e2e.meanMs, summary.tpot.meanMs)
        }
    }

    @Test func theKVCacheIsNeverOverFullEvenWhenItForcesPreemption() throws {
        // 0.25 x 80 GiB leaves about 3.5 GiB of KV cache (about 28k tokens) after the 8B model's 15 GiB.
        let setup = try Self.setup(.vllm, .offline, input: .fixed(1024), output: .fixed(600), requests: 120,
                                   knobs: [("gpu_memory_utilization", "0.25")])
        var preempted = 0
        let summary = try ServingSimulator.run(setup) { record in preempted += record.preemptions }
        #expect(summary.preemptions > 0 && preempted == summary.preemptions)
        #expect(summary.maxKVUtilization <= 1)
        #expect(summary.requestsMeasured == 120)
        let sglang = try ServingSimulator.run(try Self.setup(.sglang, .offline, input: .fixed(1024), output: .fixed(600), requests: 120,
                                                             knobs: [("mem_fraction_static", "0.25")]))
        #expect(sglang.maxKVUtilization <= 1 && sglang.requestsMeasured == 120)
        let trtllm = try ServingSimulator.run(try Self.setup(.trtllm, .offline, input: .fixed(1024), output: .fixed(600), requests: 120,
                                                             knobs: [("kv_cache_free_gpu_mem_fraction", "0.05")]))
        #expect(trtllm.maxKVUtilization <= 1 && trtllm.preemptions == 0 && trtllm.requestsMeasured == 120)
    }

    @Test func equalSeedsGiveIdenticalResultsAndDifferentSeedsDiffer() throws {
        let first = try Self.setup(.vllm, .gamma(requestsPerSecond: 10, coefficientOfVariation: 2), input: Self.variableInput,
                                   output: Self.variableOutput, requests: 200, seed: 42)
        var recordsA: [RequestRecord] = [], recordsB: [RequestRecord] = []
        let a = try ServingSimulator.run(first) { recordsA.append($0) }
        let b = try ServingSimulator.run(first) { recordsB.append($0) }
        #expect(a == b)
        #expect(recordsA == recordsB)
        var other = first
        other.seed = 43
        let c = try ServingSimulator.run(other)
        #expect(c != a)
        #expect(c.ttft.meanMs != a.ttft.meanMs)
    }

    @Test(arguments: [(8, 1024, 256), (1, 2048, 128), (32, 512, 64)])
    func staticBatchesReproduceEstimateEndToEnd(batch: Int, input: Int, output: Int) throws {
        var setup = try Self.setup(.static, .offline, input: .fixed(input), output: .fixed(output), requests: batch,
                                   knobs: [("batch_size", "\(batch)")])
        setup.request.batchSize = batch
        setup.request.inputTokens = input
        setup.request.outputTokens = output
        let estimate = try Estimator.endToEnd(setup.request, operators: false)
        let summary = try ServingSimulator.run(setup)
        #expect(abs(summary.ttft.meanMs / estimate.ttftMs - 1) < 1e-9, "TTFT \(summary.ttft.meanMs) vs \(estimate.ttftMs)")
        #expect(abs(summary.tpot.meanMs / estimate.averageTPOTMs - 1) < 0.01, "TPOT \(summary.tpot.meanMs) vs \(estimate.averageTPOTMs)")
        #expect(abs(summary.e2e.meanMs / estimate.totalLatencyMs - 1) < 0.01, "e2e \(summary.e2e.meanMs) vs \(estimate.totalLatencyMs)")
        #expect(summary.iterations == output)
    }

    @Test func closedLoopKeepsTheConcurrencyAndOfflineFillsTheBatch() throws {
        let closed = try ServingSimulator.run(try Self.setup(.vllm, .closedLoop(concurrency: 16), requests: 200))
        #expect(closed.meanRunningBatch > 14 && closed.meanRunningBatch <= 16)
        #expect(closed.meanQueueLength < 0.5)
        let offline = try ServingSimulator.run(try Self.setup(.vllm, .offline, requests: 400))
        #expect(offline.meanRunningBatch > 100)
        #expect(offline.timeline.count <= 512 && offline.timeline.count > 10)
        #expect(offline.requestsPerSecond > closed.requestsPerSecond)
    }

    @Test func warmupAndCooldownAreLeftOut() throws {
        var setup = try Self.setup(.vllm, .poisson(requestsPerSecond: 5), requests: 100)
        setup.warmupRequests = 10
        setup.cooldownRequests = 20
        var measured: [Int] = []
        let summary = try ServingSimulator.run(setup) { record in if record.measured { measured.append(record.index) } }
        #expect(summary.requestsMeasured == 70 && summary.requestsSimulated == 100)
        #expect(measured.sorted() == Array(10..<80))
        setup.cooldownRequests = 90
        #expect(throws: PlannerError.self) { try ServingSimulator.run(setup) }
    }

    @Test func badInputsNameTheField() throws {
        func message(_ body: () throws -> Void) -> String {
            do { try body(); return "" } catch { return "\(error)" }
        }
        #expect(message { _ = try ServingSimulator.run(try Self.setup(.vllm, .poisson(requestsPerSecond: 0))) }.contains("qps"))
        #expect(message { _ = try ServingSimulator.run(try Self.setup(.vllm, .poisson(requestsPerSecond: -3))) }.contains("(0, 1e7]"))
        #expect(message { _ = try ServingSimulator.run(try Self.setup(.vllm, .closedLoop(concurrency: 0))) }.contains("concurrency"))
        #expect(message { _ = try ServingSimulator.run(try Self.setup(.vllm, .offline, input: .fixed(0))) }.contains("input_tokens"))
        #expect(message { _ = try ServingSimulator.run(try Self.setup(.vllm, .offline, output: .fixed(-2))) }.contains("output_tokens"))
        let tooLong = message { _ = try ServingSimulator.run(try Self.setup(.vllm, .offline, input: .fixed(4_000_000))) }
        #expect(tooLong.contains("input_tokens + output_tokens") && tooLong.contains("KV cache"))
        let noChunk = message { _ = try ServingSimulator.run(try Self.setup(.trtllm, .offline, input: .fixed(9000))) }
        #expect(noChunk.contains("max_num_tokens 8192"))
        var scheduler = SchedulerConfig.defaults(.vllm, hardware: try HardwareCatalog.hardware(named: "H100_80GB"))
        #expect(message { try scheduler.set(knob: "max_num_tokens", value: "5") }.contains("max_num_batched_tokens, max_num_seqs"))
        #expect(message { try scheduler.set(knob: "max_num_seqs", value: "0") }.contains("1...1048576"))
        #expect(message { _ = try SchedulerConfig.engine(named: "tgi") }.contains("vllm, sglang, trtllm, static"))
        var trace = ServingWorkload(arrivals: .trace, trace: [TraceRequest(arrivalSeconds: 2, inputTokens: 10, outputTokens: 5),
                                                               TraceRequest(arrivalSeconds: 1, inputTokens: 10, outputTokens: 5)])
        #expect(message { try trace.validate() }.contains("trace[1].arrival_s"))
        trace.trace = []
        #expect(message { try trace.validate() }.contains("trace"))
    }

    @Test func engineDefaultsFollowTheDeviceMemory() throws {
        let h100 = try HardwareCatalog.hardware(named: "H100_80GB"), a100 = try HardwareCatalog.hardware(named: "A100_80GB")
        #expect(SchedulerConfig.defaults(.vllm, hardware: h100).maxBatchedTokens == 8192)
        #expect(SchedulerConfig.defaults(.vllm, hardware: h100).maxRunningRequests == 1024)
        #expect(SchedulerConfig.defaults(.vllm, hardware: a100).maxBatchedTokens == 2048)
        #expect(SchedulerConfig.defaults(.vllm, hardware: a100).maxRunningRequests == 256)
        let sglang = SchedulerConfig.defaults(.sglang, hardware: h100, parallelism: Parallelism(tensor: 4))
        #expect(sglang.maxBatchedTokens == 8192)
        #expect(abs(sglang.memoryFraction - 0.856) < 1e-12)  // (80 - (9.5 + 4 / 2)) / 80
        #expect(SchedulerConfig.defaults(.trtllm, hardware: h100).blockTokens == 32)
    }

    /// The analytic ServingModel assumes one prefill at a time, run before the decode steps it stalls
    /// (vLLM without chunked prefill); the simulated vLLM V1 batches prefills and chunks them into
    /// decode iterations, and pays a CPU overhead per iteration the analytic model does not have. At a
    /// moderate load (Llama 3.1 8B on one H100, 1024/128 tokens, the model's rate for a running batch of
    /// 16: 11.6 req/s) the simulation gives TPOT 9.9 ms vs 10.8 (-8%: a prefill joins a decode
    /// iteration instead of stalling the batch for its whole length), TTFT 36.5 ms vs 34.2 (+7%: the
    /// prefill shares its iteration with the decodes) and a running batch of 14.5 vs 16. Tolerances:
    /// 15% (TPOT), 20% (TTFT and batch).
    @Test func moderateLoadAgreesWithTheAnalyticServingModel() throws {
        var base = try Self.request()
        base.inputTokens = 1024
        base.outputTokens = 128
        let prefill = try Estimator.prefill(base, operators: false).latencyMs
        let batch = 16
        var decodeRequest = base
        decodeRequest.batchSize = batch
        let decodeMs = try Estimator.decode(decodeRequest, operators: false).latencyMs
        let point = ServingModel.operatingPoint(
            step: .init(batch: batch, latencyMs: decodeMs, occupancyMs: decodeMs),
            prefill: .init(meanLatencyMs: prefill, meanOccupancyMs: prefill, secondMomentOccupancyMs2: prefill * prefill),
            meanOutputTokens: 128, targets: ServiceLevelObjectives(), prefillLatencyAtQuantileMs: { _ in prefill })
        var setup = try Self.setup(.vllm, .poisson(requestsPerSecond: point.requestsPerSecond), input: .fixed(1024), output: .fixed(128),
                                   requests: 1500)
        setup.warmupRequests = 100
        setup.cooldownRequests = 100
        let summary = try ServingSimulator.run(setup)
        #expect(abs(summary.tpot.meanMs / point.tpotMeanMs - 1) < 0.15, "TPOT \(summary.tpot.meanMs) vs \(point.tpotMeanMs)")
        #expect(abs(summary.ttft.meanMs / point.ttftMeanMs - 1) < 0.20, "TTFT \(summary.ttft.meanMs) vs \(point.ttftMeanMs)")
        #expect(abs(summary.meanRunningBatch / Double(batch) - 1) < 0.20, "batch \(summary.meanRunningBatch)")
    }

    @Test func generatorSamplesHaveTheRightMoments() {
        var generator = SeededGenerator(seed: 3)
        var sumE = 0.0, sumG = 0.0, sumG2 = 0.0, sumU = 0.0
        let n = 200_000
        for _ in 0..<n {
            sumE += generator.exponential(mean: 2)
            let g = generator.gamma(shape: 0.25, scale: 4)
            sumG += g
            sumG2 += g * g
            sumU += generator.uniform()
        }
        #expect(abs(sumE / Double(n) - 2) < 0.03)
        #expect(abs(sumU / Double(n) - 0.5) < 0.005)
        let mean = sumG / Double(n), variance = sumG2 / Double(n) - mean * mean
        #expect(abs(mean - 1) < 0.03)  // k theta
        #expect(abs(variance - 4) < 0.4)  // k theta^2
        var a = SeededGenerator(seed: 9), b = SeededGenerator(seed: 9), c = SeededGenerator(seed: 10)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func histogramPercentilesAreWithinABin() {
        var histogram = LatencyHistogram()
        for value in 1...1000 { histogram.add(Double(value)) }
        let stats = histogram.statistics
        #expect(abs(stats.p50Ms / 500 - 1) < 0.006)
        #expect(abs(stats.p99Ms / 990 - 1) < 0.006)
        #expect(stats.maxMs == 1000 && abs(stats.meanMs - 500.5) < 1e-9)
        var single = LatencyHistogram()
        single.add(12.345)
        #expect(single.statistics.p50Ms == 12.345 && single.statistics.p99Ms == 12.345)
    }

    @Test(arguments: SchedulerConfig.Engine.allCases)
    func everyEngineIsDeterministic(engine: SchedulerConfig.Engine) throws {
        let setup = try Self.setup(engine, .poisson(requestsPerSecond: 15), input: Self.variableInput, output: Self.variableOutput,
                                   requests: 150, seed: 11)
        #expect(try ServingSimulator.run(setup) == ServingSimulator.run(setup))
    }

    @Test func burstierArrivalsWaitLonger() throws {
        let smooth = try ServingSimulator.run(try Self.setup(.vllm, .gamma(requestsPerSecond: 20, coefficientOfVariation: 0.5), requests: 400))
        let poisson = try ServingSimulator.run(try Self.setup(.vllm, .poisson(requestsPerSecond: 20), requests: 400))
        let bursty = try ServingSimulator.run(try Self.setup(.vllm, .gamma(requestsPerSecond: 20, coefficientOfVariation: 4), requests: 400))
        #expect(smooth.ttft.p99Ms <= poisson.ttft.p99Ms && poisson.ttft.p99Ms < bursty.ttft.p99Ms)
        #expect(bursty.meanQueueLength >= smooth.meanQueueLength)
        let constant = try ServingSimulator.run(try Self.setup(.vllm, .constant(requestsPerSecond: 20), requests: 400))
        #expect(constant.ttft.p99Ms <= poisson.ttft.p99Ms)
    }

    @Test func traceWorkloadsReplayTheirTimesAndWrapAround() throws {
        var setup = try Self.setup(.vllm, .trace, requests: 6)
        setup.workload.trace = [TraceRequest(arrivalSeconds: 0, inputTokens: 100, outputTokens: 10),
                                TraceRequest(arrivalSeconds: 3, inputTokens: 200, outputTokens: 20),
                                TraceRequest(arrivalSeconds: 4, inputTokens: 300, outputTokens: 30)]
        var records: [RequestRecord] = []
        _ = try ServingSimulator.run(setup) { records.append($0) }
        records.sort { $0.index < $1.index }
        // The trace spans 4 s plus its mean gap of 2 s: the second pass starts at 6 s.
        #expect(records.map(\.arrivalSeconds) == [0, 3, 4, 6, 9, 10])
        #expect(records.map(\.inputTokens) == [100, 200, 300, 100, 200, 300])
        #expect(records.map(\.outputTokens) == [10, 20, 30, 10, 20, 30])
    }

    @Test func chunkedContextLetsDecodesRunDuringLongPrompts() throws {
        let lengths = TokenDistribution.histogram([.init(tokens: 7000, weight: 1), .init(tokens: 200, weight: 4)])
        let whole = try ServingSimulator.run(try Self.setup(.trtllm, .poisson(requestsPerSecond: 6), input: lengths, output: .fixed(200),
                                                            requests: 200))
        let chunked = try ServingSimulator.run(try Self.setup(.trtllm, .poisson(requestsPerSecond: 6), input: lengths, output: .fixed(200),
                                                              requests: 200, knobs: [("enable_chunked_context", "true"), ("max_num_tokens", "1024")]))
        // Smaller token budgets cap the longest iteration: the worst inter-token gap shrinks.
        #expect(chunked.itl.maxMs < whole.itl.maxMs)
        #expect(chunked.requestsMeasured == 200 && whole.requestsMeasured == 200)
    }

    @Test func rateSearchBracketsTheHighestRateMeetingTheSLOs() throws {
        var setup = try Self.setup(.vllm, .offline, input: .fixed(512), output: .fixed(64), requests: 120)
        #expect(throws: PlannerError.self) { try ServingSimulator.findMaxRate(setup) }
        setup.slo = ServingSLO(ttftMs: 60, tpotMs: 12)
        let result = try ServingSimulator.findMaxRate(setup, attainment: 0.95)
        let best = try #require(result.best)
        #expect((best.summary.sloAttainment ?? 0) >= 0.95)
        #expect(best.offeredRequestsPerSecond < result.ceilingRequestsPerSecond)
        let above = result.points.filter { $0.offeredRequestsPerSecond > best.offeredRequestsPerSecond }
        #expect(!above.isEmpty && above.allSatisfy { ($0.summary.sloAttainment ?? 0) < 0.95 })
        #expect(result.points.count <= 12)
    }
}
