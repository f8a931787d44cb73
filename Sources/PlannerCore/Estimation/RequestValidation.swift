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
        if parallelism.pipeline > model.numLayers {
            throw .invalidParallelism(field: "pipeline_parallel", value: parallelism.pipeline,
                                      reason: "model '\(model.name)' has \(model.numLayers) layers; allowed 1...\(model.numLayers)")
        }
        let expert = parallelism.expert
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
}
