/// The built-in model catalog: GenZ's 82 configurations under every one of their lookup keys, the
/// public facts of `ModelCatalog+Facts.swift` that only the `default` profile reads, and the real
/// architectures of `ModelCatalog+HuggingFace.swift` under their Hugging Face ids.
public enum ModelCatalog {
    /// Every model, sorted by canonical name (case-insensitively).
    public static var all: [ModelSpec] { models }

    /// GenZ's models with the Hugging Face aliases added to their keys, then the added models.
    private static let models: [ModelSpec] = {
        var aliases: [String: [String]] = [:]
        for (model, keys) in huggingFaceAliases { aliases[model, default: []] += keys }
        let genz = genzModels.map { model -> ModelSpec in
            var result = model
            result.lookupKeys += aliases[model.name] ?? []
            return result
        }
        return (genz + huggingFaceModels.map(\.spec)).map(applyingPublicFacts)
            .sorted { ($0.name.lowercased(), $0.name) < ($1.name.lowercased(), $1.name) }
    }()

    private static let position: [String: Int] = {
        var table: [String: Int] = [:]
        for (index, model) in models.enumerated() { table[model.name] = index }
        return table
    }()

    /// Lower-cased key -> canonical name, the first model (by name) claiming a key winning: GenZ's
    /// own keys, exactly as GenZ's zoo resolves them.
    private static let genzKeys: [String: String] = {
        var table: [String: String] = [:]
        for model in genzModels {
            for key in model.lookupKeys + [model.name] where table[key.lowercased()] == nil {
                table[key.lowercased()] = model.name
            }
        }
        return table
    }()

    /// Lower-cased key -> canonical name for the real architectures: the added models' keys and the
    /// Hugging Face aliases of GenZ's models.
    private static let realKeys: [String: String] = {
        var table: [String: String] = [:]
        for entry in huggingFaceModels {
            for key in entry.spec.lookupKeys + [entry.spec.name] where table[key.lowercased()] == nil {
                table[key.lowercased()] = entry.spec.name
            }
        }
        for (model, keys) in huggingFaceAliases {
            for key in keys where table[key.lowercased()] == nil { table[key.lowercased()] = model }
        }
        return table
    }()

    /// Every accepted lookup key, sorted case-insensitively, each once (ignoring case).
    public static var lookupKeys: [String] {
        var seen = Set<String>()
        return models.flatMap(\.lookupKeys).filter { seen.insert($0.lowercased()).inserted }
            .sorted { $0.lowercased() < $1.lowercased() }
    }

    /// Looks a model up by any of its keys, case-insensitively, with the real architecture (the
    /// `default` profile's resolution; see ``model(named:profile:)``).
    /// - Throws: ``PlannerError/unknownModel(name:suggestions:)`` with up to five close keys.
    public static func model(named name: String) throws(PlannerError) -> ModelSpec {
        try model(named: name, profile: .default)
    }

    /// Looks a model up by any of its keys, case-insensitively. Under `default` a Hugging Face id
    /// resolves to the real architecture; under `genz` a key of GenZ's zoo resolves GenZ's way, and
    /// where that is another architecture than the key names (``genzQuirks``) the spec carries the
    /// quirk's warning in ``ModelSpec/catalogWarnings`` (copied into every estimate's `warnings`).
    /// Keys GenZ's zoo lacks resolve to the real architecture under both profiles.
    /// - Throws: ``PlannerError/unknownModel(name:suggestions:)`` with up to five close keys.
    public static func model(named name: String, profile: Profile) throws(PlannerError) -> ModelSpec {
        let key = name.lowercased()
        let genz = genzKeys[key]
        let real = realKeys[key]
        guard let canonical = profile == .genz ? (genz ?? real) : (real ?? genz), let index = position[canonical] else {
            throw .unknownModel(name: name, suggestions: suggestions(for: name))
        }
        var spec = models[index]
        if profile == .genz, let quirk = quirk(forKey: name) {
            spec.catalogWarnings.append(quirk.warning)
        }
        return spec
    }

    /// The GenZ quirk of a lookup key (case-insensitive), if GenZ maps it to another architecture.
    public static func quirk(forKey name: String) -> GenZQuirk? {
        let key = name.lowercased()
        return genzQuirks.first { $0.key.lowercased() == key }
    }

    /// Keys whose GenZ and real resolutions differ, with both canonical names (what ``genzQuirks``
    /// must list).
    static var divergentKeys: [(key: String, genz: String, real: String)] {
        genzKeys.compactMap { key, genz in
            guard let real = realKeys[key], real != genz else { return nil }
            return (key, genz, real)
        }.sorted { $0.key < $1.key }
    }

    /// Up to `limit` catalog keys closest to `name`, one per model (its closest key; see
    /// ``NameSuggestions/closest(to:among:limit:ignoringSeparators:)``, separators ignored so that
    /// `llama3_70b` finds `Llama-3.1-70B`; none for names over 256 characters).
    public static func suggestions(for name: String, limit: Int = 5) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for key in NameSuggestions.closest(to: name, among: lookupKeys, limit: Int.max, ignoringSeparators: true) {
            let lowered = key.lowercased()
            guard let model = realKeys[lowered] ?? genzKeys[lowered], seen.insert(model).inserted else { continue }
            result.append(key)
            if result.count == limit { break }
        }
        return result
    }
}
