import ArgumentParser
import Foundation
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner simulate`: a discrete-event simulation of one replica's serving engine under load.
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate one model replica served by vLLM, SGLang, TensorRT-LLM or static batches under a request load.",
            discussion: """
                The engine's scheduler (--scheduler, knobs with --knob KEY=VALUE: \(SchedulerConfig.Engine.allCases.map { "\($0.rawValue): " + SchedulerConfig.knobs($0).joined(separator: " ") }.joined(separator: "; "))) \
                runs iterations of prefill chunks and decode tokens; each takes the default profile's time of that mixed batch plus the \
                engine's CPU overhead. Arrivals: --qps (Poisson; --burstiness CV for gamma gaps, --arrivals constant), --concurrency N \
                (closed loop), --offline (all at t = 0), or the times of --trace FILE (CSV or JSON Lines: \(TraceInput.acceptedLayouts)). \
                Lengths: --input-tokens/--output-tokens, a fleet workload file's input_tokens/output_tokens (--workload), or the trace. \
                --qps-sweep A:B:STEP prints the latency-throughput curve; --find-max-qps bisects for the highest rate at which \
                --slo-attainment of the requests meet --slo-ttft-ms/--slo-tpot-ms. Equal inputs and --seed give identical output. \
                Exit status: 0, or 1 for an invalid input (the message names the field, the value and what is allowed) or when \
                --find-max-qps finds no rate meeting the SLOs.
                """)

        @Option(help: "Model: a catalog name (see `planner models`) or a path to a Hugging Face config.json.") var model = "llama2_7b"
        @Option(help: "Hardware name (see `planner hardware`).") var hardware: String?
        @Option(name: .customLong("hardware-json"), help: "Custom hardware as JSON {Flops, Memory_size, Memory_BW, ICN, ICN_LL}.")
        var hardwareJSON: String?
        @Option(help: "Precision: \(Precision.acceptedNames).") var bits = "bf16"
        @Option(help: "KV-cache precision: auto (the weights'), f32, bf16, fp8, int8.") var kvBits = "auto"
        @Option(name: [.customLong("tp"), .customLong("tensor-parallel")], help: "Tensor-parallel degree.") var tensorParallel = 1
        @Option(name: [.customLong("pp"), .customLong("pipeline-parallel")], help: "Pipeline-parallel degree (only 1 is simulated).")
        var pipelineParallel = 1
        @Option(name: [.customLong("ep"), .customLong("expert-parallel")], help: "Expert-parallel degree (MoE models).") var expertParallel = 1
        @Option(name: [.customLong("dp"), .customLong("data-parallel")],
                help: "Attention data-parallel ranks (MoE models): scheduler knobs and KV cache per rank, experts over DP x TP devices.")
        var dataParallel = 1
        @Option(help: "With --dp: busiest expert-parallel device's routed tokens over the mean (default \(EstimateRequest.defaultExpertImbalance)).")
        var expertImbalance: Double?
        @Option(help: "Performance model (only `default` is simulated).") var profile: Profile = EstimateRequest.defaultProfile
        @OptionGroup(title: "Hardware figures of the default profile (override the preset's or its family's)")
        var overrides: HardwareOverrides

        @Option(help: "Serving engine: \(SchedulerConfig.engineNames).") var scheduler = "vllm"
        @Option(name: .customLong("knob"), help: "Scheduler knob KEY=VALUE (repeatable), in the engine's spelling (e.g. max_num_seqs=256).")
        var knobs: [String] = []

        @Option(help: "Mean arrival rate, requests/s (Poisson unless --arrivals or --burstiness says otherwise).") var qps: Double?
        @Option(help: "Arrival process with --qps: poisson, gamma, constant.") var arrivals = "poisson"
        @Option(help: "Coefficient of variation of the gaps with gamma arrivals (1 = Poisson; implies --arrivals gamma).")
        var burstiness: Double?
        @Option(help: "Closed loop: this many clients, each sending its next request when the previous ends.") var concurrency: Int?
        @Flag(help: "Every request at t = 0 (the max-throughput benchmark).") var offline = false
        @Option(help: "Trace file (CSV or JSON Lines): request lengths, and arrival times unless a rate or mode is given.") var trace: String?
        @Option(help: "Fleet workload file (YAML or JSON): its input_tokens and output_tokens (and rate_rps if no --qps).") var workload: String?
        @Option(help: "Prompt tokens per request (>= 1; default 1024).") var inputTokens: Int?
        @Option(help: "Output tokens per request (>= 1; default 256).") var outputTokens: Int?
        @Option(help: "Requests to simulate (default 1000, or the trace's length).") var requests: Int?
        @Option(help: "Seed of the arrival and length draws.") var seed: UInt64 = 1
        @Option(help: "First requests left out of the statistics.") var warmup = 0
        @Option(help: "Last requests left out of the statistics.") var cooldown = 0
        @Option(help: "SLO: largest time to first token, ms.") var sloTtftMs: Double?
        @Option(help: "SLO: largest time per output token, ms.") var sloTpotMs: Double?
        @Option(help: "Fraction of requests that must meet the SLOs with --find-max-qps, (0, 1].") var sloAttainment = 0.99
        @Option(help: "Rate sweep A:B:STEP, requests/s (a latency-throughput curve).") var qpsSweep: String?
        @Flag(help: "Bisect for the highest rate meeting the SLOs (Poisson arrivals unless --arrivals/--burstiness).") var findMaxQps = false
        @Flag(help: "Print JSON instead of tables.") var json = false
        @Option(help: "Write one CSV line per request to FILE.") var perRequestCsv: String?
        @Option(help: "Write an HTML page (latency CDFs, batch, queue and KV use over time) to FILE.") var html: String?
        @Flag(inversion: .prefixedNo, help: "Show progress on standard error (default: only when it is a terminal).") var progress: Bool?
        @Flag(help: "Print the wall time, iterations/s and simulated requests per wall second on standard error.") var timing = false

        func validate() throws {
            if hardware != nil && hardwareJSON != nil { throw ValidationError("give either --hardware NAME or --hardware-json JSON, not both") }
            let modes = [qps != nil, concurrency != nil, offline, qpsSweep != nil, findMaxQps].filter { $0 }.count
            if modes > 1 {
                throw ValidationError("give one of --qps, --concurrency, --offline, --qps-sweep, --find-max-qps")
            }
            if workload != nil && trace != nil { throw ValidationError("give either --workload FILE or --trace FILE, not both") }
            if trace != nil && (inputTokens != nil || outputTokens != nil) {
                throw ValidationError("--input-tokens/--output-tokens do not apply with --trace (the trace has the lengths)")
            }
            if findMaxQps && sloTtftMs == nil && sloTpotMs == nil {
                throw ValidationError("--find-max-qps needs --slo-ttft-ms and/or --slo-tpot-ms")
            }
            if !(sloAttainment.isFinite && sloAttainment > 0 && sloAttainment <= 1) {
                throw ValidationError("invalid slo-attainment '\(sloAttainment)': allowed a fraction in (0, 1]")
            }
        }

        func run() throws {
            try reportingErrors {
                var base = try baseSetup()
                let showProgress = progress ?? (isatty(2) == 1)
                if let qpsSweep {
                    let rates = try Self.parseSweep(qpsSweep)
                    var points: [(offered: Double, summary: SimulationSummary)] = []
                    for (index, rate) in rates.enumerated() {
                        if showProgress { Console.progress("qps \(rate) (\(index + 1)/\(rates.count))", final: false) }
                        base.workload.arrivals = try arrivalProcess(rate: rate)
                        points.append((rate, try simulate(base, progress: false)))
                    }
                    if showProgress { Console.progress("\(rates.count) rates simulated", final: true) }
                    print(json ? SimulationOutput.sweepJSON(points, setup: base).serialized(indent: 2)
                          : [SimulationOutput.header(base, arrivals: "rate sweep \(qpsSweep) req/s"),
                             SimulationOutput.servingModel(points[0].summary.scheduler),
                             SimulationOutput.sweepTable(points, slo: base.slo)].joined(separator: "\n"))
                    return
                }
                if findMaxQps {
                    try runFindMaxQps(base, showProgress: showProgress)
                    return
                }
                let summary = try simulate(base, progress: showProgress)
                print(json ? SimulationOutput.json(summary, setup: base).serialized(indent: 2) : SimulationOutput.table(summary, setup: base))
            }
        }

        /// Bisects the offered rate between 0 and the offline throughput for the highest rate at which
        /// `--slo-attainment` of the requests meet the SLOs (``ServingSimulator/findMaxRate``).
        private func runFindMaxQps(_ base: SimulationSetup, showProgress: Bool) throws {
            if showProgress { Console.progress("bisecting the rate (at most 13 simulations)", final: false) }
            let arrivalsAtRate = try arrivalProcess(rate: 1)
            let result = try ServingSimulator.findMaxRate(base, attainment: sloAttainment) { rate in
                switch arrivalsAtRate {
                case let .gamma(_, cv): .gamma(requestsPerSecond: rate, coefficientOfVariation: cv)
                case .constant: .constant(requestsPerSecond: rate)
                default: .poisson(requestsPerSecond: rate)
                }
            }
            if showProgress { Console.progress("bisection done", final: true) }
            let points = result.points.map { (offered: $0.offeredRequestsPerSecond, summary: $0.summary) }
            let ceiling = result.ceilingRequestsPerSecond
            if json {
                print(SimulationOutput.sweepJSON(points, setup: base, maxRate: result.best?.offeredRequestsPerSecond).serialized(indent: 2))
            } else {
                print([SimulationOutput.header(base, arrivals: "bisection of the rate"), SimulationOutput.servingModel(base.scheduler),
                       SimulationOutput.sweepTable(points, slo: base.slo)].joined(separator: "\n"))
            }
            guard let best = result.best else {
                throw CLIError.message("no rate meets \(sloAttainmentText) of the requests under the SLOs (the smallest tried: "
                    + "\(NumberFormat.significant(points.first?.offered ?? 0)) req/s; offline throughput \(NumberFormat.significant(ceiling)) req/s)")
            }
            if !json {
                print("max rate meeting the SLOs for \(sloAttainmentText) of requests: \(NumberFormat.significant(best.offeredRequestsPerSecond)) req/s "
                    + "(\(NumberFormat.significant(best.summary.outputTokensPerSecondPerDevice)) output tok/s per device; "
                    + "offline ceiling \(NumberFormat.significant(ceiling)) req/s)")
            }
        }

        private var sloAttainmentText: String { "\(NumberFormat.fixed(sloAttainment * 100, decimals: 1))%" }

        /// Runs one simulation, streaming records to the CSV and progress to standard error.
        private func simulate(_ setup: SimulationSetup, progress: Bool) throws -> SimulationSummary {
            var csv: FileHandle?
            if let perRequestCsv {
                guard FileManager.default.createFile(atPath: perRequestCsv, contents: Data((SimulationOutput.csvHeader + "\n").utf8)),
                      let handle = FileHandle(forWritingAtPath: perRequestCsv) else {
                    throw CLIError.message("cannot write per-request-csv file '\(perRequestCsv)'")
                }
                handle.seekToEndOfFile()
                csv = handle
            }
            var buffer = ""
            var done = 0
            let total = setup.requestCount
            let clock = ContinuousClock()
            let start = clock.now
            var lastShown = start
            let summary = try ServingSimulator.run(setup) { record in
                done += 1
                if let csv {
                    buffer += SimulationOutput.csvLine(record)
                    buffer += "\n"
                    if buffer.utf8.count > 1 << 16 { csv.write(Data(buffer.utf8)); buffer = "" }
                }
                if progress && done % 256 == 0 {
                    let now = clock.now
                    if now - lastShown > .milliseconds(200) {
                        lastShown = now
                        Console.progress("simulated \(done)/\(total) requests", final: false)
                    }
                }
            }
            let elapsed = clock.now - start
            if let csv {
                if !buffer.isEmpty { csv.write(Data(buffer.utf8)) }
                csv.closeFile()
            }
            if progress { Console.progress("simulated \(done)/\(total) requests", final: true) }
            if timing {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                Console.error("timing: \(summary.requestsSimulated) requests, \(summary.iterations) iterations in "
                    + "\(NumberFormat.fixed(seconds, decimals: 4)) s wall: \(NumberFormat.significant(Double(summary.iterations) / seconds)) iterations/s, "
                    + "\(NumberFormat.significant(Double(summary.requestsSimulated) / seconds)) requests/s")
            }
            if let html {
                let page = SimulationHTML.render(summary, setup: setup)
                guard FileManager.default.createFile(atPath: html, contents: Data(page.utf8)) else {
                    throw CLIError.message("cannot write html file '\(html)'")
                }
            }
            return summary
        }

        /// The setup from the options (arrivals from the mode options; a sweep sets them per rate).
        private func baseSetup() throws -> SimulationSetup {
            var spec = try resolveHardware(name: hardware, json: hardwareJSON)
            try overrides.apply(to: &spec)
            let request = EstimateRequest(
                model: try Inputs.model(.string(model), readFile: Console.readModelFile), hardware: spec,
                precision: try Precision.parse(bits),
                parallelism: Parallelism(tensor: tensorParallel, pipeline: pipelineParallel, expert: expertParallel, dataParallel: dataParallel),
                profile: profile, kvPrecision: try EstimateRequest.parseKVPrecision(kvBits), expertImbalance: expertImbalance)
            var config = SchedulerConfig.defaults(try SchedulerConfig.engine(named: scheduler), hardware: spec, parallelism: request.parallelism)
            for knob in knobs {
                guard let equals = knob.firstIndex(of: "=") else {
                    throw PlannerError.invalidValue(field: "knob", value: knob, allowed: "KEY=VALUE with KEY one of "
                        + SchedulerConfig.knobs(config.engine).joined(separator: ", "))
                }
                try config.set(knob: String(knob[..<equals]), value: String(knob[knob.index(after: equals)...]))
            }
            var input = TokenDistribution.fixed(inputTokens ?? 1024)
            var output = TokenDistribution.fixed(outputTokens ?? 256)
            var fileRate: Double?
            if let workload {
                let document = try Documents.parse(try Console.readText(workload, field: "workload"), source: workload)
                if inputTokens == nil { input = try FleetInput.distribution(document["input_tokens"], field: "input_tokens", default: 1024) }
                if outputTokens == nil { output = try FleetInput.distribution(document["output_tokens"], field: "output_tokens", default: 256) }
                if let rate = document["rate_rps"] {
                    guard let value = rate.doubleValue else {
                        throw PlannerError.invalidValue(field: "rate_rps", value: rate.serialized(), allowed: "a number of requests/s")
                    }
                    fileRate = value
                }
            }
            if let inputTokens, inputTokens < 1 {
                throw PlannerError.invalidValue(field: "input-tokens", value: "\(inputTokens)", allowed: "an integer >= 1")
            }
            if let outputTokens, outputTokens < 1 {
                throw PlannerError.invalidValue(field: "output-tokens", value: "\(outputTokens)", allowed: "an integer >= 1 (TPOT needs output tokens)")
            }
            var traceRequests: [TraceRequest] = []
            if let trace { traceRequests = try TraceInput.parse(try Console.readText(trace, field: "trace"), source: trace) }
            let arrivalsProcess: ServingWorkload.Arrivals
            if let qps { arrivalsProcess = try arrivalProcess(rate: qps) }
            else if let concurrency { arrivalsProcess = .closedLoop(concurrency: concurrency) }
            else if offline { arrivalsProcess = .offline }
            else if qpsSweep != nil || findMaxQps { arrivalsProcess = .offline }  // set per rate
            else if !traceRequests.isEmpty { arrivalsProcess = .trace }
            else if let fileRate { arrivalsProcess = try arrivalProcess(rate: fileRate) }
            else {
                throw CLIError.message("missing load: give --qps RATE, --concurrency N, --offline, --qps-sweep A:B:STEP, --find-max-qps or --trace FILE")
            }
            let count = requests ?? (traceRequests.isEmpty ? 1000 : traceRequests.count)
            return SimulationSetup(
                request: request, scheduler: config,
                workload: ServingWorkload(arrivals: arrivalsProcess, inputTokens: input, outputTokens: output, trace: traceRequests),
                seed: seed, requestCount: count, warmupRequests: warmup, cooldownRequests: cooldown,
                slo: ServingSLO(ttftMs: sloTtftMs, tpotMs: sloTpotMs))
        }

        /// The open-loop arrival process at `rate` requests/s.
        private func arrivalProcess(rate: Double) throws -> ServingWorkload.Arrivals {
            if let burstiness { return .gamma(requestsPerSecond: rate, coefficientOfVariation: burstiness) }
            switch arrivals.lowercased() {
            case "poisson": return .poisson(requestsPerSecond: rate)
            case "gamma": return .gamma(requestsPerSecond: rate, coefficientOfVariation: 1)
            case "constant": return .constant(requestsPerSecond: rate)
            default: throw PlannerError.invalidValue(field: "arrivals", value: arrivals, allowed: "poisson, gamma, constant")
            }
        }

        /// `A:B:STEP` -> A, A + STEP, ... <= B (at most 1000 rates).
        static func parseSweep(_ text: String) throws -> [Double] {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 3, let start = parts[0], let end = parts[1], let step = parts[2],
                  start.isFinite, end.isFinite, step.isFinite, start > 0, end >= start, step > 0 else {
                throw PlannerError.invalidValue(field: "qps-sweep", value: text, allowed: "A:B:STEP with 0 < A <= B and STEP > 0 (requests/s)")
            }
            let count = Int(((end - start) / step + 1e-9).rounded(.down)) + 1
            if count > 1000 {
                throw PlannerError.invalidValue(field: "qps-sweep", value: text, allowed: "at most 1000 rates (a larger STEP)")
            }
            return (0..<count).map { start + Double($0) * step }
        }
    }
}
