import PlannerCore
import Testing

/// Engine launch lines: every flag from the engine's cited table with a well-formed value, layouts
/// mapped to the right flags, quoting that round-trips, and bad inputs refused naming the field.
struct EngineLaunchTests {
    static func request(_ engine: SchedulerConfig.Engine, model: String = "meta-llama/Llama-3.1-70B-Instruct", moe: Bool = false,
                        layout: Parallelism = Parallelism(tensor: 4), bits: Precision = .bf16, kv: Precision? = nil,
                        running: Int = 256, tokens: Int = 8192, fraction: Double = 0.9, length: Int = 4608,
                        role: EngineLaunch.Role = .aggregated) -> EngineLaunch.Request {
        EngineLaunch.Request(engine: engine, model: model, isMoE: moe, modelContextLimit: 131_072, layout: layout, weightPrecision: bits,
                             kvPrecision: kv, maxRunningRequests: running, maxBatchedTokens: tokens, memoryFraction: fraction,
                             chunkedPrefill: engine != .trtllm, maxModelLength: length, role: role)
    }

    /// The value following `flag` in `argv` (nil when absent).
    static func value(_ argv: [String], _ flag: String) -> String? {
        guard let index = argv.firstIndex(of: flag), index + 1 < argv.count else { return nil }
        return argv[index + 1]
    }

    /// The line split back from its shell text, checked against the engine's flag table.
    static func parsed(_ line: EngineLaunch.Line) throws -> [String] {
        let words = try EngineLaunch.shellSplit(line.command)
        #expect(words == line.argv)
        try EngineLaunch.check(argv: words, engine: line.engine)
        return words
    }

    @Test(arguments: EngineLaunch.engines, EngineLaunch.Role.allCases)
    func everyFlagIsKnownAndWellFormed(engine: SchedulerConfig.Engine, role: EngineLaunch.Role) throws {
        let layouts = [Parallelism(tensor: 8), Parallelism(tensor: 2, pipeline: 2), Parallelism(tensor: 2, expert: 4),
                       Parallelism(tensor: 1, expert: 8, dataParallel: 8)]
        for layout in layouts {
            for (bits, kv) in [(Precision.bf16, nil), (.fp8, Precision.fp8), (.int4, .bf16), (.f32, nil)] {
                let line = try EngineLaunch.make(Self.request(engine, moe: true, layout: layout, bits: bits, kv: kv, role: role))
                _ = try Self.parsed(line)
                #expect((engine == .trtllm) == (line.extraOptionsYAML != nil))
            }
        }
    }

    @Test func theCheckCatchesUnknownFlagsAndBadValues() throws {
        let good = try EngineLaunch.make(Self.request(.vllm)).argv
        try EngineLaunch.check(argv: good, engine: .vllm)
        for bad in [good + ["--tp", "4"], good + ["--gpu-memory-utilization", "1.5"], good + ["--max-num-seqs", "0"],
                    good + ["--kv-cache-dtype", "int8"], good + ["--enable-expert-parallel", "--enable-expert-parallel"],
                    Array(good.dropLast()), ["vllm", "serve", "--port", "1"], ["python", "-m", "x"]] {
            #expect(throws: PlannerError.self) { try EngineLaunch.check(argv: bad, engine: .vllm) }
        }
        #expect(throws: PlannerError.self) { try EngineLaunch.check(argv: good, engine: .sglang) }
        let sglang = try EngineLaunch.make(Self.request(.sglang)).argv
        #expect(throws: PlannerError.self) { try EngineLaunch.check(argv: sglang + ["--tensor-parallel-size", "2"], engine: .sglang) }
        #expect(throws: PlannerError.self) { try EngineLaunch.check(argv: sglang + ["--port", "70000"], engine: .sglang) }
    }

    @Test func denseTensorAndPipelineParallel() throws {
        let vllm = try EngineLaunch.make(Self.request(.vllm, layout: Parallelism(tensor: 4, pipeline: 2))).argv
        #expect(Array(vllm.prefix(3)) == ["vllm", "serve", "meta-llama/Llama-3.1-70B-Instruct"])
        #expect(Self.value(vllm, "--tensor-parallel-size") == "4" && Self.value(vllm, "--pipeline-parallel-size") == "2")
        #expect(!vllm.contains("--enable-expert-parallel") && !vllm.contains("--data-parallel-size"))
        #expect(Self.value(vllm, "--max-num-seqs") == "256" && Self.value(vllm, "--max-num-batched-tokens") == "8192")
        #expect(Self.value(vllm, "--gpu-memory-utilization") == "0.9" && Self.value(vllm, "--max-model-len") == "4608")
        #expect(Self.value(vllm, "--dtype") == "bfloat16" && !vllm.contains("--kv-cache-dtype"))
        let sglang = try EngineLaunch.make(Self.request(.sglang, layout: Parallelism(tensor: 4, pipeline: 2), fraction: 0.873)).argv
        #expect(Array(sglang.prefix(3)) == ["python3", "-m", "sglang.launch_server"])
        #expect(Self.value(sglang, "--model-path") == "meta-llama/Llama-3.1-70B-Instruct")
        #expect(Self.value(sglang, "--tp-size") == "4" && Self.value(sglang, "--pp-size") == "2")
        #expect(Self.value(sglang, "--mem-fraction-static") == "0.873" && Self.value(sglang, "--chunked-prefill-size") == "8192")
        #expect(Self.value(sglang, "--max-running-requests") == "256" && Self.value(sglang, "--context-length") == "4608")
        let trtllm = try EngineLaunch.make(Self.request(.trtllm, layout: Parallelism(tensor: 4, pipeline: 2)))
        #expect(Array(trtllm.argv.prefix(2)) == ["trtllm-serve", "meta-llama/Llama-3.1-70B-Instruct"])
        #expect(Self.value(trtllm.argv, "--tp_size") == "4" && Self.value(trtllm.argv, "--pp_size") == "2")
        #expect(Self.value(trtllm.argv, "--max_batch_size") == "256" && Self.value(trtllm.argv, "--max_seq_len") == "4608")
        #expect(Self.value(trtllm.argv, "--kv_cache_free_gpu_memory_fraction") == "0.9")
        #expect(Self.value(trtllm.argv, "--extra_llm_api_options") == EngineLaunch.trtllmOptionsFile)
        #expect(trtllm.extraOptionsYAML == "kv_cache_config:\n  free_gpu_memory_fraction: 0.9\n")
    }

    @Test func expertParallelInsideTensorGroups() throws {
        let layout = Parallelism(tensor: 2, expert: 4)
        let vllm = try EngineLaunch.make(Self.request(.vllm, moe: true, layout: layout))
        #expect(Self.value(vllm.argv, "--tensor-parallel-size") == "8" && vllm.argv.contains("--enable-expert-parallel"))
        #expect(vllm.notes.contains { $0.contains("whole experts over all 8 ranks") })
        let sglang = try EngineLaunch.make(Self.request(.sglang, moe: true, layout: layout)).argv
        #expect(Self.value(sglang, "--tp-size") == "8" && Self.value(sglang, "--ep-size") == "4" && !sglang.contains("--enable-dp-attention"))
        let trtllm = try EngineLaunch.make(Self.request(.trtllm, moe: true, layout: layout)).argv
        #expect(Self.value(trtllm, "--tp_size") == "8" && Self.value(trtllm, "--ep_size") == "4")
    }

    /// DeepSeek-R1 on 8 H200 with attention DP 8 (experts over all 8), as SGLang and NVIDIA publish it.
    @Test func deepSeekR1AttentionDataParallelOnEightH200() throws {
        let spec = try ModelCatalog.model(named: "deepseek-ai/DeepSeek-R1")
        let model = try EngineLaunch.modelArgument(for: "deepseek-ai/DeepSeek-R1")
        #expect(model == "deepseek-ai/DeepSeek-R1")
        let hardware = try HardwareCatalog.hardware(named: "H200")
        let layout = Parallelism(tensor: 1, expert: 8, dataParallel: 8)
        func line(_ engine: SchedulerConfig.Engine) throws -> EngineLaunch.Line {
            try EngineLaunch.make(EngineLaunch.Request(
                scheduler: SchedulerConfig.defaults(engine, hardware: hardware, parallelism: layout), model: model, spec: spec, layout: layout,
                weightPrecision: .fp8, kvPrecision: nil, maxRunningRequests: 1024, maxModelLength: 2048 + 1024))
        }
        let sglang = try line(.sglang)
        let words = try Self.parsed(sglang)
        #expect(Self.value(words, "--tp-size") == "8" && Self.value(words, "--dp-size") == "8" && words.contains("--enable-dp-attention"))
        #expect(Self.value(words, "--ep-size") == "8" && Self.value(words, "--max-running-requests") == "1024")
        #expect(Self.value(words, "--quantization") == "fp8" && Self.value(words, "--kv-cache-dtype") == "fp8_e4m3")
        let vllm = try line(.vllm).argv
        #expect(Self.value(vllm, "--data-parallel-size") == "8" && Self.value(vllm, "--tensor-parallel-size") == "1")
        #expect(vllm.contains("--enable-expert-parallel") && Self.value(vllm, "--max-num-seqs") == "128")
        let trtllm = try line(.trtllm)
        #expect(Self.value(trtllm.argv, "--tp_size") == "8" && Self.value(trtllm.argv, "--ep_size") == "8")
        #expect(Self.value(trtllm.argv, "--max_batch_size") == "128")
        #expect(trtllm.extraOptionsYAML?.contains("enable_attention_dp: true\n") == true)
        #expect(trtllm.extraOptionsYAML?.contains("kv_cache_config:\n  free_gpu_memory_fraction: 0.9\n  dtype: fp8\n") == true)
        // Attention DP 4 with TP 2: SGLang's attention TP is tp / dp.
        let wide = Parallelism(tensor: 2, dataParallel: 4)
        let sglangTP2 = try EngineLaunch.make(Self.request(.sglang, moe: true, layout: wide)).argv
        #expect(Self.value(sglangTP2, "--tp-size") == "8" && Self.value(sglangTP2, "--dp-size") == "4" && Self.value(sglangTP2, "--ep-size") == "8")
    }

    @Test func precisionsAndTheirFlags() throws {
        let fp8 = try EngineLaunch.make(Self.request(.vllm, bits: .fp8))
        // The KV cache follows the weights unless kv_bits says otherwise, as planner sized it.
        #expect(Self.value(fp8.argv, "--quantization") == "fp8" && Self.value(fp8.argv, "--kv-cache-dtype") == "fp8")
        let fp8Weights = try EngineLaunch.make(Self.request(.vllm, bits: .fp8, kv: .bf16)).argv
        #expect(Self.value(fp8Weights, "--quantization") == "fp8" && !fp8Weights.contains("--kv-cache-dtype"))
        let fp8KV = try EngineLaunch.make(Self.request(.vllm, bits: .bf16, kv: .fp8)).argv
        #expect(Self.value(fp8KV, "--kv-cache-dtype") == "fp8" && !fp8KV.contains("--quantization"))
        let int4 = try EngineLaunch.make(Self.request(.sglang, bits: .int4, kv: .bf16))
        #expect(Self.value(int4.argv, "--dtype") == "auto" && !int4.argv.contains("--quantization"))
        #expect(int4.notes.contains { $0.contains("int4 weights have no sglang flag") })
        let f32 = try EngineLaunch.make(Self.request(.trtllm, bits: .f32))
        #expect(f32.extraOptionsYAML?.hasPrefix("dtype: float32\n") == true)
        for engine in EngineLaunch.engines {
            #expect(throws: PlannerError.invalidValue(field: "bits", value: "int2", allowed: Self.allowedText(engine, bits: true))) {
                try EngineLaunch.make(Self.request(engine, bits: .int2))
            }
            #expect(throws: PlannerError.self) { try EngineLaunch.make(Self.request(engine, bits: .bf16, kv: .int8)) }
            #expect(throws: PlannerError.self) { try EngineLaunch.make(Self.request(engine, bits: .bf16, kv: .f32)) }
        }
    }

    static func allowedText(_ engine: SchedulerConfig.Engine, bits: Bool) -> String {
        engine == .trtllm ? "for trtllm: f32, bf16, or fp8, int8, int4, fp4 (a pre-quantized checkpoint)"
            : "for \(engine.rawValue): f32, bf16, fp8 (--quantization fp8), int8, int4 or fp4 (a pre-quantized checkpoint)"
    }

    @Test func disaggregationRoles() throws {
        let sglang = try EngineLaunch.make(Self.request(.sglang, role: .prefill)).argv
        #expect(Self.value(sglang, "--disaggregation-mode") == "prefill" && Self.value(sglang, "--disaggregation-transfer-backend") == "mooncake")
        let decode = try EngineLaunch.make(Self.request(.sglang, role: .decode)).argv
        #expect(Self.value(decode, "--disaggregation-mode") == "decode")
        let vllm = try EngineLaunch.make(Self.request(.vllm, role: .decode)).argv
        #expect(Self.value(vllm, "--kv-transfer-config") == #"{"kv_connector":"NixlConnector","kv_role":"kv_both"}"#)
        #expect(!(try EngineLaunch.make(Self.request(.vllm)).argv.contains("--kv-transfer-config")))
        let trtllm = try EngineLaunch.make(Self.request(.trtllm, role: .prefill))
        #expect(trtllm.extraOptionsYAML?.contains("cache_transceiver_config:\n  backend: DEFAULT\n") == true)
        #expect(trtllm.extraOptionsYAML?.contains("disable_overlap_scheduler: true\n") == true)
        #expect(try EngineLaunch.make(Self.request(.trtllm, role: .decode)).extraOptionsYAML?.contains("disable_overlap_scheduler") == false)
    }

    @Test func oddModelPathsRoundTrip() throws {
        for path in ["/models/my model", "/models/it's", "/m/\"q\"/x", "/m/$HOME/`x`", "/m/a;b&c|d", "/m/tab\there", "/m/ünï", "~/m", "./rel dir"] {
            for engine in EngineLaunch.engines {
                let line = try EngineLaunch.make(Self.request(engine, model: path))
                #expect(try EngineLaunch.shellSplit(line.command) == line.argv, "\(path) on \(engine)")
                #expect(line.argv.contains(path))
            }
        }
        #expect(EngineLaunch.shellQuote("it's") == #"'it'\''s'"#)
        #expect(EngineLaunch.shellQuote("meta-llama/Llama-3.1-8B") == "meta-llama/Llama-3.1-8B")
        #expect(EngineLaunch.shellQuote("") == "''")
        #expect(try EngineLaunch.shellSplit(#"a "b \"c\" \$d" 'e f'\ g"#) == ["a", #"b "c" $d"#, "e f g"])
        for bad in ["'open", "\"open", "a $HOME", "a; rm", "trailing\\"] {
            #expect(throws: PlannerError.self) { try EngineLaunch.shellSplit(bad) }
        }
    }

    @Test func badInputsNameTheField() throws {
        func refuses(_ field: String, _ request: EngineLaunch.Request) {
            do {
                _ = try EngineLaunch.make(request)
                Issue.record("accepted a bad \(field)")
            } catch {
                switch error {
                case let .invalidValue(name, _, _), let .invalidParallelism(name, _, _): #expect(name == field)
                default: Issue.record("\(error)")
                }
            }
        }
        refuses("port", Self.request(.vllm).with { $0.port = 0 })
        refuses("port", Self.request(.sglang).with { $0.port = 65536 })
        refuses("memory_fraction", Self.request(.vllm, fraction: 0))
        refuses("memory_fraction", Self.request(.sglang, fraction: .nan))
        refuses("max_running_requests", Self.request(.trtllm, running: 0))
        refuses("max_batched_tokens", Self.request(.vllm, tokens: 0))
        refuses("max_model_len", Self.request(.vllm, length: 200_000))
        refuses("max_model_len", Self.request(.vllm, length: 0))
        refuses("model", Self.request(.vllm, model: ""))
        refuses("model", Self.request(.vllm, model: "a\nb"))
        refuses("model", Self.request(.trtllm, model: "--help"))
        refuses("engine", Self.request(.static))
        refuses("expert_parallel", Self.request(.vllm, moe: false, layout: Parallelism(tensor: 2, expert: 2)))
        refuses("data_parallel", Self.request(.sglang, moe: false, layout: Parallelism(dataParallel: 8)))
        refuses("expert_parallel", Self.request(.sglang, moe: true, layout: Parallelism(tensor: 2, expert: 4, dataParallel: 4)))
        refuses("pipeline_parallel", Self.request(.vllm, moe: true, layout: Parallelism(pipeline: 2, dataParallel: 4)))
        refuses("tensor_parallel", Self.request(.trtllm, moe: true, layout: Parallelism(tensor: 2, dataParallel: 4)))
        refuses("tensor_parallel", Self.request(.vllm, layout: Parallelism(tensor: 0)))
        refuses("hardware", Self.request(.trtllm).with { $0.hardwareFamily = .amdCDNA3 })
        #expect(throws: Never.self) { try EngineLaunch.make(Self.request(.vllm).with { $0.hardwareFamily = .amdCDNA3 }) }
        #expect(throws: Never.self) { try EngineLaunch.make(Self.request(.trtllm).with { $0.hardwareFamily = .nvidiaHopper }) }
        #expect(throws: PlannerError.invalidValue(field: "launch", value: "tgi", allowed: EngineLaunch.engineNames)) {
            try EngineLaunch.engine(named: "tgi")
        }
    }

    @Test func catalogModelsBecomeRepositories() throws {
        #expect(try EngineLaunch.modelArgument(for: "DeepSeek-R1") == "deepseek-ai/DeepSeek-R1")
        #expect(try EngineLaunch.modelArgument(for: "deepseek-ai/deepseek-v3") == "deepseek-ai/DeepSeek-V3")
        #expect(try EngineLaunch.modelArgument(for: "llama2_70b") == "meta-llama/Llama-2-70b-hf")
        #expect(try EngineLaunch.modelArgument(for: "Llama-3.1-70B-Instruct") == "meta-llama/Llama-3.1-70B-Instruct")
        #expect(try EngineLaunch.modelArgument(for: "Qwen3-30B-A3B") == "Qwen/Qwen3-30B-A3B")
        #expect(try EngineLaunch.modelArgument(for: "mistralai/Mixtral-8x7B") == "mistralai/Mixtral-8x7B-v0.1")
        #expect(try EngineLaunch.modelArgument(for: "/data/llama/config.json") == "/data/llama")
        #expect(try EngineLaunch.modelArgument(for: "config.json") == ".")
        #expect(try EngineLaunch.modelArgument(for: "/srv/my-local-model") == "/srv/my-local-model")
        #expect(throws: PlannerError.self) { try EngineLaunch.modelArgument(for: "openai/GPT-4") }
        for key in ModelCatalog.lookupKeys {
            if let repository = ModelCatalog.huggingFaceRepository(forKey: key) {
                #expect(repository.split(separator: "/").count == 2 && !repository.contains(" "), "\(key) -> \(repository)")
            }
        }
    }

    @Test func recommendAndFleetPlansReproduceTheAssumedKnobs() throws {
        let options = LayoutSearch.Options(
            model: try ModelCatalog.model(named: "llama3_8b"), hardware: try HardwareCatalog.hardware(named: "H100_80GB"), devices: 2,
            inputTokens: 1024, outputTokens: 256, serving: .continuous(statistic: .mean))
        let result = try LayoutSearch.run(options)
        let candidate = try #require(result.candidates.first)
        for engine in EngineLaunch.engines {
            let line = try EngineLaunch.line(for: candidate, options: options, engine: engine, model: "meta-llama/Meta-Llama-3-8B")
            let scheduler = SchedulerConfig.defaults(engine, hardware: options.hardware, parallelism: candidate.layout)
            let words = try Self.parsed(line)
            let (running, tokens, fraction, length) = switch engine {
            case .vllm: ("--max-num-seqs", "--max-num-batched-tokens", "--gpu-memory-utilization", "--max-model-len")
            case .sglang: ("--max-running-requests", "--chunked-prefill-size", "--mem-fraction-static", "--context-length")
            default: ("--max_batch_size", "--max_num_tokens", "--kv_cache_free_gpu_memory_fraction", "--max_seq_len")
            }
            #expect(Self.value(words, running) == "\(candidate.batchSize)")
            #expect(Self.value(words, tokens) == "\(scheduler.maxBatchedTokens)")
            #expect(Double(Self.value(words, fraction) ?? "") == scheduler.memoryFraction)
            #expect(Self.value(words, length) == "1280")
        }
        #expect(throws: PlannerError.self) { try EngineLaunch.line(for: candidate, options: options, engine: .static, model: "m") }
    }
}

extension EngineLaunch.Request {
    func with(_ change: (inout Self) -> Void) -> Self {
        var copy = self
        change(&copy)
        return copy
    }
}
