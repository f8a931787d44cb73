import ArgumentParser
import Dispatch
import Foundation
import PlannerCluster
import PlannerCore
import PlannerFormats
import Synchronization

extension Planner {
    /// `planner fleet WORKLOAD`: how many devices and nodes of each hardware, and what they cost.
    struct Fleet: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Size a serving fleet: GPUs, nodes and cost per option for a workload and latency targets.",
            discussion: """
                WORKLOAD (YAML or JSON) holds `model`, one rate (`rate_rps`, `rate_output_tokens_per_s` or \
                `rate_tokens_per_s`), `input_tokens` and `output_tokens` (an integer, {mean, p50, p90, p99} or a \
                histogram [{tokens, weight}]), `slo` ({ttft_p99_ms, tpot_p99_ms, ttft_mean_ms, tpot_mean_ms, ...}), \
                `bits`, `hardware` (names or objects with devices_per_node, max_devices_per_replica, price), \
                `prices`, `headroom` (default 20%), `profile`, `max_batch_size`, `bill_whole_nodes`. \
                Every layout of each hardware and precision is sized with a steady-state continuous-batching model \
                and an M/G/1 queue for TTFT; replicas = ceil(rate x (1 + headroom) / per-replica rate). Writes \
                report.md, report.html, report.csv and report.json to --out and prints the cheapest options. \
                Prices: shipped defaults (USD per device-hour, dated and sourced), then the workload's `prices`, \
                then --prices FILE. With --coordinate cluster the layouts are sized by `planner worker` processes through a \
                coordinator (the cluster options below; the same reports). Exit status 1 when no option meets the targets \
                (the reports are still written), 2 when a task failed on every attempt (its layouts are reported as not evaluated).
                """)

        @Argument(help: "Workload file, YAML or JSON (- for standard input).") var workload: String
        @Option(help: "Folder for report.md, report.html, report.csv and report.json (created if missing).") var out = "fleet-report"
        @Option(help: "Price file (YAML or JSON): {HARDWARE: USD per device-hour} or {HARDWARE: {usd_per_device_hour, date, source}}.")
        var prices: String?
        @Option(help: "Performance model, overriding the workload's `profile`: \(Profile.allCases.map(\.rawValue).joined(separator: ", ")).")
        var profile: Profile?
        @Option(parsing: .unconditional, help: "Options printed (the reports hold all).") var top = 10
        @Option(parsing: .unconditional, help: "Options meeting the targets to check with the serving simulator (0: none).")
        var verify = 5
        @Option(parsing: .unconditional, help: "Requests simulated per verified option.") var verifyRequests = FleetVerification.defaultRequests
        @Option(help: "Engine whose scheduler the verification simulates, and whose launch lines the reports give: \(SchedulerConfig.engineNames) (static: no launch lines).")
        var verifyEngine = "vllm"
        @Option(name: .customLong("launch-port"), parsing: .unconditional, help: "HTTP port in the reports' launch lines.")
        var launchPort = EngineLaunch.defaultPort
        @Option(name: .customLong("color-by"), help: "Chart colours in report.html: hardware or model (default: model with several models, else hardware).")
        var colorBy: ChartColoring?
        @Option(parsing: .unconditional, help: "Threads evaluating layouts with --coordinate local (default: all cores).") var threads: Int?
        @Option(help: """
            Where to evaluate the layouts: 'local' (threads in this process; the default) or 'cluster' (a coordinator \
            serving `planner worker`s: one local worker process per core by default, remote workers with --bind; \
            see the cluster options). Both give the same reports.
            """)
        var coordinate: Mode = .local
        @Option(help: "Layouts per task with --coordinate cluster, 1...4096 (default: about 64 tasks, at most 256 layouts each).")
        var chunkSize: Int?
        @Flag(inversion: .prefixedNo, help: "Show progress on standard error (default: only when it is a terminal).") var progress: Bool?
        @Flag(help: "Print report.json to standard output instead of the table.") var json = false
        @OptionGroup(title: "Cluster options (with --coordinate cluster)") var cluster: ClusterOptions

        /// Where the layouts are evaluated.
        enum Mode: String, ExpressibleByArgument, CaseIterable {
            case local, cluster
        }

        func validate() throws {
            if verify < 0 || verify > 10_000 { throw ValidationError("--verify \(verify): allowed 0...10000 options") }
            if verifyRequests < 10 || verifyRequests > 1_000_000 {
                throw ValidationError("--verify-requests \(verifyRequests): allowed 10...1000000")
            }
            if top < 1 { throw ValidationError("--top must be at least 1") }
            if launchPort < 1 || launchPort > 65535 { throw ValidationError("--launch-port \(launchPort): allowed 1...65535") }
            if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
            if let chunkSize, !(1...FleetJob.maxChunkSize).contains(chunkSize) {
                throw ValidationError("--chunk-size \(chunkSize): allowed 1...\(FleetJob.maxChunkSize) layouts per task")
            }
            switch coordinate {
            case .local:
                let clusterOnly = cluster.givenFlags + (chunkSize == nil ? [] : ["--chunk-size"])
                if !clusterOnly.isEmpty {
                    throw ValidationError("\(clusterOnly.joined(separator: ", ")) need --coordinate cluster (the layouts are "
                        + "evaluated in this process with --coordinate local)")
                }
            case .cluster:
                if threads != nil {
                    throw ValidationError("--threads is for --coordinate local; with --coordinate cluster use --local-workers and "
                        + "--local-worker-threads")
                }
            }
        }

        func run() throws {
            try reportingErrors {
                let job = try loadJob()
                let showProgress = progress ?? (isatty(2) == 1)
                var plan: FleetPlan
                var poisoned: [Int] = []
                switch coordinate {
                case .local:
                    let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
                    let clock = ProgressClock()
                    var report: LocalFleet.Progress?
                    if showProgress {
                        report = { @Sendable (done: Int, total: Int) in
                            let rate = clock.rate(done: done, total: total).perSecond
                            Console.progress("layouts \(done)/\(total), \(rate) layouts/s, threads \(threadCount), \(clock.etaText(done: done, total: total))",
                                             final: done == total)
                        }
                    }
                    plan = LocalFleet.run(job, threads: threadCount, progress: report)
                case .cluster:
                    try createOutputFolder()
                    let outcome = try cluster.run(job, defaultJournal: (out as NSString).appendingPathComponent("fleet.journal"),
                                                  showProgress: showProgress)
                    plan = job.plan(outcome.totals)
                    poisoned = outcome.poisonedTasks
                }
                if verify > 0 {
                    plan = FleetVerification.verify(plan, count: verify, engine: try SchedulerConfig.engine(named: verifyEngine),
                                                    requests: verifyRequests)
                }
                let launch = try launchSettings(plan.workload, bundle: job.specText)
                let reportJSON = try writeReports(plan, launch: launch)
                if json {
                    print(reportJSON, terminator: "")
                } else {
                    print(FleetReport.headline(plan))
                    print(FleetReport.table(plan, top: top))
                    if plan.options.count > top { print("(\(plan.options.count - top) more options in \(out)/report.csv)") }
                    for entry in plan.unavailable {
                        print("unavailable: \(entry.modelName) on \(entry.hardwareName) \(entry.precision.rawValue): \(entry.reason)")
                    }
                    print("reports: \(["report.md", "report.html", "report.csv", "report.json"].map { "\(out)/\($0)" }.joined(separator: ", "))")
                }
                try ClusterOptions.failPoisoned(poisoned)
                if plan.cheapest == nil {
                    throw CLIError.message("no option meets the latency targets; see \(out)/report.md for the reason of each")
                }
            }
        }

        /// The reports' launch lines: for `--verify-engine`'s engine (none for `static`), each model as the workload names it.
        func launchSettings(_ workload: FleetWorkload, bundle text: String) throws -> FleetLaunch? {
            let engine = try SchedulerConfig.engine(named: verifyEngine)
            guard EngineLaunch.engines.contains(engine) else { return nil }
            // The job's bundle holds the workload document as read (standard input cannot be read twice).
            let given = ((try? JSONValue.parse(text))?["workload"]).map(LaunchOutput.modelArguments) ?? []
            return FleetLaunch(engine: engine, workload: workload, given: given, port: launchPort)
        }

        /// Reads the workload, the price file and the model configs it names into a fleet job.
        func loadJob() throws -> FleetJob {
            let text = try Console.readText(workload, field: "workload")
            let pricesText = try prices.map { try Console.readText($0, field: "prices") }
            return try FleetJob(workloadText: text, source: workload, pricesText: pricesText, pricesSource: prices ?? "prices",
                                profile: profile, readFile: Console.readModelFile, chunkSize: chunkSize)
        }

        func createOutputFolder() throws {
            do {
                try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            } catch {
                throw CLIError.message("cannot create the output folder '\(out)': \(error.localizedDescription)")
            }
        }

        /// Renders the four reports (in parallel: they are independent and, for large searches,
        /// megabytes each) and writes them to --out.
        /// - Returns: report.json's text.
        func writeReports(_ plan: FleetPlan, launch: FleetLaunch?) throws -> String {
            try createOutputFolder()
            let renderers: [(name: String, render: @Sendable (FleetPlan) -> String)] = [
                ("report.json", { FleetReport.json($0, launch: launch).serialized(indent: 2) + "\n" }),
                ("report.csv", { FleetReport.csv($0, launch: launch) }),
                ("report.md", { FleetReport.markdown($0, launch: launch) }),
                ("report.html", { FleetHTML.render($0, coloring: colorBy, launch: launch) }),
            ]
            let rendered = Mutex<[String: String]>([:])
            DispatchQueue.concurrentPerform(iterations: renderers.count) { index in
                let text = renderers[index].render(plan)
                rendered.withLock { $0[renderers[index].name] = text }
            }
            let texts = rendered.withLock { $0 }
            let files = renderers.map { ($0.name, texts[$0.name] ?? "") }
            for (name, contents) in files {
                let path = (out as NSString).appendingPathComponent(name)
                guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) else {
                    throw CLIError.message("cannot write '\(path)'")
                }
            }
            return texts["report.json"] ?? ""
        }
    }
}
