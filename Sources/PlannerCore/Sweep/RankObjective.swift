/// What a ranking orders configurations by (`rank_by` in sweep and compare files).
public enum RankObjective: String, Sendable, Hashable, CaseIterable {
    /// Input + output tokens per second of the configuration, highest first (the Python API's order; the default).
    case totalThroughput = "total_throughput"
    /// Output tokens per second, highest first.
    case outputThroughput = "output_throughput"
    /// Output tokens per second per device (TP x PP x EP), highest first.
    case throughputPerDevice = "throughput_per_device"
    /// US dollars per million tokens (input + output) at the configuration's throughput, lowest first
    /// (needs a price for every hardware: ``PriceList``).
    case costPerMillionTokens = "cost_per_million_tokens"
    /// Time to first token, lowest first.
    case ttft
    /// Time per output token, lowest first.
    case tpot

    /// Accepted values, for error messages.
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses a `rank_by` value.
    public static func parse(_ text: String, field: String = "rank_by") throws(PlannerError) -> RankObjective {
        guard let objective = RankObjective(rawValue: text.lowercased()) else {
            throw .invalidValue(field: field, value: text, allowed: names)
        }
        return objective
    }

    /// The key a ranking sorts by, higher first: the objective's figure, negated where lower is better.
    /// - Parameters:
    ///   - devices: devices of the configuration (TP x PP x EP).
    ///   - usdPerDeviceHour: the hardware's price (required for ``costPerMillionTokens``; NaN ranks last).
    public func key(totalTokensPerSecond: Double, outputTokensPerSecond: Double, ttftMs: Double, tpotMs: Double,
                    devices: Int, usdPerDeviceHour: Double?) -> Double {
        switch self {
        case .totalThroughput: return totalTokensPerSecond
        case .outputThroughput: return outputTokensPerSecond
        case .throughputPerDevice: return outputTokensPerSecond / Double(max(devices, 1))
        case .costPerMillionTokens:
            guard let price = usdPerDeviceHour, totalTokensPerSecond > 0 else { return -.infinity }
            return -(Self.costPerMillionTokens(usdPerDeviceHour: price, devices: devices, tokensPerSecond: totalTokensPerSecond))
        case .ttft: return -ttftMs
        case .tpot: return -tpotMs
        }
    }

    /// US dollars per million tokens for `devices` at `usdPerDeviceHour` producing `tokensPerSecond`.
    public static func costPerMillionTokens(usdPerDeviceHour: Double, devices: Int, tokensPerSecond: Double) -> Double {
        usdPerDeviceHour * Double(devices) / (tokensPerSecond * Units.secondsPerHour) * 1_000_000
    }
}
