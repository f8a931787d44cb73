import Foundation
import PlannerCore
import PlannerFormats
import Testing

/// Launch lines in `recommend` (JSON and `--launch` under the table) and in every `fleet` report.
struct LaunchCommandTests {
    /// The argv of a launch object, checked: the command splits back to it and every flag is in the engine's table.
    static func checkedArgv(_ launch: JSONValue?, engine: SchedulerConfig.Engine) throws -> [String] {
        let words = launch?["argv"]?.arrayValue?.compactMap { $0.stringValue }
        let argv = try #require(words)
        let command = try #require(launch?["command"]?.stringValue)
        #expect(try EngineLaunch.shellSplit(command) == argv)
        try EngineLaunch.check(argv: argv, engine: engine)
        return argv
    }

    static func value(_ argv: [String], _ flag: String) -> String? {
        guard let index = argv.firstIndex(of: flag), index + 1 < argv.count else { return nil }
        return argv[index + 1]
    }

    @Test func recommendJSONCarriesEveryEnginesLine() throws {
        let outcome = try PlannerProcess.run(["recommend", "--model", "Llama-3.1-8B-Instruct", "--hardware", "H100_80GB", "--devices", "2",
                                              "--input-tokens", "1024", "--output-tokens", "128", "--top", "3", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let candidates = try #require(outcome.json?.arrayValue)
        #expect(candidates.count == 3)
        for candidate in candidates {
            let launch = candidate["launch"]
            for engine in EngineLaunch.engines {
                let argv = try Self.checkedArgv(launch?[engine.rawValue], engine: engine)
                #expect(argv.contains("meta-llama/Llama-3.1-8B-Instruct"))
                let batch = "\(candidate["batch_size"]?.intValue ?? -1)"
                let running = engine == .vllm ? "--max-num-seqs" : engine == .sglang ? "--max-running-requests" : "--max_batch_size"
                #expect(Self.value(argv, running) == batch)
                let tp = engine == .vllm ? "--tensor-parallel-size" : engine == .sglang ? "--tp-size" : "--tp_size"
                #expect(Self.value(argv, tp) == "\(candidate["tensor_parallel"]?.intValue ?? -1)")
            }
            #expect(launch?["trtllm"]?["extra_llm_api_options"]?["yaml"]?.stringValue?.contains("free_gpu_memory_fraction") == true)
        }
        let narrowed = try PlannerProcess.run(["recommend", "--model", "Llama-3.1-8B-Instruct", "--hardware", "H100_80GB", "--devices", "1",
                                               "--top", "1", "--json", "--launch", "sglang", "--launch-port", "30001"])
        #expect(narrowed.status == 0, "\(narrowed.stderr)")
        let only = try #require(narrowed.json?.arrayValue?.first?["launch"]?.objectMembers)
        #expect(only.map { $0.0 } == ["sglang"])
        #expect(Self.value(try Self.checkedArgv(only.first?.1, engine: .sglang), "--port") == "30001")
    }

    @Test func recommendTablePrintsTheLinesUnderIt() throws {
        let outcome = try PlannerProcess.run(["recommend", "--model", "Qwen3-30B-A3B", "--hardware", "H100_80GB", "--devices", "2",
                                              "--top", "2", "--launch", "trtllm,vllm"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("# #1 on trtllm (one server"))
        #expect(outcome.stdout.contains("# #2 on vllm (one server"))
        #expect(outcome.stdout.contains("cat > extra_llm_api_options.yaml <<'EOF'\n") && outcome.stdout.contains("vllm serve Qwen/Qwen3-30B-A3B "))
        let commands = outcome.stdout.split(separator: "\n").filter { $0.hasPrefix("vllm serve") || $0.hasPrefix("trtllm-serve") }
        #expect(commands.count >= 2)
        for command in commands {
            let argv = try EngineLaunch.shellSplit(String(command))
            try EngineLaunch.check(argv: argv, engine: argv[0] == "vllm" ? .vllm : .trtllm)
        }
    }

    @Test func launchUsageErrorsAndModelsWithoutARepository() throws {
        let unknown = try PlannerProcess.run(["recommend", "--model", "llama3_8b", "--hardware", "H100_80GB", "--devices", "1", "--launch", "tgi"])
        #expect(unknown.status == 64 && unknown.stderr.contains("launch") && unknown.stderr.contains("vllm, sglang, trtllm"))
        let port = try PlannerProcess.run(["recommend", "--model", "llama3_8b", "--hardware", "H100_80GB", "--devices", "1", "--launch-port", "0"])
        #expect(port.status == 64 && port.stderr.contains("--launch-port"))
        // A catalog model with no known repository: the candidates still come, each launch says why and how to fix it.
        let opt = try PlannerProcess.run(["recommend", "--model", "google/gemma-7B", "--hardware", "H100_80GB", "--devices", "1",
                                          "--top", "1", "--json"])
        #expect(opt.status == 0, "\(opt.stderr)")
        let error = opt.json?.arrayValue?.first?["launch"]?["vllm"]?["error"]?.stringValue
        #expect(error?.contains("invalid model") == true && error?.contains("--launch-model") == true)
        let given = try PlannerProcess.run(["recommend", "--model", "google/gemma-7B", "--hardware", "H100_80GB", "--devices", "1",
                                            "--top", "1", "--json", "--launch-model", "/models/gemma 7b"])
        let argv = try Self.checkedArgv(given.json?.arrayValue?.first?["launch"]?["vllm"], engine: .vllm)
        #expect(argv[2] == "/models/gemma 7b")
    }

    @Test func fleetReportsCarryALinePerOption() throws {
        let folder = NSTemporaryDirectory() + "planner launch \(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = folder + "/config.json"
        try ModelResolverTests.config.write(toFile: config, atomically: true, encoding: .utf8)
        let workload = try PlannerProcess.temporaryFile("""
            models: [Llama-3.1-8B-Instruct, "\(config)"]
            rate_rps: 5
            input_tokens: {mean: 800, p99: 3000}
            output_tokens: 200
            slo: {ttft_p99_ms: 3000, tpot_p99_ms: 60}
            hardware: [H100_80GB]
            """, suffix: ".yaml")
        let out = NSTemporaryDirectory() + "planner-launch-\(UUID().uuidString)"
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify", "1", "--verify-engine", "sglang"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let report = try JSONValue.parse(try String(contentsOfFile: out + "/report.json", encoding: .utf8))
        #expect(report["launch_engine"]?.stringValue == "sglang")
        let options = try #require(report["options"]?.arrayValue)
        var models = Set<String>()
        for option in options {
            let argv = try Self.checkedArgv(option["launch"], engine: .sglang)
            models.insert(Self.value(argv, "--model-path") ?? "")
            #expect(Self.value(argv, "--max-running-requests") == "\(option["batch_size"]?.intValue ?? -1)")
            #expect(Self.value(argv, "--context-length") == "3200")
        }
        #expect(models == ["meta-llama/Llama-3.1-8B-Instruct", folder])
        let markdown = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        #expect(markdown.contains("## Launch lines (sglang)") && markdown.contains("```sh\npython3 -m sglang.launch_server"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("<h2>Launch lines (sglang)</h2>") && html.contains("<pre><code>python3 -m sglang.launch_server"))
        #expect(html.contains(FleetHTML.escape(EngineLaunch.shellQuote(folder))))
        let csv = try String(contentsOfFile: out + "/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").first?.hasSuffix(",launch_command") == true)

        // TensorRT-LLM: the options file's YAML in report.json; static verification has no server, so no lines.
        let trtllm = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify", "0", "--verify-engine", "trtllm", "--json"])
        #expect(trtllm.status == 0, "\(trtllm.stderr)")
        let first = trtllm.json?["options"]?.arrayValue?.first?["launch"]
        _ = try Self.checkedArgv(first, engine: .trtllm)
        #expect(first?["extra_llm_api_options"]?["file"]?.stringValue == EngineLaunch.trtllmOptionsFile)
        let none = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify", "0", "--verify-engine", "static", "--json"])
        #expect(none.status == 0 && none.json?["launch_engine"] == .null && none.json?["options"]?.arrayValue?.first?["launch"] == nil)
    }
}
