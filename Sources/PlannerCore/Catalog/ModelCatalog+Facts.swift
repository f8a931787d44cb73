/// Public architecture facts the `default` profile needs and GenZ's zoo lacks, applied on top of the
/// generated catalog (`ModelCatalog+Data.swift` stays exactly GenZ's data).
///
/// Only fields that GenZ's formulas never read are set here (latent attention, which layers use the
/// sliding window, tied embeddings, shared-expert sizes), so the `genz` profile is unchanged. Each
/// fact is the model's published Hugging Face `config.json` value.
extension ModelCatalog {
    /// A fact and the models (canonical names, or a prefix ending in `*`) it applies to.
    struct Fact: Sendable {
        var models: [String]
        var source: String
        var apply: @Sendable (inout ModelSpec) -> Void
    }

    static let publicFacts: [Fact] = [
        Fact(models: ["deepseek-ai/DeepSeek-V3-Base"],
             source: "config.json: kv_lora_rank 512, q_lora_rank 1536, qk_rope_head_dim 64, qk_nope_head_dim 128, v_head_dim 128; "
                + "n_shared_experts 1 of moe_intermediate_size 2048 (GenZ's zoo approximates MLA as 2 KV heads of 56)") { model in
            model.latentAttention = ModelSpec.LatentAttention(kvLoraRank: 512, qLoraRank: 1536, qkRopeHeadDim: 64, qkNopeHeadDim: 128, vHeadDim: 128)
            model.sharedExpertIntermediateSize = 2048
        },
        Fact(models: ["Qwen/Qwen1.5-MoE-A2.7B"],
             source: "config.json: shared_expert_intermediate_size 5632 (one shared expert; GenZ's zoo lists none)") { model in
            model.sharedExperts = 1
            model.sharedExpertIntermediateSize = 5632
        },
        Fact(models: ["Qwen/*"], source: "config.json: use_sliding_window false (the listed window is unused)") { model in
            model.slidingWindowLayers = .none
        },
        Fact(models: ["google/gemma-2-*"], source: "Gemma 2 alternates sliding-window (4096) and global layers") { model in
            model.slidingWindowLayers = .interleaved(globalEvery: 2)
        },
        Fact(models: ["google/gemma-3-*"], source: "Gemma 3 interleaves five sliding-window layers with one global layer") { model in
            model.slidingWindowLayers = .interleaved(globalEvery: 6)
        },
        Fact(models: ["google/*", "Qwen/Qwen2-0.5B", "Qwen/Qwen2.5-1.5B", "Qwen/Qwen2.5-3B", "meta-llama/Llama-3.2-1B",
                      "meta-llama/Llama-3.2-3B", "openai/gpt2", "facebook/*"],
             source: "config.json: tie_word_embeddings true") { model in
            model.tieWordEmbeddings = true
        },
    ]

    /// `model` with every matching public fact applied.
    static func applyingPublicFacts(_ model: ModelSpec) -> ModelSpec {
        var result = model
        for fact in publicFacts where fact.models.contains(where: { pattern in
            pattern.hasSuffix("*") ? model.name.hasPrefix(String(pattern.dropLast())) : model.name == pattern
        }) {
            fact.apply(&result)
        }
        return result
    }
}
