/// One accelerator as the estimator sees it.
///
/// Units follow GenZ: `flopsTFLOPS` is the bf16 peak in decimal TFLOPS (other precisions scale it by
/// ``Precision/computeMultiplier``); memory and bandwidths are binary (GiB, GiB/s); the
/// interconnect latency is per hop, in microseconds.
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

    public init(
        name: String,
        flopsTFLOPS: Double,
        memoryGiB: Double,
        memoryBandwidthGBps: Double,
        interconnectGBps: Double,
        interconnectLatencyUs: Double = 1,
        onChipBandwidthGBps: Double = 18_000
    ) {
        self.name = name
        self.flopsTFLOPS = flopsTFLOPS
        self.memoryGiB = memoryGiB
        self.memoryBandwidthGBps = memoryBandwidthGBps
        self.interconnectGBps = interconnectGBps
        self.interconnectLatencyUs = interconnectLatencyUs
        self.onChipBandwidthGBps = onChipBandwidthGBps
    }

    /// Checks that every figure is finite and in range.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the GenZ key.
    public func validate() throws(PlannerError) {
        let positive: [(String, Double)] = [
            ("Flops", flopsTFLOPS), ("Memory_size", memoryGiB), ("Memory_BW", memoryBandwidthGBps),
            ("ICN", interconnectGBps),
        ]
        for (field, value) in positive where !(value.isFinite && value > 0) {
            throw .invalidValue(field: field, value: "\(value)", allowed: "a positive finite number (hardware '\(name)')")
        }
        if !(interconnectLatencyUs.isFinite && interconnectLatencyUs >= 0) {
            throw .invalidValue(field: "ICN_LL", value: "\(interconnectLatencyUs)",
                                allowed: "a non-negative finite number of microseconds (hardware '\(name)')")
        }
    }
}
