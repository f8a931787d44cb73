import CYaml
public import PlannerCore
import Yams

/// Reads YAML (a superset of JSON) into a ``JSONValue``, so every input file can be either.
public enum Documents {
    /// Parses `text` as JSON when it looks like JSON (starts with `{` or `[`), else as YAML.
    ///
    /// YAML anchors (`&name`), aliases (`*name`), more than one document, nesting deeper than
    /// ``YAMLPreScan/maxDepth`` and more than ``YAMLPreScan/maxEvents`` nodes are refused before any
    /// tree is built.
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
        // Refused before Yams builds a tree: an alias expands in every walk of the tree (a 542-byte
        // "billion laughs" document stands for 10^9 nodes), and deep nesting recurses in Yams' composer.
        try YAMLPreScan.check(text, source: source)
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

/// A pass over libyaml's parse events (the parser Yams wraps) that refuses, before Yams composes a
/// tree, what would make composing or walking it explode: anchors and aliases, deep nesting, huge
/// node counts. Quoted strings, block scalars and comments are libyaml's business, so an `&` or `*`
/// inside them is text, as YAML says.
enum YAMLPreScan {
    /// Deepest nesting of sequences and mappings accepted (planner's documents nest 3 deep).
    static let maxDepth = 64
    /// Most parse events (about two per scalar, two per collection) accepted.
    static let maxEvents = 1_000_000

    /// Checks `text`.
    /// - Throws: ``PlannerError/malformedInput(source:reason:)`` naming the line of the first anchor,
    ///   alias or too-deep node; syntax errors are left for Yams to report with its context.
    static func check(_ text: String, source: String) throws(PlannerError) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .malformedInput(source: source, reason: "YAML parser could not start (out of memory)")
        }
        defer { yaml_parser_delete(&parser) }
        var bytes = Array(text.utf8)
        if bytes.isEmpty { return }
        var failure: PlannerError?
        bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0, events = 0, documents = 0
            var event = yaml_event_t()
            while failure == nil {
                guard yaml_parser_parse(&parser, &event) == 1 else { return }  // Yams reports the syntax error
                defer { yaml_event_delete(&event) }
                events += 1
                let line = Int(event.start_mark.line) + 1
                var anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_DOCUMENT_START_EVENT:
                    documents += 1
                    if documents > 1 {
                        failure = .malformedInput(source: source, reason: "YAML line \(line): a second document ('---'); give one document per file")
                    }
                case YAML_ALIAS_EVENT:
                    failure = .malformedInput(source: source, reason: "YAML line \(line): aliases (*name) are not accepted; write the value out")
                case YAML_SCALAR_EVENT:
                    anchor = event.data.scalar.anchor
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    anchor = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    depth += 1
                    if depth > maxDepth {
                        failure = .malformedInput(source: source, reason: "YAML line \(line): nesting deeper than \(maxDepth) levels")
                    }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                default:
                    break
                }
                if failure == nil, anchor != nil {
                    failure = .malformedInput(source: source, reason: "YAML line \(line): anchors (&name) are not accepted; write the value out")
                }
                if failure == nil, events > maxEvents {
                    failure = .malformedInput(source: source, reason: "YAML document larger than \(maxEvents) parse events")
                }
            }
        }
        if let failure { throw failure }
    }
}
