public import PlannerCore

/// Human-readable renderings of estimates for the terminal.
public enum EstimateText {
    /// A short report of one phase, optionally followed by the per-operator table.
    public static func phase(_ estimate: PhaseEstimate, request: EstimateRequest, operators: Bool) -> String {
        var lines = [header(request, phase: estimate.phase.rawValue)]
        var table = TextTable(headers: ["metric", "value", "unit"], alignments: [.left, .right, .left])
        switch estimate.phase {
        case .prefill:
            table.append(["TTFT (prefill latency)", NumberFormat.significant(estimate.latencyMs), "ms"])
            table.append(["throughput", NumberFormat.significant(estimate.throughputRequestsPerSecond), "requests/s"])
            table.append(["prompt throughput", NumberFormat.significant(estimate.throughputRequestsPerSecond * Double(request.inputTokens)), "tokens/s"])
        case .decode:
            table.append(["TPOT (decode step)", NumberFormat.significant(estimate.latencyMs), "ms"])
            table.append(["throughput", NumberFormat.significant(estimate.throughputRequestsPerSecond), "requests/s (= steps x batch)"])
            table.append(["output throughput", NumberFormat.significant(estimate.throughputRequestsPerSecond * Double(request.beamSize)), "tokens/s"])
        }
        appendMemory(&table, estimate)
        lines.append(table.render())
        lines += estimate.warnings.map { "warning: \($0)" }
        if operators { lines.append(""); lines.append(operatorTable(estimate)) }
        return lines.joined(separator: "\n")
    }

    /// A short end-to-end report.
    public static func endToEnd(_ estimate: EndToEndEstimate, request: EstimateRequest, operators: Bool) -> String {
        var lines = [header(request, phase: "end to end")]
        var table = TextTable(headers: ["metric", "value", "unit"], alignments: [.left, .right, .left])
        table.append(["TTFT", NumberFormat.significant(estimate.ttftMs), "ms"])
        table.append(["TPOT", NumberFormat.significant(estimate.averageTPOTMs), "ms"])
        table.append(["total latency", NumberFormat.significant(estimate.totalLatencyMs), "ms"])
        table.append(["total throughput (input + output)", NumberFormat.significant(estimate.totalThroughputTokensPerSecond), "tokens/s"])
        table.append(["output throughput", NumberFormat.significant(estimate.outputThroughputTokensPerSecond), "tokens/s"])
        appendMemory(&table, estimate.decode)
        lines.append(table.render())
        lines += Array(Set(estimate.prefill.warnings + estimate.decode.warnings)).sorted().map { "warning: \($0)" }
        if operators {
            lines += ["", "prefill operators:", operatorTable(estimate.prefill), "", "decode operators:", operatorTable(estimate.decode)]
        }
        return lines.joined(separator: "\n")
    }

    /// The per-operator table: one row per operator, times per instance and in total.
    public static func operatorTable(_ estimate: PhaseEstimate) -> String {
        var table = TextTable(
            headers: ["operator", "type", "count", "GMACs", "compute ms", "memory ms", "comm ms", "latency ms", "total ms", "share", "bound"],
            alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right, .left])
        for row in estimate.operators {
            let share = estimate.latencyMs > 0 ? row.totalLatencyMs / estimate.latencyMs * 100 : 0
            table.append([
                row.name.rawValue, row.collective?.rawValue ?? row.kind.rawValue, NumberFormat.significant(row.multiplicity, digits: 6),
                NumberFormat.significant(row.macs / 1e9), NumberFormat.significant(row.computeMs), NumberFormat.significant(row.memoryMs),
                NumberFormat.significant(row.communicationMs), NumberFormat.significant(row.latencyMs),
                NumberFormat.significant(row.totalLatencyMs), NumberFormat.fixed(share, decimals: 1) + "%", row.bound.rawValue,
            ])
        }
        return table.render()
    }

    private static func header(_ request: EstimateRequest, phase: String) -> String {
        let layout = request.parallelism
        return "\(request.model.name) on \(request.hardware.name), \(request.precision.rawValue), \(phase): batch \(request.batchSize), "
            + "beam \(request.beamSize), input \(request.inputTokens), output \(request.outputTokens) tokens, "
            + "\(layout.label) (profile \(request.profile.rawValue))"
    }

    private static func appendMemory(_ table: inout TextTable, _ estimate: PhaseEstimate) {
        table.append(["weights (per shard, all stages)", NumberFormat.significant(estimate.memory.weightsMiB / 1024), "GiB"])
        table.append(["KV cache", NumberFormat.significant(estimate.memory.kvCacheMiB / 1024), "GiB"])
        table.append(["capacity (device x stages)", NumberFormat.significant(estimate.memory.capacityMiB / 1024), "GiB"])
    }
}
