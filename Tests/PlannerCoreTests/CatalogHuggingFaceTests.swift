@testable import PlannerCore
import Testing

/// Hugging Face ids resolve to the real architectures of ModelCatalog+HuggingFace.swift; the `genz`
/// profile keeps GenZ's quirks and says so.
struct CatalogHuggingFaceTests {
    /// A model as users type it, its published size (billions of parameters), vocabulary and context.
    struct Published: Sendable, CustomTestStringConvertible {
        var id: String
        var billions: Double
        var vocab: Int
        var context: Int
        var testDescription: String { id }
    }

    // Sizes from each model card on huggingface.co (the "Model size"/"Number of Parameters" figures):
    // Llama 3/3.1/3.3 8B 8.03B, 70B 70.6B, 405B 406B; Llama 3.2 1.24B/3.21B; Qwen2.5 7.61B/14.7B/32.5B/72.7B;
    // Qwen3 8.2B, 32.8B, 30.5B (3.3B active), 235B (22B active); Mistral 7B v0.3 7.25B; Mixtral 46.7B and
    // 141B (mistral.ai/news/mixtral-of-experts, mixtral-8x22b); Gemma 2 9.24B/27.2B; Gemma 3 text decoders
    // from the Gemma 3 technical report, table 1 (embedding + non-embedding: 12B 1,012M + 10,759M,
    // 27B 1,416M + 25,600M; the 417M vision encoder left out); Phi-3 mini 3.8B, medium 14B; Phi-4 14.7B;
    // DeepSeek-V2-Lite 15.7B; DeepSeek-V3/R1 671B (the 14B multi-token-prediction module left out).
    static let published: [Published] = [
        Published(id: "meta-llama/Meta-Llama-3-8B", billions: 8.03, vocab: 128_256, context: 8192),
        Published(id: "meta-llama/Meta-Llama-3-70B-Instruct", billions: 70.6, vocab: 128_256, context: 8192),
        Published(id: "meta-llama/Meta-Llama-3.1-8B", billions: 8.03, vocab: 128_256, context: 131_072),
        Published(id: "meta-llama/Meta-Llama-3.1-70B", billions: 70.6, vocab: 128_256, context: 131_072),
        Published(id: "meta-llama/Llama-3.1-405B-Instruct", billions: 406, vocab: 128_256, context: 131_072),
        Published(id: "meta-llama/Llama-3.2-1B-Instruct", billions: 1.24, vocab: 128_256, context: 131_072),
        Published(id: "meta-llama/Llama-3.2-3B", billions: 3.21, vocab: 128_256, context: 131_072),
        Published(id: "meta-llama/Llama-3.3-70B-Instruct", billions: 70.6, vocab: 128_256, context: 131_072),
        Published(id: "Qwen/Qwen2.5-7B-Instruct", billions: 7.61, vocab: 152_064, context: 32768),
        Published(id: "Qwen/Qwen2.5-14B", billions: 14.7, vocab: 152_064, context: 32768),
        Published(id: "Qwen/Qwen2.5-32B-Instruct", billions: 32.5, vocab: 152_064, context: 32768),
        Published(id: "Qwen/Qwen2.5-72B-Instruct", billions: 72.7, vocab: 152_064, context: 32768),
        Published(id: "Qwen/Qwen3-8B", billions: 8.2, vocab: 151_936, context: 40960),
        Published(id: "Qwen/Qwen3-32B", billions: 32.8, vocab: 151_936, context: 40960),
        Published(id: "Qwen/Qwen3-30B-A3B", billions: 30.5, vocab: 151_936, context: 40960),
        Published(id: "Qwen/Qwen3-235B-A22B", billions: 235, vocab: 151_936, context: 40960),
        Published(id: "mistralai/Mistral-7B-Instruct-v0.3", billions: 7.25, vocab: 32768, context: 32768),
        Published(id: "mistralai/Mixtral-8x7B-Instruct-v0.1", billions: 46.7, vocab: 32000, context: 32768),
        Published(id: "mistralai/Mixtral-8x22B-v0.1", billions: 141, vocab: 32768, context: 65536),
        Published(id: "google/gemma-2-9b-it", billions: 9.24, vocab: 256_000, context: 8192),
        Published(id: "google/gemma-2-27b", billions: 27.2, vocab: 256_000, context: 8192),
        Published(id: "google/gemma-3-12b-it", billions: 1.012 + 10.759, vocab: 262_208, context: 131_072),
        Published(id: "google/gemma-3-27b-it", billions: 1.416 + 25.600, vocab: 262_144, context: 131_072),
        Published(id: "microsoft/Phi-3-mini-4k-instruct", billions: 3.8, vocab: 32064, context: 4096),
        Published(id: "microsoft/Phi-3-mini-128k-instruct", billions: 3.8, vocab: 32064, context: 131_072),
        Published(id: "microsoft/Phi-3-medium-4k-instruct", billions: 14, vocab: 32064, context: 4096),
        Published(id: "microsoft/Phi-3-medium-128k-instruct", billions: 14, vocab: 32064, context: 131_072),
        Published(id: "microsoft/phi-4", billions: 14.7, vocab: 100_352, context: 16384),
        Published(id: "deepseek-ai/DeepSeek-V2-Lite-Chat", billions: 15.7, vocab: 102_400, context: 163_840),
        Published(id: "deepseek-ai/DeepSeek-V3", billions: 671, vocab: 129_280, context: 163_840),
        Published(id: "deepseek-ai/DeepSeek-R1", billions: 671, vocab: 129_280, context: 163_840),
    ]

    @Test(arguments: published)
    func parameterCountVocabAndContextArePublished(_ entry: Published) throws {
        let model = try ModelCatalog.model(named: entry.id)
        let billions = Double(model.parameterCount) / 1e9
        #expect(abs(billions / entry.billions - 1) < 0.02, "\(entry.id): \(billions)B counted, \(entry.billions)B published")
        #expect(model.vocabSize == entry.vocab)
        #expect(model.maxModelLength == entry.context)
        #expect(model.catalogWarnings.isEmpty)
        try model.validate()
    }

    @Test func everyAddedModelHasAPublishedSize() throws {
        let covered = Set(try Self.published.map { try ModelCatalog.model(named: $0.id).name })
        for entry in ModelCatalog.huggingFaceModels {
            #expect(covered.contains(entry.spec.name), "\(entry.spec.name) has no published size in the table")
        }
        #expect(ModelCatalog.huggingFaceModels.count == 13)
    }

    @Test func huggingFaceIdsResolveCaseInsensitively() throws {
        let expected = [
            "meta-llama/Meta-Llama-3.1-70B": "meta-llama/Llama-3.1-70B",
            "META-LLAMA/META-LLAMA-3.1-70B-INSTRUCT": "meta-llama/Llama-3.1-70B",
            "meta-llama/llama-3.1-70b-instruct": "meta-llama/Llama-3.1-70B",
            "meta-llama/Llama-3.1-70B": "meta-llama/Llama-3.1-70B",
            "meta-llama/meta-llama-3-70b": "meta-llama/Meta-Llama-3-70B",
            "llama-3-8b-instruct": "meta-llama/Meta-Llama-3-8B",
            "qwen/qwen2.5-72b-instruct": "Qwen/Qwen2.5-72B",
            "Qwen/Qwen3-235B-A22B": "Qwen/Qwen3-235B-A22B",
            "MISTRALAI/MISTRAL-7B-V0.3": "mistralai/Mistral-7B-v0.3",
            "google/gemma-3-12b-it": "google/gemma-3-12b-pt",
            "google/gemma-3-12B": "google/gemma-3-12b-pt",
            "deepseek-ai/deepseek-r1": "deepseek-ai/DeepSeek-V3-Base",
            "Microsoft/Phi-4": "microsoft/phi-4",
        ]
        for (id, name) in expected {
            #expect(try ModelCatalog.model(named: id).name == name, "\(id)")
        }
        let llama31 = try ModelCatalog.model(named: "meta-llama/Meta-Llama-3.1-70B")
        #expect(llama31.vocabSize == 128_256 && llama31.maxModelLength == 131_072 && llama31.numKeyValueHeads == 8)
        // The added models reach the `genz` profile too (GenZ's zoo has no key for them).
        #expect(try ModelCatalog.model(named: "Qwen/Qwen3-8B", profile: .genz).numLayers == 36)
        #expect(throws: PlannerError.self) { try ModelCatalog.model(named: "meta-llama/Meta-Llama-3.1-7B") }
    }

    @Test func architecturesAreTheConfigs() throws {
        let moe = try ModelCatalog.model(named: "Qwen/Qwen3-30B-A3B")
        #expect(moe.numExperts == 128 && moe.expertTopK == 8 && moe.moeIntermediateSize == 768 && moe.numKeyValueHeads == 4)
        let lite = try ModelCatalog.model(named: "deepseek-ai/DeepSeek-V2-Lite")
        #expect(lite.latentAttention?.kvLoraRank == 512 && lite.latentAttention?.qLoraRank == nil)
        #expect(lite.sharedExperts == 2 && lite.firstDenseLayers == 1 && lite.numExperts == 64 && lite.expertTopK == 6)
        let gemma = try ModelCatalog.model(named: "google/gemma-3-12b-it")
        #expect(gemma.numLayers == 48 && gemma.hiddenSize == 3840 && gemma.headDim == 256 && gemma.tieWordEmbeddings)
        #expect(gemma.slidingWindow == 1024 && gemma.usesSlidingWindow(0) && !gemma.usesSlidingWindow(5))
        let qwen3 = try ModelCatalog.model(named: "Qwen/Qwen3-8B")
        #expect(!qwen3.tieWordEmbeddings && qwen3.slidingWindow == nil)
    }

    @Test func genzProfileKeepsTheQuirkAndWarns() throws {
        let key = "meta-llama/Meta-Llama-3.1-70B"
        let genz = try ModelCatalog.model(named: key, profile: .genz)
        #expect(genz.name == "meta-llama/Llama-2-70B" && genz.vocabSize == 32000 && genz.maxModelLength == 4096)
        let warning = "GenZ's catalog maps 'meta-llama/meta-llama-3.1-70b' to Llama-2-70B; the default profile uses the real Llama 3.1 70B"
        #expect(genz.catalogWarnings == [warning])
        #expect(try ModelCatalog.model(named: key).catalogWarnings.isEmpty)
        #expect(try ModelCatalog.model(named: "llama2_70b", profile: .genz).catalogWarnings.isEmpty)

        // The estimate under `genz` is GenZ's Llama-2-70B estimate, with the warning.
        let hardware = try HardwareCatalog.hardware(named: "H100_GPU")
        let request = EstimateRequest(model: genz, hardware: hardware, inputTokens: 1024, outputTokens: 128,
                                      parallelism: Parallelism(tensor: 4), profile: .genz)
        var plain = request
        plain.model = try ModelCatalog.model(named: "llama2_70b", profile: .genz)
        let quirked = try Estimator.prefill(request)
        #expect(quirked.warnings.contains(warning))
        #expect(quirked.latencyMs == (try Estimator.prefill(plain)).latencyMs)
        // Under `default` the real model: a larger vocabulary and no quirk warning.
        var real = request
        real.profile = .default
        real.model = try ModelCatalog.model(named: key)
        #expect(!(try Estimator.prefill(real)).warnings.contains(warning))

        let gemma = try ModelCatalog.model(named: "GEMMA-3-12B", profile: .genz)
        #expect(gemma.name == "google/gemma-3-12B" && gemma.numLayers == 26)
        #expect(gemma.catalogWarnings.first?.contains("'gemma-3-12B'") == true)
    }

    @Test func quirkTableMatchesTheIndexes() {
        let divergent = ModelCatalog.divergentKeys
        let quirks = ModelCatalog.genzQuirks
        #expect(divergent.map(\.key) == quirks.map { $0.key.lowercased() }.sorted())
        for (key, genz, real) in divergent {
            let quirk = ModelCatalog.quirk(forKey: key)
            #expect(quirk?.genzModel == genz && quirk?.realModel == real, "\(key)")
        }
    }

    @Test func didYouMeanFindsTheLlama3Family() {
        let suggestions = ModelCatalog.suggestions(for: "llama3_70b")
        let models = Set(suggestions.compactMap { try? ModelCatalog.model(named: $0).name })
        #expect(models.contains("meta-llama/Llama-3.1-70B"), "\(suggestions)")
        #expect(models.contains("meta-llama/Meta-Llama-3-70B"), "\(suggestions)")
        #expect(models.count == suggestions.count, "one key per model: \(suggestions)")
        #expect(suggestions.count <= 5)
        // Plain edit distance alone ranks neither (4 edits from Llama-3.1-70B).
        #expect(!NameSuggestions.closest(to: "llama3_70b", among: ["Llama-3.1-70B"]).contains("Llama-3.1-70B"))
        #expect(NameSuggestions.closest(to: "llama3_70b", among: ["Llama-3.1-70B"], ignoringSeparators: true) == ["Llama-3.1-70B"])
    }
}
