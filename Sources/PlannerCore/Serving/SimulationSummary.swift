/// One finished request, as the simulator streams it (``ServingSimulator/run(_:onRequest:)``).
public struct RequestRecord: Sendable, Hashable {
    /// Index in arrival order (0-based).
    public var index: Int
    public var arrivalSeconds: Double
    public var inputTokens: Int
    public var outputTokens: Int
    /// When the first output token was produced, seconds.
    public var firstTokenSeconds: Double
    /// When the last output token was produced, seconds.
    public var finishSeconds: Double
    /// Times the request was preempted (its KV cache dropped and recomputed).
    public var preemptions: Int
    /// False for warm-up and cool-down requests (left out of the statistics).
    public var measured: Bool

    /// Time to first token, ms.
    public var ttftMs: Double { Units.milliseconds(fromSeconds: firstTokenSeconds - arrivalSeconds) }
    /// End to end latency, ms.
    public var e2eMs: Double { Units.milliseconds(fromSeconds: finishSeconds - arrivalSeconds) }
    /// Time per output token after the first, ms: (e2e - TTFT) / (output - 1); nil for one-token outputs.
    public var tpotMs: Double? {
        outputTokens > 1 ? Units.milliseconds(fromSeconds: finishSeconds - firstTokenSeconds) / Double(outputTokens - 1) : nil
    }
}

/// Mean, percentiles and maximum of one latency, ms.
public struct LatencyStatistics: Sendable, Hashable {
    public var count: Int
    public var meanMs: Double
    public var p50Ms: Double
    public var p90Ms: Double
    public var p95Ms: Double
    public var p99Ms: Double
    public var maxMs: Double
    /// The latency at every percent, 0% (the minimum) to 100% (the maximum): 101 values for CDF charts.
    public var percentilesMs: [Double]

    /// The statistics in order: mean, p50, p90, p95, p99, max (with their names).
    public var named: [(name: String, ms: Double)] {
        [("mean", meanMs), ("p50", p50Ms), ("p90", p90Ms), ("p95", p95Ms), ("p99", p99Ms), ("max", maxMs)]
    }
}

/// A histogram of positive values with logarithmic bins (128 per octave: values within 0.55%),
/// exact count, sum, minimum and maximum. Percentiles are the geometric centre of the bin holding
/// the nearest rank, clamped to the observed range. Memory is fixed (no sample is stored).
struct LatencyHistogram: Sendable {
    static let binsPerOctaveLog2 = 7
    static let minExponent = -20  // 2^-20 ms, about 1 ns
    static let maxExponent = 40
    var counts: [Int]
    var count = 0
    var sum = 0.0
    var minimum = Double.infinity
    var maximum = 0.0

    init() { counts = Array(repeating: 0, count: (Self.maxExponent - Self.minExponent + 1) << Self.binsPerOctaveLog2) }

    @inline(__always) static func bin(_ value: Double) -> Int {
        guard value > 0 else { return 0 }
        let exponent = Int(value.exponent)
        if exponent < minExponent { return 0 }
        if exponent > maxExponent { return ((maxExponent - minExponent + 1) << binsPerOctaveLog2) - 1 }
        let mantissa = Int(value.significandBitPattern >> UInt64(52 - binsPerOctaveLog2))
        return ((exponent - minExponent) << binsPerOctaveLog2) + mantissa
    }

    mutating func add(_ value: Double) {
        counts[Self.bin(value)] += 1
        count += 1
        sum += value
        if value < minimum { minimum = value }
        if value > maximum { maximum = value }
    }

    func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (index, binCount) in counts.enumerated() where binCount > 0 {
            seen += binCount
            if seen >= rank {
                let exponent = (index >> Self.binsPerOctaveLog2) + Self.minExponent
                let mantissa = Double(index & ((1 << Self.binsPerOctaveLog2) - 1))
                let width = Double(1 << Self.binsPerOctaveLog2)
                // Geometric centre of [2^e (1 + m/w), 2^e (1 + (m+1)/w)).
                let low = 1 + mantissa / width, high = 1 + (mantissa + 1) / width
                let centre = Double(sign: .plus, exponent: exponent, significand: (low * high).squareRoot())
                return min(max(centre, minimum), maximum)
            }
        }
        return maximum
    }

    var statistics: LatencyStatistics {
        LatencyStatistics(count: count, meanMs: count > 0 ? sum / Double(count) : 0, p50Ms: quantile(0.5), p90Ms: quantile(0.9),
                          p95Ms: quantile(0.95), p99Ms: quantile(0.99), maxMs: count > 0 ? maximum : 0,
                          percentilesMs: count > 0 ? [minimum] + (1...100).map { quantile(Double($0) / 100) } : [])
    }
}

/// One point of the timeline: averages over a time slice.
public struct TimelineSample: Sendable, Hashable {
    /// Start of the slice, seconds.
    public var timeSeconds: Double
    /// Time-weighted mean running requests (decoding or prefilling).
    public var runningRequests: Double
    /// Time-weighted mean waiting requests.
    public var queuedRequests: Double
    /// Time-weighted mean fraction of the KV cache in use.
    public var kvUtilization: Double
}

/// A timeline of at most `capacity` slices of equal width; when full, neighbours merge and the width doubles.
struct SimulationTimeline: Sendable {
    static let capacity = 512
    var width: Double
    /// Per slice: weighted sums (time x value) and the time covered.
    var running: [Double] = []
    var queued: [Double] = []
    var kv: [Double] = []
    var covered: [Double] = []

    init(initialWidthSeconds: Double) { width = initialWidthSeconds }

    /// Adds the interval [start, end) with constant values.
    mutating func add(start: Double, end: Double, running r: Double, queued q: Double, kv k: Double) {
        var t = start
        while t < end {
            var index = Int(t / width)
            while index >= Self.capacity { merge(); index = Int(t / width) }
            while running.count <= index { running.append(0); queued.append(0); kv.append(0); covered.append(0) }
            let sliceEnd = min(end, Double(index + 1) * width)
            let dt = sliceEnd - t
            if dt <= 0 { break }
            running[index] += r * dt; queued[index] += q * dt; kv[index] += k * dt; covered[index] += dt
            t = sliceEnd
        }
    }

    mutating func merge() {
        func halve(_ values: [Double]) -> [Double] {
            stride(from: 0, to: values.count, by: 2).map { values[$0] + ($0 + 1 < values.count ? values[$0 + 1] : 0) }
        }
        running = halve(running); queued = halve(queued); kv = halve(kv); covered = halve(covered)
        width *= 2
    }

    var samples: [TimelineSample] {
        running.indices.map { index in
            let time = covered[index]
            return TimelineSample(timeSeconds: Double(index) * width, runningRequests: time > 0 ? running[index] / time : 0,
                                  queuedRequests: time > 0 ? queued[index] / time : 0, kvUtilization: time > 0 ? kv[index] / time : 0)
        }
    }
}

/// What one simulation found. Latencies in ms over the measured requests (warm-up and cool-down
/// excluded); rates over the measured window (first measured arrival to last measured completion).
public struct SimulationSummary: Sendable, Hashable {
    public var scheduler: SchedulerConfig
    /// Devices of the replica.
    public var devices: Int
    /// KV-cache capacity, tokens (blocks x tokens per block).
    public var kvCapacityTokens: Int
    public var requestsSimulated: Int
    public var requestsMeasured: Int
    /// Output tokens produced over every simulated request (measured or not).
    public var outputTokensServed: Int
    public var ttft: LatencyStatistics
    /// Per request: (e2e - TTFT) / (output - 1), requests with one output token excluded.
    public var tpot: LatencyStatistics
    /// Gaps between consecutive tokens of a request, over every token after the first.
    public var itl: LatencyStatistics
    public var e2e: LatencyStatistics
    public var requestsPerSecond: Double
    public var inputTokensPerSecond: Double
    public var outputTokensPerSecond: Double
    /// Measured requests meeting every SLO, per second (nil without SLOs).
    public var goodputRequestsPerSecond: Double?
    /// Fraction of measured requests meeting every SLO (nil without SLOs).
    public var sloAttainment: Double?
    /// Time-weighted mean of the running requests while the engine is busy.
    public var meanRunningBatch: Double
    /// Time-weighted mean KV-cache use while busy, and the largest, as fractions of the capacity.
    public var meanKVUtilization: Double
    public var maxKVUtilization: Double
    public var preemptions: Int
    /// Time-weighted mean of the waiting requests over the whole simulated time.
    public var meanQueueLength: Double
    public var iterations: Int
    public var simulatedSeconds: Double
    /// At most 512 slices of the simulated time.
    public var timeline: [TimelineSample]

    /// Prompt and output tokens per second.
    public var totalTokensPerSecond: Double { inputTokensPerSecond + outputTokensPerSecond }
    /// Output tokens per second per device.
    public var outputTokensPerSecondPerDevice: Double { outputTokensPerSecond / Double(devices) }
    /// Prompt and output tokens per second per device.
    public var totalTokensPerSecondPerDevice: Double { totalTokensPerSecond / Double(devices) }
    /// Requests per second per device.
    public var requestsPerSecondPerDevice: Double { requestsPerSecond / Double(devices) }
}
