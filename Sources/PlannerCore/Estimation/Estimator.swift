/// The estimation entry points: prefill, decode and end to end.
///
/// Pure functions of their request: no I/O, no shared state, safe to call from any thread.
public enum Estimator {
    /// Estimates the prefill of `request`'s batch (time to first token).
    /// - Parameter operators: also return the per-operator table (costs a little time).
    /// - Throws: ``PlannerError`` naming the first invalid field, or `doesNotFit`.
    public static func prefill(_ request: EstimateRequest, operators: Bool = true) throws(PlannerError) -> PhaseEstimate {
        try estimate(request, phase: .prefill, operators: operators)
    }

    /// Estimates one decode step of `request`'s batch (time per output token).
    public static func decode(_ request: EstimateRequest, operators: Bool = true) throws(PlannerError) -> PhaseEstimate {
        try estimate(request, phase: .decode, operators: operators)
    }

    /// Estimates one phase.
    public static func estimate(_ request: EstimateRequest, phase: Phase, operators: Bool = true) throws(PlannerError) -> PhaseEstimate {
        let estimate = switch request.profile {
        case .default: try DefaultModel.estimate(request, phase: phase, operators: operators)
        case .genz: try GenZModel.estimate(request, phase: phase, operators: operators)
        }
        // The input ranges (PhysicalLimits) keep every figure finite; this guards the arithmetic itself.
        if !(estimate.latencyMs.isFinite && estimate.latencyMs > 0 && estimate.throughputTokensPerSecond.isFinite) {
            throw .invalidValue(field: "hardware", value: request.hardware.name,
                                allowed: "figures that give a finite positive \(phase) latency (got \(estimate.latencyMs) ms); see README, Input ranges")
        }
        return estimate
    }

    /// Estimates prefill then decode, and derives TTFT, TPOT, total latency and throughput.
    public static func endToEnd(_ request: EstimateRequest, operators: Bool = true) throws(PlannerError) -> EndToEndEstimate {
        let prefill = try estimate(request, phase: .prefill, operators: operators)
        let decode = try estimate(request, phase: .decode, operators: operators)
        return EndToEndEstimate(
            prefill: prefill, decode: decode, batchSize: request.batchSize, beamSize: request.beamSize,
            inputTokens: request.inputTokens, outputTokens: request.outputTokens)
    }
}
