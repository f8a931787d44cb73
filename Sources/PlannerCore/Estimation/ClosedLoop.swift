/// Steady state of a closed-loop benchmark: `concurrency` clients, each sending its next request
/// as soon as the previous one finishes, all with the same input and output lengths, served with
/// in-flight (continuous) batching.
///
/// Work conservation over one request's lifetime T: the device runs every in-flight request's
/// prefill once (each a batch-1 prefill, P1) and the request's `outputTokens` decode steps at batch
/// `concurrency` (D, averaged over the growing context), so T = C x P1 + O x D. The other C - 1
/// prefills stall the request's decode, so its inter-token latency is D + (C - 1) x P1 / O, and the
/// system delivers C x O output tokens per T. TTFT here is the request's own prefill without any
/// queueing: in-flight batching lets a request wait behind other prefills, which this model does not
/// capture (`planner validate` does not compare it).
public struct ClosedLoopEstimate: Sendable, Hashable {
    /// Concurrent requests (clients).
    public var concurrency: Int
    /// The request's own batch-1 prefill, milliseconds (no queueing).
    public var prefillMs: Double
    /// One decode step at batch `concurrency`, averaged over the growing context, milliseconds.
    public var decodeStepMs: Double
    /// Average time between two output tokens of one request, milliseconds.
    public var interTokenLatencyMs: Double
    /// Lifetime of one request, milliseconds: prefill + output tokens x inter-token latency.
    public var requestLatencyMs: Double
    /// Output tokens per second of the whole replica.
    public var outputTokensPerSecond: Double
    /// Completed requests per second of the whole replica.
    public var requestsPerSecond: Double
}

extension Estimator {
    /// Estimates a closed-loop benchmark of `request`'s model and layout at `concurrency` clients
    /// (the request's batch size is ignored). See ``ClosedLoopEstimate`` for the model.
    /// - Throws: ``PlannerError`` from either phase (for example `doesNotFit` at that concurrency).
    public static func closedLoop(_ request: EstimateRequest, concurrency: Int) throws(PlannerError) -> ClosedLoopEstimate {
        if concurrency < 1 || concurrency > GenZModel.maxBatchSize {
            throw .invalidValue(field: "concurrency", value: "\(concurrency)", allowed: "an integer in 1...\(GenZModel.maxBatchSize)")
        }
        var single = request
        single.batchSize = 1
        let prefill = try Estimator.prefill(single, operators: false)
        var loaded = request
        loaded.batchSize = concurrency
        let decode = try Estimator.decode(loaded, operators: false)
        let output = Double(max(request.outputTokens, 1))
        let interToken = decode.latencyMs + Double(concurrency - 1) * prefill.latencyMs / output
        let lifetime = prefill.latencyMs + output * interToken
        return ClosedLoopEstimate(
            concurrency: concurrency, prefillMs: prefill.latencyMs, decodeStepMs: decode.latencyMs,
            interTokenLatencyMs: interToken, requestLatencyMs: lifetime,
            outputTokensPerSecond: Double(concurrency) * output * Units.millisecondsPerSecond / lifetime,
            requestsPerSecond: Double(concurrency) * Units.millisecondsPerSecond / lifetime)
    }
}
