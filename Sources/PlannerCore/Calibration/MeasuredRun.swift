/// A measured run and the estimator's prediction of it: what `planner validate` compares and
/// `planner calibrate` fits.
public struct MeasuredRun: Sendable, Hashable {
    /// How the run batched its requests.
    public enum Mode: Sendable, Hashable {
        /// Batches of this size, prefilled together, then decoded to the end.
        case staticBatch(Int)
        /// This many clients, each sending its next request when the previous one ends.
        case closedLoop(concurrency: Int)
        /// Requests arriving as a Poisson process at this rate, requests/s.
        case poisson(requestsPerSecond: Double)
        /// Every request queued at once, the batch chosen by the runtime (max-throughput benchmarks).
        case offline
    }

    /// How serving runs (closed loop, Poisson, offline) are predicted.
    public enum ServingPrediction: Sendable, Hashable {
        /// The closed-loop steady state (``Estimator/closedLoop(_:concurrency:)``): no TTFT, closed loop only.
        case analytic
        /// The serving simulator with this engine's scheduler defaults (``ServingSimulator``).
        case simulated(SchedulerConfig.Engine)
    }

    /// Requests simulated for a serving run, all measured: serving benchmarks report every request
    /// of the run, the start-up wave included (vLLM `bench serve`, GenAI-Perf, trtllm-bench), over
    /// runs of ten requests per client (GenAI-Perf's and NVIDIA's published concurrency sweeps use
    /// about that; vLLM's default is 1000 prompts), at least 100 and at most 2000 for speed.
    static func simulatedRequests(_ mode: Mode) -> (count: Int, warmup: Int, cooldown: Int) {
        switch mode {
        case let .closedLoop(concurrency): return (min(max(10 * concurrency, 100), 2000), 0, 0)
        case .poisson: return (1000, 0, 0)
        case .offline: return (1024, 0, 0)
        case .staticBatch: return (1, 0, 0)
        }
    }

    /// A measured quantity.
    public enum Metric: String, Sendable, Hashable, CaseIterable {
        /// Time to first token, time per output token, end-to-end latency (ms); output tokens/s.
        case ttft, tpot, e2e, throughput

        /// The key of the measured value in a measured point.
        public var key: String {
            switch self {
            case .ttft: "ttft_ms"
            case .tpot: "tpot_ms"
            case .e2e: "e2e_latency_ms"
            case .throughput: "throughput_tok_s"
            }
        }

        /// Unit of the value, for tables.
        public var unit: String { self == .throughput ? "tokens/s" : "ms" }
    }

    /// The run's identifier (a point's `id`).
    public var id: String
    /// Model, hardware, layout, precision and lengths (the batch size is set from `mode`).
    public var request: EstimateRequest
    public var mode: Mode
    /// Multiplies one replica's output tokens/s into the run's throughput scope.
    public var throughputScale: Double
    /// How serving runs are predicted (static batches always use the estimator).
    public var serving: ServingPrediction
    /// One measured value.
    public struct Measurement: Sendable, Hashable {
        public var metric: Metric
        public var value: Double

        public init(metric: Metric, value: Double) {
            self.metric = metric
            self.value = value
        }
    }

    /// The measured values, in metric order.
    public var measured: [Measurement]

    public init(id: String, request: EstimateRequest, mode: Mode, throughputScale: Double, measured: [Measurement],
                serving: ServingPrediction = .analytic) {
        self.serving = serving
        self.id = id
        self.request = request
        self.mode = mode
        self.throughputScale = throughputScale
        self.measured = measured
    }

    /// Why a metric is not predicted.
    public static let servingTTFTReason = "serving TTFT (own prefill, possibly chunked, plus queueing behind other requests' prefills "
        + "under in-flight batching) needs a serving model"

    /// The prediction of each measured metric on `hardware` (the run's own when nil): a value, or the
    /// reason there is none. Static batches: TTFT = the batch's prefill, TPOT = the average step, end
    /// to end = their sum over the output, throughput = batch x output / end to end. Closed loop:
    /// ``Estimator/closedLoop(_:concurrency:)`` (TTFT not modelled).
    /// - Throws: ``PlannerError`` when the estimator cannot run the request.
    public func predictions(on hardware: HardwareSpec? = nil) throws(PlannerError) -> [(metric: Metric, predicted: Double?, reason: String?)] {
        var request = self.request
        if let hardware { request.hardware = hardware }
        switch mode {
        case let .staticBatch(batch):
            request.batchSize = batch
            let estimate = try Estimator.endToEnd(request, operators: false)
            let total = estimate.totalLatencyMs
            return measured.map { entry in
                let value: Double
                switch entry.metric {
                case .ttft: value = estimate.ttftMs
                case .tpot: value = estimate.averageTPOTMs
                case .e2e: value = total
                case .throughput: value = Double(batch * request.outputTokens) * Units.millisecondsPerSecond / total * throughputScale
                }
                return (entry.metric, value, nil)
            }
        case .closedLoop, .poisson, .offline:
            if case let .simulated(engine) = serving, request.profile == .default {
                return try simulatedPredictions(request, engine: engine)
            }
            guard case let .closedLoop(concurrency) = mode else {
                let reason = request.profile == .default ? "an open-loop or offline run needs the serving simulator"
                    : "the serving simulator models the default profile only"
                return measured.map { ($0.metric, nil, reason) }
            }
            let estimate = try Estimator.closedLoop(request, concurrency: concurrency)
            return measured.map { entry in
                switch entry.metric {
                case .ttft: return (entry.metric, nil, Self.servingTTFTReason)
                case .tpot: return (entry.metric, estimate.interTokenLatencyMs, nil)
                case .e2e: return (entry.metric, estimate.requestLatencyMs, nil)
                case .throughput: return (entry.metric, estimate.outputTokensPerSecond * throughputScale, nil)
                }
            }
        }
    }

    /// Serving predictions from the simulator: mean TTFT, TPOT and end to end of the measured
    /// requests, output tokens/s over the measured window (times the throughput scale).
    func simulatedPredictions(_ request: EstimateRequest, engine: SchedulerConfig.Engine) throws(PlannerError)
        -> [(metric: Metric, predicted: Double?, reason: String?)] {
        var single = request
        single.batchSize = 1
        let arrivals: ServingWorkload.Arrivals
        switch mode {
        case let .closedLoop(concurrency): arrivals = .closedLoop(concurrency: concurrency)
        case let .poisson(rate): arrivals = .poisson(requestsPerSecond: rate)
        case .offline, .staticBatch: arrivals = .offline
        }
        let counts = Self.simulatedRequests(mode)
        let setup = SimulationSetup(
            request: single, scheduler: SchedulerConfig.defaults(engine, hardware: request.hardware, parallelism: request.parallelism),
            workload: ServingWorkload(arrivals: arrivals, inputTokens: .fixed(request.inputTokens), outputTokens: .fixed(request.outputTokens)),
            seed: 1, requestCount: counts.count, warmupRequests: counts.warmup, cooldownRequests: counts.cooldown)
        let summary = try ServingSimulator.run(setup)
        return measured.map { entry in
            switch entry.metric {
            case .ttft: return (entry.metric, summary.ttft.meanMs, nil)
            case .tpot: return (entry.metric, summary.tpot.meanMs, nil)
            case .e2e: return (entry.metric, summary.e2e.meanMs, nil)
            case .throughput: return (entry.metric, summary.outputTokensPerSecond * throughputScale, nil)
            }
        }
    }
}
