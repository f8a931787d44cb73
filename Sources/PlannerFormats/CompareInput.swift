public import PlannerCore

extension Inputs {
    /// Keys of a comparison file's top level; `model`, `batch_size`, `input_tokens`, `output_tokens`
    /// (and any other estimate parameter) are shared defaults that each configuration may override.
    public static let comparisonTopKeys = ["configurations", "configs", "rank_by"] + estimateParameterKeys
    /// Keys of one configuration.
    public static let comparisonConfigurationKeys = ["name"] + estimateParameterKeys
    /// Estimate parameters accepted in configuration files (the Python API's names).
    public static let estimateParameterKeys = ["model", "batch_size", "beam_size", "input_tokens", "output_tokens", "hardware",
                                               "system_name", "bits", "kv_bits", "tensor_parallel", "pipeline_parallel", "expert_parallel",
                                               "profile"]

    /// Parses a comparison document (the `compare_performance_configurations` inputs as a file):
    /// `{model, batch_size, input_tokens, output_tokens, ..., configurations: [{name, hardware, tensor_parallel, ...}]}`.
    ///
    /// A configuration whose fields are invalid (unknown hardware, bad bits, ...) becomes a failed
    /// entry, kept in the comparison; a malformed document (not an object, no configurations, unknown
    /// keys) throws.
    /// The `rank_by` of a comparison file (default total throughput).
    public static func comparisonObjective(_ document: JSONValue) throws(PlannerError) -> RankObjective {
        guard let value = document["rank_by"], value != .null else { return .totalThroughput }
        guard let text = value.stringValue else { throw .invalidValue(field: "rank_by", value: value.serialized(), allowed: RankObjective.names) }
        return try RankObjective.parse(text)
    }

    /// A `model` given as a path to a `config.json` is read with `readFile`.
    public static func comparison(_ document: JSONValue, source: String, readFile: FileReader? = nil) throws(PlannerError)
        -> [(name: String, request: Result<EstimateRequest, PlannerError>)] {
        guard let members = document.objectMembers else {
            throw .malformedInput(source: source, reason: "expected an object with `configurations`, found \(document.typeName)")
        }
        for (key, _) in members where !comparisonTopKeys.contains(key) {
            throw Inputs.unknownKey(key, field: key, allowed: comparisonTopKeys)
        }
        guard let list = (document["configurations"] ?? document["configs"])?.arrayValue, !list.isEmpty else {
            throw .missingField(field: "configurations", context: "\(source) (a non-empty list of configurations)")
        }
        var shared = members.filter { $0.0 != "configurations" && $0.0 != "configs" && $0.0 != "rank_by" }
        if shared.first(where: { $0.0 == "phase" }) == nil { shared.append(("phase", .string("e2e"))) }
        var result: [(name: String, request: Result<EstimateRequest, PlannerError>)] = []
        for (index, item) in list.enumerated() {
            guard let fields = item.objectMembers else {
                throw .malformedInput(source: source, reason: "configurations[\(index)] must be an object, found \(item.typeName)")
            }
            for (key, _) in fields where !comparisonConfigurationKeys.contains(key) {
                throw Inputs.unknownKey(key, field: "configurations[\(index)].\(key)", allowed: comparisonConfigurationKeys)
            }
            let name = item["name"]?.stringValue ?? "unnamed_config"
            if item["name"] != nil, result.contains(where: { $0.name == name }) {
                throw .invalidValue(field: "configurations[\(index)].name", value: name, allowed: "each configuration name once")
            }
            var merged = shared.filter { key, _ in !fields.contains { $0.0 == key } }
            merged += fields.filter { $0.0 != "name" }
            let request = Result { () throws(PlannerError) -> EstimateRequest in
                try estimateCase(.object(merged), index: index, readFile: readFile).request
            }
            result.append((name, request))
        }
        return result
    }
}
