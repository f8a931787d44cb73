/// Steady state of one model replica serving an open stream of requests with continuous (in-flight)
/// batching, and the latencies its requests see. Pure arithmetic on figures the estimator provides.
///
/// Units: times in milliseconds, rates in requests per second, lengths in tokens.
///
/// **Inputs** (one replica: a model, hardware, precision and TP/PP/EP layout):
/// - prefill of one request (batch 1), over the prompt-length distribution: mean latency `Pl`, mean
///   occupancy `P` (the time the replica is busy with it: 1000 / prefill requests-per-second; equal
///   to the latency in the `default` profile) and the second moment of the occupancy `P2` (ms^2);
/// - one decode step at running batch `B`: latency `Dl(B)` and occupancy `D(B)` = 1000 B / decode
///   requests-per-second (the step averaged over the growing context at the mean lengths);
/// - the mean output length `O`.
///
/// **Throughput.** The replica alternates prefills (one request at a time, prefill first, as vLLM's
/// scheduler without chunked prefill) and decode steps of the whole running batch. In steady state at
/// arrival rate `lambda` each request needs `P` of exclusive prefill and `O` decode steps shared with the
/// `B - 1` others, so the busy time per second is lambda (P + O D(B) / B) = 1 and the sustainable rate
/// at running batch B is
///
///     lambda(B) = 1000 B / (B P + O D(B))                                          [requests/s]
///
/// (Little's law closes the loop: the mean running batch is lambda x decode time = B.)
///
/// **TPOT.** A request's decode phase holds its `O` steps plus the prefills of the requests that
/// arrive meanwhile, which stall the batch. Those arrivals are Poisson with mean lambda x decode
/// time = B, so their total prefill time is compound Poisson with mean B P and variance B P2:
///
///     TPOT_mean = Dl(B) + B P / O
///     TPOT_q    = Dl(B) + (B P + z_q sqrt(B P2)) / O        z_q: the standard normal quantile
///
/// **TTFT.** Prefills wait in an M/G/1 queue whose server takes "vacations" (decode steps of length
/// D(B)) whenever no prefill is waiting. Prefill utilisation rho = lambda P / 1000 (< 1 by construction).
/// By the Fuhrmann-Cooper decomposition the wait is the M/G/1 (Pollaczek-Khinchine) wait plus the
/// residual of a vacation:
///
///     W_mean   = lambda P2 / (2000 (1 - rho))             (M/G/1, P-K formula, lambda in requests/s)
///     W_q      = (W_mean / rho) ln(rho / (1 - q))   if rho > 1 - q, else 0
///                (exponential tail P(W > t) = rho exp(-rho t / W_mean), exact atom 1 - rho at 0)
///     TTFT_mean = W_mean + D(B) / 2 + Pl
///     TTFT_q    = W_q + q D(B) + Pl(S_q)          Pl(S_q): prefill latency of the q-quantile prompt
///
/// Adding the quantiles of the wait, the residual step and the prefill bounds the quantile of their
/// sum from above, so percentile TTFTs are conservative.
///
/// Not modelled: chunked prefill (it keeps the mean TPOT, lowers its tail), batched prefills (lower
/// TTFT under load), prefix caching, speculative decoding, preemption when the KV cache runs out (the
/// running batch is limited by memory at the mean prompt plus the mean output instead), and the
/// spread of output lengths (only the mean output enters; TPOT percentiles use it too).
public enum ServingModel {
    /// The prefill of one request, averaged over the prompt-length distribution.
    public struct PrefillMoments: Sendable, Hashable {
        /// Mean prefill latency, ms.
        public var meanLatencyMs: Double
        /// Mean time the replica is busy with one prefill, ms.
        public var meanOccupancyMs: Double
        /// Second moment of that occupancy, ms^2.
        public var secondMomentOccupancyMs2: Double

        public init(meanLatencyMs: Double, meanOccupancyMs: Double, secondMomentOccupancyMs2: Double) {
            self.meanLatencyMs = meanLatencyMs
            self.meanOccupancyMs = meanOccupancyMs
            self.secondMomentOccupancyMs2 = secondMomentOccupancyMs2
        }
    }

    /// One decode step of the running batch.
    public struct DecodeStep: Sendable, Hashable {
        /// Running batch (requests decoding together).
        public var batch: Int
        /// Latency of one step, ms (what one request waits between two tokens without stalls).
        public var latencyMs: Double
        /// Time the replica is busy per step, ms (= latency without pipeline parallelism).
        public var occupancyMs: Double

        public init(batch: Int, latencyMs: Double, occupancyMs: Double) {
            self.batch = batch
            self.latencyMs = latencyMs
            self.occupancyMs = occupancyMs
        }
    }

    /// The steady state at one running batch.
    public struct OperatingPoint: Sendable, Hashable {
        /// Running batch B.
        public var batch: Int
        /// Sustainable arrival rate lambda(B), requests/s.
        public var requestsPerSecond: Double
        /// Fraction of time spent on prefills, rho.
        public var prefillUtilization: Double
        /// Mean wait before the prefill starts (queue + residual decode step), ms.
        public var meanQueueingMs: Double
        /// Mean time to first token, ms.
        public var ttftMeanMs: Double
        /// Mean time per output token, ms.
        public var tpotMeanMs: Double
        /// Decode step latency at B, ms.
        public var decodeStepMs: Double
        /// The value of each target's metric and statistic, ms, in the order of the objectives.
        public var targetValuesMs: [Double]
        /// True when every target holds.
        public var meetsTargets: Bool
    }

    /// Sustainable arrival rate at running batch `step.batch`, requests/s: 1000 B / (B P + O D(B)).
    public static func requestsPerSecond(step: DecodeStep, prefill: PrefillMoments, meanOutputTokens: Double) -> Double {
        let batch = Double(step.batch)
        return Units.millisecondsPerSecond * batch / (batch * prefill.meanOccupancyMs + meanOutputTokens * step.occupancyMs)
    }

    /// Mean M/G/1 waiting time (Pollaczek-Khinchine), ms, at `requestsPerSecond` arrivals.
    public static func meanQueueWaitMs(requestsPerSecond: Double, prefill: PrefillMoments) -> Double {
        let perMs = requestsPerSecond / Units.millisecondsPerSecond
        let rho = perMs * prefill.meanOccupancyMs
        guard rho < 1 else { return .infinity }
        return perMs * prefill.secondMomentOccupancyMs2 / (2 * (1 - rho))
    }

    /// Quantile `q` of the M/G/1 wait under the exponential-tail approximation, ms.
    public static func queueWaitQuantileMs(_ q: Double, meanWaitMs: Double, utilization rho: Double) -> Double {
        guard rho > 1 - q, rho > 0 else { return 0 }
        guard rho < 1 else { return .infinity }
        return meanWaitMs / rho * FleetMath.log(rho / (1 - q))
    }

    /// The operating point at `step.batch`.
    /// - Parameters:
    ///   - prefillLatencyAtQuantileMs: the batch-1 prefill latency of the prompt at a quantile (for
    ///     TTFT percentile targets).
    ///   - targets: the objectives; `targetValuesMs` follows their order.
    public static func operatingPoint(
        step: DecodeStep, prefill: PrefillMoments, meanOutputTokens: Double, targets: ServiceLevelObjectives,
        prefillLatencyAtQuantileMs: (Double) -> Double
    ) -> OperatingPoint {
        let batch = Double(step.batch)
        let rate = requestsPerSecond(step: step, prefill: prefill, meanOutputTokens: meanOutputTokens)
        let rho = rate / Units.millisecondsPerSecond * prefill.meanOccupancyMs
        let meanWait = meanQueueWaitMs(requestsPerSecond: rate, prefill: prefill)
        let stallMs = batch * prefill.meanOccupancyMs
        let stallDeviationMs = (batch * prefill.secondMomentOccupancyMs2).squareRoot()
        let ttftMean = meanWait + step.occupancyMs / 2 + prefill.meanLatencyMs
        let tpotMean = step.latencyMs + stallMs / meanOutputTokens
        var values: [Double] = []
        var meets = true
        for target in targets.targets {
            let value: Double
            switch (target.metric, target.statistic.quantile) {
            case (.ttft, nil):
                value = ttftMean
            case let (.ttft, q?):
                value = queueWaitQuantileMs(q, meanWaitMs: meanWait, utilization: rho) + q * step.occupancyMs
                    + prefillLatencyAtQuantileMs(q)
            case (.tpot, nil):
                value = tpotMean
            case let (.tpot, q?):
                value = step.latencyMs + max(stallMs + FleetMath.normalQuantile(q) * stallDeviationMs, 0) / meanOutputTokens
            }
            values.append(value)
            if !(value <= target.limitMs) { meets = false }
        }
        return OperatingPoint(
            batch: step.batch, requestsPerSecond: rate, prefillUtilization: rho, meanQueueingMs: meanWait + step.occupancyMs / 2,
            ttftMeanMs: ttftMean, tpotMeanMs: tpotMean, decodeStepMs: step.latencyMs, targetValuesMs: values, meetsTargets: meets)
    }

    /// Running batches the sizing evaluates, up to `maxBatch`: every batch to 16, then steps of
    /// 2^(1/16) (about 4.4%), and `maxBatch` itself. The grid does not depend on the targets, so a
    /// tighter target can only remove batches and never raises the rate found.
    public static func batchGrid(upTo maxBatch: Int) -> [Int] {
        guard maxBatch >= 1 else { return [] }
        var grid = Array(1...min(16, maxBatch))
        var step = 1
        while true {
            // 16 x 2^(step / 16), by integer powers of two and a table of the sixteenths.
            let octave = step / 16, sixteenth = step % 16
            let value = Int((16 * Double(1 << min(octave, 40)) * sixteenths[sixteenth]).rounded())
            if value > maxBatch { break }
            if value > (grid.last ?? 0) { grid.append(value) }
            step += 1
        }
        if grid.last != maxBatch { grid.append(maxBatch) }
        return grid
    }

    /// 2^(k/16) for k in 0..<16.
    static let sixteenths: [Double] = (0..<16).map { FleetMath.exp(Double($0) / 16 * FleetMath.ln2) }
}
