import Foundation
import PlannerCore
import Testing

/// The fleet model's building blocks: math, length distributions, the serving and queueing formulas
/// (against a discrete-event simulation), the batch grid and the LayoutSearch/BatchSearch hooks.
struct FleetModelTests {
    // MARK: - Math

    @Test func logExpAndNormalQuantileMatchFoundation() {
        for x in [1e-300, 1e-9, 0.001, 0.5, 0.999, 1, 1.0001, 2, 2.718281828, 10, 123.456, 1e9, 1e300] {
            #expect(abs(FleetMath.log(x) - Foundation.log(x)) <= 1e-14 * max(1, abs(Foundation.log(x))), "log \(x)")
        }
        for x in [-700.0, -20, -1, -1e-9, 0, 1e-9, 0.3466, 1, 5.5, 20, 300, 700] {
            #expect(abs(FleetMath.exp(x) - Foundation.exp(x)) <= 1e-14 * Foundation.exp(x), "exp \(x)")
        }
        #expect(FleetMath.log(0) == -.infinity && FleetMath.log(-1).isNaN && FleetMath.exp(800) == .infinity)
        let known: [(Double, Double)] = [(0.5, 0), (0.9, 1.281_551_565_5), (0.95, 1.644_853_626_95), (0.99, 2.326_347_874_04),
                                         (0.999, 3.090_232_306_17), (0.01, -2.326_347_874_04), (0.001, -3.090_232_306_17)]
        for (p, z) in known { #expect(abs(FleetMath.normalQuantile(p) - z) < 1e-8, "z(\(p))") }
    }

    // MARK: - Distributions

    @Test func histogramMeanQuantilesAndMoments() throws {
        let histogram = TokenDistribution.histogram([.init(tokens: 4000, weight: 1), .init(tokens: 500, weight: 6), .init(tokens: 1000, weight: 3)])
        try histogram.validate(field: "input_tokens")
        #expect(abs(histogram.meanTokens - (500 * 0.6 + 1000 * 0.3 + 4000 * 0.1)) < 1e-9)
        #expect(histogram.quantileTokens(0.5) == 500 && histogram.quantileTokens(0.6) == 500)
        #expect(histogram.quantileTokens(0.61) == 1000 && histogram.quantileTokens(0.9) == 1000 && histogram.quantileTokens(0.99) == 4000)
        #expect(histogram.largestTokens == 4000)
        let (points, factor) = histogram.expectationPoints
        #expect(points.map(\.tokens) == [500, 1000, 4000] && factor == 1)
        #expect(abs(points.map(\.weight).reduce(0, +) - 1) < 1e-12)
        let second = 500.0 * 500 * 0.6 + 1000.0 * 1000 * 0.3 + 4000.0 * 4000 * 0.1
        #expect(abs(histogram.squaredCoefficientOfVariation - (second / (1000 * 1000) - 1)) < 1e-12)
    }

    @Test func summaryIsReadAsALognormal() throws {
        // Mean and median: sigma^2 = 2 ln(mean / median); the squared CV is e^(sigma^2) - 1 = (mean / median)^2 - 1.
        let summary = TokenDistribution.summary(mean: 1000, p50: 800, p90: nil, p99: nil)
        try summary.validate(field: "input_tokens")
        #expect(abs(summary.squaredCoefficientOfVariation - (1.25 * 1.25 - 1)) < 1e-12)
        #expect(summary.quantileTokens(0.5) == 800)
        let fit = summary.lognormalFit
        let p99 = Foundation.exp(fit.mu + fit.sigma * 2.326_347_874_04)
        #expect(summary.quantileTokens(0.99) == Int(p99.rounded()) && summary.quantileTokens(0.99) > 2000)
        // Given percentiles are returned exactly; others are clamped between their neighbours.
        let full = TokenDistribution.summary(mean: 1000, p50: 700, p90: 2000, p99: 5000)
        #expect(full.quantileTokens(0.9) == 2000 && full.quantileTokens(0.99) == 5000)
        #expect((2000...5000).contains(full.quantileTokens(0.95)))
        // Mean and p99 only: the fitted lognormal reproduces both.
        let tail = TokenDistribution.summary(mean: 1000, p50: nil, p90: nil, p99: 6000)
        let tailFit = tail.lognormalFit
        #expect(abs(Foundation.exp(tailFit.mu + tailFit.sigma * tailFit.sigma / 2) - 1000) < 1e-6)
        #expect(abs(Foundation.exp(tailFit.mu + tailFit.sigma * 2.326_347_874_04) - 6000) < 1e-3)
        // The mean alone is a fixed length.
        #expect(TokenDistribution.summary(mean: 300, p50: nil, p90: nil, p99: nil).squaredCoefficientOfVariation == 0)
        #expect(TokenDistribution.summary(mean: 300, p50: nil, p90: nil, p99: nil).quantileTokens(0.99) == 300)
    }

    @Test func invalidDistributionsNameTheField() {
        let cases: [(TokenDistribution, String)] = [
            (.fixed(0), "input_tokens"),
            (.summary(mean: -5, p50: nil, p90: nil, p99: nil), "input_tokens.mean"),
            (.summary(mean: 1000, p50: 900, p90: 800, p99: nil), "input_tokens.p90"),
            (.summary(mean: 5000, p50: nil, p90: nil, p99: 4000), "input_tokens.mean"),
            (.histogram([]), "input_tokens"),
            (.histogram([.init(tokens: 100, weight: 0)]), "input_tokens[0].weight"),
            (.histogram([.init(tokens: 100, weight: 1), .init(tokens: -1, weight: 1)]), "input_tokens[1].tokens"),
        ]
        for (distribution, field) in cases {
            #expect {
                try distribution.validate(field: "input_tokens")
            } throws: { error in
                guard case let .invalidValue(named, _, _) = error as? PlannerError else { return false }
                return named == field
            }
        }
    }

    // MARK: - Serving model

    static let prefill = ServingModel.PrefillMoments(meanLatencyMs: 100, meanOccupancyMs: 100, secondMomentOccupancyMs2: 10_000)

    @Test func servingFormulasByHand() {
        let targets = ServiceLevelObjectives(targets: [
            .init(metric: .ttft, statistic: .mean, limitMs: 1000), .init(metric: .tpot, statistic: .mean, limitMs: 100),
            .init(metric: .ttft, statistic: .percentile(99), limitMs: 1000), .init(metric: .tpot, statistic: .percentile(99), limitMs: 100),
        ])
        let step = ServingModel.DecodeStep(batch: 10, latencyMs: 20, occupancyMs: 20)
        let point = ServingModel.operatingPoint(step: step, prefill: Self.prefill, meanOutputTokens: 100, targets: targets,
                                                prefillLatencyAtQuantileMs: { _ in 150 })
        // lambda = 1000 x 10 / (10 x 100 + 100 x 20) = 10/3 requests/s; rho = 1/3.
        #expect(abs(point.requestsPerSecond - 10.0 / 3) < 1e-12)
        #expect(abs(point.prefillUtilization - 1.0 / 3) < 1e-12)
        // P-K: (1/300 per ms) x 10000 / (2 x 2/3) = 25 ms; plus half a step and the mean prefill.
        #expect(abs(point.ttftMeanMs - (25 + 10 + 100)) < 1e-9)
        #expect(abs(point.tpotMeanMs - (20 + 10 * 100 / 100)) < 1e-12)
        let waitP99 = 25 / (1.0 / 3) * Foundation.log((1.0 / 3) / 0.01)
        #expect(abs(point.targetValuesMs[2] - (waitP99 + 0.99 * 20 + 150)) < 1e-6)
        let stallDeviation: Double = (10 * 10_000.0).squareRoot()
        let stall: Double = 10 * 100 + 2.326_347_874_04 * stallDeviation
        let tpotP99: Double = 20 + stall / 100
        #expect(abs(point.targetValuesMs[3] - tpotP99) < 1e-6)
        #expect(point.meetsTargets)
    }

    @Test func littlesLawHoldsAndLatenciesGrowWithTheBatch() {
        var previous: ServingModel.OperatingPoint?
        for batch in [1, 2, 4, 8, 16, 32, 64, 128, 256] {
            // A decode step that grows with the batch (memory-bound weights plus per-sequence KV reads).
            let stepMs = 12 + 0.15 * Double(batch)
            let step = ServingModel.DecodeStep(batch: batch, latencyMs: stepMs, occupancyMs: stepMs)
            let point = ServingModel.operatingPoint(
                step: step, prefill: Self.prefill, meanOutputTokens: 256,
                targets: ServiceLevelObjectives(targets: [.init(metric: .ttft, statistic: .percentile(99), limitMs: 1e9)]),
                prefillLatencyAtQuantileMs: { _ in 100 })
            // Little: running batch = arrival rate x decode time (output tokens x mean TPOT).
            let littleBatch = point.requestsPerSecond * 256 * point.tpotMeanMs / 1000
            #expect(abs(littleBatch - Double(batch)) < 1e-9 * Double(batch))
            #expect(point.prefillUtilization < 1)
            if let previous {
                #expect(point.requestsPerSecond > previous.requestsPerSecond)
                #expect(point.tpotMeanMs > previous.tpotMeanMs && point.ttftMeanMs > previous.ttftMeanMs)
                #expect(point.targetValuesMs[0] >= previous.targetValuesMs[0])
            }
            previous = point
        }
    }

    /// The TTFT wait against a discrete-event simulation of the queue it models: Poisson arrivals,
    /// one prefill at a time, and a decode step (vacation) whenever no prefill waits.
    @Test func queueingMatchesASimulation() {
        for (ratePerSecond, prefillMs, second, stepMs) in [(5.0, 100.0, 10_000.0, 20.0), (7.0, 100.0, 10_000.0, 30.0), (3.0, 150.0, 150.0 * 150 * 1.5, 25.0)] {
            let deterministic = second == prefillMs * prefillMs
            var random = SeededGenerator(seed: 42)
            var clock = 0.0, serverFree = 0.0
            var waits: [Double] = []
            var arrival = 0.0
            for _ in 0..<200_000 {
                arrival += -Foundation.log(1 - random.uniform()) / ratePerSecond * 1000
                // The server finishes what it is doing; while idle it runs whole decode steps.
                if serverFree < arrival {
                    let steps = ((arrival - serverFree) / stepMs).rounded(.up)
                    serverFree += steps * stepMs
                }
                clock = max(arrival, serverFree)
                waits.append(clock - arrival)
                // Service: deterministic, or exponential-like with the given second moment (gamma with shape 2).
                let service = deterministic ? prefillMs : prefillMs / 2 * (-Foundation.log(1 - random.uniform()) - Foundation.log(1 - random.uniform()))
                serverFree = clock + service
            }
            let simulatedMean = waits.reduce(0, +) / Double(waits.count)
            let moments = ServingModel.PrefillMoments(meanLatencyMs: prefillMs, meanOccupancyMs: prefillMs, secondMomentOccupancyMs2: second)
            let modelMean = ServingModel.meanQueueWaitMs(requestsPerSecond: ratePerSecond, prefill: moments) + stepMs / 2
            #expect(abs(modelMean - simulatedMean) / simulatedMean < 0.05, "mean wait: model \(modelMean) vs simulated \(simulatedMean)")
            // The percentile is an upper bound (quantile sum), not far above.
            let rho = ratePerSecond / 1000 * prefillMs
            let modelP99 = ServingModel.queueWaitQuantileMs(0.99, meanWaitMs: ServingModel.meanQueueWaitMs(requestsPerSecond: ratePerSecond, prefill: moments),
                                                            utilization: rho) + 0.99 * stepMs
            let simulatedP99 = waits.sorted()[waits.count * 99 / 100]
            #expect(modelP99 >= simulatedP99 * 0.95 && modelP99 <= simulatedP99 * 1.6, "p99 wait: model \(modelP99) vs simulated \(simulatedP99)")
        }
    }

    @Test func batchGridIsFixedDenseAndEndsAtTheLimit() {
        let grid = ServingModel.batchGrid(upTo: 1024)
        #expect(Array(grid.prefix(16)) == Array(1...16))
        #expect(grid.last == 1024 && grid == grid.sorted() && Set(grid).count == grid.count)
        for (a, b) in zip(grid, grid.dropFirst()) where a >= 16 { #expect(Double(b) / Double(a) <= 1.07) }
        #expect(grid.count < 120)
        #expect(ServingModel.batchGrid(upTo: 5) == [1, 2, 3, 4, 5])
        #expect(ServingModel.batchGrid(upTo: 100).last == 100)
        // A smaller limit is a prefix of the same grid (plus the limit).
        #expect(Array(ServingModel.batchGrid(upTo: 300).dropLast()) == grid.filter { $0 < 300 })
    }

    // MARK: - Hooks in Planning

    @Test func layoutEnumerationMatchesLayoutSearch() throws {
        for (model, devices) in [("llama2_7b", 8), ("mixtral_8x7b", 8), ("llama2_13b", 6)] {
            let spec = try ModelCatalog.model(named: model)
            let layouts = LayoutSearch.layouts(model: spec, devices: devices)
            let options = LayoutSearch.Options(model: spec, hardware: try HardwareCatalog.hardware(named: "H100_GPU"), devices: devices,
                                               inputTokens: 512, outputTokens: 32, batchSizes: .list([1]), profile: .genz)
            let result = try LayoutSearch.run(options)
            #expect(layouts.count == result.layoutsConsidered)
            let structural = layouts.filter { $0.skip != nil }.count
            let counted = [SkipReason.heads, SkipReason.experts, SkipReason.denseExperts].map { result.skipped[$0] ?? 0 }.reduce(0, +)
            #expect(structural == counted)
            #expect(layouts.allSatisfy { $0.layout.devices <= devices && ($0.layout.expert == 1 || spec.isMoE) })
            #expect(Set(layouts.map { "\($0.layout.tensor)/\($0.layout.pipeline)/\($0.layout.expert)" }).count == layouts.count)
        }
    }

    @Test func batchSearchIsGeneric() {
        var cache: [Int: Double] = [:]
        let largest = BatchSearch.largest(limit: 1000, cache: &cache, evaluate: { $0 <= 137 ? Double($0) * 2 : nil })
        #expect(largest == 137 && cache[137] == 274)
        var other: [Int: Double] = [:]
        #expect(BatchSearch.largest(limit: 1000, cache: &other, evaluate: { Double($0) }, accept: { $0 <= 64.5 }) == 64)
    }
}

