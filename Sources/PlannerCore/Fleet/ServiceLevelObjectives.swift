/// Latency targets of a fleet: bounds on TTFT and TPOT, each on the mean or on a percentile.
public struct ServiceLevelObjectives: Sendable, Hashable {
    /// Which latency a target bounds.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Time to first token: queueing for the prefill, plus the prefill itself.
        case ttft
        /// Time per output token of one request (its decode time divided by its output tokens).
        case tpot
    }

    /// Mean, or the latency that `percent` percent of requests stay under.
    public enum Statistic: Sendable, Hashable, CustomStringConvertible {
        case mean
        /// Percentile in (0, 100), e.g. 99.
        case percentile(Double)

        /// The quantile in (0, 1), or nil for the mean.
        public var quantile: Double? {
            switch self {
            case .mean: nil
            case let .percentile(percent): percent / 100
            }
        }

        /// `mean`, `p99`, `p99.9`: the spelling of workload keys.
        public var description: String {
            switch self {
            case .mean: return "mean"
            case let .percentile(percent):
                let whole = percent.rounded()
                return whole == percent && abs(whole) < 1e15 ? "p\(Int(whole))" : "p\(percent)"
            }
        }
    }

    /// One bound: `metric` at `statistic` must not exceed `limitMs`.
    public struct Target: Sendable, Hashable {
        /// The latency bounded.
        public var metric: Metric
        /// Mean or percentile.
        public var statistic: Statistic
        /// Upper bound, milliseconds.
        public var limitMs: Double

        public init(metric: Metric, statistic: Statistic, limitMs: Double) {
            self.metric = metric
            self.statistic = statistic
            self.limitMs = limitMs
        }

        /// The workload key: `ttft_p99_ms`, `tpot_mean_ms`, ...
        public var key: String { "\(metric.rawValue)_\(statistic)_ms" }
        /// Readable name: `TTFT p99`.
        public var label: String { "\(metric.rawValue.uppercased()) \(statistic)" }
    }

    /// The targets, in the order given (at most one per metric and statistic).
    public var targets: [Target]

    public init(targets: [Target] = []) { self.targets = targets }

    /// Targets on TTFT.
    public var ttftTargets: [Target] { targets.filter { $0.metric == .ttft } }
    /// Targets on TPOT.
    public var tpotTargets: [Target] { targets.filter { $0.metric == .tpot } }

    /// Parses a key such as `ttft_p99_ms`, `tpot_mean_ms`, `ttft_p99.9_ms` (nil when it is not one).
    public static func parseKey(_ key: String) -> (metric: Metric, statistic: Statistic)? {
        let lower = key.lowercased()
        guard lower.hasSuffix("_ms") else { return nil }
        for metric in Metric.allCases where lower.hasPrefix(metric.rawValue + "_") {
            let middle = lower.dropFirst(metric.rawValue.count + 1).dropLast(3)
            if middle == "mean" || middle == "avg" { return (metric, .mean) }
            if middle.first == "p", let percent = Double(middle.dropFirst()), percent > 0, percent < 100 {
                return (metric, .percentile(percent))
            }
        }
        return nil
    }

    /// Checks each limit is a positive finite number of milliseconds, each percentile in (0, 100), and
    /// that no metric and statistic appears twice.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `slo.<key>`.
    public func validate() throws(PlannerError) {
        var seen: Set<String> = []
        for target in targets {
            let field = "slo.\(target.key)"
            try PhysicalLimits.latencyTargetMs.check(target.limitMs, field: field)
            if case let .percentile(percent) = target.statistic, !(percent > 0 && percent < 100) {
                throw .invalidValue(field: field, value: "\(percent)", allowed: "a percentile in (0, 100)")
            }
            if !seen.insert(target.key).inserted {
                throw .invalidValue(field: field, value: "\(target.limitMs)", allowed: "one bound per metric and statistic")
            }
        }
    }
}
