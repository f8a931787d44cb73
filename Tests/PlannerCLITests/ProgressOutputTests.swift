import Foundation
import Testing

/// Progress lines written to a file or pipe (`--progress` with standard error redirected): plain
/// lines without terminal control characters.
struct ProgressOutputTests {
    @Test func progressIntoAFileHasNoControlCharacters() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let spec = root.appendingPathComponent("examples/sweep.yaml").path
        let outcome = try PlannerProcess.run(["sweep", spec, "--progress"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("\u{1B}") && !outcome.stderr.contains("\r"), "\(outcome.stderr.debugDescription)")
        let lines = outcome.stderr.split(separator: "\n").filter { $0.hasPrefix("tasks ") }
        #expect(!lines.isEmpty && lines.last?.contains("tasks 64/64") == true, "\(outcome.stderr)")
    }
}

/// A bind the options do not allow is a usage error: lowercase `error:`, exit 64 (README).
struct BindWithoutKeysTests {
    @Test func bindingEverywhereWithoutKeysIsAUsageError() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let outcome = try PlannerProcess.run(["coordinate", root.appendingPathComponent("examples/sweep.yaml").path,
                                              "--bind", "tcp://*:5603", "--local-workers", "0"])
        #expect(outcome.status == 64)
        #expect(outcome.stderr.hasPrefix("error: refusing to bind") && !outcome.stderr.contains("Error:"), "\(outcome.stderr)")
    }
}
