/// The accelerator generation a device belongs to. The `default` profile takes its achievable
/// efficiencies, per-kernel overhead, node size, scale-out network and native precisions from it.
///
/// The constants are per family, from public microbenchmarks and vendor documentation (see the README,
/// "Efficiencies"), never fitted to single measured points.
public enum HardwareFamily: String, Sendable, Hashable, CaseIterable, Codable {
    /// NVIDIA A100.
    case nvidiaAmpere = "nvidia-ampere"
    /// NVIDIA H100, H200, GH200.
    case nvidiaHopper = "nvidia-hopper"
    /// NVIDIA B100, B200, GB200.
    case nvidiaBlackwell = "nvidia-blackwell"
    /// AMD Instinct MI300X, MI325X.
    case amdCDNA3 = "amd-cdna3"
    /// Google TPU v4, v5e, v5p, v6.
    case googleTPU = "google-tpu"
    /// Intel Gaudi 3.
    case intelGaudi = "intel-gaudi"
    /// Unknown hardware (custom descriptions without `family`): middle-of-the-road constants.
    case generic

    /// Achievable fractions of the peak figures and the fixed cost of one kernel.
    public struct Efficiency: Sendable, Hashable {
        /// Fraction of the dense peak FLOPS that large matrix multiplies and fused attention sustain.
        public var compute: Double
        /// Fraction of the peak memory bandwidth that streaming reads sustain.
        public var memory: Double
        /// Fraction of the link bandwidth that collectives sustain (NCCL/RCCL bus bandwidth).
        public var link: Double
        /// Fixed time every kernel pays (launch, ramp-up and tail), microseconds.
        public var kernelOverheadUs: Double

        public init(compute: Double, memory: Double, link: Double, kernelOverheadUs: Double) {
            self.compute = compute
            self.memory = memory
            self.link = link
            self.kernelOverheadUs = kernelOverheadUs
        }
    }

    /// The family's default efficiencies (README, "Efficiencies", gives the reasoning for each).
    public var efficiency: Efficiency {
        switch self {
        case .nvidiaAmpere: Efficiency(compute: 0.70, memory: 0.85, link: 0.75, kernelOverheadUs: 5)
        case .nvidiaHopper: Efficiency(compute: 0.65, memory: 0.80, link: 0.80, kernelOverheadUs: 4)
        case .nvidiaBlackwell: Efficiency(compute: 0.60, memory: 0.80, link: 0.80, kernelOverheadUs: 4)
        case .amdCDNA3: Efficiency(compute: 0.45, memory: 0.70, link: 0.70, kernelOverheadUs: 6)
        case .googleTPU: Efficiency(compute: 0.60, memory: 0.80, link: 0.75, kernelOverheadUs: 3)
        case .intelGaudi: Efficiency(compute: 0.50, memory: 0.75, link: 0.70, kernelOverheadUs: 6)
        case .generic: Efficiency(compute: 0.60, memory: 0.80, link: 0.75, kernelOverheadUs: 5)
        }
    }

    /// Devices that share the fast scale-up link (an NVLink/Infinity Fabric/ICI domain).
    public var devicesPerNode: Int {
        switch self {
        case .googleTPU: 256
        default: 8
        }
    }

    /// Per-device scale-out (inter-node) bandwidth, decimal GB/s, one direction.
    public var interNodeGBps: Double {
        switch self {
        case .nvidiaAmpere: 25  // one 200 Gb/s HDR InfiniBand NIC per GPU (DGX A100)
        case .nvidiaHopper, .nvidiaBlackwell, .amdCDNA3, .generic: 50  // one 400 Gb/s NIC per device
        case .googleTPU: 25  // data-center network between TPU slices
        case .intelGaudi: 75  // 3 of the 24 200 GbE ports per Gaudi 3 are for scale-out
        }
    }

    /// Latency of one inter-node hop, microseconds.
    public var interNodeLatencyUs: Double {
        switch self {
        case .googleTPU: 10
        default: 5
        }
    }

    /// Compute-time multiplier of `precision` relative to the dense bf16 rate on this family: what
    /// the tensor units run natively. Precisions a family lacks run at the rate of the nearest wider
    /// native format (weights are dequantised on the fly), so fp8 on Ampere runs at the bf16 rate.
    public func computeMultiplier(_ precision: Precision) -> Double {
        switch self {
        case .generic:
            return precision.computeMultiplier
        case .nvidiaAmpere:
            switch precision {
            case .f32: return 2
            case .int8: return 0.5
            default: return 1
            }
        case .nvidiaHopper, .amdCDNA3:
            switch precision {
            case .f32: return 2
            case .bf16: return 1
            default: return 0.5
            }
        case .nvidiaBlackwell:
            switch precision {
            case .f32: return 2
            case .bf16: return 1
            case .fp4: return 0.25
            default: return 0.5
            }
        case .googleTPU:
            switch precision {
            case .f32: return 2
            case .bf16, .fp8: return 1
            default: return 0.5
            }
        case .intelGaudi:
            // Gaudi 3's matrix engines run fp8 and bf16 at the same 1,835 TFLOPS; fp32 at 229.
            return precision == .f32 ? 8 : 1
        }
    }

    /// Parses a family name (case-insensitive).
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` listing the names.
    public static func parse(_ name: String, field: String = "family") throws(PlannerError) -> HardwareFamily {
        guard let family = HardwareFamily(rawValue: name.lowercased()) else {
            throw .invalidValue(field: field, value: name, allowed: allCases.map(\.rawValue).joined(separator: ", "))
        }
        return family
    }
}
