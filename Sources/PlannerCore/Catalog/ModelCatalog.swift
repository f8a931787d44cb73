/// The built-in model catalog: GenZ's 82 configurations under every one of their lookup keys, plus
/// the public facts of `ModelCatalog+Facts.swift` that only the `default` profile reads.
public enum ModelCatalog {
    /// Every model, sorted by canonical name.
    public static var all: [ModelSpec] { models }

    private static let models: [ModelSpec] = genzModels.map(applyingPublicFacts)

    private static let index: [String: Int] = {
        var table: [String: Int] = [:]
        for (position, model) in models.enumerated() {
            for key in model.lookupKeys + [model.name] where table[key.lowercased()] == nil {
                table[key.lowercased()] = position
            }
        }
        return table
    }()

    /// Every accepted lookup key, sorted case-insensitively.
    public static var lookupKeys: [String] {
        models.flatMap(\.lookupKeys).sorted { $0.lowercased() < $1.lowercased() }
    }

    /// Looks a model up by any of its keys, case-insensitively.
    /// - Throws: ``PlannerError/unknownModel(name:suggestions:)`` with up to five close keys.
    public static func model(named name: String) throws(PlannerError) -> ModelSpec {
        if let position = index[name.lowercased()] { return models[position] }
        throw .unknownModel(name: name, suggestions: suggestions(for: name))
    }

    /// Up to `limit` catalog keys closest to `name` (see ``NameSuggestions/closest(to:among:limit:)``;
    /// none for names over 256 characters).
    public static func suggestions(for name: String, limit: Int = 5) -> [String] {
        NameSuggestions.closest(to: name, among: lookupKeys, limit: limit)
    }
}
