public import PlannerCore

extension Inputs {
    /// Keys of a sweep specification (the Python API's parameter names, plus sweep controls).
    public static let sweepKeys = [
        "model", "hardware", "system_name", "bits", "tensor_parallel", "pipeline_parallel", "expert_parallel", "data_parallel", "batch_size",
        "input_tokens", "output_tokens", "beam_size", "profile", "max_devices", "max_ttft_ms", "max_tpot_ms", "top", "group_by",
        "max_auto_batch", "out", "rank_by", "kv_bits",
    ]

    /// A parsed sweep specification and the output file it names (for `top: all`).
    public struct SweepDocument: Sendable {
        public var spec: SweepSpec
        /// JSONL file for every ranked configuration (`out:`), if given.
        public var outPath: String?
    }

    /// `document` with every `model` given as a path to a Hugging Face `config.json` (a string ending
    /// in `.json`) replaced by the config object read with `readFile`, so that the specification is
    /// self-contained (workers on other hosts cannot read the coordinator's files).
    public static func inliningModelFiles(_ document: JSONValue, readFile: FileReader) throws(PlannerError) -> JSONValue {
        guard let members = document.objectMembers else { return document }
        func inline(_ value: JSONValue) throws(PlannerError) -> JSONValue {
            guard let path = value.stringValue, path.lowercased().hasSuffix(".json") else { return value }
            let text = try readFile(path)
            let config: JSONValue
            do { config = try JSONValue.parse(text) } catch {
                throw .malformedInput(source: path, reason: "not a JSON config.json: \(error)")
            }
            // The model keeps the name it has when read from the file (its `_name_or_path`, else the path).
            guard var members = config.objectMembers else { return config }
            if config["_name_or_path"] == nil { members.append(("_name_or_path", .string(path))) }
            return .object(members)
        }
        var result: [(String, JSONValue)] = []
        for (key, value) in members {
            guard key == "model" else { result.append((key, value)); continue }
            if let list = value.arrayValue {
                var inlined: [JSONValue] = []
                for item in list { inlined.append(try inline(item)) }
                result.append((key, .array(inlined)))
            } else {
                result.append((key, try inline(value)))
            }
        }
        return .object(result)
    }

    /// Parses a sweep specification document. Every key takes a value or a list of values
    /// (`batch_size` also `auto`; `top` a count or `all`). Unknown keys (with a did-you-mean), empty
    /// lists, repeated values, bad values and unknown models or hardware are errors naming the key.
    public static func sweepSpec(_ document: JSONValue, source: String) throws(PlannerError) -> SweepDocument {
        guard let members = document.objectMembers else {
            throw .malformedInput(source: source, reason: "a sweep specification is an object (mapping), found \(document.typeName)")
        }
        for (key, _) in members where !sweepKeys.contains(key) {
            throw Inputs.unknownKey(key, field: key, allowed: sweepKeys)
        }
        // A present key never means its default: an empty list is an error, not "use the default".
        for (key, value) in members where value.arrayValue?.isEmpty == true {
            throw .invalidValue(field: key, value: "[]", allowed: "a non-empty list, or leave the key out for its default")
        }
        func list(_ key: String) -> [JSONValue]? {
            guard let value = document[key], value != .null else { return nil }
            return value.arrayValue ?? [value]
        }
        func integers(_ key: String, default fallback: [Int]) throws(PlannerError) -> [Int] {
            guard let values = list(key) else { return fallback }
            var result: [Int] = []
            for value in values {
                guard let number = value.intValue else {
                    throw .invalidValue(field: key, value: value.serialized(), allowed: "an integer or a list of integers")
                }
                result.append(number)
            }
            return result
        }
        func strings(_ key: String, default fallback: [String]) throws(PlannerError) -> [String] {
            guard let values = list(key) else { return fallback }
            var result: [String] = []
            for value in values {
                guard let text = value.stringValue else {
                    throw .invalidValue(field: key, value: value.serialized(), allowed: "a string or a list of strings")
                }
                result.append(text)
            }
            return result
        }
        func number(_ key: String) throws(PlannerError) -> Double? {
            guard let value = document[key], value != .null else { return nil }
            guard let number = value.doubleValue else {
                throw .invalidValue(field: key, value: value.serialized(), allowed: "a number of milliseconds")
            }
            return number
        }

        guard list("model") != nil else { throw .missingField(field: "model", context: "sweep specification \(source)") }
        var models: [ModelSpec] = []
        for (index, value) in (list("model") ?? []).enumerated() {
            models.append(try Inputs.model(value, field: (list("model")?.count ?? 0) > 1 ? "model[\(index)]" : "model"))
        }

        var hardware: [HardwareSpec] = []
        for value in list("hardware") ?? list("system_name") ?? [] { hardware.append(try Inputs.hardware(value)) }
        if hardware.isEmpty { hardware = [HardwareCatalog.defaultHardware] }

        var precisions: [Precision] = []
        for name in try strings("bits", default: ["bf16"]) { precisions.append(try Precision.parse(name)) }

        var batches: [SweepSpec.BatchChoice] = []
        for value in list("batch_size") ?? [.int(1)] {
            if let size = value.intValue {
                batches.append(.fixed(size))
            } else if value.stringValue?.lowercased() == "auto" {
                batches.append(.auto)
            } else {
                throw .invalidValue(field: "batch_size", value: value.serialized(), allowed: "integers >= 1 or 'auto'")
            }
        }

        var profiles: [Profile] = []
        for name in try strings("profile", default: [EstimateRequest.defaultProfile.rawValue]) {
            guard let profile = Profile(rawValue: name.lowercased()) else {
                throw .invalidValue(field: "profile", value: name, allowed: Profile.allCases.map(\.rawValue).joined(separator: ", "))
            }
            profiles.append(profile)
        }

        var keep = SweepSpec.Keep.top(50)
        if let top = document["top"], top != .null {
            if let k = top.intValue {
                keep = .top(k)
            } else if top.stringValue?.lowercased() == "all" {
                keep = .all
            } else {
                throw .invalidValue(field: "top", value: top.serialized(), allowed: "a positive integer or 'all'")
            }
        }

        var groups: [SweepSpec.GroupField] = []
        for name in try strings("group_by", default: []) {
            guard let field = SweepSpec.GroupField(rawValue: name) else {
                throw .invalidValue(field: "group_by", value: name,
                                    allowed: SweepSpec.GroupField.allCases.map(\.rawValue).joined(separator: ", "))
            }
            groups.append(field)
        }

        let maxDevices = try integers("max_devices", default: []).first
        var spec = SweepSpec(
            models: models, hardware: hardware, precisions: precisions,
            tensorParallel: try integers("tensor_parallel", default: [1]),
            pipelineParallel: try integers("pipeline_parallel", default: [1]),
            expertParallel: try integers("expert_parallel", default: [1]),
            batchSizes: batches,
            inputTokens: try integers("input_tokens", default: [2048]),
            outputTokens: try integers("output_tokens", default: [256]),
            beamSizes: try integers("beam_size", default: [1]),
            profiles: profiles, maxDevices: maxDevices,
            targets: LatencyTargets(maxTTFTMs: try number("max_ttft_ms"), maxTPOTMs: try number("max_tpot_ms")),
            keep: keep, groupBy: groups,
            maxAutoBatchSize: try integers("max_auto_batch", default: [1024]).first ?? 1024)
        spec.dataParallel = try integers("data_parallel", default: [1])
        if let objective = try strings("rank_by", default: []).first { spec.rankBy = try RankObjective.parse(objective) }
        let kvBits = try strings("kv_bits", default: [])
        if kvBits.count > 1 {
            throw .invalidValue(field: "kv_bits", value: kvBits.joined(separator: ", "), allowed: "one KV-cache precision for the whole sweep")
        }
        if let kv = kvBits.first { spec.kvPrecision = try EstimateRequest.parseKVPrecision(kv) }
        try spec.validate()
        let out = try strings("out", default: []).first
        return SweepDocument(spec: spec, outPath: out)
    }
}
