/// Launch lines for what `recommend` and `fleet` produce: the engine's scheduler defaults as planner
/// assumed them (``SchedulerConfig/defaults(_:hardware:parallelism:)``), the plan's running batch as
/// the engine's running-request limit, and the longest request as the context length.
extension EngineLaunch {
    /// The model argument of a launch line for what the user gave as the model: a `config.json` path
    /// becomes its folder (the engines load a model folder, whose `config.json` planner read); a
    /// catalog key becomes its Hugging Face repository (``ModelCatalog/huggingFaceRepository(forKey:)``);
    /// anything else (a config's `_name_or_path`, a folder) is passed as is.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming `model` for a catalog
    ///   model with no known repository.
    public static func modelArgument(for given: String) throws(PlannerError) -> String {
        if given.lowercased().hasSuffix(".json") {
            guard let slash = given.lastIndex(of: "/") else { return "." }
            let folder = String(given[..<slash])
            return folder.isEmpty ? "/" : folder
        }
        if let repository = ModelCatalog.huggingFaceRepository(forKey: given) { return repository }
        if (try? ModelCatalog.model(named: given)) != nil {
            throw .invalidValue(field: "model", value: given,
                                allowed: "a catalog model with a known Hugging Face repository for a launch line, or its config.json path "
                                    + "(the folder holding it is launched); give the repository or folder with --launch-model")
        }
        return given
    }

    /// The launch line of a recommended configuration: `candidate`'s layout, precision and batch
    /// (per replica) with `engine`'s defaults on the search's hardware, the search's prompt plus
    /// output tokens as the context length.
    public static func line(for candidate: LayoutSearch.Candidate, options: LayoutSearch.Options, engine: SchedulerConfig.Engine,
                            model: String, port: Int = defaultPort) throws(PlannerError) -> Line {
        guard engines.contains(engine) else {
            throw .invalidValue(field: "engine", value: engine.rawValue, allowed: engineNames + " (static batching has no server)")
        }
        let scheduler = SchedulerConfig.defaults(engine, hardware: options.hardware, parallelism: candidate.layout)
        return try make(Request(
            scheduler: scheduler, model: model, spec: options.model, layout: candidate.layout, weightPrecision: candidate.precision,
            kvPrecision: options.kvPrecision, maxRunningRequests: max(candidate.batchSize, 1),
            maxModelLength: options.inputTokens + options.outputTokens, port: port, hardwareFamily: options.hardware.family))
    }

    /// The launch line of a fleet option: its layout, precision and operating batch with `engine`'s
    /// defaults on its hardware, the longest prompt plus the longest output as the context length.
    /// - Precondition: the option's indices are inside `workload`'s models and hardware.
    public static func line(for option: FleetOption, workload: FleetWorkload, engine: SchedulerConfig.Engine, model: String,
                            port: Int = defaultPort) throws(PlannerError) -> Line {
        guard engines.contains(engine) else {
            throw .invalidValue(field: "engine", value: engine.rawValue, allowed: engineNames + " (static batching has no server)")
        }
        let hardware = workload.hardware[option.hardwareIndex].spec
        let scheduler = SchedulerConfig.defaults(engine, hardware: hardware, parallelism: option.layout)
        return try make(Request(
            scheduler: scheduler, model: model, spec: workload.models[option.modelIndex], layout: option.layout,
            weightPrecision: option.precision, kvPrecision: workload.kvPrecision, maxRunningRequests: max(option.batchSize, 1),
            maxModelLength: workload.inputTokens.largestTokens + workload.outputTokens.largestTokens, port: port,
            hardwareFamily: hardware.family))
    }
}
