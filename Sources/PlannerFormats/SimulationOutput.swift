public import PlannerCore

/// Renderings of serving simulations: the terminal table, JSON, the latency-throughput curve of a
/// rate sweep, and the per-request CSV. Deterministic: equal summaries give equal bytes.
public enum SimulationOutput {
    /// The sentence every output carries about the serving model.
    public static func servingModel(_ scheduler: SchedulerConfig) -> String {
        "serving model: simulated continuous batching (\(scheduler.engine.rawValue))"
            + (scheduler.engine == .static ? ", here static batches of \(scheduler.maxRunningRequests ?? 1)" : "")
    }

    /// One line naming the model, hardware, layout, precision and workload.
    /// - Parameter arrivals: replaces the arrival description (a sweep's rates).
    public static func header(_ setup: SimulationSetup, arrivals: String? = nil) -> String {
        let request = setup.request
        let layout = request.parallelism
        var lengths: String
        if setup.workload.trace.isEmpty {
            lengths = "input \(describe(setup.workload.inputTokens)), output \(describe(setup.workload.outputTokens)) tokens"
        } else {
            lengths = "lengths from a trace of \(setup.workload.trace.count) requests"
        }
        lengths += ", \(setup.requestCount) requests, seed \(setup.seed)"
        return "\(request.model.name) on \(layout.devices) x \(request.hardware.name) (TP\(layout.tensor)"
            + (layout.expert > 1 && !layout.attentionDataParallel ? " EP\(layout.expert)" : "")
            + (layout.attentionDataParallel ? " DP\(layout.dataParallel) EP\(layout.expertShards) (attention DP)" : "") + ", \(request.precision.rawValue)); "
            + "\(arrivals ?? setup.workload.arrivalSummary); \(lengths)"
    }

    static func describe(_ distribution: TokenDistribution) -> String {
        switch distribution {
        case let .fixed(tokens): return "\(tokens)"
        case let .summary(mean, _, _, _): return "mean \(NumberFormat.significant(mean))"
        case let .histogram(bins): return "histogram of \(bins.count) bins (mean \(NumberFormat.significant(distribution.meanTokens)))"
        }
    }

    /// The terminal report of one simulation.
    public static func table(_ summary: SimulationSummary, setup: SimulationSetup) -> String {
        var lines = [header(setup), servingModel(summary.scheduler), "scheduler: \(summary.scheduler.summary)"]
        var latency = TextTable(headers: ["latency (ms)", "mean", "p50", "p90", "p95", "p99", "max"],
                                alignments: [.left])
        for (name, stats) in [("TTFT", summary.ttft), ("TPOT", summary.tpot), ("ITL", summary.itl), ("end to end", summary.e2e)] {
            latency.append([name] + stats.named.map { NumberFormat.significant($0.ms) })
        }
        lines.append(latency.render())
        var metrics = TextTable(headers: ["metric", "value", "unit"], alignments: [.left, .right, .left])
        metrics.append(["requests", NumberFormat.significant(summary.requestsPerSecond), "requests/s"])
        metrics.append(["output tokens", NumberFormat.significant(summary.outputTokensPerSecond),
                        "tokens/s (\(NumberFormat.significant(summary.outputTokensPerSecondPerDevice)) per device)"])
        metrics.append(["input + output tokens", NumberFormat.significant(summary.totalTokensPerSecond),
                        "tokens/s (\(NumberFormat.significant(summary.totalTokensPerSecondPerDevice)) per device)"])
        if let goodput = summary.goodputRequestsPerSecond, let attainment = summary.sloAttainment {
            metrics.append(["goodput", NumberFormat.significant(goodput),
                            "requests/s meeting \(sloText(setup.slo)) (\(NumberFormat.fixed(attainment * 100, decimals: 1))%)"])
        }
        metrics.append(["mean running batch", NumberFormat.significant(summary.meanRunningBatch), "requests (while busy)"])
        metrics.append(["mean queue", NumberFormat.significant(summary.meanQueueLength), "requests waiting"])
        metrics.append(["KV cache use", "\(NumberFormat.fixed(summary.meanKVUtilization * 100, decimals: 1))%",
                        "mean while busy (max \(NumberFormat.fixed(summary.maxKVUtilization * 100, decimals: 1))%) of \(summary.kvCapacityTokens) tokens"])
        metrics.append(["preemptions", "\(summary.preemptions)", "recomputed requests"])
        metrics.append(["iterations", "\(summary.iterations)", "engine steps"])
        metrics.append(["simulated time", NumberFormat.significant(summary.simulatedSeconds), "s"])
        metrics.append(["measured requests", "\(summary.requestsMeasured) of \(summary.requestsSimulated)",
                        "(warm-up \(setup.warmupRequests), cool-down \(setup.cooldownRequests) left out)"])
        lines.append(metrics.render())
        return lines.joined(separator: "\n")
    }

    static func sloText(_ slo: ServingSLO) -> String {
        var parts: [String] = []
        if let ttft = slo.ttftMs { parts.append("TTFT <= \(NumberFormat.significant(ttft)) ms") }
        if let tpot = slo.tpotMs { parts.append("TPOT <= \(NumberFormat.significant(tpot)) ms") }
        return parts.joined(separator: " and ")
    }

    static func statistics(_ stats: LatencyStatistics) -> JSONValue {
        .object([("count", .int(stats.count))] + stats.named.map { ("\($0.name)_ms", .double($0.ms)) })
    }

    /// The JSON object of one simulation.
    public static func json(_ summary: SimulationSummary, setup: SimulationSetup, timeline: Bool = true) -> JSONValue {
        let request = setup.request
        let scheduler = summary.scheduler
        var members: [(String, JSONValue)] = [
            ("serving_model", .string(servingModel(scheduler))),
            ("model", .string(request.model.name)), ("hardware", .string(request.hardware.name)),
            ("bits", .string(request.precision.rawValue)), ("tensor_parallel", .int(request.parallelism.tensor)),
            ("expert_parallel", .int(request.parallelism.expertShards)),
            ("data_parallel", .int(request.parallelism.dataParallel)), ("devices", .int(summary.devices)),
            ("scheduler", .object([
                ("engine", .string(scheduler.engine.rawValue)), ("max_batched_tokens", .int(scheduler.maxBatchedTokens)),
                ("max_running_requests", scheduler.maxRunningRequests.map(JSONValue.int) ?? .null),
                ("memory_fraction", .double(scheduler.memoryFraction)), ("chunked_prefill", .bool(scheduler.chunkedPrefill)),
                ("block_tokens", .int(scheduler.blockTokens)), ("overhead_us", .double(scheduler.overheadUs)),
                ("description", .string(scheduler.summary)),
            ])),
            ("arrivals", .string(setup.workload.arrivalSummary)),
            ("requests_per_second_offered", setup.workload.requestsPerSecond.map(JSONValue.double) ?? .null),
            ("seed", .string("\(setup.seed)")), ("requests", .int(summary.requestsSimulated)),
            ("requests_measured", .int(summary.requestsMeasured)), ("warmup_requests", .int(setup.warmupRequests)),
            ("cooldown_requests", .int(setup.cooldownRequests)), ("kv_capacity_tokens", .int(summary.kvCapacityTokens)),
            ("ttft", statistics(summary.ttft)), ("tpot", statistics(summary.tpot)), ("itl", statistics(summary.itl)),
            ("e2e", statistics(summary.e2e)),
            ("requests_per_second", .double(summary.requestsPerSecond)),
            ("input_tokens_per_second", .double(summary.inputTokensPerSecond)),
            ("output_tokens_per_second", .double(summary.outputTokensPerSecond)),
            ("total_tokens_per_second", .double(summary.totalTokensPerSecond)),
            ("output_tokens_per_second_per_device", .double(summary.outputTokensPerSecondPerDevice)),
            ("total_tokens_per_second_per_device", .double(summary.totalTokensPerSecondPerDevice)),
            ("slo_ttft_ms", setup.slo.ttftMs.map(JSONValue.double) ?? .null), ("slo_tpot_ms", setup.slo.tpotMs.map(JSONValue.double) ?? .null),
            ("goodput_requests_per_second", summary.goodputRequestsPerSecond.map(JSONValue.double) ?? .null),
            ("slo_attainment", summary.sloAttainment.map(JSONValue.double) ?? .null),
            ("mean_running_batch", .double(summary.meanRunningBatch)), ("mean_queue_length", .double(summary.meanQueueLength)),
            ("mean_kv_utilization", .double(summary.meanKVUtilization)), ("max_kv_utilization", .double(summary.maxKVUtilization)),
            ("preemptions", .int(summary.preemptions)), ("iterations", .int(summary.iterations)),
            ("output_tokens_served", .int(summary.outputTokensServed)), ("simulated_seconds", .double(summary.simulatedSeconds)),
        ]
        if timeline {
            members.append(("timeline", .array(summary.timeline.map { sample in
                .object([("time_s", .double(sample.timeSeconds)), ("running", .double(sample.runningRequests)),
                         ("queued", .double(sample.queuedRequests)), ("kv_utilization", .double(sample.kvUtilization))])
            })))
        }
        return .object(members)
    }

    /// The latency-throughput curve of a rate sweep, one row per offered rate.
    public static func sweepTable(_ points: [(offered: Double, summary: SimulationSummary)], slo: ServingSLO) -> String {
        var headers = ["offered req/s", "served req/s", "out tok/s", "out tok/s/dev", "TTFT p50", "TTFT p99", "TPOT p50", "TPOT p99",
                       "e2e p50", "batch", "queue", "KV %", "preempt"]
        if !slo.isEmpty { headers += ["goodput", "SLO %"] }
        var table = TextTable(headers: headers)
        for (offered, summary) in points {
            var row = [NumberFormat.significant(offered), NumberFormat.significant(summary.requestsPerSecond),
                       NumberFormat.significant(summary.outputTokensPerSecond), NumberFormat.significant(summary.outputTokensPerSecondPerDevice),
                       NumberFormat.significant(summary.ttft.p50Ms), NumberFormat.significant(summary.ttft.p99Ms),
                       NumberFormat.significant(summary.tpot.p50Ms), NumberFormat.significant(summary.tpot.p99Ms),
                       NumberFormat.significant(summary.e2e.p50Ms), NumberFormat.significant(summary.meanRunningBatch),
                       NumberFormat.significant(summary.meanQueueLength), NumberFormat.fixed(summary.meanKVUtilization * 100, decimals: 1),
                       "\(summary.preemptions)"]
            if let goodput = summary.goodputRequestsPerSecond, let attainment = summary.sloAttainment {
                row += [NumberFormat.significant(goodput), NumberFormat.fixed(attainment * 100, decimals: 1)]
            }
            table.append(row)
        }
        return table.render() + "\nlatencies in ms; batch: mean running requests; queue: mean waiting requests"
    }

    /// The JSON of a rate sweep (the summaries without their timelines).
    public static func sweepJSON(_ points: [(offered: Double, summary: SimulationSummary)], setup: SimulationSetup,
                                 maxRate: Double? = nil) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("serving_model", .string(points.first.map { servingModel($0.summary.scheduler) } ?? servingModel(setup.scheduler))),
            ("points", .array(points.map { point in
                var object = json(point.summary, setup: setup, timeline: false)
                if case var .object(items) = object {
                    items.insert(("offered_requests_per_second", .double(point.offered)), at: 0)
                    object = .object(items)
                }
                return object
            })),
        ]
        if let maxRate { members.append(("max_requests_per_second_meeting_slo", .double(maxRate))) }
        return .object(members)
    }

    /// The header of the per-request CSV.
    public static let csvHeader = "index,arrival_s,input_tokens,output_tokens,ttft_ms,tpot_ms,e2e_ms,finish_s,preemptions,measured"

    /// One line of the per-request CSV (no trailing newline).
    public static func csvLine(_ record: RequestRecord) -> String {
        "\(record.index),\(JSONValue.format(record.arrivalSeconds)),\(record.inputTokens),\(record.outputTokens),"
            + "\(JSONValue.format(record.ttftMs)),\(record.tpotMs.map(JSONValue.format) ?? ""),\(JSONValue.format(record.e2eMs)),"
            + "\(JSONValue.format(record.finishSeconds)),\(record.preemptions),\(record.measured)"
    }
}
