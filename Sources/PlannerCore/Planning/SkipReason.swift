/// Why a configuration was not ranked; the strings are the keys of skip counts in search and sweep results.
public enum SkipReason {
    public static let heads = "tensor_parallel x expert_parallel does not divide the attention heads"
    public static let experts = "expert_parallel does not divide the experts"
    public static let denseExperts = "expert_parallel > 1 on a dense model"
    public static let layers = "pipeline_parallel cannot split the layers"
    public static let memory = "does not fit in memory at batch 1"
    public static let batchMemory = "batch size does not fit in memory"
    public static let deviceBudget = "TP x PP x EP exceeds the device budget"
    public static let targets = "misses the latency targets"
    public static let other = "rejected by the estimator"

    /// The reason an estimator error stands for.
    /// - Parameter atBatchOne: whether the failing estimate used batch 1 (a memory failure then means
    ///   the layout cannot hold the model at all).
    public static func classify(_ error: PlannerError, atBatchOne: Bool) -> String {
        switch error {
        case .doesNotFit:
            return atBatchOne ? memory : batchMemory
        case let .invalidParallelism(field, _, _):
            switch field {
            case "pipeline_parallel": return layers
            case "expert_parallel": return experts
            case "tensor_parallel": return heads
            default: return other
            }
        default:
            return other
        }
    }

    /// The structural reason a configuration cannot run, checked before any estimate: EP on a dense
    /// model, EP not dividing the experts, TP x EP not dividing the heads; nil when none applies.
    public static func structural(model: ModelSpec, layout: Parallelism) -> String? {
        if (layout.expert > 1 || layout.attentionDataParallel) && !model.isMoE { return denseExperts }
        if model.isMoE && model.numExperts % layout.expertShards != 0 { return experts }
        let attentionShards = layout.attentionDataParallel ? layout.tensor : layout.tensor * layout.expert
        if model.numAttentionHeads % attentionShards != 0 { return heads }
        return nil
    }
}
