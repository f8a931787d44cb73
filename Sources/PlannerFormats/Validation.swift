public import PlannerCore

/// `planner validate`: predicts measured points (the format of `measured_public.json`) and reports
/// the signed error of each prediction and the median and mean absolute error.
///
/// A point is predicted when its batch (static batching) or concurrency (closed-loop serving) and its
/// input and output lengths are fixed numbers. Static points: TTFT = prefill of the batch, TPOT = the
/// average decode step, end to end = TTFT + output tokens x TPOT, throughput = batch x output tokens /
/// end to end. Serving points use ``Estimator/closedLoop(_:concurrency:)``; their TTFT (own prefill plus
/// queueing behind other requests' prefills) is listed as not modelled. Throughput follows the point's
/// `throughput_scope`: per GPU ('per GPU', 'single GPU', '/GPU'), else the replica measured, times the
/// replicas when `gpu_count` covers several.
public enum Validation {
    /// A measured quantity (see ``MeasuredRun/Metric``).
    public typealias Metric = MeasuredRun.Metric

    /// One line of a report: a prediction next to its measurement, or why there is none.
    public enum Entry: Sendable, Hashable {
        /// A measurement of point `id` and the profile's prediction of it.
        case compared(id: String, metric: Metric, measured: Double, predicted: Double)
        /// `metric` is nil when the whole point is skipped.
        case skipped(id: String, metric: Metric?, reason: String)

        /// Signed error of a comparison in percent: (predicted - measured) / measured x 100.
        public var errorPercent: Double? {
            guard case let .compared(_, _, measured, predicted) = self else { return nil }
            return (predicted - measured) / measured * 100
        }

        /// The point's `id`.
        public var id: String {
            switch self {
            case let .compared(id, _, _, _), let .skipped(id, _, _): id
            }
        }

        /// The metric, or nil for a whole point skipped.
        public var metric: Metric? {
            switch self {
            case let .compared(_, metric, _, _): metric
            case let .skipped(_, metric, _): metric
            }
        }
    }

    /// Every entry of one profile, in the order of the points and metrics.
    public struct Report: Sendable, Hashable {
        /// The profile that made the predictions.
        public var profile: Profile
        /// One entry per measurement or skipped point.
        public var entries: [Entry]

        /// Absolute errors of the compared entries, percent.
        public var absoluteErrors: [Double] { entries.compactMap(\.errorPercent).map(abs) }
        /// Median absolute error in percent (nil without comparisons).
        public var medianAbsoluteErrorPercent: Double? { Validation.median(absoluteErrors) }
        /// Mean absolute error in percent (nil without comparisons).
        public var meanAbsoluteErrorPercent: Double? {
            Validation.mean(absoluteErrors)
        }

        /// The same report restricted to the (id, metric) pairs `other` also compared.
        public func restricted(to other: Report) -> Report {
            let keys = Set(other.entries.compactMap { entry -> String? in
                guard case let .compared(id, metric, _, _) = entry else { return nil }
                return "\(id)/\(metric.rawValue)"
            })
            return Report(profile: profile, entries: entries.filter { entry in
                guard case let .compared(id, metric, _, _) = entry else { return false }
                return keys.contains("\(id)/\(metric.rawValue)")
            })
        }
    }

    /// Predicts every point of `document` (a JSON array of measured points) with `profile`.
    /// - Throws: ``PlannerError/malformedInput(source:reason:)`` when the document is not an array of objects.
    public static func run(_ document: JSONValue, profile: Profile) throws(PlannerError) -> Report {
        guard let points = document.arrayValue else {
            throw .malformedInput(source: "points", reason: "expected a JSON array of measured points, found \(document.typeName)")
        }
        var entries: [Entry] = []
        for (index, point) in points.enumerated() {
            guard point.objectMembers != nil else {
                throw .malformedInput(source: "points[\(index)]", reason: "expected an object, found \(point.typeName)")
            }
            entries += evaluate(point, index: index, profile: profile)
        }
        return Report(profile: profile, entries: entries)
    }

    /// The entries of one point.
    static func evaluate(_ point: JSONValue, index: Int, profile: Profile) -> [Entry] {
        let id = pointID(point, index: index)
        let run: MeasuredRun
        switch measuredRun(point, index: index, profile: profile) {
        case let .success(parsed): run = parsed
        case let .failure(reason): return [.skipped(id: id, metric: nil, reason: reason.text)]
        }
        let predictions: [(metric: Metric, predicted: Double?, reason: String?)]
        do { predictions = try run.predictions() } catch {
            return run.measured.map { .skipped(id: id, metric: $0.metric, reason: "\(profile.rawValue) profile cannot estimate it: \(error)") }
        }
        return zip(run.measured, predictions).map { measured, prediction in
            if let value = prediction.predicted {
                return .compared(id: id, metric: measured.metric, measured: measured.value, predicted: value)
            }
            return .skipped(id: id, metric: measured.metric, reason: prediction.reason ?? "not modelled")
        }
    }

    /// The serving engine a point names (`engine`): vLLM, SGLang, or TensorRT-LLM (also NVIDIA NIM,
    /// whose LLM containers run TensorRT-LLM engines, and the MLPerf NVIDIA harness); vLLM otherwise.
    static func engine(of point: JSONValue) -> SchedulerConfig.Engine {
        let text = (point["engine"]?.stringValue ?? "").lowercased()
        if text.contains("sglang") { return .sglang }
        if text.contains("tensorrt") || text.contains("trt") || text.contains("nim") { return .trtllm }
        return .vllm
    }

    static func pointID(_ point: JSONValue, index: Int) -> String {
        point["id"].map { $0.stringValue ?? $0.serialized() } ?? "point-\(index)"
    }

    /// The run a measured point describes, or why it cannot be modelled.
    public static func measuredRun(_ point: JSONValue, index: Int, profile: Profile) -> Result<MeasuredRun, Setup.Reason> {
        let id = pointID(point, index: index)
        let measured = Metric.allCases.compactMap { metric in point[metric.key]?.doubleValue.map { MeasuredRun.Measurement(metric: metric, value: $0) } }
        if measured.isEmpty { return .failure(Setup.Reason(text: "no measured ttft_ms, tpot_ms, e2e_latency_ms or throughput_tok_s")) }
        switch Setup.parse(point, profile: profile) {
        case let .success(setup):
            let mode: MeasuredRun.Mode
            switch setup.mode {
            case let .staticBatch(batch): mode = .staticBatch(batch)
            case let .serving(concurrency): mode = .closedLoop(concurrency: concurrency)
            case let .poisson(rate): mode = .poisson(requestsPerSecond: rate)
            case .offline: mode = .offline
            }
            return .success(MeasuredRun(id: id, request: setup.request, mode: mode, throughputScale: setup.throughputScale, measured: measured,
                                        serving: .simulated(engine(of: point))))
        case let .failure(reason): return .failure(reason)
        }
    }

    /// How a point is run.
    public struct Setup {
        enum Mode {
            case staticBatch(Int)
            case serving(Int)
            case poisson(Double)
            case offline
        }

        /// Why a point cannot be predicted.
        public struct Reason: Error {
            public var text: String
        }

        var request: EstimateRequest
        var mode: Mode
        /// Multiplies one replica's output tokens/s into the point's throughput scope.
        var throughputScale: Double

        static func parse(_ point: JSONValue, profile: Profile) -> Result<Setup, Reason> {
            guard let input = point["input_len"]?.intValue, let output = point["output_len"]?.intValue else {
                let text = point["input_len"]?.stringValue ?? point["output_len"]?.stringValue ?? "absent"
                return .failure(Reason(text: "variable or unknown request lengths (\(text)): needs a serving model of the length distribution"))
            }
            let mode: Mode
            if let concurrency = point["concurrency"]?.intValue {
                mode = .serving(concurrency)
            } else if let batch = point["batch_size"]?.intValue {
                mode = .staticBatch(batch)
            } else if let rate = point["request_rate_rps"]?.doubleValue, rate > 0, rate.isFinite {
                mode = .poisson(rate)
            } else if (point["scenario"]?.stringValue ?? "").lowercased().contains("offline") {
                mode = .offline
            } else {
                return .failure(Reason(text: "neither batch_size nor concurrency is given (batch chosen by the runtime): needs a serving model"))
            }
            let precisionText = point["precision"]?.stringValue ?? ""
            let firstWord = precisionText.split(separator: " ").first.map(String.init) ?? ""
            guard let precision = try? Precision.parse(firstWord) else {
                return .failure(Reason(text: "precision not stated ('\(precisionText)')"))
            }
            let modelName = point["model"]?.stringValue ?? ""
            guard let model = MeasuredNames.model(modelName) else {
                return .failure(Reason(text: "model '\(modelName)' is not in the catalog"))
            }
            let hardwareName = point["hardware"]?.stringValue ?? ""
            guard let hardware = MeasuredNames.hardware(hardwareName) else {
                return .failure(Reason(text: "hardware '\(hardwareName)' is not in the catalog"))
            }
            guard let tensor = point["tp"]?.intValue else {
                return .failure(Reason(text: "tensor-parallel degree not stated"))
            }
            let pipeline = point["pp"]?.intValue ?? 1
            let expert = point["ep"]?.intValue ?? 1
            let layout = Parallelism(tensor: tensor, pipeline: pipeline, expert: expert)
            let request = EstimateRequest(model: model, hardware: hardware, batchSize: 1, beamSize: 1, inputTokens: input,
                                          outputTokens: output, precision: precision, parallelism: layout, profile: profile)
            let scope = (point["throughput_scope"]?.stringValue ?? "").lowercased()
            let devices = Double(layout.devices)
            let gpus = Double(point["gpu_count"]?.intValue ?? layout.devices)
            let scale: Double
            // Per GPU when the scope says so, or flags that its table omits the '/GPU' its sibling table
            // carries (TensorRT-LLM v0.6.1's A100 rows: read literally they would be 16x slower per GPU
            // than the H100 rows of the same page; MEASURED_NOTES.md).
            if scope.contains("per gpu") || scope.contains("single gpu") || scope.contains("/gpu") {
                scale = 1 / devices
            } else {
                // The replica measured, or every replica of the system.
                scale = max(gpus / devices, 1)
            }
            return .success(Setup(request: request, mode: mode, throughputScale: scale))
        }
    }

    /// The mean of `values` (nil when empty).
    public static func mean(_ values: [Double]) -> Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    /// The median of `values` (nil when empty).
    public static func median(_ values: [Double]) -> Double? {
        if values.isEmpty { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    // MARK: - Output

    /// `{"profile", "points": [{"id", "metric", "measured", "predicted", "error_pct"} or {"id", "skipped"}],
    /// "median_abs_error_pct", "mean_abs_error_pct", "compared", "baseline": {the same for the other profile,
    /// plus its figures on the points both profiles compared}}`.
    public static func json(_ report: Report, baseline: Report?) -> JSONValue {
        var members = summaryMembers(report)
        if let baseline {
            var other = summaryMembers(baseline)
            let common = report.restricted(to: baseline)
            let commonBaseline = baseline.restricted(to: report)
            other += [
                ("common_compared", .int(common.absoluteErrors.count)),
                ("common_median_abs_error_pct", number(commonBaseline.medianAbsoluteErrorPercent)),
                ("common_mean_abs_error_pct", number(commonBaseline.meanAbsoluteErrorPercent)),
                ("\(report.profile.rawValue)_common_median_abs_error_pct", number(common.medianAbsoluteErrorPercent)),
                ("\(report.profile.rawValue)_common_mean_abs_error_pct", number(common.meanAbsoluteErrorPercent)),
            ]
            members.append(("baseline", .object(other)))
        }
        return .object(members)
    }

    private static func summaryMembers(_ report: Report) -> [(String, JSONValue)] {
        [
            ("profile", .string(report.profile.rawValue)),
            ("points", .array(report.entries.map(entryJSON))),
            ("median_abs_error_pct", number(report.medianAbsoluteErrorPercent)),
            ("mean_abs_error_pct", number(report.meanAbsoluteErrorPercent)),
            ("compared", .int(report.absoluteErrors.count)),
        ]
    }

    private static func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }

    static func entryJSON(_ entry: Entry) -> JSONValue {
        switch entry {
        case let .compared(id, metric, measured, predicted):
            return .object([
                ("id", .string(id)), ("metric", .string(metric.rawValue)), ("measured", .double(measured)),
                ("predicted", .double(predicted)), ("error_pct", .double(entry.errorPercent ?? 0)),
            ])
        case let .skipped(id, metric, reason):
            var members: [(String, JSONValue)] = [("id", .string(id))]
            if let metric { members.append(("metric", .string(metric.rawValue))) }
            members.append(("skipped", .string(reason)))
            return .object(members)
        }
    }

    /// A table of the comparisons (with the baseline's prediction and error next to them), the
    /// skipped points with their reasons, and the summary lines of both profiles.
    public static func text(_ report: Report, baseline: Report?) -> String {
        let name = report.profile.rawValue
        var headers = ["point", "metric", "unit", "measured", name, "error %"]
        if let baseline { headers += [baseline.profile.rawValue, "error %"] }
        var table = TextTable(headers: headers, alignments: [.left, .left, .left] + Array(repeating: .right, count: headers.count - 3))
        var skipped: [String] = []
        for entry in report.entries {
            switch entry {
            case let .compared(id, metric, measured, predicted):
                var row = [id, metric.rawValue, metric.unit, NumberFormat.significant(measured), NumberFormat.significant(predicted),
                           signed(entry.errorPercent ?? 0)]
                if let baseline {
                    let other = baseline.entries.first { $0.id == id && $0.metric == metric }
                    if let other, case let .compared(_, _, _, otherPredicted) = other {
                        row += [NumberFormat.significant(otherPredicted), signed(other.errorPercent ?? 0)]
                    } else {
                        row += ["-", "-"]
                    }
                }
                table.append(row)
            case let .skipped(id, metric, reason):
                skipped.append("  \(id)\(metric.map { " \($0.rawValue)" } ?? ""): \(reason)")
            }
        }
        var lines = [table.render()]
        if !skipped.isEmpty { lines += ["", "not modelled:"] + skipped }
        lines += ["", summaryLine(report, label: "\(name) profile")]
        if let baseline {
            lines.append(summaryLine(baseline, label: "\(baseline.profile.rawValue) profile"))
            let common = report.restricted(to: baseline), commonBaseline = baseline.restricted(to: report)
            if common.absoluteErrors.count != report.absoluteErrors.count || commonBaseline.absoluteErrors.count != baseline.absoluteErrors.count {
                lines.append(summaryLine(common, label: "\(name) on the points both predict"))
                lines.append(summaryLine(commonBaseline, label: "\(baseline.profile.rawValue) on the points both predict"))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func summaryLine(_ report: Report, label: String) -> String {
        guard let median = report.medianAbsoluteErrorPercent, let mean = report.meanAbsoluteErrorPercent else {
            return "\(label): no point compared"
        }
        return "\(label): median |error| \(NumberFormat.fixed(median, decimals: 1))%, mean |error| "
            + "\(NumberFormat.fixed(mean, decimals: 1))% over \(report.absoluteErrors.count) measurements"
    }

    private static func signed(_ value: Double) -> String {
        (value >= 0 ? "+" : "") + NumberFormat.fixed(value, decimals: 1)
    }
}

/// How the free-text `model` and `hardware` names of measured points map onto the catalogs.
public enum MeasuredNames {
    /// Models the catalog lacks under the points' names: the same architecture under another key, or
    /// the public configuration the source names.
    static let modelAliases: [String: ModelSpec] = {
        var table: [String: ModelSpec] = [:]
        // Llama 3.3 70B has exactly Llama 3.1 70B's architecture (only the weights differ).
        if let llama31 = try? ModelCatalog.model(named: "meta-llama/Llama-3.1-70B") { table["llama-3.3-70b"] = llama31 }
        // llm-analysis' test-13b.json (the FasterTransformer example): a GPT-style 13B.
        table["13b gpt-style"] = ModelSpec(
            name: "llm-analysis/test-13b", lookupKeys: ["13B GPT-style"], numLayers: 40, hiddenSize: 5120, numAttentionHeads: 40,
            numKeyValueHeads: 40, headDim: 128, intermediateSize: 20480, numFFI: 1, vocabSize: 50272, hiddenActivation: "gelu")
        return table
    }()

    /// Resolves a point's model name: the text before any parenthesis, without an `-Instruct` suffix,
    /// looked up in the catalog or the aliases above; nil when unknown.
    public static func model(_ text: String) -> ModelSpec? {
        var name = text
        if let open = name.firstIndex(of: "(") { name = String(name[..<open]) }
        name = name.trimmingWhitespace()
        for suffix in ["-Instruct", "-instruct"] where name.hasSuffix(suffix) { name = String(name.dropLast(suffix.count)) }
        if let alias = modelAliases[name.lowercased()] { return alias }
        return try? ModelCatalog.model(named: name)
    }

    /// Hardware name fragments, in match order, and the catalog entry each means.
    static let hardwareNames: [(fragment: String, catalog: String)] = [
        ("MI325X", "MI325X"), ("MI300X", "MI300X"), ("GB200", "GB200"), ("GH200", "GH200_GPU"), ("B200", "B200"),
        ("H200", "H200"), ("H100", "H100_GPU"), ("A100-SXM-40GB", "A100_40GB_GPU"), ("A100-SXM4-40GB", "A100_40GB_GPU"),
        ("A100", "A100_80GB_GPU"), ("GAUDI3", "Gaudi3"), ("GAUDI 3", "Gaudi3"),
    ]

    /// Resolves a point's hardware description (an SXM part unless it says PCIe); nil when unknown.
    public static func hardware(_ text: String) -> HardwareSpec? {
        // A catalog name or alias as given (what benchmark sidecars name) before the fragments.
        if let exact = try? HardwareCatalog.hardware(named: text) { return exact }
        let upper = text.uppercased()
        if upper.contains("PCIE") { return nil }
        for (fragment, catalog) in hardwareNames where upper.contains(fragment) {
            return try? HardwareCatalog.hardware(named: catalog)
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
