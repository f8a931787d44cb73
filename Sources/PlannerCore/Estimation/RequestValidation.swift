/// Checks every profile shares: applied before a profile's own rules.
extension EstimateRequest {
    /// Checks that the model is supported, the hardware is valid, every count is in range, the
    /// pipeline is no deeper than the model, and expert parallelism fits the experts.
    /// - Throws: ``PlannerError`` naming the first offending field and what is allowed.
    func validateShared(phase: Phase) throws(PlannerError) {
        try model.validate()
        try hardware.validate()
        try PhysicalLimits.batchSize.check(batchSize)
        try PhysicalLimits.inputTokens.check(inputTokens)
        try PhysicalLimits.outputTokens.check(outputTokens)
        // Whatever the phase: prefill ignores beams, but a beam count below 1 is no request at all.
        try PhysicalLimits.beamSize.check(beamSize)
        if let kv = kvPrecision, !EstimateRequest.kvPrecisions.contains(kv) {
            throw .invalidValue(field: "kv_bits", value: kv.rawValue,
                                allowed: EstimateRequest.kvPrecisions.map(\.rawValue).joined(separator: ", ") + " (the KV-cache dtypes engines store)")
        }
        try PhysicalLimits.parallelDegree.check(parallelism.tensor, field: "tensor_parallel")
        try PhysicalLimits.parallelDegree.check(parallelism.pipeline, field: "pipeline_parallel")
        try PhysicalLimits.parallelDegree.check(parallelism.expert, field: "expert_parallel")
        try PhysicalLimits.parallelDegree.check(parallelism.dataParallel, field: "data_parallel")
        try validateDataParallel()
        if parallelism.pipeline > model.numLayers {
            throw .invalidParallelism(field: "pipeline_parallel", value: parallelism.pipeline,
                                      reason: "model '\(model.name)' has \(model.numLayers) layers; allowed 1...\(model.numLayers)")
        }
        let expert = parallelism.expertShards
        if expert > 1 {
            if !model.isMoE {
                throw .invalidParallelism(field: "expert_parallel", value: expert,
                                          reason: "model '\(model.name)' is dense (no experts); allowed 1")
            }
            if model.numExperts % expert != 0 {
                throw .invalidParallelism(
                    field: "expert_parallel", value: expert,
                    reason: "must divide the \(model.numExperts) experts of '\(model.name)'; allowed "
                        + GenZModel.divisors(of: model.numExperts).map(String.init).joined(separator: ", "))
            }
        }
    }

    /// Attention data parallelism: MoE models only, the `default` profile only, and `expert_parallel`
    /// either left at 1 or equal to the DP x TP devices the experts span.
    func validateDataParallel() throws(PlannerError) {
        let layout = parallelism
        if let imbalance = expertImbalance, !(imbalance >= 1 && imbalance <= 64) {
            throw .invalidValue(field: "expert_imbalance", value: "\(imbalance)",
                                allowed: "a number in [1, 64]: the busiest expert-parallel device's routed tokens over the mean")
        }
        guard layout.dataParallel > 1 else { return }
        if !model.isMoE {
            throw .invalidParallelism(
                field: "data_parallel", value: layout.dataParallel,
                reason: "model '\(model.name)' is dense: attention data parallelism with expert parallelism needs experts. On a dense "
                    + "model data_parallel \(layout.dataParallel) is \(layout.dataParallel) independent replicas of the tensor-parallel "
                    + "layout; estimate one replica (data_parallel 1) and count replicas (fleet, recommend do). Allowed: 1")
        }
        if profile != .default {
            throw .invalidValue(field: "data_parallel", value: "\(layout.dataParallel)",
                                allowed: "1 with the genz profile (GenZ 0.0.16 has no attention data parallelism); use --profile default")
        }
        let span = layout.dataParallel * layout.tensor
        if layout.expert != 1 && layout.expert != span {
            throw .invalidParallelism(
                field: "expert_parallel", value: layout.expert,
                reason: "with data_parallel \(layout.dataParallel) the experts span data_parallel x tensor_parallel = \(span) devices; "
                    + "allowed: 1 (implied) or \(span)")
        }
    }
}
