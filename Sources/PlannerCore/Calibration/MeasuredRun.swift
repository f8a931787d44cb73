/// A measured run and the estimator's prediction of it: what `planner validate` compares and
/// `planner calibrate` fits.
public struct MeasuredRun: Sendable, Hashable {
    /// How the run batched its requests.
    public enum Mode: Sendable, Hashable {
        /// Batches of this size, prefilled together, then decoded to the end.
        case staticBatch(Int)
        /// This many clients, each sending its next request when the previous one ends.
        case closedLoop(concurrency: Int)
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

    public init(id: String, request: EstimateRequest, mode: Mode, throughputScale: Double, measured: [Measurement]) {
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
        case let .closedLoop(concurrency):
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
}
