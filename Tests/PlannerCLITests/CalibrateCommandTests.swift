import Foundation
import PlannerFormats
import Testing

/// `planner calibrate`: a profile that `--hardware-file` reads, and its errors.
struct CalibrateCommandTests {
    static let points = """
        [{"id": "a", "model": "Llama-2-7B", "hardware": "H100_80GB", "tp": 1, "precision": "FP16", "batch_size": 1,
          "input_len": 1024, "output_len": 128, "tpot_ms": 9.0, "ttft_ms": 40.0},
         {"id": "b", "model": "Llama-2-7B", "hardware": "H100_80GB", "tp": 1, "precision": "FP16", "batch_size": 32,
          "input_len": 1024, "output_len": 128, "tpot_ms": 14.0, "throughput_tok_s": 2000.0},
         {"id": "c", "model": "Llama-2-13B", "hardware": "H100_80GB", "tp": 2, "precision": "FP16", "batch_size": 8,
          "input_len": 1024, "output_len": 128, "tpot_ms": 9.5}]
        """

    @Test func writesAProfileThatEveryHardwareOptionReads() throws {
        let file = try PlannerProcess.temporaryFile(Self.points)
        let profile = NSTemporaryDirectory() + "planner-profile-\(UUID().uuidString).yaml"
        let run = try PlannerProcess.run(["calibrate", "--points", file, "--out", profile, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try #require(run.json)
        let before = try #require(json["median_abs_error_pct_before"]?.doubleValue)
        let after = try #require(json["median_abs_error_pct_after"]?.doubleValue)
        #expect(after <= before)
        #expect(json["loo_median_abs_error_pct"]?.doubleValue != nil)
        let text = try String(contentsOfFile: profile, encoding: .utf8)
        #expect(text.contains("provenance:") && text.contains("memory_efficiency:") && text.contains("base_hardware: \"H100_80GB\""))
        let calibrated = try PlannerProcess.run(["estimate", "decode", "--hardware-file", profile, "--model", "llama2_7b", "--json"])
        let preset = try PlannerProcess.run(["estimate", "decode", "--hardware", "H100_80GB", "--model", "llama2_7b", "--json"])
        #expect(calibrated.status == 0, "\(calibrated.stderr)")
        #expect(calibrated.json?["Latency"]?.doubleValue != preset.json?["Latency"]?.doubleValue)
        let recommend = try PlannerProcess.run(["recommend", "--hardware-file", profile, "--model", "llama2_7b", "--devices", "1", "--top", "1"])
        #expect(recommend.status == 0 && recommend.stdout.contains("calibrated"), "\(recommend.stderr)")
    }

    @Test func badInputsAreErrors() throws {
        let file = try PlannerProcess.temporaryFile(Self.points)
        let badFit = try PlannerProcess.run(["calibrate", "--points", file, "--fit", "speed"])
        #expect(badFit.status == 1 && badFit.stderr.contains("compute_efficiency"))
        let mixed = try PlannerProcess.temporaryFile(Self.points.replacingOccurrences(of: "\"id\": \"c\", \"model\": \"Llama-2-13B\", \"hardware\": \"H100_80GB\"",
                                                                                       with: "\"id\": \"c\", \"model\": \"Llama-2-13B\", \"hardware\": \"A100_80GB\""))
        let several = try PlannerProcess.run(["calibrate", "--points", mixed])
        #expect(several.status == 1 && several.stderr.contains("several hardware"))
        let none = try PlannerProcess.run(["calibrate", "--points", try PlannerProcess.temporaryFile("[]")])
        #expect(none.status == 1 && none.stderr.contains("no point"))
        let both = try PlannerProcess.run(["estimate", "decode", "--hardware", "H100_80GB", "--hardware-file", "/nonexistent.yaml"])
        #expect(both.status != 0)
        let missing = try PlannerProcess.run(["estimate", "decode", "--hardware-file", "/nonexistent.yaml"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
    }
}
