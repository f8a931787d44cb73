public import PlannerCore

/// Turns JSON documents (case files, hardware descriptions) into engine requests, with errors
/// that name the field, the value and what is allowed.
public enum Inputs {
    /// Keys of a custom hardware description: GenZ's names, then the figures only the `default` profile reads.
    public static let hardwareKeys = ["Flops", "Memory_size", "Memory_BW", "ICN", "ICN_LL", "real_values", "name", "provenance"] + overrideKeys

    /// Figures of the `default` profile that a hardware description, or a case on top of a named
    /// preset, may set: `family` (see ``HardwareFamily``), `dense_Flops` (TFLOPS), `scale_up_BW` and
    /// `inter_node_BW` (GB/s), `inter_node_LL` and `kernel_overhead_us` (us), `devices_per_node`, and the
    /// fractions `compute_efficiency`, `memory_efficiency`, `link_efficiency`, `usable_memory_fraction`.
    public static let overrideKeys = [
        "family", "dense_Flops", "scale_up_BW", "compute_efficiency", "memory_efficiency", "link_efficiency",
        "kernel_overhead_us", "devices_per_node", "inter_node_BW", "inter_node_LL", "usable_memory_fraction",
    ]

    /// Applies the ``overrideKeys`` present in `object` to `spec` and validates the result.
    /// - Parameter field: prefix for error messages (`hardware` or the case).
    public static func applyOverrides(_ object: JSONValue, to spec: inout HardwareSpec, field: String) throws(PlannerError) {
        func number(_ key: String) throws(PlannerError) -> Double? {
            guard let entry = object[key], entry != .null else { return nil }
            guard let number = entry.doubleValue else {
                throw .invalidValue(field: "\(field)\(key)", value: entry.serialized(), allowed: "a number")
            }
            return number
        }
        if let entry = object["family"], entry != .null {
            guard let name = entry.stringValue else {
                throw .invalidValue(field: "\(field)family", value: entry.serialized(),
                                    allowed: HardwareFamily.allCases.map(\.rawValue).joined(separator: ", "))
            }
            spec.family = try HardwareFamily.parse(name, field: "\(field)family")
        }
        if let value = try number("dense_Flops") { spec.denseFlopsTFLOPS = value }
        if let value = try number("scale_up_BW") { spec.scaleUpGBps = value }
        if let value = try number("compute_efficiency") { spec.computeEfficiency = value }
        if let value = try number("memory_efficiency") { spec.memoryEfficiency = value }
        if let value = try number("link_efficiency") { spec.linkEfficiency = value }
        if let value = try number("kernel_overhead_us") { spec.kernelOverheadUs = value }
        if let value = try number("inter_node_BW") { spec.interNodeGBps = value }
        if let value = try number("inter_node_LL") { spec.interNodeLatencyUs = value }
        if let value = try number("usable_memory_fraction") { spec.usableMemoryFraction = value }
        if let entry = object["devices_per_node"], entry != .null {
            guard let count = entry.intValue else {
                throw .invalidValue(field: "\(field)devices_per_node", value: entry.serialized(), allowed: "an integer")
            }
            spec.devicesPerNode = count
        }
        try spec.validate()
    }

    /// The error for an unknown key of an input object: names it, lists the allowed keys and
    /// suggests the closest (did you mean ...?).
    /// - Parameters:
    ///   - field: the key's path as errors show it (`hardware[0].devices_per_nod`).
    ///   - note: appended to the list of keys, e.g. ` (or a histogram)`.
    public static func unknownKey(_ key: String, field: String, allowed keys: [String], note: String = "") -> PlannerError {
        let suggestions = NameSuggestions.closest(to: key, among: keys, limit: 3)
        let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?"
        return .invalidValue(field: "key", value: field, allowed: "the keys \(keys.joined(separator: ", "))\(note)\(hint)")
    }

    /// Reads a file's text for the caller (the CLI); PlannerFormats itself does no I/O.
    public typealias FileReader = (_ path: String) throws(PlannerError) -> String

    /// Resolves a model given as a catalog name, a path to a Hugging Face `config.json` (a string
    /// ending in `.json`, read with `readFile`) or an inline `config.json` object. A catalog name
    /// resolves for `profile` (``ModelCatalog/model(named:profile:)``: `genz` keeps GenZ's quirks).
    public static func model(_ value: JSONValue, field: String = "model", readFile: FileReader? = nil,
                             profile: Profile = .default) throws(PlannerError) -> ModelSpec {
        switch value {
        case let .string(name):
            if name.lowercased().hasSuffix(".json") {
                guard let readFile else {
                    throw .invalidValue(field: field, value: name, allowed: "a catalog model name or an inline config.json object (files cannot be read here)")
                }
                return try HuggingFaceConfig.modelSpec(fromJSON: try readFile(name), source: name)
            }
            return try ModelCatalog.model(named: name, profile: profile)
        case .object:
            return try HuggingFaceConfig.modelSpec(from: value, source: field)
        default:
            throw .invalidValue(field: field, value: value.serialized(),
                                allowed: "a catalog model name, a path to a Hugging Face config.json, or a config.json object")
        }
    }

    /// Resolves hardware given as a catalog name (string) or a custom description (object):
    /// `{Flops (TFLOPS), Memory_size (GB), Memory_BW (GB/s), ICN (GB/s), ICN_LL (µs, default 1)}`.
    /// `real_values` is accepted and ignored (GenZ needs it; planner always uses the values given), and
    /// so is `provenance` (a calibrated profile's record, ``HardwareProfile``).
    public static func hardware(_ value: JSONValue, field: String = "hardware") throws(PlannerError) -> HardwareSpec {
        switch value {
        case let .string(name):
            return try HardwareCatalog.hardware(named: name)
        case let .object(members):
            for (key, _) in members where !hardwareKeys.contains(key) {
                throw unknownKey(key, field: "\(field).\(key)", allowed: hardwareKeys)
            }
            func number(_ key: String, default fallback: Double? = nil) throws(PlannerError) -> Double {
                guard let entry = value[key] else {
                    if let fallback { return fallback }
                    throw .missingField(field: "\(field).\(key)", context: "a custom hardware description {Flops, Memory_size, Memory_BW, ICN, ICN_LL}")
                }
                guard let number = entry.doubleValue else {
                    throw .invalidValue(field: "\(field).\(key)", value: entry.serialized(), allowed: "a number")
                }
                return number
            }
            if let realValues = value["real_values"], realValues.boolValue == nil {
                throw .invalidValue(field: "\(field).real_values", value: realValues.serialized(), allowed: "true or false")
            }
            var spec = HardwareSpec(
                name: value["name"]?.stringValue ?? "custom",
                flopsTFLOPS: try number("Flops"), memoryGiB: try number("Memory_size"),
                memoryBandwidthGBps: try number("Memory_BW"), interconnectGBps: try number("ICN"),
                interconnectLatencyUs: try number("ICN_LL", default: 1))
            try applyOverrides(value, to: &spec, field: "\(field).")
            return spec
        default:
            throw .invalidValue(field: field, value: value.serialized(),
                                allowed: "a hardware name (\(HardwareCatalog.names.joined(separator: ", "))) or an object {Flops, Memory_size, Memory_BW, ICN, ICN_LL}")
        }
    }

    /// One estimate case in the format of `genz_cases_public.json`.
    public struct Case: Sendable {
        public var id: String
        public var phase: CasePhase
        public var request: EstimateRequest
    }

    /// The phase of a case: one of GenZ's two, or both (`e2e`).
    public enum CasePhase: String, Sendable, CaseIterable, Hashable {
        case prefill, decode, e2e
    }

    /// Keys a case may carry. `tags`, `pair_id`, `description`, `notes` and `comment` are metadata,
    /// accepted and not read; any other key is an error of that case (with a did-you-mean).
    /// `model` may also be a path to a Hugging Face `config.json` or an inline config object; the
    /// ``overrideKeys`` adjust the case's hardware for the `default` profile.
    public static let caseKeys = ["id", "phase", "model", "batch_size", "beam_size", "input_tokens", "output_tokens",
                                  "hardware", "system_name", "bits", "kv_bits", "tensor_parallel", "pipeline_parallel", "expert_parallel",
                                  "data_parallel", "expert_imbalance", "profile"] + overrideKeys
    public static let metadataKeys = ["tags", "pair_id", "description", "notes", "comment"]

    /// Parses one case object. Absent fields take the performance API's defaults (profile: `default`).
    /// - Parameters:
    ///   - readFile: reads a `config.json` named by `model` (nil: only catalog names and inline configs).
    ///   - profileOverride: the profile to use whatever the case says (the command line's `--profile`);
    ///     the model name resolves for the case's profile (``ModelCatalog/model(named:profile:)``).
    public static func estimateCase(_ value: JSONValue, index: Int, readFile: FileReader? = nil,
                                    profileOverride: Profile? = nil) throws(PlannerError) -> Case {
        guard let members = value.objectMembers else {
            throw .invalidValue(field: "cases[\(index)]", value: value.typeName, allowed: "an object")
        }
        let id = value["id"].map { $0.stringValue ?? $0.serialized() } ?? "case-\(index)"
        for (key, _) in members where !caseKeys.contains(key) && !metadataKeys.contains(key) {
            throw unknownKey(key, field: key, allowed: caseKeys, note: " (and the metadata keys \(metadataKeys.joined(separator: ", ")))")
        }
        let profileName = try string(value, "profile", default: EstimateRequest.defaultProfile.rawValue)
        guard let caseProfile = Profile(rawValue: profileName.lowercased()) else {
            throw .invalidValue(field: "profile", value: profileName, allowed: Profile.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let profile = profileOverride ?? caseProfile
        let phaseName = try string(value, "phase", default: "e2e")
        guard let phase = CasePhase(rawValue: phaseName.lowercased()) else {
            throw .invalidValue(field: "phase", value: phaseName, allowed: "prefill, decode or e2e")
        }
        let modelValue = value["model"].flatMap { $0 == .null ? nil : $0 } ?? .string("llama2_7b")
        let model = try Inputs.model(modelValue, readFile: readFile, profile: profile)
        let hardwareValue = value["hardware"] ?? value["system_name"]
        var hardware: HardwareSpec
        if let hardwareValue, hardwareValue != .null {
            hardware = try Inputs.hardware(hardwareValue)
        } else {
            hardware = HardwareCatalog.defaultHardware
        }
        try applyOverrides(value, to: &hardware, field: "")
        let request = EstimateRequest(
            model: model, hardware: hardware,
            batchSize: try integer(value, "batch_size", default: 1),
            beamSize: try integer(value, "beam_size", default: 1),
            inputTokens: try integer(value, "input_tokens", default: 2048),
            outputTokens: try integer(value, "output_tokens", default: 256),
            precision: try Precision.parse(try string(value, "bits", default: "bf16")),
            parallelism: Parallelism(
                tensor: try integer(value, "tensor_parallel", default: 1),
                pipeline: try integer(value, "pipeline_parallel", default: 1),
                expert: try integer(value, "expert_parallel", default: 1),
                dataParallel: try integer(value, "data_parallel", default: 1)),
            profile: profile,
            kvPrecision: try EstimateRequest.parseKVPrecision(try string(value, "kv_bits", default: "auto")),
            expertImbalance: try optionalNumber(value, "expert_imbalance"))
        return Case(id: id, phase: phase, request: request)
    }

    /// A number field, or nil when absent or null; other types are errors naming the key.
    public static func optionalNumber(_ object: JSONValue, _ key: String) throws(PlannerError) -> Double? {
        guard let entry = object[key], entry != .null else { return nil }
        guard let number = entry.doubleValue else { throw .invalidValue(field: key, value: entry.serialized(), allowed: "a number") }
        return number
    }

    /// An integer field, or `fallback` when absent. Non-integral numbers and other types are errors.
    public static func integer(_ object: JSONValue, _ key: String, default fallback: Int) throws(PlannerError) -> Int {
        guard let entry = object[key], entry != .null else { return fallback }
        guard let number = entry.intValue else {
            throw .invalidValue(field: key, value: entry.serialized(), allowed: "an integer")
        }
        return number
    }

    /// A string field, or `fallback` when absent.
    public static func string(_ object: JSONValue, _ key: String, default fallback: String) throws(PlannerError) -> String {
        guard let entry = object[key], entry != .null else { return fallback }
        guard let text = entry.stringValue else {
            throw .invalidValue(field: key, value: entry.serialized(), allowed: "a string")
        }
        return text
    }
}
