import Foundation
import PlannerFormats
import Testing

/// Issue 10 ("inputs that trap") and issue 15 item 7 through the built `planner`: each input that
/// trapped, hung or was misreported is answered with an error naming the field, never a crash.
struct InputDefectsTests {
    /// Every trapping input of issue 10 in one cases file: one JSON object per case, in order,
    /// each an `error` naming the field (the file gave no output at all before: SIGILL).
    @Test func trappingCasesAnswerEveryCaseWithAnError() throws {
        let custom = #""Memory_size": 80, "Memory_BW": 2039, "ICN": 600"#
        let cases = """
        [
          {"id": "flops", "phase": "e2e", "hardware": {"Flops": 5e-324, \(custom)}},
          {"id": "bw", "phase": "e2e", "hardware": {"Flops": 312, "Memory_size": 80, "Memory_BW": 5e-324, "ICN": 600}},
          {"id": "ce", "phase": "e2e", "compute_efficiency": 5e-324},
          {"id": "me", "phase": "decode", "memory_efficiency": 5e-324},
          {"id": "dense", "phase": "prefill", "dense_Flops": 5e-324},
          {"id": "bw308", "phase": "e2e", "hardware": {"Flops": 312, "Memory_size": 80, "Memory_BW": 1e-308, "ICN": 600}},
          {"id": "mem308", "phase": "e2e", "hardware": {"Flops": 312, "Memory_size": 1e308, "Memory_BW": 2039, "ICN": 600}},
          {"id": "heads0", "phase": "e2e", "model": {"architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_hidden_layers": 32,
           "num_attention_heads": 0, "intermediate_size": 11008, "vocab_size": 32000}},
          {"id": "beam0", "phase": "prefill", "beam_size": 0},
          {"id": "typo", "phase": "prefill", "compute_eficiency": 0.5},
          "not an object",
          {"id": "ok", "phase": "prefill", "tags": ["x"], "pair_id": 3, "description": "metadata is accepted"}
        ]
        """
        let outcome = try PlannerProcess.run(["estimate", "--cases", try PlannerProcess.temporaryFile(cases)])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let results = try #require(outcome.json?.arrayValue, "\(outcome.stdout.prefix(500)) \(outcome.stderr.prefix(500))")
        #expect(results.map { $0["id"]?.stringValue ?? "" }
            == ["flops", "bw", "ce", "me", "dense", "bw308", "mem308", "heads0", "beam0", "typo", "case-10", "ok"])
        let expected = [
            "invalid Flops '5e-324'", "invalid Memory_BW '5e-324'", "invalid compute_efficiency '5e-324'",
            "invalid memory_efficiency '5e-324'", "invalid dense_Flops '5e-324'", "invalid Memory_BW '1e-308'",
            "invalid Memory_size '1e+308'", "invalid num_attention_heads '0'", "invalid beam_size '0'",
            "did you mean compute_efficiency", "an object",
        ]
        for (index, fragment) in expected.enumerated() {
            let error = results[index]["error"]?.stringValue ?? "(no error: \(results[index].serialized()))"
            #expect(error.contains(fragment), "\(index): \(error)")
        }
        #expect(results[11]["error"] == nil && results[11]["Latency"]?.doubleValue != nil)
        #expect(results.allSatisfy { $0["ignored_fields"] == nil })
    }

    @Test func aTenMegabyteModelNameIsAnsweredAtOnce() throws {
        let name = String(repeating: "m", count: 10 << 20)
        let path = try PlannerProcess.temporaryFile(#"[{"id": "long", "phase": "prefill", "model": "\#(name)"}]"#)
        let start = Date()
        let outcome = try PlannerProcess.run(["estimate", "--cases", path])
        #expect(Date().timeIntervalSince(start) < 10)
        let error = try #require(outcome.json?.arrayValue?.first?["error"]?.stringValue)
        #expect(error.contains("unknown model 'mmmm") && error.contains("10485760 bytes") && error.utf8.count < 400)
    }

    /// Issue 15 item 7: each small defect.
    @Test func smallDefectsOfIssue15() throws {
        let negative = try PlannerProcess.run(["estimate", "prefill", "--batch-size", "-1"])
        #expect(negative.status == 1 && negative.stderr.contains("invalid batch_size '-1'"), "\(negative.stderr)")
        #expect(!negative.stderr.contains("Missing value"))
        let tokens = try PlannerProcess.run(["recommend", "--model", "llama2_7b", "--hardware", "H100_GPU", "--devices", "4", "--input-tokens", "-5"])
        #expect(tokens.status == 1 && tokens.stderr.contains("invalid input-tokens '-5'"), "\(tokens.stderr)")

        let missing = try PlannerProcess.run(["estimate", "prefill", "--model", "/nonexistent/qwen14b.json"])
        #expect(missing.status == 1 && missing.stderr.contains("no such file") && !missing.stderr.contains("malformed"), "\(missing.stderr)")
        let directory = try PlannerProcess.run(["estimate", "prefill", "--model", NSTemporaryDirectory() + "/.json"])
        #expect(directory.status == 1 && !directory.stderr.contains("malformed"), "\(directory.stderr)")

        let hardware = try PlannerProcess.run(["estimate", "prefill", "--hardware", "H100"])
        #expect(hardware.status == 1 && hardware.stderr.contains("did you mean H100_80GB, H100_GPU"), "\(hardware.stderr)")

        let spec = try PlannerProcess.temporaryFile("model: llama2_7b\nhardwre: [H100_GPU]\n", suffix: ".yaml")
        let key = try PlannerProcess.run(["sweep", spec])
        #expect(key.status == 1 && key.stderr.contains("did you mean hardware?"), "\(key.stderr)")

        let beam = try PlannerProcess.run(["estimate", "prefill", "--beam-size", "0"])
        #expect(beam.status == 1 && beam.stderr.contains("invalid beam_size '0'"), "\(beam.stderr)")
    }

    @Test func fleetRatesOutsideTheirRangeAreErrors() throws {
        for (rate, shown) in [("1e18", "1e+18"), ("1e-300", "1e-300")] {
            let workload = try PlannerProcess.temporaryFile("model: llama2_7b\nrate_rps: \(rate)\nhardware: [H100_80GB]\n", suffix: ".yaml")
            let out = NSTemporaryDirectory() + "planner-test-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: out) }
            let outcome = try PlannerProcess.run(["fleet", workload, "--out", out])
            #expect(outcome.status == 1 && outcome.stderr.contains("invalid rate_rps '\(shown)'") && outcome.stderr.contains("[0.001, 1e+07]"),
                    "\(outcome.stderr)")
        }
    }

    @Test func billionLaughsAndEmptyListsInSpecs() throws {
        var lines = ["model: llama2_7b", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        let laughs = try PlannerProcess.temporaryFile(lines.joined(separator: "\n") + "\n", suffix: ".yaml")
        let start = Date()
        let outcome = try PlannerProcess.run(["sweep", laughs])
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(outcome.status == 1 && outcome.stderr.contains("anchors (&name) are not accepted"), "\(outcome.stderr)")

        let empty = try PlannerProcess.temporaryFile("model: llama2_7b\nhardware: []\n", suffix: ".yaml")
        let emptyOutcome = try PlannerProcess.run(["sweep", empty])
        #expect(emptyOutcome.status == 1 && emptyOutcome.stderr.contains("invalid hardware '[]'"), "\(emptyOutcome.stderr)")
        let repeated = try PlannerProcess.temporaryFile("model: llama2_7b\nbits: [bf16, bf16]\n", suffix: ".yaml")
        let repeatedOutcome = try PlannerProcess.run(["sweep", repeated])
        #expect(repeatedOutcome.status == 1 && repeatedOutcome.stderr.contains("each value once"), "\(repeatedOutcome.stderr)")
    }
}
