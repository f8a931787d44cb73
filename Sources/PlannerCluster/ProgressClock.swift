import Dispatch

/// The rate and remaining time of a run, for progress lines (`planner sweep`, `planner fleet`, the
/// coordinator): one place for the arithmetic.
public struct ProgressClock: Sendable {
    private let startedNs = DispatchTime.now().uptimeNanoseconds

    public init() {}

    /// Seconds since the clock started (at least 1 ms, so rates stay finite).
    public var elapsedSeconds: Double { max(Double(DispatchTime.now().uptimeNanoseconds - startedNs) / 1e9, 0.001) }

    /// Units per second so far, and whole seconds left for the `total - done` remaining at that rate
    /// (0 while nothing is done).
    /// `ETA 12s`, or `ETA unknown` while nothing is done (no rate to extrapolate from).
    public func etaText(done: Int, total: Int) -> String {
        done > 0 || total == 0 ? "ETA \(rate(done: done, total: total).etaSeconds)s" : "ETA unknown"
    }

    public func rate(done: Int, total: Int) -> (perSecond: Int, etaSeconds: Int) {
        let rate = Double(done) / elapsedSeconds
        return (Int(rate), rate > 0 ? Int(Double(total - done) / rate) : 0)
    }
}
