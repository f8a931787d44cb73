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

    /// Up to `limit` catalog keys closest to `name` (edit distance on lower-cased strings).
    public static func suggestions(for name: String, limit: Int = 5) -> [String] {
        let needle = Array(name.lowercased().utf8)
        let scored = lookupKeys.map { key -> (Int, String) in
            let hay = Array(key.lowercased().utf8)
            let containment = hay.count >= 3 && needle.count >= 3
                && (key.lowercased().contains(name.lowercased()) || name.lowercased().contains(key.lowercased()))
            return (containment ? 0 : editDistance(needle, hay), key)
        }
        let threshold = max(3, needle.count / 3)
        return scored.filter { $0.0 <= threshold }.sorted { $0 < $1 }.prefix(limit).map(\.1)
    }

    private static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
