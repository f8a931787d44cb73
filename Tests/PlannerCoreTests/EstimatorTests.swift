import PlannerCore
import Testing

/// Figures published for llm-memory-calculator on the default A100 80GB system, and invariants
/// (all in the `genz` profile, which these figures come from).
struct EstimatorTests {
    let llama7b = try! ModelCatalog.model(named: "llama2_7b")

    static func relativelyClose(_ a: Double, _ b: Double, _ tolerance: Double = 1e-5) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    @Test func prefillReferenceOnDefaultSystem() throws {
        let estimate = try PerformanceAPI.estimatePrefillPerformance(profile: .genz)
        #expect(Self.relativelyClose(estimate.latencyMs, 95.5080, 1e-5))
        #expect(Self.relativelyClose(estimate.throughputRequestsPerSecond, 10.4703, 1e-4))
        #expect(Self.relativelyClose(estimate.breakdown.embeddingMs, 3.441, 1e-3))
        #expect(Self.relativelyClose(estimate.breakdown.qkvoMs, 28.193, 1e-4))
        #expect(Self.relativelyClose(estimate.breakdown.logitAttendMs, 7.048, 1e-3))
        #expect(Self.relativelyClose(estimate.breakdown.ffnMs, 56.826, 1e-4))
    }

    @Test(arguments: [("f32", 91.984), ("bf16", 45.992), ("int8", 22.996), ("fp8", 22.996), ("int4", 11.498)])
    func prefillScalesWithPrecision(bits: String, expectedMs: Double) throws {
        let estimate = try PerformanceAPI.estimatePrefillPerformance(inputTokens: 1024, bits: bits, profile: .genz)
        #expect(Self.relativelyClose(estimate.latencyMs, expectedMs, 1e-4))
    }

    @Test func tensorParallelPrefillReference() throws {
        let estimate = try PerformanceAPI.estimatePrefillPerformance(batchSize: 4, tensorParallel: 2, profile: .genz)
        #expect(Self.relativelyClose(estimate.latencyMs, 198.655, 1e-5))
        #expect(Self.relativelyClose(estimate.breakdown.allReduceMs, 7.639, 1e-3))
    }

    @Test func mixtralReferences() throws {
        let prefill = try PerformanceAPI.estimatePrefillPerformance(model: "mixtral_8x7b", tensorParallel: 2, profile: .genz)
        #expect(Self.relativelyClose(prefill.latencyMs, 90.665, 1e-4))
        let decode = try PerformanceAPI.estimateDecodePerformance(model: "mixtral_8x7b", outputTokens: 16, expertParallel: 2, profile: .genz)
        #expect(Self.relativelyClose(decode.latencyMs, 6.5008, 1e-4))
        #expect(Self.relativelyClose(decode.breakdown.allToAllMs, 0.385, 1e-2))
    }

    @Test func seventyBillionDoesNotFitOnA100_40GB() throws {
        let a100 = try HardwareCatalog.hardware(named: "a100_40gb_gpu")
        #expect {
            try PerformanceAPI.estimatePrefillPerformance(model: "llama2_70b", systemName: a100, profile: .genz)
        } throws: { error in
            guard case let .doesNotFit(capacity, weights, _, _)? = error as? PlannerError else { return false }
            return capacity == 40 * 1024 && Self.relativelyClose(weights / 1024, 128.4765625, 1e-9)
        }
    }

    @Test func endToEndDerivesTheWrapperFields() throws {
        let e2e = try PerformanceAPI.estimateEndToEndPerformance(batchSize: 4, inputTokens: 2048, outputTokens: 256, tensorParallel: 2, profile: .genz)
        #expect(e2e.ttftMs == e2e.prefill.latencyMs)
        #expect(e2e.averageTPOTMs == e2e.decode.latencyMs)
        #expect(Self.relativelyClose(e2e.totalLatencyMs, e2e.prefill.latencyMs + 256 * e2e.decode.latencyMs, 1e-12))
        #expect(Self.relativelyClose(e2e.totalThroughputTokensPerSecond, 4 * (2048 + 256) * 1000 / e2e.totalLatencyMs, 1e-12))
        #expect(Self.relativelyClose(e2e.outputThroughputTokensPerSecond, 4 * 256 * 1000 / e2e.totalLatencyMs, 1e-12))
    }

    @Test func latencyGrowsWithBatchAndContext() throws {
        var previous = 0.0
        for batch in [1, 2, 4, 8, 16, 32] {
            let latency = try Estimator.decode(EstimateRequest(model: llama7b, batchSize: batch, profile: .genz)).latencyMs
            #expect(latency > previous)
            previous = latency
        }
        previous = 0
        for tokens in [128, 512, 2048, 8192] {
            let latency = try Estimator.prefill(EstimateRequest(model: llama7b, inputTokens: tokens, profile: .genz)).latencyMs
            #expect(latency > previous)
            previous = latency
        }
    }

    @Test func tensorParallelShardsWeights() throws {
        let one = try Estimator.decode(EstimateRequest(model: llama7b, profile: .genz))
        let four = try Estimator.decode(EstimateRequest(model: llama7b, parallelism: Parallelism(tensor: 4), profile: .genz))
        #expect(four.memory.weightsMiB < one.memory.weightsMiB / 3.5)
        #expect(four.breakdown.allReduceMs > 0 && one.breakdown.allReduceMs == 0)
    }

    @Test func breakdownSumsToLatency() throws {
        let mixtral = try ModelCatalog.model(named: "mixtral_8x7b")
        for phase in Phase.allCases {
            let estimate = try Estimator.estimate(
                EstimateRequest(model: mixtral, hardware: try HardwareCatalog.hardware(named: "H100_GPU"), batchSize: 8,
                                parallelism: Parallelism(tensor: 2, pipeline: 2, expert: 2), profile: .genz), phase: phase)
            let b = estimate.breakdown
            #expect(Self.relativelyClose(b.embeddingMs + b.attentionMs + b.ffnMs + b.sendRecvMs, estimate.latencyMs, 1e-12))
            #expect(Self.relativelyClose(estimate.operators.reduce(0) { $0 + $1.totalLatencyMs }, estimate.latencyMs, 1e-12))
            let withoutRows = try Estimator.estimate(
                EstimateRequest(model: mixtral, hardware: try HardwareCatalog.hardware(named: "H100_GPU"), batchSize: 8,
                                parallelism: Parallelism(tensor: 2, pipeline: 2, expert: 2), profile: .genz), phase: phase, operators: false)
            #expect(withoutRows.operators.isEmpty && withoutRows.latencyMs == estimate.latencyMs)
        }
    }

    @Test func collectiveFormulas() {
        let bandwidth = 300 * Units.bytesPerGiB
        let allReduce = GraphBuilderProbe.seconds(.allReduce, bytes: 49152, participants: 4, bandwidth: bandwidth, latency: 1e-6)
        #expect(Self.relativelyClose(allReduce, 1.12288818359375e-5, 1e-12))
        let p2p = GraphBuilderProbe.seconds(.pointToPoint, bytes: 49152, participants: 2, bandwidth: bandwidth, latency: 1e-6)
        #expect(Self.relativelyClose(p2p, 1.1525878906249998e-6, 1e-12))
        #expect(GraphBuilderProbe.seconds(.allReduce, bytes: 1000, participants: 1, bandwidth: bandwidth, latency: 1e-6) == 0)
    }
}

/// Reaches the collective formulas through the public estimate of a tiny model.
enum GraphBuilderProbe {
    static func seconds(_ collective: Collective, bytes: Double, participants: Int, bandwidth: Double, latency: Double) -> Double {
        Collectives.seconds(collective, bytes: bytes, participants: participants, linkBytesPerSecond: bandwidth, linkLatencySeconds: latency)
    }
}
