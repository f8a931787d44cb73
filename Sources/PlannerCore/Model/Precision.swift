/// Numeric precision of weights, activations, KV cache and collective payloads.
///
/// GenZ applies one byte width everywhere (no mixed precision) and scales compute time by a
/// multiplier relative to the bf16 peak rate.
public enum Precision: String, Sendable, Hashable, CaseIterable, Codable {
    case f32, bf16, fp8, int8, fp6, int4, fp4, int2

    /// Compute-time multiplier relative to the bf16 peak (GenZ `get_bit_multiplier`, type 'C').
    @inlinable public var computeMultiplier: Double {
        switch self {
        case .f32: 2
        case .bf16: 1
        case .fp8, .int8, .fp6: 0.5
        case .int4, .fp4: 0.25
        case .int2: 0.125
        }
    }

    /// Bytes per stored element (GenZ `get_bit_multiplier`, type 'M').
    @inlinable public var bytesPerElement: Double {
        switch self {
        case .f32: 4
        case .bf16: 2
        case .fp8, .int8: 1
        case .fp6: 0.75
        case .int4, .fp4: 0.5
        case .int2: 0.25
        }
    }

    /// Accepted spellings, lower-cased: every case name plus the aliases `fp32` (= f32) and `fp16` (= bf16).
    public static let aliases: [String: Precision] = {
        var table = Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0) })
        table["fp32"] = .f32
        table["fp16"] = .bf16
        table["float32"] = .f32
        table["bfloat16"] = .bf16
        return table
    }()

    /// The names a user may give, in documentation order.
    public static let acceptedNames = "f32 (alias fp32), bf16 (alias fp16), fp8, int8, fp6, int4, fp4, int2"

    /// Parses a precision name, case-insensitively, accepting the documented aliases.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` for an unknown name.
    public static func parse(_ name: String, field: String = "bits") throws(PlannerError) -> Precision {
        guard let precision = aliases[name.lowercased()] else {
            throw .invalidValue(field: field, value: name, allowed: acceptedNames)
        }
        return precision
    }
}
