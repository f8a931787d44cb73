import Foundation
import Testing
import ZeroMQ

/// Key files (modes fixed at creation, world-readable secrets refused), CURVE refusals logged and
/// counted, and a coordinator that takes its local workers down with it on SIGTERM / SIGINT.
@Suite(.serialized)
struct KeysAndSignalsTests {
    static func folder() throws -> String {
        let path = NSTemporaryDirectory() + "planner-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func mode(_ path: String) -> Int {
        var status = stat()
        guard stat(path, &status) == 0 else { return -1 }
        return Int(status.st_mode & 0o777)
    }

    /// `planner keys generate` under a given umask (through /bin/sh, so the child inherits it).
    static func generate(_ name: String, in dir: String, umask mask: String, force: Bool = false) throws -> PlannerProcess.Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "umask \(mask) && exec \"$0\" keys generate --name \(name) --dir \"$1\"" + (force ? " --force" : ""),
                             PlannerProcess.executable.path, dir]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return PlannerProcess.Outcome(status: process.terminationStatus, stdout: "", stderr: String(decoding: data, as: UTF8.self))
    }

    @Test func keyFilesGetTheirModesWhateverTheUmask() throws {
        let dir = try Self.folder()
        for (name, mask) in [("open", "000"), ("closed", "077"), ("usual", "022")] {
            let outcome = try Self.generate(name, in: dir, umask: mask)
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(Self.mode(dir + "/\(name).key") == 0o600, "umask \(mask)")
            #expect(Self.mode(dir + "/\(name).pub") == 0o644, "umask \(mask)")
        }
        // No overwrite without --force; with it, the files are created anew (same modes).
        let again = try Self.generate("open", in: dir, umask: "000")
        #expect(again.status == 1 && again.stderr.contains("exists; use --force"))
        let before = try String(contentsOfFile: dir + "/open.key", encoding: .utf8)
        #expect(try Self.generate("open", in: dir, umask: "000", force: true).status == 0)
        #expect(try String(contentsOfFile: dir + "/open.key", encoding: .utf8) != before)
        #expect(Self.mode(dir + "/open.key") == 0o600)
        // A symlink planted where the secret goes is replaced, never followed.
        let target = dir + "/planted-target"
        FileManager.default.createFile(atPath: target, contents: Data("x".utf8))
        try FileManager.default.removeItem(atPath: dir + "/usual.key")
        try FileManager.default.createSymbolicLink(atPath: dir + "/usual.key", withDestinationPath: target)
        #expect(try Self.generate("usual", in: dir, umask: "022", force: true).status == 0)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "x")
    }

    @Test func aSecretKeyFileOthersCanReadIsRefused() throws {
        let dir = try Self.folder()
        try FileManager.default.createDirectory(atPath: dir + "/allowed", withIntermediateDirectories: true)
        #expect(try PlannerProcess.run(["keys", "generate", "--name", "coordinator", "--dir", dir]).status == 0)
        #expect(try PlannerProcess.run(["keys", "generate", "--name", "w", "--dir", dir + "/allowed"]).status == 0)
        chmod(dir + "/coordinator.key", 0o644)
        let spec = try PlannerProcess.temporaryFile(ClusterProcessTests.spec, suffix: ".yaml")
        let coordinator = try PlannerProcess.run(["coordinate", spec, "--local-workers", "1", "--curve-secret-file", dir + "/coordinator.key",
                                                  "--allow-keys", dir + "/allowed", "--no-progress"])
        #expect(coordinator.status == 1)
        #expect(coordinator.stderr.contains("'\(dir)/coordinator.key' has mode 644") && coordinator.stderr.contains("--allow-world-readable-key"),
                "\(coordinator.stderr)")
        let worker = try PlannerProcess.run(["worker", "--connect", "tcp://127.0.0.1:1", "--server-key", dir + "/coordinator.pub",
                                             "--curve-secret-file", dir + "/coordinator.key"])
        #expect(worker.status == 1 && worker.stderr.contains("has mode 644"), "\(worker.stderr)")
        let allowed = try PlannerProcess.run(["coordinate", spec, "--local-workers", "1", "--curve-secret-file", dir + "/coordinator.key",
                                              "--allow-keys", dir + "/allowed", "--allow-world-readable-key", "--json", "--no-progress",
                                              "--journal", spec + ".journal"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
    }

    @Test func aCurveRefusalIsLoggedWithTheKeyCountedAndExplainedToTheWorker() throws {
        let dir = try Self.folder()
        try FileManager.default.createDirectory(atPath: dir + "/allowed", withIntermediateDirectories: true)
        for (name, folder) in [("coordinator", dir), ("good", dir + "/allowed"), ("bad", dir)] {
            #expect(try PlannerProcess.run(["keys", "generate", "--name", name, "--dir", folder]).status == 0)
        }
        let badKey = try String(contentsOfFile: dir + "/bad.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let spec = try PlannerProcess.temporaryFile(ClusterProcessTests.spec, suffix: ".yaml")
        let endpoint = "tcp://127.0.0.1:\(freeLoopbackPort())"
        let coordinator = try BackgroundProcess(["coordinate", spec, "--bind", endpoint, "--json", "--curve-secret-file", dir + "/coordinator.key",
                                                 "--allow-keys", dir + "/allowed", "--journal", spec + ".journal", "--verbose", "--no-progress"])
        #expect(coordinator.waitForStderr("listening on"))
        let intruder = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "1", "--server-key", dir + "/coordinator.pub",
                                              "--curve-secret-file", dir + "/bad.key"])
        #expect(intruder.waitForStderr("refused by the coordinator's allow-list"), "\(intruder.stderr)")
        #expect(coordinator.waitForStderr("public key \(badKey)"), "\(coordinator.stderr)")
        intruder.signal(SIGTERM)
        _ = intruder.wait(timeoutSeconds: 10)
        // An allowed CURVE peer sending a 10-frame message: dropped and counted, never fatal.
        let context = try ZMQContext()
        let allowed = try ZMQSocket(context, type: .dealer)
        let secret = try String(contentsOfFile: dir + "/allowed/good.key", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try String(contentsOfFile: dir + "/coordinator.pub", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        try allowed.set(.curveServerKey(server), .curvePublicKey(try CurveKeyPair.publicKey(fromSecret: secret)), .curveSecretKey(secret))
        try allowed.connect(endpoint)
        try allowed.send(Array(repeating: Array("x".utf8), count: 10))
        Thread.sleep(forTimeInterval: 0.5)
        #expect(coordinator.process.isRunning, "\(coordinator.stderr)")
        allowed.close()
        let good = try BackgroundProcess(["worker", "--connect", endpoint, "--threads", "2", "--server-key", dir + "/coordinator.pub",
                                          "--curve-secret-file", dir + "/allowed/good.key", "--exit-when-done"])
        #expect(coordinator.wait(timeoutSeconds: 60) == 0, "\(coordinator.stderr)")
        #expect(!coordinator.stderr.contains("refused 0;"), "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("refused "))
        #expect(coordinator.stderr.contains("1 too many frames"), "\(coordinator.stderr)")
        #expect(good.wait() == 0)
    }

    /// The pids whose parent is `pid` (from /proc).
    static func children(of pid: Int32) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.filter { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[1]) == pid
        }
    }

    static let longSpec = """
        model: [llama2_7b, mixtral_8x7b]
        hardware: [A100_80GB, H100_80GB, MI300X]
        bits: [bf16, int8, int4]
        tensor_parallel: [1, 2, 4, 8]
        pipeline_parallel: [1, 2, 4]
        expert_parallel: [1, 2]
        batch_size: [1, 2, 4, 8, 16, 32, 64, 128]
        input_tokens: [128, 256, 512, 1024, 2048, 4096]
        output_tokens: [64, 128, 256, 512, 1024, 2048]
        top: 10
        """

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalledCoordinatorStopsItsLocalWorkers(signal number: Int32, status: Int32) throws {
        let spec = try PlannerProcess.temporaryFile(Self.longSpec, suffix: ".yaml")
        let coordinator = try BackgroundProcess(["coordinate", spec, "--local-workers", "2", "--chunk-size", "500", "--verbose", "--json",
                                                 "--journal", spec + ".journal", "--no-progress"])
        #expect(eventually { coordinator.stderr.components(separatedBy: "worker joined").count == 3 }, "\(coordinator.stderr)")
        let workers = Self.children(of: coordinator.process.processIdentifier)
        #expect(workers.count == 2)
        coordinator.signal(number)
        #expect(coordinator.wait(timeoutSeconds: 15) == status, "\(coordinator.stderr)")
        #expect(coordinator.stderr.contains("the journal keeps the completed tasks"))
        for pid in workers {
            #expect(kill(pid, 0) != 0, "local worker \(pid) outlived its coordinator")
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
    }
}

/// `--resume` against damaged journals, as a user meets them.
@Suite(.serialized)
struct JournalResumeProcessTests {
    @Test func aTornLineIsCutAndSaidAndADamagedHeaderStopsUnlessRepaired() throws {
        let spec = try PlannerProcess.temporaryFile(ClusterProcessTests.spec, suffix: ".yaml")
        let journal = spec + ".journal"
        let expected = try PlannerProcess.run(["sweep", spec, "--json", "--no-progress"]).stdout
        let base = ["coordinate", spec, "--json", "--local-workers", "1", "--chunk-size", "64", "--journal", journal, "--no-progress"]
        #expect(try PlannerProcess.run(base).status == 0)
        // A coordinator killed mid-write leaves half a line.
        let handle = try #require(FileHandle(forWritingAtPath: journal))
        handle.seekToEndOfFile()
        handle.write(Data("0123456789abcdef {\"task\":3,\"res".utf8))
        try handle.close()
        let torn = try PlannerProcess.run(base + ["--resume"])
        #expect(torn.status == 0 && torn.stdout == expected, "\(torn.stderr)")
        #expect(torn.stderr.contains("cut a torn last line"), "\(torn.stderr)")
        // A damaged header: a clear error, exit 1; with --resume-repair the journal starts over.
        var text = try String(contentsOfFile: journal, encoding: .utf8)
        text = text.replacingOccurrences(of: "planner/3", with: "planner/X")
        try text.write(toFile: journal, atomically: true, encoding: .utf8)
        let stopped = try PlannerProcess.run(base + ["--resume"])
        #expect(stopped.status == 1 && stopped.stderr.contains("damaged header") && stopped.stderr.contains("--resume-repair"), "\(stopped.stderr)")
        let repaired = try PlannerProcess.run(base + ["--resume", "--resume-repair"])
        #expect(repaired.status == 0 && repaired.stdout == expected, "\(repaired.stderr)")
        #expect(repaired.stderr.contains("started it over"), "\(repaired.stderr)")
        let misuse = try PlannerProcess.run(base + ["--resume-repair"])
        #expect(misuse.status == 1 && misuse.stderr.contains("--resume-repair needs --resume"))
    }
}
