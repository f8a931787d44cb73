public import PlannerCore

/// Engine launch lines in the outputs: the JSON object of a line, the shell text that starts the
/// server (TensorRT-LLM's options file written first), and the fleet reports' launch settings.
public enum LaunchOutput {
    /// A line, or why there is none.
    public typealias Outcome = Result<EngineLaunch.Line, PlannerError>

    /// `{engine, role, argv, command, extra_llm_api_options: {file, yaml} | null, notes}`, or
    /// `{engine, error}` when the engine cannot launch the configuration.
    public static func json(_ outcome: Outcome, engine: SchedulerConfig.Engine) -> JSONValue {
        switch outcome {
        case let .success(line):
            var extra = JSONValue.null
            if let yaml = line.extraOptionsYAML, let file = line.extraOptionsFile {
                extra = .object([("file", .string(file)), ("yaml", .string(yaml))])
            }
            return .object([
                ("engine", .string(line.engine.rawValue)), ("role", .string(line.role.rawValue)),
                ("argv", .array(line.argv.map(JSONValue.string))), ("command", .string(line.command)),
                ("extra_llm_api_options", extra), ("notes", .array(line.notes.map(JSONValue.string))),
            ])
        case let .failure(error):
            return .object([("engine", .string(engine.rawValue)), ("error", .string(error.description))])
        }
    }

    /// Shell text that starts the server: for TensorRT-LLM a here-document writing the options file
    /// first, then the command; notes as `#` comments. A failure is one comment line.
    public static func shellText(_ outcome: Outcome, engine: SchedulerConfig.Engine) -> String {
        switch outcome {
        case let .success(line):
            var out = ""
            if let yaml = line.extraOptionsYAML, let file = line.extraOptionsFile {
                out += "cat > \(EngineLaunch.shellQuote(file)) <<'EOF'\n\(yaml)EOF\n"
            }
            out += line.command + "\n"
            for note in line.notes { out += "# \(note)\n" }
            return out
        case let .failure(error):
            return "# \(engine.rawValue): no launch line: \(error.description.replacing("\n", with: " "))\n"
        }
    }

    /// The `model` or `models` strings of a workload document, one per model in order (nil for an
    /// inline config object), so a launch line names what the user gave (`DeepSeek-R1`, a
    /// config.json path) rather than the catalog's canonical name.
    public static func modelArguments(workload document: JSONValue) -> [String?] {
        let value = document["models"] ?? document["model"]
        switch value {
        case let .array(items)?: return items.map(\.stringValue)
        case let .string(text)?: return [text]
        default: return [nil]
        }
    }
}

/// Which engine the fleet reports give launch lines for, and the model argument of each model.
public struct FleetLaunch: Sendable {
    public var engine: SchedulerConfig.Engine
    /// Per model of the workload (in order): the engine's model argument, or why there is none.
    public var models: [Result<String, PlannerError>]
    public var port: Int

    /// Launch settings for `workload`; `given[i]` is what the user wrote for model `i` (nil: use the
    /// model's name, as for an inline config object).
    public init(engine: SchedulerConfig.Engine, workload: FleetWorkload, given: [String?], port: Int = EngineLaunch.defaultPort) {
        self.engine = engine
        self.port = port
        models = workload.models.enumerated().map { index, spec in
            let text = index < given.count ? given[index] ?? spec.name : spec.name
            return Result { () throws(PlannerError) -> String in try EngineLaunch.modelArgument(for: text) }
        }
    }

    /// The line of one option.
    public func line(_ option: FleetOption, workload: FleetWorkload) -> LaunchOutput.Outcome {
        guard option.modelIndex < models.count else {
            return .failure(.invalidValue(field: "model", value: option.modelName, allowed: "a model of the workload"))
        }
        switch models[option.modelIndex] {
        case let .failure(error): return .failure(error)
        case let .success(model):
            return Result { () throws(PlannerError) -> EngineLaunch.Line in
                try EngineLaunch.line(for: option, workload: workload, engine: engine, model: model, port: port)
            }
        }
    }
}
