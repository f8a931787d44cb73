import PlannerCore
import PlannerFormats

extension Planner.Recommend {
    /// `recommend --serving disaggregated|auto`: both pools (and, with auto, the aggregated layouts)
    /// simulated with the engine's scheduler, the x:y ratio searched on the device budget.
    func runDisaggregated() throws {
        guard let ttft = maxTtftMs, let tpot = maxTpotMs else {
            throw PlannerError.missingField(field: "max-ttft-ms and max-tpot-ms", context: "--serving \(serving.rawValue) (both pools are sized to the targets)")
        }
        let precisions = try parsePrecisions(bits)
        guard precisions.count == 1, let precision = precisions.first else {
            throw PlannerError.invalidValue(field: "bits", value: bits, allowed: "one precision with --serving \(serving.rawValue)")
        }
        guard let (_, statistic) = ServiceLevelObjectives.parseKey("ttft_\(sloStatistic)_ms"), case let .percentile(percent) = statistic else {
            throw PlannerError.invalidValue(field: "slo-statistic", value: sloStatistic,
                                            allowed: "a whole percentile p1...p100 with --serving \(serving.rawValue), e.g. p90, p99")
        }
        let options = Disaggregation.Options(
            model: try Inputs.model(.string(model), readFile: Console.readModelFile),
            hardware: try resolveHardware(name: hardware, json: hardwareJSON, file: hardwareFile), precision: precision,
            kvPrecision: try EstimateRequest.parseKVPrecision(kvBits), devices: devices, inputTokens: inputTokens,
            outputTokens: outputTokens, ttftTargetMs: ttft, tpotTargetMs: tpot, attainment: percent / 100,
            engine: try SchedulerConfig.engine(named: engine), requestsPerSimulation: simulationRequests)
        let result = try Disaggregation.search(options)
        if verbose {
            for (reason, count) in result.skipped.sorted(by: { $0.key < $1.key }) { Console.error("skipped \(count): \(reason)") }
        }
        if result.disaggregated.isEmpty && (serving == .disaggregated || result.aggregated.isEmpty) {
            throw CLIError.message("no \(serving == .auto ? "" : "disaggregated ")deployment of \(options.model.name) on \(devices) x "
                + "\(options.hardware.name) meets TTFT \(ttft) ms and TPOT \(tpot) ms at \(sloStatistic) (use -v for the reasons)")
        }
        let includeAggregated = serving == .auto
        if json {
            print(DisaggregationOutput.json(result, top: top, includeAggregated: includeAggregated).serialized(indent: 2))
        } else {
            print(DisaggregationOutput.text(result, modelName: options.model.name, hardwareName: options.hardware.name,
                                            statistic: sloStatistic, top: top, includeAggregated: includeAggregated))
        }
    }
}
