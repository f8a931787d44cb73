import Foundation
import PlannerFormats
import Testing

/// End-to-end runs of `planner estimate`, `models` and `hardware` as a user runs them.
struct EstimateCommandTests {
    @Test func prefillJSONCarriesTheDocumentedKeys() throws {
        let outcome = try PlannerProcess.run(["estimate", "prefill", "--json", "--profile", "genz"])
        #expect(outcome.status == 0)
        let json = try #require(outcome.json)
        for key in ["Latency", "Throughput", "TTFT", "Input_throughput", "Memory_used", "Compute_breakdown", "Communication_breakdown", "Runtime_breakdown"] {
            #expect(json[key] != nil, "missing \(key)")
        }
        let latency = try #require(json["Latency"]?.doubleValue)
        #expect(abs(latency - 95.508) < 0.001)
        #expect(json["Memory_used"]?["weights_MB"]?.doubleValue ?? 0 > 12_000)
    }

    @Test func decodeAndEndToEndKeys() throws {
        let decode = try #require(try PlannerProcess.run(["estimate", "decode", "--json", "--batch-size", "8", "--beam-size", "2"]).json)
        for key in ["Latency", "Total_latency", "TPOT", "Effective_throughput", "output_tokens_per_s"] { #expect(decode[key] != nil, "\(key)") }
        let e2e = try PlannerProcess.run(["estimate", "e2e", "--json", "--profile", "genz", "--model", "mixtral_8x7b", "--hardware", "H100_GPU",
                                          "--tp", "2", "--ep", "2", "--breakdown"])
        #expect(e2e.status == 0)
        let json = try #require(e2e.json)
        for key in ["total_latency", "ttft", "average_tpot", "total_throughput", "prefill", "decode", "parallelism"] { #expect(json[key] != nil, "\(key)") }
        let operators = try #require(json["decode"]?["operators"]?.arrayValue)
        #expect(operators.contains { $0["name"]?.stringValue == "Dispatch A2A" })
    }

    @Test func tableOutputIsReadable() throws {
        let outcome = try PlannerProcess.run(["estimate", "e2e", "--model", "llama2_13b", "--breakdown"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("TTFT") && outcome.stdout.contains("tokens/s") && outcome.stdout.contains("up+gate"))
    }

    @Test func customHardwareJSON() throws {
        let outcome = try PlannerProcess.run(["estimate", "prefill", "--json", "--profile", "genz", "--hardware-json",
                                              #"{"Flops": 312, "Memory_size": 80, "Memory_BW": 2039, "ICN": 600}"#])
        #expect(outcome.status == 0)
        #expect(abs((outcome.json?["Latency"]?.doubleValue ?? 0) - 95.508) < 0.001)
        let missing = try PlannerProcess.run(["estimate", "prefill", "--hardware-json", #"{"Flops": 312}"#])
        #expect(missing.status == 1 && missing.stderr.contains("Memory_size"))
        let malformed = try PlannerProcess.run(["estimate", "prefill", "--hardware-json", "{Flops"])
        #expect(malformed.status == 1 && malformed.stderr.contains("malformed --hardware-json"))
    }

    @Test(arguments: [
        (["estimate", "prefill", "--model", "llama3_70b"], "unknown model 'llama3_70b'"),
        (["estimate", "prefill", "--tp", "0"], "tensor_parallel"),
        (["estimate", "decode", "--batch-size=-4"], "batch_size"),
        (["estimate", "prefill", "--bits", "fp12"], "bits"),
        (["estimate", "prefill", "--hardware", "H300"], "unknown hardware 'H300'"),
        (["estimate", "prefill", "--model", "llama2_70b", "--hardware", "A100_40GB_GPU"], "does not fit"),
        (["estimate", "prefill", "--ep", "2"], "expert_parallel"),
        (["estimate", "prefill", "--model", "phi3medium", "--tp", "4"], "KV heads"),
    ])
    func badInputExitsNonZeroWithASpecificMessage(arguments: [String], message: String) throws {
        let outcome = try PlannerProcess.run(arguments)
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains(message), "\(outcome.stderr)")
        #expect(outcome.stdout.isEmpty)
    }

    @Test func usageErrorsExitNonZero() throws {
        #expect(try PlannerProcess.run(["estimate"]).status != 0)
        #expect(try PlannerProcess.run(["estimate", "sideways"]).status != 0)
        #expect(try PlannerProcess.run(["estimate", "prefill", "--batch-size", "many"]).status != 0)
    }

    @Test func casesFileAnswersEveryCaseInOrder() throws {
        let cases = #"""
        [
          {"id": "a", "phase": "prefill", "model": "llama2_7b", "batch_size": 1, "input_tokens": 2048, "hardware": "A100_80GB_GPU", "bits": "bf16"},
          {"id": "b", "phase": "decode", "model": "no-such-model"},
          {"id": "c", "phase": "decode", "model": "mixtral_8x7b", "expert_parallel": 2, "output_tokens": 16,
           "hardware": {"Flops": 312, "Memory_size": 80, "Memory_BW": 2039, "ICN": 600}, "tags": ["x"]},
          {"id": "d", "phase": "e2e", "tensor_parallel": 2.5},
          {"id": "e", "phase": "decode", "batch_size": 0}
        ]
        """#
        let path = try PlannerProcess.temporaryFile(cases)
        let outcome = try PlannerProcess.run(["estimate", "--cases", path, "--profile", "genz"])
        #expect(outcome.status == 0)
        let results = try #require(outcome.json?.arrayValue)
        #expect(results.map { $0["id"]?.stringValue ?? "" } == ["a", "b", "c", "d", "e"])
        #expect(abs((results[0]["Latency"]?.doubleValue ?? 0) - 95.508) < 0.001)
        #expect(results[1]["error"]?.stringValue?.contains("unknown model") == true)
        #expect(abs((results[2]["Latency"]?.doubleValue ?? 0) - 6.5008) < 0.001)
        #expect(results[3]["error"]?.stringValue?.contains("tensor_parallel") == true)
        #expect(results[4]["error"]?.stringValue?.contains("batch_size") == true)
    }

    @Test func casesFromStandardInputAndMalformedFiles() throws {
        let stdin = try PlannerProcess.run(["estimate", "--cases", "-"], stdin: #"[{"id": 7, "phase": "prefill"}]"#)
        #expect(stdin.status == 0 && stdin.json?.arrayValue?.first?["id"]?.stringValue == "7")
        let malformed = try PlannerProcess.run(["estimate", "--cases", try PlannerProcess.temporaryFile("[{\"id\": }]")])
        #expect(malformed.status == 1 && malformed.stderr.contains("malformed JSON") && malformed.stderr.contains("line 1"))
        let notArray = try PlannerProcess.run(["estimate", "--cases", try PlannerProcess.temporaryFile("{}")])
        #expect(notArray.status == 1 && notArray.stderr.contains("JSON array"))
        let missing = try PlannerProcess.run(["estimate", "--cases", "/nonexistent/cases.json"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read"))
    }

    @Test func catalogsList() throws {
        let models = try #require(try PlannerProcess.run(["models", "--json"]).json?.arrayValue)
        #expect(models.count == 82 + 13)  // GenZ's zoo + ModelCatalog+HuggingFace.swift
        let hardware = try #require(try PlannerProcess.run(["hardware", "--json"]).json?.arrayValue)
        let names = hardware.compactMap { $0["name"]?.stringValue }
        #expect(names.contains("H200") && names.contains("B200") && names.contains("Gaudi3"))
        let table = try PlannerProcess.run(["models"])
        #expect(table.status == 0 && table.stdout.contains("mistralai/Mixtral-8x7B"))
    }
}
