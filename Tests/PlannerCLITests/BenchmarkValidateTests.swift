import Foundation
import PlannerFormats
import Testing

/// `planner validate --points` with benchmark tools' result files and a sidecar.
struct BenchmarkValidateTests {
    static let vllmRun = """
        {"backend": "vllm", "model_id": "meta-llama/Llama-3.1-8B-Instruct", "num_prompts": 320, "request_rate": "inf",
         "max_concurrency": 32, "duration": 32.26, "completed": 320, "total_input_tokens": 327680, "total_output_tokens": 81920,
         "request_throughput": 9.92, "output_throughput": 2540.3, "total_token_throughput": 12701.5, "mean_ttft_ms": 185.3,
         "p99_ttft_ms": 402.7, "mean_tpot_ms": 11.9, "p99_tpot_ms": 13.1, "mean_e2el_ms": 3220.0}
        """

    @Test func benchmarkFilesWithSidecarAndErrors() throws {
        let run = try PlannerProcess.temporaryFile(Self.vllmRun, suffix: ".json")
        let sidecar = try PlannerProcess.temporaryFile("hardware: H100_80GB\ntp: 1\nbits: bf16\n", suffix: ".yaml")
        let ok = try PlannerProcess.run(["validate", "--points", run, run, "--sidecar", sidecar, "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let compared = ok.json?["compared"]?.intValue
        #expect(compared == 8, "two files x (ttft, tpot, e2e, throughput): \(ok.stdout.prefix(300))")
        // The command line overrides the sidecar; a missing field names itself; a bad value is refused.
        let missing = try PlannerProcess.run(["validate", "--points", run, "--tp", "1", "--bits", "bf16"])
        #expect(missing.status == 1 && missing.stderr.contains("hardware") && missing.stderr.contains("--hardware"))
        let badTP = try PlannerProcess.run(["validate", "--points", run, "--sidecar", sidecar, "--tp", "0"])
        #expect(badTP.status != 0 && badTP.stderr.contains("tp"))
        let unknown = try PlannerProcess.run(["validate", "--points", try PlannerProcess.temporaryFile("{\"x\": 1}", suffix: ".json"),
                                              "--sidecar", sidecar])
        #expect(unknown.status == 1 && unknown.stderr.contains("not a result file planner knows"))
    }
}
