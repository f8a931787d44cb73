/// Optional upper bounds on time to first token and time per output token.
public struct LatencyTargets: Sendable, Hashable {
    /// Maximum TTFT in milliseconds, or nil for no bound.
    public var maxTTFTMs: Double?
    /// Maximum TPOT in milliseconds, or nil for no bound.
    public var maxTPOTMs: Double?

    public init(maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil) {
        self.maxTTFTMs = maxTTFTMs
        self.maxTPOTMs = maxTPOTMs
    }

    /// True when no bound is set.
    public var isEmpty: Bool { maxTTFTMs == nil && maxTPOTMs == nil }

    /// True when `estimate` meets every bound that is set.
    public func areMet(by estimate: EndToEndEstimate) -> Bool {
        if let limit = maxTTFTMs, estimate.ttftMs > limit { return false }
        if let limit = maxTPOTMs, estimate.averageTPOTMs > limit { return false }
        return true
    }

    /// Checks that each bound lies in ``PhysicalLimits/latencyTargetMs``.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `max_ttft_ms` or `max_tpot_ms`
    ///   (with `prefix` prepended, e.g. `max-` spelled by the CLI).
    public func validate(ttftField: String = "max_ttft_ms", tpotField: String = "max_tpot_ms") throws(PlannerError) {
        for (field, value) in [(ttftField, maxTTFTMs), (tpotField, maxTPOTMs)] {
            if let value { try PhysicalLimits.latencyTargetMs.check(value, field: field) }
        }
    }
}
