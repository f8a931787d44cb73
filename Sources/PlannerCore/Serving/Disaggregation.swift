/// Disaggregated prefill/decode serving (NVIDIA Dynamo, SGLang PD, vLLM KV connectors, llm-d): x
/// prefill instances of layout P and y decode instances of layout D, the prompt's KV cache shipped
/// from one to the other, each pool simulated with the serving simulator and the x:y ratio searched
/// for a device budget; compared with aggregated serving of the same model on the same devices.
///
/// - Prefill pool: requests of the workload's prompt length that produce one token; its capacity is
///   the highest Poisson rate at which `attainment` of the requests meet TTFT target - KV transfer - TPOT target
///   (``ServingSimulator/findMaxRate(_:attainment:arrivals:maxSteps:relativeTolerance:)``).
/// - KV transfer: the prompt's whole KV cache (all layers, every shard) from the P instance's devices
///   in parallel, over the scale-up link when both instances fit in one node (x P + y D devices within
///   `devices_per_node`) and over the network otherwise; not overlapped with the prefill (engines
///   that send layer by layer hide part of it: planner's figure is an upper bound).
/// - Decode pool: requests whose prompts arrive cached (``ServingWorkload/promptsArriveCached``),
///   producing the output tokens; its capacity is the highest rate meeting the TPOT target.
/// - Deployment: min(x r_P, y r_D) requests/s; TTFT = the prefill pool's TTFT at the statistic +
///   transfer + the decode pool's first step (its TTFT at the statistic), at most the target (others
///   are dropped); TPOT the decode pool's.
/// - Aggregated: the same model and workload on one layout, simulated with both targets.
public enum Disaggregation {
    /// What a search needs.
    public struct Options: Sendable {
        public var model: ModelSpec
        public var hardware: HardwareSpec
        public var precision: Precision
        public var kvPrecision: Precision?
        /// Devices available to the deployment (x P + y D at most).
        public var devices: Int
        public var inputTokens: Int
        public var outputTokens: Int
        public var ttftTargetMs: Double
        public var tpotTargetMs: Double
        /// Fraction of requests that must meet the targets (the p-statistic: 0.99 = p99).
        public var attainment: Double
        public var engine: SchedulerConfig.Engine
        /// Requests per simulation (more: slower, steadier).
        public var requestsPerSimulation: Int
        public var seed: UInt64

        public init(model: ModelSpec, hardware: HardwareSpec, precision: Precision, kvPrecision: Precision? = nil, devices: Int,
                    inputTokens: Int, outputTokens: Int, ttftTargetMs: Double, tpotTargetMs: Double, attainment: Double = 0.99,
                    engine: SchedulerConfig.Engine = .vllm, requestsPerSimulation: Int = 300, seed: UInt64 = 1) {
            self.model = model
            self.hardware = hardware
            self.precision = precision
            self.kvPrecision = kvPrecision
            self.devices = devices
            self.inputTokens = inputTokens
            self.outputTokens = outputTokens
            self.ttftTargetMs = ttftTargetMs
            self.tpotTargetMs = tpotTargetMs
            self.attainment = attainment
            self.engine = engine
            self.requestsPerSimulation = requestsPerSimulation
            self.seed = seed
        }

        func validate() throws(PlannerError) {
            if devices < 1 || devices > 4096 { throw .invalidValue(field: "devices", value: "\(devices)", allowed: "an integer in 1...4096") }
            for (field, value) in [("max_ttft_ms", ttftTargetMs), ("max_tpot_ms", tpotTargetMs)] where !(value.isFinite && value > 0) {
                throw .invalidValue(field: field, value: "\(value)", allowed: "a positive number of milliseconds (disaggregated serving needs both targets)")
            }
            if outputTokens < 2 {
                throw .invalidValue(field: "output_tokens", value: "\(outputTokens)",
                                    allowed: "at least 2 (the prefill pool samples the first token, the decode pool the rest)")
            }
            if engine == .static {
                throw .invalidValue(field: "engine", value: "static", allowed: "vllm, sglang, trtllm (disaggregation is a serving-engine feature)")
            }
        }
    }

    /// One layout's capacity in one role: the highest rate meeting its targets, and the statistics there.
    public struct PoolCapacity: Sendable, Hashable {
        public var layout: Parallelism
        /// Requests/s one instance sustains within its targets (0: none).
        public var requestsPerSecond: Double
        /// TTFT and TPOT at the attainment statistic at that rate, ms (NaN when no rate qualifies).
        public var ttftMs: Double
        public var tpotMs: Double
        public var devices: Int { layout.devices }
    }

    /// x prefill instances of one layout and y decode instances of another.
    public struct Deployment: Sendable, Hashable {
        public var prefill: PoolCapacity
        public var decode: PoolCapacity
        public var prefillInstances: Int
        public var decodeInstances: Int
        /// KV-cache transfer of one prompt, ms.
        public var transferMs: Double
        public var devices: Int { prefillInstances * prefill.devices + decodeInstances * decode.devices }
        /// min(x r_P, y r_D), requests/s.
        public var requestsPerSecond: Double {
            min(Double(prefillInstances) * prefill.requestsPerSecond, Double(decodeInstances) * decode.requestsPerSecond)
        }
        /// TTFT at the statistic: prefill + transfer + the decode pool's first step, ms.
        public var ttftMs: Double { prefill.ttftMs + transferMs + decode.ttftMs }
    }

    /// One aggregated layout at its highest rate within both targets, with as many replicas as fit.
    public struct Aggregated: Sendable, Hashable {
        public var capacity: PoolCapacity
        public var replicas: Int
        public var devices: Int { replicas * capacity.devices }
        public var requestsPerSecond: Double { Double(replicas) * capacity.requestsPerSecond }
    }

    /// The search's answer: the best of each kind, ranked by output tokens/s per device.
    public struct Result: Sendable, Hashable {
        public var options: OptionsSummary
        public var disaggregated: [Deployment]
        public var aggregated: [Aggregated]
        /// Layouts tried per role and the reasons some could not run.
        public var skipped: [String: Int]
    }

    /// The figures of the options that outputs print.
    public struct OptionsSummary: Sendable, Hashable {
        public var devices: Int
        public var outputTokens: Int
        public var inputTokens: Int
        public var ttftTargetMs: Double
        public var tpotTargetMs: Double
        public var attainment: Double
        public var engine: SchedulerConfig.Engine
    }

    /// Output tokens/s per device of a deployment with `devices` devices serving `requestsPerSecond`.
    public static func tokensPerDevice(requestsPerSecond: Double, outputTokens: Int, devices: Int) -> Double {
        devices > 0 ? requestsPerSecond * Double(outputTokens) / Double(devices) : 0
    }

    // MARK: - Search

    /// Simulates every layout (PP 1; attention DP for MoE models) in each role and searches the x:y
    /// ratio of every (P, D) pair within the device budget.
    /// - Throws: ``PlannerError`` for invalid options.
    public static func search(_ options: Options) throws(PlannerError) -> Result {
        try options.validate()
        var skipped: [String: Int] = [:]
        var prefill: [PoolCapacity] = [], decode: [PoolCapacity] = [], aggregated: [PoolCapacity] = []
        let layouts = LayoutSearch.layouts(model: options.model, devices: options.devices, attentionDataParallel: true)
            .filter { $0.layout.pipeline == 1 }
        for (layout, structural) in layouts {
            if let structural { skipped[structural, default: 0] += 1; continue }
            for role in Role.allCases {
                do {
                    let capacity = try poolCapacity(options, layout: layout, role: role)
                    if capacity.requestsPerSecond > 0 {
                        switch role {
                        case .prefill: prefill.append(capacity)
                        case .decode: decode.append(capacity)
                        case .aggregated: aggregated.append(capacity)
                        }
                    } else {
                        skipped["\(role.rawValue): misses the targets at every rate", default: 0] += 1
                    }
                } catch {
                    skipped["\(role.rawValue): " + SkipReason.classify(error, atBatchOne: true), default: 0] += 1
                }
            }
        }
        var deployments: [Deployment] = []
        for p in prefill {
            for d in decode {
                if let best = bestRatio(prefill: p, decode: d, options: options) { deployments.append(best) }
            }
        }
        let perDevice = { (deployment: Deployment) in
            tokensPerDevice(requestsPerSecond: deployment.requestsPerSecond, outputTokens: options.outputTokens, devices: deployment.devices)
        }
        deployments.sort { a, b in
            let ta = perDevice(a), tb = perDevice(b)
            if ta != tb { return ta > tb }
            return (a.devices, a.prefill.layout.devices, a.decode.layout.devices) < (b.devices, b.prefill.layout.devices, b.decode.layout.devices)
        }
        var replicated = aggregated.map { Aggregated(capacity: $0, replicas: options.devices / $0.devices) }
        replicated.sort { a, b in
            let ta = tokensPerDevice(requestsPerSecond: a.requestsPerSecond, outputTokens: options.outputTokens, devices: a.devices)
            let tb = tokensPerDevice(requestsPerSecond: b.requestsPerSecond, outputTokens: options.outputTokens, devices: b.devices)
            if ta != tb { return ta > tb }
            return a.capacity.devices < b.capacity.devices
        }
        return Result(
            options: OptionsSummary(devices: options.devices, outputTokens: options.outputTokens, inputTokens: options.inputTokens,
                                    ttftTargetMs: options.ttftTargetMs, tpotTargetMs: options.tpotTargetMs,
                                    attainment: options.attainment, engine: options.engine),
            disaggregated: deployments, aggregated: replicated, skipped: skipped)
    }

    /// The role a layout is simulated in.
    public enum Role: String, Sendable, CaseIterable {
        case prefill, decode, aggregated
    }

    /// The best (x, y) for prefill layout `p` and decode layout `d`: highest min(x r_P, y r_D) per device
    /// used within the budget (ties: fewer devices), each count at least 1; nil when one pair does not fit.
    public static func bestRatio(prefill p: PoolCapacity, decode d: PoolCapacity, options: Options) -> Deployment? {
        let budget = options.devices
        guard p.devices + d.devices <= budget else { return nil }
        var best: Deployment?
        var bestValue = -1.0
        for x in 1...(budget / p.devices) {
            let left = budget - x * p.devices
            if left < d.devices { break }
            for y in 1...(left / d.devices) {
                let transfer = transferMs(options, prefill: p.layout, sameNode: x * p.devices + y * d.devices <= options.hardware.resolvedDevicesPerNode)
                let candidate = Deployment(prefill: p, decode: d, prefillInstances: x, decodeInstances: y, transferMs: transfer)
                if !(candidate.ttftMs <= options.ttftTargetMs) { continue }
                let value = tokensPerDevice(requestsPerSecond: candidate.requestsPerSecond, outputTokens: options.outputTokens,
                                            devices: candidate.devices)
                if value > bestValue * (1 + 1e-12) { best = candidate; bestValue = value }
            }
        }
        return best
    }

    // MARK: - Pools

    /// The highest rate at which one instance of `layout` meets its role's targets.
    public static func poolCapacity(_ options: Options, layout: Parallelism, role: Role) throws(PlannerError) -> PoolCapacity {
        let request = EstimateRequest(model: options.model, hardware: options.hardware, precision: options.precision,
                                      parallelism: layout, profile: .default, kvPrecision: options.kvPrecision)
        var workload = ServingWorkload(arrivals: .offline, inputTokens: .fixed(options.inputTokens), outputTokens: .fixed(options.outputTokens))
        var slo: ServingSLO
        switch role {
        case .prefill:
            workload.outputTokens = .fixed(1)
            // The same-node transfer: the deployment's own is known only with x and y; the search's
            // targets use the faster one and the deployment adds the actual transfer to its TTFT.
            // TTFT also holds the transfer and the decode pool's first step (about one TPOT): the prefill
            // pool gets what is left; deployments whose summed TTFT still exceeds the target are dropped.
            let budget = options.ttftTargetMs - transferMs(options, prefill: layout, sameNode: true) - options.tpotTargetMs
            if budget <= 0 { return PoolCapacity(layout: layout, requestsPerSecond: 0, ttftMs: .nan, tpotMs: .nan) }
            slo = ServingSLO(ttftMs: budget)
        case .decode:
            workload.promptsArriveCached = true
            slo = ServingSLO(tpotMs: options.tpotTargetMs)
        case .aggregated:
            slo = ServingSLO(ttftMs: options.ttftTargetMs, tpotMs: options.tpotTargetMs)
        }
        let setup = SimulationSetup(request: request, scheduler: SchedulerConfig.defaults(options.engine, hardware: options.hardware, parallelism: layout),
                                    workload: workload, seed: options.seed, requestCount: options.requestsPerSimulation, slo: slo)
        let search = try ServingSimulator.findMaxRate(setup, attainment: options.attainment, maxSteps: 8, relativeTolerance: 0.02)
        guard let best = search.best else { return PoolCapacity(layout: layout, requestsPerSecond: 0, ttftMs: .nan, tpotMs: .nan) }
        let percent = Int((options.attainment * 100).rounded())
        func at(_ statistics: LatencyStatistics) -> Double {
            statistics.percentilesMs.indices.contains(percent) ? statistics.percentilesMs[percent] : .nan
        }
        return PoolCapacity(layout: layout, requestsPerSecond: best.summary.requestsPerSecond,
                            ttftMs: at(best.summary.ttft), tpotMs: role == .prefill ? .nan : at(best.summary.tpot))
    }

    /// The prompt's KV cache (all layers and shards) from the prefill instance to a decode instance, ms:
    /// every device of the prefill instance sends its share at once, over the scale-up link in one node
    /// or the network between nodes, plus one hop.
    public static func transferMs(_ options: Options, prefill layout: Parallelism, sameNode: Bool) -> Double {
        var whole = EstimateRequest(model: options.model, hardware: options.hardware, precision: options.precision,
                                    kvPrecision: options.kvPrecision)
        whole.parallelism = Parallelism()
        guard let cost = try? IterationCostModel(whole) else { return .infinity }
        let bytes = Double(options.inputTokens) * cost.kvBytesPerTokenPerDevice
        let roofline = DefaultRoofline(hardware: options.hardware, precision: options.precision)
        let senders = Double(layout.devices)
        return Units.milliseconds(fromSeconds: roofline.pointToPointSeconds(bytes: bytes / senders, crossesNodes: !sameNode))
    }
}
