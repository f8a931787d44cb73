import ArgumentParser
import Dispatch
import Foundation
import PlannerCluster
import PlannerCore
import PlannerFormats
import ZeroMQ

/// Output options shared by `planner sweep` and `planner coordinate`.
struct SweepOutputOptions: ParsableArguments {
    @Flag(help: "Print the final ranking as a JSON array (configuration fields plus ttft, average_tpot, total_throughput).")
    var json = false
    @Option(help: "Write every ranked configuration to this JSONL file (overrides the spec's `out`; meant for `top: all`).")
    var out: String?
    @Option(help: "Write a Markdown report to this file.")
    var report: String?
    @Flag(inversion: .prefixedNo, help: "Show progress on standard error (default: only when it is a terminal).")
    var progress: Bool?
    @Option(help: "Configurations per task (default: about 64 tasks, at most 1,000,000 per task, 100,000 with `top: all`).")
    var chunkSize: Int?

    var showProgress: Bool { progress ?? (isatty(2) == 1) }

    func loadJob(_ path: String) throws -> SweepJob {
        let text = try Console.readText(path, field: "sweep specification")
        if let chunkSize, chunkSize < 1 { throw CLIError.message("invalid --chunk-size \(chunkSize): allowed an integer >= 1") }
        do {
            return try SweepJob(text: text, source: path, chunkSize: chunkSize, readFile: Console.readModelFile)
        } catch {
            throw CLIError.message("invalid sweep specification '\(path)': \(error)")
        }
    }

    /// Prints the ranking and writes the report.
    func emit(_ totals: SweepTotals, job: SweepJob, poisoned: [Int]) throws {
        if json {
            print(SweepOutput.rankingJSON(totals, space: job.space).serialized(indent: 2))
        } else {
            print("\(job.space.count) configurations, \(totals.ranked) ranked; skipped: "
                + (totals.skipped.isEmpty ? "none" : totals.skipped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: "; ")))
            print(SweepOutput.rankingTable(totals, space: job.space))
        }
        if let report {
            let text = SweepOutput.markdownReport(totals, space: job.space, sweepID: job.sweepID, poisonedTasks: poisoned)
            guard FileManager.default.createFile(atPath: report, contents: Data(text.utf8)) else {
                throw CLIError.message("cannot write report '\(report)'")
            }
        }
    }

    func outputPath(_ job: SweepJob) -> String? { out ?? job.document.outPath }
}

extension Planner {
    /// `planner sweep SPEC`: the whole sweep in this process (the reference result).
    struct Sweep: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Evaluate a sweep specification (YAML or JSON) on this machine's cores and rank by throughput.")

        @Argument(help: "Sweep specification file (- for standard input).") var spec: String
        @Option(help: "Threads (default: all cores).") var threads: Int?
        @OptionGroup var output: SweepOutputOptions

        func run() throws {
            try reportingErrors {
                let job = try output.loadJob(spec)
                let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
                if threadCount < 1 { throw CLIError.message("invalid --threads \(threadCount): allowed an integer >= 1") }
                var writer: FileHandle?
                if let path = output.outputPath(job) {
                    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                        throw CLIError.message("cannot write '\(path)'")
                    }
                    writer = handle
                }
                let clock = ProgressClock()
                let showProgress = output.showProgress
                let totals = LocalSweep.run(job, threads: threadCount, progress: { done, total, evaluated in
                    guard showProgress else { return }
                    let rate = clock.rate(done: evaluated, total: job.space.count).perSecond
                    Console.progress("tasks \(done)/\(total), \(rate) configurations/s, threads \(threadCount), "
                        + clock.etaText(done: evaluated, total: job.space.count), final: done == total)
                }, onEntries: { entries in
                    let lines = entries.map { SweepOutput.jsonLine($0, space: job.space) }.joined(separator: "\n") + "\n"
                    writer?.write(Data(lines.utf8))
                })
                try writer?.close()
                try output.emit(totals, job: job, poisoned: [])
            }
        }
    }

    /// `planner coordinate SPEC`: serve the sweep to workers over ZeroMQ.
    struct Coordinate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Split a sweep into tasks for ZeroMQ workers, merge their results, rank by throughput.",
            discussion: """
                Without --bind it binds loopback on an ephemeral port and starts --local-workers worker processes \
                (default: one per core), so on one machine it just works. With --bind, remote workers \
                (`planner worker --connect tcp://HOST:PORT`) join at any time; a non-loopback bind needs CURVE keys \
                (--curve-secret-file, --allow-keys) or --insecure. The ranking is byte-identical to `planner sweep`.
                """)

        @Argument(help: "Sweep specification file.") var spec: String
        @OptionGroup var cluster: ClusterOptions
        @OptionGroup var output: SweepOutputOptions

        func run() throws {
            try reportingErrors {
                let job = try output.loadJob(spec)
                let outcome = try cluster.run(job, defaultJournal: spec == "-" ? nil : spec + ".journal", outPath: output.outputPath(job),
                                              showProgress: output.showProgress)
                try output.emit(outcome.totals, job: job, poisoned: outcome.poisonedTasks)
                try ClusterOptions.failPoisoned(outcome.poisonedTasks)
            }
        }
    }

    /// `planner worker --connect tcp://HOST:PORT`.
    struct WorkerCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "worker",
            abstract: "Evaluate tasks (sweeps, fleet sizings) for a coordinator; reconnects with backoff, exits cleanly on SIGTERM.")

        @Option(help: "Coordinator endpoint, e.g. tcp://head-node:5555.") var connect: String
        @Option(help: "Tasks evaluated at once (default: all cores).") var threads: Int?
        @Option(help: "The coordinator's CURVE public key (Z85, or a .pub file).") var serverKey: String?
        @Option(help: "File holding this worker's CURVE secret key (Z85).") var curveSecretFile: String?
        @Option(help: "Worker name in the coordinator's logs (default: host/pid).") var name: String?
        @Option(help: "Heartbeat interval in ms.") var heartbeatMs: Int = 1000
        @Flag(help: "Exit when the coordinator says its job is done (instead of waiting for the next).") var exitWhenDone = false
        @Flag(help: "Log connections on standard error.") var verbose = false
        @Flag(help: "Accept a --curve-secret-file that group or others can read.") var allowWorldReadableKey = false
        @Option(help: ArgumentHelp("Extra milliseconds per task (testing aid: a slow worker).", visibility: .hidden)) var taskDelayMs = 0
        @Option(help: ArgumentHelp("Exit at once when given this task (testing aid: a crashing input).", visibility: .hidden)) var crashOnTask: Int?

        func run() throws {
            try reportingErrors {
                let threadCount = threads ?? ProcessInfo.processInfo.activeProcessorCount
                if threadCount < 1 { throw CLIError.message("invalid --threads \(threadCount): allowed an integer >= 1") }
                let hostName = ProcessInfo.processInfo.hostName
                var options = Worker.Options(endpoint: connect, threads: threadCount,
                                             workerID: name ?? "\(hostName)/\(ProcessInfo.processInfo.processIdentifier)")
                options.heartbeatMs = Int64(max(heartbeatMs, 10))
                options.exitWhenDone = exitWhenDone
                options.taskDelayMs = max(taskDelayMs, 0)
                options.crashOnTask = crashOnTask
                switch (serverKey, curveSecretFile) {
                case let (server?, secretFile?):
                    options.serverKey = try KeyFiles.readPublicKeyArgument(server)
                    options.keyPair = try CurveKeyPair(secretKey: try KeyFiles.readSecret(secretFile, allowWorldReadable: allowWorldReadableKey))
                case (nil, nil):
                    if let secret = ProcessInfo.processInfo.environment["PLANNER_WORKER_SECRET_KEY"],
                       let server = ProcessInfo.processInfo.environment["PLANNER_SERVER_KEY"] {
                        options.serverKey = server
                        options.keyPair = try CurveKeyPair(secretKey: secret)
                    }
                default:
                    throw CLIError.message("--server-key and --curve-secret-file go together")
                }
                let worker = try Worker(options: options)
                signal(SIGTERM, SIG_IGN)
                signal(SIGINT, SIG_IGN)
                let sources = [SIGTERM, SIGINT].map { number in
                    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                    source.setEventHandler { worker.requestStop() }
                    source.resume()
                    return source
                }
                let verbose = self.verbose
                let exit = try worker.run(log: { line in if verbose { Console.error(line) } }, warn: { line in Console.error(line) })
                sources.forEach { $0.cancel() }
                if case let .refused(reason) = exit {
                    Console.error("error: \(reason)")
                    throw ExitCode(3)
                }
            }
        }
    }

    /// `planner keys generate`.
    struct Keys: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage CURVE keys for coordinator and workers.", subcommands: [Generate.self])

        struct Generate: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write NAME.key (secret, mode 0600) and NAME.pub (public) into a folder.")

            @Option(help: "Key name (file stem).") var name: String
            @Option(help: "Folder to write into.") var dir = "."
            @Flag(help: "Replace existing files.") var force = false

            func run() throws {
                try reportingErrors {
                    let pair = try CurveKeyPair.generate()
                    let secretPath = (dir as NSString).appendingPathComponent("\(name).key")
                    let publicPath = (dir as NSString).appendingPathComponent("\(name).pub")
                    for path in [secretPath, publicPath] where FileManager.default.fileExists(atPath: path) {
                        guard force else { throw CLIError.message("'\(path)' exists; use --force to replace it") }
                        guard unlink(path) == 0 else { throw CLIError.message("cannot replace '\(path)': \(String(cString: strerror(errno)))") }
                    }
                    try KeyFiles.create(secretPath, contents: pair.secretKey + "\n", mode: 0o600)
                    try KeyFiles.create(publicPath, contents: pair.publicKey + "\n", mode: 0o644)
                    print("wrote \(secretPath) (secret, mode 0600, keep private) and \(publicPath) (public: \(pair.publicKey))")
                }
            }
        }
    }
}

/// Reading CURVE key files.
enum KeyFiles {
    /// Creates `path` with `mode` from the start (`open(O_CREAT | O_EXCL | O_WRONLY, mode)`, then
    /// `fchmod`, so neither a temporary file nor the umask ever leaves the bytes readable by others),
    /// writes `contents` and fsyncs.
    /// - Throws: ``CLIError`` naming the file and the system error.
    static func create(_ path: String, contents: String, mode: mode_t) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode)
        guard descriptor >= 0 else { throw CLIError.message("cannot create '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        guard fchmod(descriptor, mode) == 0 else { throw CLIError.message("cannot set the mode of '\(path)': \(String(cString: strerror(errno)))") }
        let bytes = Array(contents.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { throw CLIError.message("cannot write '\(path)': \(String(cString: strerror(errno)))") }
            offset += written
        }
        guard fsync(descriptor) == 0 else { throw CLIError.message("cannot sync '\(path)': \(String(cString: strerror(errno)))") }
    }

    /// Reads a secret key file, refusing one that group or others can read unless `allowWorldReadable`.
    static func readSecret(_ path: String, allowWorldReadable: Bool = false) throws -> String {
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o077 != 0, !allowWorldReadable {
            throw CLIError.message("CURVE secret key file '\(path)' has mode \(String(status.st_mode & 0o777, radix: 8)): group or others "
                + "have access to it; allowed: 0600 or 0400 (chmod 600 '\(path)'), or give --allow-world-readable-key")
        }
        let key = try Console.readText(path, field: "CURVE secret key").trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.count == 40, Z85.decode(key) != nil else {
            throw CLIError.message("'\(path)' does not hold a CURVE secret key (40 Z85 characters)")
        }
        return key
    }

    /// A public key given inline (40 Z85 characters) or as a .pub file.
    static func readPublicKeyArgument(_ value: String) throws -> String {
        if value.count == 40, Z85.decode(value) != nil { return value }
        return try readPublicKey(value)
    }

    static func readPublicKey(_ path: String) throws -> String {
        let key = try Console.readText(path, field: "CURVE public key").trimmingCharacters(in: .whitespacesAndNewlines)
        guard key.count == 40, Z85.decode(key) != nil else {
            throw CLIError.message("'\(path)' does not hold a CURVE public key (40 Z85 characters)")
        }
        return key
    }

    /// Every *.pub in a folder, or one file.
    static func readPublicKeys(_ path: String) throws -> Set<String> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CLIError.message("--allow-keys '\(path)' does not exist")
        }
        if !isDirectory.boolValue { return [try readPublicKey(path)] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".pub") }.sorted()
        if names.isEmpty { throw CLIError.message("--allow-keys '\(path)' holds no .pub file") }
        return Set(try names.map { try readPublicKey((path as NSString).appendingPathComponent($0)) })
    }
}
