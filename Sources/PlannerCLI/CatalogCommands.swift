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
                ("sliding_window_layers", .string(windowLayers(model))),
                ("kv_lora_rank", optional(model.latentAttention?.kvLoraRank)),
                ("q_lora_rank", optional(model.latentAttention?.qLoraRank)),
                ("qk_rope_head_dim", optional(model.latentAttention?.qkRopeHeadDim)),
                ("qk_nope_head_dim", optional(model.latentAttention?.qkNopeHeadDim)),
                ("v_head_dim", optional(model.latentAttention?.vHeadDim)),
                ("tie_word_embeddings", .bool(model.tieWordEmbeddings)),
                ("max_model_len", optional(model.maxModelLength)),
            ])
        }

        /// Where the sliding window applies, for the `default` profile: none, all, or "global every N".
        static func windowLayers(_ model: ModelSpec) -> String {
            guard model.slidingWindow != nil else { return "none" }
            switch model.slidingWindowLayers {
            case .none: return "none"
            case .all: return "all"
            case let .interleaved(every): return "all but every \(every)th"
            }
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
                        ("family", .string(entry.spec.family.rawValue)),
                        ("dense_Flops", .double(entry.spec.resolvedDenseFlopsTFLOPS)),
                        ("scale_up_BW", .double(entry.spec.resolvedScaleUpGBps)),
                        ("compute_efficiency", .double(entry.spec.resolvedEfficiency.compute)),
                        ("memory_efficiency", .double(entry.spec.resolvedEfficiency.memory)),
                        ("link_efficiency", .double(entry.spec.resolvedEfficiency.link)),
                        ("kernel_overhead_us", .double(entry.spec.resolvedEfficiency.kernelOverheadUs)),
                        ("devices_per_node", .int(entry.spec.resolvedDevicesPerNode)),
                        ("inter_node_BW", .double(entry.spec.resolvedInterNodeGBps)),
                        ("inter_node_LL", .double(entry.spec.resolvedInterNodeLatencyUs)),
                        ("usable_memory_fraction", .double(entry.spec.usableMemoryFraction)),
                        ("source", .string(entry.source)),
                    ])
                }).serialized(indent: 2))
                return
            }
            var table = TextTable(
                headers: ["name", "TFLOPS (bf16)", "memory GB", "memory GB/s", "link GB/s", "link us", "family", "dense TFLOPS",
                          "eff. c/m/l", "source"],
                alignments: [.left, .right, .right, .right, .right, .right, .left, .right, .left, .left])
            for entry in entries {
                let spec = entry.spec
                let efficiency = spec.resolvedEfficiency
                table.append([
                    spec.name, NumberFormat.significant(spec.flopsTFLOPS, digits: 6), NumberFormat.significant(spec.memoryGiB, digits: 6),
                    NumberFormat.significant(spec.memoryBandwidthGBps, digits: 6), NumberFormat.significant(spec.interconnectGBps, digits: 6),
                    NumberFormat.significant(spec.interconnectLatencyUs), spec.family.rawValue,
                    NumberFormat.significant(spec.resolvedDenseFlopsTFLOPS, digits: 6),
                    "\(efficiency.compute)/\(efficiency.memory)/\(efficiency.link)", entry.source,
                ])
            }
            print(table.render())
            print("\nUnits: Flops in decimal TFLOPS; memory in binary GB (GiB); bandwidths in binary GB/s for genz, decimal for the "
                  + "default profile; link latency in microseconds. eff. c/m/l: the default profile's compute/memory/link efficiencies.")
        }
    }
}
