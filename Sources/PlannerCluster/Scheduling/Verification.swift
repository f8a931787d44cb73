import PlannerWire
import SwiftProtobuf

/// `--verify-fraction`: which accepted RESULTs the coordinator re-evaluates itself, and whether two
/// RESULTs of the same task carry the same figures. Pure functions (the seed is passed in).
public enum Verification {
    /// Whether the RESULT of `task` from `peer` is in the sample: a SplitMix64 hash of the run's
    /// secret seed, the peer and the task, below `fraction` of the 64-bit range. Each worker's tasks
    /// are sampled independently, and a worker cannot tell which of its tasks are checked (the seed
    /// never leaves the coordinator).
    /// - Parameter fraction: 0 (never) to 1 (always).
    public static func isSampled(seed: UInt64, peer: [UInt8], task: Int, fraction: Double) -> Bool {
        guard fraction > 0 else { return false }
        guard fraction < 1 else { return true }
        var state = seed ^ fnv1a(peer) ^ (UInt64(truncatingIfNeeded: task) &* 0x9E37_79B9_7F4A_7C15)
        let draw = splitMix(&state)
        return Double(draw >> 11) / Double(UInt64(1) << 53) < fraction
    }

    /// Whether two RESULTs of one task hold the same figures (everything but timing, attempt and identity).
    public static func sameFigures(_ lhs: Planner_Wire_V1_Result, _ rhs: Planner_Wire_V1_Result) -> Bool {
        figures(lhs) == figures(rhs)
    }

    static func figures(_ result: Planner_Wire_V1_Result) -> [UInt8] {
        var kept = result
        kept.computeMs = 0
        kept.attempt = 0
        kept.taskID = 0
        kept.sweepID = ""
        return (try? kept.serializedBytes()) ?? []
    }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        return value
    }

    static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
