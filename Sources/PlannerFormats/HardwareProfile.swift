public import PlannerCore

/// A hardware profile file: a hardware description in the keys of a custom hardware object
/// (``Inputs/hardwareKeys``) with the figures `planner calibrate` fitted, and where they come from
/// under `provenance` (metadata the readers skip). Every command reads it where it reads hardware.
public enum HardwareProfile {
    /// Where a profile's figures come from.
    public struct Provenance: Sendable, Hashable {
        public var baseHardware: String
        public var points: [String]
        public var date: String
        public var fitted: [String]
        public var fixed: [String]
        public var medianErrorBeforePercent: Double?
        public var medianErrorAfterPercent: Double?
        public var leaveOneOutMedianErrorPercent: Double?

        public init(baseHardware: String, points: [String], date: String, fitted: [String], fixed: [String],
                    medianErrorBeforePercent: Double?, medianErrorAfterPercent: Double?, leaveOneOutMedianErrorPercent: Double?) {
            self.baseHardware = baseHardware
            self.points = points
            self.date = date
            self.fitted = fitted
            self.fixed = fixed
            self.medianErrorBeforePercent = medianErrorBeforePercent
            self.medianErrorAfterPercent = medianErrorAfterPercent
            self.leaveOneOutMedianErrorPercent = leaveOneOutMedianErrorPercent
        }
    }

    /// The profile as YAML (every figure written out, so the file does not depend on later changes
    /// to the preset or family defaults).
    public static func yaml(_ hardware: HardwareSpec, provenance: Provenance) -> String {
        let family = hardware.family.efficiency
        func number(_ value: Double) -> String { JSONValue.double(value).serialized() }
        func quoted(_ text: String) -> String { JSONValue.string(text).serialized() }
        var lines = [
            "# planner hardware profile (planner calibrate): pass it with --hardware-file, or by path in a spec.",
            "name: \(quoted(hardware.name))",
            "Flops: \(number(hardware.flopsTFLOPS))",
            "Memory_size: \(number(hardware.memoryGiB))",
            "Memory_BW: \(number(hardware.memoryBandwidthGBps))",
            "ICN: \(number(hardware.interconnectGBps))",
            "ICN_LL: \(number(hardware.interconnectLatencyUs))",
            "family: \(hardware.family.rawValue)",
        ]
        if let dense = hardware.denseFlopsTFLOPS { lines.append("dense_Flops: \(number(dense))") }
        if let scaleUp = hardware.scaleUpGBps { lines.append("scale_up_BW: \(number(scaleUp))") }
        lines += [
            "compute_efficiency: \(number(hardware.computeEfficiency ?? family.compute))",
            "memory_efficiency: \(number(hardware.memoryEfficiency ?? family.memory))",
            "link_efficiency: \(number(hardware.linkEfficiency ?? family.link))",
            "kernel_overhead_us: \(number(hardware.kernelOverheadUs ?? family.kernelOverheadUs))",
            "devices_per_node: \(hardware.resolvedDevicesPerNode)",
        ]
        if let interNode = hardware.interNodeGBps { lines.append("inter_node_BW: \(number(interNode))") }
        if let latency = hardware.interNodeLatencyUs { lines.append("inter_node_LL: \(number(latency))") }
        lines.append("usable_memory_fraction: \(number(hardware.usableMemoryFraction))")
        lines += [
            "provenance:",
            "  tool: \(quoted("planner calibrate (\(EngineVersion.string))"))",
            "  date: \(quoted(provenance.date))",
            "  base_hardware: \(quoted(provenance.baseHardware))",
            "  points: [\(provenance.points.map(quoted).joined(separator: ", "))]",
            "  fitted: [\(provenance.fitted.map(quoted).joined(separator: ", "))]",
            "  fixed: [\(provenance.fixed.map(quoted).joined(separator: ", "))]",
        ]
        func optional(_ key: String, _ value: Double?) { lines.append("  \(key): \(value.map(number) ?? "null")") }
        optional("median_abs_error_pct_before", provenance.medianErrorBeforePercent)
        optional("median_abs_error_pct_after", provenance.medianErrorAfterPercent)
        optional("leave_one_out_median_abs_error_pct", provenance.leaveOneOutMedianErrorPercent)
        return lines.joined(separator: "\n") + "\n"
    }
}
