import Foundation
import PlannerFormats
import Testing

/// `planner` as a user runs it with Hugging Face ids: the real architecture under `default`, GenZ's
/// quirk (with a warning) under `genz`, and did-you-mean for near misses.
struct CatalogIdsTests {
    static let quirkWarning = "GenZ's catalog maps 'meta-llama/meta-llama-3.1-70b' to Llama-2-70B; the default profile uses the real Llama 3.1 70B"
    static let common = ["--hardware", "H100_GPU", "--tensor-parallel", "4", "--input-tokens", "1024", "--output-tokens", "128", "--json"]

    @Test func huggingFaceIdEstimatesTheRealModel() throws {
        let real = try PlannerProcess.run(["estimate", "e2e", "--model", "meta-llama/Meta-Llama-3.1-70B"] + Self.common)
        #expect(real.status == 0, "\(real.stderr)")
        let json = try #require(real.json)
        #expect(json["model"]?.stringValue == "meta-llama/Llama-3.1-70B")
        #expect(json["prefill"]?["warnings"]?.arrayValue?.contains(.string(Self.quirkWarning)) == false)
        let instruct = try PlannerProcess.run(["estimate", "e2e", "--model", "QWEN/QWEN2.5-72B-INSTRUCT"] + Self.common)
        #expect(instruct.status == 0 && instruct.json?["model"]?.stringValue == "Qwen/Qwen2.5-72B", "\(instruct.stderr)")
        let qwen3 = try PlannerProcess.run(["estimate", "e2e", "--model", "Qwen/Qwen3-30B-A3B"] + Self.common)
        #expect(qwen3.status == 0 && qwen3.json?["model"]?.stringValue == "Qwen/Qwen3-30B-A3B", "\(qwen3.stderr)")
    }

    @Test func genzProfileKeepsTheQuirkAndSaysSo() throws {
        let genz = try PlannerProcess.run(["estimate", "e2e", "--model", "meta-llama/Meta-Llama-3.1-70B", "--profile", "genz"] + Self.common)
        #expect(genz.status == 0, "\(genz.stderr)")
        let json = try #require(genz.json)
        #expect(json["model"]?.stringValue == "meta-llama/Llama-2-70B")
        for phase in ["prefill", "decode"] {
            #expect(json[phase]?["warnings"]?.arrayValue?.contains(.string(Self.quirkWarning)) == true, "\(phase)")
        }
        let text = try PlannerProcess.run(["estimate", "prefill", "--model", "meta-llama/meta-llama-3.1-70b", "--profile", "genz",
                                           "--hardware", "H100_GPU", "--tensor-parallel", "4"])
        #expect(text.status == 0 && text.stdout.contains(Self.quirkWarning), "\(text.stdout)")
    }

    @Test func casesResolveForTheirProfile() throws {
        let cases = #"""
        [{"id": "genz", "phase": "e2e", "model": "meta-llama/Meta-Llama-3.1-70B", "hardware": "H100_GPU", "tensor_parallel": 4, "input_tokens": 1024, "output_tokens": 128, "profile": "genz"},
         {"id": "default", "phase": "e2e", "model": "meta-llama/Meta-Llama-3.1-70B", "hardware": "H100_GPU", "tensor_parallel": 4, "input_tokens": 1024, "output_tokens": 128}]
        """#
        let path = try PlannerProcess.temporaryFile(cases)
        let run = try PlannerProcess.run(["estimate", "--cases", path])
        let results = try #require(run.json?.arrayValue)
        #expect(run.status == 0 && results.count == 2)
        #expect(results[0]["model"]?.stringValue == "meta-llama/Llama-2-70B")
        #expect(results[0]["prefill"]?["warnings"]?.arrayValue?.contains(.string(Self.quirkWarning)) == true)
        #expect(results[1]["model"]?.stringValue == "meta-llama/Llama-3.1-70B")
        // `--profile genz` on the command line resolves every case GenZ's way.
        let forced = try PlannerProcess.run(["estimate", "--cases", path, "--profile", "genz"])
        let forcedResults = try #require(forced.json?.arrayValue)
        #expect(forcedResults.map { $0["model"]?.stringValue } == ["meta-llama/Llama-2-70B", "meta-llama/Llama-2-70B"])
    }

    @Test func nearMissSuggestsTheLlama3Family() throws {
        let miss = try PlannerProcess.run(["estimate", "e2e", "--model", "llama3_70b"])
        #expect(miss.status == 1)
        #expect(miss.stderr.contains("unknown model 'llama3_70b'"))
        #expect(miss.stderr.contains("Llama-3.1-70B") && miss.stderr.contains("Llama-3-70B"), "\(miss.stderr)")
    }

    @Test func modelsListsTheAddedArchitectures() throws {
        let models = try #require(try PlannerProcess.run(["models", "--json"]).json?.arrayValue)
        let qwen3 = try #require(models.first { $0["name"]?.stringValue == "Qwen/Qwen3-235B-A22B" })
        #expect(qwen3["num_experts"]?.intValue == 128 && qwen3["max_model_len"]?.intValue == 40960)
        let llama = try #require(models.first { $0["name"]?.stringValue == "meta-llama/Llama-3.1-70B" })
        #expect(llama["lookup_keys"]?.arrayValue?.contains(.string("meta-llama/Meta-Llama-3.1-70B-Instruct")) == true)
    }
}
