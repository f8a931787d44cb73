import PlannerCore
import PlannerFormats
import Testing

/// TensorRT-LLM's options YAML parses to known LLM-API options; the launch JSON and shell text; the
/// fleet reports' launch lines.
struct LaunchOutputTests {
    /// `kv_cache_config.dtype`-style paths with their scalar values (as text).
    static func flatten(_ value: JSONValue, prefix: String = "") -> [(path: String, value: String)] {
        guard let members = value.objectMembers else { return [(prefix, value.stringValue ?? value.serialized())] }
        return members.flatMap { key, inner in flatten(inner, prefix: prefix.isEmpty ? key : prefix + "." + key) }
    }

    @Test(arguments: EngineLaunch.Role.allCases)
    func trtllmOptionsAreKnownLLMAPIOptions(role: EngineLaunch.Role) throws {
        let layouts = [Parallelism(tensor: 8), Parallelism(expert: 8, dataParallel: 8), Parallelism(tensor: 2, pipeline: 2, expert: 2)]
        for layout in layouts {
            for (bits, kv, chunked) in [(Precision.bf16, Precision?.none, false), (.fp8, .fp8, true), (.f32, nil, true), (.fp4, .bf16, false)] {
                let line = try EngineLaunch.make(EngineLaunch.Request(
                    engine: .trtllm, model: "deepseek-ai/DeepSeek-R1", isMoE: true, layout: layout, weightPrecision: bits, kvPrecision: kv,
                    maxRunningRequests: 512, maxBatchedTokens: 8192, memoryFraction: 0.85, chunkedPrefill: chunked, maxModelLength: 4096,
                    role: role))
                let yaml = try #require(line.extraOptionsYAML)
                let document = try Documents.parse(yaml, source: "extra_llm_api_options.yaml")
                let entries = Self.flatten(document)
                #expect(!entries.isEmpty)
                for (path, value) in entries {
                    let allowed = EngineLaunch.trtllmOptionKeys[path]
                    #expect(allowed != nil, "unknown TensorRT-LLM option \(path)")
                    if let choices = allowed ?? nil {
                        #expect(choices.contains(value), "\(path): \(value)")
                    } else {
                        let fraction = Double(value) ?? -1
                        #expect(fraction > 0 && fraction <= 1, "\(path): \(value)")
                    }
                }
                #expect(entries.contains { $0.path == "kv_cache_config.free_gpu_memory_fraction" && $0.value == "0.85" })
                #expect(entries.contains { $0.path == "enable_attention_dp" } == layout.attentionDataParallel)
                #expect(entries.contains { $0.path == "cache_transceiver_config.backend" } == (role != .aggregated))
            }
        }
    }

    @Test func launchJSONAndShellText() throws {
        let request = EngineLaunch.Request(engine: .trtllm, model: "/models/my model", isMoE: false, layout: Parallelism(tensor: 2),
                                           weightPrecision: .bf16, maxRunningRequests: 64, maxBatchedTokens: 8192, memoryFraction: 0.9,
                                           chunkedPrefill: false, maxModelLength: 2048)
        let line = try EngineLaunch.make(request)
        let json = LaunchOutput.json(.success(line), engine: .trtllm)
        #expect(json["argv"]?.arrayValue?.compactMap(\.stringValue) == line.argv)
        #expect(json["command"]?.stringValue == line.command && line.command.contains("'/models/my model'"))
        #expect(json["extra_llm_api_options"]?["yaml"]?.stringValue == line.extraOptionsYAML)
        let text = LaunchOutput.shellText(.success(line), engine: .trtllm)
        #expect(text == "cat > extra_llm_api_options.yaml <<'EOF'\n\(line.extraOptionsYAML ?? "")EOF\n\(line.command)\n")
        let failure = LaunchOutput.Outcome.failure(.invalidValue(field: "bits", value: "int2", allowed: "x"))
        #expect(LaunchOutput.json(failure, engine: .vllm)["error"]?.stringValue?.contains("bits") == true)
        #expect(LaunchOutput.shellText(failure, engine: .vllm).hasPrefix("# vllm: no launch line: invalid bits"))
        #expect(LaunchOutput.modelArguments(workload: try Documents.parse("models: [DeepSeek-R1, {hidden_size: 1}]", source: "w"))
            == ["DeepSeek-R1", nil])
        #expect(LaunchOutput.modelArguments(workload: try Documents.parse("model: /a/config.json", source: "w")) == ["/a/config.json"])
    }

    @Test func fleetReportsWithAndWithoutLaunchLines() throws {
        let plan = try FleetFormatsTests.plan()
        let launch = FleetLaunch(engine: .vllm, workload: plan.workload, given: ["llama2_70b"])
        // Without launch settings the reports are as before.
        #expect(FleetReport.json(plan)["launch_engine"] == .null)
        #expect(FleetReport.json(plan)["options"]?.arrayValue?.first?["launch"] == nil)
        #expect(!FleetReport.markdown(plan).contains("Launch lines"))
        let json = FleetReport.json(plan, launch: launch)
        #expect(json["launch_engine"]?.stringValue == "vllm")
        for option in try #require(json["options"]?.arrayValue) {
            let words = option["launch"]?["argv"]?.arrayValue?.compactMap { $0.stringValue }
            let argv = try #require(words)
            try EngineLaunch.check(argv: argv, engine: .vllm)
            #expect(argv[2] == "meta-llama/Llama-2-70b-hf")
        }
        let csv = FleetReport.csv(plan, launch: launch).split(separator: "\r\n")
        #expect(csv.first?.hasSuffix(",launch_command") == true && csv.dropFirst().allSatisfy { $0.contains("vllm serve") })
        let html = FleetHTML.render(plan, launch: launch)
        #expect(html.contains("<h2>Launch lines (vllm)</h2>") && html.contains("<pre><code>vllm serve meta-llama/Llama-2-70b-hf"))
        // TensorRT-LLM: a line for every NVIDIA option, an error naming the hardware for the MI300X ones.
        let trtllm = FleetLaunch(engine: .trtllm, workload: plan.workload, given: ["llama2_70b"])
        for option in plan.options {
            let outcome = trtllm.line(option, workload: plan.workload)
            if option.hardwareName == "MI300X" {
                #expect(throws: PlannerError.self) { try outcome.get() }
                #expect(LaunchOutput.json(outcome, engine: .trtllm)["error"]?.stringValue?.contains("invalid hardware") == true)
            } else {
                try EngineLaunch.check(argv: try outcome.get().argv, engine: .trtllm)
            }
        }
        #expect(plan.options.contains { $0.hardwareName == "MI300X" } && plan.options.contains { $0.hardwareName != "MI300X" })
        // A catalog model with no known repository: every option says why instead of a line.
        let unknown = FleetLaunch(engine: .sglang, workload: plan.workload, given: ["google/gemma-7B"])
        let errors = FleetReport.json(plan, launch: unknown)["options"]?.arrayValue?.map { $0["launch"]?["error"]?.stringValue ?? "" } ?? []
        #expect(!errors.isEmpty && errors.allSatisfy { $0.contains("invalid model 'google/gemma-7B'") })
        #expect(FleetReport.markdown(plan, launch: unknown).contains("# sglang: no launch line: invalid model"))
    }
}
