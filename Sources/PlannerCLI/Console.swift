import ArgumentParser
import Foundation
import PlannerCore
import PlannerFormats

/// Terminal and file I/O shared by the commands.
enum Console {
    /// Writes `text` and a newline to standard error.
    static func error(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Rewrites the progress line on standard error (`final` ends it with a newline).
    static func progress(_ line: String, final: Bool) {
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + (final ? "\n" : "")).utf8))
    }

    /// Reads a whole text file, or standard input for `-`.
    static func readText(_ path: String, field: String) throws -> String {
        if path == "-" {
            return String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError.message("cannot read \(field) file '\(path)': no such file or not readable")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Reads a Hugging Face `config.json` (or any file the formats layer asks for) as a planner error.
    static func readModelFile(_ path: String) throws(PlannerError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .malformedInput(source: path, reason: "cannot read the model config file: no such file or not readable")
        }
        return String(decoding: data, as: UTF8.self)
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
