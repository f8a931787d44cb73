/// Achievable rates of one device for the `default` profile, and the time of operators and collectives.
///
/// Peaks come from the hardware description read as datasheets publish them (dense bf16 TFLOPS in
/// decimal units, bandwidths in decimal GB/s) and are derated by the family's (or the overridden)
/// efficiencies. Every kernel pays a fixed overhead on top of its roofline time.
struct DefaultRoofline {
    /// Achievable multiply-accumulates per second at the request's precision.
    let macsPerSecond: Double
    /// Achievable memory bytes per second.
    let memoryBytesPerSecond: Double
    /// Fixed cost of one kernel, seconds.
    let kernelSeconds: Double
    let scaleUpBytesPerSecond: Double
    let scaleUpLatencySeconds: Double
    let interNodeBytesPerSecond: Double
    let interNodeLatencySeconds: Double
    let devicesPerNode: Int

    init(hardware: HardwareSpec, precision: Precision) {
        let efficiency = hardware.resolvedEfficiency
        macsPerSecond = Units.macsPerSecond(tflops: hardware.resolvedDenseFlopsTFLOPS) * efficiency.compute
            / hardware.family.computeMultiplier(precision)
        memoryBytesPerSecond = hardware.memoryBandwidthGBps * Units.bytesPerDecimalGB * efficiency.memory
        kernelSeconds = efficiency.kernelOverheadUs * Units.secondsPerMicrosecond
        scaleUpBytesPerSecond = hardware.resolvedScaleUpGBps * Units.bytesPerDecimalGB * efficiency.link
        scaleUpLatencySeconds = hardware.interconnectLatencyUs * Units.secondsPerMicrosecond
        interNodeBytesPerSecond = hardware.resolvedInterNodeGBps * Units.bytesPerDecimalGB * efficiency.link
        interNodeLatencySeconds = hardware.resolvedInterNodeLatencyUs * Units.secondsPerMicrosecond
        devicesPerNode = hardware.resolvedDevicesPerNode
    }

    @inline(__always) func computeSeconds(macs: Double) -> Double { macs / macsPerSecond }
    @inline(__always) func memorySeconds(bytes: Double) -> Double { bytes / memoryBytesPerSecond }

    /// Link bandwidth and per-hop latency of a group of `participants` consecutive devices: the
    /// scale-up link inside a node, the inter-node network once the group spans nodes.
    @inline(__always) func link(participants: Int) -> (bytesPerSecond: Double, latencySeconds: Double) {
        participants > devicesPerNode
            ? (interNodeBytesPerSecond, interNodeLatencySeconds)
            : (scaleUpBytesPerSecond, scaleUpLatencySeconds)
    }

    /// Ring all-reduce of `bytes` per device over `participants` devices: 2(n-1) steps of n-th
    /// chunks over the slowest link in the ring, plus one kernel.
    func allReduceSeconds(bytes: Double, participants: Int) -> Double {
        if participants <= 1 || bytes == 0 { return 0 }
        let (bandwidth, latency) = link(participants: participants)
        let n = Double(participants)
        return kernelSeconds + 2 * (n - 1) * latency + 2 * (n - 1) / n * bytes / bandwidth
    }

    /// Ring all-gather whose result is `totalBytes` on every device.
    func allGatherSeconds(totalBytes: Double, participants: Int) -> Double {
        if participants <= 1 || totalBytes == 0 { return 0 }
        let (bandwidth, latency) = link(participants: participants)
        let n = Double(participants)
        return kernelSeconds + (n - 1) * latency + (n - 1) / n * totalBytes / bandwidth
    }

    /// All-to-all in which every device sends `bytes` in all, spread evenly over the `participants`
    /// devices (itself included), as expert-parallel dispatch and combine do: (n - 1)/n of it leaves
    /// the device, the part for devices of its own node over the scale-up link and the part for other
    /// nodes over the network at the same time, plus one hop and one kernel.
    func allToAllSeconds(bytes: Double, participants: Int) -> Double {
        if participants <= 1 || bytes == 0 { return 0 }
        let n = Double(participants)
        let node = Double(min(participants, devicesPerNode))
        let local = (node - 1) / n * bytes / scaleUpBytesPerSecond
        let remote = (n - node) / n * bytes / interNodeBytesPerSecond
        let latency = participants > devicesPerNode ? interNodeLatencySeconds : scaleUpLatencySeconds
        return kernelSeconds + latency + max(local, remote)
    }

    /// One transfer between neighbouring pipeline stages.
    func pointToPointSeconds(bytes: Double, crossesNodes: Bool) -> Double {
        if bytes == 0 { return 0 }
        let bandwidth = crossesNodes ? interNodeBytesPerSecond : scaleUpBytesPerSecond
        let latency = crossesNodes ? interNodeLatencySeconds : scaleUpLatencySeconds
        return kernelSeconds + latency + bytes / bandwidth
    }

    /// Sum over the integer steps j in `from...to` of max(a0 + a1 j, b0 + b1 j): two affine costs
    /// (compute and memory of an attention step as the context grows), summed exactly.
    static func sumOfMaxAffine(_ a0: Double, _ a1: Double, _ b0: Double, _ b1: Double, from: Int, to: Int) -> Double {
        if to < from { return 0 }
        @inline(__always) func affineSum(_ c0: Double, _ c1: Double, _ lo: Int, _ hi: Int) -> Double {
            if hi < lo { return 0 }
            let count = Double(hi - lo + 1)
            return count * c0 + c1 * Double(lo + hi) * count / 2
        }
        let d0 = a0 - b0, d1 = a1 - b1
        // a >= b where d0 + d1 j >= 0.
        if d1 == 0 {
            return d0 >= 0 ? affineSum(a0, a1, from, to) : affineSum(b0, b1, from, to)
        }
        let crossing = -d0 / d1
        if d1 > 0 {
            // a wins for j >= crossing.
            let first = Int.clamping(crossing.rounded(.up), low: from, high: to + 1)
            return affineSum(b0, b1, from, first - 1) + affineSum(a0, a1, first, to)
        }
        // a wins for j <= crossing.
        let last = Int.clamping(crossing.rounded(.down), low: from - 1, high: to)
        return affineSum(a0, a1, from, last) + affineSum(b0, b1, last + 1, to)
    }
}
