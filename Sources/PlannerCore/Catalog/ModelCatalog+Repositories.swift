/// The Hugging Face repository an engine downloads for a catalog model (what a launch line names).
extension ModelCatalog {
    /// GenZ catalog names that are not themselves a Hugging Face repository id, with the repository
    /// holding the same architecture (each checked at https://huggingface.co/<id>). GenZ names not
    /// listed here and not of the form of a real repository get no launch line (planner will not guess).
    static let genzRepositories: [String: String] = [
        // https://huggingface.co/meta-llama/Llama-2-7b-hf, -13b-hf, -70b-hf
        "meta-llama/Llama-2-7B": "meta-llama/Llama-2-7b-hf",
        "meta-llama/Llama-2-13B": "meta-llama/Llama-2-13b-hf",
        "meta-llama/Llama-2-70B": "meta-llama/Llama-2-70b-hf",
        // https://huggingface.co/meta-llama/Llama-3.1-8B (also -70B, -405B), https://huggingface.co/meta-llama/Llama-3.2-1B (-3B)
        "meta-llama/Llama-3.1-8B": "meta-llama/Llama-3.1-8B",
        "meta-llama/Llama-3.1-70B": "meta-llama/Llama-3.1-70B",
        "meta-llama/Llama-3.1-405B": "meta-llama/Llama-3.1-405B",
        "meta-llama/Llama-3.2-1B": "meta-llama/Llama-3.2-1B",
        "meta-llama/Llama-3.2-3B": "meta-llama/Llama-3.2-3B",
        // https://huggingface.co/mistralai/Mistral-7B-v0.1, Mixtral-8x7B-v0.1, Mixtral-8x22B-v0.1
        "mistralai/Mistral-7B": "mistralai/Mistral-7B-v0.1",
        "mistralai/Mixtral-8x7B": "mistralai/Mixtral-8x7B-v0.1",
        "mistralai/Mixtral-8x22B": "mistralai/Mixtral-8x22B-v0.1",
        // https://huggingface.co/Qwen/Qwen2.5-7B (and the other sizes)
        "Qwen/Qwen2.5-1.5B": "Qwen/Qwen2.5-1.5B", "Qwen/Qwen2.5-3B": "Qwen/Qwen2.5-3B", "Qwen/Qwen2.5-7B": "Qwen/Qwen2.5-7B",
        "Qwen/Qwen2.5-14B": "Qwen/Qwen2.5-14B", "Qwen/Qwen2.5-32B": "Qwen/Qwen2.5-32B", "Qwen/Qwen2.5-72B": "Qwen/Qwen2.5-72B",
        // https://huggingface.co/Qwen/Qwen1.5-MoE-A2.7B
        "Qwen/Qwen1.5-MoE-A2.7B": "Qwen/Qwen1.5-MoE-A2.7B",
        // https://huggingface.co/deepseek-ai/DeepSeek-V3-Base, https://huggingface.co/deepseek-ai/deepseek-moe-16b-base
        "deepseek-ai/DeepSeek-V3-Base": "deepseek-ai/DeepSeek-V3-Base",
        "deepseek-ai/deepseek-moe-16b-base": "deepseek-ai/deepseek-moe-16b-base",
        // https://huggingface.co/google/gemma-2-2b, gemma-2-9b, gemma-2-27b
        "google/gemma-2-2B": "google/gemma-2-2b", "google/gemma-2-9B": "google/gemma-2-9b", "google/gemma-2-27B": "google/gemma-2-27b",
        // https://huggingface.co/microsoft/Phi-3-mini-128k-instruct (GenZ's Phi-3-mini is the 128k config),
        // https://huggingface.co/microsoft/Phi-3-medium-4k-instruct (GenZ's Phi-3-medium is the 4k config),
        // https://huggingface.co/microsoft/Phi-3.5-MoE-instruct
        "microsoft/Phi-3-mini": "microsoft/Phi-3-mini-128k-instruct",
        "microsoft/Phi-3-medium": "microsoft/Phi-3-medium-4k-instruct",
        "microsoft/Phi-3.5-MoE": "microsoft/Phi-3.5-MoE-instruct",
        // https://huggingface.co/databricks/dbrx-base
        "databricks/dbrx-base": "databricks/dbrx-base",
    ]

    /// Lookup keys of the added Hugging Face entries that are no repository of their own.
    static let keysWithoutRepository: Set<String> = [
        "meta-llama/llama-3-8b", "meta-llama/llama-3-8b-instruct", "meta-llama/llama-3-70b", "meta-llama/llama-3-70b-instruct",
        "meta-llama/llama-3.3-70b", "google/gemma-3-12b",
    ]

    /// Lower-cased key -> repository: the added models' names and keys of the form `org/name`
    /// (Hugging Face ids by construction, ``huggingFaceModels``), the Hugging Face aliases of GenZ's
    /// models (``huggingFaceAliases``) and ``genzRepositories``.
    private static let repositories: [String: String] = {
        var table: [String: String] = [:]
        func add(_ key: String, _ repository: String) {
            if table[key.lowercased()] == nil && !keysWithoutRepository.contains(key.lowercased()) { table[key.lowercased()] = repository }
        }
        for entry in huggingFaceModels {
            add(entry.spec.name, entry.spec.name)
            for key in entry.spec.lookupKeys where key.contains("/") { add(key, key) }
        }
        for (model, keys) in huggingFaceAliases {
            for key in keys where key.contains("/") { add(key, key) }
            if let repository = genzRepositories[model] { add(model, repository) }
        }
        for (model, repository) in genzRepositories { add(model, repository) }
        return table
    }()

    /// The Hugging Face repository for a catalog key (case-insensitive), as an engine downloads it:
    /// the key itself when it is a repository id (so `deepseek-ai/DeepSeek-R1` stays R1 although it
    /// shares DeepSeek-V3-Base's architecture), a key without organisation mapped to the model's
    /// repository of that name (`DeepSeek-R1` -> `deepseek-ai/DeepSeek-R1`), else the repository of
    /// the model's canonical name. Nil when the key is not in the catalog or its model has no known
    /// repository (GenZ's hypothetical and closed models).
    public static func huggingFaceRepository(forKey key: String) -> String? {
        let lowered = key.lowercased()
        if let repository = repositories[lowered] { return repository }
        guard let spec = try? model(named: key) else { return nil }
        if !lowered.contains("/") {
            let keys = spec.lookupKeys + (huggingFaceAliases.first { $0.model == spec.name }?.keys ?? [])
            for candidate in keys where candidate.contains("/") {
                if candidate.split(separator: "/").last.map({ $0.lowercased() == lowered }) == true,
                   let repository = repositories[candidate.lowercased()] {
                    return repository
                }
            }
        }
        return repositories[spec.name.lowercased()]
    }
}
