/// One simulated point of a rate search or sweep.
public struct RatePoint: Sendable, Hashable {
    /// Offered arrival rate, requests/s.
    public var offeredRequestsPerSecond: Double
    public var summary: SimulationSummary

    public init(offeredRequestsPerSecond: Double, summary: SimulationSummary) {
        self.offeredRequestsPerSecond = offeredRequestsPerSecond
        self.summary = summary
    }
}

/// What ``ServingSimulator/findMaxRate(_:attainment:arrivals:maxSteps:relativeTolerance:)`` found.
public struct RateSearchResult: Sendable, Hashable {
    /// The offline throughput (every request at t = 0), requests/s: the search's upper bound.
    public var ceilingRequestsPerSecond: Double
    /// The highest rate tried at which enough requests met the SLOs (nil: none).
    public var best: RatePoint?
    /// Every rate tried, in increasing order.
    public var points: [RatePoint]
}

extension ServingSimulator {
    /// Bisects the offered rate between 0 and the offline throughput for the highest rate at which at
    /// least `attainment` of the measured requests meet `setup.slo`.
    /// - Parameters:
    ///   - arrivals: the open-loop arrival process at a rate (default Poisson).
    ///   - maxSteps: most simulations after the offline one.
    ///   - relativeTolerance: stop when the bracket is narrower than this fraction of the ceiling.
    /// - Throws: ``PlannerError`` for an invalid setup or when `setup.slo` is empty.
    public static func findMaxRate(
        _ setup: SimulationSetup, attainment: Double = 0.99,
        arrivals: (Double) -> ServingWorkload.Arrivals = { .poisson(requestsPerSecond: $0) },
        maxSteps: Int = 12, relativeTolerance: Double = 0.005
    ) throws(PlannerError) -> RateSearchResult {
        if setup.slo.isEmpty {
            throw .missingField(field: "slo", context: "a rate search (give a TTFT and/or TPOT target)")
        }
        if !(attainment.isFinite && attainment > 0 && attainment <= 1) {
            throw .invalidValue(field: "slo_attainment", value: "\(attainment)", allowed: "a fraction in (0, 1]")
        }
        var trial = setup
        trial.workload.arrivals = .offline
        let ceiling = try run(trial).requestsPerSecond
        var low = 0.0, high = ceiling
        var points: [RatePoint] = []
        var best: RatePoint?
        var step = 0
        while step < maxSteps && high - low > relativeTolerance * ceiling {
            step += 1
            let rate = (low + high) / 2
            trial.workload.arrivals = arrivals(rate)
            let point = RatePoint(offeredRequestsPerSecond: rate, summary: try run(trial))
            points.append(point)
            if (point.summary.sloAttainment ?? 0) >= attainment {
                low = rate
                best = point
            } else {
                high = rate
            }
        }
        points.sort { $0.offeredRequestsPerSecond < $1.offeredRequestsPerSecond }
        return RateSearchResult(ceilingRequestsPerSecond: ceiling, best: best, points: points)
    }
}
