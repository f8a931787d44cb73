import PlannerCore
import Testing

/// Fleet sizing consistency: capacity covers the load with headroom, costs and nodes follow from the
/// counts, the cheapest row is the cheapest, tighter targets never lower the cost, the grid search
/// finds what an exhaustive batch search finds, and invalid workloads are rejected.
struct FleetSizingTests {
    /// The issue's example: llama2_70b at 20 requests/s, 2048 in, 256 out, TTFT p99 2 s, TPOT p99 50 ms.
    static func workload(
        model: String = "llama2_70b", rate: Double = 20, ttftP99Ms: Double? = 2000, tpotP99Ms: Double? = 50,
        hardware: [String] = ["A100_80GB", "H100_80GB", "MI300X"], precisions: [Precision] = [.bf16], headroom: Double = 0.2,
        input: TokenDistribution = .fixed(2048), output: TokenDistribution = .fixed(256), profile: Profile = .default
    ) throws -> FleetWorkload {
        var targets: [ServiceLevelObjectives.Target] = []
        if let ttftP99Ms { targets.append(.init(metric: .ttft, statistic: .percentile(99), limitMs: ttftP99Ms)) }
        if let tpotP99Ms { targets.append(.init(metric: .tpot, statistic: .percentile(99), limitMs: tpotP99Ms)) }
        return FleetWorkload(
            models: [try ModelCatalog.model(named: model)], rate: .requestsPerSecond(rate), inputTokens: input, outputTokens: output,
            objectives: ServiceLevelObjectives(targets: targets), precisions: precisions,
            hardware: try hardware.map { FleetHardware(spec: try HardwareCatalog.hardware(named: $0)) }, headroomFraction: headroom,
            profile: profile)
    }

    @Test func capacityCostsAndCountsAreConsistent() throws {
        let workload = try Self.workload()
        let plan = try FleetSizing.run(workload)
        #expect(plan.feasible.count >= 5)
        #expect(plan.cheapest != nil)
        let required = 20 * 1.2
        #expect(abs(workload.requiredRequestsPerSecond - required) < 1e-12)
        for option in plan.options {
            // Enough replicas, and not one more than needed.
            #expect(Double(option.replicas) * option.perReplicaRequestsPerSecond >= required)
            #expect(Double(option.replicas - 1) * option.perReplicaRequestsPerSecond < required)
            #expect(option.devices == option.replicas * option.layout.devices)
            let perNode = 8 / option.layout.devices
            #expect(option.nodes == (option.replicas + perNode - 1) / perNode)
            #expect(option.billedDevices == option.devices)
            let price = try #require(workload.prices.price(for: option.hardwareName)).usdPerDeviceHour
            #expect(option.priceUSDPerDeviceHour == price)
            #expect(abs(option.costPerHourUSD - Double(option.devices) * price) < 1e-9)
            let tokensPerHour = 20.0 * 256 * 3600
            #expect(abs(option.costPerMillionOutputTokensUSD - option.costPerHourUSD / tokensPerHour * 1e6) < 1e-9)
            #expect(abs(option.utilization - 20 / (Double(option.replicas) * option.perReplicaRequestsPerSecond)) < 1e-12)
            #expect(option.utilization <= 1 / 1.2 + 1e-12)
            #expect(abs(option.perReplicaOutputTokensPerSecond - option.perReplicaRequestsPerSecond * 256) < 1e-9)
            let deviceGiB = try HardwareCatalog.hardware(named: option.hardwareName).memoryGiB
            #expect(option.memoryPerDeviceGiB > 0 && option.memoryPerDeviceGiB <= 0.9 * deviceGiB)
            // Feasible options meet every target at their operating point; the others say why.
            if option.meetsTargets {
                #expect(option.targetValuesMs[0] <= 2000 && option.targetValuesMs[1] <= 50 && option.reason == nil)
            } else {
                #expect(option.reason?.contains("target") == true)
            }
        }
        // Feasible first, cheapest first.
        let flags = plan.options.map(\.meetsTargets)
        #expect(flags == flags.sorted { $0 && !$1 })
        let costs = plan.feasible.map(\.costPerHourUSD)
        #expect(costs == costs.sorted())
    }

    @Test func theCheapestRowIsTheCheapestOfEveryLayout() throws {
        let workload = try Self.workload()
        let plan = try FleetSizing.run(workload)
        let cheapest = try #require(plan.cheapest)
        #expect(plan.options.first == cheapest)
        // Independently: size every runnable layout of every hardware one at a time.
        var best = Double.infinity
        var evaluated = 0
        for (hardwareIndex, candidate) in workload.hardware.enumerated() {
            for (layout, skip) in LayoutSearch.layouts(model: workload.models[0], devices: candidate.replicaBudget) where skip == nil {
                let task = FleetSizing.Task(modelIndex: 0, hardwareIndex: hardwareIndex, precision: .bf16, layout: layout)
                guard case let .option(option, _) = FleetSizing.evaluate(task, in: workload) else { continue }
                evaluated += 1
                if option.meetsTargets {
                    let price = try #require(workload.prices.price(for: candidate.spec.name)).usdPerDeviceHour
                    let replicas = Int((workload.requiredRequestsPerSecond / option.perReplicaRequestsPerSecond).rounded(.up))
                    best = min(best, Double(replicas * layout.devices) * price)
                }
            }
        }
        #expect(evaluated == plan.options.count)
        #expect(abs(cheapest.costPerHourUSD - best) < 1e-9)
    }

    @Test func tighterTargetsNeverLowerTheCost() throws {
        var previousCheapest = 0.0
        var previousByLayout: [String: Double] = [:]
        for (ttft, tpot) in [(10_000.0, 200.0), (5000, 100), (3000, 70), (2000, 50), (1500, 45), (1000, 40), (800, 35)] {
            let plan = try FleetSizing.run(try Self.workload(ttftP99Ms: ttft, tpotP99Ms: tpot, hardware: ["H100_80GB", "MI300X"]))
            let cheapest = plan.cheapest?.costPerHourUSD ?? .infinity
            #expect(cheapest >= previousCheapest, "TTFT \(ttft) TPOT \(tpot): \(cheapest) < \(previousCheapest)")
            previousCheapest = cheapest
            for option in plan.options {
                let key = "\(option.hardwareName) \(option.layout)"
                let cost = option.meetsTargets ? option.costPerHourUSD : .infinity
                if let previous = previousByLayout[key] { #expect(cost >= previous, "\(key)") }
                previousByLayout[key] = cost
            }
        }
        // Mean targets too.
        var previous = 0.0
        for tpotMean in [80.0, 50, 40, 30] {
            var workload = try Self.workload(ttftP99Ms: nil, tpotP99Ms: nil, hardware: ["H100_80GB"])
            workload.objectives = ServiceLevelObjectives(targets: [.init(metric: .tpot, statistic: .mean, limitMs: tpotMean)])
            let cost = try FleetSizing.run(workload).cheapest?.costPerHourUSD ?? .infinity
            #expect(cost >= previous)
            previous = cost
        }
    }

    @Test func moreLoadOrHeadroomNeverNeedsFewerDevices() throws {
        var previous = 0
        for (rate, headroom) in [(5.0, 0.0), (5, 0.2), (10, 0.2), (20, 0.2), (20, 0.5), (40, 0.5)] {
            let plan = try FleetSizing.run(try Self.workload(rate: rate, hardware: ["H100_80GB"], headroom: headroom))
            let devices = try #require(plan.cheapest).devices
            #expect(devices >= previous)
            previous = devices
        }
    }

    @Test func gridFindsWhatAnExhaustiveBatchSearchFinds() throws {
        let workload = try Self.workload(hardware: ["H100_80GB"])
        let layout = Parallelism(tensor: 4)
        guard case let .option(option, _) = FleetSizing.evaluate(
            FleetSizing.Task(modelIndex: 0, hardwareIndex: 0, precision: .bf16, layout: layout), in: workload) else {
            Issue.record("TP 4 should run")
            return
        }
        let base = EstimateRequest(model: workload.models[0], hardware: workload.hardware[0].spec, inputTokens: 2048, outputTokens: 256,
                                   parallelism: layout)
        let prefill = try Estimator.prefill(base, operators: false)
        let moments = ServingModel.PrefillMoments(meanLatencyMs: prefill.latencyMs, meanOccupancyMs: prefill.latencyMs,
                                                  secondMomentOccupancyMs2: prefill.latencyMs * prefill.latencyMs)
        var bestRate = 0.0
        var batch = 1
        while batch <= workload.maxBatchSize {
            var request = base
            request.batchSize = batch
            guard let decode = try? Estimator.decode(request, operators: false) else { break }
            let point = ServingModel.operatingPoint(
                step: .init(batch: batch, latencyMs: decode.latencyMs, occupancyMs: decode.latencyMs), prefill: moments,
                meanOutputTokens: 256, targets: workload.objectives, prefillLatencyAtQuantileMs: { _ in prefill.latencyMs })
            if point.meetsTargets { bestRate = max(bestRate, point.requestsPerSecond) }
            batch += 1
        }
        #expect(option.meetsTargets)
        #expect(option.perReplicaRequestsPerSecond <= bestRate * (1 + 1e-12))
        #expect(option.perReplicaRequestsPerSecond >= bestRate * 0.97, "grid \(option.perReplicaRequestsPerSecond) vs exhaustive \(bestRate)" as Comment)
    }

    @Test func distributionsShapeTheAnswer() throws {
        let fixed = try FleetSizing.run(try Self.workload(hardware: ["H100_80GB"]))
        // Same mean prompt, a long tail: the TTFT p99 uses the p99 prompt and the queue sees the variance.
        let tailed = try FleetSizing.run(try Self.workload(
            hardware: ["H100_80GB"],
            input: .histogram([.init(tokens: 1024, weight: 0.7), .init(tokens: 2048, weight: 0.2), .init(tokens: 3584, weight: 0.1)])))
        let key = { (plan: FleetPlan) in plan.options.first { $0.layout == Parallelism(tensor: 8) } }
        let a = try #require(key(fixed)), b = try #require(key(tailed))
        #expect(abs(TokenDistribution.histogram([.init(tokens: 1024, weight: 0.7), .init(tokens: 2048, weight: 0.2),
                                                 .init(tokens: 3584, weight: 0.1)]).meanTokens - 1484.8) < 1e-9)
        #expect(b.targetValuesMs[0] > a.targetValuesMs[0])
        // A summary with a spread costs at least the fixed length at its mean.
        let spread = try FleetSizing.run(try Self.workload(hardware: ["H100_80GB"], input: .summary(mean: 2048, p50: 1800, p90: nil, p99: 3500)))
        let spreadCost = try #require(spread.cheapest).costPerHourUSD
        let fixedCost = try #require(fixed.cheapest).costPerHourUSD
        #expect(spreadCost >= fixedCost)
        // A token rate converts to requests with the mean lengths.
        var byTokens = try Self.workload(hardware: ["H100_80GB"])
        byTokens.rate = .outputTokensPerSecond(20 * 256)
        #expect(try FleetSizing.run(byTokens).options == fixed.options)
        byTokens.rate = .totalTokensPerSecond(20 * (2048 + 256))
        #expect(try FleetSizing.run(byTokens).options == fixed.options)
    }

    @Test func unavailableHardwareAndLayoutsAreExplained() throws {
        // 70B in bf16 cannot fit on one A100 40GB at all; with a replica budget of 1 nothing runs.
        var workload = try Self.workload(hardware: ["A100_40GB"])
        workload.hardware[0].maxDevicesPerReplica = 1
        let plan = try FleetSizing.run(workload)
        #expect(plan.options.isEmpty && plan.cheapest == nil)
        let entry = try #require(plan.unavailable.first)
        #expect(entry.hardwareName == "A100_40GB" && entry.reason.contains("fits in memory") && entry.reason.contains("GiB"))
        #expect(plan.skipped[SkipReason.memory] == 1)
        // Impossible targets: every option listed with its reason, none feasible.
        let impossible = try FleetSizing.run(try Self.workload(ttftP99Ms: 1, tpotP99Ms: 1, hardware: ["H100_80GB"]))
        #expect(!impossible.options.isEmpty && impossible.feasible.isEmpty)
        #expect(impossible.options.allSatisfy { $0.reason?.contains("TPOT p99 is at least") == true && $0.reason?.contains("TTFT p99") == true })
    }

    @Test func wholeNodeBillingAndPipelineNodes() throws {
        var workload = try Self.workload(hardware: ["H100_80GB"])
        workload.billWholeNodes = true
        let plan = try FleetSizing.run(workload)
        for option in plan.options {
            #expect(option.billedDevices == option.nodes * 8 && option.billedDevices >= option.devices)
            #expect(abs(option.costPerHourUSD - Double(option.billedDevices) * option.priceUSDPerDeviceHour) < 1e-9)
        }
        #expect(FleetSizing.nodes(replicas: 5, devicesPerReplica: 3, devicesPerNode: 8) == 3)
        #expect(FleetSizing.nodes(replicas: 3, devicesPerReplica: 16, devicesPerNode: 8) == 6)
        #expect(FleetSizing.nodes(replicas: 3, devicesPerReplica: 12, devicesPerNode: 8) == 6)
        #expect(FleetSizing.replicas(required: 24, perReplica: 4) == 6)
        #expect(FleetSizing.replicas(required: 24.000001, perReplica: 4) == 7)
        #expect(FleetSizing.replicas(required: 0.1, perReplica: 4) == 1)
    }

    @Test func pricesResolveAliasesAndOverrides() throws {
        let shipped = PriceList.shipped
        #expect(shipped.price(for: "H100_80GB")?.usdPerDeviceHour == 4.76)
        #expect(shipped.price(for: "h100_gpu")?.usdPerDeviceHour == 4.76)
        #expect(shipped.price(for: "H200_GPU")?.usdPerDeviceHour == 5.5)
        #expect(shipped.price(for: "MI300X")?.date == PriceList.shippedDate)
        #expect(shipped.price(for: "MI300X")?.source.contains("hardware_presets.json") == true)
        #expect(shipped.price(for: "TPUv5e") == nil)
        let merged = shipped.merging(PriceList([DevicePrice(hardware: "h100_80gb", usdPerDeviceHour: 2.5, date: nil, source: "test")]))
        #expect(merged.price(for: "H100_80GB")?.usdPerDeviceHour == 2.5 && merged.price(for: "h100_80GB")?.source == "test")
        // H100_GPU is another catalog entry (GenZ's figures) with its own price.
        #expect(merged.price(for: "H100_GPU")?.usdPerDeviceHour == 4.76)
        // Cheaper H100s make the H100 options cheaper, nothing else.
        var workload = try Self.workload(hardware: ["H100_80GB", "MI300X"])
        let before = try FleetSizing.run(workload)
        workload.prices = merged
        let after = try FleetSizing.run(workload)
        #expect(after.options.count == before.options.count)
        for option in after.options where option.hardwareName == "H100_80GB" {
            #expect(abs(option.costPerHourUSD - Double(option.devices) * 2.5) < 1e-9)
        }
        #expect(after.cheapest?.hardwareName == "H100_80GB")
    }

    @Test func invalidWorkloadsAreRejectedWithTheField() throws {
        func field(_ change: (inout FleetWorkload) -> Void) throws -> String? {
            var workload = try Self.workload()
            change(&workload)
            do {
                _ = try FleetSizing.run(workload)
                return nil
            } catch {
                switch error {
                case let .invalidValue(field, _, _): return field
                case let .missingField(field, _): return field
                default: return "\(error)"
                }
            }
        }
        #expect(try field { $0.rate = .requestsPerSecond(0) } == "rate_rps")
        #expect(try field { $0.rate = .outputTokensPerSecond(-.infinity) } == "rate_output_tokens_per_s")
        #expect(try field { $0.outputTokens = .fixed(0) } == "output_tokens")
        #expect(try field { $0.objectives.targets[1].limitMs = 0 } == "slo.tpot_p99_ms")
        #expect(try field { $0.objectives.targets.append(.init(metric: .tpot, statistic: .percentile(99), limitMs: 20)) } == "slo.tpot_p99_ms")
        #expect(try field { $0.headroomFraction = -0.1 } == "headroom")
        #expect(try field { $0.precisions = [] } == "bits")
        #expect(try field { $0.hardware = [] } == "hardware")
        #expect(try field { $0.maxBatchSize = 0 } == "max_batch_size")
        #expect(try field { $0.hardware[0].maxDevicesPerReplica = 0 } == "hardware[0].max_devices_per_replica")
        #expect(try field { $0.hardware.append(FleetHardware(spec: try! HardwareCatalog.hardware(named: "TPUv5e"))) } == "prices.TPUv5e")
        do {
            var workload = try Self.workload(hardware: ["TPUv5e"])
            workload.prices = .shipped
            _ = try FleetSizing.run(workload)
            Issue.record("a hardware without a price must be rejected")
        } catch {
            #expect("\(error)".contains("prices.TPUv5e") && "\(error)".contains("--prices"))
        }
    }

    @Test func resultsAreDeterministicAndTheParetoFlagIsExact() throws {
        let workload = try Self.workload(precisions: [.bf16, .fp8])
        let plan = try FleetSizing.run(workload)
        #expect(try FleetSizing.run(workload) == plan)
        let feasible = plan.feasible
        for option in plan.options {
            let dominated = feasible.contains {
                $0.outputTokensPerSecondPerDevice >= option.outputTokensPerSecondPerDevice && $0.chartTPOTMs(workload.objectives) <= option.chartTPOTMs(workload.objectives)
                    && ($0.outputTokensPerSecondPerDevice > option.outputTokensPerSecondPerDevice
                        || $0.chartTPOTMs(workload.objectives) < option.chartTPOTMs(workload.objectives))
            }
            #expect(option.isPareto == (option.meetsTargets && !dominated))
            #expect(!option.curve.isEmpty && option.curve.count <= FleetOption.curveLimit)
            #expect(option.curve.map(\.batch) == option.curve.map(\.batch).sorted())
        }
        // fp8 weights halve the memory traffic: on H100 some fp8 option beats every bf16 one.
        #expect(plan.cheapest?.precision == .fp8)
        // Splitting the tasks and assembling them in another order of evaluation gives the same plan.
        let (tasks, skipped) = try FleetSizing.tasks(workload)
        let outcomes = tasks.reversed().map { FleetSizing.evaluate($0, in: workload) }.reversed()
        #expect(FleetSizing.assemble(workload, tasks: tasks, outcomes: Array(outcomes), skipped: skipped) == plan)
    }

    @Test func genzProfileAndMoEModelsRun() throws {
        let genz = try FleetSizing.run(try Self.workload(model: "llama2_13b", hardware: ["A100_80GB"], profile: .genz))
        #expect(genz.cheapest != nil)
        let moe = try FleetSizing.run(try Self.workload(model: "mixtral_8x7b", rate: 5, hardware: ["H100_80GB"]))
        #expect(moe.options.contains { $0.layout.expert > 1 })
        #expect(moe.cheapest != nil)
    }
}
