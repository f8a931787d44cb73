/// "Did you mean ...?" for unknown names: catalog models and hardware, and keys of input files.
public enum NameSuggestions {
    /// Names longer than this get no suggestions: the search costs length x candidates, and no
    /// catalog name or key is anywhere near as long (a 10 MB name must be answered at once).
    public static let maxNameLength = 256

    /// Up to `limit` of `candidates` closest to `name`, best first: a candidate containing the name
    /// (or contained in it, both at least 3 characters) first, then by edit distance on lower-cased
    /// UTF-8, at most max(3, length / 3) edits; ties by name. Empty for names over
    /// ``maxNameLength`` characters. With `ignoringSeparators` a candidate's distance is the smaller
    /// of the plain one and the one with `-`, `_`, `.` and spaces removed from both (model names:
    /// `llama3_70b` is 1 edit from `Llama-3.1-70B`, not 4).
    public static func closest(to name: String, among candidates: [String], limit: Int = 5,
                               ignoringSeparators: Bool = false) -> [String] {
        guard limit > 0, name.utf8.count <= maxNameLength else { return [] }
        let lowered = name.lowercased()
        let needle = Array(lowered.utf8)
        let bareNeedle = stripped(needle)
        var scored: [(score: Int, position: Int, name: String)] = []
        for (position, candidate) in candidates.enumerated() {
            let key = candidate.lowercased()
            let hay = Array(key.utf8)
            let containment = hay.count >= 3 && needle.count >= 3 && (key.contains(lowered) || lowered.contains(key))
            var score = containment ? 0 : editDistance(needle, hay)
            if ignoringSeparators, score > 0 { score = min(score, editDistance(bareNeedle, stripped(hay))) }
            scored.append((score, position, candidate))
        }
        let threshold = max(3, needle.count / 3)
        return scored.filter { $0.score <= threshold }
            .sorted { ($0.score, $0.name, $0.position) < ($1.score, $1.name, $1.position) }
            .prefix(limit).map(\.name)
    }

    /// `bytes` without the separators `-`, `_`, `.` and space.
    static func stripped(_ bytes: [UInt8]) -> [UInt8] {
        bytes.filter { $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "_") && $0 != UInt8(ascii: ".") && $0 != UInt8(ascii: " ") }
    }

    /// Levenshtein distance of two byte strings.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
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
