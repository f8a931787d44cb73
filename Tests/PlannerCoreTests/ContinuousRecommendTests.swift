import PlannerCore
import Testing

/// `recommend --serving continuous`: the layout search with the fleet model gives, layout by layout,
/// the figures `planner fleet` gives for the same question.
struct ContinuousRecommendTests {
    static func options(serving: LayoutSearch.Serving, devices: Int = 2, ttft: Double? = 2000, tpot: Double? = 50,
                        batches: LayoutSearch.BatchSizes = .auto) throws -> LayoutSearch.Options {
        LayoutSearch.Options(
            model: try ModelCatalog.model(named: "llama2_70b"), hardware: try HardwareCatalog.hardware(named: "H100_80GB"),
            devices: devices, inputTokens: 2048, outputTokens: 256, precisions: [.fp8], maxTTFTMs: ttft, maxTPOTMs: tpot,
            batchSizes: batches, maxBatchSize: 1024, serving: serving)
    }

    @Test func continuousCandidatesEqualTheFleetModelLayoutByLayout() throws {
        let result = try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .percentile(99))))
        #expect(result.serving == .continuous(statistic: .percentile(99)))
        #expect(!result.candidates.isEmpty)
        let workload = FleetWorkload(
            models: [try ModelCatalog.model(named: "llama2_70b")], rate: .requestsPerSecond(3), inputTokens: .fixed(2048),
            outputTokens: .fixed(256),
            objectives: ServiceLevelObjectives(targets: [.init(metric: .ttft, statistic: .percentile(99), limitMs: 2000),
                                                         .init(metric: .tpot, statistic: .percentile(99), limitMs: 50)]),
            precisions: [.fp8], hardware: [FleetHardware(spec: try HardwareCatalog.hardware(named: "H100_80GB"), maxDevicesPerReplica: 2)])
        let plan = try FleetSizing.run(workload)
        for candidate in result.candidates {
            let option = try #require(plan.options.first { $0.layout == candidate.layout && $0.precision == candidate.precision })
            #expect(option.meetsTargets)
            #expect(option.batchSize == candidate.batchSize)
            #expect(option.targetValuesMs == [candidate.ttftMs, candidate.tpotMs])
            #expect(option.outputTokensPerSecondPerDevice == candidate.throughputPerDevice)
            #expect(candidate.ttftMs <= 2000 && candidate.tpotMs <= 50)
        }
        // Every layout the fleet model says meets the targets is a candidate.
        #expect(plan.feasible.count == result.candidates.count)
    }

    @Test func costColumnsComeFromThePriceList() throws {
        let result = try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .mean)))
        let price = try #require(PriceList.shipped.price(for: "H100_80GB")).usdPerDeviceHour
        for candidate in result.candidates {
            let perHour = try #require(candidate.costPerHourUSD)
            #expect(abs(perHour - Double(candidate.devices) * price) <= 1e-12 * perHour)
            let perMillion = try #require(candidate.costPerMillionOutputTokensUSD)
            let expected = perHour / (candidate.throughputTokensPerSecond * 3600) * 1e6
            #expect(abs(perMillion - expected) <= 1e-12 * expected)
        }
        // Custom hardware without a price: no cost, still candidates.
        var custom = try HardwareCatalog.hardware(named: "H100_80GB")
        custom.name = "my-accelerator"
        var options = try Self.options(serving: .continuous(statistic: .mean))
        options.hardware = custom
        let unpriced = try LayoutSearch.run(options)
        #expect(!unpriced.candidates.isEmpty && unpriced.candidates.allSatisfy { $0.costPerHourUSD == nil })
    }

    @Test func staticAndContinuousDifferAndSayWhich() throws {
        let continuous = try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .percentile(99))))
        let staticBatch = try LayoutSearch.run(try Self.options(serving: .staticBatch))
        #expect(staticBatch.serving == .staticBatch)
        #expect(LayoutSearch.Serving.staticBatch.key == "static")
        #expect(LayoutSearch.Serving.continuous(statistic: .mean).key == "continuous")
        #expect(LayoutSearch.Serving.continuous(statistic: .percentile(99)).summary.contains("p99"))
        // Continuous batching keeps the decode batch full while prefills queue: more tokens/s per device
        // at the same targets than batches served back to back.
        let best = try #require(continuous.candidates.first), bestStatic = try #require(staticBatch.candidates.first)
        #expect(best.throughputPerDevice > bestStatic.throughputPerDevice)
    }

    @Test func continuousRefusesFixedBatchLists() throws {
        #expect(throws: PlannerError.self) {
            try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .mean), batches: .list([1, 8])))
        }
        #expect(throws: PlannerError.self) {
            var options = try Self.options(serving: .continuous(statistic: .mean))
            options.maxBatchSize = 1 << 30
            return try LayoutSearch.run(options)
        }
    }

    @Test func withoutTargetsTheLargestRunningBatchIsChosen() throws {
        let result = try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .percentile(90)), ttft: nil, tpot: nil))
        let constrained = try LayoutSearch.run(try Self.options(serving: .continuous(statistic: .percentile(90)), ttft: nil, tpot: 30))
        let free = try #require(result.candidates.first { $0.layout.tensor == 2 })
        let bounded = try #require(constrained.candidates.first { $0.layout.tensor == 2 })
        #expect(free.batchSize > bounded.batchSize)
        #expect(bounded.tpotMs <= 30)
        #expect(free.ttftMs.isFinite && free.tpotMs.isFinite)
    }
}
