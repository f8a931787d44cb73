/// Side-by-side end-to-end estimates of several configurations, best throughput first.
public enum Comparison {
    /// One compared configuration: its estimate, or the error it raised.
    public struct Entry: Sendable, Hashable {
        /// The configuration's name as given.
        public var name: String
        /// The request, when the configuration could be turned into one.
        public var request: EstimateRequest?
        public var outcome: Result<EndToEndEstimate, PlannerError>

        /// Input + output tokens per second (the Python API's `total_throughput`); 0 for a failure.
        public var totalThroughputTokensPerSecond: Double {
            (try? outcome.get().totalThroughputTokensPerSecond) ?? 0
        }
        /// Output tokens per second; 0 for a failure.
        public var outputThroughputTokensPerSecond: Double {
            (try? outcome.get().outputThroughputTokensPerSecond) ?? 0
        }
        /// Milliseconds; +infinity for a failure.
        public var ttftMs: Double { (try? outcome.get().ttftMs) ?? .infinity }
        /// Milliseconds; +infinity for a failure.
        public var tpotMs: Double { (try? outcome.get().averageTPOTMs) ?? .infinity }
        /// Milliseconds; +infinity for a failure.
        public var totalLatencyMs: Double { (try? outcome.get().totalLatencyMs) ?? .infinity }
    }

    /// Estimates every configuration end to end and sorts by total throughput, descending and stable:
    /// ties keep input order, and failures (throughput 0) sink to the end in input order.
    /// - Parameter configurations: names with a request, or the error building it raised.
    /// - Parameter objective: what to sort by (default total throughput; failures always last).
    public static func run(_ configurations: [(name: String, request: Result<EstimateRequest, PlannerError>)],
                           objective: RankObjective = .totalThroughput, prices: PriceList = .shipped) -> [Entry] {
        let entries = configurations.map { entry(name: $0.name, request: $0.request) }
        // Failures rank last (key -infinity), in input order (the sort is stable).
        func key(_ entry: Entry) -> Double {
            guard let request = entry.request, (try? entry.outcome.get()) != nil else { return -.infinity }
            return objective.key(totalTokensPerSecond: entry.totalThroughputTokensPerSecond,
                                 outputTokensPerSecond: entry.outputThroughputTokensPerSecond, ttftMs: entry.ttftMs, tpotMs: entry.tpotMs,
                                 devices: request.parallelism.devices, usdPerDeviceHour: prices.price(for: request.hardware.name)?.usdPerDeviceHour)
        }
        return stableSorted(entries) { key($0) > key($1) }
    }

    /// Estimates one configuration end to end (or carries the error that building its request raised).
    public static func entry(name: String, request: Result<EstimateRequest, PlannerError>) -> Entry {
        switch request {
        case let .success(request):
            let outcome = Result { () throws(PlannerError) -> EndToEndEstimate in
                try Estimator.endToEnd(request, operators: false)
            }
            return Entry(name: name, request: request, outcome: outcome)
        case let .failure(error):
            return Entry(name: name, request: nil, outcome: .failure(error))
        }
    }

    /// Sorts by total throughput, descending and stable.
    static func ranked<T>(_ items: [T], entry: (T) -> Entry) -> [T] {
        stableSorted(items) { entry($0).totalThroughputTokensPerSecond > entry($1).totalThroughputTokensPerSecond }
    }

    static func ranked(_ entries: [Entry]) -> [Entry] { ranked(entries) { $0 } }

    /// Sorts keeping the input order of elements that compare equal.
    static func stableSorted<T>(_ items: [T], by before: (T, T) -> Bool) -> [T] {
        items.enumerated().sorted { a, b in
            if before(a.element, b.element) { return true }
            if before(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }
}
