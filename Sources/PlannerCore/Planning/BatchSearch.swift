/// Finds the largest batch size that satisfies a monotone condition (fits in memory, meets targets).
public enum BatchSearch {
    /// The largest batch in `1...limit` for which `evaluate` succeeds and `accept` holds, assuming both
    /// are monotone in the batch size (true up to some batch, false beyond); nil when batch 1 fails.
    ///
    /// Doubling from 1, then bisection: about 2 log2(limit) evaluations. `evaluate` results are
    /// cached in `cache`, so callers can reuse them.
    /// Generic over what one evaluation returns (an end-to-end estimate, one phase, ...).
    public static func largest<Estimate>(
        limit: Int, cache: inout [Int: Estimate],
        evaluate: (Int) -> Estimate?, accept: (Estimate) -> Bool = { _ in true }
    ) -> Int? {
        func qualifies(_ batch: Int, _ cache: inout [Int: Estimate]) -> Bool {
            if let cached = cache[batch] { return accept(cached) }
            guard let estimate = evaluate(batch) else { return false }
            cache[batch] = estimate
            return accept(estimate)
        }
        let cap = max(limit, 1)
        guard qualifies(1, &cache) else { return nil }
        var good = 1
        var bad = cap + 1
        var probe = 2
        while probe <= cap {
            if qualifies(probe, &cache) { good = probe; probe *= 2 } else { bad = probe; break }
        }
        if probe > cap && good < cap {
            if qualifies(cap, &cache) { return cap }
            bad = cap
        }
        while bad - good > 1 {
            let middle = good + (bad - good) / 2
            if qualifies(middle, &cache) { good = middle } else { bad = middle }
        }
        return good
    }
}
