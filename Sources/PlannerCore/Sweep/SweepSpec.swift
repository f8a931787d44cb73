/// A sweep: the cartesian product of estimate parameters, filtered and ranked by throughput.
///
/// Every list must be non-empty. The space is enumerated deterministically by index (see
/// ``SweepSpace``) and never materialized.
public struct SweepSpec: Sendable, Hashable {
    /// A batch size to evaluate: fixed, or the largest that fits in memory (up to ``SweepSpec/maxAutoBatchSize``).
    public enum BatchChoice: Sendable, Hashable, CustomStringConvertible {
        case fixed(Int)
        case auto

        public var description: String {
            switch self {
            case let .fixed(size): "\(size)"
            case .auto: "auto"
            }
        }
    }

    /// What to keep of the evaluated configurations.
    public enum Keep: Sendable, Hashable {
        /// The best `k` by total throughput (per group when ``SweepSpec/groupBy`` is set).
        case top(Int)
        /// Every evaluated configuration, streamed to a JSONL file; the ranking still holds the best
        /// ``SweepSpec/allRankingSize``.
        case all
    }

    /// Dimensions a ranking can be grouped by.
    public enum GroupField: String, Sendable, Hashable, CaseIterable {
        case model, hardware, bits, input_tokens, output_tokens, profile
    }

    public var models: [ModelSpec]
    public var hardware: [HardwareSpec]
    public var precisions: [Precision]
    public var tensorParallel: [Int]
    public var pipelineParallel: [Int]
    public var expertParallel: [Int]
    /// Attention data-parallel ranks (``Parallelism/dataParallel``; 1: none).
    public var dataParallel: [Int] = [1]
    public var batchSizes: [BatchChoice]
    public var inputTokens: [Int]
    public var outputTokens: [Int]
    public var beamSizes: [Int]
    public var profiles: [Profile]
    /// Device budget: configurations with TP x PP x EP above it are skipped.
    public var maxDevices: Int?
    public var targets: LatencyTargets
    public var keep: Keep
    public var groupBy: [GroupField]
    /// Upper bound of the `auto` batch search.
    public var maxAutoBatchSize: Int
    /// What the ranking orders by.
    public var rankBy: RankObjective = .totalThroughput
    /// KV-cache precision of every configuration (nil: each configuration's weight precision).
    public var kvPrecision: Precision? = nil
    /// Prices per device-hour (for ``RankObjective/costPerMillionTokens`` and the cost columns).
    public var prices: PriceList = .shipped

    /// Ranking size kept when ``Keep/all`` is chosen.
    public static let allRankingSize = 100

    public init(
        models: [ModelSpec], hardware: [HardwareSpec], precisions: [Precision] = [.bf16], tensorParallel: [Int] = [1],
        pipelineParallel: [Int] = [1], expertParallel: [Int] = [1], batchSizes: [BatchChoice] = [.fixed(1)],
        inputTokens: [Int] = [2048], outputTokens: [Int] = [256], beamSizes: [Int] = [1],
        profiles: [Profile] = [EstimateRequest.defaultProfile], maxDevices: Int? = nil, targets: LatencyTargets = LatencyTargets(),
        keep: Keep = .top(50), groupBy: [GroupField] = [], maxAutoBatchSize: Int = 1024
    ) {
        self.models = models
        self.hardware = hardware
        self.precisions = precisions
        self.tensorParallel = tensorParallel
        self.pipelineParallel = pipelineParallel
        self.expertParallel = expertParallel
        self.batchSizes = batchSizes
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.beamSizes = beamSizes
        self.profiles = profiles
        self.maxDevices = maxDevices
        self.targets = targets
        self.keep = keep
        self.groupBy = groupBy
        self.maxAutoBatchSize = maxAutoBatchSize
    }

    /// How many of the best configurations a ranking (or each group) keeps.
    public var rankingSize: Int {
        switch keep {
        case let .top(k): k
        case .all: Self.allRankingSize
        }
    }

    /// Throws when `values` holds one value twice, naming `field` and the value (`show`).
    public static func requireUnique<Value: Hashable>(_ field: String, _ values: [Value], show: (Value) -> String) throws(PlannerError) {
        var seen: Set<Value> = []
        seen.reserveCapacity(values.count)
        for value in values where !seen.insert(value).inserted {
            throw .invalidValue(field: field, value: show(value), allowed: "each value once (the list repeats it)")
        }
    }

    /// Checks every list is non-empty, holds each value once, and every value is in range.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the spec key.
    public func validate() throws(PlannerError) {
        if rankBy == .costPerMillionTokens {
            try prices.validate()
            for spec in hardware { _ = try prices.requirePrice(for: spec.name) }
        }
        let lists: [(String, Int)] = [
            ("model", models.count), ("hardware", hardware.count), ("bits", precisions.count),
            ("tensor_parallel", tensorParallel.count), ("pipeline_parallel", pipelineParallel.count),
            ("expert_parallel", expertParallel.count), ("data_parallel", dataParallel.count), ("batch_size", batchSizes.count), ("input_tokens", inputTokens.count),
            ("output_tokens", outputTokens.count), ("beam_size", beamSizes.count), ("profile", profiles.count),
        ]
        for (field, count) in lists where count == 0 {
            throw .invalidValue(field: field, value: "[]", allowed: "a non-empty list")
        }
        func check(_ field: String, _ values: [Int], _ range: IntegerRange) throws(PlannerError) {
            for value in values { try range.check(value, field: field) }
        }
        func check(_ field: String, _ values: [Int], _ low: Int, _ high: Int) throws(PlannerError) {
            try check(field, values, IntegerRange(key: field, low: low, high: high, meaning: field))
        }
        try check("tensor_parallel", tensorParallel, PhysicalLimits.parallelDegree)
        try check("pipeline_parallel", pipelineParallel, PhysicalLimits.parallelDegree)
        try check("expert_parallel", expertParallel, PhysicalLimits.parallelDegree)
        try check("data_parallel", dataParallel, PhysicalLimits.parallelDegree)
        try check("input_tokens", inputTokens, PhysicalLimits.inputTokens)
        try check("output_tokens", outputTokens, PhysicalLimits.outputTokens)
        try check("beam_size", beamSizes, PhysicalLimits.beamSize)
        try check("batch_size", batchSizes.compactMap { if case let .fixed(size) = $0 { size } else { nil } }, PhysicalLimits.batchSize)
        try check("max_auto_batch", [maxAutoBatchSize], PhysicalLimits.batchSize)
        if let maxDevices { try check("max_devices", [maxDevices], 1, 1 << 20) }
        if case let .top(k) = keep { try check("top", [k], 1, 1_000_000) }
        // A repeated value would evaluate (and rank) the same configurations twice.
        try Self.requireUnique("model", models) { $0.name }
        try Self.requireUnique("hardware", hardware) { $0.name }
        try Self.requireUnique("bits", precisions) { $0.rawValue }
        try Self.requireUnique("tensor_parallel", tensorParallel) { "\($0)" }
        try Self.requireUnique("pipeline_parallel", pipelineParallel) { "\($0)" }
        try Self.requireUnique("expert_parallel", expertParallel) { "\($0)" }
        try Self.requireUnique("data_parallel", dataParallel) { "\($0)" }
        try Self.requireUnique("batch_size", batchSizes) { $0.description }
        try Self.requireUnique("input_tokens", inputTokens) { "\($0)" }
        try Self.requireUnique("output_tokens", outputTokens) { "\($0)" }
        try Self.requireUnique("beam_size", beamSizes) { "\($0)" }
        try Self.requireUnique("profile", profiles) { $0.rawValue }
        try Self.requireUnique("group_by", groupBy) { $0.rawValue }
        try targets.validate()
        for model in models { try model.validate() }
        for device in hardware { try device.validate() }
        _ = try SweepSpace(self)
    }
}
