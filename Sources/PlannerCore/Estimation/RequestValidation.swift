/// Checks every profile shares: applied before a profile's own rules.
extension EstimateRequest {
    /// Checks that the model is supported, the hardware is valid, every count is in range, the
    /// pipeline is no deeper than the model, and expert parallelism fits the experts.
    /// - Throws: ``PlannerError`` naming the first offending field and what is allowed.
    func validateShared(phase: Phase) throws(PlannerError) {
        try model.validate()
        try hardware.validate()
        try Self.checkRange("batch_size", batchSize, 1, GenZModel.maxBatchSize)
        try Self.checkRange("input_tokens", inputTokens, 1, GenZModel.maxTokens)
        try Self.checkRange("output_tokens", outputTokens, 0, GenZModel.maxTokens)
        if phase == .decode { try Self.checkRange("beam_size", beamSize, 1, 1024) }
        try Self.checkRange("tensor_parallel", parallelism.tensor, 1, GenZModel.maxParallelDegree)
        try Self.checkRange("pipeline_parallel", parallelism.pipeline, 1, GenZModel.maxParallelDegree)
        try Self.checkRange("expert_parallel", parallelism.expert, 1, GenZModel.maxParallelDegree)
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

    static func checkRange(_ field: String, _ value: Int, _ low: Int, _ high: Int) throws(PlannerError) {
        if value < low || value > high {
            throw .invalidValue(field: field, value: "\(value)", allowed: "an integer in \(low)...\(high)")
        }
    }
}
