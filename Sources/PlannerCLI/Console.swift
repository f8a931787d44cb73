import ArgumentParser
import Foundation
import PlannerCore
import PlannerFormats
import Synchronization

/// Terminal and file I/O shared by the commands.
enum Console {
    /// Writes `text` and a newline to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Rewrites the progress line on standard error (`final` ends it with a newline).
    /// On a terminal the line is redrawn in place (carriage return, erase line); into a file or pipe
    /// (`--progress` with standard error redirected) it is a plain line, at most one per second
    /// (the final one always), with no control characters.
    static func progress(_ line: String, final: Bool) {
        if isatty(2) == 1 {
            FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (final ? "\n" : "")).utf8))
            return
        }
        let now = DispatchTime.now().uptimeNanoseconds
        let due = lastPlainProgress.withLock { last -> Bool in
            guard final || last == 0 || now - last >= 1_000_000_000 else { return false }
            last = now
            return true
        }
        if due { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }

    /// When the last plain progress line was written (uptime ns; 0: never).
    static let lastPlainProgress = Mutex<UInt64>(0)

    /// Reads a whole text file, or standard input for `-`.
    static func readText(_ path: String, field: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        return try readFile(path, field: field)
    }

    /// Reads a Hugging Face `config.json` (or any file the formats layer asks for) as a planner error.
    static func readModelFile(_ path: String) throws(PlannerError) -> String {
        try readFile(path, field: "model config")
    }

    /// Reads a whole file; a file that cannot be read is ``PlannerError/unreadableFile(field:path:reason:)``
    /// saying why: no such file, a directory, or permission denied.
    static func readFile(_ path: String, field: String) throws(PlannerError) -> String {
        if let data = FileManager.default.contents(atPath: path) { return String(decoding: data, as: UTF8.self) }
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "no such file"
        } else if isDirectory.boolValue {
            reason = "it is a directory"
        } else if !FileManager.default.isReadableFile(atPath: path) {
            reason = "permission denied"
        } else {
            reason = "the file could not be read"
        }
        throw .unreadableFile(field: field, path: path, reason: reason)
    }

    /// Parses a JSON file, naming the file and the position of a syntax error.
    static func readJSON(_ path: String, field: String) throws -> JSONValue {
        let text = try readText(path, field: field)
        do {
            return try JSONValue.parse(text)
        } catch {
            throw CLIError.message("malformed JSON in \(field) file '\(path)': \(error)")
        }
    }
}

/// An error the CLI reports as `error: ...` with exit code 1.
enum CLIError: Error, CustomStringConvertible {
    case message(String)
    var description: String {
        switch self { case let .message(text): text }
    }
}

/// Runs `body`, turning planner errors into `error: ...` on stderr and exit code 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as PlannerError {
        Console.error("error: \(error)")
        throw ExitCode(1)
    } catch let error as CLIError {
        Console.error("error: \(error)")
        throw ExitCode(1)
    }
}
