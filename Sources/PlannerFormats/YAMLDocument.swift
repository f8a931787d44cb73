public import PlannerCore
import Yams

/// Reads YAML (a superset of JSON) into a ``JSONValue``, so every input file can be either.
public enum Documents {
    /// Parses `text` as JSON when it looks like JSON (starts with `{` or `[`), else as YAML.
    /// - Parameter source: a name for error messages (usually the file path).
    /// - Throws: ``PlannerError/malformedInput(source:reason:)`` with the parser's position.
    public static func parse(_ text: String, source: String) throws(PlannerError) -> JSONValue {
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        if trimmed.first == "{" || trimmed.first == "[" {
            do {
                return try JSONValue.parse(text)
            } catch {
                throw .malformedInput(source: source, reason: "JSON \(error)")
            }
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw .malformedInput(source: source, reason: "YAML \(error)")
        }
        guard let node else { throw .malformedInput(source: source, reason: "the document is empty") }
        return try convert(node, source: source)
    }

    private static func convert(_ node: Node, source: String) throws(PlannerError) -> JSONValue {
        switch node {
        case let .scalar(scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            let text = scalar.string
            switch text {
            case "null", "Null", "NULL", "~", "": return .null
            case "true", "True", "TRUE": return .bool(true)
            case "false", "False", "FALSE": return .bool(false)
            default: break
            }
            if let value = Int(text) { return .int(value) }
            if let value = Double(text), text.contains(where: { $0.isNumber }) { return .double(value) }
            return .string(text)
        case let .sequence(sequence):
            var items: [JSONValue] = []
            for element in sequence { items.append(try convert(element, source: source)) }
            return .array(items)
        case let .mapping(mapping):
            var members: [(String, JSONValue)] = []
            for (key, value) in mapping {
                guard case let .scalar(keyScalar) = key else {
                    throw .malformedInput(source: source, reason: "mapping keys must be plain strings")
                }
                if members.contains(where: { $0.0 == keyScalar.string }) {
                    throw .malformedInput(source: source, reason: "duplicate key '\(keyScalar.string)'")
                }
                members.append((keyScalar.string, try convert(value, source: source)))
            }
            return .object(members)
        case .alias:
            throw .malformedInput(source: source, reason: "YAML aliases are not supported")
        }
    }
}
