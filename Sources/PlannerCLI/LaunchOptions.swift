import ArgumentParser
import PlannerCore
import PlannerFormats

/// `recommend`'s launch-line options: which engines, the model argument and the port.
struct LaunchOptions: ParsableArguments {
    @Option(name: .customLong("launch"), help: """
        Engine launch lines: vllm, sglang, trtllm, a comma-separated list, or all. The table prints them under it for the \
        first \(LaunchOptions.printedCandidates) candidates; --json carries a `launch` object per candidate (all three engines \
        unless --launch narrows them).
        """)
    var engines: String?
    @Option(name: .customLong("launch-model"), help: "Model argument of the launch lines (a Hugging Face repository or a model folder; default: from --model).")
    var model: String?
    @Option(name: .customLong("launch-port"), parsing: .unconditional, help: "HTTP port in the launch lines.")
    var port = EngineLaunch.defaultPort

    /// Candidates whose launch lines the table prints.
    static let printedCandidates = 3

    func validate() throws {
        do { _ = try selectedEngines() } catch { throw ValidationError("\(error)") }
        if port < 1 || port > 65535 { throw ValidationError("--launch-port \(port): allowed 1...65535") }
        if let model, model.isEmpty { throw ValidationError("--launch-model must not be empty") }
    }

    /// The engines named by `--launch` (nil: not given).
    func selectedEngines() throws(PlannerError) -> [SchedulerConfig.Engine]? {
        guard let engines else { return nil }
        if engines.lowercased() == "all" { return EngineLaunch.engines }
        var result: [SchedulerConfig.Engine] = []
        for name in engines.split(separator: ",", omittingEmptySubsequences: false) {
            let engine = try EngineLaunch.engine(named: String(name).trimmingSpaces, field: "launch")
            if !result.contains(engine) { result.append(engine) }
        }
        if result.isEmpty { throw .invalidValue(field: "launch", value: engines, allowed: EngineLaunch.engineNames + ", or all") }
        return result
    }

    /// Each engine's line for `candidate` (the model argument resolved once per call).
    func lines(_ candidate: LayoutSearch.Candidate, options: LayoutSearch.Options, givenModel: String,
               engines: [SchedulerConfig.Engine]) -> [(engine: SchedulerConfig.Engine, outcome: LaunchOutput.Outcome)] {
        let argument = Result { () throws(PlannerError) -> String in
            if let model { return model }
            return try EngineLaunch.modelArgument(for: givenModel)
        }
        return engines.map { engine in
            let outcome = argument.flatMap { model in
                Result { () throws(PlannerError) -> EngineLaunch.Line in
                    try EngineLaunch.line(for: candidate, options: options, engine: engine, model: model, port: port)
                }
            }
            return (engine, outcome)
        }
    }

    /// The text printed under the table: each of the first candidates' lines per engine.
    func printedText(_ candidates: [LayoutSearch.Candidate], options: LayoutSearch.Options, givenModel: String,
                     engines: [SchedulerConfig.Engine]) -> String {
        var out = ""
        for (position, candidate) in candidates.prefix(Self.printedCandidates).enumerated() {
            for (engine, outcome) in lines(candidate, options: options, givenModel: givenModel, engines: engines) {
                let servers = candidate.replicas == 1 ? "one server" : "one server per replica, \(candidate.replicas) replicas"
                out += "\n# #\(position + 1) on \(engine.rawValue) (\(servers))\n" + LaunchOutput.shellText(outcome, engine: engine)
            }
        }
        return out
    }
}

private extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
