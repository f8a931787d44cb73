import PlannerCore
import PlannerFormats
import Testing

/// Issue 10 ("inputs that trap") and issue 15 item 7 in the input formats: configs with zero sizes,
/// hostile YAML, huge names, empty and repeated list values, unknown keys.
struct InputHardeningTests {
    static func message(_ body: () throws -> Void) -> String? {
        do { try body() } catch { return "\(error)" }
        return nil
    }

    static let llamaConfig: [(String, JSONValue)] = [
        ("architectures", .array([.string("LlamaForCausalLM")])), ("hidden_size", .int(4096)), ("num_hidden_layers", .int(32)),
        ("num_attention_heads", .int(32)), ("num_key_value_heads", .int(8)), ("intermediate_size", .int(11008)),
        ("vocab_size", .int(32000)),
    ]

    static func config(_ key: String, _ value: JSONValue) -> JSONValue {
        var members = llamaConfig.filter { $0.0 != key }
        members.append((key, value))
        return .object(members)
    }

    // MARK: Hugging Face configs

    @Test(arguments: ["num_attention_heads", "num_hidden_layers", "hidden_size", "intermediate_size", "vocab_size",
                      "num_key_value_heads", "head_dim", "max_position_embeddings"])
    func zeroSizesInAConfigNameTheKey(key: String) {
        for value in [JSONValue.int(0), .int(-4), .int(1 << 40)] {
            let text = Self.message { _ = try HuggingFaceConfig.modelSpec(from: Self.config(key, value), source: "inline") }
            guard let text else { Issue.record("\(key) = \(value.serialized()) accepted"); continue }
            #expect(text.contains("invalid \(key) '\(value.serialized())'") && text.contains("an integer in 1..."), "\(text)")
        }
    }

    @Test func zeroExpertsAndLatentRanksNameTheKey() throws {
        var mixtral = Self.llamaConfig.filter { $0.0 != "architectures" }
        mixtral += [("architectures", .array([.string("MixtralForCausalLM")])), ("num_local_experts", .int(0)), ("num_experts_per_tok", .int(2))]
        let text = Self.message { _ = try HuggingFaceConfig.modelSpec(from: .object(mixtral), source: "inline") }
        #expect(text?.contains("invalid num_local_experts '0'") == true, "\(String(describing: text))")
    }

    @Test func theInlineConfigOfIssue10IsAnErrorNotATrap() {
        // hidden_size % num_attention_heads divided by zero before the sizes were checked.
        let text = Self.message {
            _ = try Inputs.estimateCase(.object([("id", .string("x")), ("model", Self.config("num_attention_heads", .int(0)))]), index: 0)
        }
        #expect(text?.contains("num_attention_heads") == true)
    }

    // MARK: Names and suggestions

    @Test func aTenMegabyteNameIsAnsweredAtOnce() {
        let name = String(repeating: "x", count: 10 << 20)
        let clock = ContinuousClock()
        var model: String?
        var hardware: String?
        let elapsed = clock.measure {
            model = Self.message { _ = try ModelCatalog.model(named: name) }
            hardware = Self.message { _ = try HardwareCatalog.hardware(named: name) }
        }
        #expect(elapsed < .seconds(2), "\(elapsed)")
        #expect(model?.hasPrefix("unknown model 'xxxx") == true && model?.contains("(10485760 bytes)") == true)
        #expect((model?.utf8.count ?? .max) < 400 && (hardware?.utf8.count ?? .max) < 600)
        #expect(NameSuggestions.closest(to: String(repeating: "l", count: 257), among: ["llama"]).isEmpty)
    }

    @Test func unknownHardwareSuggestsTheClosestPresets() {
        let text = Self.message { _ = try HardwareCatalog.hardware(named: "H100") } ?? ""
        #expect(text.contains("unknown hardware 'H100'; did you mean H100_80GB, H100_GPU"), "\(text)")
        let typo = Self.message { _ = try HardwareCatalog.hardware(named: "MI300") } ?? ""
        #expect(typo.contains("did you mean MI300X"), "\(typo)")
        let far = Self.message { _ = try HardwareCatalog.hardware(named: "quantum-annealer-9000") } ?? ""
        #expect(!far.contains("did you mean") && far.contains("Known hardware: A100_40GB_GPU"), "\(far)")
    }

    @Test func unknownSpecKeysGetADidYouMean() {
        let cases: [(String, () throws -> Void, String)] = [
            ("sweep", { _ = try Inputs.sweepSpec(try Documents.parse("model: llama2_7b\nhardwre: [H100_GPU]\n", source: "s"), source: "s") }, "hardware"),
            ("fleet", { _ = try FleetInput.workload(try Documents.parse("model: llama2_7b\nrate_rsp: 5\nhardware: [H100_80GB]\n", source: "f"), source: "f") },
             "rate_rps"),
            ("compare", { _ = try Inputs.comparison(try Documents.parse("model: llama2_7b\nconfigurations: [{name: a, tensor_paralel: 2}]\n", source: "c"), source: "c") },
             "tensor_parallel"),
            ("case", { _ = try Inputs.hardware(.object([("Flops", .int(1)), ("Memory_sise", .int(1))])) }, "Memory_size"),
        ]
        for (what, body, expected) in cases {
            let text = Self.message(body) ?? ""
            #expect(text.contains("did you mean \(expected)"), "\(what): \(text)")
        }
    }

    // MARK: YAML

    /// The classic "billion laughs": nine levels of nine aliases stand for 9^9 (387 million) strings.
    static let billionLaughs: String = {
        var lines = ["model: llama2_7b", "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
            previous = name
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    @Test func billionLaughsIsRefusedBeforeExpansion() {
        let clock = ContinuousClock()
        var text: String?
        let elapsed = clock.measure { text = Self.message { _ = try Documents.parse(Self.billionLaughs, source: "laughs.yaml") } }
        #expect(elapsed < .seconds(1), "\(elapsed)")
        #expect(text?.contains("laughs.yaml") == true && text?.contains("line 2: anchors (&name) are not accepted") == true, "\(String(describing: text))")
        // Aliases used as mapping keys (hashed by the composer) and a lone alias are refused the same way.
        let keyed = "a: &a [x, y]\nb: {? *a : 1}\n"
        #expect(Self.message { _ = try Documents.parse(keyed, source: "k") }?.contains("anchors") == true)
        #expect(Self.message { _ = try Documents.parse("a: *b\n", source: "k") } != nil)
        #expect(Self.message { _ = try Documents.parse("a: &x 1\n", source: "k") }?.contains("anchors") == true)
    }

    @Test func ampersandsAndStarsInStringsAndCommentsAreText() throws {
        let text = """
            # a comment with &anchor and *alias
            model: "llama2 &7b *x"   # trailing &comment
            note: 'it''s &a *b'
            block: |
              &not_an_anchor *not_an_alias
            plain: a&b*c
            """
        let value = try Documents.parse(text, source: "t")
        #expect(value["model"]?.stringValue == "llama2 &7b *x")
        #expect(value["note"]?.stringValue == "it's &a *b")
        #expect(value["block"]?.stringValue == "&not_an_anchor *not_an_alias\n")
        #expect(value["plain"]?.stringValue == "a&b*c")
    }

    @Test func deepNestingAndSecondDocumentsAreRefused() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(Self.message { _ = try Documents.parse("a: " + deep + "\n", source: "d") }?.contains("nesting deeper than 64") == true)
        // libyaml's own limit (1,000 levels) answers first for deeper documents; the message stays short.
        let deeper = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let text = Self.message { _ = try Documents.parse("a: " + deeper + "\n", source: "d") } ?? ""
        #expect(text.contains("nesting") && text.utf8.count < 3000, "\(text.prefix(300))")
        let blockDeep = (0..<100).map { String(repeating: "  ", count: $0) + "k\($0):" }.joined(separator: "\n") + " 1\n"
        #expect(Self.message { _ = try Documents.parse(blockDeep, source: "d") }?.contains("nesting deeper") == true)
        #expect(Self.message { _ = try Documents.parse("a: 1\n---\nb: 2\n", source: "d") }?.contains("second document") == true)
    }

    // MARK: Lists in specs

    @Test func emptyListsAreErrorsNamingTheKey() {
        for key in ["hardware", "bits", "tensor_parallel", "batch_size", "input_tokens", "profile", "model"] {
            let document = key == "model" ? "model: []\n" : "model: llama2_7b\n\(key): []\n"
            let text = Self.message { _ = try Inputs.sweepSpec(try Documents.parse(document, source: "s"), source: "s") } ?? ""
            #expect(text.contains("invalid \(key) '[]'") && text.contains("non-empty list"), "\(key): \(text)")
        }
        let fleet = Self.message {
            _ = try FleetInput.workload(try Documents.parse("model: llama2_7b\nrate_rps: 5\nhardware: []\n", source: "f"), source: "f")
        } ?? ""
        #expect(fleet.contains("hardware") && fleet.contains("non-empty"), "\(fleet)")
    }

    @Test func repeatedValuesAreErrorsNamingTheKey() {
        let sweeps: [(String, String)] = [
            ("hardware: [H100_GPU, h100_gpu]\n", "invalid hardware 'H100_GPU'"), ("bits: [bf16, fp8, bf16]\n", "invalid bits 'bf16'"),
            ("tensor_parallel: [1, 2, 2]\n", "invalid tensor_parallel '2'"), ("batch_size: [auto, 8, auto]\n", "invalid batch_size 'auto'"),
            ("input_tokens: [128, 128]\n", "invalid input_tokens '128'"),
        ]
        for (line, expected) in sweeps {
            let text = Self.message { _ = try Inputs.sweepSpec(try Documents.parse("model: llama2_7b\n" + line, source: "s"), source: "s") } ?? ""
            #expect(text.contains(expected) && text.contains("each value once"), "\(line): \(text)")
        }
        let model = Self.message {
            _ = try Inputs.sweepSpec(try Documents.parse("model: [llama2_7b, meta-llama/Llama-2-7B]\n", source: "s"), source: "s")
        } ?? ""
        #expect(model.contains("invalid model") && model.contains("each value once"), "\(model)")
        let fleetBits = Self.message {
            _ = try FleetInput.workload(try Documents.parse("model: llama2_7b\nrate_rps: 5\nbits: [fp8, fp8]\nhardware: [H100_80GB]\n", source: "f"),
                                        source: "f")
        } ?? ""
        #expect(fleetBits.contains("invalid bits 'fp8'") && fleetBits.contains("once"), "\(fleetBits)")
        let fleetModels = Self.message {
            _ = try FleetInput.workload(try Documents.parse("models: [llama2_7b, llama2_7b]\nrate_rps: 5\nhardware: [H100_80GB]\n", source: "f"),
                                        source: "f")
        } ?? ""
        #expect(fleetModels.contains("models[1]") && fleetModels.contains("each model once"), "\(fleetModels)")
        let compare = Self.message {
            _ = try Inputs.comparison(try Documents.parse("model: llama2_7b\nconfigurations: [{name: a}, {name: a, tensor_parallel: 2}]\n",
                                                          source: "c"), source: "c")
        } ?? ""
        #expect(compare.contains("configurations[1].name") && compare.contains("once"), "\(compare)")
    }
}
