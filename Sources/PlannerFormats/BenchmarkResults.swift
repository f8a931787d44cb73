public import PlannerCore

/// The result files of the serving benchmarks users already run, read as measured points in
/// planner's own format (that of `measured_public.json`, see ``Validation``).
///
/// Key names come from each tool's source:
/// - **vLLM** `vllm bench serve --save-result` (and the older `benchmarks/benchmark_serving.py`):
///   one JSON object, `vllm/benchmarks/serve.py` (`result_json` = setup keys `date`, `backend`,
///   `model_id`, `num_prompts`, `request_rate` (a number or `"inf"`), `burstiness`,
///   `max_concurrency`, merged with the metrics: `duration`, `completed`, `total_input_tokens`,
///   `total_output_tokens`, `request_throughput`, `output_throughput`, `total_token_throughput`,
///   and `mean_/median_/std_/pNN_` + `ttft`, `tpot`, `itl`, `e2el` + `_ms`).
/// - **SGLang** `python -m sglang.bench_serving --output-file`: one JSON object per line, appended,
///   `python/sglang/bench_serving.py` (`backend`, `request_rate` (Python writes `Infinity` for an
///   unbounded rate), `max_concurrency`, `duration`, `completed`, `total_input_tokens`,
///   `total_output_tokens`, `request_throughput`, `output_throughput`, `mean_/median_/p99_` +
///   `e2e_latency`, `ttft`, `tpot`, `itl` + `_ms`, `concurrency` = measured mean concurrency).
/// - **GenAI-Perf** `profile_export_genai_perf.json`: one object of metric records `{unit, avg, p50,
///   p90, p99, ...}` (`request_throughput`, `request_latency`, `time_to_first_token`,
///   `inter_token_latency` (per request (e2e - TTFT) / (output - 1), i.e. TPOT),
///   `output_token_throughput`, `input_sequence_length`, `output_sequence_length`, older
///   `num_input_token`/`num_output_token`) and `input_config` (`model`, `concurrency`, `request_rate`,
///   or `perf_analyzer.stimulus`); units `ms` or `ns`, values numbers or strings.
/// - **TensorRT-LLM** `trtllm-bench throughput|latency --report_json`:
///   `tensorrt_llm/bench/dataclasses/reporting.py` (`request_info` {`num_requests`,
///   `avg_input_length`, `avg_output_length`, `avg_num_concurrent_requests`}, `performance`
///   {`avg_request_latency_ms`, `request_throughput_req_s`, `system_output_throughput_tok_s`, ...},
///   `streaming_metrics` {`avg_ttft_ms`, `avg_tpot_ms`}, `world_info` {`tp_size`, `pp_size`, `ep_size`}).
///
/// Lengths are the run's means (total tokens / completed requests); a run with an unbounded rate and
/// no concurrency limit is an offline (max-throughput) point.
public enum BenchmarkResults {
    /// A result file format.
    public enum Format: String, Sendable, Hashable, CaseIterable {
        case vllm
        case sglang
        case genaiPerf = "genai-perf"
        case trtllmBench = "trtllm-bench"
        /// A JSON array of measured points in planner's own format.
        case planner

        /// The tool's name for messages.
        public var toolName: String {
            switch self {
            case .vllm: "vllm bench serve --save-result"
            case .sglang: "sglang.bench_serving"
            case .genaiPerf: "GenAI-Perf profile_export_genai_perf.json"
            case .trtllmBench: "trtllm-bench --report_json"
            case .planner: "planner measured points (a JSON array)"
            }
        }
    }

    /// What a result file does not say: from the command line or a sidecar YAML. Values present
    /// here override the file's own (a TP degree in a trtllm-bench report, say).
    public struct Context: Sendable, Hashable {
        public var model: String?
        public var hardware: String?
        public var tensorParallel: Int?
        public var pipelineParallel: Int?
        public var expertParallel: Int?
        /// Weight precision (`fp8`, `bf16`, ...).
        public var precision: String?
        /// Serving engine and version, for the record (`vllm 0.11.0`).
        public var engine: String?
        /// GPUs the throughput covers, when more than one replica was measured.
        public var gpuCount: Int?

        public init(model: String? = nil, hardware: String? = nil, tensorParallel: Int? = nil, pipelineParallel: Int? = nil,
                    expertParallel: Int? = nil, precision: String? = nil, engine: String? = nil, gpuCount: Int? = nil) {
            self.model = model
            self.hardware = hardware
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.expertParallel = expertParallel
            self.precision = precision
            self.engine = engine
            self.gpuCount = gpuCount
        }

        /// Keys of a sidecar YAML.
        public static let sidecarKeys = ["model", "hardware", "tp", "pp", "ep", "bits", "engine", "gpu_count"]

        /// Reads a sidecar document (`{model, hardware, tp, pp, ep, bits, engine, gpu_count}`).
        public static func sidecar(_ value: JSONValue, source: String) throws(PlannerError) -> Context {
            guard let members = value.objectMembers else {
                throw .malformedInput(source: source, reason: "expected a mapping of \(sidecarKeys.joined(separator: ", ")), found \(value.typeName)")
            }
            var context = Context()
            for (key, entry) in members {
                func integer() throws(PlannerError) -> Int {
                    guard let number = entry.intValue, number >= 1, number <= 65536 else {
                        throw .invalidValue(field: "\(source): \(key)", value: entry.serialized(), allowed: "an integer in 1...65536")
                    }
                    return number
                }
                func text() throws(PlannerError) -> String {
                    guard let string = entry.stringValue, !string.isEmpty else {
                        throw .invalidValue(field: "\(source): \(key)", value: entry.serialized(), allowed: "a non-empty string")
                    }
                    return string
                }
                switch key {
                case "model": context.model = try text()
                case "hardware": context.hardware = try text()
                case "tp": context.tensorParallel = try integer()
                case "pp": context.pipelineParallel = try integer()
                case "ep": context.expertParallel = try integer()
                case "bits": context.precision = try text()
                case "engine": context.engine = try text()
                case "gpu_count": context.gpuCount = try integer()
                default:
                    throw .invalidValue(field: "\(source): \(key)", value: key, allowed: "the keys \(sidecarKeys.joined(separator: ", "))")
                }
            }
            return context
        }

        /// `self`'s values where set, else `other`'s.
        public func overriding(_ other: Context) -> Context {
            Context(model: model ?? other.model, hardware: hardware ?? other.hardware, tensorParallel: tensorParallel ?? other.tensorParallel,
                    pipelineParallel: pipelineParallel ?? other.pipelineParallel, expertParallel: expertParallel ?? other.expertParallel,
                    precision: precision ?? other.precision, engine: engine ?? other.engine, gpuCount: gpuCount ?? other.gpuCount)
        }
    }

    /// The format of one JSON record, or nil when it is none of the known ones.
    public static func format(of record: JSONValue) -> Format? {
        if record.arrayValue != nil { return .planner }
        guard record.objectMembers != nil else { return nil }
        if record["performance"]?["system_output_throughput_tok_s"] != nil || record["request_info"] != nil { return .trtllmBench }
        if record["time_to_first_token"]?["avg"] != nil || record["request_throughput"]?["avg"] != nil { return .genaiPerf }
        if record["mean_e2e_latency_ms"] != nil || record["total_output_tokens_retokenized"] != nil { return .sglang }
        if record["mean_e2el_ms"] != nil || record["model_id"] != nil || record["total_token_throughput"] != nil { return .vllm }
        return nil
    }

    /// Parses a result file's text: one JSON document, or JSON lines (SGLang appends one object per
    /// run). Python's non-JSON `Infinity`/`NaN` literals are read as the strings `"inf"`/`"nan"`.
    /// - Returns: the records with their format.
    /// - Throws: ``PlannerError/malformedInput(source:reason:)`` naming the file (and line) and what is expected.
    public static func records(_ text: String, source: String) throws(PlannerError) -> [(record: JSONValue, format: Format)] {
        let cleaned = quotingNonFiniteLiterals(text)
        if let whole = try? JSONValue.parse(cleaned) {
            return [(whole, try recognise(whole, source: source))]
        }
        var result: [(record: JSONValue, format: Format)] = []
        for (number, line) in cleaned.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = String(line).trimmingWhitespace()
            if trimmed.isEmpty { continue }
            let where_ = "\(source) line \(number + 1)"
            let value: JSONValue
            do { value = try JSONValue.parse(trimmed) } catch {
                throw .malformedInput(source: where_, reason: "not JSON (\(error)); expected one JSON document or one JSON object per line")
            }
            result.append((value, try recognise(value, source: where_)))
        }
        if result.isEmpty { throw .malformedInput(source: source, reason: "the file is empty") }
        return result
    }

    static func recognise(_ value: JSONValue, source: String) throws(PlannerError) -> Format {
        guard let format = format(of: value) else {
            throw .malformedInput(source: source, reason: "not a result file planner knows: expected \(Format.allCases.map(\.toolName).joined(separator: ", "))")
        }
        return format
    }

    /// The measured points of a result file, in planner's format, ids `"<source>#<n>"`.
    /// - Throws: ``PlannerError`` naming the file and the missing field (with how to give it).
    public static func points(_ text: String, source: String, context: Context) throws(PlannerError) -> [JSONValue] {
        var points: [JSONValue] = []
        for (index, entry) in try records(text, source: source).enumerated() {
            switch entry.format {
            case .planner:
                points += entry.record.arrayValue ?? []
            default:
                let id = "\(source)#\(index + 1)"
                points.append(try point(entry.record, format: entry.format, id: id, context: context))
            }
        }
        return points
    }

    /// A number from a value that may be a number or a numeric string (GenAI-Perf writes both).
    static func number(_ value: JSONValue?) -> Double? {
        guard let value else { return nil }
        if let double = value.doubleValue { return double.isFinite ? double : nil }
        if let text = value.stringValue, let double = Double(text), double.isFinite { return double }
        return nil
    }

    /// The fields read from one record, before resolving the context.
    struct Measured {
        var model: String?
        var tensorParallel: Int?, pipelineParallel: Int?, expertParallel: Int?
        var precision: String?
        var inputTokens: Double?, outputTokens: Double?
        var concurrency: Int?
        var requestRate: Double?
        var ttftMs: Double?, ttftP99Ms: Double?, tpotMs: Double?, tpotP99Ms: Double?, e2eMs: Double?
        var outputTokensPerSecond: Double?
    }

    static func point(_ record: JSONValue, format: Format, id: String, context: Context) throws(PlannerError) -> JSONValue {
        let measured: Measured
        switch format {
        case .vllm, .sglang: measured = servingBench(record, e2eKey: format == .vllm ? "e2el" : "e2e_latency")
        case .genaiPerf: measured = genaiPerf(record)
        case .trtllmBench: measured = trtllmBench(record)
        case .planner: measured = Measured()
        }
        func require<T>(_ value: T?, _ field: String, _ how: String) throws(PlannerError) -> T {
            guard let value else {
                throw .missingField(field: field, context: "\(id) (\(format.toolName)): the file does not say it; \(how)")
            }
            return value
        }
        let model = try require(context.model ?? measured.model, "model", "give --model NAME or `model:` in the sidecar")
        let hardware = try require(context.hardware, "hardware", "give --hardware NAME or `hardware:` in the sidecar")
        let tp = try require(context.tensorParallel ?? measured.tensorParallel, "tp", "give --tp N or `tp:` in the sidecar")
        let precision = try require(context.precision ?? measured.precision, "bits", "give --bits fp8|bf16|... or `bits:` in the sidecar")
        let input = try require(measured.inputTokens, "input tokens", "the file has no total_input_tokens/completed or mean input length")
        let output = try require(measured.outputTokens, "output tokens", "the file has no total_output_tokens/completed or mean output length")
        guard input >= 1, output >= 1 else {
            throw .invalidValue(field: "\(id): mean lengths", value: "\(input) in / \(output) out", allowed: "at least 1 token each")
        }
        let pp = context.pipelineParallel ?? measured.pipelineParallel ?? 1
        let ep = context.expertParallel ?? measured.expertParallel ?? 1
        let devices = tp * pp * ep
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("model", .string(model)), ("hardware", .string(hardware)),
            ("gpu_count", .int(context.gpuCount ?? devices)), ("tp", .int(tp)), ("pp", .int(pp)), ("ep", .int(ep)),
            ("precision", .string(precision)), ("engine", .string(context.engine ?? format.rawValue)),
            ("input_len", .int(Int(input.rounded()))), ("output_len", .int(Int(output.rounded()))),
            ("lengths", .string("means of the run")),
        ]
        let scenario: String
        if let concurrency = measured.concurrency {
            members.append(("concurrency", .int(concurrency)))
            scenario = "closed loop at concurrency \(concurrency)"
        } else if let rate = measured.requestRate {
            members.append(("request_rate_rps", .double(rate)))
            scenario = "Poisson arrivals at \(rate) requests/s"
        } else {
            scenario = "offline (every request at once, max throughput)"
        }
        members.append(("scenario", .string(scenario)))
        func add(_ key: String, _ value: Double?) { if let value { members.append((key, .double(value))) } }
        add("ttft_ms", measured.ttftMs)
        add("ttft_p99_ms", measured.ttftP99Ms)
        add("tpot_ms", measured.tpotMs)
        add("tpot_p99_ms", measured.tpotP99Ms)
        add("e2e_latency_ms", measured.e2eMs)
        add("throughput_tok_s", measured.outputTokensPerSecond)
        members.append(("throughput_scope", .string("system total output tokens/s (\(context.gpuCount ?? devices) GPUs)")))
        members.append(("source", .string(id)))
        return .object(members)
    }

    /// vLLM's and SGLang's serving benchmarks (the same metric names but for end to end).
    static func servingBench(_ record: JSONValue, e2eKey: String) -> Measured {
        var measured = Measured()
        measured.model = record["model_id"]?.stringValue ?? record["model"]?.stringValue
        if let completed = number(record["completed"]), completed > 0 {
            measured.inputTokens = number(record["total_input_tokens"]).map { $0 / completed }
            measured.outputTokens = number(record["total_output_tokens"]).map { $0 / completed }
        }
        let unboundedRate = record["request_rate"].map { $0.stringValue?.lowercased() == "inf" || $0 == .null } ?? true
        if let limit = record["max_concurrency"]?.intValue, limit >= 1, unboundedRate {
            measured.concurrency = limit
        } else if !unboundedRate {
            measured.requestRate = number(record["request_rate"])
        }
        measured.ttftMs = number(record["mean_ttft_ms"])
        measured.ttftP99Ms = number(record["p99_ttft_ms"])
        measured.tpotMs = number(record["mean_tpot_ms"])
        measured.tpotP99Ms = number(record["p99_tpot_ms"])
        measured.e2eMs = number(record["mean_\(e2eKey)_ms"])
        measured.outputTokensPerSecond = number(record["output_throughput"])
        return measured
    }

    /// GenAI-Perf's `profile_export_genai_perf.json`.
    static func genaiPerf(_ record: JSONValue) -> Measured {
        func milliseconds(_ key: String, _ statistic: String) -> Double? {
            guard let metric = record[key], let value = number(metric[statistic]) else { return nil }
            switch metric["unit"]?.stringValue?.lowercased() ?? "ms" {
            case "ns": return value / 1e6
            case "us": return value / 1e3
            case "s", "sec": return value * 1e3
            default: return value
            }
        }
        var measured = Measured()
        let config = record["input_config"]
        measured.model = config?["model"]?.arrayValue?.first?.stringValue ?? config?["model"]?.stringValue
            ?? config?["model_names"]?.arrayValue?.first?.stringValue
        measured.inputTokens = number(record["input_sequence_length"]?["avg"]) ?? number(record["num_input_token"]?["avg"])
        measured.outputTokens = number(record["output_sequence_length"]?["avg"]) ?? number(record["num_output_token"]?["avg"])
        let stimulus = config?["perf_analyzer"]?["stimulus"]
        if let concurrency = config?["concurrency"]?.intValue ?? stimulus?["concurrency"]?.intValue, concurrency >= 1 {
            measured.concurrency = concurrency
        } else if let rate = number(config?["request_rate"]) ?? number(stimulus?["request_rate"]), rate > 0 {
            measured.requestRate = rate
        }
        measured.ttftMs = milliseconds("time_to_first_token", "avg")
        measured.ttftP99Ms = milliseconds("time_to_first_token", "p99")
        measured.tpotMs = milliseconds("inter_token_latency", "avg")
        measured.tpotP99Ms = milliseconds("inter_token_latency", "p99")
        measured.e2eMs = milliseconds("request_latency", "avg")
        measured.outputTokensPerSecond = number(record["output_token_throughput"]?["avg"])
        return measured
    }

    /// TensorRT-LLM's `trtllm-bench` report.
    static func trtllmBench(_ record: JSONValue) -> Measured {
        var measured = Measured()
        let info = record["request_info"], performance = record["performance"], streaming = record["streaming_metrics"]
        let world = record["world_info"], engine = record["engine"]
        measured.model = engine?["model"]?.stringValue ?? record["model"]?.stringValue
        measured.tensorParallel = world?["tp_size"]?.intValue
        measured.pipelineParallel = world?["pp_size"]?.intValue
        measured.expertParallel = world?["ep_size"]?.intValue
        if let quantization = engine?["quantization"]?.stringValue, !["none", "null", ""].contains(quantization.lowercased()) {
            measured.precision = quantization.lowercased()
        } else if let dtype = engine?["dtype"]?.stringValue?.lowercased() {
            measured.precision = ["bfloat16": "bf16", "float16": "fp16", "float32": "fp32"][dtype] ?? dtype
        }
        measured.inputTokens = number(info?["avg_input_length"]) ?? number(record["dataset"]?["avg_isl"])
        measured.outputTokens = number(info?["avg_output_length"]) ?? number(record["dataset"]?["avg_osl"])
        if let concurrency = world?["concurrency"]?.intValue ?? record["concurrency"]?.intValue, concurrency >= 1 {
            measured.concurrency = concurrency
        }
        measured.ttftMs = number(streaming?["avg_ttft_ms"])
        measured.tpotMs = number(streaming?["avg_tpot_ms"])
        measured.e2eMs = number(performance?["avg_request_latency_ms"])
        measured.outputTokensPerSecond = number(performance?["system_output_throughput_tok_s"])
        return measured
    }

    /// `Infinity`, `-Infinity` and `NaN` outside strings, as Python's `json.dumps` writes them, as the
    /// strings `"inf"`, `"-inf"`, `"nan"`.
    static func quotingNonFiniteLiterals(_ text: String) -> String {
        guard text.contains("Infinity") || text.contains("NaN") else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var inString = false, escaped = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inString {
                out.append(character)
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                index = text.index(after: index)
                continue
            }
            if character == "\"" { inString = true; out.append(character); index = text.index(after: index); continue }
            let rest = text[index...]
            if rest.hasPrefix("-Infinity") { out += "\"-inf\""; index = text.index(index, offsetBy: 9); continue }
            if rest.hasPrefix("Infinity") { out += "\"inf\""; index = text.index(index, offsetBy: 8); continue }
            if rest.hasPrefix("NaN") { out += "\"nan\""; index = text.index(index, offsetBy: 3); continue }
            out.append(character)
            index = text.index(after: index)
        }
        return out
    }
}
