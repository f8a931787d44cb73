@testable import PlannerCore
import Testing

/// Fleet options checked with the serving simulator at their share of the demand.
struct FleetVerificationTests {
    static func workload(tpot: Double = 50) throws -> FleetWorkload {
        FleetWorkload(
            models: [try ModelCatalog.model(named: "llama2_70b")], rate: .requestsPerSecond(10), inputTokens: .fixed(1024),
            outputTokens: .fixed(256),
            objectives: ServiceLevelObjectives(targets: [.init(metric: .ttft, statistic: .percentile(99), limitMs: 2000),
                                                         .init(metric: .tpot, statistic: .percentile(99), limitMs: tpot)]),
            precisions: [.fp8], hardware: [FleetHardware(spec: try HardwareCatalog.hardware(named: "H100_80GB"), maxDevicesPerReplica: 4)])
    }

    @Test func verifiedOptionsCarryTheSimulatedFiguresAndRankByThem() throws {
        let plan = try FleetSizing.run(try Self.workload())
        let verified = FleetVerification.verify(plan, count: 3, requests: 300)
        let checked = verified.options.filter { $0.simulated != nil }
        #expect(checked.count == min(3, plan.feasible.count))
        for option in checked {
            let check = try #require(option.simulated)
            #expect(check.targetValuesMs.count == 2 && check.targetValuesMs.allSatisfy { $0.isFinite && $0 > 0 } || check.failure != nil)
            #expect(abs(check.perReplicaRequestsPerSecond * Double(option.replicas) - 10) < 1e-9)
            #expect(check.meetsTargets == zip(check.targetValuesMs, [2000.0, 50]).allSatisfy { $0 <= $1 } || check.failure != nil)
        }
        // Order: meeting in both models, then only analytically, then not meeting; otherwise as sized.
        func group(_ option: FleetOption) -> Int {
            !option.meetsTargets ? 2 : (option.simulated.map { $0.meetsTargets } == false ? 1 : 0)
        }
        let groups = verified.options.map(group)
        #expect(groups == groups.sorted())
        #expect(Set(verified.options) == Set(plan.options.map { option in
            verified.options.first { $0.layout == option.layout && $0.precision == option.precision } ?? option
        }))
        // Deterministic.
        #expect(FleetVerification.verify(plan, count: 3, requests: 300) == verified)
    }

    @Test func percentileStatisticsReadFromTheSimulation() {
        let statistics = LatencyStatistics(count: 101, meanMs: 7, p50Ms: 50, p90Ms: 90, p95Ms: 95, p99Ms: 99, maxMs: 100,
                                           percentilesMs: (0...100).map(Double.init))
        #expect(statistics.value(at: .mean) == 7)
        #expect(statistics.value(at: .percentile(99)) == 99)
        #expect(abs(statistics.value(at: .percentile(99.5)) - 99.5) < 1e-12)
        #expect(abs(statistics.value(at: .percentile(12.25)) - 12.25) < 1e-12)
    }
}
