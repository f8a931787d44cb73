import PlannerCore
import PlannerWire

/// Fleet outcomes on the wire. The model, hardware, precision and layout are not sent: the index
/// names the task in the job's list, and the coordinator takes them from its own copy.
extension WireMapping {
    static func fleetOutcome(_ outcome: FleetSizing.Outcome, index: Int) -> Planner_Wire_V1_FleetOutcome {
        var wire = Planner_Wire_V1_FleetOutcome()
        wire.index = UInt64(index)
        switch outcome {
        case let .option(option, estimates):
            wire.estimates = UInt64(max(estimates, 0))
            wire.option = fleetOption(option)
        case let .notRunnable(skip, detail, fitRatio, estimates):
            wire.estimates = UInt64(max(estimates, 0))
            var value = Planner_Wire_V1_FleetNotRunnable()
            value.skip = skip
            value.detail = detail
            if let fitRatio { value.fitRatio = fitRatio }
            wire.notRunnable = value
        }
        return wire
    }

    static func fleetOption(_ option: FleetOption) -> Planner_Wire_V1_FleetOption {
        var wire = Planner_Wire_V1_FleetOption()
        wire.replicas = UInt64(max(option.replicas, 0))
        wire.devices = UInt64(max(option.devices, 0))
        wire.nodes = UInt64(max(option.nodes, 0))
        wire.devicesPerNode = UInt64(max(option.devicesPerNode, 0))
        wire.billedDevices = UInt64(max(option.billedDevices, 0))
        wire.batchSize = UInt64(max(option.batchSize, 0))
        wire.perReplicaRps = option.perReplicaRequestsPerSecond
        wire.perReplicaOutputTokS = option.perReplicaOutputTokensPerSecond
        wire.outputTokSPerDevice = option.outputTokensPerSecondPerDevice
        wire.utilization = option.utilization
        wire.prefillUtilization = option.prefillUtilization
        wire.priceUsdPerDeviceHour = option.priceUSDPerDeviceHour
        wire.costPerHourUsd = option.costPerHourUSD
        wire.costPerMillionOutputTokensUsd = option.costPerMillionOutputTokensUSD
        wire.ttftMeanMs = option.ttftMeanMs
        wire.tpotMeanMs = option.tpotMeanMs
        wire.decodeStepMs = option.decodeStepMs
        wire.targetValuesMs = option.targetValuesMs
        wire.memoryPerDeviceGib = option.memoryPerDeviceGiB
        wire.meetsTargets = option.meetsTargets
        if let reason = option.reason { wire.reason = reason }
        wire.curveBatch = option.curve.map { UInt64(max($0.batch, 0)) }
        wire.curveTpotMs = option.curve.map(\.tpotMs)
        wire.curveOutputTokSPerDevice = option.curve.map(\.outputTokensPerSecondPerDevice)
        wire.curveMeetsTargets = option.curve.map(\.meetsTargets)
        return wire
    }

    /// Longest text accepted in a fleet outcome (reasons and details are a few hundred bytes).
    static let maxFleetTextBytes = 4096

    /// Rebuilds the outcome of `task` from the wire.
    /// - Returns: nil when the message is inconsistent: no outcome, a count that does not fit an
    ///   `Int`, target values that do not match the workload's targets, curve arrays of different
    ///   lengths, too long a curve or text.
    static func fleetOutcome(_ wire: Planner_Wire_V1_FleetOutcome, task: FleetSizing.Task, workload: FleetWorkload) -> FleetSizing.Outcome? {
        guard let estimates = Int(exactly: wire.estimates) else { return nil }
        switch wire.outcome {
        case nil:
            return nil
        case let .notRunnable(value):
            guard !value.skip.isEmpty, value.skip.utf8.count <= 200, value.detail.utf8.count <= maxFleetTextBytes else { return nil }
            return .notRunnable(skip: value.skip, detail: value.detail, fitRatio: value.hasFitRatio ? value.fitRatio : nil, estimates: estimates)
        case let .option(value):
            let points = value.curveBatch.count
            guard value.targetValuesMs.count == workload.objectives.targets.count, points <= FleetOption.curveLimit,
                  value.curveTpotMs.count == points, value.curveOutputTokSPerDevice.count == points, value.curveMeetsTargets.count == points,
                  value.reason.utf8.count <= maxFleetTextBytes,
                  let replicas = Int(exactly: value.replicas), let devices = Int(exactly: value.devices),
                  let nodes = Int(exactly: value.nodes), let devicesPerNode = Int(exactly: value.devicesPerNode),
                  let billed = Int(exactly: value.billedDevices), let batch = Int(exactly: value.batchSize)
            else { return nil }
            // Every figure is a rate, a time, a share, a price or a size: never NaN, never negative
            // (+infinity is left to the engine's own meaning, e.g. an unbounded cost).
            let figures = [value.perReplicaRps, value.perReplicaOutputTokS, value.outputTokSPerDevice, value.utilization,
                           value.prefillUtilization, value.priceUsdPerDeviceHour, value.costPerHourUsd,
                           value.costPerMillionOutputTokensUsd, value.ttftMeanMs, value.tpotMeanMs, value.decodeStepMs,
                           value.memoryPerDeviceGib] + value.targetValuesMs + value.curveTpotMs + value.curveOutputTokSPerDevice
            guard figures.allSatisfy({ !$0.isNaN && $0 >= 0 }) else { return nil }
            var option = FleetOption(task: task, workload: workload)
            option.replicas = replicas
            option.devices = devices
            option.nodes = nodes
            option.devicesPerNode = devicesPerNode
            option.billedDevices = billed
            option.batchSize = batch
            option.perReplicaRequestsPerSecond = value.perReplicaRps
            option.perReplicaOutputTokensPerSecond = value.perReplicaOutputTokS
            option.outputTokensPerSecondPerDevice = value.outputTokSPerDevice
            option.utilization = value.utilization
            option.prefillUtilization = value.prefillUtilization
            option.priceUSDPerDeviceHour = value.priceUsdPerDeviceHour
            option.costPerHourUSD = value.costPerHourUsd
            option.costPerMillionOutputTokensUSD = value.costPerMillionOutputTokensUsd
            option.ttftMeanMs = value.ttftMeanMs
            option.tpotMeanMs = value.tpotMeanMs
            option.decodeStepMs = value.decodeStepMs
            option.targetValuesMs = value.targetValuesMs
            option.memoryPerDeviceGiB = value.memoryPerDeviceGib
            option.meetsTargets = value.meetsTargets
            option.reason = value.hasReason ? value.reason : nil
            var curve: [FleetOption.CurvePoint] = []
            curve.reserveCapacity(points)
            for index in 0..<points {
                guard let batch = Int(exactly: value.curveBatch[index]) else { return nil }
                curve.append(FleetOption.CurvePoint(batch: batch, tpotMs: value.curveTpotMs[index],
                                                    outputTokensPerSecondPerDevice: value.curveOutputTokSPerDevice[index],
                                                    meetsTargets: value.curveMeetsTargets[index]))
            }
            option.curve = curve
            return .option(option, estimates: estimates)
        }
    }
}
