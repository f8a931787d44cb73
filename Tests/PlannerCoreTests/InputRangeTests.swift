import PlannerCore
import Testing

/// Issue 10, "Inputs that trap": every figure outside its physical range is an error naming the
/// field, the value and the range, in both profiles, and every figure inside gives finite numbers.
struct InputRangeTests {
    static func failure(_ body: () throws -> Void) -> PlannerError? {
        do { try body() } catch { return error as? PlannerError }
        return nil
    }

    static func request(_ hardware: HardwareSpec, profile: Profile, model: String = "llama2_7b") throws -> EstimateRequest {
        EstimateRequest(model: try ModelCatalog.model(named: model), hardware: hardware, inputTokens: 512, outputTokens: 32, profile: profile)
    }

    /// Hardware with one figure replaced.
    static func hardware(_ key: String, _ value: Double) -> HardwareSpec {
        var spec = HardwareCatalog.defaultHardware
        switch key {
        case "Flops": spec.flopsTFLOPS = value
        case "Memory_size": spec.memoryGiB = value
        case "Memory_BW": spec.memoryBandwidthGBps = value
        case "ICN": spec.interconnectGBps = value
        case "ICN_LL": spec.interconnectLatencyUs = value
        case "compute_efficiency": spec.computeEfficiency = value
        case "memory_efficiency": spec.memoryEfficiency = value
        case "link_efficiency": spec.linkEfficiency = value
        case "usable_memory_fraction": spec.usableMemoryFraction = value
        case "dense_Flops": spec.denseFlopsTFLOPS = value
        case "scale_up_BW": spec.scaleUpGBps = value
        case "inter_node_BW": spec.interNodeGBps = value
        case "inter_node_LL": spec.interNodeLatencyUs = value
        case "kernel_overhead_us": spec.kernelOverheadUs = value
        default: Issue.record("no such key \(key)")
        }
        return spec
    }

    static let keys = ["Flops", "Memory_size", "Memory_BW", "ICN", "ICN_LL", "compute_efficiency", "memory_efficiency", "link_efficiency",
                       "usable_memory_fraction", "dense_Flops", "scale_up_BW", "inter_node_BW", "inter_node_LL", "kernel_overhead_us"]

    /// The values of issue 10 (subnormal, 1e-308, 1e308), plus NaN, infinity, zero and negative.
    @Test(arguments: [Double.leastNonzeroMagnitude, 1e-308, 1e308, -1, .nan, .infinity])
    func outOfRangeHardwareNamesTheFieldAndTheRange(value: Double) throws {
        for key in Self.keys {
            // Zero latency is physical; everything else listed is not.
            for profile in Profile.allCases {
                let error = Self.failure { _ = try Estimator.endToEnd(try Self.request(Self.hardware(key, value), profile: profile)) }
                guard case let .invalidValue(field, shown, allowed)? = error else {
                    Issue.record("\(key) = \(value) (\(profile)): got \(String(describing: error))")
                    continue
                }
                #expect(field == key)
                #expect(shown == "\(value)")
                #expect(allowed.hasPrefix("a number in ["), "\(allowed)")
            }
        }
    }

    @Test func zeroIsRejectedWhereTheRangeIsPositive() {
        for key in Self.keys where !["ICN_LL", "inter_node_LL", "kernel_overhead_us"].contains(key) {
            #expect(Self.failure { try Self.hardware(key, 0).validate() } != nil, "\(key) = 0")
        }
        for key in ["ICN_LL", "inter_node_LL", "kernel_overhead_us"] {
            #expect(Self.failure { try Self.hardware(key, 0).validate() } == nil, "\(key) = 0")
        }
    }

    /// Every figure at either end of its range gives finite latencies and throughputs in both profiles.
    @Test func theEndsOfEveryRangeGiveFiniteNumbers() throws {
        let ranges: [String: PhysicalRange] = [
            "Flops": PhysicalLimits.flopsTFLOPS, "Memory_BW": PhysicalLimits.memoryBandwidthGBps, "ICN": PhysicalLimits.interconnectGBps,
            "ICN_LL": PhysicalLimits.interconnectLatencyUs, "compute_efficiency": PhysicalLimits.computeEfficiency,
            "memory_efficiency": PhysicalLimits.memoryEfficiency, "link_efficiency": PhysicalLimits.linkEfficiency,
            "dense_Flops": PhysicalLimits.denseFlopsTFLOPS, "scale_up_BW": PhysicalLimits.scaleUpGBps,
            "inter_node_BW": PhysicalLimits.interNodeGBps, "inter_node_LL": PhysicalLimits.interNodeLatencyUs,
            "kernel_overhead_us": PhysicalLimits.kernelOverheadUs, "Memory_size": PhysicalLimits.memoryGiB,
        ]
        for (key, range) in ranges.sorted(by: { $0.key < $1.key }) {
            for value in [range.low, range.high] {
                var spec = Self.hardware(key, value)
                if key == "Memory_size" && value == range.low { continue }  // nothing fits in 1 MiB; the memory check answers
                spec.memoryGiB = max(spec.memoryGiB, 80)
                for profile in Profile.allCases {
                    var request = try Self.request(spec, profile: profile)
                    request.parallelism = Parallelism(tensor: 2, pipeline: 2)
                    let estimate = try Estimator.endToEnd(request)
                    #expect(estimate.totalLatencyMs.isFinite && estimate.totalLatencyMs > 0, "\(key) = \(value) (\(profile))")
                    #expect(estimate.totalThroughputTokensPerSecond.isFinite, "\(key) = \(value) (\(profile))")
                }
            }
        }
    }

    @Test func devicesPerNodeHasARange() {
        var spec = HardwareCatalog.defaultHardware
        spec.devicesPerNode = 0
        guard case let .invalidValue(field, value, allowed)? = Self.failure({ try spec.validate() }) else {
            Issue.record("devices_per_node 0 accepted"); return
        }
        #expect(field == "devices_per_node" && value == "0" && allowed.contains("1...65536"))
    }

    /// `beam_size: 0` is invalid whatever the phase (issue 15, item 7).
    @Test func beamSizeZeroIsRejectedInEveryPhase() throws {
        for profile in Profile.allCases {
            var request = try Self.request(HardwareCatalog.defaultHardware, profile: profile)
            request.beamSize = 0
            for phase in Phase.allCases {
                guard case let .invalidValue(field, _, _)? = Self.failure({ _ = try Estimator.estimate(request, phase: phase) }) else {
                    Issue.record("beam_size 0 accepted in \(phase) (\(profile))"); continue
                }
                #expect(field == "beam_size")
            }
        }
    }

    @Test func zeroAndHugeModelSizesNameTheKey() throws {
        let base = try ModelCatalog.model(named: "llama2_7b")
        let edits: [(String, (inout ModelSpec) -> Void)] = [
            ("num_attention_heads", { $0.numAttentionHeads = 0 }), ("num_hidden_layers", { $0.numLayers = 0 }),
            ("hidden_size", { $0.hiddenSize = 0 }), ("intermediate_size", { $0.intermediateSize = 0 }),
            ("vocab_size", { $0.vocabSize = 0 }), ("head_dim", { $0.headDim = 0 }), ("num_key_value_heads", { $0.numKeyValueHeads = 0 }),
            ("hidden_size", { $0.hiddenSize = Int.max }), ("num_hidden_layers", { $0.numLayers = 1 << 40 }),
            ("vocab_size", { $0.vocabSize = 1 << 40 }),
        ]
        for (key, edit) in edits {
            var model = base
            edit(&model)
            guard case let .invalidValue(field, _, allowed)? = Self.failure({ try model.validate() }) else {
                Issue.record("\(key): accepted"); continue
            }
            #expect(field == key && allowed.contains("an integer in"), "\(field): \(allowed)")
        }
    }

    @Test func fleetReplicasAreCapped() {
        #expect(FleetSizing.replicas(required: 1e18, perReplica: 1) == PhysicalLimits.maxReplicas + 1)
        #expect(FleetSizing.replicas(required: 1e7, perReplica: 1) == PhysicalLimits.maxReplicas)
        #expect(FleetSizing.replicas(required: 10, perReplica: 3) == 4)
        #expect(FleetSizing.replicas(required: 1, perReplica: .leastNonzeroMagnitude) == PhysicalLimits.maxReplicas + 1)
    }

    /// The largest load on the slowest device in range: options needing more than 10M replicas are
    /// reported as not sized, every figure stays finite (rate_rps 1e18 trapped in FleetSizing before).
    @Test func fleetSizingAtTheEndsOfTheRanges() throws {
        var slow = HardwareSpec(name: "slow", flopsTFLOPS: 1, memoryGiB: 80, memoryBandwidthGBps: 1, interconnectGBps: 1)
        slow.devicesPerNode = 2
        let workload = FleetWorkload(
            models: [try ModelCatalog.model(named: "llama2_7b")], rate: .requestsPerSecond(PhysicalLimits.requestsPerSecond.high),
            inputTokens: .fixed(128), outputTokens: .fixed(16), hardware: [FleetHardware(spec: slow)],
            prices: PriceList.shipped.merging(PriceList([DevicePrice(hardware: "slow", usdPerDeviceHour: 1, date: nil, source: "test")])))
        let plan = try FleetSizing.run(workload)
        #expect(!plan.options.isEmpty)
        for option in plan.options {
            #expect(option.replicas <= PhysicalLimits.maxReplicas + 1)
            #expect(option.costPerHourUSD.isFinite && option.utilization.isFinite)
            if option.replicas > PhysicalLimits.maxReplicas {
                #expect(!option.meetsTargets && option.reason?.contains("needs more than 10000000 replicas") == true)
            }
        }
        #expect(plan.options.contains { $0.replicas > PhysicalLimits.maxReplicas })
        var huge = workload
        huge.rate = .requestsPerSecond(1e18)
        guard case let .invalidValue(field, _, allowed)? = Self.failure({ _ = try FleetSizing.run(huge) }) else {
            Issue.record("rate_rps 1e18 accepted"); return
        }
        #expect(field == "rate_rps" && allowed.contains("[0.001, 1e+07] requests/s"))
    }

    @Test func rangesReadAsTheREADMEWritesThem() {
        #expect(PhysicalLimits.flopsTFLOPS.allowed == "a number in [0.001, 1e+07] TFLOPS")
        #expect(PhysicalLimits.computeEfficiency.allowed == "a number in [0.001, 1]")
        #expect(PhysicalLimits.histogramWeight.allowed == "a number in [1e-12, 1e+12]")
        #expect(PhysicalLimits.format(0) == "0" && PhysicalLimits.format(100_000) == "100000" && PhysicalLimits.format(1e-4) == "1e-04")
        for range in PhysicalLimits.realRanges {
            #expect(range.low.isFinite && range.high.isFinite && range.low < range.high, "\(range.key)")
            #expect(range.low == 0 || range.low >= 1e-12, "\(range.key): no subnormal lower bound")
            #expect(!range.contains(.nan) && !range.contains(.infinity), "\(range.key)")
        }
    }
}
