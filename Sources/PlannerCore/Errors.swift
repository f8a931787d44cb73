/// Every error the engine and the planner report.
///
/// Each case names the offending field and value, and says what is allowed, so the CLI can print it
/// as is and exit non-zero.
public enum PlannerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A field holds a value outside its allowed set or range.
    case invalidValue(field: String, value: String, allowed: String)
    /// A required field is absent.
    case missingField(field: String, context: String)
    /// The model name is not in the catalog; `suggestions` are close catalog keys.
    case unknownModel(name: String, suggestions: [String])
    /// The hardware name is not in the catalog; the description suggests the closest of `known`.
    case unknownHardware(name: String, known: [String])
    /// The model family is in the catalog but not modelled (pure Mamba, hybrid Mamba/attention).
    case unsupportedModel(name: String, reason: String)
    /// The parallel layout is not one this model can take.
    case invalidParallelism(field: String, value: Int, reason: String)
    /// Weights plus KV cache exceed the memory available.
    case doesNotFit(capacityMiB: Double, weightsMiB: Double, kvCacheMiB: Double, detail: String)
    /// A malformed input document (JSON, YAML, config file).
    case malformedInput(source: String, reason: String)
    /// An input file that cannot be read: `reason` says why (no such file, permission denied, a directory).
    case unreadableFile(field: String, path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidValue(field, value, allowed):
            return "invalid \(field) '\(Self.shown(value))': allowed \(allowed)"
        case let .missingField(field, context):
            return "missing field '\(field)' in \(context)"
        case let .unknownModel(name, suggestions):
            let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown model '\(Self.shown(name))'\(hint) (run `planner models` for the catalog)"
        case let .unknownHardware(name, known):
            let suggestions = NameSuggestions.closest(to: name, among: known, limit: 3)
            let hint = suggestions.isEmpty ? "." : "; did you mean \(suggestions.joined(separator: ", "))?"
            return "unknown hardware '\(Self.shown(name))'\(hint) Known hardware: \(known.joined(separator: ", ")), "
                + "or give a custom description {Flops, Memory_size, Memory_BW, ICN, ICN_LL} (run `planner hardware` for the catalog)"
        case let .unsupportedModel(name, reason):
            return "model '\(name)' is not supported: \(reason)"
        case let .invalidParallelism(field, value, reason):
            return "invalid \(field) \(value): \(reason)"
        case let .doesNotFit(capacity, weights, kv, detail):
            return "configuration does not fit in memory: weights \(Self.gib(weights)) GiB + KV cache "
                + "\(Self.gib(kv)) GiB > capacity \(Self.gib(capacity)) GiB (\(detail))"
        case let .unreadableFile(field, path, reason):
            return "cannot read \(field) file '\(Self.shown(path))': \(reason)"
        case let .malformedInput(source, reason):
            return "malformed input in \(Self.shown(source)): \(Self.shown(reason, limit: 2000))"
        }
    }

    /// A name or value as an error shows it: whole up to `limit` bytes, else its start and its length.
    static func shown(_ text: String, limit: Int = NameSuggestions.maxNameLength) -> String {
        guard text.utf8.count > limit else { return text }
        return String(text.prefix(limit / 4)) + "... (\(text.utf8.count) bytes)"
    }

    private static func gib(_ mib: Double) -> String {
        let value = mib / 1024
        let rounded = (value * 1000).rounded() / 1000
        return "\(rounded)"
    }
}
