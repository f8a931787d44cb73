public import PlannerCore

/// Renders sweep results: the ranking (JSON, table), a Markdown report, JSONL lines.
///
/// Everything here is a pure function of the merged totals, so a distributed sweep renders
/// byte-identically to a local one.
public enum SweepOutput {
    /// One ranked configuration: its fields plus `ttft`, `average_tpot`, `total_latency` (ms),
    /// `total_throughput` (input + output tokens/s), `output_throughput` (tokens/s).
    public static func entryJSON(_ entry: SweepEntry, space: SweepSpace, rank: Int? = nil) -> JSONValue {
        let configuration = space.configuration(at: entry.index)
        var members: [(String, JSONValue)] = []
        if let rank { members.append(("rank", .int(rank))) }
        members += [
            ("index", .int(entry.index)),
            ("model", .string(configuration.model.name)),
            ("hardware", .string(configuration.hardware.name)),
            ("bits", .string(configuration.precision.rawValue)),
            ("kv_bits", .string((configuration.kvPrecision ?? configuration.precision).rawValue)),
            ("tensor_parallel", .int(configuration.parallelism.tensor)),
            ("pipeline_parallel", .int(configuration.parallelism.pipeline)),
            ("expert_parallel", .int(configuration.parallelism.expert)),
            ("data_parallel", .int(configuration.parallelism.dataParallel)),
            ("batch_size", .int(entry.batchSize)),
            ("batch_choice", .string(configuration.batch.description)),
            ("beam_size", .int(configuration.beamSize)),
            ("input_tokens", .int(configuration.inputTokens)),
            ("output_tokens", .int(configuration.outputTokens)),
            ("profile", .string(configuration.profile.rawValue)),
            ("ttft", .double(entry.ttftMs)),
            ("average_tpot", .double(entry.averageTPOTMs)),
            ("total_latency", .double(entry.totalLatencyMs)),
            ("total_throughput", .double(entry.totalThroughputTokensPerSecond)),
            ("output_throughput", .double(entry.outputThroughputTokensPerSecond)),
            ("memory_per_device_GiB", .double(entry.memoryPerDeviceGiB)),
        ]
        let cost = costs(entry, configuration: configuration, space: space)
        members += [
            ("output_throughput_per_device", .double(entry.outputThroughputTokensPerSecond / Double(configuration.parallelism.devices))),
            ("cost_per_hour", cost.perHour.map(JSONValue.double) ?? .null),
            ("cost_per_million_tokens", cost.perMillionTokens.map(JSONValue.double) ?? .null),
            ("cost_per_million_output_tokens", cost.perMillionOutputTokens.map(JSONValue.double) ?? .null),
        ]
        return .object(members)
    }

    /// $/hour of the configuration's devices and $/M tokens (input + output, and output only) at its
    /// throughput, when its hardware has a price.
    static func costs(_ entry: SweepEntry, configuration: SweepSpace.Configuration, space: SweepSpace)
        -> (perHour: Double?, perMillionTokens: Double?, perMillionOutputTokens: Double?) {
        guard let price = space.price(of: configuration) else { return (nil, nil, nil) }
        let devices = configuration.parallelism.devices
        func perMillion(_ rate: Double) -> Double? {
            rate > 0 ? RankObjective.costPerMillionTokens(usdPerDeviceHour: price, devices: devices, tokensPerSecond: rate) : nil
        }
        return (price * Double(devices), perMillion(entry.totalThroughputTokensPerSecond), perMillion(entry.outputThroughputTokensPerSecond))
    }

    /// The final ranking as a JSON array, best first (by the spec's `rank_by`, default
    /// `total_throughput` descending, then by index).
    public static func rankingJSON(_ totals: SweepTotals, space: SweepSpace) -> JSONValue {
        .array(totals.ranking.ordered.enumerated().map { entryJSON($1, space: space, rank: $0 + 1) })
    }

    /// One JSONL line for the `all` output.
    public static func jsonLine(_ entry: SweepEntry, space: SweepSpace) -> String {
        entryJSON(entry, space: space).serialized()
    }

    /// The ranking as a terminal table (at most `limit` rows).
    public static func rankingTable(_ totals: SweepTotals, space: SweepSpace, limit: Int = 20) -> String {
        var table = TextTable(
            headers: ["#", "model", "hardware", "bits", "DP", "TP", "PP", "EP", "batch", "in", "out", "TTFT ms", "TPOT ms", "total tok/s", "output tok/s",
                      "out tok/s/device", "$/hour", "$/M tok"],
            alignments: [.right, .left, .left, .left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .right,
                         .right, .right, .right, .right])
        for (position, entry) in totals.ranking.ordered.prefix(limit).enumerated() {
            let configuration = space.configuration(at: entry.index)
            table.append([
                "\(position + 1)", configuration.model.name, configuration.hardware.name, configuration.precision.rawValue,
                "\(configuration.parallelism.dataParallel)", "\(configuration.parallelism.tensor)", "\(configuration.parallelism.pipeline)",
                "\(configuration.parallelism.expert)", "\(entry.batchSize)", "\(configuration.inputTokens)", "\(configuration.outputTokens)",
                NumberFormat.significant(entry.ttftMs), NumberFormat.significant(entry.averageTPOTMs),
                NumberFormat.significant(entry.totalThroughputTokensPerSecond, digits: 6),
                NumberFormat.significant(entry.outputThroughputTokensPerSecond, digits: 6),
                NumberFormat.significant(entry.outputThroughputTokensPerSecond / Double(configuration.parallelism.devices), digits: 5),
            ] + dollars(costs(entry, configuration: configuration, space: space)))
        }
        return "ranked by \(space.spec.rankBy.rawValue)\n" + table.render()
    }

    static func dollars(_ cost: (perHour: Double?, perMillionTokens: Double?, perMillionOutputTokens: Double?)) -> [String] {
        [cost.perHour, cost.perMillionTokens].map { $0.map { NumberFormat.significant($0, digits: 4) } ?? "-" }
    }

    /// A Markdown report: what was swept, what was skipped and why, and the ranking.
    public static func markdownReport(_ totals: SweepTotals, space: SweepSpace, sweepID: String, poisonedTasks: [Int] = []) -> String {
        let spec = space.spec
        var lines = [
            "# planner sweep report",
            "",
            "- sweep id: `\(sweepID)`",
            "- engine: \(EngineVersion.string)",
            "- configurations: \(space.count) (models \(spec.models.count), hardware \(spec.hardware.count), precisions \(spec.precisions.count), "
                + "TP \(spec.tensorParallel.count), PP \(spec.pipelineParallel.count), EP \(spec.expertParallel.count), DP \(spec.dataParallel.count), "
                + "batch sizes \(spec.batchSizes.count), input lengths \(spec.inputTokens.count), output lengths \(spec.outputTokens.count))",
            "- evaluated: \(totals.evaluated); ranked (fit in memory and meet the targets): \(totals.ranked)",
        ]
        if let ttft = spec.targets.maxTTFTMs { lines.append("- target: TTFT <= \(ttft) ms") }
        if let tpot = spec.targets.maxTPOTMs { lines.append("- target: TPOT <= \(tpot) ms") }
        if !poisonedTasks.isEmpty {
            lines.append("- **incomplete**: \(poisonedTasks.count) task(s) failed repeatedly and were given up: \(poisonedTasks.map(String.init).joined(separator: ", "))")
        }
        lines += ["", "## Skipped", "", "| reason | configurations |", "|---|---|"]
        for (reason, count) in totals.skipped.sorted(by: { $0.key < $1.key }) { lines.append("| \(reason) | \(count) |") }
        if totals.skipped.isEmpty { lines.append("| (none) | 0 |") }
        lines += [
            "", "## Ranking (by \(spec.rankBy.rawValue))", "",
            "| # | model | hardware | bits | TP | PP | EP | batch | input | output | TTFT ms | TPOT ms | total tok/s | output tok/s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for (position, entry) in totals.ranking.ordered.enumerated() {
            let c = space.configuration(at: entry.index)
            lines.append("| \(position + 1) | \(c.model.name) | \(c.hardware.name) | \(c.precision.rawValue) | \(c.parallelism.tensor) | "
                + "\(c.parallelism.pipeline) | \(c.parallelism.expert) | \(entry.batchSize) | \(c.inputTokens) | \(c.outputTokens) | "
                + "\(NumberFormat.significant(entry.ttftMs)) | \(NumberFormat.significant(entry.averageTPOTMs)) | "
                + "\(NumberFormat.significant(entry.totalThroughputTokensPerSecond, digits: 6)) | "
                + "\(NumberFormat.significant(entry.outputThroughputTokensPerSecond, digits: 6)) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
