import Foundation
import PlannerFormats
import Testing

/// `planner simulate` run as a user would.
struct SimulateCommandTests {
    static let base = ["simulate", "--model", "Llama-3.1-8B", "--hardware", "H100_80GB", "--input-tokens", "512", "--output-tokens", "64",
                       "--requests", "60"]

    @Test func tableStatesTheServingModelAndTheLatencies() throws {
        let outcome = try PlannerProcess.run(Self.base + ["--qps", "5", "--slo-ttft-ms", "200", "--slo-tpot-ms", "20"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("serving model: simulated continuous batching (vllm)"))
        for row in ["TTFT", "TPOT", "ITL", "end to end", "goodput", "KV cache use", "preemptions"] { #expect(outcome.stdout.contains(row), "\(row)") }
    }

    @Test func jsonIsDeterministicForASeedAndDiffersForAnother() throws {
        let arguments = Self.base + ["--scheduler", "sglang", "--qps", "8", "--json", "--seed", "5", "--workload"]
        let workload = try PlannerProcess.temporaryFile("input_tokens: {mean: 600, p50: 400}\noutput_tokens: [{tokens: 32, weight: 1}, {tokens: 96, weight: 1}]\n",
                                                        suffix: ".yaml")
        defer { try? FileManager.default.removeItem(atPath: workload) }
        let cleaned = arguments.filter { $0 != "--input-tokens" && $0 != "512" && $0 != "--output-tokens" && $0 != "64" }
        let first = try PlannerProcess.run(cleaned + [workload])
        let second = try PlannerProcess.run(cleaned + [workload])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == second.stdout)
        let json = try #require(first.json)
        #expect(json["serving_model"]?.stringValue == "serving model: simulated continuous batching (sglang)")
        #expect(json["requests_measured"]?.intValue == 60)
        #expect((json["timeline"]?.arrayValue?.count ?? 0) > 0)
        let other = try PlannerProcess.run(cleaned.map { $0 == "5" ? "6" : $0 } + [workload])
        #expect(other.status == 0 && other.stdout != first.stdout)
    }

    @Test func traceCSVHTMLAndKnobs() throws {
        let trace = try PlannerProcess.temporaryFile("arrival_s,input_tokens,output_tokens\n0,100,10\n0.5,200,20\n1.0,300,30\n", suffix: ".csv")
        let csv = NSTemporaryDirectory() + "planner-sim-\(UUID().uuidString).csv"
        let html = NSTemporaryDirectory() + "planner-sim-\(UUID().uuidString).html"
        defer { for path in [trace, csv, html] { try? FileManager.default.removeItem(atPath: path) } }
        let outcome = try PlannerProcess.run(["simulate", "--model", "Llama-3.1-8B", "--hardware", "H100_80GB", "--scheduler", "trtllm",
                                              "--knob", "max_batch_size=2", "--knob", "enable_chunked_context=true", "--trace", trace,
                                              "--per-request-csv", csv, "--html", html])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("trtllm: max_num_tokens 8192, max_batch_size 2"))
        let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4 && lines[0].hasPrefix("index,arrival_s,input_tokens"))
        #expect(lines.dropFirst().map { $0.split(separator: ",")[2] }.sorted() == ["100", "200", "300"])
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("<svg") && page.contains("TTFT CDF") && page.contains("KV cache use") && !page.contains("<script"))
    }

    @Test func staticSchedulerAndClosedLoopAndOffline() throws {
        let staticRun = try PlannerProcess.run(Self.base + ["--scheduler", "static", "--knob", "batch_size=4", "--offline", "--json"])
        #expect(staticRun.status == 0, "\(staticRun.stderr)")
        #expect(staticRun.json?["serving_model"]?.stringValue?.contains("static batches of 4") == true)
        let closed = try PlannerProcess.run(Self.base + ["--concurrency", "4", "--json"])
        #expect(closed.status == 0)
        #expect((closed.json?["mean_running_batch"]?.doubleValue ?? 0) <= 4)
    }

    @Test func rateSweepAndMaxRateSearch() throws {
        let sweep = try PlannerProcess.run(Self.base + ["--qps-sweep", "2:6:2"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        #expect(sweep.stdout.contains("offered req/s"))
        #expect(sweep.stdout.contains("rate sweep 2:6:2 req/s"))
        let lines = sweep.stdout.split(separator: "\n").map(String.init)
        let rows = lines.drop { !$0.hasPrefix("----") }.dropFirst().prefix { !$0.hasPrefix("latencies") }
        #expect(rows.map { $0.split(separator: " ").first ?? "" } == ["2", "4", "6"])
        let search = try PlannerProcess.run(Self.base + ["--find-max-qps", "--slo-ttft-ms", "300", "--slo-tpot-ms", "15", "--json"])
        #expect(search.status == 0, "\(search.stderr)")
        let rate = try #require(search.json?["max_requests_per_second_meeting_slo"]?.doubleValue)
        #expect(rate > 1)
    }

    @Test func maxRateSearchFailsWhenNoRateMeetsTheSLOs() throws {
        let impossible = try PlannerProcess.run(Self.base + ["--find-max-qps", "--slo-tpot-ms", "0.01"])
        #expect(impossible.status == 1 && impossible.stderr.contains("no rate meets"))
    }

    @Test(arguments: [
        (["--qps", "0"], "qps"),
        (["--qps=-2"], "(0, 1e7]"),
        (["--concurrency", "0"], "concurrency"),
        (["--offline", "--input-tokens", "0"], "input-tokens"),
        (["--offline", "--output-tokens", "-5"], "output-tokens"),
        (["--offline", "--scheduler", "tgi"], "vllm, sglang, trtllm, static"),
        (["--offline", "--knob", "max_batch_size=3"], "max_num_batched_tokens, max_num_seqs"),
        (["--offline", "--knob", "max_num_seqs"], "KEY=VALUE"),
        (["--offline", "--knob", "gpu_memory_utilization=1.5"], "(0, 1]"),
        (["--offline", "--input-tokens", "3000000"], "KV cache"),
        (["--offline", "--pp", "2"], "pipeline_parallel"),
        (["--qps-sweep", "5:1:1"], "qps-sweep"),
        (["--qps", "2", "--arrivals", "bursty"], "poisson, gamma, constant"),
        ([], "missing load"),
        (["--find-max-qps"], "--slo-ttft-ms"),
        (["--qps", "3", "--offline"], "one of --qps"),
    ])
    func badInputsExitNonZeroNamingTheField(extra: [String], expected: String) throws {
        var arguments = Self.base + extra
        if extra.contains("--input-tokens"), let position = arguments.firstIndex(of: "512") {
            arguments.removeSubrange((position - 1)...position)
        }
        if extra.contains("--output-tokens"), let position = arguments.firstIndex(of: "64") {
            arguments.removeSubrange((position - 1)...position)
        }
        let outcome = try PlannerProcess.run(arguments)
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains(expected), "\(outcome.stderr)")
    }

    @Test func badTracesExitNonZero() throws {
        for (text, expected) in [("arrival_s,input_tokens,output_tokens\n1,10,10\n0,10,10\n", "must not decrease"),
                                 ("arrival_s,input_tokens,output_tokens,user\n0,10,10,4\n", "'user'")] {
            let trace = try PlannerProcess.temporaryFile(text, suffix: ".csv")
            defer { try? FileManager.default.removeItem(atPath: trace) }
            let outcome = try PlannerProcess.run(["simulate", "--model", "Llama-3.1-8B", "--hardware", "H100_80GB", "--trace", trace])
            #expect(outcome.status == 1 && outcome.stderr.contains(expected), "\(outcome.stderr)")
        }
    }
}
