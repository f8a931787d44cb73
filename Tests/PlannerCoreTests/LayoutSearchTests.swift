import PlannerCore
import Testing

/// Brute-force cross-checks of the layout search on small cases.
struct LayoutSearchTests {
    static func options(_ model: String, _ hardware: String, devices: Int, batches: LayoutSearch.BatchSizes = .auto,
                        precisions: [Precision] = [.bf16], maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil,
                        objective: LayoutSearch.Objective = .throughputPerDevice) throws -> LayoutSearch.Options {
        LayoutSearch.Options(
            model: try ModelCatalog.model(named: model), hardware: try HardwareCatalog.hardware(named: hardware), devices: devices,
            inputTokens: 1024, outputTokens: 128, precisions: precisions, maxTTFTMs: maxTTFTMs, maxTPOTMs: maxTPOTMs,
            batchSizes: batches, maxBatchSize: 512, objective: objective, profile: .genz)
    }

    @Test func everyCandidateReEstimatesToTheSameFigures() throws {
        let options = try Self.options("llama2_13b", "A100_80GB_GPU", devices: 8, precisions: [.bf16, .int8])
        let result = try LayoutSearch.run(options)
        #expect(!result.candidates.isEmpty)
        for candidate in result.candidates {
            let estimate = try Estimator.endToEnd(EstimateRequest(
                model: options.model, hardware: options.hardware, batchSize: candidate.batchSize, inputTokens: 1024, outputTokens: 128,
                precision: candidate.precision, parallelism: candidate.layout, profile: .genz), operators: false)
            #expect(estimate.ttftMs == candidate.ttftMs && estimate.averageTPOTMs == candidate.tpotMs)
            #expect(estimate.outputThroughputTokensPerSecond * Double(candidate.replicas) == candidate.throughputTokensPerSecond)
            #expect(candidate.devices == candidate.replicas * candidate.layout.devices && candidate.devices <= 8)
            #expect(8 / candidate.layout.devices == candidate.replicas)
            // Memory never exceeds what a device offers.
            #expect(candidate.memoryPerDeviceGiB <= options.hardware.memoryGiB)
        }
    }

    @Test func noFeasibleLayoutIsMissing() throws {
        let batches = [1, 2, 4, 8, 16, 64]
        for (model, hardware, devices) in [("llama2_13b", "A100_40GB_GPU", 6), ("mixtral_8x7b", "A100_80GB_GPU", 8)] {
            let options = try Self.options(model, hardware, devices: devices, batches: .list(batches))
            let found = Set(try LayoutSearch.run(options).candidates.map { "\($0.layout.tensor)/\($0.layout.pipeline)/\($0.layout.expert)/\($0.batchSize)" })
            var expected = Set<String>()
            let spec = options.model
            for tp in 1...devices {
                for pp in 1...devices {
                    for ep in 1...devices where tp * pp * ep <= devices {
                        if spec.numAttentionHeads % (tp * ep) != 0 { continue }
                        for batch in batches {
                            let request = EstimateRequest(model: spec, hardware: options.hardware, batchSize: batch, inputTokens: 1024,
                                                          outputTokens: 128, parallelism: Parallelism(tensor: tp, pipeline: pp, expert: ep),
                                                          profile: .genz)
                            if (try? Estimator.endToEnd(request, operators: false)) != nil { expected.insert("\(tp)/\(pp)/\(ep)/\(batch)") }
                        }
                    }
                }
            }
            #expect(found == expected, "\(model): missing \(expected.subtracting(found).sorted()), extra \(found.subtracting(expected).sorted())")
            #expect(found.contains { $0.split(separator: "/").map(String.init)[2] != "1" } == spec.isMoE)
        }
    }

    @Test func layoutsUsingAllDevicesAreIncluded() throws {
        let result = try LayoutSearch.run(try Self.options("llama2_7b", "A100_80GB_GPU", devices: 8))
        #expect(result.candidates.contains { $0.layout.devices == 8 && $0.replicas == 1 })
        #expect(result.candidates.contains { $0.layout == Parallelism(tensor: 2, pipeline: 4) })
        #expect(result.layoutsConsidered == 20)
    }

    @Test func autoBatchFindsTheLargestThatFits() throws {
        let options = try Self.options("llama2_13b", "A100_40GB_GPU", devices: 1)
        let result = try LayoutSearch.run(options)
        let largest = try #require(result.candidates.map(\.batchSize).max())
        let request = { (batch: Int) in EstimateRequest(model: options.model, hardware: options.hardware, batchSize: batch, inputTokens: 1024,
                                                        outputTokens: 128, profile: .genz) }
        #expect((try? Estimator.endToEnd(request(largest))) != nil)
        #expect((try? Estimator.endToEnd(request(largest + 1))) == nil)
    }

    @Test func rankingAndParetoAreConsistent() throws {
        for objective in LayoutSearch.Objective.allCases {
            let result = try LayoutSearch.run(try Self.options("mixtral_8x7b", "H100_GPU", devices: 8, precisions: [.bf16, .fp8], objective: objective))
            let candidates = result.candidates
            for (a, b) in zip(candidates, candidates.dropFirst()) {
                switch objective {
                case .throughput: #expect(a.throughputTokensPerSecond >= b.throughputTokensPerSecond)
                case .throughputPerDevice: #expect(a.throughputPerDevice >= b.throughputPerDevice)
                case .latency: #expect(a.requestLatencyMs <= b.requestLatencyMs)
                }
            }
            for candidate in candidates {
                let dominated = candidates.contains {
                    $0.throughputPerDevice >= candidate.throughputPerDevice && $0.tpotMs <= candidate.tpotMs
                        && ($0.throughputPerDevice > candidate.throughputPerDevice || $0.tpotMs < candidate.tpotMs)
                }
                #expect(candidate.isPareto == !dominated)
            }
            // Deterministic: the same search gives the same ranking.
            #expect(try LayoutSearch.run(try Self.options("mixtral_8x7b", "H100_GPU", devices: 8, precisions: [.bf16, .fp8], objective: objective)).candidates == candidates)
        }
    }

    @Test func latencyTargetsAreHonoured() throws {
        let result = try LayoutSearch.run(try Self.options("llama2_7b", "A100_80GB_GPU", devices: 4, maxTTFTMs: 500, maxTPOTMs: 15))
        #expect(!result.candidates.isEmpty && result.droppedByTargets > 0)
        #expect(result.candidates.allSatisfy { $0.ttftMs <= 500 && $0.tpotMs <= 15 })
        // The largest batch meeting the targets is among the candidates of the best layout.
        let best = try #require(result.candidates.first)
        let next = EstimateRequest(model: try ModelCatalog.model(named: "llama2_7b"), hardware: try HardwareCatalog.hardware(named: "A100_80GB_GPU"),
                                   batchSize: best.batchSize + 1, inputTokens: 1024, outputTokens: 128, parallelism: best.layout, profile: .genz)
        let over = try Estimator.endToEnd(next)
        #expect(over.ttftMs > 500 || over.averageTPOTMs > 15)
    }

    @Test func impossibleTargetsAndMemoryAreExplained() throws {
        let tight = try LayoutSearch.run(try Self.options("llama2_7b", "A100_80GB_GPU", devices: 2, maxTPOTMs: 0.1))
        #expect(tight.candidates.isEmpty)
        #expect(tight.explanation?.contains("max-tpot-ms 0.1") == true)
        let tooBig = try LayoutSearch.run(try Self.options("llama2_70b", "A100_40GB_GPU", devices: 2))
        #expect(tooBig.candidates.isEmpty)
        #expect(tooBig.explanation?.contains("no layout fits in memory") == true)
    }

    @Test func invalidOptionsAreRejected() throws {
        var options = try Self.options("llama2_7b", "A100_80GB_GPU", devices: 0)
        #expect(throws: PlannerError.self) { try LayoutSearch.run(options) }
        options.devices = 4
        options.batchSizes = .list([0])
        #expect(throws: PlannerError.self) { try LayoutSearch.run(options) }
        options.batchSizes = .auto
        options.maxTPOTMs = -1
        #expect(throws: PlannerError.self) { try LayoutSearch.run(options) }
    }
}
