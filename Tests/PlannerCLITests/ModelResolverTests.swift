import Foundation
import PlannerFormats
import Testing

/// One model resolver for every command: a Hugging Face `config.json` path works in `recommend`,
/// sweep specs (also through the coordinator, whose workers cannot read the file) and `compare`.
struct ModelResolverTests {
    /// A small Llama-style config (Llama 3.2 1B's shape).
    static let config = """
        {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
         "num_attention_heads": 32, "num_hidden_layers": 16, "num_key_value_heads": 8, "vocab_size": 128256,
         "max_position_embeddings": 131072, "hidden_act": "silu", "tie_word_embeddings": true}
        """

    @Test func configPathsResolveInEveryCommand() throws {
        let path = try PlannerProcess.temporaryFile(Self.config, suffix: ".json")
        let recommend = try PlannerProcess.run(["recommend", "--model", path, "--hardware", "H100_80GB", "--devices", "1", "--top", "1"])
        #expect(recommend.status == 0, "\(recommend.stderr)")
        #expect(recommend.stdout.contains(path))

        let spec = try PlannerProcess.temporaryFile("model: [\(path)]\nhardware: [H100_80GB]\nbatch_size: [1, 8]\n", suffix: ".yaml")
        let sweep = try PlannerProcess.run(["sweep", spec, "--json"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains(path))
        // Through the embedded coordinator: the spec the workers get carries the config inline, so
        // the ranking is byte-identical to the local one.
        let coordinated = try PlannerProcess.run(["coordinate", spec, "--json", "--local-workers", "1"])
        #expect(coordinated.status == 0, "\(coordinated.stderr)")
        #expect(coordinated.stdout == sweep.stdout)

        let configs = try PlannerProcess.temporaryFile("model: \(path)\nconfigurations:\n  - {name: one, hardware: H100_80GB}\n", suffix: ".yaml")
        let compare = try PlannerProcess.run(["compare", "--configs", configs])
        #expect(compare.status == 0 && !compare.stdout.contains("error"), "\(compare.stdout) \(compare.stderr)")
    }

    @Test func missingFilesAndAllFailedComparisonsAreErrors() throws {
        let sweep = try PlannerProcess.run(["sweep", try PlannerProcess.temporaryFile("model: [/nonexistent/config.json]\n", suffix: ".yaml")])
        #expect(sweep.status == 1 && sweep.stderr.contains("/nonexistent/config.json"))
        let configs = try PlannerProcess.temporaryFile("model: llama2_7b\nconfigurations:\n  - {name: a, hardware: H100_80GB, tensor_parallel: 3}\n",
                                                       suffix: ".yaml")
        let compare = try PlannerProcess.run(["compare", "--configs", configs])
        #expect(compare.status == 1 && compare.stderr.contains("every configuration failed"))
    }

    /// Prompt plus output beyond the model's context length: an error in `default`, a warning in `genz`.
    @Test func contextLengthIsChecked() throws {
        let over = try PlannerProcess.run(["estimate", "e2e", "--model", "llama2_7b", "--input-tokens", "8192", "--output-tokens", "512"])
        #expect(over.status == 1 && over.stderr.contains("context length") && over.stderr.contains("4096"))
        let genz = try PlannerProcess.run(["estimate", "e2e", "--model", "llama2_7b", "--input-tokens", "8192", "--output-tokens", "512",
                                           "--profile", "genz", "--json"])
        #expect(genz.status == 0 && genz.stdout.contains("exceeds the context length"))
        let within = try PlannerProcess.run(["estimate", "e2e", "--model", "llama2_7b", "--input-tokens", "3840", "--output-tokens", "256"])
        #expect(within.status == 0, "\(within.stderr)")
    }

    /// `--kv-bits` and a case's `kv_bits`.
    @Test func kvBitsInTheCommandsAndCases() throws {
        let fp8 = try PlannerProcess.run(["estimate", "decode", "--model", "llama3_8b", "--kv-bits", "fp8", "--json"])
        let plain = try PlannerProcess.run(["estimate", "decode", "--model", "llama3_8b", "--json"])
        #expect(fp8.status == 0 && plain.status == 0)
        #expect((fp8.json?["Latency"]?.doubleValue ?? 0) < (plain.json?["Latency"]?.doubleValue ?? 0))
        let bad = try PlannerProcess.run(["estimate", "decode", "--model", "llama3_8b", "--kv-bits", "int4"])
        #expect(bad.status == 1 && bad.stderr.contains("kv_bits"))
        let cases = try PlannerProcess.run(["estimate", "--cases", "-"], stdin: """
            [{"id": "a", "phase": "decode", "model": "llama3_8b", "kv_bits": "fp8"}, {"id": "b", "phase": "decode", "model": "llama3_8b", "kv_bits": "fp2"}]
            """)
        let entries = try #require(cases.json?.arrayValue)
        #expect(entries.count == 2 && entries[0]["error"] == nil && entries[1]["error"]?.stringValue?.contains("kv_bits") == true)
    }
}
