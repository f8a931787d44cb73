/// One way to serve the workload: a model on a hardware, precision and layout, replicated enough
/// times, with its cost.
public struct FleetOption: Sendable, Hashable {
    /// Position of the model in ``FleetWorkload/models``.
    public var modelIndex: Int
    /// The model's name.
    public var modelName: String
    /// Position of the hardware in ``FleetWorkload/hardware``.
    public var hardwareIndex: Int
    /// The hardware's name (catalog name, or a custom description's).
    public var hardwareName: String
    /// Weight precision.
    public var precision: Precision
    /// Tensor, pipeline and expert parallel degrees of one replica.
    public var layout: Parallelism
    /// Replicas: ceil(required requests/s / per-replica requests/s).
    public var replicas: Int
    /// Devices used: replicas x TP x PP x EP.
    public var devices: Int
    /// Nodes: replicas packed whole into nodes (a replica larger than a node takes whole nodes).
    public var nodes: Int
    /// Devices per node of the hardware.
    public var devicesPerNode: Int
    /// Devices paid for: `devices`, or nodes x devices per node when whole nodes are billed.
    public var billedDevices: Int
    /// Running batch per replica at the operating point.
    public var batchSize: Int
    /// Requests per second one replica sustains within the targets (or, when it cannot meet them,
    /// at its largest batch).
    public var perReplicaRequestsPerSecond: Double
    /// Output tokens per second of one replica at that rate.
    public var perReplicaOutputTokensPerSecond: Double
    /// Output tokens per second per device at that rate.
    public var outputTokensPerSecondPerDevice: Double
    /// Demand / (replicas x per-replica rate): the fraction of the fleet's capacity in use.
    public var utilization: Double
    /// Fraction of a replica's time spent on prefills at the operating point.
    public var prefillUtilization: Double
    /// Price used, US dollars per device-hour.
    public var priceUSDPerDeviceHour: Double
    /// Billed devices x price, USD per hour.
    public var costPerHourUSD: Double
    /// Cost per hour / output tokens per hour at the demand, x 10^6, USD.
    public var costPerMillionOutputTokensUSD: Double
    /// Mean TTFT at the operating point, ms.
    public var ttftMeanMs: Double
    /// Mean TPOT at the operating point, ms.
    public var tpotMeanMs: Double
    /// Decode step latency at the operating point, ms.
    public var decodeStepMs: Double
    /// Each target's metric at the operating point, ms, in the order of ``ServiceLevelObjectives/targets``.
    public var targetValuesMs: [Double]
    /// Memory of the heaviest device (the larger of the longest prompt's prefill and the decode at
    /// the operating batch), GiB.
    public var memoryPerDeviceGiB: Double
    /// Whether the option meets every latency target.
    public var meetsTargets: Bool
    /// Why the targets cannot be met (nil when they are).
    public var reason: String?
    /// On the Pareto frontier of output tokens/s per device (higher) against TPOT (lower), among the
    /// options that meet the targets.
    public var isPareto: Bool
    /// The replica's trade-off over running batches (at most ``FleetOption/curveLimit`` points, by
    /// increasing batch): what the throughput-against-TPOT chart draws.
    public var curve: [CurvePoint] = []
    /// The serving simulator's check of this option at the demand, when verified (``FleetVerification``).
    public var simulated: SimulatedCheck? = nil

    /// Most points kept in ``curve``.
    public static let curveLimit = 48

    /// One running batch of the replica's trade-off curve.
    public struct CurvePoint: Sendable, Hashable {
        /// Running batch.
        public var batch: Int
        /// TPOT at the charted statistic (``chartTPOTMs(_:)``), ms.
        public var tpotMs: Double
        /// Output tokens per second per device at lambda(batch).
        public var outputTokensPerSecondPerDevice: Double
        /// Whether every target holds at this batch.
        public var meetsTargets: Bool

        public init(batch: Int, tpotMs: Double, outputTokensPerSecondPerDevice: Double, meetsTargets: Bool) {
            self.batch = batch
            self.tpotMs = tpotMs
            self.outputTokensPerSecondPerDevice = outputTokensPerSecondPerDevice
            self.meetsTargets = meetsTargets
        }
    }

    /// TPOT the charts and the Pareto frontier use: the first TPOT target's statistic, else the mean.
    public func chartTPOTMs(_ objectives: ServiceLevelObjectives) -> Double {
        if let index = objectives.targets.firstIndex(where: { $0.metric == .tpot }), index < targetValuesMs.count {
            return targetValuesMs[index]
        }
        return tpotMeanMs
    }
}

extension FleetOption {
    /// An option for `task` of `workload` (its model, hardware, precision and layout, by index and
    /// name) with every figure zero and no curve: the caller fills in the operating point (used to
    /// rebuild options received from workers).
    /// - Precondition: the task's indices are inside the workload's models and hardware.
    public init(task: FleetSizing.Task, workload: FleetWorkload) {
        let candidate = workload.hardware[task.hardwareIndex]
        self.init(
            modelIndex: task.modelIndex, modelName: workload.models[task.modelIndex].name, hardwareIndex: task.hardwareIndex,
            hardwareName: candidate.spec.name, precision: task.precision, layout: task.layout, replicas: 0, devices: 0, nodes: 0,
            devicesPerNode: candidate.devicesPerNode, billedDevices: 0, batchSize: 0, perReplicaRequestsPerSecond: 0,
            perReplicaOutputTokensPerSecond: 0, outputTokensPerSecondPerDevice: 0, utilization: 0, prefillUtilization: 0,
            priceUSDPerDeviceHour: 0, costPerHourUSD: 0, costPerMillionOutputTokensUSD: 0, ttftMeanMs: 0, tpotMeanMs: 0,
            decodeStepMs: 0, targetValuesMs: [], memoryPerDeviceGiB: 0, meetsTargets: false, reason: nil, isPareto: false)
    }
}

/// The result of a fleet sizing.
public struct FleetPlan: Sendable, Hashable {
    /// A model, hardware and precision with no layout that runs at all, and why.
    public struct Unavailable: Sendable, Hashable {
        /// The model's name.
        public var modelName: String
        /// The hardware's name.
        public var hardwareName: String
        /// The weight precision.
        public var precision: Precision
        /// Why no layout runs (the closest to fitting in memory, or the estimator's error).
        public var reason: String
    }

    /// The workload sized.
    public var workload: FleetWorkload
    /// Options meeting the targets, cheapest first, then those that cannot, with their reason.
    public var options: [FleetOption]
    /// Model, hardware and precision combinations with no runnable layout.
    public var unavailable: [Unavailable]
    /// Layouts not evaluated or not runnable, by reason (``SkipReason`` strings).
    public var skipped: [String: Int]
    /// Layouts evaluated (model x hardware x precision x layout).
    public var tasksEvaluated: Int
    /// Estimator calls made.
    public var estimatesEvaluated: Int

    /// Options that meet the targets, cheapest first.
    public var feasible: [FleetOption] { options.filter(\.meetsTargets) }
    /// The cheapest option that meets the targets.
    public var cheapest: FleetOption? { options.first(where: \.meetsTargets) }
}

/// Sizes a fleet: for every model, hardware, precision and layout, the rate one replica sustains
/// within the latency targets (``ServingModel``), then replicas, devices, nodes and cost; ranked
/// cheapest first. Pure and deterministic.
///
/// The work is split into independent tasks (one per model, hardware, precision and layout) so a
/// caller can evaluate them on several threads or machines: ``tasks(_:)``, ``evaluate(_:in:)``,
/// ``assemble(_:tasks:outcomes:skipped:)``. ``run(_:)`` does all three on the calling thread. The
/// result depends only on the workload, never on how the tasks were spread.
public enum FleetSizing {
    /// One layout to evaluate.
    public struct Task: Sendable, Hashable {
        /// Position of the model in ``FleetWorkload/models``.
        public var modelIndex: Int
        /// Position of the hardware in ``FleetWorkload/hardware``.
        public var hardwareIndex: Int
        /// Weight precision.
        public var precision: Precision
        /// The replica's layout.
        public var layout: Parallelism

        public init(modelIndex: Int, hardwareIndex: Int, precision: Precision, layout: Parallelism) {
            self.modelIndex = modelIndex
            self.hardwareIndex = hardwareIndex
            self.precision = precision
            self.layout = layout
        }
    }

    /// What one task gives: an option, or the reason its layout cannot run.
    public enum Outcome: Sendable, Hashable {
        case option(FleetOption, estimates: Int)
        /// `skip` is the ``SkipReason`` key; `detail` explains; `fitRatio` is need / capacity for memory failures.
        case notRunnable(skip: String, detail: String, fitRatio: Double?, estimates: Int)
    }

    /// Validates the workload and sizes it on the calling thread.
    /// - Throws: ``PlannerError`` for an invalid workload (never for a layout that cannot run).
    public static func run(_ workload: FleetWorkload) throws(PlannerError) -> FleetPlan {
        let (tasks, skipped) = try self.tasks(workload)
        let outcomes = tasks.map { evaluate($0, in: workload) }
        return assemble(workload, tasks: tasks, outcomes: outcomes, skipped: skipped)
    }

    /// Validates the workload and lists the layouts to evaluate (model, then hardware, precision and
    /// ``LayoutSearch/layouts(model:devices:)`` order), with the structurally impossible ones counted.
    public static func tasks(_ workload: FleetWorkload) throws(PlannerError) -> (tasks: [Task], skipped: [String: Int]) {
        try workload.validate()
        var tasks: [Task] = []
        var skipped: [String: Int] = [:]
        for (modelIndex, model) in workload.models.enumerated() {
            for (hardwareIndex, candidate) in workload.hardware.enumerated() {
                for (layout, reason) in LayoutSearch.layouts(model: model, devices: candidate.replicaBudget,
                                                             attentionDataParallel: workload.profile == .default) {
                    if let reason { skipped[reason, default: 0] += workload.precisions.count; continue }
                    for precision in workload.precisions {
                        tasks.append(Task(modelIndex: modelIndex, hardwareIndex: hardwareIndex, precision: precision, layout: layout))
                    }
                }
            }
        }
        return (tasks, skipped)
    }

    /// Evaluates one layout: prefill moments, the decode step over the batch grid, the best operating
    /// point within the targets, then the fleet it needs. Never throws: a layout that cannot run is
    /// an outcome. The workload must have been validated (``tasks(_:)`` does).
    public static func evaluate(_ task: Task, in workload: FleetWorkload) -> Outcome {
        var evaluator = LayoutEvaluator(task: task, workload: workload)
        return evaluator.run()
    }

    /// Ranks the options (meeting the targets: cheapest per hour first, then fewer devices, then
    /// model, hardware and precision in the workload's order, then TP, PP, EP; the others after, in
    /// that same order), marks the Pareto frontier and lists the model, hardware and precision
    /// combinations with no runnable layout.
    public static func assemble(_ workload: FleetWorkload, tasks: [Task], outcomes: [Outcome], skipped: [String: Int]) -> FleetPlan {
        var skipped = skipped
        var options: [FleetOption] = []
        var estimates = 0
        struct Group: Hashable { var model: Int; var hardware: Int; var precision: Precision }
        var runnable: Set<Group> = []
        var closest: [Group: (ratio: Double, detail: String)] = [:]
        var firstFailure: [Group: String] = [:]
        for (task, outcome) in zip(tasks, outcomes) {
            let group = Group(model: task.modelIndex, hardware: task.hardwareIndex, precision: task.precision)
            switch outcome {
            case let .option(option, count):
                estimates += count
                options.append(option)
                runnable.insert(group)
            case let .notRunnable(skip, detail, ratio, count):
                estimates += count
                skipped[skip, default: 0] += 1
                if let ratio, ratio < closest[group]?.ratio ?? .infinity { closest[group] = (ratio, detail) }
                if firstFailure[group] == nil { firstFailure[group] = detail }
            }
        }
        let precisionOrder = workload.precisions
        func orderKey(_ option: FleetOption) -> [Int] {
            [option.modelIndex, option.hardwareIndex, precisionOrder.firstIndex(of: option.precision) ?? 0,
             option.layout.dataParallel, option.layout.tensor, option.layout.pipeline, option.layout.expert]
        }
        options.sort { a, b in
            if a.meetsTargets != b.meetsTargets { return a.meetsTargets }
            if a.meetsTargets {
                if a.costPerHourUSD != b.costPerHourUSD { return a.costPerHourUSD < b.costPerHourUSD }
                if a.devices != b.devices { return a.devices < b.devices }
            }
            return orderKey(a).lexicographicallyPrecedes(orderKey(b))
        }
        markPareto(&options, objectives: workload.objectives)
        var unavailable: [FleetPlan.Unavailable] = []
        for (modelIndex, model) in workload.models.enumerated() {
            for (hardwareIndex, candidate) in workload.hardware.enumerated() {
                for precision in workload.precisions {
                    let group = Group(model: modelIndex, hardware: hardwareIndex, precision: precision)
                    if runnable.contains(group) { continue }
                    let reason = closest[group].map { "no layout of up to \(candidate.replicaBudget) devices fits in memory; the closest: \($0.detail)" }
                        ?? firstFailure[group]
                        ?? "no layout of up to \(candidate.replicaBudget) devices can split \(model.name) (\(SkipReason.heads))"
                    unavailable.append(FleetPlan.Unavailable(modelName: model.name, hardwareName: candidate.spec.name, precision: precision, reason: reason))
                }
            }
        }
        return FleetPlan(workload: workload, options: options, unavailable: unavailable, skipped: skipped,
                         tasksEvaluated: tasks.count, estimatesEvaluated: estimates)
    }

    /// Marks, among the options that meet the targets, those no other beats on both output tokens/s
    /// per device (higher) and TPOT (lower; the first TPOT target's statistic, else the mean).
    static func markPareto(_ options: inout [FleetOption], objectives: ServiceLevelObjectives) {
        let candidates = options.indices.filter { options[$0].meetsTargets }
        // The two coordinates of every candidate, computed once (the check below is quadratic).
        let points = candidates.map { (rate: options[$0].outputTokensPerSecondPerDevice, tpot: options[$0].chartTPOTMs(objectives)) }
        for (position, index) in candidates.enumerated() {
            let point = points[position]
            let dominated = points.contains { rival in
                rival.rate >= point.rate && rival.tpot <= point.tpot && (rival.rate > point.rate || rival.tpot < point.tpot)
            }
            options[index].isPareto = !dominated
        }
    }

    /// Nodes for `replicas` replicas of `devicesPerReplica` devices: replicas never straddle nodes, so
    /// floor(devices per node / devices per replica) fit in one node; a replica larger than a node
    /// takes ceil(devices per replica / devices per node) whole nodes.
    public static func nodes(replicas: Int, devicesPerReplica: Int, devicesPerNode: Int) -> Int {
        guard replicas > 0 else { return 0 }
        if devicesPerReplica <= devicesPerNode {
            let perNode = devicesPerNode / devicesPerReplica
            return (replicas + perNode - 1) / perNode
        }
        return replicas * ((devicesPerReplica + devicesPerNode - 1) / devicesPerNode)
    }

    /// Replicas needed for `required` requests/s at `perReplica` requests/s each: ceil(required / perReplica),
    /// raised by one when floating point rounding would leave replicas x perReplica short of `required`;
    /// `PhysicalLimits.maxReplicas + 1` when more than ``PhysicalLimits/maxReplicas`` would be needed.
    public static func replicas(required: Double, perReplica: Double) -> Int {
        guard perReplica > 0, perReplica.isFinite, required.isFinite else { return 0 }
        let ratio = required / perReplica
        // Above the cap the count is only reported as over it: the option is marked as not sized.
        guard ratio <= Double(PhysicalLimits.maxReplicas) else { return PhysicalLimits.maxReplicas + 1 }
        var count = max(Int(ratio.rounded(.up)), 1)
        if Double(count) * perReplica < required { count += 1 }
        return count
    }
}

/// Evaluation of one layout (see ``FleetSizing/evaluate(_:in:)``).
struct LayoutEvaluator {
    let task: FleetSizing.Task
    let workload: FleetWorkload
    let model: ModelSpec
    let candidate: FleetHardware
    let meanOutput: Double
    var estimates = 0
    var prefillCache: [Int: PhaseEstimate] = [:]

    init(task: FleetSizing.Task, workload: FleetWorkload) {
        self.task = task
        self.workload = workload
        model = workload.models[task.modelIndex]
        candidate = workload.hardware[task.hardwareIndex]
        meanOutput = workload.outputTokens.meanTokens
    }

    func request(batch: Int, inputTokens: Int) -> EstimateRequest {
        EstimateRequest(
            model: model, hardware: candidate.spec, batchSize: batch, beamSize: 1, inputTokens: inputTokens,
            outputTokens: workload.outputTokens.meanTokens(atLeast: 1), precision: task.precision, parallelism: task.layout,
            profile: workload.profile, kvPrecision: workload.kvPrecision)
    }

    var describeLayout: String {
        "\(task.layout.label) \(task.precision.rawValue) on \(candidate.spec.name)"
    }

    /// Batch-1 prefill of a `tokens`-token prompt (cached).
    mutating func prefill(tokens: Int) throws(PlannerError) -> PhaseEstimate {
        if let cached = prefillCache[tokens] { return cached }
        estimates += 1
        let estimate = try Estimator.prefill(request(batch: 1, inputTokens: tokens), operators: false)
        prefillCache[tokens] = estimate
        return estimate
    }

    static func occupancyMs(_ estimate: PhaseEstimate) -> Double {
        let rate = estimate.throughputRequestsPerSecond
        guard rate > 0, rate.isFinite else { return estimate.latencyMs }
        return Units.millisecondsPerSecond * Double(estimate.batchSize) / rate
    }

    mutating func notRunnable(_ error: PlannerError, what: String) -> FleetSizing.Outcome {
        var ratio: Double?
        var detail = "\(describeLayout): \(what): \(error)"
        if case let .doesNotFit(capacity, weights, kv, _) = error {
            ratio = (weights + kv) / capacity
            detail = "\(describeLayout) needs weights \(Self.gib(weights)) GiB + KV cache \(Self.gib(kv)) GiB per device "
                + "against \(Self.gib(capacity)) GiB usable (\(what))"
        }
        return .notRunnable(skip: SkipReason.classify(error, atBatchOne: true), detail: detail, fitRatio: ratio, estimates: estimates)
    }

    static func gib(_ mib: Double) -> String { "\((mib / 1024 * 100).rounded() / 100)" }

    mutating func run() -> FleetSizing.Outcome {
        let objectives = workload.objectives
        // Prefill moments over the prompt distribution.
        let (prompts, factor) = workload.inputTokens.expectationPoints
        var meanLatency = 0.0, meanOccupancy = 0.0, secondMoment = 0.0
        let largestPrefill: PhaseEstimate
        for prompt in prompts {
            let estimate: PhaseEstimate
            do { estimate = try prefill(tokens: prompt.tokens) } catch {
                return notRunnable(error, what: "prefill of a \(prompt.tokens)-token prompt at batch 1")
            }
            let occupancy = Self.occupancyMs(estimate)
            meanLatency += prompt.weight * estimate.latencyMs
            meanOccupancy += prompt.weight * occupancy
            secondMoment += prompt.weight * occupancy * occupancy
        }
        let moments = ServingModel.PrefillMoments(
            meanLatencyMs: meanLatency, meanOccupancyMs: meanOccupancy, secondMomentOccupancyMs2: secondMoment * factor)
        // Prefill latency of the prompt at each TTFT percentile.
        var quantileLatency: [Double: Double] = [:]
        for target in objectives.ttftTargets {
            guard let q = target.statistic.quantile else { continue }
            let tokens = workload.inputTokens.quantileTokens(q)
            do { quantileLatency[q] = try prefill(tokens: tokens).latencyMs } catch {
                return notRunnable(error, what: "prefill of the \(target.statistic) prompt (\(tokens) tokens) at batch 1")
            }
        }
        let longest = workload.inputTokens.largestTokens
        do { largestPrefill = try prefill(tokens: longest) } catch {
            return notRunnable(error, what: "prefill of the longest prompt (\(longest) tokens) at batch 1")
        }

        // Decode: the largest running batch that fits in memory, then the grid below it.
        let meanInput = workload.inputTokens.meanTokens(atLeast: 1)
        var decodeCache: [Int: PhaseEstimate] = [:]
        var failure: PlannerError?
        var decodeEvaluations = 0
        let baseRequest = request(batch: 1, inputTokens: meanInput)
        let largest = BatchSearch.largest(
            limit: workload.maxBatchSize, cache: &decodeCache,
            evaluate: { batch in
                decodeEvaluations += 1
                var request = baseRequest
                request.batchSize = batch
                do throws(PlannerError) { return try Estimator.decode(request, operators: false) } catch {
                    if batch == 1 { failure = error }
                    return nil
                }
            })
        estimates += decodeEvaluations
        guard let largest else {
            return notRunnable(failure ?? .invalidValue(field: "batch_size", value: "1", allowed: "a batch that runs"),
                               what: "decode at batch 1 (\(meanInput)-token prompt + \(Int(meanOutput.rounded())) output tokens)")
        }
        var points: [(point: ServingModel.OperatingPoint, memoryMiB: Double)] = []
        for batch in ServingModel.batchGrid(upTo: largest) {
            let estimate: PhaseEstimate
            if let cached = decodeCache[batch] {
                estimate = cached
            } else {
                estimates += 1
                var request = baseRequest
                request.batchSize = batch
                guard let value = try? Estimator.decode(request, operators: false) else { continue }
                estimate = value
            }
            let step = ServingModel.DecodeStep(batch: batch, latencyMs: estimate.latencyMs, occupancyMs: Self.occupancyMs(estimate))
            let point = ServingModel.operatingPoint(
                step: step, prefill: moments, meanOutputTokens: meanOutput, targets: objectives,
                prefillLatencyAtQuantileMs: { quantileLatency[$0] ?? meanLatency })
            points.append((point, estimate.memory.perDeviceMiB))
        }
        func better(_ a: ServingModel.OperatingPoint, than b: ServingModel.OperatingPoint) -> Bool {
            a.requestsPerSecond > b.requestsPerSecond
        }
        let meeting = points.filter { $0.point.meetsTargets }
        let chosen = meeting.max { better($1.point, than: $0.point) } ?? points.max { better($1.point, than: $0.point) }
        guard let chosen else {
            return notRunnable(.invalidValue(field: "batch_size", value: "1...\(largest)", allowed: "a batch that runs"), what: "decode")
        }
        var reason: String?
        if meeting.isEmpty { reason = Self.explain(points.map { $0.point }, objectives: objectives) }
        let prefillMiB = largestPrefill.memory.perDeviceMiB
        var option = makeOption(chosen.point, memoryMiB: max(chosen.memoryMiB, prefillMiB), reason: reason)
        option.curve = curve(points.map { $0.point })
        return .option(option, estimates: estimates)
    }

    /// The trade-off curve: every operating point, thinned evenly to ``FleetOption/curveLimit`` (the
    /// first and last kept).
    func curve(_ points: [ServingModel.OperatingPoint]) -> [FleetOption.CurvePoint] {
        let tpotIndex = workload.objectives.targets.firstIndex { $0.metric == .tpot }
        let devices = Double(task.layout.devices)
        let all = points.map { point in
            FleetOption.CurvePoint(
                batch: point.batch, tpotMs: tpotIndex.map { point.targetValuesMs[$0] } ?? point.tpotMeanMs,
                outputTokensPerSecondPerDevice: point.requestsPerSecond * meanOutput / devices, meetsTargets: point.meetsTargets)
        }
        guard all.count > FleetOption.curveLimit else { return all }
        let last = all.count - 1
        return (0..<FleetOption.curveLimit).map { all[$0 * last / (FleetOption.curveLimit - 1)] }
    }

    /// Why no batch meets the targets: each target no batch meets, with the best value any batch reaches.
    static func explain(_ points: [ServingModel.OperatingPoint], objectives: ServiceLevelObjectives) -> String {
        var parts: [String] = []
        for (index, target) in objectives.targets.enumerated() {
            let best = points.map { $0.targetValuesMs[index] }.min() ?? .infinity
            if !(best <= target.limitMs) {
                parts.append("\(target.label) is at least \(Self.format(best)) ms at any batch (target \(Self.format(target.limitMs)) ms)")
            }
        }
        if parts.isEmpty {
            return "no single batch meets " + objectives.targets.map(\.label).joined(separator: " and ") + " together"
        }
        return parts.joined(separator: "; ")
    }

    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "inf" }
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int(rounded))" : "\(rounded)"
    }

    func makeOption(_ point: ServingModel.OperatingPoint, memoryMiB: Double, reason: String?) -> FleetOption {
        let perReplica = point.requestsPerSecond
        let replicas = FleetSizing.replicas(required: workload.requiredRequestsPerSecond, perReplica: perReplica)
        var reason = reason
        if replicas > PhysicalLimits.maxReplicas {
            reason = "needs more than \(PhysicalLimits.maxReplicas) replicas (\(Self.format(workload.requiredRequestsPerSecond)) requests/s "
                + "at \(perReplica) requests/s per replica)" + (reason.map { "; \($0)" } ?? "")
        }
        let devicesPerReplica = task.layout.devices
        let devices = replicas * devicesPerReplica
        let perNode = candidate.devicesPerNode
        let nodes = FleetSizing.nodes(replicas: replicas, devicesPerReplica: devicesPerReplica, devicesPerNode: perNode)
        let billed = workload.billWholeNodes ? nodes * perNode : devices
        let price = workload.prices.price(for: candidate.spec.name)?.usdPerDeviceHour ?? .nan
        let costPerHour = Double(billed) * price
        let outputTokensPerHour = workload.demandOutputTokensPerSecond * Units.secondsPerHour
        let replicaTokens = perReplica * meanOutput
        return FleetOption(
            modelIndex: task.modelIndex, modelName: model.name, hardwareIndex: task.hardwareIndex, hardwareName: candidate.spec.name,
            precision: task.precision, layout: task.layout, replicas: replicas, devices: devices, nodes: nodes, devicesPerNode: perNode,
            billedDevices: billed, batchSize: point.batch, perReplicaRequestsPerSecond: perReplica,
            perReplicaOutputTokensPerSecond: replicaTokens, outputTokensPerSecondPerDevice: replicaTokens / Double(devicesPerReplica),
            utilization: workload.demandRequestsPerSecond / (Double(replicas) * perReplica), prefillUtilization: point.prefillUtilization,
            priceUSDPerDeviceHour: price, costPerHourUSD: costPerHour,
            costPerMillionOutputTokensUSD: costPerHour / outputTokensPerHour * 1_000_000,
            ttftMeanMs: point.ttftMeanMs, tpotMeanMs: point.tpotMeanMs, decodeStepMs: point.decodeStepMs,
            targetValuesMs: point.targetValuesMs, memoryPerDeviceGiB: memoryMiB / 1024, meetsTargets: reason == nil, reason: reason,
            isPareto: false)
    }
}
