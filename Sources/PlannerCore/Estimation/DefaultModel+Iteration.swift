/// What the serving simulator's iteration cost (``IterationCostModel``) takes from the `default`
/// profile, in one place: the checked shape of a layout, its prefill and decode graphs (their
/// per-device constants), and the graph functions it calls. The simulator reuses the profile's own
/// figures so that a pure prefill or decode iteration equals the estimator's.
extension DefaultModel {
    /// The graphs of `request` (batch 1, one input and one output token: only the per-layout
    /// constants are read), after the profile's checks.
    static func iterationGraphs(_ request: EstimateRequest) throws(PlannerError) -> (prefill: DefaultGraph, decode: DefaultGraph) {
        var base = request
        base.batchSize = 1
        base.inputTokens = 1
        base.outputTokens = 1
        var warnings: [String] = []
        let shape = try validate(base, phase: .decode, warnings: &warnings)
        return (DefaultGraph(request: base, shape: shape, phase: .prefill, keepRows: false),
                DefaultGraph(request: base, shape: shape, phase: .decode, keepRows: false))
    }
}

extension DefaultGraph {
    /// Layer counts of the whole model by kind: (global dense, global MoE, window dense, window MoE).
    var iterationLayerKinds: (Double, Double, Double, Double) { layerKinds(from: 0, to: model.numLayers) }

    /// Weight elements per device of one layer's FFN block (dense or MoE).
    func iterationFFNWeights(moe: Bool) -> Double { ffnWeights(moe: moe) }

    /// Widest activation of one token on one device, elements.
    var iterationWidestActivation: Double { widestActivation() }

    /// Expected fraction of experts `tokens` tokens touch (the estimator's rule).
    func iterationTouchedFraction(tokens: Double, topK: Double, experts: Double) -> Double {
        touchedFraction(tokens: tokens, topK: topK, experts: experts)
    }
}
