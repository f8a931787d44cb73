import Foundation
import PlannerCore
import PlannerFormats
import Testing
import Yams

/// The operator files under `deploy/`: every YAML document parses (multi-document files
/// included), Kubernetes documents name their `apiVersion` and `kind`, no Secret carries a real
/// CURVE key, the sweep in the ConfigMap is a valid sweep, and the systemd units have their
/// sections and run planner. Reads files only: no network, no cluster, no Docker.
struct DeployManifestTests {
    /// The repository root: three levels above this file (Tests/PlannerFormatsTests/<file>).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let deploy = root.appendingPathComponent("deploy")

    /// Every file under `deploy/` whose name ends with one of `suffixes`, sorted, relative to the root.
    static func files(endingWith suffixes: [String]) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: deploy.path) else { return [] }
        var found: [String] = []
        while let relative = enumerator.nextObject() as? String {
            if suffixes.contains(where: { relative.hasSuffix($0) }) { found.append("deploy/" + relative) }
        }
        return found.sorted()
    }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    /// Every document of a (possibly multi-document) YAML stream; throws on the first syntax error.
    static func documents(_ text: String) throws -> [Node] {
        let parser = try Parser(yaml: text)
        var documents: [Node] = []
        while let node = try parser.nextRoot() { documents.append(node) }
        return documents
    }

    /// Keys that appear twice in one mapping, anywhere in the document (kubectl rejects them;
    /// YAML parsers keep one silently).
    static func duplicateKeys(_ node: Node, path: String = "") -> [String] {
        switch node {
        case let .mapping(mapping):
            var seen: Set<String> = []
            var duplicates: [String] = []
            for (key, value) in mapping {
                let name = key.string ?? "?"
                if !seen.insert(name).inserted { duplicates.append(path + "/" + name) }
                duplicates += duplicateKeys(value, path: path + "/" + name)
            }
            return duplicates
        case let .sequence(sequence):
            return sequence.enumerated().flatMap { duplicateKeys($0.element, path: path + "[\($0.offset)]") }
        case .scalar, .alias:
            return []
        }
    }

    static func string(_ node: Node?, _ keys: String...) -> String? {
        var current = node
        for key in keys { current = current?[key] }
        return current?.string
    }

    @Test func deployHoldsManifests() {
        #expect(!Self.files(endingWith: [".yaml", ".yml"]).isEmpty, "no YAML manifest under \(Self.deploy.path)")
        #expect(!Self.files(endingWith: [".service"]).isEmpty, "no systemd unit under \(Self.deploy.path)")
    }

    @Test func everyYAMLDocumentParses() throws {
        let files = Self.files(endingWith: [".yaml", ".yml"])
        try #require(!files.isEmpty, "no YAML manifest under \(Self.deploy.path)")
        var documentCount = 0
        for file in files {
            let documents: [Node]
            do {
                documents = try Self.documents(try Self.text(file))
            } catch {
                Issue.record("\(file) does not parse: \(error)")
                continue
            }
            #expect(!documents.isEmpty, "\(file) holds no YAML document")
            for (index, document) in documents.enumerated() {
                documentCount += 1
                let place = "\(file), document \(index + 1)"
                #expect(document.mapping != nil, "\(place) is not a mapping")
                #expect(Self.duplicateKeys(document).isEmpty, "\(place) repeats keys: \(Self.duplicateKeys(document))")
                guard file.hasPrefix("deploy/kubernetes/") else { continue }
                let apiVersion = Self.string(document, "apiVersion") ?? ""
                let kind = Self.string(document, "kind") ?? ""
                #expect(!apiVersion.isEmpty, "\(place) has no apiVersion")
                #expect(!kind.isEmpty, "\(place) has no kind")
                if kind != "Kustomization" {
                    #expect(!(Self.string(document, "metadata", "name") ?? "").isEmpty, "\(place) (\(kind)) has no metadata.name")
                }
            }
        }
        #expect(documentCount >= files.count)
    }

    /// Containers run the planner image with a planner subcommand, and a coordinator bound beyond
    /// loopback always has its CURVE keys (planner would refuse to start otherwise).
    @Test func kubernetesWorkloadsRunPlannerWithCurve() throws {
        var containers = 0
        for file in Self.files(endingWith: [".yaml", ".yml"]) where file.hasPrefix("deploy/kubernetes/") {
            for document in try Self.documents(try Self.text(file)) {
                guard let list = document["spec"]?["template"]?["spec"]?["containers"]?.sequence else { continue }
                for container in list {
                    containers += 1
                    let place = "\(file): container \(Self.string(container, "name") ?? "?")"
                    let image = Self.string(container, "image") ?? ""
                    #expect(image.hasPrefix("planner:"), "\(place) runs image '\(image)'")
                    let args = container["args"]?.sequence?.compactMap(\.string) ?? []
                    #expect(["coordinate", "worker"].contains(args.first ?? ""), "\(place): args \(args)")
                    if args.first == "coordinate", let bind = args.firstIndex(of: "--bind").map({ args[$0 + 1] }), !bind.contains("127.0.0.1") {
                        #expect(args.contains("--curve-secret-file") && args.contains("--allow-keys"), "\(place) binds \(bind) without CURVE")
                    }
                    if args.first == "worker" {
                        #expect(args.contains("--server-key") && args.contains("--curve-secret-file"), "\(place) connects without CURVE")
                    }
                }
            }
        }
        #expect(containers > 0, "no Kubernetes workload under deploy/kubernetes")
    }

    static let z85Alphabet = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#")

    /// Secrets in the repository are templates: no value may be a usable CURVE key.
    @Test func noSecretCarriesARealKey() throws {
        for file in Self.files(endingWith: [".yaml", ".yml"]) {
            for document in try Self.documents(try Self.text(file)) where Self.string(document, "kind") == "Secret" {
                for field in ["stringData", "data"] {
                    for (key, value) in document[field]?.mapping ?? [:] {
                        var text = value.string ?? ""
                        if field == "data", let decoded = Data(base64Encoded: text) { text = String(decoding: decoded, as: UTF8.self) }
                        text = text.trimmingCharacters(in: .whitespacesAndNewlines)
                        let looksLikeKey = text.count == 40 && text.allSatisfy { Self.z85Alphabet.contains($0) }
                        #expect(!looksLikeKey, "\(file): \(field).\(key.string ?? "?") looks like a real CURVE key; commit placeholders only")
                    }
                }
            }
        }
    }

    /// The sweep carried by a ConfigMap is a valid sweep specification.
    @Test func configMapSweepIsValid() throws {
        var sweeps = 0
        for file in Self.files(endingWith: [".yaml", ".yml"]) {
            for document in try Self.documents(try Self.text(file)) where Self.string(document, "kind") == "ConfigMap" {
                for (key, value) in document["data"]?.mapping ?? [:] where (key.string ?? "").hasSuffix(".yaml") {
                    sweeps += 1
                    let source = "\(file): data.\(key.string ?? "?")"
                    let parsed = try Documents.parse(value.string ?? "", source: source)
                    let sweep = try Inputs.sweepSpec(parsed, source: source)
                    #expect(!sweep.spec.models.isEmpty, "\(source)")
                }
            }
        }
        #expect(sweeps > 0, "no sweep specification in a ConfigMap under deploy/")
    }

    @Test func systemdUnitsHaveSectionsAndRunPlanner() throws {
        let units = Self.files(endingWith: [".service"])
        try #require(!units.isEmpty, "no systemd unit under \(Self.deploy.path)")
        for unit in units {
            // Join continuation lines, drop comments.
            var lines: [String] = []
            var pending = ""
            for raw in try Self.text(unit).split(separator: "\n", omittingEmptySubsequences: false) {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if pending.isEmpty && (line.hasPrefix("#") || line.hasPrefix(";")) { continue }
                if line.hasSuffix("\\") {
                    pending += line.dropLast() + " "
                } else {
                    lines.append(pending + line)
                    pending = ""
                }
            }
            #expect(pending.isEmpty, "\(unit) ends inside a continued line")
            var sections: [String: [String]] = [:]
            var current = ""
            for line in lines where !line.isEmpty {
                if line.hasPrefix("[") && line.hasSuffix("]") {
                    current = String(line.dropFirst().dropLast())
                    #expect(sections[current] == nil, "\(unit) repeats [\(current)]")
                    sections[current] = []
                } else {
                    #expect(!current.isEmpty && line.contains("="), "\(unit): '\(line)' is outside a section or not KEY=VALUE")
                    sections[current, default: []].append(line)
                }
            }
            for section in ["Unit", "Service", "Install"] {
                #expect(sections[section] != nil, "\(unit) has no [\(section)] section")
            }
            let exec = (sections["Service"] ?? []).filter { $0.hasPrefix("ExecStart=") }
            #expect(exec.count == 1, "\(unit) has \(exec.count) ExecStart lines")
            let words = exec.first?.dropFirst("ExecStart=".count).split(separator: " ").map(String.init) ?? []
            let program = words.first ?? ""
            #expect(program.hasPrefix("/") && program.hasSuffix("/planner"), "\(unit): ExecStart runs '\(program)', not planner")
            let subcommand = words.dropFirst().first ?? ""
            #expect(["coordinate", "worker"].contains(subcommand), "\(unit): ExecStart runs planner \(subcommand)")
            let service = sections["Service"] ?? []
            #expect(service.contains { $0.hasPrefix("EnvironmentFile=") }, "\(unit) has no EnvironmentFile=")
            #expect(service.contains("KillSignal=SIGTERM"), "\(unit) does not stop with SIGTERM")
            #expect(service.contains { $0.hasPrefix("ProtectSystem=strict") }, "\(unit) lacks ProtectSystem=strict")
            if subcommand == "worker" {
                #expect(service.contains("Restart=on-failure"), "\(unit): workers restart on failure")
            }
        }
    }
}
