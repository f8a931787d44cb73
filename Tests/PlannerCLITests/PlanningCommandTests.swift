import Foundation
import PlannerFormats
import Testing

/// `planner compare` and `planner recommend` end to end.
struct PlanningCommandTests {
    static let yaml = """
        model: llama2_7b
        batch_size: 2
        input_tokens: 1024
        output_tokens: 64
        profile: genz
        configurations:
          - name: a100-tp1
            hardware: A100_80GB
          - name: broken-bits
            hardware: A100_80GB
            bits: fp12
          - name: h100-tp2
            hardware: H100_80GB
            tensor_parallel: 2
          - name: a100-tp4-pp2
            hardware: A100_80GB
            tensor_parallel: 4
            pipeline_parallel: 2
          - name: big-batch-override
            hardware: {Flops: 989, Memory_size: 141, Memory_BW: 4800, ICN: 450}
            batch_size: 16
        """

    @Test func compareYAMLSortsAndKeepsFailuresLast() throws {
        let outcome = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile(Self.yaml, suffix: ".yaml"), "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let entries = try #require(outcome.json?.arrayValue)
        #expect(entries.count == 5)
        #expect(entries.last?["config_name"]?.stringValue == "broken-bits")
        #expect(entries.last?["error"]?.stringValue?.contains("bits") == true)
        #expect(entries.last?["total_throughput"]?.doubleValue == 0 && entries.last?["ttft"] == .null)
        let throughputs = entries.compactMap { $0["total_throughput"]?.doubleValue }
        #expect(throughputs == throughputs.sorted(by: >))
        let override = try #require(entries.first { $0["config_name"]?.stringValue == "big-batch-override" })
        #expect(override["configuration"]?["batch_size"]?.intValue == 16)
        let table = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile(Self.yaml, suffix: ".yaml")])
        #expect(table.status == 0 && table.stdout.contains("a100-tp4-pp2") && table.stdout.contains("error: invalid bits"))
    }

    @Test func compareJSONAndBadFiles() throws {
        let json = #"{"model": "mixtral_8x7b", "configurations": [{"name": "ep2", "hardware": "H100_GPU", "expert_parallel": 2}]}"#
        let ok = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile(json), "--json", "--profile", "genz"])
        #expect(ok.status == 0 && ok.json?.arrayValue?.count == 1)
        let unknownKey = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile(#"{"configurations": [{"name": "x", "tensor_paralel": 2}]}"#)])
        #expect(unknownKey.status == 1 && unknownKey.stderr.contains("tensor_paralel"))
        let empty = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile("model: llama2_7b\n", suffix: ".yaml")])
        #expect(empty.status == 1 && empty.stderr.contains("configurations"))
        let malformed = try PlannerProcess.run(["compare", "--configs", try PlannerProcess.temporaryFile("a: [1, 2\n", suffix: ".yaml")])
        #expect(malformed.status == 1 && malformed.stderr.contains("malformed"))
    }

    @Test func recommendJSONEntriesMatchPlannerEstimate() throws {
        let outcome = try PlannerProcess.run(["recommend", "--model", "mixtral_8x7b", "--hardware", "H100_GPU", "--devices", "8",
                                              "--input-tokens", "1024", "--output-tokens", "128", "--top", "4", "--json", "--profile", "genz",
                                              "--serving", "static"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let entries = try #require(outcome.json?.arrayValue)
        #expect(entries.count == 4)
        for entry in entries {
            for key in ["tensor_parallel", "pipeline_parallel", "expert_parallel", "replicas", "devices", "bits", "batch_size", "ttft_ms",
                        "tpot_ms", "throughput_tok_s", "throughput_per_device", "memory_per_device_GiB", "pareto"] {
                #expect(entry[key] != nil, "missing \(key)")
            }
            let arguments = ["estimate", "e2e", "--json", "--profile", "genz", "--model", "mixtral_8x7b", "--hardware", "H100_GPU",
                             "--input-tokens", "1024", "--output-tokens", "128",
                             "--tp", "\(entry["tensor_parallel"]?.intValue ?? 0)", "--pp", "\(entry["pipeline_parallel"]?.intValue ?? 0)",
                             "--ep", "\(entry["expert_parallel"]?.intValue ?? 0)", "--bits", entry["bits"]?.stringValue ?? "",
                             "--batch-size", "\(entry["batch_size"]?.intValue ?? 0)"]
            let estimate = try #require(try PlannerProcess.run(arguments).json)
            #expect(estimate["ttft"]?.doubleValue == entry["ttft_ms"]?.doubleValue)
            #expect(estimate["average_tpot"]?.doubleValue == entry["tpot_ms"]?.doubleValue)
            let replicas = Double(entry["replicas"]?.intValue ?? 0)
            let throughput = (estimate["output_throughput"]?.doubleValue ?? 0) * replicas
            #expect(abs(throughput - (entry["throughput_tok_s"]?.doubleValue ?? 0)) <= 1e-9 * throughput)
        }
    }

    @Test func recommendExplainsWhenNothingQualifies() throws {
        let memory = try PlannerProcess.run(["recommend", "--model", "llama2_70b", "--hardware", "A100_40GB_GPU", "--devices", "1", "--profile", "genz"])
        #expect(memory.status == 1 && memory.stderr.contains("no layout fits in memory") && memory.stderr.contains("GiB"))
        let target = try PlannerProcess.run(["recommend", "--model", "llama2_7b", "--hardware", "A100_80GB_GPU", "--devices", "2",
                                             "--max-ttft-ms", "0.01", "--profile", "genz"])
        #expect(target.status == 1 && target.stderr.contains("max-ttft-ms"))
        let verbose = try PlannerProcess.run(["recommend", "--model", "llama2_13b", "--hardware", "A100_80GB_GPU", "--devices", "8", "-v", "--profile", "genz"])
        #expect(verbose.status == 0 && verbose.stderr.contains("skipped") && verbose.stderr.contains("attention heads"))
        let badBatches = try PlannerProcess.run(["recommend", "--model", "llama2_7b", "--hardware", "A100_80GB_GPU", "--devices", "2", "--batch-sizes", "4,x"])
        #expect(badBatches.status == 1 && badBatches.stderr.contains("batch-sizes"))
    }

    /// The serving model is stated in the table and the JSON; continuous and static give different
    /// answers, each labelled; a bad statistic or a batch list with continuous batching is an error.
    @Test func recommendStatesItsServingModel() throws {
        let base = ["recommend", "--model", "llama2_70b", "--hardware", "H100_80GB", "--devices", "2", "--bits", "fp8",
                    "--max-ttft-ms", "2000", "--max-tpot-ms", "50", "--top", "2"]
        let table = try PlannerProcess.run(base)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout.contains("serving model: continuous batching") && table.stdout.contains("TTFT p99 ms"))
        #expect(table.stdout.contains("$/M out tok"))
        let staticTable = try PlannerProcess.run(base + ["--serving", "static"])
        #expect(staticTable.status == 0 && staticTable.stdout.contains("serving model: static batch"))
        let json = try #require(try PlannerProcess.run(base + ["--json"]).json?.arrayValue)
        #expect(json.allSatisfy { $0["serving_model"]?.stringValue == "continuous" && ($0["cost_per_hour"]?.doubleValue ?? 0) > 0 })
        let staticJSON = try #require(try PlannerProcess.run(base + ["--json", "--serving", "static"]).json?.arrayValue)
        #expect(staticJSON.allSatisfy { $0["serving_model"]?.stringValue == "static" })
        #expect(json.first?["batch_size"]?.intValue != staticJSON.first?["batch_size"]?.intValue)
        let badStatistic = try PlannerProcess.run(base + ["--slo-statistic", "p100"])
        #expect(badStatistic.status != 0 && badStatistic.stderr.contains("slo-statistic"))
        let list = try PlannerProcess.run(base + ["--batch-sizes", "4,8"])
        #expect(list.status != 0 && list.stderr.contains("--serving static"))
        let badServing = try PlannerProcess.run(base + ["--serving", "dynamic"])
        #expect(badServing.status != 0 && badServing.stderr.contains("static"))
    }
}
