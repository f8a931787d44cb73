public import PlannerCore

/// Fleet sizing reports: JSON (`report.json`), CSV (`report.csv`), Markdown (`report.md`) and the
/// terminal table. Pure, deterministic string building (the HTML report is ``FleetHTML``).
public enum FleetReport {
    /// Column keys of an option, in order, before the per-target columns (JSON and CSV).
    public static let leadingOptionKeys = [
        "rank", "model", "hardware", "bits", "tensor_parallel", "pipeline_parallel", "expert_parallel", "data_parallel", "devices_per_replica",
        "replicas", "devices", "nodes", "devices_per_node", "billed_devices", "batch_size", "per_replica_rps",
        "per_replica_output_tokens_per_s", "output_tokens_per_s_per_device", "utilization", "prefill_utilization",
        "price_usd_per_device_hour", "cost_per_hour", "cost_per_million_output_tokens", "cost_per_million_tokens", "ttft_mean_ms", "tpot_mean_ms",
        "decode_step_ms",
    ]
    /// Column keys after the per-target columns.
    public static let trailingOptionKeys = ["memory_per_device_GiB", "meets_slo", "pareto", "reason"]

    /// Every option column, the objectives' keys (`ttft_p99_ms`, ...) in the middle (mean targets
    /// already have their own column and are not repeated).
    public static func optionKeys(_ objectives: ServiceLevelObjectives) -> [String] {
        leadingOptionKeys + extraTargetColumns(objectives).map(\.key) + trailingOptionKeys + simulatedKeys(objectives)
    }

    /// Columns of the serving simulator's check (``FleetVerification``), empty when not verified:
    /// `sim_<target key>` per target, `sim_ttft_mean_ms`, `sim_tpot_mean_ms`, `sim_per_replica_rps`, `sim_meets_slo`.
    public static func simulatedKeys(_ objectives: ServiceLevelObjectives) -> [String] {
        objectives.targets.map { "sim_" + $0.key } + ["sim_ttft_mean_ms", "sim_tpot_mean_ms", "sim_per_replica_rps", "sim_meets_slo"]
    }

    /// Targets that get a column of their own (percentiles; means are `ttft_mean_ms`/`tpot_mean_ms`).
    static func extraTargetColumns(_ objectives: ServiceLevelObjectives) -> [(key: String, index: Int)] {
        objectives.targets.enumerated().compactMap { index, target in
            target.statistic == .mean ? nil : (target.key, index)
        }
    }

    // MARK: - JSON

    /// The whole report: `workload`, `prices`, `options` (cheapest meeting the targets first, then
    /// those that cannot, with `reason`), `unavailable`, `skipped`, `layouts_evaluated`, `estimates_evaluated`.
    /// With `launch`, every option carries `launch` (``LaunchOutput/json(_:engine:)``) and the report `launch_engine`.
    public static func json(_ plan: FleetPlan, launch: FleetLaunch? = nil) -> JSONValue {
        let workload = plan.workload
        var skipped: [(String, JSONValue)] = []
        for key in plan.skipped.keys.sorted() { skipped.append((key, .int(plan.skipped[key] ?? 0))) }
        return .object([
            ("workload", workloadJSON(workload)),
            ("prices", .array(usedPrices(plan).map { price in
                .object([
                    ("hardware", .string(price.hardware)), ("usd_per_device_hour", .double(price.usdPerDeviceHour)),
                    ("date", price.date.map(JSONValue.string) ?? .null), ("source", .string(price.source)),
                ])
            })),
            ("options", .array(plan.options.enumerated().map { position, option in
                var object = optionJSON(option, rank: position + 1, workload: workload)
                if let launch, case var .object(members) = object {
                    members.append(("launch", LaunchOutput.json(launch.line(option, workload: workload), engine: launch.engine)))
                    object = .object(members)
                }
                return object
            })),
            ("unavailable", .array(plan.unavailable.map { entry in
                .object([
                    ("model", .string(entry.modelName)), ("hardware", .string(entry.hardwareName)),
                    ("bits", .string(entry.precision.rawValue)), ("reason", .string(entry.reason)),
                ])
            })),
            ("skipped", .object(skipped)),
            ("layouts_evaluated", .int(plan.tasksEvaluated)),
            ("estimates_evaluated", .int(plan.estimatesEvaluated)),
            ("serving_model", .string(servingModelSummary)),
            ("verification", .string(verificationSummary(plan))),
            ("launch_engine", launch.map { .string($0.engine.rawValue) } ?? .null),
        ])
    }

    /// How the options were checked with the serving simulator, or that they were not.
    public static func verificationSummary(_ plan: FleetPlan) -> String {
        let checked = plan.options.compactMap(\.simulated)
        guard let engine = checked.first?.engine else { return "not verified with the serving simulator (--verify 0)" }
        let failing = checked.filter { !$0.meetsTargets }.count
        return "the first \(checked.count) options meeting the targets were simulated (serving simulator, \(engine.rawValue) scheduler "
            + "defaults, one replica at demand / replicas, Poisson arrivals, the workload's lengths, \(checked.first?.requests ?? 0) requests, "
            + "seed 1); \(failing) miss a target in simulation and are ranked after those that meet them (sim_* columns)"
    }

    /// One-paragraph description of the serving model, carried in the JSON and the reports.
    public static let servingModelSummary = "Steady-state continuous batching per replica: at running batch B the replica sustains "
        + "lambda(B) = 1000 B / (B P + O D(B)) requests/s (P: mean batch-1 prefill ms, D(B): decode step ms at batch B, O: mean output "
        + "tokens); TPOT = D(B) + B P / O (mean) plus z_q sqrt(B E[P^2]) / O at a percentile; TTFT = M/G/1-with-vacations wait "
        + "(Pollaczek-Khinchine mean lambda E[P^2] / 2(1 - rho), exponential tail) + residual decode step + prefill of the "
        + "percentile prompt. Each replica runs at the largest lambda(B) meeting every target; replicas = ceil(rate x (1 + headroom) / lambda)."

    /// The workload as it was read, with the derived rates.
    public static func workloadJSON(_ workload: FleetWorkload) -> JSONValue {
        var slo: [(String, JSONValue)] = []
        for target in workload.objectives.targets { slo.append((target.key, .double(target.limitMs))) }
        return .object([
            ("models", .array(workload.models.map { .string($0.name) })),
            (workload.rate.key, .double(workload.rate.value)),
            ("demand_rps", .double(workload.demandRequestsPerSecond)),
            ("headroom", .double(workload.headroomFraction)),
            ("required_rps", .double(workload.requiredRequestsPerSecond)),
            ("demand_output_tokens_per_s", .double(workload.demandOutputTokensPerSecond)),
            ("input_tokens", distributionJSON(workload.inputTokens)),
            ("output_tokens", distributionJSON(workload.outputTokens)),
            ("slo", .object(slo)),
            ("bits", .array(workload.precisions.map { .string($0.rawValue) })),
            ("hardware", .array(workload.hardware.map { candidate in
                .object([
                    ("name", .string(candidate.spec.name)), ("devices_per_node", .int(candidate.devicesPerNode)),
                    ("max_devices_per_replica", .int(candidate.replicaBudget)),
                ])
            })),
            ("profile", .string(workload.profile.rawValue)),
            ("max_batch_size", .int(workload.maxBatchSize)),
            ("bill_whole_nodes", .bool(workload.billWholeNodes)),
        ])
    }

    /// A length distribution: `{mean}` plus `fixed`, the summary's percentiles, or the histogram.
    public static func distributionJSON(_ distribution: TokenDistribution) -> JSONValue {
        var members: [(String, JSONValue)] = [("mean", .double(distribution.meanTokens))]
        switch distribution {
        case let .fixed(tokens):
            members.append(("fixed", .int(tokens)))
        case let .summary(_, p50, p90, p99):
            for (key, value) in [("p50", p50), ("p90", p90), ("p99", p99)] {
                if let value { members.append((key, .double(value))) }
            }
        case let .histogram(bins):
            members.append(("histogram", .array(bins.map { .object([("tokens", .int($0.tokens)), ("weight", .double($0.weight))]) })))
        }
        return .object(members)
    }

    /// The prices of the workload's hardware, in its order.
    public static func usedPrices(_ plan: FleetPlan) -> [DevicePrice] {
        plan.workload.hardware.compactMap { plan.workload.prices.price(for: $0.spec.name) }
    }

    /// One option with the keys of ``optionKeys(_:)``.
    public static func optionJSON(_ option: FleetOption, rank: Int, workload: FleetWorkload) -> JSONValue {
        let objectives = workload.objectives
        var members: [(String, JSONValue)] = [
            ("rank", .int(rank)), ("model", .string(option.modelName)), ("hardware", .string(option.hardwareName)),
            ("bits", .string(option.precision.rawValue)), ("tensor_parallel", .int(option.layout.tensor)),
            ("pipeline_parallel", .int(option.layout.pipeline)), ("expert_parallel", .int(option.layout.expert)),
            ("data_parallel", .int(option.layout.dataParallel)),
            ("devices_per_replica", .int(option.layout.devices)), ("replicas", .int(option.replicas)), ("devices", .int(option.devices)),
            ("nodes", .int(option.nodes)), ("devices_per_node", .int(option.devicesPerNode)), ("billed_devices", .int(option.billedDevices)),
            ("batch_size", .int(option.batchSize)), ("per_replica_rps", .double(option.perReplicaRequestsPerSecond)),
            ("per_replica_output_tokens_per_s", .double(option.perReplicaOutputTokensPerSecond)),
            ("output_tokens_per_s_per_device", .double(option.outputTokensPerSecondPerDevice)),
            ("utilization", .double(option.utilization)), ("prefill_utilization", .double(option.prefillUtilization)),
            ("price_usd_per_device_hour", .double(option.priceUSDPerDeviceHour)), ("cost_per_hour", .double(option.costPerHourUSD)),
            ("cost_per_million_output_tokens", .double(option.costPerMillionOutputTokensUSD)),
            ("cost_per_million_tokens", .double(costPerMillionTokens(option, workload: workload))),
            ("ttft_mean_ms", .double(option.ttftMeanMs)), ("tpot_mean_ms", .double(option.tpotMeanMs)),
            ("decode_step_ms", .double(option.decodeStepMs)),
        ]
        for (key, index) in extraTargetColumns(objectives) where index < option.targetValuesMs.count {
            members.append((key, .double(option.targetValuesMs[index])))
        }
        members += [
            ("memory_per_device_GiB", .double(option.memoryPerDeviceGiB)), ("meets_slo", .bool(option.meetsTargets)),
            ("pareto", .bool(option.isPareto)), ("reason", option.reason.map(JSONValue.string) ?? .null),
        ]
        let simulatedKeys = simulatedKeys(objectives)
        if let check = option.simulated {
            let values = check.targetValuesMs.map(JSONValue.double) + [.double(check.ttftMeanMs), .double(check.tpotMeanMs),
                                                                        .double(check.perReplicaRequestsPerSecond), .bool(check.meetsTargets)]
            members += Array(zip(simulatedKeys, values))
            if let failure = check.failure { members.append(("sim_failure", .string(failure))) }
        } else {
            members += simulatedKeys.map { ($0, JSONValue.null) }
        }
        return .object(members)
    }

    // MARK: - CSV

    /// One header row and one row per option (RFC 4180 quoting; numbers as in the JSON; empty for null).
    /// With `launch`, a last column `launch_command` (the command line; empty when the engine cannot launch the option).
    public static func csv(_ plan: FleetPlan, launch: FleetLaunch? = nil) -> String {
        let keys = optionKeys(plan.workload.objectives)
        var lines = [(keys + (launch == nil ? [] : ["launch_command"])).map(csvField).joined(separator: ",")]
        for (position, option) in plan.options.enumerated() {
            let object = optionJSON(option, rank: position + 1, workload: plan.workload)
            lines.append(keys.map { key in
                guard let value = object[key] else { return "" }
                switch value {
                case .null: return ""
                case let .string(text): return csvField(text)
                default: return value.serialized()
                }
            }.joined(separator: ",") + (launch.map { "," + csvField((try? $0.line(option, workload: plan.workload).get())?.command ?? "") } ?? ""))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacing("\"", with: "\"\"") + "\""
    }

    // MARK: - Text

    /// A short label for an option: `6 x H100_80GB bf16 TP4` (PP and EP shown when above 1; the
    /// model when several are compared).
    public static func label(_ option: FleetOption, showModel: Bool) -> String {
        var text = "\(option.replicas) \(option.replicas == 1 ? "replica" : "replicas") x "
        if showModel { text += option.modelName + " " }
        text += "\(option.hardwareName) \(option.precision.rawValue) "
        if option.layout.attentionDataParallel { text += "DP\(option.layout.dataParallel) " }
        text += "TP\(option.layout.tensor)"
        if option.layout.pipeline > 1 { text += " PP\(option.layout.pipeline)" }
        if option.layout.expert > 1 { text += " EP\(option.layout.expert)" }
        return text
    }

    /// US dollars per million tokens, prompt plus output, at the demand: the option's cost per hour
    /// over the demand's tokens per hour (fleet's $/M output tokens counts the output only).
    public static func costPerMillionTokens(_ option: FleetOption, workload: FleetWorkload) -> Double {
        let tokensPerSecond = workload.demandRequestsPerSecond * (workload.inputTokens.meanTokens + workload.outputTokens.meanTokens)
        return option.costPerHourUSD / (tokensPerSecond * Units.secondsPerHour) * 1_000_000
    }

    /// `1 device`, `4 devices`.
    static func count(_ value: Int, _ noun: String) -> String { "\(value) \(noun)\(value == 1 ? "" : "s")" }

    /// Money with two decimals and thousands separators: `$1,234.50`.
    public static func dollars(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let text = NumberFormat.fixed(value, decimals: 2)
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var whole = String(parts[0])
        let negative = whole.hasPrefix("-")
        if negative { whole.removeFirst() }
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped += "," }
            grouped.append(character)
        }
        return (negative ? "-$" : "$") + grouped + (parts.count > 1 ? "." + parts[1] : "")
    }

    /// Percent with one decimal: `83.3%`.
    public static func percent(_ fraction: Double) -> String { NumberFormat.fixed(fraction * 100, decimals: 1) + "%" }

    /// Table headers and cells of the first `top` options (shared by the terminal and Markdown tables).
    public static func rows(_ plan: FleetPlan, options: [FleetOption], startRank: Int = 1) -> (headers: [String], rows: [[String]]) {
        let objectives = plan.workload.objectives
        let showModel = plan.workload.models.count > 1
        var headers = ["#"] + (showModel ? ["model"] : []) + ["hardware", "bits", "DP", "TP", "PP", "EP", "replicas", "devices", "nodes",
                                                                "batch", "req/s/replica"]
        let latencyColumns: [(String, (FleetOption) -> Double)] = latencyColumnsFor(objectives)
        headers += latencyColumns.map(\.0)
        headers += ["$/hour", "$/M out tok", "$/M tok", "util", "SLO"]
        let verified = options.contains { $0.simulated != nil }
        if verified { headers += objectives.targets.map { "sim \($0.label) ms" } + ["sim SLO"] }
        var rows: [[String]] = []
        for (offset, option) in options.enumerated() {
            var row = ["\(startRank + offset)"] + (showModel ? [option.modelName] : [])
            row += [option.hardwareName, option.precision.rawValue, "\(option.layout.dataParallel)", "\(option.layout.tensor)", "\(option.layout.pipeline)",
                    "\(option.layout.expert)", "\(option.replicas)", "\(option.devices)", "\(option.nodes)", "\(option.batchSize)",
                    NumberFormat.significant(option.perReplicaRequestsPerSecond)]
            row += latencyColumns.map { NumberFormat.significant($0.1(option)) }
            row += [dollars(option.costPerHourUSD), dollars(option.costPerMillionOutputTokensUSD),
                    dollars(costPerMillionTokens(option, workload: plan.workload)), percent(option.utilization),
                    option.meetsTargets ? "yes" : "no"]
            if verified {
                if let check = option.simulated {
                    row += check.targetValuesMs.map { NumberFormat.significant($0) } + [check.failure == nil ? (check.meetsTargets ? "yes" : "no") : "n/a"]
                } else {
                    row += objectives.targets.map { _ in "-" } + ["-"]
                }
            }
            rows.append(row)
        }
        return (headers, rows)
    }

    /// The latency columns: each target's value, plus the means when no target names them.
    static func latencyColumnsFor(_ objectives: ServiceLevelObjectives) -> [(String, (FleetOption) -> Double)] {
        var columns: [(String, (FleetOption) -> Double)] = []
        for (index, target) in objectives.targets.enumerated() {
            columns.append(("\(target.label) ms", { option in index < option.targetValuesMs.count ? option.targetValuesMs[index] : .nan }))
        }
        if !objectives.targets.contains(where: { $0.metric == .ttft && $0.statistic == .mean }) {
            columns.append(("TTFT mean ms", \.ttftMeanMs))
        }
        if !objectives.targets.contains(where: { $0.metric == .tpot && $0.statistic == .mean }) {
            columns.append(("TPOT mean ms", \.tpotMeanMs))
        }
        return columns
    }

    /// The terminal table of the first `top` options.
    public static func table(_ plan: FleetPlan, top: Int) -> String {
        let (headers, rows) = rows(plan, options: Array(plan.options.prefix(top)))
        var table = TextTable(headers: headers, alignments: headers.map { ["hardware", "bits", "model", "SLO"].contains($0) ? .left : .right })
        for row in rows { table.append(row) }
        return table.render()
    }

    /// One line: demand, the cheapest option meeting the targets (or that none does).
    public static func headline(_ plan: FleetPlan) -> String {
        let workload = plan.workload
        let demand = "\(NumberFormat.significant(workload.demandRequestsPerSecond)) requests/s "
            + "(sized for \(NumberFormat.significant(workload.requiredRequestsPerSecond)) with \(percent(workload.headroomFraction)) headroom)"
        guard let best = plan.cheapest else {
            return "\(demand): no option meets the targets (\(plan.options.count) runnable options, \(plan.unavailable.count) unavailable)"
        }
        return "\(demand): cheapest \(label(best, showModel: workload.models.count > 1)) = \(count(best.devices, "device")) on \(count(best.nodes, "node")), "
            + "\(dollars(best.costPerHourUSD))/hour, \(dollars(best.costPerMillionOutputTokensUSD)) per million output tokens"
    }

    // MARK: - Markdown

    /// `report.md`: summary, options meeting the targets (the first `top`), those that cannot (with
    /// reasons), unavailable combinations, prices with dates and sources, and the serving model.
    public static func markdown(_ plan: FleetPlan, top: Int = 20, launch: FleetLaunch? = nil) -> String {
        let workload = plan.workload
        var out = "# Fleet sizing: \(workload.models.map(\.name).joined(separator: ", "))\n\n"
        out += summaryLines(plan).map { "- \($0)\n" }.joined() + "\n"
        out += "**\(headline(plan)).**\n\n"
        let feasible = plan.feasible
        out += "## Options meeting the targets (cheapest first)\n\n"
        if feasible.isEmpty {
            out += "None.\n\n"
        } else {
            out += markdownTable(rows(plan, options: Array(feasible.prefix(top))))
            if feasible.count > top { out += "\n\(feasible.count - top) more in report.csv and report.json.\n" }
            out += "\n"
        }
        let missing = plan.options.filter { !$0.meetsTargets }
        out += "## Options that cannot meet the targets\n\n"
        if missing.isEmpty {
            out += "None.\n\n"
        } else {
            let showModel = workload.models.count > 1
            var table: [[String]] = []
            for option in missing.prefix(top) {
                table.append([label(option, showModel: showModel), option.reason ?? ""])
            }
            out += markdownTable((["option (at its highest throughput)", "reason"], table))
            if missing.count > top { out += "\n\(missing.count - top) more in report.csv and report.json.\n" }
            out += "\n"
        }
        if !plan.unavailable.isEmpty {
            out += "## Hardware and precisions with no runnable layout\n\n"
            out += markdownTable((["model", "hardware", "bits", "reason"],
                                  plan.unavailable.map { [$0.modelName, $0.hardwareName, $0.precision.rawValue, $0.reason] }))
            out += "\n"
        }
        if let launch {
            out += "## Launch lines (\(launch.engine.rawValue))\n\n\(launchIntroduction(launch))\n\n"
            for (rank, option) in launchOptions(plan, top: top) {
                out += "### #\(rank) \(label(option, showModel: workload.models.count > 1).replacing("|", with: "\\|"))\n\n"
                out += "```sh\n" + LaunchOutput.shellText(launch.line(option, workload: workload), engine: launch.engine) + "```\n\n"
            }
        }
        out += "## Prices\n\n"
        out += markdownTable((["hardware", "USD per device-hour", "date", "source"],
                              usedPrices(plan).map { [$0.hardware, dollars($0.usdPerDeviceHour), $0.date ?? "-", $0.source] }))
        out += "\n## Serving model\n\n\(servingModelSummary)\n\nVerification: \(verificationSummary(plan)).\n\n"
        out += "Layouts evaluated: \(plan.tasksEvaluated); estimates: \(plan.estimatesEvaluated)"
        if !plan.skipped.isEmpty {
            out += "; skipped: " + plan.skipped.keys.sorted().map { "\(plan.skipped[$0] ?? 0) \($0)" }.joined(separator: "; ")
        }
        out += ".\n"
        return out
    }

    /// The options the Markdown and HTML reports give launch lines for, with their rank: the first
    /// `top` meeting the targets, else the first `top` of all.
    public static func launchOptions(_ plan: FleetPlan, top: Int) -> [(rank: Int, option: FleetOption)] {
        let ranked = plan.options.enumerated().map { (rank: $0 + 1, option: $1) }
        let meeting = ranked.filter(\.option.meetsTargets)
        return Array((meeting.isEmpty ? ranked : meeting).prefix(top))
    }

    /// What the launch lines reproduce, for the reports.
    public static func launchIntroduction(_ launch: FleetLaunch) -> String {
        "One replica's server per option, with the \(launch.engine.rawValue) scheduler defaults planner assumed, the option's operating "
            + "batch as the running-request limit and the longest prompt plus the longest output as the context length; start one "
            + "per replica (report.json has every option's argv)."
    }

    /// Summary lines shared by the Markdown and HTML reports.
    public static func summaryLines(_ plan: FleetPlan) -> [String] {
        let workload = plan.workload
        var lines: [String] = []
        lines.append("Load: \(NumberFormat.significant(workload.demandRequestsPerSecond)) requests/s"
            + (workload.rate.key == "rate_rps" ? "" : " (from \(workload.rate.key) \(NumberFormat.significant(workload.rate.value)))")
            + ", \(NumberFormat.significant(workload.demandOutputTokensPerSecond, digits: 6)) output tokens/s; sized for "
            + "\(NumberFormat.significant(workload.requiredRequestsPerSecond)) requests/s (headroom \(percent(workload.headroomFraction)))")
        lines.append("Prompt tokens: \(describe(workload.inputTokens)); output tokens: \(describe(workload.outputTokens))")
        let targets = workload.objectives.targets.map { "\($0.label) <= \(NumberFormat.significant($0.limitMs)) ms" }
        lines.append("Latency targets: " + (targets.isEmpty ? "none" : targets.joined(separator: ", ")))
        lines.append("Precisions: \(workload.precisions.map(\.rawValue).joined(separator: ", ")); hardware: "
            + workload.hardware.map { "\($0.spec.name) (\($0.devicesPerNode)/node, replicas up to \($0.replicaBudget) devices)" }.joined(separator: ", "))
        lines.append("Profile: \(workload.profile.rawValue); largest running batch: \(workload.maxBatchSize)"
            + (workload.billWholeNodes ? "; whole nodes billed" : ""))
        return lines
    }

    /// `2048`, `mean 1000 (p50 800, p99 4000)`, `mean 1200 over 3 bins`.
    public static func describe(_ distribution: TokenDistribution) -> String {
        switch distribution {
        case let .fixed(tokens): return "\(tokens)"
        case let .summary(mean, p50, p90, p99):
            let parts = [("p50", p50), ("p90", p90), ("p99", p99)].compactMap { key, value in value.map { "\(key) \(NumberFormat.significant($0))" } }
            return "mean \(NumberFormat.significant(mean))" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
        case let .histogram(bins):
            return "mean \(NumberFormat.significant(distribution.meanTokens)) over \(bins.count) histogram bins"
        }
    }

    static func markdownTable(_ table: (headers: [String], rows: [[String]])) -> String {
        func escape(_ cell: String) -> String { cell.replacing("|", with: "\\|").replacing("\n", with: " ") }
        var out = "| " + table.headers.map(escape).joined(separator: " | ") + " |\n"
        out += "|" + table.headers.map { _ in "---|" }.joined() + "\n"
        for row in table.rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
        return out
    }
}
