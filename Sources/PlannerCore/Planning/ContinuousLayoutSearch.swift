extension LayoutSearch {
    /// How a candidate's latencies and throughput are obtained.
    public enum Serving: Sendable, Hashable {
        /// Batches of a fixed size served back to back: prefill the whole batch, then decode it to
        /// the end (``Estimator/endToEnd(_:operators:)``). What `estimate e2e` and benchmarks with a
        /// fixed batch measure.
        case staticBatch
        /// Continuous batching under load, with the fleet model (``ServingModel``, the same
        /// evaluation as `planner fleet`, ``FleetSizing/evaluate(_:in:)``): requests join and leave
        /// the running batch, prefills queue; the running batch is the largest that meets the
        /// targets at `statistic` (TTFT and TPOT are reported at that statistic).
        case continuous(statistic: ServiceLevelObjectives.Statistic)

        /// `static` or `continuous`: the spelling of `--serving` and of the JSON key `serving_model`.
        public var key: String {
            switch self {
            case .staticBatch: "static"
            case .continuous: "continuous"
            }
        }

        /// One line for outputs: which serving model produced the figures.
        public var summary: String {
            switch self {
            case .staticBatch:
                "static batch (a fixed batch prefilled together, then decoded to the end; batches back to back)"
            case let .continuous(statistic):
                "continuous batching (analytic queue model, the same as `planner fleet`; TTFT and TPOT at \(statistic))"
            }
        }
    }

    /// Bounds that only make the fleet model report a statistic the user set no target on.
    static let reportOnlyLimitMs = Double.greatestFiniteMagnitude
}

extension LayoutSearch.Candidate {
    /// This candidate with its cost columns filled from `prices` (unchanged when `hardware` has no price).
    func priced(_ prices: PriceList, hardware: String) -> Self {
        guard let price = prices.price(for: hardware)?.usdPerDeviceHour else { return self }
        var copy = self
        let perHour = Double(devices) * price
        copy.costPerHourUSD = perHour
        copy.costPerMillionOutputTokensUSD = throughputTokensPerSecond > 0
            ? perHour / (throughputTokensPerSecond * Units.secondsPerHour) * 1_000_000 : nil
        return copy
    }
}

extension LayoutSearch.Search {
    /// The fleet model's workload for one layout search: the one model and hardware, fixed prompt
    /// and output lengths, the latency targets at the chosen statistic (a report-only bound on a
    /// metric without a target), and a nominal rate (the per-replica operating point does not
    /// depend on the demand; only the replica count would).
    func continuousWorkload(statistic: ServiceLevelObjectives.Statistic) -> FleetWorkload {
        let targets = [
            ServiceLevelObjectives.Target(metric: .ttft, statistic: statistic, limitMs: options.maxTTFTMs ?? LayoutSearch.reportOnlyLimitMs),
            ServiceLevelObjectives.Target(metric: .tpot, statistic: statistic, limitMs: options.maxTPOTMs ?? LayoutSearch.reportOnlyLimitMs),
        ]
        var prices = options.prices
        if prices.price(for: options.hardware.name) == nil {
            // Cost is not reported for unpriced hardware; the fleet model only needs some price.
            prices.set(DevicePrice(hardware: options.hardware.name, usdPerDeviceHour: 1, date: nil, source: "placeholder"))
        }
        var workload = FleetWorkload(
            models: [options.model], rate: .requestsPerSecond(1), inputTokens: .fixed(options.inputTokens),
            outputTokens: .fixed(options.outputTokens), objectives: ServiceLevelObjectives(targets: targets),
            precisions: options.precisions, hardware: [FleetHardware(spec: options.hardware, maxDevicesPerReplica: options.devices)],
            prices: prices, headroomFraction: 0, profile: options.profile, maxBatchSize: options.maxBatchSize)
        workload.kvPrecision = options.kvPrecision
        return workload
    }

    /// Every layout and precision evaluated with continuous batching: one candidate each, at the
    /// largest running batch that meets the targets (or, when none does, counted as dropped).
    mutating func enumerateContinuous() {
        guard case let .continuous(statistic) = options.serving else { return }
        let workload = continuousWorkload(statistic: statistic)
        for (layout, structural) in LayoutSearch.layouts(model: options.model, devices: options.devices,
                                                         attentionDataParallel: options.profile == .default) {
            layoutsConsidered += 1
            if let reason = structural { skip(reason); continue }
            for precision in options.precisions {
                let task = FleetSizing.Task(modelIndex: 0, hardwareIndex: 0, precision: precision, layout: layout)
                switch FleetSizing.evaluate(task, in: workload) {
                case let .option(option, count):
                    estimates += count
                    let candidate = makeCandidate(option).priced(options.prices, hardware: options.hardware.name)
                    noteBest(candidate)
                    if option.meetsTargets { feasible.append(candidate) } else { dropped += 1 }
                case let .notRunnable(reason, detail, ratio, count):
                    estimates += count
                    skip(reason)
                    if let ratio, ratio < closestToFitting?.ratio ?? .infinity { closestToFitting = (ratio, detail) }
                }
            }
        }
    }

    /// A candidate from the fleet model's operating point of one replica, with as many replicas as
    /// the budget holds. TTFT and TPOT are the values at the statistic (targets are in TTFT, TPOT order).
    func makeCandidate(_ option: FleetOption) -> LayoutSearch.Candidate {
        let layout = option.layout
        let replicas = options.devices / layout.devices
        let devices = replicas * layout.devices
        let ttft = option.targetValuesMs[0], tpot = option.targetValuesMs[1]
        let throughput = Double(replicas) * option.perReplicaOutputTokensPerSecond
        return LayoutSearch.Candidate(
            layout: layout, replicas: replicas, devices: devices,
            nodes: (devices + options.devicesPerNode - 1) / options.devicesPerNode, precision: option.precision,
            batchSize: option.batchSize, ttftMs: ttft, tpotMs: tpot,
            requestLatencyMs: ttft + tpot * Double(max(options.outputTokens - 1, 0)),
            throughputTokensPerSecond: throughput, throughputPerDevice: throughput / Double(devices),
            memoryPerDeviceGiB: option.memoryPerDeviceGiB, isPareto: false)
    }
}
