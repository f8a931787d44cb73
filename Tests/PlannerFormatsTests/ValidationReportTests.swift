import Foundation
import PlannerCore
import PlannerFormats
import Testing

/// `planner validate` on the public measured points (Fixtures/measured_public.json).
struct ValidationReportTests {
    static let points: JSONValue = {
        guard let url = Bundle.module.url(forResource: "measured_public", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let document = try? JSONValue.parse(String(decoding: data, as: UTF8.self))
        else { return .array([]) }
        return document
    }()

    /// Each profile's report, computed once for every test (the serving points run the simulator).
    static let reports: (default: Validation.Report?, genz: Validation.Report?) = (
        try? Validation.run(points, profile: .default), try? Validation.run(points, profile: .genz))

    @Test func defaultProfileMeetsTheTargetAndBeatsGenZ() throws {
        let report = try #require(Self.reports.default)
        let genz = try #require(Self.reports.genz)
        let median = try #require(report.medianAbsoluteErrorPercent)
        let genzMedian = try #require(genz.medianAbsoluteErrorPercent)
        #expect(median <= 15, "default median |error| \(median)%")
        #expect(median < genzMedian)
        #expect(try #require(report.meanAbsoluteErrorPercent) < (try #require(genz.meanAbsoluteErrorPercent)))
        // The default profile predicts every measurement genz does, and with the serving simulator the
        // serving TTFTs and the offline runs too; on the common measurements it stays well ahead.
        #expect(report.absoluteErrors.count >= 33 && genz.absoluteErrors.count >= 20)
        let common = report.restricted(to: genz)
        #expect(common.absoluteErrors.count == genz.absoluteErrors.count)
        #expect(try #require(common.medianAbsoluteErrorPercent) <= 12.5)
    }

    @Test func pointsThatNeedAServingModelAreListedWithTheReason() throws {
        let report = try #require(Self.reports.default)
        func reason(_ id: String, _ metric: Validation.Metric? = nil) -> String? {
            for entry in report.entries {
                if case let .skipped(entryID, entryMetric, text) = entry, entryID == id, entryMetric == metric { return text }
            }
            return nil
        }
        #expect(reason("p01")?.contains("variable") == true)  // MLPerf OpenOrca lengths
        #expect(reason("p43")?.contains("precision") == true)
        // The serving simulator models what needed a serving model: the runtime-chosen batch of an
        // offline run (p22) and the TTFT of a closed-loop run (p31); the genz profile still cannot.
        func compared(_ id: String, _ metric: Validation.Metric, in report: Validation.Report) -> Bool {
            report.entries.contains { if case let .compared(entryID, entryMetric, _, _) = $0 { entryID == id && entryMetric == metric } else { false } }
        }
        #expect(compared("p22", .throughput, in: report))
        #expect(compared("p31", .ttft, in: report))
        let genz = try #require(Self.reports.genz)
        #expect(!compared("p31", .ttft, in: genz) && !compared("p22", .throughput, in: genz))
        #expect(reason("p43")?.contains("precision") == true)
        // Static points are compared on every metric they carry.
        let p49 = report.entries.filter { $0.id == "p49" }.compactMap(\.metric)
        #expect(Set(p49) == [.ttft, .tpot, .e2e])
    }

    @Test func errorsAndSummaryAreComputedFromThePredictions() throws {
        let point: JSONValue = .array([.object([
            ("id", .string("x")), ("model", .string("Llama-3.1-8B-Instruct")), ("hardware", .string("H100-SXM-80GB")),
            ("gpu_count", .int(2)), ("tp", .int(1)), ("pp", .int(1)), ("ep", .null), ("precision", .string("FP8")),
            ("batch_size", .int(4)), ("concurrency", .null), ("input_len", .int(512)), ("output_len", .int(64)),
            ("ttft_ms", .double(20)), ("tpot_ms", .null), ("e2e_latency_ms", .null), ("throughput_tok_s", .double(1000)),
            ("throughput_scope", .string("system total output tokens/s (2 GPUs)")),
        ])])
        let report = try Validation.run(point, profile: .default)
        #expect(report.entries.count == 2)
        let model = try ModelCatalog.model(named: "Llama-3.1-8B")
        let request = EstimateRequest(model: model, hardware: try HardwareCatalog.hardware(named: "H100_GPU"), batchSize: 4,
                                      inputTokens: 512, outputTokens: 64, precision: .fp8, profile: .default)
        let e2e = try Estimator.endToEnd(request)
        guard case let .compared(_, _, measured, predicted) = report.entries[0] else { Issue.record("not compared"); return }
        #expect(measured == 20 && predicted == e2e.ttftMs)
        guard case let .compared(_, metric, _, throughput) = report.entries[1] else { Issue.record("not compared"); return }
        // Two replicas of one GPU each.
        #expect(metric == .throughput && abs(throughput - 2 * 4 * 64 * 1000 / e2e.totalLatencyMs) < 1e-9)
        let errors = report.entries.compactMap(\.errorPercent)
        #expect(abs(errors[0] - (e2e.ttftMs - 20) / 20 * 100) < 1e-9)
        #expect(report.medianAbsoluteErrorPercent == (abs(errors[0]) + abs(errors[1])) / 2)

        let json = Validation.json(report, baseline: try Validation.run(point, profile: .genz))
        let first = try #require(json["points"]?.arrayValue?.first)
        for key in ["id", "metric", "measured", "predicted", "error_pct"] { #expect(first[key] != nil, "\(key)") }
        #expect(json["median_abs_error_pct"]?.doubleValue != nil && json["mean_abs_error_pct"]?.doubleValue != nil)
        #expect(json["baseline"]?["profile"]?.stringValue == "genz")
    }

    @Test func namesResolveToCatalogEntries() {
        #expect(MeasuredNames.model("Llama-3.3-70B-Instruct")?.name == "meta-llama/Llama-3.1-70B")
        #expect(MeasuredNames.model("Llama-3.1-405B (FP8)")?.numLayers == 126)
        #expect(MeasuredNames.model("13B GPT-style (llm-analysis test-13b.json)")?.numFFI == 1)
        #expect(MeasuredNames.model("Falcon-180B") == nil)
        #expect(MeasuredNames.hardware("AMD Instinct MI300X-192GB (OCI BM.GPU.MI300X.8)")?.name == "MI300X")
        #expect(MeasuredNames.hardware("A100-SXM-40GB")?.name == "A100_40GB_GPU")
        #expect(MeasuredNames.hardware("A100-SXM4-80GB")?.name == "A100_80GB_GPU")
        #expect(MeasuredNames.hardware("GH200")?.name == "GH200_GPU")
        #expect(MeasuredNames.hardware("H100-PCIe-80GB") == nil)
    }

    @Test func malformedDocumentsAreErrors() {
        #expect(throws: PlannerError.self) { try Validation.run(.object([]), profile: .default) }
        #expect(throws: PlannerError.self) { try Validation.run(.array([.int(3)]), profile: .default) }
    }
}
