/// The serving simulator's figures for a fleet option: one replica simulated at its share of the demand.
public struct SimulatedCheck: Sendable, Hashable {
    /// The engine whose scheduler defaults were simulated.
    public var engine: SchedulerConfig.Engine
    /// Requests per second each replica receives at the demand (demand / replicas), Poisson arrivals.
    public var perReplicaRequestsPerSecond: Double
    /// The simulated value of each of the workload's targets, in ``ServiceLevelObjectives/targets`` order, ms.
    public var targetValuesMs: [Double]
    public var ttftMeanMs: Double
    public var tpotMeanMs: Double
    /// Requests simulated (all measured but a warm-up and cool-down tenth each).
    public var requests: Int
    /// True when every simulated target value is within its limit.
    public var meetsTargets: Bool
    /// Why the check could not run (the simulator refused the layout), else nil.
    public var failure: String?

    public init(engine: SchedulerConfig.Engine, perReplicaRequestsPerSecond: Double, targetValuesMs: [Double], ttftMeanMs: Double,
                tpotMeanMs: Double, requests: Int, meetsTargets: Bool, failure: String?) {
        self.engine = engine
        self.perReplicaRequestsPerSecond = perReplicaRequestsPerSecond
        self.targetValuesMs = targetValuesMs
        self.ttftMeanMs = ttftMeanMs
        self.tpotMeanMs = tpotMeanMs
        self.requests = requests
        self.meetsTargets = meetsTargets
        self.failure = failure
    }
}

extension LatencyStatistics {
    /// The latency at a mean or percentile statistic: the mean, p50/p90/p95/p99 exactly, other
    /// percentiles interpolated between the whole-percent values.
    public func value(at statistic: ServiceLevelObjectives.Statistic) -> Double {
        guard let q = statistic.quantile else { return meanMs }
        switch q {
        case 0.5: return p50Ms
        case 0.9: return p90Ms
        case 0.95: return p95Ms
        case 0.99: return p99Ms
        default:
            guard percentilesMs.count == 101 else { return p99Ms }
            let position = min(max(q * 100, 0), 100)
            let low = Int(position.rounded(.down)), high = min(low + 1, 100)
            let fraction = position - Double(low)
            return percentilesMs[low] + (percentilesMs[high] - percentilesMs[low]) * fraction
        }
    }
}

/// Checks fleet options with the serving simulator: the analytic queue model sizes the fleet
/// (fast enough to search every layout); the simulator then runs one replica of each listed option
/// at its share of the demand, with the workload's length distributions, and reports TTFT and TPOT at
/// the targets' statistics. Options whose simulated figures miss a target move after those that
/// meet them (the simulation is the finer model where the two disagree); the order is otherwise kept.
/// Deterministic for a seed.
public enum FleetVerification {
    /// Requests simulated per option when none is given.
    public static let defaultRequests = 1000

    /// Verifies the first `count` options meeting the targets (and, so the report can say so, the
    /// simulated figures of any others among the first `count` overall).
    public static func verify(_ plan: FleetPlan, count: Int, engine: SchedulerConfig.Engine = .vllm,
                              requests: Int = defaultRequests, seed: UInt64 = 1) -> FleetPlan {
        var plan = plan
        let workload = plan.workload
        var checked = 0
        for index in plan.options.indices where plan.options[index].meetsTargets && checked < count {
            plan.options[index].simulated = check(plan.options[index], workload: workload, engine: engine, requests: requests, seed: seed)
            checked += 1
        }
        // Stable: options meeting the targets in both models first, then those only the analytic model passes, then the rest.
        func group(_ option: FleetOption) -> Int {
            guard option.meetsTargets else { return 2 }
            if let simulated = option.simulated, !simulated.meetsTargets { return 1 }
            return 0
        }
        let order = plan.options.indices.sorted { a, b in
            let ga = group(plan.options[a]), gb = group(plan.options[b])
            return ga != gb ? ga < gb : a < b
        }
        plan.options = order.map { plan.options[$0] }
        return plan
    }

    /// One option's check.
    public static func check(_ option: FleetOption, workload: FleetWorkload, engine: SchedulerConfig.Engine, requests: Int,
                             seed: UInt64) -> SimulatedCheck {
        let rate = workload.demandRequestsPerSecond / Double(max(option.replicas, 1))
        let hardware = workload.hardware[option.hardwareIndex].spec
        let request = EstimateRequest(
            model: workload.models[option.modelIndex], hardware: hardware, batchSize: 1, beamSize: 1,
            inputTokens: workload.inputTokens.meanTokens(atLeast: 1), outputTokens: workload.outputTokens.meanTokens(atLeast: 1),
            precision: option.precision, parallelism: option.layout, profile: workload.profile, kvPrecision: workload.kvPrecision)
        var scheduler = SchedulerConfig.defaults(engine, hardware: hardware, parallelism: option.layout)
        scheduler.maxRunningRequests = min(scheduler.maxRunningRequests ?? workload.maxBatchSize, workload.maxBatchSize)
        let setup = SimulationSetup(
            request: request, scheduler: scheduler,
            workload: ServingWorkload(arrivals: .poisson(requestsPerSecond: rate), inputTokens: workload.inputTokens,
                                      outputTokens: workload.outputTokens),
            seed: seed, requestCount: requests, warmupRequests: requests / 10, cooldownRequests: requests / 10)
        let targets = workload.objectives.targets
        do {
            let summary = try ServingSimulator.run(setup)
            let values = targets.map { target in
                (target.metric == .ttft ? summary.ttft : summary.tpot).value(at: target.statistic)
            }
            let meets = zip(targets, values).allSatisfy { $0.1 <= $0.0.limitMs }
            return SimulatedCheck(engine: engine, perReplicaRequestsPerSecond: rate, targetValuesMs: values, ttftMeanMs: summary.ttft.meanMs,
                                  tpotMeanMs: summary.tpot.meanMs, requests: requests, meetsTargets: meets, failure: nil)
        } catch {
            return SimulatedCheck(engine: engine, perReplicaRequestsPerSecond: rate, targetValuesMs: targets.map { _ in .nan },
                                  ttftMeanMs: .nan, tpotMeanMs: .nan, requests: requests, meetsTargets: true, failure: "\(error)")
        }
    }
}
