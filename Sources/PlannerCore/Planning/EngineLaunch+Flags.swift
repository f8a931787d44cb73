/// The engines' flag tables, POSIX shell quoting and splitting, and the check of an argv against a table.
extension EngineLaunch {
    /// What a flag takes.
    public enum FlagValue: Sendable, Hashable {
        /// Nothing (a switch).
        case none
        /// A whole number >= 1.
        case positiveInteger
        /// A port, 1...65535.
        case port
        /// A decimal in (0, 1].
        case fraction
        /// One of these words.
        case choice([String])
        /// A JSON object (`{...}`).
        case jsonObject
        /// Any non-empty text (a path, a repository id).
        case text
    }

    /// The flags launch lines may use, with the value each takes. Checked against the sources:
    /// - vllm: `vllm/engine/arg_utils.py` (EngineArgs.add_cli_args; vllm-project/vllm at
    ///   99d7eb5d6a512cfcc5a2b104f24ebf2d6cda772b, the v0.11 line: `--tensor-parallel-size`,
    ///   `--pipeline-parallel-size`, `--data-parallel-size`, `--enable-expert-parallel`, `--dtype`,
    ///   `--quantization`, `--kv-cache-dtype`, `--max-num-seqs`, `--max-num-batched-tokens`,
    ///   `--gpu-memory-utilization`, `--max-model-len`, `--kv-transfer-config`); `--kv-cache-dtype`
    ///   choices from `vllm/config/cache.py` (CacheDType; `auto`, `fp8`, `fp8_e4m3`, `fp8_e5m2` in
    ///   every release since v0.6); `--dtype` choices from ModelDType; `--port` from
    ///   `vllm/entrypoints/openai/cli_args.py`; the model is `vllm serve`'s positional argument.
    /// - sglang: `python/sglang/srt/server_args.py` (ServerArgs.add_cli_args, the v0.4.7 line with
    ///   PD disaggregation): `--model-path`, `--port`, `--tp-size`, `--pp-size`, `--dp-size`,
    ///   `--ep-size`, `--enable-dp-attention`, `--dtype`, `--quantization` (fp8 among its choices),
    ///   `--kv-cache-dtype` (auto, fp8_e5m2, fp8_e4m3), `--max-running-requests`,
    ///   `--chunked-prefill-size`, `--mem-fraction-static`, `--context-length`,
    ///   `--disaggregation-mode` (null, prefill, decode), `--disaggregation-transfer-backend`.
    /// - trtllm: `tensorrt_llm/commands/serve.py` (NVIDIA/TensorRT-LLM at
    ///   00209af149e7774406881a37283dce303571eb11; the 1.0 quick-start recipes use the same flags):
    ///   the positional model, `--backend`, `--port`, `--tp_size`, `--pp_size`, `--ep_size`,
    ///   `--max_batch_size`, `--max_num_tokens`, `--max_seq_len`, `--kv_cache_free_gpu_memory_fraction`,
    ///   `--extra_llm_api_options`. The YAML keys (``trtllmOptionKeys``) are LLM-API options.
    public static func flags(_ engine: SchedulerConfig.Engine) -> [String: FlagValue] {
        switch engine {
        case .vllm:
            return [
                "--port": .port, "--tensor-parallel-size": .positiveInteger, "--pipeline-parallel-size": .positiveInteger,
                "--data-parallel-size": .positiveInteger, "--enable-expert-parallel": .none,
                "--dtype": .choice(["auto", "half", "float16", "bfloat16", "float", "float32"]),
                "--quantization": .choice(["fp8"]), "--kv-cache-dtype": .choice(["auto", "fp8", "fp8_e4m3", "fp8_e5m2"]),
                "--max-num-seqs": .positiveInteger, "--max-num-batched-tokens": .positiveInteger,
                "--gpu-memory-utilization": .fraction, "--max-model-len": .positiveInteger, "--kv-transfer-config": .jsonObject,
            ]
        case .sglang:
            return [
                "--model-path": .text, "--port": .port, "--tp-size": .positiveInteger, "--pp-size": .positiveInteger,
                "--dp-size": .positiveInteger, "--ep-size": .positiveInteger, "--enable-dp-attention": .none,
                "--dtype": .choice(["auto", "half", "float16", "bfloat16", "float", "float32"]),
                "--quantization": .choice(["fp8"]), "--kv-cache-dtype": .choice(["auto", "fp8_e5m2", "fp8_e4m3"]),
                "--max-running-requests": .positiveInteger, "--chunked-prefill-size": .positiveInteger,
                "--mem-fraction-static": .fraction, "--context-length": .positiveInteger,
                "--disaggregation-mode": .choice(["null", "prefill", "decode"]),
                "--disaggregation-transfer-backend": .choice(["mooncake", "nixl"]),
            ]
        case .trtllm:
            return [
                "--backend": .choice(["pytorch"]), "--port": .port, "--tp_size": .positiveInteger, "--pp_size": .positiveInteger,
                "--ep_size": .positiveInteger, "--max_batch_size": .positiveInteger, "--max_num_tokens": .positiveInteger,
                "--max_seq_len": .positiveInteger, "--kv_cache_free_gpu_memory_fraction": .fraction,
                "--extra_llm_api_options": .text,
            ]
        case .static:
            return [:]
        }
    }

    /// TensorRT-LLM LLM-API options the YAML may hold (`tensorrt_llm/llmapi/llm_args.py`:
    /// `enable_attention_dp`, `dtype`, `enable_chunked_prefill`, `disable_overlap_scheduler`,
    /// KvCacheConfig `free_gpu_memory_fraction` and `dtype`, CacheTransceiverConfig `backend`;
    /// docs/source/features/parallel-strategy.md, quantization.md and disagg-serving.md), as
    /// dotted paths with their allowed values (nil: a fraction).
    public static let trtllmOptionKeys: [String: [String]?] = [
        "enable_attention_dp": ["true"], "dtype": ["float32"], "enable_chunked_prefill": ["true"],
        "disable_overlap_scheduler": ["true"], "kv_cache_config.free_gpu_memory_fraction": nil,
        "kv_cache_config.dtype": ["fp8"], "cache_transceiver_config.backend": ["DEFAULT", "UCX", "NIXL", "MPI"],
    ]

    /// The words that start each engine's command (the model follows vLLM's and TensorRT-LLM's).
    public static func program(_ engine: SchedulerConfig.Engine) -> [String] {
        switch engine {
        case .vllm: ["vllm", "serve"]
        case .sglang: ["python3", "-m", "sglang.launch_server"]
        case .trtllm: ["trtllm-serve"]
        case .static: []
        }
    }

    /// Checks an argv: the engine's program, the model (positional for vLLM and TensorRT-LLM,
    /// `--model-path` for SGLang), and every other word a known flag with a well-formed value, each
    /// flag once.
    /// - Throws: ``PlannerError/invalidValue(field:value:allowed:)`` naming the flag (or `argv`).
    public static func check(argv: [String], engine: SchedulerConfig.Engine) throws(PlannerError) {
        let program = program(engine)
        guard !program.isEmpty, argv.count >= program.count, Array(argv.prefix(program.count)) == program else {
            throw .invalidValue(field: "argv", value: argv.prefix(3).joined(separator: " "), allowed: "a command starting \(program.joined(separator: " "))")
        }
        var index = program.count
        if engine != .sglang {
            guard index < argv.count, !argv[index].hasPrefix("-"), !argv[index].isEmpty else {
                throw .missingField(field: "model", context: "the \(engine.rawValue) command (its first argument)")
            }
            index += 1
        }
        let table = flags(engine)
        var seen = Set<String>()
        while index < argv.count {
            let flag = argv[index]
            guard let kind = table[flag] else {
                throw .invalidValue(field: "flag", value: flag, allowed: "for \(engine.rawValue): " + table.keys.sorted().joined(separator: ", "))
            }
            guard seen.insert(flag).inserted else {
                throw .invalidValue(field: flag, value: "repeated", allowed: "each flag once")
            }
            index += 1
            if kind == .none { continue }
            guard index < argv.count else { throw .missingField(field: flag, context: "the \(engine.rawValue) command (a value)") }
            try checkValue(argv[index], kind: kind, flag: flag)
            index += 1
        }
        if engine == .sglang && !seen.contains("--model-path") {
            throw .missingField(field: "--model-path", context: "the sglang command")
        }
    }

    static func checkValue(_ value: String, kind: FlagValue, flag: String) throws(PlannerError) {
        switch kind {
        case .none: return
        case .positiveInteger, .port:
            let high = kind == .port ? 65535 : Int.max
            guard value.allSatisfy(\.isASCII), let number = Int(value), number >= 1, number <= high, !value.hasPrefix("+") else {
                throw .invalidValue(field: flag, value: value, allowed: kind == .port ? "a port in 1...65535" : "a whole number >= 1")
            }
        case .fraction:
            guard let number = Double(value), number.isFinite, number > 0, number <= 1,
                  value.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) else {
                throw .invalidValue(field: flag, value: value, allowed: "a decimal in (0, 1]")
            }
        case let .choice(words):
            guard words.contains(value) else { throw .invalidValue(field: flag, value: value, allowed: words.joined(separator: ", ")) }
        case .jsonObject:
            guard value.hasPrefix("{"), value.hasSuffix("}"), !value.contains("\n") else {
                throw .invalidValue(field: flag, value: value, allowed: "a one-line JSON object")
            }
        case .text:
            guard !value.isEmpty, !value.hasPrefix("--") else { throw .invalidValue(field: flag, value: value, allowed: "a non-empty value") }
        }
    }

    /// `word` quoted for a POSIX shell: as is when it holds only `A-Z a-z 0-9 _ @ % + = : , . / -`
    /// (and is not empty), else in single quotes with each `'` written `'\''`.
    public static func shellQuote(_ word: String) -> String {
        let safe = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128 && (scalar.properties.isAlphabetic || ("0"..."9").contains(Character(scalar))))
                || "_@%+=:,./-".unicodeScalars.contains(scalar)
        }
        if safe { return word }
        var out = "'"
        for character in word {
            if character == "'" { out += "'\\''" } else { out.append(character) }
        }
        return out + "'"
    }

    /// Splits a POSIX shell command line into words: blanks separate words; single quotes keep
    /// everything literally; double quotes keep everything but `\` before `$`, `` ` ``, `"`, `\` and
    /// a newline; a `\` outside quotes keeps the next character (and joins lines before a newline).
    /// Expansions (`$`, `` ` ``, globs) are not performed and are refused when unquoted.
    /// - Throws: ``PlannerError/malformedInput(source:reason:)`` for an unterminated quote or an
    ///   unquoted `$`, `` ` ``, `;`, `&`, `|`, `<`, `>`, `(`, `)`, `*`, `?`, `[`, `#` or `~`.
    public static func shellSplit(_ line: String) throws(PlannerError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        let special: Set<Character> = ["$", "`", ";", "&", "|", "<", ">", "(", ")", "*", "?", "[", "#", "~"]
        func fail(_ reason: String) -> PlannerError { .malformedInput(source: "command line", reason: reason) }
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n":
                if inWord { words.append(current); current = ""; inWord = false }
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" { closed = true; break }
                    current.append(next)
                }
                if !closed { throw fail("unterminated single quote") }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" { closed = true; break }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { break }
                        if "$`\"\\".contains(escaped) { current.append(escaped) } else if escaped != "\n" { current += "\\\(escaped)" }
                        continue
                    }
                    if next == "$" || next == "`" { throw fail("expansion '\(next)' inside double quotes") }
                    current.append(next)
                }
                if !closed { throw fail("unterminated double quote") }
            case "\\":
                guard let next = iterator.next() else { throw fail("a trailing backslash") }
                if next != "\n" { current.append(next); inWord = true }
            default:
                if special.contains(character) && !(character == "~" && inWord) && !(character == "#" && inWord) {
                    throw fail("unquoted '\(character)'")
                }
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
