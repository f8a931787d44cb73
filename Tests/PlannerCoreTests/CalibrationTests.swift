import PlannerCore
import Testing

/// `planner calibrate`'s fit: it recovers known efficiencies from runs they produced, stays within
/// physical bounds, fixes what the runs cannot determine, and its leave-one-out error is honest.
struct CalibrationTests {
    static func run(_ id: String, model: String, tp: Int = 1, mode: MeasuredRun.Mode, input: Int = 1024, output: Int = 128,
                    on hardware: HardwareSpec, metrics: [MeasuredRun.Metric] = [.ttft, .tpot, .throughput]) throws -> MeasuredRun {
        let request = EstimateRequest(model: try ModelCatalog.model(named: model), hardware: hardware, batchSize: 1, beamSize: 1,
                                      inputTokens: input, outputTokens: output, precision: .bf16,
                                      parallelism: Parallelism(tensor: tp, pipeline: 1, expert: 1), profile: .default)
        // The "measurement" is the prediction on `hardware`: a fit from other values must find it again.
        let probe = MeasuredRun(id: id, request: request, mode: mode, throughputScale: 1,
                                measured: metrics.map { MeasuredRun.Measurement(metric: $0, value: 1) })
        let truth = try probe.predictions()
        var measured: [MeasuredRun.Measurement] = []
        for (metric, prediction) in zip(metrics, truth) {
            if let value = prediction.predicted { measured.append(.init(metric: metric, value: value)) }
        }
        return MeasuredRun(id: id, request: request, mode: mode, throughputScale: 1, measured: measured)
    }

    static func runs(on hardware: HardwareSpec) throws -> [MeasuredRun] {
        [
            try run("a", model: "llama2_7b", mode: .staticBatch(1), on: hardware),
            try run("b", model: "llama2_7b", mode: .staticBatch(32), input: 2048, on: hardware),
            try run("c", model: "llama2_13b", tp: 2, mode: .staticBatch(8), on: hardware),
            try run("d", model: "llama2_70b", tp: 4, mode: .staticBatch(64), input: 512, output: 256, on: hardware),
            try run("e", model: "llama3_8b", mode: .closedLoop(concurrency: 16), on: hardware),
        ]
    }

    @Test func recoversTheEfficienciesThatProducedTheRuns() throws {
        let preset = try HardwareCatalog.hardware(named: "H100_80GB")
        var truth = preset
        truth.computeEfficiency = 0.52
        truth.memoryEfficiency = 0.71
        truth.linkEfficiency = 0.6
        truth.kernelOverheadUs = 7
        let runs = try Self.runs(on: truth).map { run -> MeasuredRun in var copy = run; copy.request.hardware = preset; return copy }
        let fit = try Calibration.fit(runs, hardware: preset)
        #expect(fit.lossAfter < fit.lossBefore * 1e-3, "loss \(fit.lossBefore) -> \(fit.lossAfter)")
        let after = Calibration.logErrors(runs, hardware: fit.hardware)
        #expect(after.allSatisfy { abs($0) < 0.01 }, "\(after)")
        #expect(abs((fit.hardware.memoryEfficiency ?? 0) - 0.71) < 0.01)
        #expect(abs((fit.hardware.computeEfficiency ?? 0) - 0.52) < 0.02)
        // Leave-one-out on exact data: each fit sees 4 runs, so fits 3 parameters and keeps the fourth at
        // the family default; the held-out run is then predicted within a few percent.
        let loo = Calibration.leaveOneOut(runs, hardware: preset).flatMap { $0 }
        #expect(loo.count == runs.map(\.measured.count).reduce(0, +))
        #expect(loo.allSatisfy { $0 < 5 }, "\(loo)")
    }

    @Test func boundsHoldAndUndeterminedParametersAreFixed() throws {
        let preset = try HardwareCatalog.hardware(named: "H100_80GB")
        // Measurements twice as fast as any physical efficiency allows: the fit stops at the bound 1.
        let fast = try [Self.run("a", model: "llama2_7b", mode: .staticBatch(1), on: preset, metrics: [.tpot]),
                        Self.run("b", model: "llama2_7b", mode: .staticBatch(64), on: preset, metrics: [.tpot])].map { run -> MeasuredRun in
            var copy = run
            copy.measured = run.measured.map { .init(metric: $0.metric, value: $0.value / 4) }
            return copy
        }
        let fit = try Calibration.fit(fast, hardware: preset)
        for parameter in Calibration.Parameter.allCases {
            #expect(parameter.bounds.contains(parameter.value(in: fit.hardware)), "\(parameter)")
        }
        // TP 1 only: no collective, so the link efficiency is not determined; two runs fit at most one parameter.
        #expect(fit.fixed.contains { $0.parameter == .linkEfficiency && $0.reason.contains("do not determine") })
        #expect(fit.fitted.count <= 1)
        #expect(fit.fixed.contains { $0.reason.contains("at most 1 parameter") })
    }

    @Test func emptyOrUnpredictableRunsAreRefused() throws {
        let preset = try HardwareCatalog.hardware(named: "H100_80GB")
        #expect(throws: PlannerError.self) { try Calibration.fit([], hardware: preset) }
        #expect(Calibration.leaveOneOut([try Self.run("a", model: "llama2_7b", mode: .staticBatch(1), on: preset)], hardware: preset).isEmpty)
    }
}
