/// Real architectures for the Hugging Face ids people type, on top of GenZ's zoo
/// (`ModelCatalog+Data.swift` stays exactly GenZ's data).
///
/// Three tables:
/// - ``huggingFaceModels``: models GenZ's zoo lacks, or has with another architecture, each from
///   its published Hugging Face `config.json` (the repo id is in the comment above each entry).
/// - ``huggingFaceAliases``: Hugging Face ids (`meta-llama/Meta-Llama-3.1-70B`, `-Instruct`
///   variants, ...) of models GenZ's zoo already holds with the real architecture.
/// - ``genzQuirks``: GenZ lookup keys that GenZ maps to another architecture than the id names.
///   The `default` profile resolves them to the real model; the `genz` profile keeps GenZ's
///   mapping and says so in the estimate's `warnings`.
extension ModelCatalog {
    /// A catalog entry with the real architecture and the name warnings use for it.
    struct HuggingFaceEntry: Sendable {
        /// How warnings name the model ("Llama 3.1 70B").
        var displayName: String
        var spec: ModelSpec
    }

    /// A GenZ lookup key that GenZ maps to another architecture than the Hugging Face id it spells.
    public struct GenZQuirk: Sendable, Hashable {
        /// The key as GenZ's zoo spells it.
        public var key: String
        /// Canonical name of the model GenZ resolves the key to.
        public var genzModel: String
        /// What GenZ's model is, for the warning ("Llama-2-70B").
        public var genzDescription: String
        /// Canonical name of the real model (the `default` profile's answer).
        public var realModel: String
        /// The real model, for the warning ("Llama 3.1 70B").
        public var realDescription: String

        /// The line the `genz` profile adds to `warnings` when it applies the quirk.
        public var warning: String {
            "GenZ's catalog maps '\(key)' to \(genzDescription); the default profile uses the real \(realDescription)"
        }
    }

    /// GenZ 0.0.16's lookup keys that name one model and hold another (checked against the zoo by
    /// `CatalogHuggingFaceTests.quirkTableMatchesTheIndexes`).
    public static let genzQuirks: [GenZQuirk] = [
        // GenZ model_zoo/llama.py: `meta-llama/meta-llama-3.1-70b` is an alias of its Llama-2-70B config
        // (vocab 32,000, 4,096 positions); Llama 3.1 70B has vocab 128,256 and 131,072 positions.
        GenZQuirk(key: "meta-llama/meta-llama-3.1-70b", genzModel: "meta-llama/Llama-2-70B", genzDescription: "Llama-2-70B",
                  realModel: "meta-llama/Llama-3.1-70B", realDescription: "Llama 3.1 70B"),
        // GenZ model_zoo/gemma.py: its gemma-3-12B config copies Gemma 2 2B's dimensions
        // (26 layers, hidden 2304); Gemma 3 12B has 48 layers of hidden 3840.
        GenZQuirk(key: "google/gemma-3-12B", genzModel: "google/gemma-3-12B",
                  genzDescription: "a config with Gemma 2 2B's dimensions (26 layers, hidden 2304)",
                  realModel: "google/gemma-3-12b-pt", realDescription: "Gemma 3 12B (48 layers, hidden 3840)"),
        GenZQuirk(key: "gemma-3-12B", genzModel: "google/gemma-3-12B",
                  genzDescription: "a config with Gemma 2 2B's dimensions (26 layers, hidden 2304)",
                  realModel: "google/gemma-3-12b-pt", realDescription: "Gemma 3 12B (48 layers, hidden 3840)"),
    ]

    /// Hugging Face ids of models GenZ's zoo holds with their real architecture: canonical name and
    /// the extra keys (base, `Meta-` prefixed and instruct repos share the base's config.json).
    static let huggingFaceAliases: [(model: String, keys: [String])] = [
        ("meta-llama/Llama-3.1-8B", ["meta-llama/Meta-Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct",
                                     "meta-llama/Meta-Llama-3.1-8B-Instruct", "Llama-3.1-8B-Instruct"]),
        ("meta-llama/Llama-3.1-70B", ["meta-llama/Meta-Llama-3.1-70B", "meta-llama/Llama-3.1-70B-Instruct",
                                      "meta-llama/Meta-Llama-3.1-70B-Instruct", "Llama-3.1-70B-Instruct"]),
        ("meta-llama/Llama-3.1-405B", ["meta-llama/Meta-Llama-3.1-405B", "meta-llama/Llama-3.1-405B-Instruct",
                                       "meta-llama/Meta-Llama-3.1-405B-Instruct", "Llama-3.1-405B-Instruct"]),
        ("meta-llama/Llama-3.2-1B", ["meta-llama/Llama-3.2-1B-Instruct", "Llama-3.2-1B-Instruct"]),
        ("meta-llama/Llama-3.2-3B", ["meta-llama/Llama-3.2-3B-Instruct", "Llama-3.2-3B-Instruct"]),
        ("Qwen/Qwen2.5-7B", ["Qwen/Qwen2.5-7B-Instruct", "Qwen2.5-7B-Instruct"]),
        ("Qwen/Qwen2.5-14B", ["Qwen/Qwen2.5-14B-Instruct", "Qwen2.5-14B-Instruct"]),
        ("Qwen/Qwen2.5-32B", ["Qwen/Qwen2.5-32B-Instruct", "Qwen2.5-32B-Instruct"]),
        ("Qwen/Qwen2.5-72B", ["Qwen/Qwen2.5-72B-Instruct", "Qwen2.5-72B-Instruct"]),
        ("mistralai/Mixtral-8x7B", ["mistralai/Mixtral-8x7B-v0.1", "mistralai/Mixtral-8x7B-Instruct-v0.1"]),
        ("mistralai/Mixtral-8x22B", ["mistralai/Mixtral-8x22B-v0.1", "mistralai/Mixtral-8x22B-Instruct-v0.1"]),
        ("google/gemma-2-9B", ["google/gemma-2-9b-it"]),
        ("google/gemma-2-27B", ["google/gemma-2-27b"]),
        ("google/gemma-3-27B", ["google/gemma-3-27b-it", "google/gemma-3-27b-pt"]),
        // GenZ's Phi-3-mini is the 128k config (131,072 positions, window 262,144).
        ("microsoft/Phi-3-mini", ["microsoft/Phi-3-mini-128k-instruct"]),
        // GenZ's Phi-3-medium is the 4k config (4,096 positions, window 2,047).
        ("microsoft/Phi-3-medium", ["microsoft/Phi-3-medium-4k-instruct"]),
        // DeepSeek-V3, -V3-0324, R1 and R1-0528 share DeepSeek-V3-Base's config.json.
        ("deepseek-ai/DeepSeek-V3-Base", ["deepseek-ai/DeepSeek-V3", "DeepSeek-V3", "deepseek-ai/DeepSeek-V3-0324",
                                          "deepseek-ai/DeepSeek-R1", "DeepSeek-R1", "deepseek-ai/DeepSeek-R1-0528"]),
    ]

    /// Models GenZ's zoo lacks (or, for Gemma 3 12B, holds with another architecture), with the
    /// values of their Hugging Face `config.json` (text config for the multimodal Gemma 3).
    static let huggingFaceModels: [HuggingFaceEntry] = [
        // https://huggingface.co/meta-llama/Meta-Llama-3-8B/blob/main/config.json
        // hidden 4096, 32 layers, 32 heads, 8 KV heads, intermediate 14336, vocab 128256, 8192 positions
        HuggingFaceEntry(displayName: "Llama 3 8B", spec: ModelSpec(
            name: "meta-llama/Meta-Llama-3-8B",
            lookupKeys: ["meta-llama/Meta-Llama-3-8B", "meta-llama/Meta-Llama-3-8B-Instruct", "meta-llama/Llama-3-8B",
                         "meta-llama/Llama-3-8B-Instruct", "Meta-Llama-3-8B", "Llama-3-8B", "Llama-3-8B-Instruct"],
            numLayers: 32, hiddenSize: 4096, numAttentionHeads: 32, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 14336, vocabSize: 128_256, maxModelLength: 8192)),
        // https://huggingface.co/meta-llama/Meta-Llama-3-70B/blob/main/config.json
        // hidden 8192, 80 layers, 64 heads, 8 KV heads, intermediate 28672, vocab 128256, 8192 positions
        HuggingFaceEntry(displayName: "Llama 3 70B", spec: ModelSpec(
            name: "meta-llama/Meta-Llama-3-70B",
            lookupKeys: ["meta-llama/Meta-Llama-3-70B", "meta-llama/Meta-Llama-3-70B-Instruct", "meta-llama/Llama-3-70B",
                         "meta-llama/Llama-3-70B-Instruct", "Meta-Llama-3-70B", "Llama-3-70B", "Llama-3-70B-Instruct"],
            numLayers: 80, hiddenSize: 8192, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 28672, vocabSize: 128_256, maxModelLength: 8192)),
        // https://huggingface.co/meta-llama/Llama-3.3-70B-Instruct/blob/main/config.json
        // hidden 8192, 80 layers, 64 heads, 8 KV heads, intermediate 28672, vocab 128256, 131072 positions
        HuggingFaceEntry(displayName: "Llama 3.3 70B", spec: ModelSpec(
            name: "meta-llama/Llama-3.3-70B-Instruct",
            lookupKeys: ["meta-llama/Llama-3.3-70B-Instruct", "meta-llama/Llama-3.3-70B", "Llama-3.3-70B-Instruct", "Llama-3.3-70B"],
            numLayers: 80, hiddenSize: 8192, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 28672, vocabSize: 128_256, maxModelLength: 131_072)),
        // https://huggingface.co/Qwen/Qwen3-8B/blob/main/config.json
        // hidden 4096, 36 layers, 32 heads, 8 KV heads, head_dim 128, intermediate 12288, vocab 151936, 40960 positions
        HuggingFaceEntry(displayName: "Qwen3 8B", spec: ModelSpec(
            name: "Qwen/Qwen3-8B", lookupKeys: ["Qwen/Qwen3-8B", "Qwen/Qwen3-8B-Base", "Qwen3-8B"],
            numLayers: 36, hiddenSize: 4096, numAttentionHeads: 32, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 12288, vocabSize: 151_936, maxModelLength: 40960)),
        // https://huggingface.co/Qwen/Qwen3-32B/blob/main/config.json
        // hidden 5120, 64 layers, 64 heads, 8 KV heads, head_dim 128, intermediate 25600, vocab 151936, 40960 positions
        HuggingFaceEntry(displayName: "Qwen3 32B", spec: ModelSpec(
            name: "Qwen/Qwen3-32B", lookupKeys: ["Qwen/Qwen3-32B", "Qwen3-32B"],
            numLayers: 64, hiddenSize: 5120, numAttentionHeads: 64, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 25600, vocabSize: 151_936, maxModelLength: 40960)),
        // https://huggingface.co/Qwen/Qwen3-30B-A3B/blob/main/config.json
        // hidden 2048, 48 layers, 32 heads, 4 KV heads, head_dim 128, 128 experts (8 active) of
        // moe_intermediate_size 768, decoder_sparse_step 1, vocab 151936, 40960 positions
        HuggingFaceEntry(displayName: "Qwen3 30B-A3B", spec: ModelSpec(
            name: "Qwen/Qwen3-30B-A3B", lookupKeys: ["Qwen/Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B-Base", "Qwen3-30B-A3B"],
            numLayers: 48, hiddenSize: 2048, numAttentionHeads: 32, numKeyValueHeads: 4, headDim: 128,
            intermediateSize: 6144, vocabSize: 151_936, numExperts: 128, expertTopK: 8, moeIntermediateSize: 768,
            maxModelLength: 40960)),
        // https://huggingface.co/Qwen/Qwen3-235B-A22B/blob/main/config.json
        // hidden 4096, 94 layers, 64 heads, 4 KV heads, head_dim 128, 128 experts (8 active) of
        // moe_intermediate_size 1536, vocab 151936, 40960 positions
        HuggingFaceEntry(displayName: "Qwen3 235B-A22B", spec: ModelSpec(
            name: "Qwen/Qwen3-235B-A22B", lookupKeys: ["Qwen/Qwen3-235B-A22B", "Qwen3-235B-A22B"],
            numLayers: 94, hiddenSize: 4096, numAttentionHeads: 64, numKeyValueHeads: 4, headDim: 128,
            intermediateSize: 12288, vocabSize: 151_936, numExperts: 128, expertTopK: 8, moeIntermediateSize: 1536,
            maxModelLength: 40960)),
        // https://huggingface.co/mistralai/Mistral-7B-v0.3/blob/main/config.json
        // hidden 4096, 32 layers, 32 heads, 8 KV heads, intermediate 14336, vocab 32768, 32768 positions, no sliding window
        HuggingFaceEntry(displayName: "Mistral 7B v0.3", spec: ModelSpec(
            name: "mistralai/Mistral-7B-v0.3",
            lookupKeys: ["mistralai/Mistral-7B-v0.3", "mistralai/Mistral-7B-Instruct-v0.3", "Mistral-7B-v0.3", "Mistral-7B-Instruct-v0.3"],
            numLayers: 32, hiddenSize: 4096, numAttentionHeads: 32, numKeyValueHeads: 8, headDim: 128,
            intermediateSize: 14336, vocabSize: 32768, maxModelLength: 32768)),
        // https://huggingface.co/google/gemma-3-12b-pt/blob/main/config.json (text_config)
        // hidden 3840, 48 layers, 16 heads, 8 KV heads, head_dim 256, intermediate 15360, vocab 262208,
        // 131072 positions, sliding_window 1024 (five local layers per global one), tied embeddings
        HuggingFaceEntry(displayName: "Gemma 3 12B", spec: ModelSpec(
            name: "google/gemma-3-12b-pt",
            lookupKeys: ["google/gemma-3-12b-pt", "google/gemma-3-12b-it", "gemma-3-12b-pt", "gemma-3-12b-it",
                         "google/gemma-3-12B", "gemma-3-12B"],
            numLayers: 48, hiddenSize: 3840, numAttentionHeads: 16, numKeyValueHeads: 8, headDim: 256,
            intermediateSize: 15360, vocabSize: 262_208, slidingWindow: 1024, maxModelLength: 131_072,
            hiddenActivation: "gelu_pytorch_tanh", slidingWindowLayers: .interleaved(globalEvery: 6), tieWordEmbeddings: true)),
        // https://huggingface.co/microsoft/Phi-3-mini-4k-instruct/blob/main/config.json
        // hidden 3072, 32 layers, 32 heads, 32 KV heads, intermediate 8192, vocab 32064, 4096 positions, sliding_window 2047
        HuggingFaceEntry(displayName: "Phi-3 mini 4k", spec: ModelSpec(
            name: "microsoft/Phi-3-mini-4k-instruct", lookupKeys: ["microsoft/Phi-3-mini-4k-instruct", "Phi-3-mini-4k-instruct"],
            numLayers: 32, hiddenSize: 3072, numAttentionHeads: 32, numKeyValueHeads: 32, headDim: 96,
            intermediateSize: 8192, vocabSize: 32064, slidingWindow: 2047, maxModelLength: 4096)),
        // https://huggingface.co/microsoft/Phi-3-medium-128k-instruct/blob/main/config.json
        // hidden 5120, 40 layers, 40 heads, 10 KV heads, intermediate 17920, vocab 32064, 131072 positions
        HuggingFaceEntry(displayName: "Phi-3 medium 128k", spec: ModelSpec(
            name: "microsoft/Phi-3-medium-128k-instruct", lookupKeys: ["microsoft/Phi-3-medium-128k-instruct", "Phi-3-medium-128k-instruct"],
            numLayers: 40, hiddenSize: 5120, numAttentionHeads: 40, numKeyValueHeads: 10, headDim: 128,
            intermediateSize: 17920, vocabSize: 32064, maxModelLength: 131_072)),
        // https://huggingface.co/microsoft/phi-4/blob/main/config.json
        // hidden 5120, 40 layers, 40 heads, 10 KV heads, intermediate 17920, vocab 100352, 16384 positions
        HuggingFaceEntry(displayName: "Phi-4", spec: ModelSpec(
            name: "microsoft/phi-4", lookupKeys: ["microsoft/phi-4", "phi-4"],
            numLayers: 40, hiddenSize: 5120, numAttentionHeads: 40, numKeyValueHeads: 10, headDim: 128,
            intermediateSize: 17920, vocabSize: 100_352, maxModelLength: 16384)),
        // https://huggingface.co/deepseek-ai/DeepSeek-V2-Lite/blob/main/config.json
        // hidden 2048, 27 layers, 16 heads, intermediate 10944 (first_k_dense_replace 1), 64 routed experts
        // (6 active) of moe_intermediate_size 1408, n_shared_experts 2, vocab 102400, 163840 positions;
        // MLA: kv_lora_rank 512, q_lora_rank null, qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128
        // (the `genz` profile sees 16 heads of 128 + 64, as HuggingFaceConfig imports it)
        HuggingFaceEntry(displayName: "DeepSeek V2 Lite", spec: ModelSpec(
            name: "deepseek-ai/DeepSeek-V2-Lite",
            lookupKeys: ["deepseek-ai/DeepSeek-V2-Lite", "deepseek-ai/DeepSeek-V2-Lite-Chat", "DeepSeek-V2-Lite"],
            numLayers: 27, hiddenSize: 2048, numAttentionHeads: 16, numKeyValueHeads: 16, headDim: 192,
            intermediateSize: 10944, vocabSize: 102_400, numExperts: 64, expertTopK: 6, moeIntermediateSize: 1408,
            sharedExperts: 2, sharedExpertIntermediateSize: 1408, firstDenseLayers: 1, maxModelLength: 163_840,
            latentAttention: ModelSpec.LatentAttention(kvLoraRank: 512, qLoraRank: nil, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128))),
    ]

    /// How warnings name the model with this canonical name (the short name when no entry gives one).
    static func displayName(of canonicalName: String) -> String {
        huggingFaceModels.first { $0.spec.name == canonicalName }?.displayName
            ?? String(canonicalName.split(separator: "/").last ?? Substring(canonicalName))
    }
}

extension ModelSpec {
    /// Weight parameters: embeddings (and the output head unless tied), attention (latent
    /// attention's low-rank projections where given), dense and expert FFNs with routers. Norms and
    /// biases are left out (under 0.1% for every catalog model).
    public var parameterCount: Int {
        let hidden = hiddenSize
        var total = vocabSize * hidden * (tieWordEmbeddings ? 1 : 2)
        let attention: Int
        if let latent = latentAttention {
            let queryWidth = numAttentionHeads * (latent.qkNopeHeadDim + latent.qkRopeHeadDim)
            let query = latent.qLoraRank.map { hidden * $0 + $0 * queryWidth } ?? hidden * queryWidth
            attention = query + hidden * (latent.kvLoraRank + latent.qkRopeHeadDim)
                + latent.kvLoraRank * numAttentionHeads * (latent.qkNopeHeadDim + latent.vHeadDim)
                + numAttentionHeads * latent.vHeadDim * hidden
        } else {
            attention = 2 * hidden * numAttentionHeads * headDim + 2 * hidden * numKeyValueHeads * headDim
        }
        let matrices = numFFI + 1
        let dense = matrices * hidden * intermediateSize
        let shared = sharedExperts * matrices * hidden * (sharedExpertIntermediateSize ?? routedExpertIntermediateSize)
        let moe = numExperts * (matrices * hidden * routedExpertIntermediateSize + hidden) + shared
        for layer in 0..<numLayers {
            total += attention + (isMoELayer(layer) ? moe : dense)
        }
        return total
    }
}
