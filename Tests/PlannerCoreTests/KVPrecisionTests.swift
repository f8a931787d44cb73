import PlannerCore
import Testing

/// `kv_bits`: the KV cache at its own precision (fp8 KV with bf16 weights), in every model that sizes it.
struct KVPrecisionTests {
    static func request(kv: Precision?, profile: Profile = .default) throws -> EstimateRequest {
        EstimateRequest(model: try ModelCatalog.model(named: "llama3_8b"), hardware: try HardwareCatalog.hardware(named: "H100_80GB"),
                        batchSize: 64, inputTokens: 4096, outputTokens: 256, precision: .bf16, profile: profile, kvPrecision: kv)
    }

    @Test func fp8CacheHalvesTheCacheAndItsReads() throws {
        let bf16 = try Estimator.decode(try Self.request(kv: nil))
        let same = try Estimator.decode(try Self.request(kv: .bf16))
        let fp8 = try Estimator.decode(try Self.request(kv: .fp8))
        #expect(same.latencyMs == bf16.latencyMs && same.memory.kvCacheMiB == bf16.memory.kvCacheMiB)
        #expect(abs(fp8.memory.kvCacheMiB / bf16.memory.kvCacheMiB - 0.5) < 1e-12)
        #expect(fp8.latencyMs < bf16.latencyMs)
        #expect(fp8.memory.weightsMiB == bf16.memory.weightsMiB)
    }

    @Test func genzIgnoresItAndSaysSo() throws {
        let plain = try Estimator.decode(try Self.request(kv: nil, profile: .genz))
        let fp8 = try Estimator.decode(try Self.request(kv: .fp8, profile: .genz))
        #expect(plain.latencyMs == fp8.latencyMs)
        #expect(fp8.warnings.contains { $0.contains("kv_bits fp8 ignored") })
    }

    @Test func onlyEngineCacheTypesAreAccepted() throws {
        #expect(try EstimateRequest.parseKVPrecision("auto") == nil)
        #expect(try EstimateRequest.parseKVPrecision("FP8") == .fp8)
        #expect(throws: PlannerError.self) { try EstimateRequest.parseKVPrecision("fp4") }
        #expect(throws: PlannerError.self) { try Estimator.decode(try Self.request(kv: .int4)) }
    }

    @Test func fleetAndRecommendUseIt() throws {
        func workload(_ kv: Precision?) throws -> FleetWorkload {
            var workload = FleetWorkload(
                models: [try ModelCatalog.model(named: "llama3_8b")], rate: .requestsPerSecond(50), inputTokens: .fixed(4096),
                outputTokens: .fixed(256), objectives: ServiceLevelObjectives(targets: [.init(metric: .tpot, statistic: .mean, limitMs: 40)]),
                hardware: [FleetHardware(spec: try HardwareCatalog.hardware(named: "H100_80GB"), maxDevicesPerReplica: 1)])
            workload.kvPrecision = kv
            return workload
        }
        let plain = try #require(try FleetSizing.run(try workload(nil)).cheapest)
        let fp8 = try #require(try FleetSizing.run(try workload(.fp8)).cheapest)
        #expect(fp8.perReplicaRequestsPerSecond > plain.perReplicaRequestsPerSecond)
        #expect(fp8.costPerHourUSD <= plain.costPerHourUSD)
    }
}
