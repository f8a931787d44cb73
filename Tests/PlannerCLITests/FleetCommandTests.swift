import Dispatch
import Foundation
import PlannerFormats
import Testing

/// `planner fleet` end to end: reports written, JSON keys, exit codes, price files, threads; and the
/// HTML report rendered by headless Chromium (skipped where no Chromium is installed).
struct FleetCommandTests {
    static let issueExample = """
        model: llama2_70b
        rate_rps: 20
        input_tokens: 2048
        output_tokens: 256
        slo: {ttft_p99_ms: 2000, tpot_p99_ms: 50}
        hardware: [A100_80GB, H100_80GB, MI300X]
        """

    static func temporaryFolder() -> String {
        NSTemporaryDirectory() + "planner-fleet-\(UUID().uuidString)"
    }

    static func read(_ folder: String, _ name: String) throws -> String {
        try String(contentsOfFile: (folder as NSString).appendingPathComponent(name), encoding: .utf8)
    }

    @Test func theIssueExampleWritesEveryReport() throws {
        let workload = try PlannerProcess.temporaryFile(Self.issueExample, suffix: ".yaml")
        let out = Self.temporaryFolder()
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", out])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("cheapest") && outcome.stdout.contains("$/hour") && outcome.stdout.contains("TPOT p99 ms"))
        #expect(outcome.stdout.contains("\(out)/report.html"))
        let json = try JSONValue.parse(try Self.read(out, "report.json"))
        let options = try #require(json["options"]?.arrayValue)
        #expect(options.count > 10)
        for key in ["hardware", "bits", "tensor_parallel", "pipeline_parallel", "expert_parallel", "replicas", "devices", "nodes",
                    "per_replica_rps", "cost_per_hour", "cost_per_million_output_tokens", "meets_slo"] {
            #expect(options.allSatisfy { $0[key] != nil && $0[key] != .null }, "missing \(key)")
        }
        // Cheapest first among those meeting the targets, capacity covers 20 x 1.2 requests/s.
        let feasible = options.filter { $0["meets_slo"] == .bool(true) }
        #expect(options.first?["meets_slo"] == .bool(true))
        let costs = feasible.compactMap { $0["cost_per_hour"]?.doubleValue }
        #expect(costs == costs.sorted() && costs.count == feasible.count)
        for option in options {
            let replicas = Double(option["replicas"]?.intValue ?? 0)
            #expect(replicas * (option["per_replica_rps"]?.doubleValue ?? 0) >= 24)
        }
        let infeasible = options.filter { $0["meets_slo"] == .bool(false) }
        #expect(!infeasible.isEmpty && infeasible.allSatisfy { $0["reason"]?.stringValue?.contains("target") == true })
        // The printed table's first row is the JSON's first option.
        let firstRow = try #require(outcome.stdout.split(separator: "\n").first { $0.hasPrefix(" 1  ") })
        #expect(firstRow.contains(options[0]["hardware"]?.stringValue ?? "?"))
        let csv = try Self.read(out, "report.csv")
        #expect(csv.split(separator: "\r\n").count == options.count + 1)
        #expect(try Self.read(out, "report.md").contains("## Options meeting the targets"))
        #expect(try Self.read(out, "report.html").hasPrefix("<!DOCTYPE html>"))
    }

    @Test func jsonThreadsAndCoordinateGiveTheSameReport() throws {
        let workload = try PlannerProcess.temporaryFile(Self.issueExample, suffix: ".yaml")
        let one = Self.temporaryFolder(), two = Self.temporaryFolder()
        let single = try PlannerProcess.run(["fleet", workload, "--out", one, "--threads", "1", "--json"])
        let pooled = try PlannerProcess.run(["fleet", workload, "--out", two, "--coordinate", "local", "--threads", "2"])
        #expect(single.status == 0 && pooled.status == 0)
        let report = try Self.read(one, "report.json")
        #expect(single.stdout == report)
        #expect(try Self.read(two, "report.json") == report)
        #expect(try Self.read(two, "report.html") == (try Self.read(one, "report.html")))
        #expect(try Self.read(two, "report.csv") == (try Self.read(one, "report.csv")))
    }

    @Test func pricesFileAndProfileOverride() throws {
        let workload = try PlannerProcess.temporaryFile(Self.issueExample, suffix: ".yaml")
        let base = try #require(try PlannerProcess.run(["fleet", workload, "--out", Self.temporaryFolder(), "--json"]).json)
        let cheapestHardware = try #require(base["options"]?.arrayValue?.first?["hardware"]?.stringValue)
        // Make the cheapest hardware expensive: another one takes first place.
        let prices = try PlannerProcess.temporaryFile(#"{"prices": {"\#(cheapestHardware)": {"usd_per_device_hour": 50, "source": "test quote"}}}"#)
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", Self.temporaryFolder(), "--json", "--prices", prices])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(outcome.json)
        #expect(json["options"]?.arrayValue?.first?["hardware"]?.stringValue != cheapestHardware)
        let used = try #require(json["prices"]?.arrayValue?.first { $0["hardware"]?.stringValue == cheapestHardware })
        #expect(used["usd_per_device_hour"]?.doubleValue == 50 && used["source"]?.stringValue == "test quote")
        let genz = try PlannerProcess.run(["fleet", workload, "--out", Self.temporaryFolder(), "--json", "--profile", "genz"])
        #expect(genz.status == 0 && genz.json?["workload"]?["profile"]?.stringValue == "genz")
    }

    @Test func workloadFromStandardInputAsJSON() throws {
        let json = #"{"model": "llama2_7b", "rate_output_tokens_per_s": 2000, "input_tokens": {"mean": 800, "p99": 3000}, "#
            + #""output_tokens": [{"tokens": 100, "weight": 1}, {"tokens": 300, "weight": 1}], "slo": {"tpot_mean_ms": 40}, "#
            + #""bits": ["bf16", "fp8"], "hardware": ["H100_80GB"]}"#
        let out = Self.temporaryFolder()
        let outcome = try PlannerProcess.run(["fleet", "-", "--out", out, "--top", "3"], stdin: json)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("fp8") && outcome.stdout.contains("TPOT mean ms"))
        let report = try JSONValue.parse(try Self.read(out, "report.json"))
        #expect(report["workload"]?["demand_rps"]?.doubleValue == 10)
    }

    @Test func impossibleTargetsStillWriteTheReports() throws {
        let workload = try PlannerProcess.temporaryFile(Self.issueExample.replacing("tpot_p99_ms: 50", with: "tpot_p99_ms: 2"), suffix: ".yaml")
        let out = Self.temporaryFolder()
        let outcome = try PlannerProcess.run(["fleet", workload, "--out", out])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("error: no option meets the latency targets"))
        let options = try #require(try JSONValue.parse(try Self.read(out, "report.json"))["options"]?.arrayValue)
        #expect(!options.isEmpty && options.allSatisfy { $0["meets_slo"] == .bool(false) && $0["reason"]?.stringValue?.contains("TPOT p99") == true })
        #expect(try Self.read(out, "report.md").contains("TPOT p99 is at least"))
    }

    @Test func invalidInputsAndUsageErrors() throws {
        let cases: [(String, [String])] = [
            ("model: llama2_70b\nrate_rps: 20\nhardware: [TPUv5e]\n", ["prices.TPUv5e", "--prices"]),
            ("model: llama2_70b\nrate_rps: 20\nhardware: [H100_80GB]\nslo: {ttft_p99: 1}\n", ["slo.ttft_p99"]),
            ("model: llama2_70b\nrates: 20\nhardware: [H100_80GB]\n", ["rates", "the keys"]),
            ("model: llama2_70b\nrate_rps: [20\n", ["malformed"]),
        ]
        for (text, fragments) in cases {
            let outcome = try PlannerProcess.run(["fleet", try PlannerProcess.temporaryFile(text, suffix: ".yaml"), "--out", Self.temporaryFolder()])
            #expect(outcome.status == 1, "\(text)")
            #expect(outcome.stderr.hasPrefix("error: "))
            for fragment in fragments { #expect(outcome.stderr.contains(fragment), "\(text) -> \(outcome.stderr)") }
        }
        let missing = try PlannerProcess.run(["fleet", "/nonexistent/workload.yaml"])
        #expect(missing.status == 1 && missing.stderr.contains("cannot read workload file"))
        let workload = try PlannerProcess.temporaryFile(Self.issueExample, suffix: ".yaml")
        for arguments in [["fleet"], ["fleet", workload, "--top", "0"], ["fleet", workload, "--threads", "0"],
                          ["fleet", workload, "--coordinate", "tcp://head:5555"], ["fleet", workload, "--bind", "tcp://*:5555"],
                          ["fleet", workload, "--coordinate", "local", "--local-workers", "2"], ["fleet", workload, "--chunk-size", "4"],
                          ["fleet", workload, "--coordinate", "cluster", "--threads", "2"],
                          ["fleet", workload, "--coordinate", "cluster", "--chunk-size", "0"],
                          ["fleet", workload, "--coordinate", "cluster", "--chunk-size", "5000"]] {
            let outcome = try PlannerProcess.run(arguments)
            #expect(outcome.status == 64, "\(arguments): \(outcome.stderr)")
        }
        let badPrices = try PlannerProcess.run(["fleet", workload, "--out", Self.temporaryFolder(),
                                                "--prices", try PlannerProcess.temporaryFile("H100_80GB: cheap\n", suffix: ".yaml")])
        #expect(badPrices.status == 1 && badPrices.stderr.contains("prices.H100_80GB"))
    }

    // MARK: - Headless Chromium

    /// The Chromium (Debian package `chromium`) binary, if installed.
    static let chromium: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let names = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
        for directory in path.split(separator: ":") + ["/usr/bin", "/snap/bin"] {
            for name in names {
                let candidate = "\(directory)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Runs headless Chromium on `page` with `mode` (`--screenshot=...` or `--dump-dom`), logging the
    /// page's console to standard error; returns (stdout, stderr). Killed after 90 s.
    static func runChromium(_ binary: String, page: String, mode: [String]) throws -> (stdout: String, stderr: String) {
        let folder = temporaryFolder()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let outPath = folder + "/stdout", errPath = folder + "/stderr"
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--hide-scrollbars",
                             "--user-data-dir=\(folder)/profile", "--enable-logging=stderr", "--v=0"] + mode + [URL(fileURLWithPath: page).absoluteString]
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = DispatchTime.now() + .seconds(90)
        let finished = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { process.waitUntilExit(); finished.signal() }
        if finished.wait(timeout: deadline) == .timedOut { process.terminate(); process.waitUntilExit() }
        try out.close()
        try err.close()
        return (try String(contentsOfFile: outPath, encoding: .utf8), try String(contentsOfFile: errPath, encoding: .utf8))
    }

    /// Console messages Chromium logged for the page (`...:CONSOLE...] "message", source: ...`).
    static func consoleLines(_ stderr: String) -> [Substring] {
        stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
    }

    /// Width and height from a PNG's IHDR chunk.
    static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else { return nil }
        func int(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (int(16), int(20))
    }

    @Test(.enabled(if: FleetCommandTests.chromium != nil, "needs headless Chromium (Debian package chromium)"))
    func htmlReportRendersInHeadlessChromiumWithoutConsoleErrors() throws {
        let binary = try #require(Self.chromium)
        let workload = try PlannerProcess.temporaryFile(Self.issueExample, suffix: ".yaml")
        let out = Self.temporaryFolder()
        #expect(try PlannerProcess.run(["fleet", workload, "--out", out]).status == 0)
        let page = (out as NSString).appendingPathComponent("report.html")

        // The check can see console errors: a page that logs one and throws is caught.
        let broken = try PlannerProcess.temporaryFile("<!DOCTYPE html><html><body><script>console.error('fleet-probe');missing()</script></body></html>",
                                                      suffix: ".html")
        let probe = try Self.runChromium(binary, page: broken, mode: ["--dump-dom"])
        #expect(Self.consoleLines(probe.stderr).contains { $0.contains("fleet-probe") }, "console logging not captured: \(probe.stderr)")

        // Screenshot of the report: a real image of the requested size, and no console messages at all.
        let screenshot = out + "/report.png"
        let shot = try Self.runChromium(binary, page: page, mode: ["--screenshot=\(screenshot)", "--window-size=1280,2000"])
        #expect(Self.consoleLines(shot.stderr).isEmpty, "console output: \(Self.consoleLines(shot.stderr))")
        let image = try #require(FileManager.default.contents(atPath: screenshot), "no screenshot: \(shot.stderr)")
        let size = try #require(Self.pngSize(image))
        #expect(size.width == 1280 && size.height == 2000)
        // A blank page compresses to a few kB; bars, dots, curves and tables do not.
        #expect(image.count > 40_000, "screenshot only \(image.count) bytes")

        // The DOM Chromium built holds the three charts with their marks.
        let dom = try Self.runChromium(binary, page: page, mode: ["--dump-dom"])
        #expect(Self.consoleLines(dom.stderr).isEmpty)
        #expect(dom.stdout.split(separator: "<svg", omittingEmptySubsequences: false).count == 4)
        #expect(dom.stdout.split(separator: "<rect", omittingEmptySubsequences: false).count > 20)
        #expect(dom.stdout.split(separator: "<circle", omittingEmptySubsequences: false).count > 10)
        #expect(dom.stdout.contains("Pareto frontier"))
    }
}
