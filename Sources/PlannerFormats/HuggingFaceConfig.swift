public import PlannerCore

/// Imports a Hugging Face `config.json` as a ``ModelSpec``.
///
/// Supported families (by `model_type`, or by `architectures` when `model_type` is absent): Llama,
/// Mistral, Mixtral, Qwen2/Qwen2.5 (dense and MoE), Qwen3 (dense and MoE), DeepSeek V2/V3, Gemma 2,
/// Gemma 3 (text model; a multimodal config's `text_config` is used) and Phi-3. Every required field
/// is checked: a missing or mistyped one is an error naming the field; an unsupported architecture is
/// an error listing the supported families.
public enum HuggingFaceConfig {
    /// A supported family and the `model_type` / `architectures` names that select it.
    public enum Family: String, Sendable, CaseIterable {
        /// Dense decoders: Llama, Mistral, Qwen2/2.5 and Qwen3, Gemma 2 and 3, Phi-3.
        case llama, mistral, qwen2, qwen3, gemma2, gemma3, phi3
        /// Mixtures of experts: Mixtral, Qwen2-MoE (Qwen1.5-MoE, Qwen2-57B-A14B), Qwen3-MoE, DeepSeek V2/V3 (with MLA).
        case mixtral, qwen2MoE = "qwen2_moe", qwen3MoE = "qwen3_moe", deepseekV2 = "deepseek_v2", deepseekV3 = "deepseek_v3"

        /// `architectures` entries of this family.
        public var architectures: [String] {
            switch self {
            case .llama: ["LlamaForCausalLM"]
            case .mistral: ["MistralForCausalLM"]
            case .mixtral: ["MixtralForCausalLM"]
            case .qwen2: ["Qwen2ForCausalLM"]
            case .qwen2MoE: ["Qwen2MoeForCausalLM"]
            case .qwen3: ["Qwen3ForCausalLM"]
            case .qwen3MoE: ["Qwen3MoeForCausalLM"]
            case .deepseekV2: ["DeepseekV2ForCausalLM"]
            case .deepseekV3: ["DeepseekV3ForCausalLM"]
            case .gemma2: ["Gemma2ForCausalLM"]
            case .gemma3: ["Gemma3ForCausalLM", "Gemma3ForConditionalGeneration"]
            case .phi3: ["Phi3ForCausalLM"]
            }
        }

        /// `model_type` values of this family.
        public var modelTypes: [String] {
            switch self {
            case .gemma3: ["gemma3", "gemma3_text"]
            default: [rawValue]
            }
        }
    }

    /// "llama (LlamaForCausalLM), ..." for error messages.
    public static var supportedFamilies: String {
        Family.allCases.map { "\($0.rawValue) (\($0.architectures.joined(separator: ", ")))" }.joined(separator: ", ")
    }

    /// Parses the text of a `config.json`.
    /// - Parameters:
    ///   - source: where the text came from (a path), used in messages and as the default model name.
    /// - Throws: ``PlannerError`` naming the file and the field.
    public static func modelSpec(fromJSON text: String, source: String, name: String? = nil) throws(PlannerError) -> ModelSpec {
        let document: JSONValue
        do { document = try JSONValue.parse(text) } catch {
            throw .malformedInput(source: source, reason: "not valid JSON: \(error)")
        }
        return try modelSpec(from: document, source: source, name: name)
    }

    /// Builds a model from a parsed `config.json` object.
    public static func modelSpec(from document: JSONValue, source: String, name: String? = nil) throws(PlannerError) -> ModelSpec {
        guard document.objectMembers != nil else {
            throw .malformedInput(source: source, reason: "a config.json must be a JSON object, found \(document.typeName)")
        }
        let family = try self.family(of: document, source: source)
        // Multimodal Gemma 3 keeps the language model's fields under text_config.
        var config = document
        var defaults: [String: JSONValue] = [:]
        if family == .gemma3, let text = document["text_config"], text.objectMembers != nil {
            config = text
            // Multimodal Gemma 3 configs leave out what transformers' Gemma3TextConfig defaults.
            defaults = gemma3TextDefaults
        }
        let reader = Reader(config: config, source: source, family: family, defaults: defaults)
        let modelName = name ?? document["_name_or_path"]?.stringValue ?? source

        // Every size is checked against its range (zero heads, layers or widths are errors naming the
        // key) before any arithmetic uses it.
        let layers = try reader.size("num_hidden_layers", PhysicalLimits.numLayers)
        let hidden = try reader.size("hidden_size", PhysicalLimits.width)
        let heads = try reader.size("num_attention_heads", PhysicalLimits.heads)
        let kvHeads = try reader.optionalSize("num_key_value_heads", PhysicalLimits.heads) ?? heads
        let vocab = try reader.size("vocab_size", PhysicalLimits.vocabSize)
        let intermediate = try reader.size("intermediate_size", PhysicalLimits.width)
        var headDim = try reader.optionalSize("head_dim", PhysicalLimits.width) ?? 0
        if headDim == 0 {
            if hidden % heads != 0 {
                throw .missingField(field: "head_dim", context: "\(source) (hidden_size \(hidden) is not a multiple of num_attention_heads \(heads))")
            }
            headDim = hidden / heads
        }
        // Informational (the context limit), so wider than the engine's token range: any positive 32-bit count.
        let maxLength = try reader.optionalSize(
            "max_position_embeddings", IntegerRange(key: "max_position_embeddings", low: 1, high: Int(Int32.max), meaning: "context length"))
        var activation = "silu"
        if let named = try reader.optionalString("hidden_activation") {
            activation = named
        } else if let named = try reader.optionalString("hidden_act") {
            activation = named
        }
        let defaultTied = family == .gemma2 || family == .gemma3
        let tied = try reader.optionalBool("tie_word_embeddings") ?? defaultTied

        var spec = ModelSpec(
            name: modelName, lookupKeys: [modelName], numLayers: layers, hiddenSize: hidden, numAttentionHeads: heads,
            numKeyValueHeads: kvHeads, headDim: headDim, intermediateSize: intermediate, numFFI: 2, vocabSize: vocab,
            maxModelLength: maxLength, hiddenActivation: activation, tieWordEmbeddings: tied)

        // Sliding windows.
        let window = try reader.optionalSize("sliding_window", PhysicalLimits.inputTokens)
        switch family {
        case .mistral, .mixtral, .phi3:
            spec.slidingWindow = window
            spec.slidingWindowLayers = .all
        case .qwen2, .qwen2MoE, .qwen3, .qwen3MoE:
            if try reader.optionalBool("use_sliding_window") == true, let window {
                spec.slidingWindow = window
                // Layers from max_window_layers on use the window; modelled as all layers when it is 0.
                spec.slidingWindowLayers = .all
            }
        case .gemma2:
            spec.slidingWindow = try reader.size("sliding_window", PhysicalLimits.inputTokens)
            spec.slidingWindowLayers = .interleaved(globalEvery: 2)
        case .gemma3:
            spec.slidingWindow = try reader.size("sliding_window", PhysicalLimits.inputTokens)
            spec.slidingWindowLayers = .interleaved(globalEvery: try gemma3GlobalEvery(reader))
        case .llama, .deepseekV2, .deepseekV3:
            break
        }

        // Mixtures of experts.
        switch family {
        case .mixtral:
            spec.numExperts = try reader.size("num_local_experts", PhysicalLimits.experts)
            spec.expertTopK = try reader.size("num_experts_per_tok", PhysicalLimits.experts)
            spec.moeIntermediateSize = intermediate
        case .qwen2MoE:
            spec.numExperts = try reader.size("num_experts", PhysicalLimits.experts)
            spec.expertTopK = try reader.size("num_experts_per_tok", PhysicalLimits.experts)
            spec.moeIntermediateSize = try reader.size("moe_intermediate_size", PhysicalLimits.width)
            let shared = try reader.optionalCount("shared_expert_intermediate_size", PhysicalLimits.width) ?? 0
            spec.sharedExperts = shared > 0 ? 1 : 0
            spec.sharedExpertIntermediateSize = shared > 0 ? shared : nil
            spec.moeLayerInterval = try reader.optionalSize("decoder_sparse_step", PhysicalLimits.numLayers)
            if let dense = try reader.optionalIntArray("mlp_only_layers"), !dense.isEmpty {
                throw .invalidValue(field: "mlp_only_layers", value: "\(dense)", allowed: "an empty list (\(source); per-layer dense overrides are not modelled)")
            }
        case .qwen3MoE:
            spec.numExperts = try reader.size("num_experts", PhysicalLimits.experts)
            spec.expertTopK = try reader.size("num_experts_per_tok", PhysicalLimits.experts)
            spec.moeIntermediateSize = try reader.size("moe_intermediate_size", PhysicalLimits.width)
            spec.moeLayerInterval = try reader.optionalSize("decoder_sparse_step", PhysicalLimits.numLayers)
            if let dense = try reader.optionalIntArray("mlp_only_layers"), !dense.isEmpty {
                throw .invalidValue(field: "mlp_only_layers", value: "\(dense)", allowed: "an empty list (\(source); per-layer dense overrides are not modelled)")
            }
        case .deepseekV2, .deepseekV3:
            spec.numExperts = try reader.size("n_routed_experts", PhysicalLimits.experts)
            spec.expertTopK = try reader.size("num_experts_per_tok", PhysicalLimits.experts)
            spec.moeIntermediateSize = try reader.size("moe_intermediate_size", PhysicalLimits.width)
            spec.sharedExperts = try reader.optionalCount("n_shared_experts", PhysicalLimits.experts) ?? 0
            spec.sharedExpertIntermediateSize = spec.sharedExperts > 0 ? spec.moeIntermediateSize : nil
            spec.firstDenseLayers = try reader.optionalCount("first_k_dense_replace", PhysicalLimits.numLayers) ?? 0
            spec.moeLayerInterval = try reader.optionalSize("moe_layer_freq", PhysicalLimits.numLayers)
            let width = PhysicalLimits.width
            let latent = ModelSpec.LatentAttention(
                kvLoraRank: try reader.size("kv_lora_rank", width), qLoraRank: try reader.optionalSize("q_lora_rank", width),
                qkRopeHeadDim: try reader.size("qk_rope_head_dim", width), qkNopeHeadDim: try reader.size("qk_nope_head_dim", width),
                vHeadDim: try reader.size("v_head_dim", width))
            spec.latentAttention = latent
            // The `genz` profile sees latent attention as multi-head attention over the decompressed heads.
            spec.numKeyValueHeads = heads
            spec.headDim = latent.qkNopeHeadDim + latent.qkRopeHeadDim
        case .llama, .mistral, .qwen2, .qwen3, .gemma2, .gemma3, .phi3:
            break
        }
        try spec.validate()
        return spec
    }

    /// transformers' `Gemma3TextConfig` defaults, which multimodal Gemma 3 `text_config`s rely on.
    static let gemma3TextDefaults: [String: JSONValue] = [
        "vocab_size": .int(262_208), "num_attention_heads": .int(8), "num_key_value_heads": .int(4), "head_dim": .int(256),
        "sliding_window": .int(4096), "max_position_embeddings": .int(131_072), "hidden_activation": .string("gelu_pytorch_tanh"),
    ]

    /// Gemma 3: one global layer every `sliding_window_pattern` layers (older configs), or as `layer_types`
    /// lists them, else transformers' default of 6.
    private static func gemma3GlobalEvery(_ reader: Reader) throws(PlannerError) -> Int {
        if let pattern = try reader.optionalSize("sliding_window_pattern", PhysicalLimits.numLayers) { return pattern }
        if let types = reader.value("layer_types")?.arrayValue {
            let names = types.compactMap(\.stringValue)
            if let first = names.firstIndex(of: "full_attention") {
                let every = first + 1
                let consistent = names.enumerated().allSatisfy { index, type in
                    (type == "full_attention") == ((index + 1) % every == 0)
                }
                if consistent { return every }
            }
            throw .invalidValue(field: "layer_types", value: "\(names.count) entries",
                                allowed: "a repeating pattern of sliding_attention layers ending in one full_attention layer (\(reader.source))")
        }
        return 6
    }

    /// The family a config belongs to: by `model_type`, else by `architectures`.
    static func family(of document: JSONValue, source: String) throws(PlannerError) -> Family {
        let modelType = document["model_type"]?.stringValue
        let architectures = document["architectures"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if let architecture = architectures.first {
            if let family = Family.allCases.first(where: { $0.architectures.contains(architecture) }) { return family }
            throw .invalidValue(field: "architectures", value: architecture, allowed: "one of the supported families: \(supportedFamilies) (\(source))")
        }
        if let modelType {
            if let family = Family.allCases.first(where: { $0.modelTypes.contains(modelType) }) { return family }
            throw .invalidValue(field: "model_type", value: modelType, allowed: "one of the supported families: \(supportedFamilies) (\(source))")
        }
        throw .missingField(field: "architectures", context: "\(source) (a config.json of one of: \(supportedFamilies))")
    }

    /// Typed access to a config's fields with errors that name the field, the file and the family.
    struct Reader {
        var config: JSONValue
        var source: String
        var family: Family
        /// Values used where the config leaves a field out (documented library defaults).
        var defaults: [String: JSONValue] = [:]

        private var context: String { "\(source) (\(family.rawValue) config.json)" }

        /// The field's value, or its documented default; nil when absent or null.
        func value(_ key: String) -> JSONValue? {
            if let entry = config[key], entry != .null { return entry }
            return defaults[key]
        }

        func int(_ key: String) throws(PlannerError) -> Int {
            guard let value = try optionalInt(key) else { throw .missingField(field: key, context: context) }
            return value
        }

        func optionalInt(_ key: String) throws(PlannerError) -> Int? {
            guard let entry = value(key) else { return nil }
            guard let number = entry.intValue else {
                throw .invalidValue(field: key, value: entry.serialized(), allowed: "an integer (\(context))")
            }
            return number
        }

        /// A required size: an integer in `range` (at least 1), else an error naming the key.
        func size(_ key: String, _ range: IntegerRange) throws(PlannerError) -> Int {
            guard let value = try optionalSize(key, range) else { throw .missingField(field: key, context: context) }
            return value
        }

        /// An optional size: absent or null gives nil; present, it must lie in `range` (at least 1).
        func optionalSize(_ key: String, _ range: IntegerRange) throws(PlannerError) -> Int? {
            guard let value = try optionalInt(key) else { return nil }
            let low = max(range.low, 1)
            if value < low || value > range.high {
                throw .invalidValue(field: key, value: "\(value)", allowed: "an integer in \(low)...\(range.high) (\(context))")
            }
            return value
        }

        /// An optional count that may be 0 (shared experts, leading dense layers): in `0...range.high`.
        func optionalCount(_ key: String, _ range: IntegerRange) throws(PlannerError) -> Int? {
            guard let value = try optionalInt(key) else { return nil }
            if value < 0 || value > range.high {
                throw .invalidValue(field: key, value: "\(value)", allowed: "an integer in 0...\(range.high) (\(context))")
            }
            return value
        }

        func optionalIntArray(_ key: String) throws(PlannerError) -> [Int]? {
            guard let entry = value(key) else { return nil }
            guard let items = entry.arrayValue else {
                throw .invalidValue(field: key, value: entry.serialized(), allowed: "a list of integers (\(context))")
            }
            var result: [Int] = []
            for item in items {
                guard let number = item.intValue else {
                    throw .invalidValue(field: key, value: entry.serialized(), allowed: "a list of integers (\(context))")
                }
                result.append(number)
            }
            return result
        }

        func optionalString(_ key: String) throws(PlannerError) -> String? {
            guard let entry = value(key) else { return nil }
            guard let text = entry.stringValue else {
                throw .invalidValue(field: key, value: entry.serialized(), allowed: "a string (\(context))")
            }
            return text
        }

        func optionalBool(_ key: String) throws(PlannerError) -> Bool? {
            guard let entry = value(key) else { return nil }
            guard let flag = entry.boolValue else {
                throw .invalidValue(field: key, value: entry.serialized(), allowed: "true or false (\(context))")
            }
            return flag
        }
    }
}
