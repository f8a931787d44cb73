/// The configurations of a sweep, numbered `0..<count` in a fixed mixed-radix order (the last
/// dimension varies fastest: model, hardware, bits, TP, PP, EP, batch, input, output, beam, profile).
///
/// `configuration(at:)` is O(dimensions) with no allocation beyond the result, so tasks can carry
/// index ranges and the space is never materialized.
public struct SweepSpace: Sendable, Hashable {
    public let spec: SweepSpec
    /// Number of configurations.
    public let count: Int
    private let radices: [Int]
    /// Price per device-hour of each hardware, in ``SweepSpec/hardware`` order, looked up once
    /// (ranking by cost reads it per configuration; the lookup resolves catalog aliases).
    private let usdPerDeviceHour: [Double?]

    /// One point of the space.
    public struct Configuration: Sendable, Hashable {
        public var index: Int
        public var model: ModelSpec
        public var hardware: HardwareSpec
        /// Position of `hardware` in ``SweepSpec/hardware``.
        public var hardwareIndex: Int = 0
        public var precision: Precision
        public var parallelism: Parallelism
        public var batch: SweepSpec.BatchChoice
        public var inputTokens: Int
        public var outputTokens: Int
        public var beamSize: Int
        public var profile: Profile
        /// The sweep's `kv_bits` (nil: the weights' precision).
        public var kvPrecision: Precision? = nil

        /// The estimate request for a given batch size.
        public func request(batchSize: Int) -> EstimateRequest {
            EstimateRequest(model: model, hardware: hardware, batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens,
                            outputTokens: outputTokens, precision: precision, parallelism: parallelism, profile: profile,
                            kvPrecision: kvPrecision)
        }
    }

    /// Largest space planner accepts (indices stay exact everywhere, including JSON).
    public static let maxCount = 1 << 53

    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` when the space exceeds ``maxCount``.
    public init(_ spec: SweepSpec) throws(PlannerError) {
        self.spec = spec
        let radices = [
            spec.models.count, spec.hardware.count, spec.precisions.count, spec.tensorParallel.count, spec.pipelineParallel.count,
            spec.expertParallel.count, spec.batchSizes.count, spec.inputTokens.count, spec.outputTokens.count, spec.beamSizes.count,
            spec.profiles.count, spec.dataParallel.count,
        ]
        var total = 1
        for radix in radices {
            let (product, overflow) = total.multipliedReportingOverflow(by: radix)
            if overflow || product > Self.maxCount {
                throw .invalidValue(field: "sweep", value: "more than 2^53 configurations", allowed: "at most 2^53 configurations")
            }
            total = product
        }
        self.radices = radices
        self.count = total
        usdPerDeviceHour = spec.hardware.map { spec.prices.price(for: $0.name)?.usdPerDeviceHour }
    }

    /// The configuration at `index` (0 ..< count).
    public func configuration(at index: Int) -> Configuration {
        var digits = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var rest = index
        func next(_ radix: Int) -> Int {
            let digit = rest % radix
            rest /= radix
            return digit
        }
        // Data parallelism (digit 11) is the most significant digit: a spec without it (one value)
        // keeps every index of the spaces before it existed.
        digits.10 = next(radices[10]); digits.9 = next(radices[9]); digits.8 = next(radices[8]); digits.7 = next(radices[7])
        digits.6 = next(radices[6]); digits.5 = next(radices[5]); digits.4 = next(radices[4]); digits.3 = next(radices[3])
        digits.2 = next(radices[2]); digits.1 = next(radices[1]); digits.0 = next(radices[0]); digits.11 = next(radices[11])
        return Configuration(
            index: index, model: spec.models[digits.0], hardware: spec.hardware[digits.1], hardwareIndex: digits.1,
            precision: spec.precisions[digits.2],
            parallelism: Parallelism(tensor: spec.tensorParallel[digits.3], pipeline: spec.pipelineParallel[digits.4],
                                     expert: spec.expertParallel[digits.5], dataParallel: spec.dataParallel[digits.11]),
            batch: spec.batchSizes[digits.6], inputTokens: spec.inputTokens[digits.7], outputTokens: spec.outputTokens[digits.8],
            beamSize: spec.beamSizes[digits.9], profile: spec.profiles[digits.10], kvPrecision: spec.kvPrecision)
    }

    /// The ranking group of a configuration (empty when the spec does not group).
    public func groupKey(of configuration: Configuration) -> String {
        spec.groupBy.map { field in
            switch field {
            case .model: configuration.model.name
            case .hardware: configuration.hardware.name
            case .bits: configuration.precision.rawValue
            case .input_tokens: "\(configuration.inputTokens)"
            case .output_tokens: "\(configuration.outputTokens)"
            case .profile: configuration.profile.rawValue
            }
        }.joined(separator: "|")
    }
}

extension SweepSpace {
    /// The ranking key of figures measured for `configuration`, by the spec's ``SweepSpec/rankBy``.
    public func rankKey(totalTokensPerSecond: Double, outputTokensPerSecond: Double, ttftMs: Double, tpotMs: Double,
                        configuration: Configuration) -> Double {
        spec.rankBy.key(totalTokensPerSecond: totalTokensPerSecond, outputTokensPerSecond: outputTokensPerSecond, ttftMs: ttftMs,
                        tpotMs: tpotMs, devices: configuration.parallelism.devices,
                        usdPerDeviceHour: price(of: configuration))
    }

    /// The price per device-hour of a configuration's hardware (nil without one).
    public func price(of configuration: Configuration) -> Double? {
        usdPerDeviceHour.indices.contains(configuration.hardwareIndex) ? usdPerDeviceHour[configuration.hardwareIndex] : nil
    }

    /// The ranking key of an entry (received from a worker: recomputed here, never trusted from the wire).
    public func rankKey(of entry: SweepEntry) -> Double {
        rankKey(totalTokensPerSecond: entry.totalThroughputTokensPerSecond, outputTokensPerSecond: entry.outputThroughputTokensPerSecond,
                ttftMs: entry.ttftMs, tpotMs: entry.averageTPOTMs, configuration: configuration(at: entry.index))
    }
}
