public import PlannerCore

/// JSON and tables for comparisons and layout searches.
public enum PlanningOutput {
    /// A comparison entry with the Python API's keys: `config_name`, `total_throughput` (tokens/s),
    /// `ttft`, `tpot`, `total_latency` (ms; `null` = infinite for a failure), `configuration`,
    /// `performance` (the end-to-end result) or `error`.
    public static func comparisonJSON(_ entries: [Comparison.Entry]) -> JSONValue {
        .array(entries.map { entry in
            var members: [(String, JSONValue)] = [
                ("config_name", .string(entry.name)),
                ("total_throughput", .double(entry.totalThroughputTokensPerSecond)),
                ("output_throughput", .double(entry.outputThroughputTokensPerSecond)),
                ("output_throughput_per_device", .double(entry.outputThroughputTokensPerSecond / Double(entry.request?.parallelism.devices ?? 1))),
                ("cost_per_million_tokens", costPerMillionTokens(entry).map(JSONValue.double) ?? .null),
                ("ttft", .double(entry.ttftMs)),
                ("tpot", .double(entry.tpotMs)),
                ("total_latency", .double(entry.totalLatencyMs)),
            ]
            if let request = entry.request {
                members.append(("configuration", .object([
                    ("model", .string(request.model.name)),
                    ("hardware", .string(request.hardware.name)),
                    ("tensor_parallel", .int(request.parallelism.tensor)),
                    ("pipeline_parallel", .int(request.parallelism.pipeline)),
                    ("expert_parallel", .int(request.parallelism.expert)),
                    ("bits", .string(request.precision.rawValue)),
                    ("batch_size", .int(request.batchSize)),
                    ("beam_size", .int(request.beamSize)),
                    ("input_tokens", .int(request.inputTokens)),
                    ("output_tokens", .int(request.outputTokens)),
                    ("profile", .string(request.profile.rawValue)),
                ])))
            }
            switch entry.outcome {
            case let .success(estimate):
                if let request = entry.request {
                    members.append(("performance", ResultJSON.endToEnd(estimate, request: request, operators: false)))
                }
            case let .failure(error):
                members.append(("error", .string(error.description)))
            }
            return .object(members)
        })
    }

    public static func comparisonTable(_ entries: [Comparison.Entry]) -> String {
        var table = TextTable(
            headers: ["#", "config", "hardware", "TP", "PP", "EP", "bits", "total tok/s", "output tok/s", "out tok/s/device", "$/M tok",
                      "TTFT ms", "TPOT ms", "latency ms", "note"],
            alignments: [.right, .left, .left, .right, .right, .right, .left, .right, .right, .right, .right, .right, .right, .right, .left])
        for (position, entry) in entries.enumerated() {
            var row: [String] = ["\(position + 1)", entry.name]
            if let request = entry.request {
                let layout = request.parallelism
                row += [request.hardware.name, "\(layout.tensor)", "\(layout.pipeline)", "\(layout.expert)", request.precision.rawValue]
            } else {
                row += ["-", "-", "-", "-", "-"]
            }
            switch entry.outcome {
            case .success:
                let devices = Double(entry.request?.parallelism.devices ?? 1)
                row += [NumberFormat.significant(entry.totalThroughputTokensPerSecond, digits: 5),
                        NumberFormat.significant(entry.outputThroughputTokensPerSecond, digits: 5),
                        NumberFormat.significant(entry.outputThroughputTokensPerSecond / devices, digits: 5),
                        costPerMillionTokens(entry).map { NumberFormat.significant($0, digits: 4) } ?? "-",
                        NumberFormat.significant(entry.ttftMs), NumberFormat.significant(entry.tpotMs),
                        NumberFormat.significant(entry.totalLatencyMs, digits: 5), ""]
            case let .failure(error):
                row += ["0", "0", "0", "-", "inf", "inf", "inf", "error: \(error)"]
            }
            table.append(row)
        }
        return table.render()
    }

    /// US dollars per million tokens (input + output) of a compared configuration at its throughput,
    /// with the shipped prices; nil for a failure or hardware without a price.
    static func costPerMillionTokens(_ entry: Comparison.Entry) -> Double? {
        guard let request = entry.request, entry.totalThroughputTokensPerSecond > 0,
              let price = PriceList.shipped.price(for: request.hardware.name)?.usdPerDeviceHour else { return nil }
        return RankObjective.costPerMillionTokens(usdPerDeviceHour: price, devices: request.parallelism.devices,
                                                  tokensPerSecond: entry.totalThroughputTokensPerSecond)
    }

    /// One recommended configuration, with the keys of `planner recommend --json`.
    /// `serving`: the serving model that produced the figures (key `serving_model`). `launch`: the
    /// engine launch lines (key `launch`, an object keyed by engine, each ``LaunchOutput/json(_:engine:)``;
    /// absent when empty).
    public static func candidateJSON(_ candidate: LayoutSearch.Candidate, rank: Int, serving: LayoutSearch.Serving,
                                     launch: [(engine: SchedulerConfig.Engine, outcome: LaunchOutput.Outcome)] = []) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("rank", .int(rank)),
            ("serving_model", .string(serving.key)),
            ("tensor_parallel", .int(candidate.layout.tensor)),
            ("pipeline_parallel", .int(candidate.layout.pipeline)),
            ("expert_parallel", .int(candidate.layout.expert)),
            ("data_parallel", .int(candidate.layout.dataParallel)),
            ("replicas", .int(candidate.replicas)),
            ("devices", .int(candidate.devices)),
            ("nodes", .int(candidate.nodes)),
            ("bits", .string(candidate.precision.rawValue)),
            ("batch_size", .int(candidate.batchSize)),
            ("ttft_ms", .double(candidate.ttftMs)),
            ("tpot_ms", .double(candidate.tpotMs)),
            ("request_latency_ms", .double(candidate.requestLatencyMs)),
            ("throughput_tok_s", .double(candidate.throughputTokensPerSecond)),
            ("throughput_per_device", .double(candidate.throughputPerDevice)),
            ("memory_per_device_GiB", .double(candidate.memoryPerDeviceGiB)),
            ("pareto", .bool(candidate.isPareto)),
            ("cost_per_hour", candidate.costPerHourUSD.map(JSONValue.double) ?? .null),
            ("cost_per_million_output_tokens", candidate.costPerMillionOutputTokensUSD.map(JSONValue.double) ?? .null),
        ]
        if !launch.isEmpty {
            members.append(("launch", .object(launch.map { ($0.engine.rawValue, LaunchOutput.json($0.outcome, engine: $0.engine)) })))
        }
        return .object(members)
    }

    /// The recommendation table; TTFT and TPOT headers name the statistic under continuous batching.
    public static func recommendationTable(_ candidates: [LayoutSearch.Candidate], serving: LayoutSearch.Serving) -> String {
        let statistic: String
        switch serving {
        case .staticBatch: statistic = ""
        case let .continuous(value): statistic = " \(value)"
        }
        func dollars(_ value: Double?) -> String { value.map { NumberFormat.significant($0, digits: 4) } ?? "-" }
        var table = TextTable(
            headers: ["#", "DP", "TP", "PP", "EP", "replicas", "devices", "bits", "batch", "TTFT\(statistic) ms", "TPOT\(statistic) ms",
                      "tok/s (all)", "tok/s/device", "GiB/device", "$/hour", "$/M out tok", "pareto"],
            alignments: [.right, .right, .right, .right, .right, .right, .right, .left, .right, .right, .right, .right, .right, .right, .right, .right, .left])
        for (position, candidate) in candidates.enumerated() {
            table.append([
                "\(position + 1)", "\(candidate.layout.dataParallel)", "\(candidate.layout.tensor)", "\(candidate.layout.pipeline)", "\(candidate.layout.expert)",
                "\(candidate.replicas)", "\(candidate.devices)", candidate.precision.rawValue, "\(candidate.batchSize)",
                NumberFormat.significant(candidate.ttftMs), NumberFormat.significant(candidate.tpotMs),
                NumberFormat.significant(candidate.throughputTokensPerSecond, digits: 5),
                NumberFormat.significant(candidate.throughputPerDevice, digits: 5),
                NumberFormat.significant(candidate.memoryPerDeviceGiB), dollars(candidate.costPerHourUSD),
                dollars(candidate.costPerMillionOutputTokensUSD), candidate.isPareto ? "*" : "",
            ])
        }
        return table.render()
    }
}
