import ArgumentParser
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner models`: the model catalog.
    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the model catalog (every lookup key works, case-insensitively).")

        @Flag(help: "Print JSON.") var json = false

        func run() {
            let models = ModelCatalog.all
            if json {
                print(JSONValue.array(models.map(Self.json)).serialized(indent: 2))
                return
            }
            var table = TextTable(
                headers: ["model", "kind", "layers", "hidden", "heads", "kv heads", "head dim", "ffn", "vocab", "experts", "top-k", "other names"],
                alignments: [.left, .left, .right, .right, .right, .right, .right, .right, .right, .right, .right, .left])
            for model in models {
                table.append([
                    model.name, model.kind.rawValue, "\(model.numLayers)", "\(model.hiddenSize)", "\(model.numAttentionHeads)",
                    "\(model.numKeyValueHeads)", "\(model.headDim)", "\(model.intermediateSize)", "\(model.vocabSize)",
                    "\(model.numExperts)", "\(model.expertTopK)", model.lookupKeys.filter { $0 != model.name }.joined(separator: ", "),
                ])
            }
            print(table.render())
        }

        static func json(_ model: ModelSpec) -> JSONValue {
            func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
            return .object([
                ("name", .string(model.name)),
                ("lookup_keys", .array(model.lookupKeys.map(JSONValue.string))),
                ("kind", .string(model.kind.rawValue)),
                ("supported", .bool(model.kind == .transformer)),
                ("num_hidden_layers", .int(model.numLayers)),
                ("hidden_size", .int(model.hiddenSize)),
                ("num_attention_heads", .int(model.numAttentionHeads)),
                ("num_key_value_heads", .int(model.numKeyValueHeads)),
                ("head_dim", .int(model.headDim)),
                ("intermediate_size", .int(model.intermediateSize)),
                ("num_ffi", .int(model.numFFI)),
                ("vocab_size", .int(model.vocabSize)),
                ("num_experts", .int(model.numExperts)),
                ("expert_top_k", .int(model.expertTopK)),
                ("moe_intermediate_size", optional(model.moeIntermediateSize)),
                ("n_shared_experts", .int(model.sharedExperts)),
                ("first_k_dense_replace", .int(model.firstDenseLayers)),
                ("sliding_window", optional(model.slidingWindow)),
                ("max_model_len", optional(model.maxModelLength)),
            ])
        }
    }

    /// `planner hardware`: the hardware catalog.
    struct HardwareList: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "hardware", abstract: "List the hardware catalog.")

        @Flag(help: "Print JSON.") var json = false

        func run() {
            let entries = HardwareCatalog.entries
            if json {
                print(JSONValue.array(entries.map { entry in
                    .object([
                        ("name", .string(entry.spec.name)),
                        ("aliases", .array(entry.aliases.map(JSONValue.string))),
                        ("Flops", .double(entry.spec.flopsTFLOPS)),
                        ("Memory_size", .double(entry.spec.memoryGiB)),
                        ("Memory_BW", .double(entry.spec.memoryBandwidthGBps)),
                        ("ICN", .double(entry.spec.interconnectGBps)),
                        ("ICN_LL", .double(entry.spec.interconnectLatencyUs)),
                        ("source", .string(entry.source)),
                    ])
                }).serialized(indent: 2))
                return
            }
            var table = TextTable(
                headers: ["name", "TFLOPS (bf16)", "memory GB", "memory GB/s", "link GB/s", "link us", "source"],
                alignments: [.left, .right, .right, .right, .right, .right, .left])
            for entry in entries {
                let spec = entry.spec
                table.append([
                    spec.name, NumberFormat.significant(spec.flopsTFLOPS, digits: 6), NumberFormat.significant(spec.memoryGiB, digits: 6),
                    NumberFormat.significant(spec.memoryBandwidthGBps, digits: 6), NumberFormat.significant(spec.interconnectGBps, digits: 6),
                    NumberFormat.significant(spec.interconnectLatencyUs), entry.source,
                ])
            }
            print(table.render())
            print("\nUnits: Flops in decimal TFLOPS; memory in binary GB (GiB); bandwidths in binary GB/s; link latency in microseconds.")
        }
    }
}
