/// Unit conversions, in one place.
///
/// GenZ's rules (and therefore planner's): compute rates are **decimal** (1 TFLOPS = 10^12 FLOP/s),
/// while bandwidths and memory sizes are **binary** (1 GB/s = 2^30 B/s, 1 GB = 2^30 B, 1 MB = 2^20 B).
/// Latencies are reported in milliseconds. The `default` profile reads bandwidths as decimal GB/s
/// (the datasheets' unit) and keeps memory sizes binary.
public enum Units {
    /// Bytes in one MiB (what GenZ and planner call "MB" in memory figures).
    public static let bytesPerMiB: Double = 1_048_576
    /// Bytes in one GiB (what GenZ calls "GB" for memory sizes and bandwidths).
    public static let bytesPerGiB: Double = 1_073_741_824
    /// Bytes in one decimal GB: how datasheets state bandwidths, and how the `default` profile reads them.
    public static let bytesPerDecimalGB: Double = 1e9
    /// FLOP/s in one TFLOPS (decimal).
    public static let flopsPerTFLOPS: Double = 1e12
    /// Seconds in one microsecond.
    public static let secondsPerMicrosecond: Double = 1e-6
    /// Milliseconds in one second.
    public static let millisecondsPerSecond: Double = 1000
    /// Seconds in an hour (prices are per device-hour).
    public static let secondsPerHour: Double = 3600

    /// Converts a bandwidth in (binary) GB/s to bytes per second.
    @inlinable public static func bytesPerSecond(gbps: Double) -> Double { gbps * bytesPerGiB }
    /// Converts a memory size in (binary) GB to MiB.
    @inlinable public static func mib(fromGiB gib: Double) -> Double { gib * 1024 }
    /// Converts bytes to MiB.
    @inlinable public static func mib(fromBytes bytes: Double) -> Double { bytes / bytesPerMiB }
    /// Converts a peak rate in TFLOPS to multiply-accumulates per second (1 MAC = 2 FLOP).
    @inlinable public static func macsPerSecond(tflops: Double) -> Double { tflops * flopsPerTFLOPS / 2 }
    /// Converts seconds to milliseconds.
    @inlinable public static func milliseconds(fromSeconds seconds: Double) -> Double { seconds * millisecondsPerSecond }
}
