import Foundation
import PlannerFormats
import Testing

/// End-to-end runs of the default profile's CLI surface: `validate`, config.json models, overrides.
struct DefaultProfileCommandTests {
    /// Fixtures of the formats tests, addressed from this file (tests never read ../shared).
    static func fixture(_ relative: String) -> String {
        var root = URL(fileURLWithPath: #filePath)
        root.deleteLastPathComponent()
        root.deleteLastPathComponent()
        return root.appendingPathComponent("PlannerFormatsTests/Fixtures/\(relative)").path
    }

    @Test func validatePrintsBothProfiles() throws {
        let outcome = try PlannerProcess.run(["validate", "--points", Self.fixture("measured_public.json")])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("default profile: median |error|"))
        #expect(outcome.stdout.contains("genz profile: median |error|"))
        #expect(outcome.stdout.contains("not modelled:") && outcome.stdout.contains("p01"))
    }

    @Test func validateJSON() throws {
        let outcome = try PlannerProcess.run(["validate", "--points", Self.fixture("measured_public.json"), "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(outcome.json)
        let points = try #require(json["points"]?.arrayValue)
        #expect(points.contains { $0["error_pct"]?.doubleValue != nil && $0["predicted"]?.doubleValue != nil })
        #expect(points.contains { $0["skipped"]?.stringValue != nil })
        let median = try #require(json["median_abs_error_pct"]?.doubleValue)
        let genz = try #require(json["baseline"]?["median_abs_error_pct"]?.doubleValue)
        #expect(median <= 15 && median < genz)
        #expect(json["mean_abs_error_pct"]?.doubleValue != nil)

        // One static point is enough to check the profile switch (the full file runs the simulator above).
        let single = try PlannerProcess.temporaryFile("""
            [{"id": "p49", "model": "Llama-2-7B", "hardware": "A100-SXM-80GB", "tp": 1, "precision": "FP16", "batch_size": 1,
              "input_len": 128, "output_len": 128, "tpot_ms": 20.0}]
            """)
        let asGenZ = try #require(try PlannerProcess.run(["validate", "--points", single, "--json", "--profile", "genz"]).json)
        #expect(asGenZ["profile"]?.stringValue == "genz" && asGenZ["baseline"]?["profile"]?.stringValue == "default")

        let missing = try PlannerProcess.run(["validate", "--points", "/nonexistent/points.json"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
        let notArray = try PlannerProcess.run(["validate", "--points", try PlannerProcess.temporaryFile("{}")])
        #expect(notArray.status == 1 && notArray.stderr.contains("JSON array"))
    }

    @Test func estimateTakesAHuggingFaceConfig() throws {
        let outcome = try PlannerProcess.run(["estimate", "e2e", "--json", "--model", Self.fixture("hf/qwen3-30b-a3b.json"),
                                              "--hardware", "H100_GPU", "--bits", "fp8"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(outcome.json)
        #expect(json["profile"]?.stringValue == "default")
        #expect(json["decode"]?["Throughput_unit"]?.stringValue == "tokens/s")
        #expect(json["decode"]?["Throughput_requests_per_s"]?.doubleValue != nil)

        let missing = try PlannerProcess.run(["estimate", "prefill", "--model", "/nonexistent/config.json"])
        // Issue 15 item 7: a missing file is "no such file", not "malformed input".
        #expect(missing.status == 1 && missing.stderr.contains("cannot read model config file '/nonexistent/config.json': no such file"))
        #expect(!missing.stderr.contains("malformed"))
        let unsupported = try PlannerProcess.run(["estimate", "prefill", "--model", try PlannerProcess.temporaryFile(
            #"{"architectures": ["FalconForCausalLM"], "hidden_size": 4544}"#)])
        #expect(unsupported.status == 1 && unsupported.stderr.contains("architectures") && unsupported.stderr.contains("deepseek_v3"))
    }

    @Test func efficiencyOverridesChangeTheEstimate() throws {
        func latency(_ extra: [String]) throws -> Double {
            let outcome = try PlannerProcess.run(["estimate", "prefill", "--json", "--hardware", "H100_GPU", "--batch-size", "8"] + extra)
            return try #require(outcome.json?["Latency"]?.doubleValue)
        }
        let base = try latency([])
        let slower = try latency(["--compute-efficiency", "0.325"])
        #expect(slower > 1.8 * base)
        let tight = try PlannerProcess.run(["estimate", "prefill", "--model", "llama2_13b", "--hardware", "A100_40GB_GPU",
                                            "--usable-memory-fraction", "0.5"])
        #expect(tight.status == 1 && tight.stderr.contains("does not fit") && tight.stderr.contains("usable_memory_fraction 0.5"))
        let invalid = try PlannerProcess.run(["estimate", "prefill", "--memory-efficiency", "2"])
        #expect(invalid.status == 1 && invalid.stderr.contains("memory_efficiency"))
        let family = try PlannerProcess.run(["estimate", "prefill", "--family", "tpu"])
        #expect(family.status == 1 && family.stderr.contains("google-tpu"))
        // Across nodes: TP 16 with 8 devices per node pays the network.
        let inside = try #require(try PlannerProcess.run(["estimate", "decode", "--json", "--model", "llama_405b", "--hardware", "H100_GPU",
                                                          "--bits", "fp8", "--tp", "16", "--devices-per-node", "16"]).json)
        let across = try #require(try PlannerProcess.run(["estimate", "decode", "--json", "--model", "llama_405b", "--hardware", "H100_GPU",
                                                          "--bits", "fp8", "--tp", "16"]).json)
        let insideMs = try #require(inside["Communication_breakdown"]?["all_reduce_ms"]?.doubleValue)
        let acrossMs = try #require(across["Communication_breakdown"]?["all_reduce_ms"]?.doubleValue)
        #expect(acrossMs > 3 * insideMs)
    }

    @Test func casesFilesTakeConfigPathsAndDefaultToTheDefaultProfile() throws {
        let cases = """
        [
          {"id": "hf", "phase": "decode", "model": "\(Self.fixture("hf/deepseek-v2-lite.json"))", "hardware": "H100_GPU"},
          {"id": "catalog", "phase": "prefill", "model": "llama2_7b"},
          {"id": "genz", "phase": "prefill", "model": "llama2_7b", "profile": "genz"},
          {"id": "tuned", "phase": "prefill", "model": "llama2_7b", "compute_efficiency": 0.35}
        ]
        """
        let outcome = try PlannerProcess.run(["estimate", "--cases", try PlannerProcess.temporaryFile(cases)])
        #expect(outcome.status == 0)
        let results = try #require(outcome.json?.arrayValue)
        #expect(results[0]["error"] == nil, "\(results[0])")
        #expect(results[0]["profile"]?.stringValue == "default")
        let catalog = try #require(results[1]["Latency"]?.doubleValue)
        #expect(results[1]["profile"]?.stringValue == "default" && abs(catalog - 95.508) > 1)
        #expect(abs((results[2]["Latency"]?.doubleValue ?? 0) - 95.508) < 0.001)
        #expect((results[3]["Latency"]?.doubleValue ?? 0) > 1.5 * catalog)
    }
}
