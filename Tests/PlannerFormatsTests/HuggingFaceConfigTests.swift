import Foundation
import PlannerCore
import PlannerFormats
import Testing

/// Import of real Hugging Face `config.json` files of every supported family (Fixtures/hf).
struct HuggingFaceConfigTests {
    static func fixture(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures/hf"),
              let data = try? Data(contentsOf: url)
        else { throw PlannerError.malformedInput(source: name, reason: "fixture missing") }
        return String(decoding: data, as: UTF8.self)
    }

    static func load(_ name: String) throws -> ModelSpec {
        try HuggingFaceConfig.modelSpec(fromJSON: try fixture(name), source: name)
    }

    @Test func llamaMistralMixtralPhi() throws {
        let llama = try Self.load("llama-3.1-8b")
        #expect(llama.numLayers == 32 && llama.hiddenSize == 4096 && llama.numAttentionHeads == 32 && llama.numKeyValueHeads == 8)
        #expect(llama.headDim == 128 && llama.intermediateSize == 14336 && llama.vocabSize == 128256 && !llama.tieWordEmbeddings)
        #expect(llama.slidingWindow == nil && !llama.isMoE && llama.maxModelLength == 131072)

        let mistral = try Self.load("mistral-7b-v0.1")
        #expect(mistral.slidingWindow == 4096 && mistral.slidingWindowLayers == .all && mistral.vocabSize == 32000)

        let mixtral = try Self.load("mixtral-8x7b")
        #expect(mixtral.numExperts == 8 && mixtral.expertTopK == 2 && mixtral.routedExpertIntermediateSize == 14336)
        #expect(mixtral.slidingWindow == nil && mixtral.sharedExperts == 0)

        let phi = try Self.load("phi-3-mini-4k-instruct")
        #expect(phi.name == "Phi-3-mini-4k-instruct" && phi.numKeyValueHeads == 32 && phi.headDim == 96 && phi.vocabSize == 32064)
        #expect(phi.slidingWindow == 2047)
    }

    @Test func qwenDenseAndMoE() throws {
        let qwen = try Self.load("qwen2.5-7b-instruct")
        #expect(qwen.numAttentionHeads == 28 && qwen.numKeyValueHeads == 4 && qwen.headDim == 128 && qwen.vocabSize == 152064)
        #expect(qwen.slidingWindow == nil)  // use_sliding_window false
        #expect(try Self.load("qwen2.5-0.5b").tieWordEmbeddings)

        let qwenMoE = try Self.load("qwen1.5-moe-a2.7b")
        #expect(qwenMoE.numExperts == 60 && qwenMoE.expertTopK == 4 && qwenMoE.moeIntermediateSize == 1408)
        #expect(qwenMoE.sharedExperts == 1 && qwenMoE.sharedExpertIntermediateSize == 5632 && qwenMoE.numLayers == 24)

        let qwen3 = try Self.load("qwen3-8b")
        #expect(qwen3.headDim == 128 && qwen3.numLayers == 36 && qwen3.intermediateSize == 12288)

        let qwen3MoE = try Self.load("qwen3-30b-a3b")
        // Explicit head_dim: 32 heads x 128 on a 2048-wide model.
        #expect(qwen3MoE.headDim == 128 && qwen3MoE.hiddenSize == 2048 && qwen3MoE.numAttentionHeads == 32)
        #expect(qwen3MoE.numExperts == 128 && qwen3MoE.expertTopK == 8 && qwen3MoE.moeIntermediateSize == 768)
        #expect(qwen3MoE.sharedExperts == 0 && qwen3MoE.moeLayerInterval == 1)
    }

    @Test func deepseekLatentAttention() throws {
        let v3 = try Self.load("deepseek-v3")
        let latent = try #require(v3.latentAttention)
        #expect(latent == ModelSpec.LatentAttention(kvLoraRank: 512, qLoraRank: 1536, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128))
        #expect(v3.numExperts == 256 && v3.expertTopK == 8 && v3.moeIntermediateSize == 2048 && v3.sharedExperts == 1)
        #expect(v3.firstDenseLayers == 3 && v3.intermediateSize == 18432 && v3.numLayers == 61 && v3.vocabSize == 129280)
        #expect(!v3.isMoELayer(2) && v3.isMoELayer(3))

        let lite = try Self.load("deepseek-v2-lite")
        #expect(lite.latentAttention?.qLoraRank == nil && lite.latentAttention?.kvLoraRank == 512)
        #expect(lite.sharedExperts == 2 && lite.numExperts == 64 && lite.expertTopK == 6 && lite.firstDenseLayers == 1)

        // The imported models estimate: V3 in the default profile (GenZ would give every one of the 256
        // experts the dense 18,432 width and not fit), V2-Lite in both.
        let b200 = try HardwareCatalog.hardware(named: "B200")
        let v3Request = EstimateRequest(model: v3, hardware: b200, batchSize: 8, inputTokens: 2048, outputTokens: 256, precision: .fp8,
                                        parallelism: Parallelism(tensor: 8), profile: .default)
        #expect(try Estimator.endToEnd(v3Request, operators: false).totalLatencyMs > 0)
        for profile in Profile.allCases {
            let request = EstimateRequest(model: lite, hardware: b200, batchSize: 8, inputTokens: 2048, outputTokens: 256, precision: .fp8,
                                          parallelism: Parallelism(tensor: 2, expert: 2), profile: profile)
            let estimate = try Estimator.endToEnd(request, operators: false)
            #expect(estimate.totalLatencyMs > 0, "\(profile)")
        }
    }

    @Test func gemmaSlidingPatterns() throws {
        let gemma2 = try Self.load("gemma-2-9b")
        #expect(gemma2.slidingWindow == 4096 && gemma2.slidingWindowLayers == .interleaved(globalEvery: 2))
        #expect(gemma2.headDim == 256 && gemma2.tieWordEmbeddings && gemma2.hiddenActivation == "gelu_pytorch_tanh")

        // Multimodal Gemma 3: the text_config, with transformers' defaults for what it leaves out.
        let gemma3 = try Self.load("gemma-3-27b-it")
        #expect(gemma3.numLayers == 62 && gemma3.hiddenSize == 5376 && gemma3.headDim == 128 && gemma3.numKeyValueHeads == 16)
        #expect(gemma3.vocabSize == 262_208 && gemma3.slidingWindow == 1024 && gemma3.slidingWindowLayers == .interleaved(globalEvery: 6))
        #expect((0..<12).filter { !gemma3.usesSlidingWindow($0) } == [5, 11])

        let small = try Self.load("gemma-3-1b-it")
        #expect(small.slidingWindow == 512 && small.numKeyValueHeads == 1 && small.vocabSize == 262_144 && small.tieWordEmbeddings)
        // layer_types instead of sliding_window_pattern.
        var document = try JSONValue.parse(try Self.fixture("gemma-3-1b-it"))
        guard case var .object(members) = document else { Issue.record("not an object"); return }
        members.removeAll { $0.0 == "sliding_window_pattern" }
        let types = (0..<26).map { JSONValue.string(($0 + 1) % 4 == 0 ? "full_attention" : "sliding_attention") }
        members.append(("layer_types", .array(types)))
        document = .object(members)
        let fromTypes = try HuggingFaceConfig.modelSpec(from: document, source: "layer_types")
        #expect(fromTypes.slidingWindowLayers == .interleaved(globalEvery: 4))
    }

    @Test func errorsNameTheFieldOrTheFamilies() throws {
        let llama = try JSONValue.parse(try Self.fixture("llama-3.1-8b"))
        guard case let .object(members) = llama else { Issue.record("not an object"); return }

        func failure(_ value: JSONValue) -> PlannerError? {
            do { _ = try HuggingFaceConfig.modelSpec(from: value, source: "config.json") } catch { return error }
            return nil
        }
        let missing = failure(.object(members.filter { $0.0 != "num_hidden_layers" }))
        guard case let .missingField(field, context)? = missing else { Issue.record("got \(String(describing: missing))"); return }
        #expect(field == "num_hidden_layers" && context.contains("config.json") && context.contains("llama"))

        let mistyped = failure(.object(members.map { $0.0 == "hidden_size" ? ($0.0, .string("4096")) : $0 }))
        guard case let .invalidValue(typedField, _, allowed)? = mistyped else { Issue.record("got \(String(describing: mistyped))"); return }
        #expect(typedField == "hidden_size" && allowed.contains("integer"))

        let unknown = failure(.object(members.map { $0.0 == "architectures" ? ($0.0, .array([.string("GPTNeoXForCausalLM")])) : $0 }))
        guard case let .invalidValue(archField, value, families)? = unknown else { Issue.record("got \(String(describing: unknown))"); return }
        #expect(archField == "architectures" && value == "GPTNeoXForCausalLM")
        for family in ["llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "deepseek_v2", "deepseek_v3", "gemma2", "gemma3", "phi3"] {
            #expect(families.contains(family), "\(family)")
        }

        let noArchitecture = failure(.object(members.filter { $0.0 != "architectures" && $0.0 != "model_type" }))
        guard case let .missingField(archMissing, _)? = noArchitecture else { Issue.record("got \(String(describing: noArchitecture))"); return }
        #expect(archMissing == "architectures")

        let v3 = try JSONValue.parse(try Self.fixture("deepseek-v3"))
        guard case let .object(v3Members) = v3 else { Issue.record("not an object"); return }
        let noLatent = failure(.object(v3Members.filter { $0.0 != "kv_lora_rank" }))
        guard case let .missingField(latentField, _)? = noLatent else { Issue.record("got \(String(describing: noLatent))"); return }
        #expect(latentField == "kv_lora_rank")

        #expect(throws: PlannerError.self) { try HuggingFaceConfig.modelSpec(fromJSON: "{not json", source: "broken.json") }
        #expect(throws: PlannerError.self) { try HuggingFaceConfig.modelSpec(fromJSON: "[1, 2]", source: "array.json") }
    }

    @Test func casesTakeConfigPathsInlineConfigsAndOverrides() throws {
        let text = try Self.fixture("qwen3-8b")
        let reader: Inputs.FileReader = { path throws(PlannerError) in
            guard path == "models/qwen3-8b.json" else { throw .malformedInput(source: path, reason: "no such file") }
            return text
        }
        let byPath = try Inputs.estimateCase(
            .object([("model", .string("models/qwen3-8b.json")), ("hardware", .string("H100_GPU")), ("compute_efficiency", .double(0.5)),
                     ("devices_per_node", .int(4))]),
            index: 0, readFile: reader)
        #expect(byPath.request.model.numLayers == 36 && byPath.request.profile == .default)
        #expect(byPath.request.hardware.computeEfficiency == 0.5 && byPath.request.hardware.resolvedDevicesPerNode == 4)
        #expect(throws: PlannerError.self) {
            _ = try Inputs.estimateCase(.object([("model", .string("models/qwen3-8b.json")), ("compute_eficiency", .double(0.5))]),
                                        index: 0, readFile: reader)
        }

        let inline = try Inputs.estimateCase(.object([("model", try JSONValue.parse(text))]), index: 0)
        #expect(inline.request.model.numLayers == 36)

        #expect(throws: PlannerError.self) {
            try Inputs.estimateCase(.object([("model", .string("models/qwen3-8b.json"))]), index: 0)  // no reader
        }
        #expect(throws: PlannerError.self) {
            try Inputs.estimateCase(.object([("memory_efficiency", .double(1.7))]), index: 0)
        }
        let custom = try Inputs.hardware(try JSONValue.parse(
            #"{"Flops": 500, "Memory_size": 96, "Memory_BW": 4000, "ICN": 400, "family": "amd-cdna3", "kernel_overhead_us": 2}"#))
        #expect(custom.family == .amdCDNA3 && custom.resolvedEfficiency.kernelOverheadUs == 2 && custom.resolvedEfficiency.compute == 0.45)
        #expect(throws: PlannerError.self) {
            try Inputs.hardware(try JSONValue.parse(#"{"Flops": 500, "Memory_size": 96, "Memory_BW": 4000, "ICN": 400, "family": "nvidia-volta"}"#))
        }
    }
}
