public import PlannerCore

/// Reads request traces (CSV or JSON Lines) into ``TraceRequest``s for the serving simulator.
///
/// Column layouts (the header row of a CSV, the keys of each JSON object), matched case-insensitively:
/// - Azure LLM inference traces (https://github.com/Azure/AzurePublicDataset, AzureLLMInferenceDataset2023):
///   `TIMESTAMP,ContextTokens,GeneratedTokens`, the time as `YYYY-MM-DD HH:MM:SS[.fraction]` (UTC);
/// - BurstGPT (https://github.com/HPMLL/BurstGPT): `Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type`,
///   the time in seconds (`Model`, `Total tokens` and `Log Type` are read and ignored);
/// - plain: `arrival_s,input_tokens,output_tokens`, the time in seconds.
///
/// Times are shifted so that the first request arrives at 0 and must not decrease; token counts must
/// be whole numbers in 1...``TokenDistribution/maxTokens`` (BurstGPT's failed requests, with 0
/// response tokens, are errors: remove them first). Every error names the line, the column, the value
/// and what is allowed.
public enum TraceInput {
    /// A column layout.
    struct Layout {
        var name: String
        var time: String
        var input: String
        var output: String
        var ignored: [String]
        var dateTime: Bool
        /// Column names as the layout's files spell them (time, input, output).
        var spelling: (time: String, input: String, output: String)
    }

    static let layouts = [
        Layout(name: "Azure LLM inference", time: "timestamp", input: "contexttokens", output: "generatedtokens", ignored: [], dateTime: true,
               spelling: ("TIMESTAMP", "ContextTokens", "GeneratedTokens")),
        Layout(name: "BurstGPT", time: "timestamp", input: "request tokens", output: "response tokens",
               ignored: ["model", "total tokens", "log type"], dateTime: false,
               spelling: ("Timestamp", "Request tokens", "Response tokens")),
        Layout(name: "plain", time: "arrival_s", input: "input_tokens", output: "output_tokens", ignored: [], dateTime: false,
               spelling: ("arrival_s", "input_tokens", "output_tokens")),
    ]

    /// The accepted layouts, for messages.
    public static let acceptedLayouts = "TIMESTAMP,ContextTokens,GeneratedTokens (Azure); "
        + "Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type (BurstGPT); arrival_s,input_tokens,output_tokens"

    /// Parses a trace: JSON Lines when the first non-blank character is `{`, else CSV with a header row.
    /// - Parameter source: the file name, for messages.
    /// - Throws: ``PlannerError`` naming the line and column.
    public static func parse(_ text: String, source: String) throws(PlannerError) -> [TraceRequest] {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        let first = lines.firstIndex { !$0.allSatisfy { $0 == " " || $0 == "\t" } }
        guard let first else { throw .malformedInput(source: source, reason: "the trace is empty (expected a header: \(acceptedLayouts))") }
        var rows: [(line: Int, time: String, input: String, output: String)] = []
        let layout: Layout
        if lines[first].drop(while: { $0 == " " || $0 == "\t" }).first == "{" {
            var detected: Layout?
            for (offset, line) in lines.enumerated().dropFirst(first) where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                let value: JSONValue
                do { value = try JSONValue.parse(line) } catch {
                    throw .malformedInput(source: source, reason: "line \(offset + 1): JSON \(error)")
                }
                guard let members = value.objectMembers else {
                    throw .malformedInput(source: source, reason: "line \(offset + 1): expected a JSON object, found \(value.typeName)")
                }
                let keys = members.map { $0.0 }
                let current = try self.layout(for: keys, source: source, line: offset + 1)
                if let detected, detected.name != current.name {
                    throw .malformedInput(source: source, reason: "line \(offset + 1): keys of the \(current.name) layout after \(detected.name) lines")
                }
                detected = current
                func field(_ name: String) -> String {
                    guard let entry = members.first(where: { $0.0.lowercased() == name })?.1 else { return "" }
                    return entry.stringValue ?? entry.serialized()
                }
                rows.append((offset + 1, field(current.time), field(current.input), field(current.output)))
            }
            guard let detected else { throw .malformedInput(source: source, reason: "the trace has no request") }
            layout = detected
        } else {
            let header = try splitCSV(lines[first], source: source, line: first + 1)
            layout = try self.layout(for: header, source: source, line: first + 1)
            let lower = header.map { $0.trimmed.lowercased() }
            guard let t = lower.firstIndex(of: layout.time), let i = lower.firstIndex(of: layout.input),
                  let o = lower.firstIndex(of: layout.output) else {
                throw .malformedInput(source: source, reason: "line \(first + 1): missing columns of the \(layout.name) layout")
            }
            for (offset, line) in lines.enumerated().dropFirst(first + 1) where !line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                let cells = try splitCSV(line, source: source, line: offset + 1)
                if cells.count != header.count {
                    throw .invalidValue(field: "\(source) line \(offset + 1)", value: "\(cells.count) columns",
                                        allowed: "\(header.count) columns, as the header")
                }
                rows.append((offset + 1, cells[t], cells[i], cells[o]))
            }
        }
        if rows.isEmpty { throw .malformedInput(source: source, reason: "the trace has a header but no request") }
        if rows.count > SimulationSetup.maxRequests {
            throw .invalidValue(field: "\(source) rows", value: "\(rows.count)", allowed: "at most \(SimulationSetup.maxRequests) requests")
        }
        var requests: [TraceRequest] = []
        requests.reserveCapacity(rows.count)
        var origin = 0.0
        var previous = -Double.infinity
        let timeColumn = layout.spelling.time
        for (index, row) in rows.enumerated() {
            let raw = row.time.trimmed
            let seconds: Double
            if layout.dateTime, let parsed = dateTimeSeconds(raw) {
                seconds = parsed
            } else if !layout.dateTime, let parsed = Double(raw), parsed.isFinite {
                seconds = parsed
            } else {
                throw .invalidValue(field: "\(source) line \(row.line) \(timeColumn)", value: raw,
                                    allowed: layout.dateTime ? "a time YYYY-MM-DD HH:MM:SS[.fraction]" : "a finite number of seconds")
            }
            if index == 0 { origin = seconds }
            if seconds < previous {
                throw .invalidValue(field: "\(source) line \(row.line) \(timeColumn)", value: raw,
                                    allowed: "a time not before the previous request's (arrival times must not decrease)")
            }
            previous = seconds
            func tokens(_ text: String, _ column: String) throws(PlannerError) -> Int {
                let trimmed = text.trimmed
                guard let value = Int(trimmed) ?? Double(trimmed).flatMap({ $0 == $0.rounded() && abs($0) < 1e15 ? Int($0) : nil }),
                      value >= 1, value <= TokenDistribution.maxTokens else {
                    let hint = layout.name == "BurstGPT" && trimmed == "0" ? " (BurstGPT logs failed requests with 0 tokens: remove them)" : ""
                    throw .invalidValue(field: "\(source) line \(row.line) \(column)", value: trimmed,
                                        allowed: "a whole number of tokens in 1...\(TokenDistribution.maxTokens)" + hint)
                }
                return value
            }
            requests.append(TraceRequest(arrivalSeconds: seconds - origin, inputTokens: try tokens(row.input, layout.spelling.input),
                                         outputTokens: try tokens(row.output, layout.spelling.output)))
        }
        return requests
    }

    /// The layout whose columns are exactly `columns` (plus its ignored ones).
    static func layout(for columns: [String], source: String, line: Int) throws(PlannerError) -> Layout {
        let lower = columns.map { $0.trimmed.lowercased() }
        for layout in layouts where lower.contains(layout.input) && lower.contains(layout.output) && lower.contains(layout.time) {
            let known = [layout.time, layout.input, layout.output] + layout.ignored
            if let unknown = columns.first(where: { !known.contains($0.trimmed.lowercased()) }) {
                throw .invalidValue(field: "\(source) line \(line) column", value: unknown.trimmed,
                                    allowed: "the columns of the \(layout.name) layout: " + known.joined(separator: ", "))
            }
            if let duplicate = lower.enumerated().first(where: { lower.firstIndex(of: $0.element) != $0.offset }) {
                throw .invalidValue(field: "\(source) line \(line) column", value: columns[duplicate.offset].trimmed, allowed: "each column once")
            }
            return layout
        }
        if let unknown = columns.first(where: { column in !layouts.contains { layout in
            ([layout.time, layout.input, layout.output] + layout.ignored).contains(column.trimmed.lowercased()) } }) {
            throw .invalidValue(field: "\(source) line \(line) column", value: unknown.trimmed, allowed: "a layout: \(acceptedLayouts)")
        }
        throw .invalidValue(field: "\(source) line \(line) columns", value: columns.map(\.trimmed).joined(separator: ","),
                            allowed: "a layout: \(acceptedLayouts)")
    }

    /// Splits one CSV line (double-quoted cells may hold commas; "" is a quote).
    static func splitCSV(_ line: String, source: String, line number: Int) throws(PlannerError) -> [String] {
        var cells: [String] = []
        var current = ""
        var quoted = false
        var iterator = line.makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" { current.append("\"") } else { quoted = false; pending = next }
                    } else { quoted = false }
                } else { current.append(character) }
            } else if character == "\"" && current.trimmed.isEmpty {
                quoted = true
                current = ""
            } else if character == "," {
                cells.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if quoted { throw .malformedInput(source: source, reason: "line \(number): unterminated quoted cell") }
        cells.append(current)
        return cells
    }

    /// Seconds since 1970-01-01 of `YYYY-MM-DD HH:MM:SS[.fraction]` (also with `T` and a trailing `Z`),
    /// or nil when malformed.
    static func dateTimeSeconds(_ text: String) -> Double? {
        var body = Substring(text)
        if body.hasSuffix("Z") { body = body.dropLast() }
        let parts = body.split(whereSeparator: { $0 == " " || $0 == "T" })
        guard parts.count == 2 else { return nil }
        let date = parts[0].split(separator: "-"), clock = parts[1].split(separator: ":")
        guard date.count == 3, clock.count == 3, let year = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
              let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Double(clock[2]),
              (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
              second >= 0, second < 61 else { return nil }
        // Days from civil (Howard Hinnant's algorithm, http://howardhinnant.github.io/date_algorithms.html).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Double(days) * 86_400 + Double(hour * 3600 + minute * 60) + second
    }
}

fileprivate extension String {
    var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
