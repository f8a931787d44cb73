/// One accelerator as the estimator sees it.
///
/// Units follow GenZ: `flopsTFLOPS` is the bf16 peak in decimal TFLOPS (other precisions scale it by
/// ``Precision/computeMultiplier``); memory and bandwidths are binary (GiB, GiB/s); the
/// interconnect latency is per hop, in microseconds. The `default` profile reads bandwidths as the
/// decimal GB/s that datasheets publish and derates every peak by the family's efficiencies.
public struct HardwareSpec: Sendable, Hashable {
    /// Catalog name, or `custom` for a user-supplied description.
    public var name: String
    /// Peak bf16 tensor throughput, decimal TFLOPS. Must be positive.
    public var flopsTFLOPS: Double
    /// Device memory, binary GB (GiB). Must be positive.
    public var memoryGiB: Double
    /// Device memory bandwidth, binary GB/s. Must be positive.
    public var memoryBandwidthGBps: Double
    /// Per-device interconnect bandwidth used by collectives, binary GB/s. Must be positive.
    public var interconnectGBps: Double
    /// Interconnect link latency per hop, microseconds. Must be non-negative.
    public var interconnectLatencyUs: Double
    /// On-chip (SRAM) bandwidth in binary GB/s: GenZ's fixed 18,000.
    public var onChipBandwidthGBps: Double

    // MARK: Figures only the `default` profile uses (GenZ ignores them)

    /// Generation: sets the default efficiencies, node size, scale-out network and native precisions.
    public var family: HardwareFamily
    /// Dense bf16 peak, decimal TFLOPS, where `flopsTFLOPS` is a sparse figure (GenZ's GH200, B100,
    /// GB200 presets); nil means `flopsTFLOPS` is already dense.
    public var denseFlopsTFLOPS: Double?
    /// Per-direction scale-up link bandwidth (NVLink class), decimal GB/s, where GenZ's `ICN` is not
    /// that figure (GenZ's A100 presets: 150; NVLink 3 gives 300); nil means `interconnectGBps`.
    public var scaleUpGBps: Double?
    /// Achievable fraction of the dense peak FLOPS (0 < x <= 1); nil means the family's.
    public var computeEfficiency: Double?
    /// Achievable fraction of the peak memory bandwidth (0 < x <= 1); nil means the family's.
    public var memoryEfficiency: Double?
    /// Achievable fraction of the link bandwidth in collectives (0 < x <= 1); nil means the family's.
    public var linkEfficiency: Double?
    /// Fixed cost of every kernel, microseconds; nil means the family's.
    public var kernelOverheadUs: Double?
    /// Devices per node (sharing the scale-up link); nil means the family's default.
    public var devicesPerNode: Int?
    /// Per-device inter-node bandwidth, decimal GB/s; nil means the family's.
    public var interNodeGBps: Double?
    /// Inter-node hop latency, microseconds; nil means the family's.
    public var interNodeLatencyUs: Double?
    /// Fraction of device memory the model may use (the rest is runtime, allocator and fragmentation
    /// reserve, as vLLM's `gpu_memory_utilization`). 0 < x <= 1; default 0.9.
    public var usableMemoryFraction: Double

    public init(
        name: String,
        flopsTFLOPS: Double,
        memoryGiB: Double,
        memoryBandwidthGBps: Double,
        interconnectGBps: Double,
        interconnectLatencyUs: Double = 1,
        onChipBandwidthGBps: Double = 18_000,
        family: HardwareFamily = .generic,
        denseFlopsTFLOPS: Double? = nil,
        scaleUpGBps: Double? = nil,
        computeEfficiency: Double? = nil,
        memoryEfficiency: Double? = nil,
        linkEfficiency: Double? = nil,
        kernelOverheadUs: Double? = nil,
        devicesPerNode: Int? = nil,
        interNodeGBps: Double? = nil,
        interNodeLatencyUs: Double? = nil,
        usableMemoryFraction: Double = 0.9
    ) {
        self.name = name
        self.flopsTFLOPS = flopsTFLOPS
        self.memoryGiB = memoryGiB
        self.memoryBandwidthGBps = memoryBandwidthGBps
        self.interconnectGBps = interconnectGBps
        self.interconnectLatencyUs = interconnectLatencyUs
        self.onChipBandwidthGBps = onChipBandwidthGBps
        self.family = family
        self.denseFlopsTFLOPS = denseFlopsTFLOPS
        self.scaleUpGBps = scaleUpGBps
        self.computeEfficiency = computeEfficiency
        self.memoryEfficiency = memoryEfficiency
        self.linkEfficiency = linkEfficiency
        self.kernelOverheadUs = kernelOverheadUs
        self.devicesPerNode = devicesPerNode
        self.interNodeGBps = interNodeGBps
        self.interNodeLatencyUs = interNodeLatencyUs
        self.usableMemoryFraction = usableMemoryFraction
    }

    /// The efficiencies the `default` profile applies: the overrides where set, else the family's.
    public var resolvedEfficiency: HardwareFamily.Efficiency {
        let base = family.efficiency
        return HardwareFamily.Efficiency(
            compute: computeEfficiency ?? base.compute, memory: memoryEfficiency ?? base.memory,
            link: linkEfficiency ?? base.link, kernelOverheadUs: kernelOverheadUs ?? base.kernelOverheadUs)
    }

    /// Dense bf16 peak, decimal TFLOPS, as the `default` profile uses it.
    @inlinable public var resolvedDenseFlopsTFLOPS: Double { denseFlopsTFLOPS ?? flopsTFLOPS }
    /// Per-direction scale-up bandwidth, decimal GB/s, as the `default` profile uses it.
    @inlinable public var resolvedScaleUpGBps: Double { scaleUpGBps ?? interconnectGBps }
    /// Devices per node, as the `default` profile uses it.
    @inlinable public var resolvedDevicesPerNode: Int { devicesPerNode ?? family.devicesPerNode }
    /// Inter-node bandwidth per device, decimal GB/s.
    @inlinable public var resolvedInterNodeGBps: Double { interNodeGBps ?? family.interNodeGBps }
    /// Inter-node hop latency, microseconds.
    @inlinable public var resolvedInterNodeLatencyUs: Double { interNodeLatencyUs ?? family.interNodeLatencyUs }

    /// Checks that every figure lies in its physical range (``PhysicalLimits``).
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the GenZ key, the value and the range.
    public func validate() throws(PlannerError) {
        // Checked one by one (no temporary arrays): this runs on every estimate.
        let context = "(hardware '\(name)')"
        func check(_ range: PhysicalRange, _ value: Double?) throws(PlannerError) {
            if let value { try range.check(value, context: context) }
        }
        try check(PhysicalLimits.flopsTFLOPS, flopsTFLOPS)
        try check(PhysicalLimits.memoryGiB, memoryGiB)
        try check(PhysicalLimits.memoryBandwidthGBps, memoryBandwidthGBps)
        try check(PhysicalLimits.interconnectGBps, interconnectGBps)
        try check(PhysicalLimits.interconnectLatencyUs, interconnectLatencyUs)
        try check(PhysicalLimits.computeEfficiency, computeEfficiency)
        try check(PhysicalLimits.memoryEfficiency, memoryEfficiency)
        try check(PhysicalLimits.linkEfficiency, linkEfficiency)
        try check(PhysicalLimits.usableMemoryFraction, usableMemoryFraction)
        try check(PhysicalLimits.denseFlopsTFLOPS, denseFlopsTFLOPS)
        try check(PhysicalLimits.scaleUpGBps, scaleUpGBps)
        try check(PhysicalLimits.interNodeGBps, interNodeGBps)
        try check(PhysicalLimits.kernelOverheadUs, kernelOverheadUs)
        try check(PhysicalLimits.interNodeLatencyUs, interNodeLatencyUs)
        if let devicesPerNode { try PhysicalLimits.devicesPerNode.check(devicesPerNode, context: context) }
    }
}
