/// The operations of llm-memory-calculator's performance API, with its parameter names and defaults
/// (model `llama2_7b`, batch 1, beam 1, 2048 input and 256 output tokens, bf16, the default A100 80GB
/// system `{Flops 312, Memory_size 80, Memory_BW 2039, ICN 600}`).
///
/// Differences from the Python API are deliberate: invalid input throws a ``PlannerError`` that names
/// the field (instead of `ValueError("Failed to estimate ...")` or a crash), `fp32`/`fp16` are
/// accepted, and hardware names resolve through ``HardwareCatalog``.
public enum PerformanceAPI {
    /// `estimate_prefill_performance`: time to first token of a batch.
    public static func estimatePrefillPerformance(
        model: String = "llama2_7b", batchSize: Int = 1, inputTokens: Int = 2048, systemName: HardwareSpec? = nil,
        bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1, expertParallel: Int = 1,
        profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> PhaseEstimate {
        let request = try makeRequest(model: model, batchSize: batchSize, beamSize: 1, inputTokens: inputTokens, outputTokens: 0,
                                      systemName: systemName, bits: bits, tensorParallel: tensorParallel,
                                      pipelineParallel: pipelineParallel, expertParallel: expertParallel, profile: profile)
        return try Estimator.prefill(request)
    }

    /// `estimate_decode_performance`: one decode step (TPOT) at the context GenZ models.
    public static func estimateDecodePerformance(
        model: String = "llama2_7b", batchSize: Int = 1, beamSize: Int = 1, inputTokens: Int = 2048, outputTokens: Int = 256,
        systemName: HardwareSpec? = nil, bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1,
        expertParallel: Int = 1, profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> PhaseEstimate {
        let request = try makeRequest(model: model, batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens,
                                      outputTokens: outputTokens, systemName: systemName, bits: bits, tensorParallel: tensorParallel,
                                      pipelineParallel: pipelineParallel, expertParallel: expertParallel, profile: profile)
        return try Estimator.decode(request)
    }

    /// `estimate_end_to_end_performance`: prefill, then `outputTokens` decode steps.
    public static func estimateEndToEndPerformance(
        model: String = "llama2_7b", batchSize: Int = 1, beamSize: Int = 1, inputTokens: Int = 2048, outputTokens: Int = 256,
        systemName: HardwareSpec? = nil, bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1,
        expertParallel: Int = 1, profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> EndToEndEstimate {
        let request = try makeRequest(model: model, batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens,
                                      outputTokens: outputTokens, systemName: systemName, bits: bits, tensorParallel: tensorParallel,
                                      pipelineParallel: pipelineParallel, expertParallel: expertParallel, profile: profile)
        return try Estimator.endToEnd(request)
    }

    /// `estimate_prefill_performance` for a model given as a ``ModelSpec`` (for example one imported
    /// from a Hugging Face `config.json` with `PlannerFormats.HuggingFaceConfig`).
    public static func estimatePrefillPerformance(
        modelSpec: ModelSpec, batchSize: Int = 1, inputTokens: Int = 2048, systemName: HardwareSpec? = nil,
        bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1, expertParallel: Int = 1,
        profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> PhaseEstimate {
        try Estimator.prefill(makeRequest(
            modelSpec: modelSpec, batchSize: batchSize, beamSize: 1, inputTokens: inputTokens, outputTokens: 0, systemName: systemName,
            bits: bits, tensorParallel: tensorParallel, pipelineParallel: pipelineParallel, expertParallel: expertParallel, profile: profile))
    }

    /// `estimate_decode_performance` for a model given as a ``ModelSpec``.
    public static func estimateDecodePerformance(
        modelSpec: ModelSpec, batchSize: Int = 1, beamSize: Int = 1, inputTokens: Int = 2048, outputTokens: Int = 256,
        systemName: HardwareSpec? = nil, bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1,
        expertParallel: Int = 1, profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> PhaseEstimate {
        try Estimator.decode(makeRequest(
            modelSpec: modelSpec, batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens, outputTokens: outputTokens,
            systemName: systemName, bits: bits, tensorParallel: tensorParallel, pipelineParallel: pipelineParallel,
            expertParallel: expertParallel, profile: profile))
    }

    /// `estimate_end_to_end_performance` for a model given as a ``ModelSpec``.
    public static func estimateEndToEndPerformance(
        modelSpec: ModelSpec, batchSize: Int = 1, beamSize: Int = 1, inputTokens: Int = 2048, outputTokens: Int = 256,
        systemName: HardwareSpec? = nil, bits: String = "bf16", tensorParallel: Int = 1, pipelineParallel: Int = 1,
        expertParallel: Int = 1, profile: Profile = EstimateRequest.defaultProfile
    ) throws(PlannerError) -> EndToEndEstimate {
        try Estimator.endToEnd(makeRequest(
            modelSpec: modelSpec, batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens, outputTokens: outputTokens,
            systemName: systemName, bits: bits, tensorParallel: tensorParallel, pipelineParallel: pipelineParallel,
            expertParallel: expertParallel, profile: profile))
    }

    /// `get_hardware_config`: a catalog entry by name (case-insensitive).
    public static func getHardwareConfig(_ name: String) throws(PlannerError) -> HardwareSpec {
        try HardwareCatalog.hardware(named: name)
    }

    /// One configuration of `compare_performance_configurations`.
    public struct Configuration: Sendable, Hashable {
        public var name: String
        /// nil means the default system.
        public var hardware: HardwareSpec?
        public var tensorParallel: Int
        public var pipelineParallel: Int
        public var expertParallel: Int
        public var bits: String
        public var beamSize: Int

        public init(name: String = "unnamed_config", hardware: HardwareSpec? = nil, tensorParallel: Int = 1,
                    pipelineParallel: Int = 1, expertParallel: Int = 1, bits: String = "bf16", beamSize: Int = 1) {
            self.name = name
            self.hardware = hardware
            self.tensorParallel = tensorParallel
            self.pipelineParallel = pipelineParallel
            self.expertParallel = expertParallel
            self.bits = bits
            self.beamSize = beamSize
        }
    }

    /// One entry of a comparison: the configuration and its estimate or error (see ``Comparison/Entry``).
    public struct Comparison: Sendable, Hashable {
        public var configuration: Configuration
        public var entry: PlannerCore.Comparison.Entry

        public var outcome: Result<EndToEndEstimate, PlannerError> { entry.outcome }
        /// Input + output tokens per second; 0 for a failed configuration.
        public var totalThroughputTokensPerSecond: Double { entry.totalThroughputTokensPerSecond }
        /// Milliseconds; +infinity for a failed configuration.
        public var ttftMs: Double { entry.ttftMs }
        public var tpotMs: Double { entry.tpotMs }
        public var totalLatencyMs: Double { entry.totalLatencyMs }
    }

    /// `compare_performance_configurations`: estimates every configuration end to end and sorts by
    /// total throughput, descending and stable, so failures (throughput 0) sink to the end in input order.
    public static func comparePerformanceConfigurations(
        model: String, configurations: [Configuration], batchSize: Int = 1, inputTokens: Int = 2048,
        outputTokens: Int = 256, profile: Profile = EstimateRequest.defaultProfile
    ) -> [Comparison] {
        let compared = configurations.map { configuration in
            let request = Result { () throws(PlannerError) -> EstimateRequest in
                try makeRequest(
                    model: model, batchSize: batchSize, beamSize: configuration.beamSize, inputTokens: inputTokens,
                    outputTokens: outputTokens, systemName: configuration.hardware, bits: configuration.bits,
                    tensorParallel: configuration.tensorParallel, pipelineParallel: configuration.pipelineParallel,
                    expertParallel: configuration.expertParallel, profile: profile)
            }
            return Comparison(configuration: configuration,
                              entry: PlannerCore.Comparison.entry(name: configuration.name, request: request))
        }
        return PlannerCore.Comparison.ranked(compared) { $0.entry }
    }

    static func makeRequest(
        modelSpec: ModelSpec, batchSize: Int, beamSize: Int, inputTokens: Int, outputTokens: Int, systemName: HardwareSpec?,
        bits: String, tensorParallel: Int, pipelineParallel: Int, expertParallel: Int, profile: Profile
    ) throws(PlannerError) -> EstimateRequest {
        EstimateRequest(
            model: modelSpec, hardware: systemName ?? HardwareCatalog.defaultHardware,
            batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens, outputTokens: outputTokens,
            precision: try Precision.parse(bits),
            parallelism: Parallelism(tensor: tensorParallel, pipeline: pipelineParallel, expert: expertParallel),
            profile: profile)
    }

    static func makeRequest(
        model: String, batchSize: Int, beamSize: Int, inputTokens: Int, outputTokens: Int, systemName: HardwareSpec?,
        bits: String, tensorParallel: Int, pipelineParallel: Int, expertParallel: Int, profile: Profile
    ) throws(PlannerError) -> EstimateRequest {
        EstimateRequest(
            model: try ModelCatalog.model(named: model), hardware: systemName ?? HardwareCatalog.defaultHardware,
            batchSize: batchSize, beamSize: beamSize, inputTokens: inputTokens, outputTokens: outputTokens,
            precision: try Precision.parse(bits),
            parallelism: Parallelism(tensor: tensorParallel, pipeline: pipelineParallel, expert: expertParallel),
            profile: profile)
    }
}
