/// The built-in hardware catalog.
///
/// - GenZ 0.0.16's 13 presets, with GenZ's own figures (names such as `A100_80GB_GPU`).
/// - The llm-memory-calculator names `A100_40GB`, `A100_80GB`, `H100_80GB` with that API's figures.
///   Its other three names (`MI300X`, `TPUv4`, `TPUv5e`) are also GenZ preset names and resolve to
///   GenZ's figures, since GenZ's answers are the reference.
/// - `H200` and `B200` with published figures (dense bf16 TFLOPS; NVLink per-direction bandwidth).
///
/// Lookup is case-insensitive and also accepts each entry's aliases.
public enum HardwareCatalog {
    /// One catalog entry: the spec, aliases and where its figures come from.
    public struct Entry: Sendable, Hashable {
        public var spec: HardwareSpec
        public var aliases: [String]
        public var source: String
    }

    /// Every entry, in catalog order.
    public static let entries: [Entry] = [
        genz("A100_40GB_GPU", 312, 40, 1600, 150, .nvidiaAmpere, scaleUp: 300),
        genz("A100_80GB_GPU", 312, 80, 2039, 150, .nvidiaAmpere, scaleUp: 300),
        genz("H100_GPU", 989, 80, 3400, 450, .nvidiaHopper),
        genz("GH200_GPU", 1979, 144, 4900, 450, .nvidiaHopper, dense: 989),
        genz("B100", 3500, 192, 8000, 900, .nvidiaBlackwell, latencyUs: 0.25, dense: 1750),
        genz("GB200", 4500, 192, 8000, 900, .nvidiaBlackwell, latencyUs: 0.25, dense: 2500, devicesPerNode: 72),
        genz("TPUv6", 926, 32, 1640, 100, .googleTPU),
        genz("TPUv5e", 197, 16, 820, 50, .googleTPU),
        genz("TPUv5p", 459, 95, 2765, 450, .googleTPU),
        genz("TPUv4", 275, 32, 1228, 24, .googleTPU),
        genz("MI300X", 1307, 192, 5300, 400, .amdCDNA3, scaleUp: 448),
        genz("MI325X", 1307, 256, 6000, 400, .amdCDNA3, scaleUp: 448),
        genz("Gaudi3", 1835, 128, 3675, 300, .intelGaudi, scaleUp: 525),
        api("A100_40GB", 312, 40, 1555, 600, .nvidiaAmpere, scaleUp: 300),
        api("A100_80GB", 312, 80, 2039, 600, .nvidiaAmpere, scaleUp: 300),
        api("H100_80GB", 989, 80, 3352, 900, .nvidiaHopper, scaleUp: 450),
        Entry(
            spec: HardwareSpec(name: "H200", flopsTFLOPS: 989, memoryGiB: 141, memoryBandwidthGBps: 4800,
                               interconnectGBps: 450, interconnectLatencyUs: 1, family: .nvidiaHopper),
            aliases: ["H200_GPU", "H200_141GB", "H200-SXM"],
            source: "NVIDIA H200 SXM datasheet: 989 TFLOPS dense bf16, 141 GB HBM3e, 4.8 TB/s, NVLink 900 GB/s (450 per direction)"
        ),
        Entry(
            spec: HardwareSpec(name: "B200", flopsTFLOPS: 2250, memoryGiB: 192, memoryBandwidthGBps: 8000,
                               interconnectGBps: 900, interconnectLatencyUs: 0.25, family: .nvidiaBlackwell),
            aliases: ["B200_GPU", "B200_192GB"],
            source: "NVIDIA B200 (HGX): 2,250 TFLOPS dense bf16, 192 GB HBM3e, 8 TB/s, NVLink 5 1.8 TB/s (900 per direction)"
        ),
    ]

    /// The hardware used when none is given: llm-memory-calculator's default system
    /// `{Flops 312, Memory_size 80, Memory_BW 2039, ICN 600}` (an A100 80GB).
    /// For the `default` profile it is an NVIDIA Ampere part whose NVLink 3 moves 300 GB/s per direction.
    public static let defaultHardware = HardwareSpec(
        name: "default", flopsTFLOPS: 312, memoryGiB: 80, memoryBandwidthGBps: 2039, interconnectGBps: 600,
        family: .nvidiaAmpere, scaleUpGBps: 300)

    private static let index: [String: Int] = {
        var table: [String: Int] = [:]
        for (position, entry) in entries.enumerated() {
            for key in [entry.spec.name] + entry.aliases where table[key.lowercased()] == nil {
                table[key.lowercased()] = position
            }
        }
        return table
    }()

    /// Every catalog name, in catalog order.
    public static var names: [String] { entries.map(\.spec.name) }

    /// Looks hardware up by name or alias, case-insensitively.
    /// - Throws: ``PlannerError/unknownHardware(name:known:)`` listing the catalog names.
    public static func hardware(named name: String) throws(PlannerError) -> HardwareSpec {
        guard let position = index[name.lowercased()] else { throw .unknownHardware(name: name, known: names) }
        return entries[position].spec
    }

    /// A GenZ preset with GenZ's figures, plus what only the `default` profile reads: the family, the
    /// dense bf16 peak where GenZ lists a sparse one, the per-direction scale-up link where GenZ's ICN
    /// is not that figure, and the NVLink domain size where it is not 8.
    private static func genz(_ name: String, _ flops: Double, _ memory: Double, _ bandwidth: Double,
                             _ icn: Double, _ family: HardwareFamily, latencyUs: Double = 1, dense: Double? = nil,
                             scaleUp: Double? = nil, devicesPerNode: Int? = nil) -> Entry {
        var source = "GenZ 0.0.16 Systems/system_configs.py"
        if let dense { source += "; default profile: dense bf16 \(Int(dense)) TFLOPS (GenZ's \(Int(flops)) is the sparse figure)" }
        if let scaleUp { source += "; default profile: scale-up link \(Int(scaleUp)) GB/s per direction" }
        if let devicesPerNode { source += "; default profile: \(devicesPerNode) devices per NVLink domain" }
        return Entry(
            spec: HardwareSpec(name: name, flopsTFLOPS: flops, memoryGiB: memory, memoryBandwidthGBps: bandwidth,
                               interconnectGBps: icn, interconnectLatencyUs: latencyUs, family: family,
                               denseFlopsTFLOPS: dense, scaleUpGBps: scaleUp, devicesPerNode: devicesPerNode),
            aliases: [], source: source)
    }

    private static func api(_ name: String, _ flops: Double, _ memory: Double, _ bandwidth: Double,
                            _ icn: Double, _ family: HardwareFamily, scaleUp: Double) -> Entry {
        Entry(spec: HardwareSpec(name: name, flopsTFLOPS: flops, memoryGiB: memory, memoryBandwidthGBps: bandwidth,
                                 interconnectGBps: icn, family: family, scaleUpGBps: scaleUp),
              aliases: [], source: "llm-memory-calculator HARDWARE_CONFIGS (performance API); default profile: scale-up link "
                  + "\(Int(scaleUp)) GB/s per direction (the API's ICN is the bidirectional figure)")
    }
}
