public import PlannerCore

/// `recommend --serving disaggregated|auto` as JSON and text: the best disaggregated deployments
/// (x prefill instances of P + y decode instances of D), the best aggregated layouts with `auto`, and
/// which wins by how much in output tokens/s per device.
public enum DisaggregationOutput {
    static func perDevice(_ requestsPerSecond: Double, devices: Int, result: Disaggregation.Result) -> Double {
        Disaggregation.tokensPerDevice(requestsPerSecond: requestsPerSecond, outputTokens: result.options.outputTokens, devices: devices)
    }

    static func layoutJSON(_ layout: Parallelism) -> JSONValue { ResultJSON.parallelism(layout) }

    public static func deploymentJSON(_ deployment: Disaggregation.Deployment, rank: Int, result: Disaggregation.Result) -> JSONValue {
        .object([
            ("rank", .int(rank)),
            ("serving_model", .string("disaggregated")),
            ("prefill_layout", layoutJSON(deployment.prefill.layout)),
            ("prefill_instances", .int(deployment.prefillInstances)),
            ("prefill_requests_per_s_per_instance", .double(deployment.prefill.requestsPerSecond)),
            ("decode_layout", layoutJSON(deployment.decode.layout)),
            ("decode_instances", .int(deployment.decodeInstances)),
            ("decode_requests_per_s_per_instance", .double(deployment.decode.requestsPerSecond)),
            ("devices", .int(deployment.devices)),
            ("requests_per_s", .double(deployment.requestsPerSecond)),
            ("output_tokens_per_s_per_device", .double(perDevice(deployment.requestsPerSecond, devices: deployment.devices, result: result))),
            ("output_tokens_per_s_per_user", .double(1000 / deployment.decode.tpotMs)),
            ("ttft_ms", .double(deployment.ttftMs)),
            ("prefill_ttft_ms", .double(deployment.prefill.ttftMs)),
            ("kv_transfer_ms", .double(deployment.transferMs)),
            ("decode_first_step_ms", .double(deployment.decode.ttftMs)),
            ("tpot_ms", .double(deployment.decode.tpotMs)),
        ])
    }

    public static func aggregatedJSON(_ aggregated: Disaggregation.Aggregated, rank: Int, result: Disaggregation.Result) -> JSONValue {
        .object([
            ("rank", .int(rank)),
            ("serving_model", .string("aggregated (simulated)")),
            ("layout", layoutJSON(aggregated.capacity.layout)),
            ("replicas", .int(aggregated.replicas)),
            ("requests_per_s_per_replica", .double(aggregated.capacity.requestsPerSecond)),
            ("devices", .int(aggregated.devices)),
            ("requests_per_s", .double(aggregated.requestsPerSecond)),
            ("output_tokens_per_s_per_device", .double(perDevice(aggregated.requestsPerSecond, devices: aggregated.devices, result: result))),
            ("output_tokens_per_s_per_user", .double(1000 / aggregated.capacity.tpotMs)),
            ("ttft_ms", .double(aggregated.capacity.ttftMs)),
            ("tpot_ms", .double(aggregated.capacity.tpotMs)),
        ])
    }

    /// The winner with `auto`: which kind has the higher output tokens/s per device, and the ratio.
    public static func verdict(_ result: Disaggregation.Result) -> (winner: String, ratio: Double)? {
        guard let disaggregated = result.disaggregated.first, let aggregated = result.aggregated.first else { return nil }
        let d = perDevice(disaggregated.requestsPerSecond, devices: disaggregated.devices, result: result)
        let a = perDevice(aggregated.requestsPerSecond, devices: aggregated.devices, result: result)
        return d >= a ? ("disaggregated", a > 0 ? d / a : .infinity) : ("aggregated", d > 0 ? a / d : .infinity)
    }

    public static func json(_ result: Disaggregation.Result, top: Int, includeAggregated: Bool) -> JSONValue {
        let options = result.options
        var members: [(String, JSONValue)] = [
            ("serving_model", .string(includeAggregated ? "auto" : "disaggregated")),
            ("engine", .string(options.engine.rawValue)),
            ("devices", .int(options.devices)),
            ("input_tokens", .int(options.inputTokens)),
            ("output_tokens", .int(options.outputTokens)),
            ("max_ttft_ms", .double(options.ttftTargetMs)),
            ("max_tpot_ms", .double(options.tpotTargetMs)),
            ("slo_attainment", .double(options.attainment)),
            ("disaggregated", .array(result.disaggregated.prefix(top).enumerated().map { deploymentJSON($1, rank: $0 + 1, result: result) })),
        ]
        if includeAggregated {
            members.append(("aggregated", .array(result.aggregated.prefix(top).enumerated().map { aggregatedJSON($1, rank: $0 + 1, result: result) })))
            if let verdict = verdict(result) {
                members.append(("winner", .string(verdict.winner)))
                members.append(("winner_ratio", .double(verdict.ratio)))
            }
        }
        return .object(members)
    }

    static func layoutText(_ layout: Parallelism) -> String {
        layout.attentionDataParallel ? "DP\(layout.dataParallel) TP\(layout.tensor) EP\(layout.expertShards)"
            : "TP\(layout.tensor)" + (layout.expert > 1 ? " EP\(layout.expert)" : "")
    }

    public static func text(_ result: Disaggregation.Result, modelName: String, hardwareName: String, statistic: String, top: Int,
                            includeAggregated: Bool) -> String {
        let options = result.options
        func number(_ value: Double) -> String { NumberFormat.significant(value) }
        var lines = ["\(modelName) on up to \(options.devices) x \(hardwareName), input \(options.inputTokens), output \(options.outputTokens) "
            + "tokens, TTFT <= \(number(options.ttftTargetMs)) ms and TPOT <= \(number(options.tpotTargetMs)) ms at \(statistic)",
            "serving model: simulated \(options.engine.rawValue) scheduler per pool (" + (includeAggregated
                ? "aggregated and disaggregated prefill/decode on the same devices)" : "disaggregated prefill/decode)")]
        var table = TextTable(
            headers: ["#", "prefill", "x", "decode", "y", "devices", "req/s", "tok/s/device", "tok/s/user", "TTFT ms", "KV xfer ms", "TPOT ms"],
            alignments: [.right, .left, .right, .left, .right, .right, .right, .right, .right, .right, .right, .right])
        for (position, deployment) in result.disaggregated.prefix(top).enumerated() {
            table.append(["\(position + 1)", layoutText(deployment.prefill.layout), "\(deployment.prefillInstances)",
                          layoutText(deployment.decode.layout), "\(deployment.decodeInstances)", "\(deployment.devices)",
                          number(deployment.requestsPerSecond),
                          number(perDevice(deployment.requestsPerSecond, devices: deployment.devices, result: result)),
                          number(1000 / deployment.decode.tpotMs), number(deployment.ttftMs), number(deployment.transferMs),
                          number(deployment.decode.tpotMs)])
        }
        lines.append("disaggregated (x prefill instances + y decode instances):")
        lines.append(result.disaggregated.isEmpty ? "  none meets the targets" : table.render())
        if includeAggregated {
            var aggregated = TextTable(
                headers: ["#", "layout", "replicas", "devices", "req/s", "tok/s/device", "tok/s/user", "TTFT ms", "TPOT ms"],
                alignments: [.right, .left, .right, .right, .right, .right, .right, .right, .right])
            for (position, entry) in result.aggregated.prefix(top).enumerated() {
                aggregated.append(["\(position + 1)", layoutText(entry.capacity.layout), "\(entry.replicas)", "\(entry.devices)",
                                   number(entry.requestsPerSecond),
                                   number(perDevice(entry.requestsPerSecond, devices: entry.devices, result: result)),
                                   number(1000 / entry.capacity.tpotMs), number(entry.capacity.ttftMs), number(entry.capacity.tpotMs)])
            }
            lines.append("aggregated (simulated, as many replicas as fit):")
            lines.append(result.aggregated.isEmpty ? "  none meets the targets" : aggregated.render())
            if let verdict = verdict(result) {
                lines.append("winner: \(verdict.winner), \(NumberFormat.fixed(verdict.ratio, decimals: 2))x the output tokens/s per device of the best "
                    + (verdict.winner == "aggregated" ? "disaggregated deployment" : "aggregated layout"))
            }
        }
        lines.append("tok/s: output tokens per second; TTFT = prefill + KV transfer + the decode pool's first step")
        return lines.joined(separator: "\n")
    }
}
