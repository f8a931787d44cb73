public import PlannerCore

/// Reads fleet workload files and price files (YAML or JSON, parsed by ``Documents``) into
/// ``FleetWorkload`` and ``PriceList``, with errors naming the key, the value and what is allowed.
///
/// Workload keys:
/// - `model` (or `models`): a catalog name, a path to a Hugging Face `config.json`, a config object,
///   or a list of those (alternatives, each sized for the whole load);
/// - exactly one rate: `rate_rps` (requests/s), `rate_output_tokens_per_s` or `rate_tokens_per_s`
///   (prompt + output tokens/s);
/// - `input_tokens`, `output_tokens`: an integer, `{mean, p50, p90, p99}` (mean required), or a
///   histogram, `[{tokens, weight}, ...]` or `{histogram: [...]}`;
/// - `slo`: `{ttft_p99_ms, tpot_p99_ms, ttft_mean_ms, tpot_mean_ms, ...}` (any `pNN`);
/// - `bits` (or `precisions`): a name, a comma-separated list or a list (default bf16);
/// - `hardware`: names or objects (`name` of a preset plus `devices_per_node`, `max_devices_per_replica`,
///   `price`, and the `default` profile's overrides; or a custom description with `Flops`, ...);
/// - `prices`: `{HARDWARE: usd_per_device_hour}` or `{HARDWARE: {usd_per_device_hour, date, source}}`;
/// - `headroom` (0.2 or "20%"; default 20%), `profile`, `max_batch_size`, `max_devices_per_replica`,
///   `bill_whole_nodes`; `name`, `description`, `notes` are metadata.
public enum FleetInput {
    /// Every key a workload may hold.
    public static let workloadKeys = [
        "model", "models", "rate_rps", "rate_output_tokens_per_s", "rate_tokens_per_s", "input_tokens", "output_tokens", "slo",
        "bits", "precisions", "hardware", "prices", "headroom", "profile", "max_batch_size", "max_devices_per_replica",
        "bill_whole_nodes", "name", "description", "notes", "kv_bits",
    ]
    /// Keys of a hardware object besides the hardware description and override keys.
    public static let hardwareFleetKeys = ["max_devices_per_replica", "price"]
    /// Keys of a length summary.
    public static let summaryKeys = ["mean", "p50", "p90", "p99"]
    /// Keys of a detailed price.
    public static let priceKeys = ["usd_per_device_hour", "date", "source"]

    /// Parses a workload document.
    /// - Parameters:
    ///   - source: the file name, for messages and price sources.
    ///   - priceOverrides: prices from `--prices`, applied last (they win over the workload's).
    ///   - readFile: reads a model `config.json` named by path (nil: catalog names and inline configs only).
    /// - Throws: ``PlannerError`` naming the key; the workload is also validated (``FleetWorkload/validate()``).
    public static func workload(_ document: JSONValue, source: String, priceOverrides: PriceList? = nil,
                                readFile: Inputs.FileReader? = nil) throws(PlannerError) -> FleetWorkload {
        guard let members = document.objectMembers else {
            throw .malformedInput(source: source, reason: "a workload must be an object (model, rate_rps, input_tokens, ...), found \(document.typeName)")
        }
        for (key, _) in members where !workloadKeys.contains(key) {
            throw Inputs.unknownKey(key, field: key, allowed: workloadKeys)
        }
        let models = try parseModels(document, readFile: readFile)
        let rate = try parseRate(document)
        let input = try distribution(document["input_tokens"], field: "input_tokens", default: 2048)
        let output = try distribution(document["output_tokens"], field: "output_tokens", default: 256)
        let objectives = try parseObjectives(document["slo"])
        let precisions = try parsePrecisions(document["bits"] ?? document["precisions"], field: document["bits"] != nil ? "bits" : "precisions")
        let defaultBudget = try optionalInt(document["max_devices_per_replica"], field: "max_devices_per_replica")
        var prices = PriceList.shipped
        if let value = document["prices"], value != .null {
            prices = prices.merging(try self.prices(value, source: source, field: "prices"))
        }
        let (hardware, hardwarePrices) = try parseHardware(document["hardware"], defaultBudget: defaultBudget, source: source,
                                                           readFile: readFile)
        prices = prices.merging(hardwarePrices)
        if let priceOverrides { prices = prices.merging(priceOverrides) }
        let profileName = try Inputs.string(document, "profile", default: EstimateRequest.defaultProfile.rawValue)
        guard let profile = Profile(rawValue: profileName.lowercased()) else {
            throw .invalidValue(field: "profile", value: profileName, allowed: Profile.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var billWholeNodes = false
        if let value = document["bill_whole_nodes"], value != .null {
            guard let flag = value.boolValue else { throw .invalidValue(field: "bill_whole_nodes", value: value.serialized(), allowed: "true or false") }
            billWholeNodes = flag
        }
        var workload = FleetWorkload(
            models: models, rate: rate, inputTokens: input, outputTokens: output, objectives: objectives, precisions: precisions,
            hardware: hardware, prices: prices, headroomFraction: try parseHeadroom(document["headroom"]), profile: profile,
            maxBatchSize: try Inputs.integer(document, "max_batch_size", default: FleetWorkload.defaultMaxBatchSize),
            billWholeNodes: billWholeNodes)
        if let kv = document["kv_bits"], kv != .null {
            guard let text = kv.stringValue else { throw .invalidValue(field: "kv_bits", value: kv.serialized(), allowed: "auto, f32, bf16, fp8, int8") }
            workload.kvPrecision = try EstimateRequest.parseKVPrecision(text)
        }
        try workload.validate()
        return workload
    }

    /// Parses prices: `{HARDWARE: usd}` or `{HARDWARE: {usd_per_device_hour, date, source}}`; a price
    /// file may also wrap them as `{prices: {...}}`.
    /// - Parameter field: the key errors name (`prices`).
    public static func prices(_ document: JSONValue, source: String, field: String = "prices") throws(PlannerError) -> PriceList {
        var document = document
        if let inner = document["prices"], document.objectMembers?.count == 1 { document = inner }
        guard let members = document.objectMembers else {
            throw .invalidValue(field: field, value: document.serialized(), allowed: "a mapping {HARDWARE: USD per device-hour}")
        }
        var list = PriceList()
        for (name, value) in members {
            let key = "\(field).\(name)"
            var usd: Double?
            var date: String?
            var origin = "\(source) (\(field))"
            if let number = value.doubleValue {
                usd = number
            } else if let detail = value.objectMembers {
                for (detailKey, _) in detail where !priceKeys.contains(detailKey) {
                    throw Inputs.unknownKey(detailKey, field: "\(key).\(detailKey)", allowed: priceKeys)
                }
                guard let number = value["usd_per_device_hour"]?.doubleValue else {
                    throw .missingField(field: "\(key).usd_per_device_hour", context: source)
                }
                usd = number
                if let text = value["date"], text != .null {
                    guard let string = text.stringValue else { throw .invalidValue(field: "\(key).date", value: text.serialized(), allowed: "a string") }
                    date = string
                }
                if let text = value["source"], text != .null {
                    guard let string = text.stringValue else { throw .invalidValue(field: "\(key).source", value: text.serialized(), allowed: "a string") }
                    origin = string
                }
            }
            guard let usd, usd.isFinite, usd > 0 else {
                throw .invalidValue(field: key, value: value.serialized(),
                                    allowed: "a positive number of US dollars per device-hour, or {usd_per_device_hour, date, source}")
            }
            list.set(DevicePrice(hardware: name, usdPerDeviceHour: usd, date: date, source: origin))
        }
        return list
    }

    static func parseModels(_ document: JSONValue, readFile: Inputs.FileReader?) throws(PlannerError) -> [ModelSpec] {
        if document["model"] != nil && document["models"] != nil {
            throw .invalidValue(field: "models", value: "both model and models", allowed: "one of model or models")
        }
        let field = document["models"] != nil ? "models" : "model"
        guard let value = document[field], value != .null else {
            throw .missingField(field: "model", context: "the workload (a catalog name such as llama2_70b, a config.json path or object, or a list)")
        }
        if let list = value.arrayValue {
            if list.isEmpty { throw .invalidValue(field: field, value: "[]", allowed: "a non-empty list of models") }
            var models: [ModelSpec] = []
            for (index, item) in list.enumerated() {
                let model = try Inputs.model(item, field: "\(field)[\(index)]", readFile: readFile)
                if models.contains(where: { $0.name == model.name }) {
                    throw .invalidValue(field: "\(field)[\(index)]", value: model.name, allowed: "each model once (the list repeats it)")
                }
                models.append(model)
            }
            return models
        }
        return [try Inputs.model(value, field: field, readFile: readFile)]
    }

    static func parseRate(_ document: JSONValue) throws(PlannerError) -> RequestRate {
        let keys = ["rate_rps", "rate_output_tokens_per_s", "rate_tokens_per_s"]
        let given = keys.filter { document[$0] != nil && document[$0] != .null }
        guard given.count == 1, let key = given.first, let entry = document[key] else {
            throw given.isEmpty
                ? .missingField(field: "rate_rps", context: "the workload (give exactly one of \(keys.joined(separator: ", ")))")
                : .invalidValue(field: given.joined(separator: "/"), value: "\(given.count) rates", allowed: "exactly one of \(keys.joined(separator: ", "))")
        }
        guard let value = entry.doubleValue else {
            throw .invalidValue(field: key, value: entry.serialized(), allowed: "a positive number")
        }
        switch key {
        case "rate_rps": return .requestsPerSecond(value)
        case "rate_output_tokens_per_s": return .outputTokensPerSecond(value)
        default: return .totalTokensPerSecond(value)
        }
    }

    /// A length: an integer, `{mean, p50, p90, p99}`, `[{tokens, weight}]` or `{histogram: [...]}`.
    public static func distribution(_ value: JSONValue?, field: String, default fallback: Int) throws(PlannerError) -> TokenDistribution {
        guard let value, value != .null else { return .fixed(fallback) }
        let allowed = "an integer, {mean, p50, p90, p99} (tokens; mean required) or a histogram [{tokens, weight}, ...]"
        if let tokens = value.intValue { return .fixed(tokens) }
        if let list = value.arrayValue ?? value["histogram"]?.arrayValue {
            if value.objectMembers != nil, let extra = value.objectMembers?.first(where: { $0.0 != "histogram" }) {
                throw .invalidValue(field: "\(field).\(extra.0)", value: extra.0, allowed: "only `histogram` next to a histogram")
            }
            var bins: [TokenDistribution.Bin] = []
            for (index, item) in list.enumerated() {
                let binField = "\(field)[\(index)]"
                guard let members = item.objectMembers else {
                    throw .invalidValue(field: binField, value: item.serialized(), allowed: "an object {tokens, weight}")
                }
                for (key, _) in members where key != "tokens" && key != "weight" {
                    throw Inputs.unknownKey(key, field: "\(binField).\(key)", allowed: ["tokens", "weight"])
                }
                guard let tokens = item["tokens"]?.intValue else {
                    throw .invalidValue(field: "\(binField).tokens", value: item["tokens"]?.serialized() ?? "missing", allowed: "an integer number of tokens")
                }
                guard let weight = item["weight"]?.doubleValue else {
                    throw .invalidValue(field: "\(binField).weight", value: item["weight"]?.serialized() ?? "missing", allowed: "a positive number")
                }
                bins.append(TokenDistribution.Bin(tokens: tokens, weight: weight))
            }
            return .histogram(bins)
        }
        guard let members = value.objectMembers else {
            throw .invalidValue(field: field, value: value.serialized(), allowed: allowed)
        }
        for (key, _) in members where !summaryKeys.contains(key) {
            throw Inputs.unknownKey(key, field: "\(field).\(key)", allowed: summaryKeys, note: " (or a histogram)")
        }
        func number(_ key: String) throws(PlannerError) -> Double? {
            guard let entry = value[key], entry != .null else { return nil }
            guard let number = entry.doubleValue else {
                throw .invalidValue(field: "\(field).\(key)", value: entry.serialized(), allowed: "a number of tokens")
            }
            return number
        }
        guard let mean = try number("mean") else {
            throw .missingField(field: "\(field).mean", context: "a length summary {mean, p50, p90, p99}")
        }
        return .summary(mean: mean, p50: try number("p50"), p90: try number("p90"), p99: try number("p99"))
    }

    static func parseObjectives(_ value: JSONValue?) throws(PlannerError) -> ServiceLevelObjectives {
        guard let value, value != .null else { return ServiceLevelObjectives() }
        guard let members = value.objectMembers else {
            throw .invalidValue(field: "slo", value: value.serialized(), allowed: "a mapping such as {ttft_p99_ms: 2000, tpot_p99_ms: 50}")
        }
        var targets: [ServiceLevelObjectives.Target] = []
        for (key, entry) in members {
            guard let (metric, statistic) = ServiceLevelObjectives.parseKey(key) else {
                throw .invalidValue(field: "slo.\(key)", value: key,
                                    allowed: "ttft_<statistic>_ms or tpot_<statistic>_ms with <statistic> mean or pNN (p50, p90, p95, p99, p99.9)")
            }
            guard let limit = entry.doubleValue else {
                throw .invalidValue(field: "slo.\(key)", value: entry.serialized(), allowed: "a positive number of milliseconds")
            }
            targets.append(ServiceLevelObjectives.Target(metric: metric, statistic: statistic, limitMs: limit))
        }
        return ServiceLevelObjectives(targets: targets)
    }

    static func parsePrecisions(_ value: JSONValue?, field: String) throws(PlannerError) -> [Precision] {
        guard let value, value != .null else { return [.bf16] }
        var names: [String] = []
        if let text = value.stringValue {
            names = text.split(separator: ",").map { String($0).trimmingSpaces }
        } else if let list = value.arrayValue {
            for item in list {
                guard let text = item.stringValue else {
                    throw .invalidValue(field: field, value: item.serialized(), allowed: Precision.acceptedNames)
                }
                names.append(text)
            }
        } else {
            throw .invalidValue(field: field, value: value.serialized(), allowed: "a precision or a list of: \(Precision.acceptedNames)")
        }
        var result: [Precision] = []
        for name in names where !name.isEmpty {
            let precision = try Precision.parse(name, field: field)
            if result.contains(precision) {
                throw .invalidValue(field: field, value: name, allowed: "each precision once (the list repeats \(precision.rawValue))")
            }
            result.append(precision)
        }
        if result.isEmpty { throw .invalidValue(field: field, value: value.serialized(), allowed: Precision.acceptedNames) }
        return result
    }

    /// A string ending in `.yaml`, `.yml` or `.json` is a hardware description or calibrated profile
    /// file (``HardwareProfile``), read with `readFile`.
    static func parseHardware(_ value: JSONValue?, defaultBudget: Int?, source: String, readFile: Inputs.FileReader? = nil) throws(PlannerError)
        -> (hardware: [FleetHardware], prices: PriceList) {
        guard let value, value != .null else {
            throw .missingField(field: "hardware", context: "the workload (a list of hardware names such as [A100_80GB, H100_80GB, MI300X])")
        }
        let items = value.arrayValue ?? [value]
        if items.isEmpty { throw .invalidValue(field: "hardware", value: "[]", allowed: "a non-empty list of hardware names or objects") }
        var hardware: [FleetHardware] = []
        var prices = PriceList()
        for (index, item) in items.enumerated() {
            let field = "hardware[\(index)]"
            switch item {
            case let .string(name) where [".yaml", ".yml", ".json"].contains(where: { name.lowercased().hasSuffix($0) }):
                guard let readFile else {
                    throw .invalidValue(field: field, value: name, allowed: "a hardware name or object (files cannot be read here)")
                }
                let profile = try Inputs.hardware(try Documents.parse(try readFile(name), source: name), field: field)
                hardware.append(FleetHardware(spec: profile, maxDevicesPerReplica: defaultBudget))
            case let .string(name):
                hardware.append(FleetHardware(spec: try HardwareCatalog.hardware(named: name), maxDevicesPerReplica: defaultBudget))
            case let .object(members):
                let rest = members.filter { !hardwareFleetKeys.contains($0.0) }
                let budget = try optionalInt(item["max_devices_per_replica"], field: "\(field).max_devices_per_replica") ?? defaultBudget
                var spec: HardwareSpec
                if item["Flops"] != nil {
                    spec = try Inputs.hardware(.object(rest), field: field)
                } else {
                    guard let name = item["name"]?.stringValue else {
                        throw .missingField(field: "\(field).name", context: "a hardware object (a preset `name`, or a custom description with Flops, Memory_size, Memory_BW, ICN)")
                    }
                    let allowed = ["name"] + Inputs.overrideKeys + hardwareFleetKeys
                    for (key, _) in members where !allowed.contains(key) {
                        throw Inputs.unknownKey(key, field: "\(field).\(key)", allowed: allowed)
                    }
                    spec = try HardwareCatalog.hardware(named: name)
                    try Inputs.applyOverrides(.object(rest), to: &spec, field: "\(field).")
                }
                if hardware.contains(where: { $0.spec.name.lowercased() == spec.name.lowercased() }) {
                    throw .invalidValue(field: "\(field).name", value: spec.name, allowed: "each hardware once (give custom variants distinct names)")
                }
                if let price = item["price"], price != .null {
                    guard let usd = price.doubleValue else {
                        throw .invalidValue(field: "\(field).price", value: price.serialized(), allowed: "a positive number of US dollars per device-hour")
                    }
                    prices.set(DevicePrice(hardware: spec.name, usdPerDeviceHour: usd, date: nil, source: "\(source) (\(field).price)"))
                }
                hardware.append(FleetHardware(spec: spec, maxDevicesPerReplica: budget))
                continue
            default:
                throw .invalidValue(field: field, value: item.serialized(), allowed: "a hardware name or object")
            }
            if let last = hardware.last, hardware.dropLast().contains(where: { $0.spec.name == last.spec.name }) {
                throw .invalidValue(field: field, value: last.spec.name, allowed: "each hardware once")
            }
        }
        return (hardware, prices)
    }

    static func parseHeadroom(_ value: JSONValue?) throws(PlannerError) -> Double {
        guard let value, value != .null else { return FleetWorkload.defaultHeadroomFraction }
        if let number = value.doubleValue { return number }
        if let text = value.stringValue?.trimmingSpaces, text.hasSuffix("%"), let percent = Double(text.dropLast().trimmingSpaces) {
            return percent / 100
        }
        throw .invalidValue(field: "headroom", value: value.serialized(), allowed: "a fraction such as 0.2 or a percentage such as '20%'")
    }

    static func optionalInt(_ value: JSONValue?, field: String) throws(PlannerError) -> Int? {
        guard let value, value != .null else { return nil }
        guard let number = value.intValue else { throw .invalidValue(field: field, value: value.serialized(), allowed: "an integer") }
        return number
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
