/// One request of a trace: when it arrives and how long it is.
public struct TraceRequest: Sendable, Hashable {
    /// Arrival time, seconds from the start of the trace.
    public var arrivalSeconds: Double
    /// Prompt tokens (>= 1).
    public var inputTokens: Int
    /// Output tokens (>= 1).
    public var outputTokens: Int

    public init(arrivalSeconds: Double, inputTokens: Int, outputTokens: Int) {
        self.arrivalSeconds = arrivalSeconds
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}

/// The requests a simulated replica serves: how they arrive and how long they are.
public struct ServingWorkload: Sendable, Hashable {
    /// How requests arrive.
    public enum Arrivals: Sendable, Hashable {
        /// Poisson process (exponential gaps) at this rate, requests/s.
        case poisson(requestsPerSecond: Double)
        /// Gamma-distributed gaps at this rate with this coefficient of variation of the gaps
        /// (burstiness: 1 is Poisson, > 1 burstier, < 1 more regular).
        case gamma(requestsPerSecond: Double, coefficientOfVariation: Double)
        /// Evenly spaced at this rate.
        case constant(requestsPerSecond: Double)
        /// `concurrency` clients, each sending its next request when its previous one ends.
        case closedLoop(concurrency: Int)
        /// Every request at time 0 (the max-throughput benchmark).
        case offline
        /// The arrival times of the trace.
        case trace
    }

    public var arrivals: Arrivals
    /// Prompt lengths (ignored when `trace` is not empty).
    public var inputTokens: TokenDistribution
    /// Output lengths (ignored when `trace` is not empty).
    public var outputTokens: TokenDistribution
    /// Explicit requests (from a trace file): their lengths, and their times with `.trace` arrivals.
    /// Requests beyond the trace's end wrap around to its start (times shifted by the trace's span).
    public var trace: [TraceRequest]
    /// Prompts arrive with their KV cache already computed (the decode pool of a disaggregated
    /// deployment): a request is admitted with its prompt's blocks, all but its last prompt token
    /// cached, and its first iteration computes that token and samples. False: a plain engine.
    public var promptsArriveCached = false

    public init(arrivals: Arrivals, inputTokens: TokenDistribution = .fixed(1024), outputTokens: TokenDistribution = .fixed(256),
                trace: [TraceRequest] = []) {
        self.arrivals = arrivals
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.trace = trace
    }

    /// A short description (`poisson 4.0 req/s`, `closed loop, 32 clients`, ...).
    public var arrivalSummary: String {
        switch arrivals {
        case let .poisson(rate): "poisson \(rate) req/s"
        case let .gamma(rate, cv): "gamma \(rate) req/s, cv \(cv)"
        case let .constant(rate): "constant \(rate) req/s"
        case let .closedLoop(concurrency): "closed loop, \(concurrency) clients"
        case .offline: "offline (all requests at t = 0)"
        case .trace: "trace arrivals"
        }
    }

    /// The mean arrival rate of open-loop arrivals, requests/s (nil for closed loop and offline).
    public var requestsPerSecond: Double? {
        switch arrivals {
        case let .poisson(rate), let .gamma(rate, _), let .constant(rate): rate
        case .closedLoop, .offline: nil
        case .trace:
            if let first = trace.first, let last = trace.last, last.arrivalSeconds > first.arrivalSeconds {
                Double(trace.count - 1) / (last.arrivalSeconds - first.arrivalSeconds)
            } else { nil }
        }
    }

    /// Checks rates, lengths and the trace.
    /// - Throws: ``PlannerError`` naming the field, the value and what is allowed.
    public func validate() throws(PlannerError) {
        func rate(_ value: Double, _ field: String) throws(PlannerError) {
            if !(value.isFinite && value > 0 && value <= 1e7) {
                throw .invalidValue(field: field, value: "\(value)", allowed: "a request rate in (0, 1e7] requests/s")
            }
        }
        switch arrivals {
        case let .poisson(value), let .constant(value): try rate(value, "qps")
        case let .gamma(value, cv):
            try rate(value, "qps")
            if !(cv.isFinite && cv > 0 && cv <= 100) {
                throw .invalidValue(field: "burstiness", value: "\(cv)", allowed: "a coefficient of variation in (0, 100]")
            }
        case let .closedLoop(concurrency):
            if concurrency < 1 || concurrency > 1 << 20 {
                throw .invalidValue(field: "concurrency", value: "\(concurrency)", allowed: "an integer in 1...\(1 << 20)")
            }
        case .offline: break
        case .trace:
            if trace.isEmpty { throw .missingField(field: "trace", context: "a workload with trace arrivals (give a trace file)") }
        }
        if trace.isEmpty {
            try inputTokens.validate(field: "input_tokens")
            try outputTokens.validate(field: "output_tokens")
        }
        var previous = -Double.infinity
        for (index, request) in trace.enumerated() {
            if !(request.arrivalSeconds.isFinite && request.arrivalSeconds >= 0) {
                throw .invalidValue(field: "trace[\(index)].arrival_s", value: "\(request.arrivalSeconds)", allowed: "a finite time >= 0 s")
            }
            if request.arrivalSeconds < previous {
                throw .invalidValue(field: "trace[\(index)].arrival_s", value: "\(request.arrivalSeconds)",
                                    allowed: "a time >= the previous request's \(previous) s (arrival times must not decrease)")
            }
            previous = request.arrivalSeconds
            if request.inputTokens < 1 || request.inputTokens > TokenDistribution.maxTokens {
                throw .invalidValue(field: "trace[\(index)].input_tokens", value: "\(request.inputTokens)",
                                    allowed: "an integer in 1...\(TokenDistribution.maxTokens)")
            }
            if request.outputTokens < 1 || request.outputTokens > TokenDistribution.maxTokens {
                throw .invalidValue(field: "trace[\(index)].output_tokens", value: "\(request.outputTokens)",
                                    allowed: "an integer in 1...\(TokenDistribution.maxTokens)")
            }
        }
    }
}

extension TokenDistribution {
    /// Draws one length: the value (fixed), a bin by weight (histogram), or the lognormal fitted to the
    /// summary (``lognormalFit``), rounded and kept in 1...``maxTokens``.
    public func sample(using generator: inout SeededGenerator) -> Int {
        switch self {
        case let .fixed(tokens):
            return tokens
        case let .histogram(bins):
            let total = bins.reduce(0) { $0 + $1.weight }
            var target = generator.uniform() * total
            for bin in bins {
                target -= bin.weight
                if target < 0 { return bin.tokens }
            }
            return bins.last?.tokens ?? 1
        case let .summary(mean, _, _, _):
            let fit = lognormalFit
            if fit.sigma == 0 { return Self.whole(mean) }
            return Self.whole(FleetMath.exp(fit.mu + fit.sigma * generator.normal()))
        }
    }
}

/// Latency targets a request must meet to count towards goodput.
public struct ServingSLO: Sendable, Hashable {
    /// Largest time to first token, ms.
    public var ttftMs: Double?
    /// Largest time per output token, ms.
    public var tpotMs: Double?

    public init(ttftMs: Double? = nil, tpotMs: Double? = nil) {
        self.ttftMs = ttftMs
        self.tpotMs = tpotMs
    }

    /// True when no target is set.
    public var isEmpty: Bool { ttftMs == nil && tpotMs == nil }

    /// True when a request with these latencies meets every target (TPOT of a one-token request: met).
    public func met(ttftMs: Double, tpotMs: Double?) -> Bool {
        if let limit = self.ttftMs, !(ttftMs <= limit) { return false }
        if let limit = self.tpotMs, let tpotMs, !(tpotMs <= limit) { return false }
        return true
    }
}

/// Everything one simulation needs.
public struct SimulationSetup: Sendable, Hashable {
    /// Model, hardware, precision and layout (batch and lengths are ignored; the workload has them).
    public var request: EstimateRequest
    public var scheduler: SchedulerConfig
    public var workload: ServingWorkload
    /// Seed of the generator that draws arrival gaps and lengths.
    public var seed: UInt64
    /// Requests to simulate (the trace's length when nil and a trace is given).
    public var requestCount: Int
    /// The first requests (by arrival) left out of the statistics.
    public var warmupRequests: Int
    /// The last requests (by arrival) left out of the statistics.
    public var cooldownRequests: Int
    public var slo: ServingSLO

    public init(request: EstimateRequest, scheduler: SchedulerConfig, workload: ServingWorkload, seed: UInt64 = 1, requestCount: Int = 1000,
                warmupRequests: Int = 0, cooldownRequests: Int = 0, slo: ServingSLO = ServingSLO()) {
        self.request = request
        self.scheduler = scheduler
        self.workload = workload
        self.seed = seed
        self.requestCount = requestCount
        self.warmupRequests = warmupRequests
        self.cooldownRequests = cooldownRequests
        self.slo = slo
    }

    /// Most requests one simulation takes.
    public static let maxRequests = 10_000_000

    /// Checks the counts, the SLOs and the workload.
    public func validate() throws(PlannerError) {
        if requestCount < 1 || requestCount > Self.maxRequests {
            throw .invalidValue(field: "requests", value: "\(requestCount)", allowed: "an integer in 1...\(Self.maxRequests)")
        }
        if warmupRequests < 0 || cooldownRequests < 0 || warmupRequests + cooldownRequests >= requestCount {
            throw .invalidValue(field: "warmup+cooldown", value: "\(warmupRequests)+\(cooldownRequests)",
                                allowed: "non-negative counts leaving at least one of the \(requestCount) requests measured")
        }
        for (field, value) in [("slo_ttft_ms", slo.ttftMs), ("slo_tpot_ms", slo.tpotMs)] {
            if let value, !(value.isFinite && value > 0) {
                throw .invalidValue(field: field, value: "\(value)", allowed: "a positive finite number of milliseconds")
            }
        }
        try workload.validate()
    }
}
