import Foundation
import Testing

/// Runs every `planner ...` line of the README's ```bash blocks against the built binary, as a user
/// copying them would (issue 15: "every command example runs as written").
struct ReadmeExamplesTests {
    /// One `planner` command line of the README, continuation lines joined.
    struct Example: Equatable {
        /// README line number of the command's first line.
        var line: Int
        /// The joined command as written (comment included).
        var text: String
        /// The arguments after `planner`, with shell quoting removed and the comment dropped.
        var arguments: [String]
        /// The trailing `# ...` comment, empty when there is none.
        var comment: String
        /// Why the line is not run: a placeholder it contains, or nil when it is a runnable example.
        var placeholder: String?

        /// The exit status the README states next to the example (`# ... exit 1 ...`), else 0.
        var expectedStatus: Int32 {
            guard let match = comment.firstMatch(of: /exit (?:status |code )?(\d+)/), let status = Int32(match.1) else { return 0 }
            return status
        }
    }

    /// Examples that run as written but are left out on purpose, each with its reason: they start
    /// worker processes or wait for peers, and the cluster tests run them with timeouts and cleanup.
    static let longRunning: [(prefix: [String], reason: String)] = [
        (["coordinate"], "starts one worker process per core and binds ZeroMQ sockets (ClusterProcessTests runs it)"),
        (["worker"], "waits for a coordinator until stopped (ClusterProcessTests runs it)"),
        (["fleet", "--coordinate", "cluster"], "starts local worker processes (FleetCommandTests and ClusterProcessTests run it)"),
    ]

    /// The README of the package, found from this file's path (Tests/PlannerCLITests/ -> root).
    static let readmeURL: URL = {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("README.md")
    }()

    static var packageRoot: URL { readmeURL.deletingLastPathComponent() }

    // MARK: - Extraction

    /// Every `planner` command line inside ```bash fences, with backslash continuations joined.
    static func examples(inMarkdown markdown: String) -> [Example] {
        var examples: [Example] = []
        var inBash = false
        var pending: (line: Int, text: String)?
        for (index, rawLine) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                inBash = !inBash && line == "```bash"
                pending = nil
                continue
            }
            guard inBash else { continue }
            if var current = pending {
                current.text += " " + line
                pending = current
            } else if line.hasPrefix("planner ") || line == "planner" {
                pending = (index + 1, line)
            } else {
                continue
            }
            guard var current = pending else { continue }
            if current.text.hasSuffix("\\") {
                current.text = String(current.text.dropLast()).trimmingCharacters(in: .whitespaces)
                pending = current
                continue
            }
            pending = nil
            examples.append(example(line: current.line, text: current.text))
        }
        return examples
    }

    /// Splits a command line like a POSIX shell (quotes, backslashes, `#` comments) and finds placeholders.
    static func example(line: Int, text: String) -> Example {
        var words: [(word: String, quoted: Bool)] = []
        var word = ""
        var quoted = false
        var inWord = false
        var comment = ""
        var quote: Character?
        var characters = Array(text)[...]
        func finish() {
            if inWord { words.append((word, quoted)) }
            word = ""; quoted = false; inWord = false
        }
        while let character = characters.popFirst() {
            if let open = quote {
                if character == open { quote = nil } else if character == "\\" && open == "\"", let next = characters.popFirst() {
                    word.append(next)
                } else { word.append(character) }
                continue
            }
            switch character {
            case "'", "\"": quote = character; quoted = true; inWord = true
            case "\\": if let next = characters.popFirst() { word.append(next); inWord = true }
            case " ", "\t": finish()
            case "#" where !inWord:
                comment = String(characters).trimmingCharacters(in: .whitespaces)
                characters = []
            default: word.append(character); inWord = true
            }
        }
        finish()
        let arguments = words.dropFirst().map(\.word)
        return Example(line: line, text: text, arguments: Array(arguments), comment: comment,
                       placeholder: placeholder(in: Array(words.dropFirst()), unterminatedQuote: quote != nil))
    }

    /// The first placeholder among the unquoted words: `...`, `[--option]`, `a|b` alternatives,
    /// `path/to`, or an upper-case name standing for a value (`FILE`, `PATH`, `SPEC`, `N`, `tcp://HEAD:5555`).
    static func placeholder(in words: [(word: String, quoted: Bool)], unterminatedQuote: Bool) -> String? {
        if unterminatedQuote { return "an unterminated quote" }
        for (word, quoted) in words where !quoted {
            if word.contains("...") { return "'...'" }
            if word.hasPrefix("[") || word.hasSuffix("]") { return "optional part '\(word)'" }
            if word.contains("|") { return "alternatives '\(word)'" }
            if word.contains("path/to") { return "'\(word)'" }
            if word.contains("<") || word.contains(">") { return "'\(word)'" }
            if let match = word.firstMatch(of: /(?:^|[^A-Za-z0-9_])([A-Z]+)(?:$|[^A-Za-z0-9_])/) { return "value name '\(match.1)'" }
        }
        return nil
    }

    // MARK: - Running

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Runs the built `planner` (the binary `PlannerProcess` finds) in `directory`, killing it after
    /// `timeoutSeconds`. Synchronous on purpose, like `PlannerProcess.run`: the suite's other process
    /// tests block the cooperative threads, and an awaiting test could wait minutes to be resumed.
    static func run(_ arguments: [String], in directory: URL, timeoutSeconds: Double) throws -> Outcome {
        let process = Process()
        process.executableURL = PlannerProcess.executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        // Both streams go to files, so a chatty example can never block on a full pipe.
        let outURL = directory.appendingPathComponent(".stdout-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent(".stderr-\(UUID().uuidString)")
        for url in [outURL, errURL] { _ = FileManager.default.createFile(atPath: url.path, contents: nil) }
        defer { for url in [outURL, errURL] { try? FileManager.default.removeItem(at: url) } }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        let start = Date()
        try process.run()
        if exited.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            return Outcome(status: -1, stdout: "", stderr: "killed after \(timeoutSeconds) s", seconds: Date().timeIntervalSince(start))
        }
        let read = { (url: URL) in String(decoding: FileManager.default.contents(atPath: url.path) ?? Data(), as: UTF8.self) }
        return Outcome(status: process.terminationStatus, stdout: read(outURL), stderr: read(errURL),
                       seconds: Date().timeIntervalSince(start))
    }

    /// The contents of the README's ```yaml blocks, in order.
    static func yamlBlocks(inMarkdown markdown: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if current == nil, trimmed == "```yaml" { current = [] } else if let lines = current {
                if trimmed.hasPrefix("```") { blocks.append(lines.joined(separator: "\n") + "\n"); current = nil } else { current = lines + [line] }
            }
        }
        return blocks
    }

    /// A scratch folder holding `examples/` and the input files the README's examples name.
    static func scratchDirectory(readme: String = "") throws -> URL {
        let files = FileManager.default
        let directory = files.temporaryDirectory.appendingPathComponent("planner-readme-\(UUID().uuidString)")
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        try files.copyItem(at: packageRoot.appendingPathComponent("examples"), to: directory.appendingPathComponent("examples"))
        let fixtures = packageRoot.appendingPathComponent("Tests/PlannerFormatsTests/Fixtures")
        let measured = try JSONSerialization.jsonObject(with: Data(contentsOf: fixtures.appendingPathComponent("measured_public.json")))
        let points = try #require(measured as? [[String: Any]], "measured_public.json is an array of points")
        // `measured.json`: the public points measured with a fixed batch (static batching): the whole
        // file takes 20 s in debug, its serving points running through the simulator.
        let staticPoints = points.filter { !($0["batch_size"] is NSNull) && $0["concurrency"] is NSNull }
        try write(staticPoints, to: directory.appendingPathComponent("measured.json"))
        // `h100-points.json`: the public H100 points, what the calibrate section's figures are measured on.
        let h100Points = points.filter { ($0["hardware"] as? String)?.contains("H100") == true }
        try write(h100Points, to: directory.appendingPathComponent("h100-points.json"))
        // `compare.yaml`: the README's compare example ("the YAML above").
        if let compare = yamlBlocks(inMarkdown: readme).first(where: { $0.contains("\nconfigurations:\n") }) {
            try compare.write(to: directory.appendingPathComponent("compare.yaml"), atomically: true, encoding: .utf8)
        }
        #expect(staticPoints.count >= 5 && h100Points.count >= 10, "fixture subsets: \(staticPoints.count) static, \(h100Points.count) H100 points")
        return directory
    }

    static func write(_ points: [[String: Any]], to url: URL) throws {
        try JSONSerialization.data(withJSONObject: points, options: [.prettyPrinted, .sortedKeys]).write(to: url)
    }

    // MARK: - Tests

    @Test func extractionJoinsContinuationsAndSkipsPlaceholders() {
        let markdown = """
        ```bash
        planner estimate e2e --model llama3_8b \\
            --bits fp8   # joined
        planner estimate e2e --hardware-json '{"Flops": 989, "ICN": 450}'  # exit 1 when it fails
        planner sweep SPEC [--threads N]
        planner fleet w.yaml --profile default|genz
        planner calibrate --points a.json ...
        planner estimate --model path/to/config.json
        planner worker --connect tcp://HEAD:5555
        echo not planner
        ```
        ```
        planner models
        ```
        """
        let examples = Self.examples(inMarkdown: markdown)
        #expect(examples.map(\.line) == [2, 4, 5, 6, 7, 8, 9])
        #expect(examples[0].arguments == ["estimate", "e2e", "--model", "llama3_8b", "--bits", "fp8"])
        #expect(examples[0].comment == "joined" && examples[0].placeholder == nil && examples[0].expectedStatus == 0)
        #expect(examples[1].arguments.last == #"{"Flops": 989, "ICN": 450}"#)
        #expect(examples[1].placeholder == nil && examples[1].expectedStatus == 1)
        #expect(examples[2...].allSatisfy { $0.placeholder != nil })
        #expect(examples[2].placeholder == "value name 'SPEC'")
        #expect(examples[6].placeholder == "value name 'HEAD'")
    }

    @Test func runnerReportsFailuresAndStopsAHangingExample() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let invalid = try Self.run(["estimate", "e2e", "--batch-size", "-1"], in: directory, timeoutSeconds: 20)
        #expect(invalid.status == 1 && invalid.stderr.contains("batch_size"), "\(invalid.stderr)")
        // A worker with no coordinator retries for ever: the watchdog must end it.
        let hanging = try Self.run(["worker", "--connect", "tcp://127.0.0.1:9"], in: directory, timeoutSeconds: 1)
        #expect(hanging.status == -1 && hanging.seconds < 10, "status \(hanging.status) after \(hanging.seconds) s")
    }

    @Test func everyReadmeExampleRunsAsWritten() throws {
        let started = Date()
        let markdown = try String(contentsOf: Self.readmeURL, encoding: .utf8)
        let examples = Self.examples(inMarkdown: markdown)
        let directory = try Self.scratchDirectory(readme: markdown)
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("compare.yaml").path),
                "the README's compare YAML (a ```yaml block with `configurations:`) is missing")
        defer { try? FileManager.default.removeItem(at: directory) }
        var ran: [String] = []
        var skipped: [String] = []
        var slowest = (seconds: 0.0, line: 0)
        for example in examples {
            if let reason = example.placeholder {
                skipped.append("README:\(example.line) placeholder \(reason)")
                continue
            }
            if let entry = Self.longRunning.first(where: { entry in entry.prefix.allSatisfy(example.arguments.contains) && example.arguments.first == entry.prefix.first }) {
                skipped.append("README:\(example.line) allow-listed: \(entry.reason)")
                continue
            }
            let outcome = try Self.run(example.arguments, in: directory, timeoutSeconds: 45)
            ran.append("README:\(example.line) exit \(outcome.status) in \(String(format: "%.2f", outcome.seconds)) s")
            if outcome.seconds > slowest.seconds { slowest = (outcome.seconds, example.line) }
            #expect(outcome.status == example.expectedStatus,
                    "README line \(example.line): `\(example.text)` exited \(outcome.status), expected \(example.expectedStatus): \(outcome.stderr.prefix(600))")
        }
        print("README examples: \(ran.count) run, \(skipped.count) skipped in \(String(format: "%.1f", Date().timeIntervalSince(started))) s (slowest \(String(format: "%.2f", slowest.seconds)) s, line \(slowest.line))")
        for line in ran + skipped { print("  \(line)") }
        #expect(ran.count > skipped.count, "most README examples must run as written: \(ran.count) run, \(skipped.count) skipped")
        #expect(ran.count >= 15, "the README should keep at least 15 runnable planner examples, found \(ran.count)")
    }
}
