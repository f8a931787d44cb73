import ArgumentParser
import Dispatch
import Foundation
import PlannerCluster

/// How to run a coordinator: shared by `planner coordinate` and `planner fleet --coordinate cluster`.
struct ClusterOptions: ParsableArguments {
    @Option(help: "Endpoint to bind, e.g. tcp://*:5555 (default: loopback, ephemeral port).") var bind: String?
    @Option(help: "Worker processes to start on this machine (default: cores without --bind, 0 with it).") var localWorkers: Int?
    @Option(help: "Threads per local worker (default: 1).") var localWorkerThreads: Int?
    @Option(help: "Journal of completed tasks, for --resume (default: <spec>.journal; for fleet, <out>/fleet.journal).")
    var journal: String?
    @Flag(help: "Continue from the journal of an interrupted run of the same job.") var resume = false
    @Flag(help: "With --resume: drop damaged journal records (their tasks run again) instead of stopping.") var resumeRepair = false
    @Option(help: "File holding this coordinator's CURVE secret key (Z85; see `planner keys generate`).") var curveSecretFile: String?
    @Option(help: "Folder of allowed worker public keys (*.pub) or one .pub file.") var allowKeys: String?
    @Flag(help: "Accept a --curve-secret-file that group or others can read.") var allowWorldReadableKey = false
    @Flag(help: "Allow a non-loopback bind without CURVE (unauthenticated, unencrypted).") var insecure = false
    @Option(help: "Heartbeat interval in ms (default: \(CoordinatorOptions().heartbeatMs); workers are dead after \(CoordinatorOptions().liveness) missed).")
    var heartbeatMs: Int?
    @Option(help: "Minimum task lease in ms before a stalled task is handed out again (default: \(CoordinatorOptions().minimumLeaseMs)).")
    var leaseMs: Int?
    @Option(help: "Share of each worker's accepted tasks the coordinator re-evaluates itself, 0 to 1 (default: 0); a worker whose figures differ is quarantined.")
    var verifyFraction: Double?
    @Flag(help: "Log worker joins, losses and refusals on standard error.") var verbose = false

    /// The options given explicitly, by flag name (for "this needs --coordinate cluster" errors).
    var givenFlags: [String] {
        var names: [String] = []
        if bind != nil { names.append("--bind") }
        if localWorkers != nil { names.append("--local-workers") }
        if localWorkerThreads != nil { names.append("--local-worker-threads") }
        if journal != nil { names.append("--journal") }
        if resume { names.append("--resume") }
        if resumeRepair { names.append("--resume-repair") }
        if curveSecretFile != nil { names.append("--curve-secret-file") }
        if allowKeys != nil { names.append("--allow-keys") }
        if insecure { names.append("--insecure") }
        if allowWorldReadableKey { names.append("--allow-world-readable-key") }
        if heartbeatMs != nil { names.append("--heartbeat-ms") }
        if leaseMs != nil { names.append("--lease-ms") }
        if verifyFraction != nil { names.append("--verify-fraction") }
        if verbose { names.append("--verbose") }
        return names
    }

    /// Runs `job` through a coordinator (and, by default, local worker processes), reporting
    /// progress on standard error when `showProgress`.
    /// - Parameters:
    ///   - defaultJournal: the journal when --journal is not given (nil: none).
    ///   - outPath: the JSONL file for every ranked entry (sweeps keeping `all`).
    /// - Throws: ``CLIError`` for inconsistent options; ``ClusterError`` from the run.
    func run<Job: ClusterJob>(_ job: Job, defaultJournal: String?, outPath: String? = nil, showProgress: Bool) throws
        -> Coordinator<Job>.Outcome {
        var options = CoordinatorOptions()
        options.bind = bind
        options.localWorkers = localWorkers ?? (bind == nil ? ProcessInfo.processInfo.activeProcessorCount : 0)
        if options.localWorkers < 0 { throw CLIError.message("invalid --local-workers \(options.localWorkers): allowed an integer >= 0") }
        if bind == nil && options.localWorkers == 0 {
            throw CLIError.message("--local-workers 0 without --bind: no worker could ever join")
        }
        if let localWorkerThreads, localWorkerThreads < 1 {
            throw CLIError.message("invalid --local-worker-threads \(localWorkerThreads): allowed an integer >= 1")
        }
        options.localWorkerThreads = localWorkerThreads ?? 1
        options.journalPath = journal ?? defaultJournal
        if resume && options.journalPath == nil { throw CLIError.message("--resume needs --journal (there is no default journal here)") }
        options.resume = resume
        if resumeRepair && !resume { throw CLIError.message("--resume-repair needs --resume") }
        options.resumeRepair = resumeRepair
        options.warn = { @Sendable line in Console.error("warning: " + line) }
        options.outPath = outPath
        options.insecure = insecure
        if let heartbeatMs { options.heartbeatMs = Int64(max(heartbeatMs, 10)) }
        if let leaseMs { options.minimumLeaseMs = Int64(max(leaseMs, 10)) }
        if let verifyFraction {
            guard verifyFraction.isFinite, verifyFraction >= 0, verifyFraction <= 1 else {
                throw CLIError.message("invalid --verify-fraction \(verifyFraction): allowed a number from 0 to 1")
            }
            options.verifyFraction = verifyFraction
        }
        if showProgress {
            options.progress = { @Sendable line, final in Console.progress(line, final: final) }
        }
        if let curveSecretFile {
            options.curveSecretKey = try KeyFiles.readSecret(curveSecretFile, allowWorldReadable: allowWorldReadableKey)
            guard let allowKeys else { throw CLIError.message("--curve-secret-file needs --allow-keys (worker public keys)") }
            options.allowedWorkerKeys = try KeyFiles.readPublicKeys(allowKeys)
        } else if allowKeys != nil {
            throw CLIError.message("--allow-keys needs --curve-secret-file")
        }
        let verbose = self.verbose
        let coordinator = try Coordinator(job: job, options: options, log: { line in if verbose { Console.error(line) } })
        // SIGTERM / SIGINT: the coordinator stops its local workers (none is left running) and exits 128 + the signal.
        let stop = options.stop
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { stop.request(number) }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        let outcome: Coordinator<Job>.Outcome
        do {
            outcome = try coordinator.run()
        } catch let ClusterError.interrupted(signal) {
            Console.error("stopped by \(signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal \(signal)"); the journal "
                + "keeps the completed tasks (--resume continues)")
            throw ExitCode(128 + signal)
        } catch let ClusterError.security(text) {
            // A bind the options do not allow (no keys on a non-loopback address): a usage error.
            Console.error("error: \(text)")
            throw ExitCode(64)
        } catch let error as ClusterError {
            throw CLIError.message("\(error)")
        }
        if !outcome.poisonedRanges.isEmpty {
            Console.error("given up: " + zip(outcome.poisonedTasks, outcome.poisonedRanges).map { task, range in
                "task \(task) (indices \(range.lowerBound)..<\(range.upperBound))"
            }.joined(separator: ", "))
        }
        if verbose {
            Console.error("done: \(outcome.workersSeen) worker(s); duplicates \(outcome.duplicateResults); re-dispatched "
                + "\(outcome.redispatchedTasks); malformed messages \(outcome.malformedMessages) (\(outcome.drops.summary)); refused "
                + "\(outcome.refusedWorkers + outcome.refusedHandshakes); quarantined \(outcome.quarantinedWorkers); verified "
                + "\(outcome.verifiedResults) (\(outcome.verificationMismatches) differed)")
        }
        return outcome
    }

    /// Reports tasks given up after failing on every attempt, with exit status 2.
    static func failPoisoned(_ poisoned: [Int]) throws {
        guard !poisoned.isEmpty else { return }
        Console.error("error: \(poisoned.count) task(s) failed \(Scheduler.Configuration().maxAttempts) times and were given up")
        throw ExitCode(2)
    }
}
