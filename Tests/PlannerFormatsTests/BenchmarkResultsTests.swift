import Foundation
import PlannerCore
import PlannerFormats
import Testing

/// Result files of vLLM, SGLang, GenAI-Perf and trtllm-bench (fixtures written to each tool's
/// schema, Fixtures/benchmarks) read as measured points and predicted by `validate`.
struct BenchmarkResultsTests {
    static func fixture(_ name: String) throws -> String {
        let base = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        guard let url = Bundle.module.url(forResource: base, withExtension: ext, subdirectory: "Fixtures/benchmarks"),
              let data = try? Data(contentsOf: url)
        else { throw PlannerError.malformedInput(source: name, reason: "fixture missing") }
        return String(decoding: data, as: UTF8.self)
    }

    static let h100 = BenchmarkResults.Context(hardware: "H100_80GB", tensorParallel: 1, precision: "bf16", engine: "test")

    @Test func formatsAreDetectedFromTheirKeys() throws {
        let expected: [(String, BenchmarkResults.Format)] = [
            ("vllm_serve.json", .vllm), ("sglang_bench_serving.jsonl", .sglang),
            ("profile_export_genai_perf.json", .genaiPerf), ("trtllm_bench_report.json", .trtllmBench),
        ]
        for (name, format) in expected {
            let records = try BenchmarkResults.records(try Self.fixture(name), source: name)
            #expect(!records.isEmpty && records.allSatisfy { $0.format == format }, "\(name)")
        }
        #expect(try BenchmarkResults.records("[{\"id\": \"a\"}]", source: "mine.json").first?.format == .planner)
    }

    @Test func vllmRunBecomesAClosedLoopPoint() throws {
        let points = try BenchmarkResults.points(try Self.fixture("vllm_serve.json"), source: "vllm.json", context: Self.h100)
        let point = try #require(points.first)
        #expect(points.count == 1)
        #expect(point["model"]?.stringValue == "meta-llama/Llama-3.1-8B-Instruct")
        #expect(point["concurrency"]?.intValue == 32)
        #expect(point["input_len"]?.intValue == 1024 && point["output_len"]?.intValue == 256)
        #expect(point["ttft_ms"]?.doubleValue == 185.3 && point["tpot_ms"]?.doubleValue == 11.9)
        #expect(point["e2e_latency_ms"]?.doubleValue == 3220.0 && point["throughput_tok_s"]?.doubleValue == 2540.3)
        #expect(point["ttft_p99_ms"]?.doubleValue == 402.7)
    }

    @Test func sglangLinesWithPythonInfinityAndARatePoint() throws {
        let points = try BenchmarkResults.points(try Self.fixture("sglang_bench_serving.jsonl"), source: "sg.jsonl",
                                                 context: BenchmarkResults.Context(model: "llama3_8b").overriding(Self.h100))
        #expect(points.count == 2)
        #expect(points[0]["concurrency"]?.intValue == 16 && points[0]["input_len"]?.intValue == 2048)
        #expect(points[0]["e2e_latency_ms"]?.doubleValue == 4012.5)
        #expect(points[1]["concurrency"] == nil && points[1]["request_rate_rps"]?.doubleValue == 2.0)
        #expect(points[1]["scenario"]?.stringValue?.contains("Poisson") == true)
    }

    @Test func genaiPerfAndTrtllmBench() throws {
        let genai = try #require(try BenchmarkResults.points(try Self.fixture("profile_export_genai_perf.json"), source: "g.json",
                                                             context: Self.h100).first)
        #expect(genai["concurrency"]?.intValue == 8 && genai["tpot_ms"]?.doubleValue == 11.53)
        #expect(genai["throughput_tok_s"]?.doubleValue == 668.2 && genai["input_len"]?.intValue == 1024)
        // trtllm-bench names its own layout and precision: TP 4, FP8; an offline (max-throughput) run.
        let trt = try #require(try BenchmarkResults.points(try Self.fixture("trtllm_bench_report.json"), source: "t.json",
                                                           context: BenchmarkResults.Context(hardware: "H100_80GB")).first)
        #expect(trt["tp"]?.intValue == 4 && trt["precision"]?.stringValue == "fp8")
        #expect(trt["scenario"]?.stringValue?.hasPrefix("offline") == true)
        #expect(trt["throughput_tok_s"]?.doubleValue == 9833.5)
        // The command line overrides the file.
        let forced = try #require(try BenchmarkResults.points(try Self.fixture("trtllm_bench_report.json"), source: "t.json",
                                                              context: BenchmarkResults.Context(hardware: "H100_80GB", tensorParallel: 8)).first)
        #expect(forced["tp"]?.intValue == 8)
    }

    @Test func missingContextIsAnErrorNamingTheField() throws {
        let text = try Self.fixture("vllm_serve.json")
        for (context, field) in [(BenchmarkResults.Context(tensorParallel: 1, precision: "bf16"), "hardware"),
                                 (BenchmarkResults.Context(hardware: "H100_80GB", precision: "bf16"), "tp"),
                                 (BenchmarkResults.Context(hardware: "H100_80GB", tensorParallel: 1), "bits")] {
            do {
                _ = try BenchmarkResults.points(text, source: "v.json", context: context)
                Issue.record("no error without \(field)")
            } catch {
                #expect("\(error)".contains(field) && "\(error)".contains("sidecar"), "\(error)")
            }
        }
        #expect(throws: PlannerError.self) { try BenchmarkResults.points("{\"hello\": 1}", source: "x.json", context: Self.h100) }
        #expect(throws: PlannerError.self) { try BenchmarkResults.points("{\"a\": 1}\nnot json", source: "x.jsonl", context: Self.h100) }
        #expect(throws: PlannerError.self) { try BenchmarkResults.points("", source: "empty.json", context: Self.h100) }
        #expect(throws: PlannerError.self) {
            try BenchmarkResults.Context.sidecar(try Documents.parse("hardware: H100\ntp: 0\n", source: "s.yaml"), source: "s.yaml")
        }
        #expect(throws: PlannerError.self) {
            try BenchmarkResults.Context.sidecar(try Documents.parse("hardwar: H100\n", source: "s.yaml"), source: "s.yaml")
        }
    }

    @Test func sidecarFillsWhatTheFileDoesNotSay() throws {
        let context = try BenchmarkResults.Context.sidecar(try Documents.parse(try Self.fixture("sidecar.yaml"), source: "s.yaml"), source: "s.yaml")
        #expect(context == BenchmarkResults.Context(hardware: "H100_80GB", tensorParallel: 1, precision: "bf16", engine: "vllm 0.11.0"))
    }

    /// The points a benchmark file gives are predicted by `validate`: the closed-loop vLLM run's
    /// TTFT, TPOT, end to end and throughput, through the serving simulator.
    @Test func validatePredictsBenchmarkPoints() throws {
        let points = try BenchmarkResults.points(try Self.fixture("vllm_serve.json"), source: "vllm.json", context: Self.h100)
        let report = try Validation.run(.array(points), profile: .default)
        let compared = report.entries.compactMap { entry -> Validation.Metric? in
            if case let .compared(_, metric, _, _) = entry { return metric }
            return nil
        }
        #expect(Set(compared) == [.ttft, .tpot, .e2e, .throughput])
        // The fixture's figures are plausible for Llama 3.1 8B at concurrency 32 on one H100 (written to the
        // schema, not a measurement): the predictions must be of the same order.
        #expect(report.absoluteErrors.allSatisfy { $0 < 50 }, "\(report.entries)")
    }
}
