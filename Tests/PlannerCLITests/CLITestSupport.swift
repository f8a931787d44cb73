import Foundation
import PlannerFormats

/// Runs the built `planner` executable as a user would, capturing its output and exit status.
enum PlannerProcess {
    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output parsed as JSON (nil when it is not JSON).
        var json: JSONValue? { try? JSONValue.parse(stdout) }
    }

    /// The `planner` binary next to the test bundle (SwiftPM builds both into the same folder).
    static let executable: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("planner"),
            Bundle.main.bundleURL.appendingPathComponent("planner"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("planner"),
        ]
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let fallbacks = ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/planner") }
        return (candidates + fallbacks).first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }()

    /// Runs `planner` with `arguments` (and optional standard input) and waits for it.
    static func run(_ arguments: [String], stdin: String? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        // Standard error goes to a file so that neither stream can fill a pipe and block the child.
        let errPath = NSTemporaryDirectory() + "planner-test-\(UUID().uuidString).stderr"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer { try? err.close() }
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                       stderr: String(decoding: errData, as: UTF8.self))
    }

    /// A fresh temporary file holding `text`.
    static func temporaryFile(_ text: String, suffix: String = ".json") throws -> String {
        let path = NSTemporaryDirectory() + "planner-test-\(UUID().uuidString)\(suffix)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
