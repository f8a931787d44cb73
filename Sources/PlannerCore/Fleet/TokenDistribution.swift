/// The length of prompts or of outputs, in tokens: a fixed value, a summary (mean and optional
/// percentiles), or a histogram.
///
/// How the fleet model uses it (see ``ServingModel``):
/// - throughput and the decode step use the **mean** (Little's law: the running batch and the token
///   rate depend on the mean only), and memory is checked at the mean prompt plus the mean output;
/// - the prefill queue uses the first two moments of the prefill time: exact over a histogram's bins
///   or a fixed value; for a summary, the prefill time at the mean and the squared coefficient of
///   variation of a lognormal fitted to the summary (prefill time taken as proportional to length);
/// - a TTFT percentile target adds the prefill of the prompt at that percentile.
public enum TokenDistribution: Sendable, Hashable {
    /// One weighted histogram bin: `weight` (any positive scale) of requests have `tokens` tokens.
    public struct Bin: Sendable, Hashable {
        /// Length of the requests in this bin, tokens.
        public var tokens: Int
        /// Relative share of requests (any positive scale).
        public var weight: Double

        public init(tokens: Int, weight: Double) {
            self.tokens = tokens
            self.weight = weight
        }
    }

    /// Every request has this many tokens.
    case fixed(Int)
    /// Mean and any of the 50th, 90th and 99th percentiles, in tokens.
    case summary(mean: Double, p50: Double?, p90: Double?, p99: Double?)
    /// Weighted lengths; weights need not sum to 1.
    case histogram([Bin])

    /// Largest length accepted anywhere (the estimator's input limit).
    public static let maxTokens = PhysicalLimits.inputTokens.high
    /// Most histogram bins (each costs one prefill estimate per layout).
    public static let maxBins = 256

    /// Mean length, tokens.
    public var meanTokens: Double {
        switch self {
        case let .fixed(tokens): return Double(tokens)
        case let .summary(mean, _, _, _): return mean
        case let .histogram(bins):
            let total = bins.reduce(0) { $0 + $1.weight }
            return bins.reduce(0) { $0 + Double($1.tokens) * $1.weight } / total
        }
    }

    /// The mean rounded to a whole number of tokens, at least `minimum`.
    public func meanTokens(atLeast minimum: Int) -> Int { max(minimum, Int(meanTokens.rounded())) }

    /// The length at quantile `q` in (0, 1), tokens (a whole number, at least 1).
    ///
    /// Fixed: the value. Histogram: the smallest bin length whose cumulative weight reaches q.
    /// Summary: a given percentile when q is 0.5, 0.9 or 0.99 and it was given; otherwise the
    /// lognormal fit (``lognormalFit``) clamped between the nearest given percentiles below and above.
    public func quantileTokens(_ q: Double) -> Int {
        switch self {
        case let .fixed(tokens):
            return tokens
        case let .histogram(bins):
            let sorted = bins.sorted { $0.tokens < $1.tokens }
            let total = sorted.reduce(0) { $0 + $1.weight }
            var cumulative = 0.0
            for bin in sorted {
                cumulative += bin.weight
                if cumulative >= q * total * (1 - 1e-12) { return bin.tokens }
            }
            return sorted.last?.tokens ?? 1
        case let .summary(mean, p50, p90, p99):
            let given: [(q: Double, tokens: Double)] = [(0.5, p50), (0.9, p90), (0.99, p99)].compactMap { entry in
                entry.1.map { (entry.0, $0) }
            }
            if let exact = given.first(where: { abs($0.q - q) < 1e-12 }) { return Self.whole(exact.tokens) }
            let fit = lognormalFit
            var value = FleetMath.exp(fit.mu + fit.sigma * FleetMath.normalQuantile(q))
            if fit.sigma == 0 { value = mean }
            if let below = given.last(where: { $0.q < q }) { value = max(value, below.tokens) }
            if let above = given.first(where: { $0.q > q }) { value = min(value, above.tokens) }
            return Self.whole(value)
        }
    }

    /// Parameters (mu, sigma) of the lognormal that a summary is read as; sigma 0 (a fixed length at
    /// the mean) for the other forms and for a summary with the mean only.
    ///
    /// With the median p50 < mean: sigma^2 = 2 ln(mean / p50). Otherwise, from the highest given
    /// percentile p (z its normal quantile, p >= mean): the smaller root of sigma^2 / 2 - z sigma +
    /// ln(p / mean) = 0, i.e. sigma = z - sqrt(z^2 - 2 ln(p / mean)) (sigma = z when no lognormal with
    /// that mean reaches p). mu = ln(mean) - sigma^2 / 2 keeps the mean.
    public var lognormalFit: (mu: Double, sigma: Double) {
        guard case let .summary(mean, p50, p90, p99) = self else { return (FleetMath.log(meanTokens), 0) }
        var sigma = 0.0
        if let p50, p50 < mean {
            sigma = (2 * FleetMath.log(mean / p50)).squareRoot()
        } else if p50 == nil, let top = p99.map({ (q: 0.99, tokens: $0) }) ?? p90.map({ (q: 0.9, tokens: $0) }), top.tokens > mean {
            let z = FleetMath.normalQuantile(top.q)
            let discriminant = z * z - 2 * FleetMath.log(top.tokens / mean)
            sigma = discriminant > 0 ? z - discriminant.squareRoot() : z
        }
        return (FleetMath.log(mean) - sigma * sigma / 2, sigma)
    }

    /// Squared coefficient of variation of the length (variance / mean^2): exact for a histogram, 0
    /// for a fixed length, e^(sigma^2) - 1 of the lognormal fit for a summary.
    public var squaredCoefficientOfVariation: Double {
        switch self {
        case .fixed: return 0
        case .summary: let sigma = lognormalFit.sigma; return FleetMath.exp(sigma * sigma) - 1
        case let .histogram(bins):
            let total = bins.reduce(0) { $0 + $1.weight }
            let mean = meanTokens
            let second = bins.reduce(0) { $0 + Double($1.tokens) * Double($1.tokens) * $1.weight } / total
            return max(second / (mean * mean) - 1, 0)
        }
    }

    /// The lengths over which expectations of a per-request cost (the prefill time) are taken, with
    /// weights summing to 1, and the factor applied to the second moment on top: fixed, the value
    /// (factor 1); histogram, its bins merged by length (factor 1: exact); summary, the mean with factor
    /// 1 + the squared coefficient of variation (cost taken as proportional to length).
    public var expectationPoints: (points: [(tokens: Int, weight: Double)], secondMomentFactor: Double) {
        switch self {
        case let .fixed(tokens):
            return ([(tokens, 1)], 1)
        case .summary:
            return ([(meanTokens(atLeast: 1), 1)], 1 + squaredCoefficientOfVariation)
        case let .histogram(bins):
            let total = bins.reduce(0) { $0 + $1.weight }
            var merged: [Int: Double] = [:]
            for bin in bins { merged[bin.tokens, default: 0] += bin.weight / total }
            return (merged.keys.sorted().map { ($0, merged[$0] ?? 0) }, 1)
        }
    }

    /// Largest length a request can have as the model reads it: the value, the largest bin, or the
    /// summary's highest given percentile (else the mean).
    public var largestTokens: Int {
        switch self {
        case let .fixed(tokens): return tokens
        case let .histogram(bins): return bins.map(\.tokens).max() ?? 1
        case let .summary(mean, p50, p90, p99): return Self.whole(p99 ?? p90 ?? max(p50 ?? mean, mean))
        }
    }

    /// Checks the values: lengths whole and in `minimum...maxTokens`, percentiles non-decreasing, the
    /// mean not above p99, histogram weights positive and finite, at most ``maxBins`` bins.
    /// - Parameter field: the workload key (`input_tokens` or `output_tokens`) errors name.
    public func validate(field: String, minimum: Int = 1) throws(PlannerError) {
        let range = "\(minimum)...\(Self.maxTokens)"
        switch self {
        case let .fixed(tokens):
            if tokens < minimum || tokens > Self.maxTokens {
                throw .invalidValue(field: field, value: "\(tokens)", allowed: "an integer in \(range)")
            }
        case let .summary(mean, p50, p90, p99):
            for (key, value) in [("mean", mean), ("p50", p50), ("p90", p90), ("p99", p99)] {
                if let value, !(value.isFinite && value >= Double(minimum) && value <= Double(Self.maxTokens)) {
                    throw .invalidValue(field: "\(field).\(key)", value: "\(value)", allowed: "a number of tokens in \(range)")
                }
            }
            let given = [("p50", p50), ("p90", p90), ("p99", p99)].compactMap { entry in entry.1.map { (entry.0, $0) } }
            for (lower, upper) in zip(given, given.dropFirst()) where lower.1 > upper.1 {
                throw .invalidValue(field: "\(field).\(upper.0)", value: "\(upper.1)",
                                    allowed: "a value >= \(lower.0) (\(lower.1)): percentiles must not decrease")
            }
            if let p99, mean > p99 {
                throw .invalidValue(field: "\(field).mean", value: "\(mean)", allowed: "a value <= p99 (\(p99))")
            }
        case let .histogram(bins):
            if bins.isEmpty || bins.count > Self.maxBins {
                throw .invalidValue(field: field, value: "\(bins.count) bins", allowed: "1...\(Self.maxBins) bins {tokens, weight}")
            }
            for (index, bin) in bins.enumerated() {
                if bin.tokens < minimum || bin.tokens > Self.maxTokens {
                    throw .invalidValue(field: "\(field)[\(index)].tokens", value: "\(bin.tokens)", allowed: "an integer in \(range)")
                }
                try PhysicalLimits.histogramWeight.check(bin.weight, field: "\(field)[\(index)].weight")
            }
        }
    }

    static func whole(_ tokens: Double) -> Int {
        guard tokens.isFinite else { return tokens > 0 ? Self.maxTokens : 1 }
        return max(1, min(Self.maxTokens, Int(tokens.rounded().clampedToTokens)))
    }
}

private extension Double {
    /// Clamped to 0...maxTokens before a conversion to `Int` (finite values only).
    var clampedToTokens: Double { Swift.min(Swift.max(self, 0), Double(TokenDistribution.maxTokens)) }
}
