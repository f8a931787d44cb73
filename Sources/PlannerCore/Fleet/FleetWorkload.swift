/// The load a fleet must carry: requests per second, or a token rate turned into requests.
public enum RequestRate: Sendable, Hashable {
    /// Requests per second.
    case requestsPerSecond(Double)
    /// Output (generated) tokens per second; requests/s = rate / mean output tokens.
    case outputTokensPerSecond(Double)
    /// Prompt plus output tokens per second; requests/s = rate / (mean prompt + mean output tokens).
    case totalTokensPerSecond(Double)

    /// The workload key this rate was given as.
    public var key: String {
        switch self {
        case .requestsPerSecond: "rate_rps"
        case .outputTokensPerSecond: "rate_output_tokens_per_s"
        case .totalTokensPerSecond: "rate_tokens_per_s"
        }
    }

    /// The rate as given.
    public var value: Double {
        switch self {
        case let .requestsPerSecond(rate), let .outputTokensPerSecond(rate), let .totalTokensPerSecond(rate): rate
        }
    }

    /// Requests per second for these mean lengths (tokens).
    public func requestsPerSecond(meanInputTokens: Double, meanOutputTokens: Double) -> Double {
        switch self {
        case let .requestsPerSecond(rate): rate
        case let .outputTokensPerSecond(rate): rate / meanOutputTokens
        case let .totalTokensPerSecond(rate): rate / (meanInputTokens + meanOutputTokens)
        }
    }
}

/// One hardware candidate of a fleet.
public struct FleetHardware: Sendable, Hashable {
    /// The device, with any overrides (`devices_per_node` and the `default` profile's figures) applied.
    public var spec: HardwareSpec
    /// Largest replica (TP x PP x EP) to consider; nil: one node (``devicesPerNode``).
    public var maxDevicesPerReplica: Int?

    public init(spec: HardwareSpec, maxDevicesPerReplica: Int? = nil) {
        self.spec = spec
        self.maxDevicesPerReplica = maxDevicesPerReplica
    }

    /// Devices per node (the spec's, else its family's).
    public var devicesPerNode: Int { spec.resolvedDevicesPerNode }
    /// The replica-size budget the layouts are enumerated under.
    public var replicaBudget: Int { maxDevicesPerReplica ?? devicesPerNode }
}

/// Everything a fleet sizing needs: models, load, lengths, latency targets, precisions, hardware,
/// prices and headroom. Built by `PlannerFormats.FleetInput` from a YAML or JSON workload file.
public struct FleetWorkload: Sendable, Hashable {
    /// Models to size the fleet for; several models are alternatives, each sized for the whole load.
    public var models: [ModelSpec]
    /// The load to carry.
    public var rate: RequestRate
    /// Prompt lengths, tokens.
    public var inputTokens: TokenDistribution
    /// Output lengths, tokens.
    public var outputTokens: TokenDistribution
    /// Latency targets (none: size for throughput at the largest batch that fits).
    public var objectives: ServiceLevelObjectives
    /// Precisions allowed (weights; see the `default` profile for the KV cache and activations).
    public var precisions: [Precision]
    /// Hardware candidates, in the order reports list them.
    public var hardware: [FleetHardware]
    /// Prices per device-hour: the shipped defaults with the workload's and the price file's overrides.
    public var prices: PriceList
    /// Spare capacity on top of the load, as a fraction (0.2 = 20%).
    public var headroomFraction: Double
    /// Performance model of the estimates (`default`: real hardware; `genz`: GenZ 0.0.16).
    public var profile: Profile
    /// Largest running batch per replica considered.
    public var maxBatchSize: Int
    /// Bill whole nodes (devices per node x nodes) instead of the devices used.
    public var billWholeNodes: Bool
    /// KV-cache precision when it differs from the weights' (nil: the weights').
    public var kvPrecision: Precision? = nil

    /// Headroom when none is given: 20%.
    public static let defaultHeadroomFraction = 0.2
    /// Largest running batch when none is given (vLLM's `max_num_seqs` is 256 to 1024).
    public static let defaultMaxBatchSize = 1024

    public init(
        models: [ModelSpec], rate: RequestRate, inputTokens: TokenDistribution, outputTokens: TokenDistribution,
        objectives: ServiceLevelObjectives = ServiceLevelObjectives(), precisions: [Precision] = [.bf16], hardware: [FleetHardware],
        prices: PriceList = .shipped, headroomFraction: Double = FleetWorkload.defaultHeadroomFraction,
        profile: Profile = EstimateRequest.defaultProfile, maxBatchSize: Int = FleetWorkload.defaultMaxBatchSize,
        billWholeNodes: Bool = false
    ) {
        self.models = models
        self.rate = rate
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.objectives = objectives
        self.precisions = precisions
        self.hardware = hardware
        self.prices = prices
        self.headroomFraction = headroomFraction
        self.profile = profile
        self.maxBatchSize = maxBatchSize
        self.billWholeNodes = billWholeNodes
    }

    /// Requests per second the fleet must serve (before headroom).
    public var demandRequestsPerSecond: Double {
        rate.requestsPerSecond(meanInputTokens: inputTokens.meanTokens, meanOutputTokens: outputTokens.meanTokens)
    }

    /// Requests per second the fleet is sized for: demand x (1 + headroom).
    public var requiredRequestsPerSecond: Double { demandRequestsPerSecond * (1 + headroomFraction) }

    /// Output tokens per second at the demand.
    public var demandOutputTokensPerSecond: Double { demandRequestsPerSecond * outputTokens.meanTokens }

    /// Checks every field, naming the workload key and what is allowed; also that every hardware
    /// candidate has a price.
    /// - Throws: ``PlannerError``.
    public func validate() throws(PlannerError) {
        if models.isEmpty { throw .missingField(field: "model", context: "the workload (a catalog name, a config.json path or object, or a list)") }
        for model in models { try model.validate() }
        switch rate {
        case let .requestsPerSecond(value): try PhysicalLimits.requestsPerSecond.check(value, field: rate.key)
        case let .outputTokensPerSecond(value), let .totalTokensPerSecond(value): try PhysicalLimits.tokensPerSecond.check(value, field: rate.key)
        }
        try inputTokens.validate(field: "input_tokens")
        try outputTokens.validate(field: "output_tokens")
        let demand = demandRequestsPerSecond
        if case .requestsPerSecond = rate {} else if !PhysicalLimits.requestsPerSecond.contains(demand) {
            throw .invalidValue(field: rate.key, value: "\(rate.value)",
                                allowed: "a rate implying \(PhysicalLimits.requestsPerSecond.allowed) at the mean lengths (it implies \(demand) requests/s)")
        }
        try objectives.validate()
        if precisions.isEmpty { throw .invalidValue(field: "bits", value: "[]", allowed: Precision.acceptedNames) }
        if hardware.isEmpty {
            throw .missingField(field: "hardware", context: "the workload (a list of hardware names or objects; see `planner hardware`)")
        }
        for (index, candidate) in hardware.enumerated() {
            try candidate.spec.validate()
            if let budget = candidate.maxDevicesPerReplica {
                try PhysicalLimits.maxDevicesPerReplica.check(budget, field: "hardware[\(index)].max_devices_per_replica")
            }
            if candidate.maxDevicesPerReplica == nil, candidate.devicesPerNode > PhysicalLimits.maxDevicesPerReplica.high {
                throw .invalidValue(field: "hardware[\(index)].devices_per_node", value: "\(candidate.devicesPerNode)",
                                    allowed: "at most \(PhysicalLimits.maxDevicesPerReplica.high), or set max_devices_per_replica")
            }
        }
        try PhysicalLimits.headroomFraction.check(headroomFraction, context: "(0.2 = 20%; or a percentage such as '20%')")
        try PhysicalLimits.maxBatchSize.check(maxBatchSize)
        try prices.validate()
        for candidate in hardware { _ = try prices.requirePrice(for: candidate.spec.name) }
    }
}
