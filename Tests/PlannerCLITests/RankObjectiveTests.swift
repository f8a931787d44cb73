import Foundation
import PlannerFormats
import Testing

/// `rank_by` in sweep and compare files: rankings that answer planning questions, identical
/// through the coordinator.
struct RankObjectiveTests {
    static let spec = """
        model: [llama2_7b, llama2_13b]
        hardware: [H100_80GB, A100_80GB]
        tensor_parallel: [1, 2, 4]
        batch_size: [1, 32]
        top: 6
        """

    @Test func everyObjectiveOrdersTheSweepAndTheCoordinatorAgrees() throws {
        for objective in ["throughput_per_device", "cost_per_million_tokens", "ttft", "tpot", "output_throughput"] {
            let path = try PlannerProcess.temporaryFile(Self.spec + "\nrank_by: \(objective)\n", suffix: ".yaml")
            let local = try PlannerProcess.run(["sweep", path, "--json"])
            #expect(local.status == 0, "\(local.stderr)")
            let entries = try #require(local.json?.arrayValue)
            #expect(entries.count == 6)
            let values: [Double] = entries.compactMap { entry in
                switch objective {
                case "throughput_per_device": return entry["output_throughput_per_device"]?.doubleValue
                case "cost_per_million_tokens": return entry["cost_per_million_tokens"]?.doubleValue.map { -$0 }
                case "ttft": return entry["ttft"]?.doubleValue.map { -$0 }
                case "tpot": return entry["average_tpot"]?.doubleValue.map { -$0 }
                default: return entry["output_throughput"]?.doubleValue
                }
            }
            #expect(values.count == 6 && values == values.sorted(by: >), "\(objective): \(values)")
            if objective == "throughput_per_device" {
                let distributed = try PlannerProcess.run(["coordinate", path, "--json", "--local-workers", "2", "--chunk-size", "4"])
                #expect(distributed.status == 0 && distributed.stdout == local.stdout, "\(distributed.stderr)")
            }
        }
        // Cost needs a price for every hardware; TPU v5e has none shipped.
        let unpriced = try PlannerProcess.temporaryFile("model: [llama2_7b]\nhardware: [TPUv5e]\nrank_by: cost_per_million_tokens\n", suffix: ".yaml")
        let refused = try PlannerProcess.run(["sweep", unpriced])
        #expect(refused.status == 1 && refused.stderr.contains("prices"))
    }

    @Test func compareRanksByTheObjective() throws {
        let file = try PlannerProcess.temporaryFile("""
            model: llama2_13b
            rank_by: throughput_per_device
            configurations:
              - {name: a100-tp4, hardware: A100_80GB, tensor_parallel: 4, batch_size: 16}
              - {name: h100-tp2, hardware: H100_80GB, tensor_parallel: 2, batch_size: 16}
            """, suffix: ".yaml")
        let outcome = try PlannerProcess.run(["compare", "--configs", file, "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let names = try #require(outcome.json?.arrayValue).compactMap { $0["config_name"]?.stringValue }
        #expect(names == ["h100-tp2", "a100-tp4"])
        let bad = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile("model: llama2_7b\nrank_by: speed\nconfigurations: [{name: a}]\n", suffix: ".yaml")])
        #expect(bad.status == 1 && bad.stderr.contains("throughput_per_device"))
    }

    /// `kv_bits` in a sweep spec: every configuration's cache at that precision, the same through the coordinator.
    @Test func sweepKVBits() throws {
        let base = "model: [llama3_8b]\nhardware: [H100_80GB]\ntensor_parallel: [1, 2]\nbatch_size: [64]\ninput_tokens: [4096]\n"
        let plain = try #require(try PlannerProcess.run(["sweep", try PlannerProcess.temporaryFile(base, suffix: ".yaml"), "--json"]).json?.arrayValue)
        let fp8Path = try PlannerProcess.temporaryFile(base + "kv_bits: fp8\n", suffix: ".yaml")
        let fp8Run = try PlannerProcess.run(["sweep", fp8Path, "--json"])
        let fp8 = try #require(fp8Run.json?.arrayValue)
        #expect(fp8.allSatisfy { $0["kv_bits"]?.stringValue == "fp8" } && plain.allSatisfy { $0["kv_bits"]?.stringValue == "bf16" })
        #expect((fp8.first?["average_tpot"]?.doubleValue ?? 0) < (plain.first?["average_tpot"]?.doubleValue ?? 0))
        let distributed = try PlannerProcess.run(["coordinate", fp8Path, "--json", "--local-workers", "1"])
        #expect(distributed.status == 0 && distributed.stdout == fp8Run.stdout)
        let two = try PlannerProcess.run(["sweep", try PlannerProcess.temporaryFile(base + "kv_bits: [fp8, bf16]\n", suffix: ".yaml")])
        #expect(two.status == 1 && two.stderr.contains("kv_bits"))
    }
}
