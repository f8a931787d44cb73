public import PlannerCore

/// Renders estimates as JSON with the Python API's key names, plus clearly named extras.
///
/// Units: every latency is in milliseconds. `Throughput` is **tokens per second** in the `default`
/// profile and GenZ's **requests per second** in the `genz` profile (prefill: first tokens/s; decode:
/// decode steps x batch per second); `Throughput_unit` says which, and `Throughput_tokens_per_s` /
/// `Throughput_requests_per_s` carry both in every profile. Token rates carry
/// `tokens` in their name or are documented token rates of the Python API
/// (`Input_throughput`, `Effective_throughput`, `total_throughput`: tokens/s). Memory is in MiB
/// (`_MB` = 2^20 bytes, as GenZ).
public enum ResultJSON {
    /// A prefill or decode estimate.
    public static func phase(_ estimate: PhaseEstimate, request: EstimateRequest, operators: Bool) -> JSONValue {
        // `Throughput` keeps GenZ's unit (requests/s) in the genz profile; the default profile reports
        // tokens/s there. Both rates are always present under their own names.
        let tokensFirst = request.profile == .default
        var members: [(String, JSONValue)] = [
            ("Latency", .double(estimate.latencyMs)),
            ("Throughput", .double(tokensFirst ? estimate.throughputTokensPerSecond : estimate.throughputRequestsPerSecond)),
            ("Throughput_unit", .string(tokensFirst ? "tokens/s" : "requests/s")),
            ("Throughput_tokens_per_s", .double(estimate.throughputTokensPerSecond)),
            ("Throughput_requests_per_s", .double(estimate.throughputRequestsPerSecond)),
        ]
        switch estimate.phase {
        case .prefill:
            members += [
                ("TTFT", .double(estimate.latencyMs)),
                // The Python wrapper's prompt-token rate: b x S / latency (ignores pipelining).
                ("Input_throughput", .double(Double(request.batchSize * request.inputTokens) * 1000 / estimate.latencyMs)),
                ("prompt_tokens_per_s", .double(estimate.throughputRequestsPerSecond * Double(request.inputTokens))),
            ]
        case .decode:
            members += [
                ("TPOT", .double(estimate.latencyMs)),
                ("Total_latency", .double(estimate.latencyMs * Double(request.outputTokens))),
                // The Python wrapper's rate: b x beams / step latency (ignores pipelining).
                ("Effective_throughput", .double(Double(request.batchSize * request.beamSize) * 1000 / estimate.latencyMs)),
                ("output_tokens_per_s", .double(estimate.throughputRequestsPerSecond * Double(request.beamSize))),
            ]
        }
        members += [
            ("Memory_used", memory(estimate.memory)),
            ("Compute_breakdown", .object([
                ("QKVO_ms", .double(estimate.breakdown.qkvoMs)),
                ("attention_ms", .double(estimate.breakdown.logitAttendMs)),
                ("FFN_ms", .double(estimate.breakdown.ffnLayersMs)),
                ("embedding_ms", .double(estimate.breakdown.embeddingLayersMs)),
            ])),
            ("Communication_breakdown", .object([
                ("all_reduce_ms", .double(estimate.breakdown.allReduceMs)),
                ("all_to_all_ms", .double(estimate.breakdown.allToAllMs)),
                ("send_recv_ms", .double(estimate.breakdown.sendRecvMs)),
                ("total_ms", .double(estimate.breakdown.collectiveMs)),
            ])),
            ("Runtime_breakdown", runtime(estimate.breakdown)),
            ("profile", .string(request.profile.rawValue)),
            ("micro_batch_size", .int(estimate.microBatchSize)),
            ("micro_batches", .int(estimate.microBatches)),
            ("warnings", .array(estimate.warnings.map(JSONValue.string))),
        ]
        if operators { members.append(("operators", .array(estimate.operators.map(operatorRow)))) }
        return .object(members)
    }

    /// An end-to-end estimate, with the Python API's keys (`prefill`, `decode`, `total_latency`, `ttft`,
    /// `average_tpot`, `total_throughput`, ...) plus `output_throughput` (output tokens/s).
    public static func endToEnd(_ estimate: EndToEndEstimate, request: EstimateRequest, operators: Bool) -> JSONValue {
        .object([
            ("total_latency", .double(estimate.totalLatencyMs)),
            ("ttft", .double(estimate.ttftMs)),
            ("average_tpot", .double(estimate.averageTPOTMs)),
            ("total_throughput", .double(estimate.totalThroughputTokensPerSecond)),
            ("output_throughput", .double(estimate.outputThroughputTokensPerSecond)),
            ("input_tokens", .int(estimate.inputTokens)),
            ("output_tokens", .int(estimate.outputTokens)),
            ("batch_size", .int(estimate.batchSize)),
            ("beam_size", .int(estimate.beamSize)),
            ("model", .string(request.model.name)),
            ("hardware", .string(request.hardware.name)),
            ("bits", .string(request.precision.rawValue)),
            ("parallelism", parallelism(request.parallelism)),
            ("profile", .string(request.profile.rawValue)),
            ("prefill", phase(estimate.prefill, request: request, operators: operators)),
            ("decode", phase(estimate.decode, request: request, operators: operators)),
        ])
    }

    public static func parallelism(_ layout: Parallelism) -> JSONValue {
        .object([
            ("tensor_parallel", .int(layout.tensor)),
            ("pipeline_parallel", .int(layout.pipeline)),
            ("expert_parallel", .int(layout.expertShards)),
            ("data_parallel", .int(layout.dataParallel)),
        ])
    }

    public static func memory(_ memory: MemoryFootprint) -> JSONValue {
        .object([
            ("weights_MB", .double(memory.weightsMiB)),
            ("kv_cache_MB", .double(memory.kvCacheMiB)),
            ("total_MB", .double(memory.totalMiB)),
            ("capacity_MB", .double(memory.capacityMiB)),
            ("per_device_MB", .double(memory.perDeviceMiB)),
            ("device_capacity_MB", .double(memory.deviceCapacityMiB)),
            ("activations_MB", .double(memory.activationsMiB)),
        ])
    }

    /// GenZ's `Runtime_breakdown` keys, in milliseconds.
    public static func runtime(_ breakdown: RuntimeBreakdown) -> JSONValue {
        .object([
            ("Embedding", .double(breakdown.embeddingMs)),
            ("MHA", .double(breakdown.attentionMs)),
            ("FFN", .double(breakdown.ffnMs)),
            ("Collective", .double(breakdown.collectiveMs)),
            ("LA_layers", .double(breakdown.logitAttendMs)),
            ("QKVO_layers", .double(breakdown.qkvoMs)),
            ("FFN_layers", .double(breakdown.ffnLayersMs)),
            ("Softmax", .double(0)),
            ("AR_time", .double(breakdown.allReduceMs)),
            ("A2A_time", .double(breakdown.allToAllMs)),
            ("Send_Recv_time", .double(breakdown.sendRecvMs)),
            ("Mamba_time", .double(0)),
        ])
    }

    /// One operator row: per-instance MACs, tensor sizes (MiB) and times (ms), plus the multiplicity
    /// and the total time of all instances.
    public static func operatorRow(_ row: OperatorRow) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(row.name.rawValue)),
            ("type", .string(row.kind.rawValue)),
            ("multiplicity", .double(row.multiplicity)),
        ]
        if let collective = row.collective {
            members += [
                ("collective", .string(collective.rawValue)),
                ("participants", .int(row.participants)),
                ("payload_MB", .double(row.payloadBytes / Units.bytesPerMiB)),
            ]
        } else {
            members += [
                ("MACs", .double(row.macs)),
                ("input_elements", .double(row.inputElements)),
                ("weight_elements", .double(row.weightElements)),
                ("output_elements", .double(row.outputElements)),
            ]
        }
        members += [
            ("compute_ms", .double(row.computeMs)),
            ("memory_ms", .double(row.memoryMs)),
            ("comm_ms", .double(row.communicationMs)),
            ("latency_ms", .double(row.latencyMs)),
            ("total_ms", .double(row.totalLatencyMs)),
            ("bound", .string(row.bound.rawValue)),
        ]
        return .object(members)
    }
}
