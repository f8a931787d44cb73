@testable import PlannerCore
import Testing

/// Disaggregated prefill/decode: the pools reduce to simulations the test runs itself, the ratio
/// search finds the brute-forced optimum, prompts that arrive cached skip the prefill, bad inputs.
struct DisaggregationTests {
    static func options(devices: Int = 4) throws -> Disaggregation.Options {
        Disaggregation.Options(model: try ModelCatalog.model(named: "Llama-3.1-8B"), hardware: try HardwareCatalog.hardware(named: "H100_80GB"),
                               precision: .fp8, devices: devices, inputTokens: 2000, outputTokens: 64, ttftTargetMs: 800,
                               tpotTargetMs: 25, requestsPerSimulation: 60)
    }

    /// x = y = 1: the deployment's rate is the smaller of two rate searches computed here independently,
    /// its TTFT their sum plus the transfer.
    @Test func oneAndOneReducesToTwoSimulations() throws {
        let options = try Self.options(devices: 2)
        let layout = Parallelism(tensor: 1)
        let request = EstimateRequest(model: options.model, hardware: options.hardware, precision: .fp8, parallelism: layout)
        let scheduler = SchedulerConfig.defaults(.vllm, hardware: options.hardware, parallelism: layout)
        let transfer = Disaggregation.transferMs(options, prefill: layout, sameNode: true)
        let prefillSetup = SimulationSetup(
            request: request, scheduler: scheduler,
            workload: ServingWorkload(arrivals: .offline, inputTokens: .fixed(2000), outputTokens: .fixed(1)),
            requestCount: 60, slo: ServingSLO(ttftMs: 800 - transfer - 25))
        var decodeWorkload = ServingWorkload(arrivals: .offline, inputTokens: .fixed(2000), outputTokens: .fixed(64))
        decodeWorkload.promptsArriveCached = true
        let decodeSetup = SimulationSetup(request: request, scheduler: scheduler, workload: decodeWorkload, requestCount: 60,
                                          slo: ServingSLO(tpotMs: 25))
        let prefill = try #require(try ServingSimulator.findMaxRate(prefillSetup, maxSteps: 8, relativeTolerance: 0.02).best)
        let decode = try #require(try ServingSimulator.findMaxRate(decodeSetup, maxSteps: 8, relativeTolerance: 0.02).best)

        let p = try Disaggregation.poolCapacity(options, layout: layout, role: .prefill)
        let d = try Disaggregation.poolCapacity(options, layout: layout, role: .decode)
        #expect(p.requestsPerSecond == prefill.summary.requestsPerSecond)
        #expect(d.requestsPerSecond == decode.summary.requestsPerSecond)
        let deployment = try #require(Disaggregation.bestRatio(prefill: p, decode: d, options: options))
        #expect(deployment.prefillInstances == 1 && deployment.decodeInstances == 1)
        #expect(deployment.requestsPerSecond == min(prefill.summary.requestsPerSecond, decode.summary.requestsPerSecond))
        #expect(deployment.ttftMs == prefill.summary.ttft.percentilesMs[99] + transfer + decode.summary.ttft.percentilesMs[99])
        #expect(deployment.transferMs > 0 && deployment.transferMs < 10)
    }

    /// The ratio search against a brute force over every (x, y) of a small budget.
    @Test(arguments: [(1, 1, 10.0, 3.0, 12), (2, 1, 4.0, 5.0, 16), (1, 2, 7.5, 7.5, 9), (4, 4, 1.0, 9.0, 32)])
    func ratioSearchFindsTheBruteForcedOptimum(prefillDevices: Int, decodeDevices: Int, prefillRate: Double, decodeRate: Double,
                                               budget: Int) throws {
        var options = try Self.options(devices: budget)
        options.outputTokens = 100
        let p = Disaggregation.PoolCapacity(layout: Parallelism(tensor: prefillDevices), requestsPerSecond: prefillRate, ttftMs: 100, tpotMs: .nan)
        let d = Disaggregation.PoolCapacity(layout: Parallelism(tensor: decodeDevices), requestsPerSecond: decodeRate, ttftMs: 10, tpotMs: 20)
        let found = try #require(Disaggregation.bestRatio(prefill: p, decode: d, options: options))
        var best = 0.0
        for x in 1...budget {
            for y in 1...budget where x * prefillDevices + y * decodeDevices <= budget {
                let rate = min(Double(x) * prefillRate, Double(y) * decodeRate)
                best = max(best, rate * 100 / Double(x * prefillDevices + y * decodeDevices))
            }
        }
        let value = Disaggregation.tokensPerDevice(requestsPerSecond: found.requestsPerSecond, outputTokens: 100, devices: found.devices)
        #expect(abs(value - best) <= 1e-9 * best)
        #expect(found.devices <= budget)
    }

    /// A prompt that arrives cached skips the prefill: its first token comes after one decode-sized step.
    @Test func cachedPromptsSkipThePrefill() throws {
        let request = EstimateRequest(model: try ModelCatalog.model(named: "Llama-3.1-8B"), hardware: try HardwareCatalog.hardware(named: "H100_80GB"),
                                      precision: .fp8)
        let scheduler = SchedulerConfig.defaults(.vllm, hardware: request.hardware)
        var workload = ServingWorkload(arrivals: .offline, inputTokens: .fixed(8000), outputTokens: .fixed(4))
        let cold = try ServingSimulator.run(SimulationSetup(request: request, scheduler: scheduler, workload: workload, requestCount: 1))
        workload.promptsArriveCached = true
        let warm = try ServingSimulator.run(SimulationSetup(request: request, scheduler: scheduler, workload: workload, requestCount: 1))
        #expect(warm.ttft.meanMs * 5 < cold.ttft.meanMs)
        #expect(abs(warm.tpot.meanMs - cold.tpot.meanMs) <= 0.05 * cold.tpot.meanMs)
    }

    @Test func badInputsNameTheField() throws {
        func field(_ change: (inout Disaggregation.Options) -> Void) throws -> String? {
            var options = try Self.options()
            change(&options)
            do { _ = try Disaggregation.search(options); return nil } catch {
                if case let .invalidValue(field, _, _) = error { return field }
                return "other"
            }
        }
        #expect(try field { $0.tpotTargetMs = 0 } == "max_tpot_ms")
        #expect(try field { $0.ttftTargetMs = .nan } == "max_ttft_ms")
        #expect(try field { $0.outputTokens = 1 } == "output_tokens")
        #expect(try field { $0.engine = .static } == "engine")
        #expect(try field { $0.devices = 0 } == "devices")
    }
}
