/// Conversions of computed `Double`s to `Int` that never trap.
///
/// `Int(_: Double)` traps on NaN, infinity and values outside `Int`'s range; computed figures
/// (a crossing point of two costs, a count of tokens) pass through here instead.
extension Int {
    /// `value` clamped to `low...high` (NaN gives `low`), then truncated toward zero.
    /// - Precondition: `low <= high`.
    @inlinable static func clamping(_ value: Double, low: Int, high: Int) -> Int {
        guard value.isFinite else { return value == .infinity ? high : low }
        if value <= Double(low) { return low }
        if value >= Double(high) { return high }
        return Int(value)
    }
}
