import Foundation
import Testing

/// The fleet HTML report of a four-model workload, laid out by a real browser (headless Chromium):
/// no SVG text outside its chart's viewBox (labels are sized by measured text), no sideways
/// scrolling on a 700 px wide window (the tables stack), one colour per model.
struct FleetReportBrowserTests {
    static let fourModels = """
        model: [llama2_7b, llama3_8b, mistralai/Mixtral-8x7B, llama2_70b]
        rate_rps: 10
        input_tokens: 1024
        output_tokens: 256
        slo: {ttft_p99_ms: 3000, tpot_p99_ms: 60}
        bits: [bf16, fp8]
        hardware: [A100_80GB, H100_80GB, MI300X]
        """

    /// A script appended to a copy of the report: it measures, after layout, every SVG text against
    /// its SVG's viewBox and the page width against the window, and writes the counts into the DOM.
    static let probe = """
        <script>
        window.addEventListener('load', () => {
          let clipped = [], texts = 0;
          for (const svg of document.querySelectorAll('svg')) {
            const box = svg.viewBox.baseVal;
            for (const text of svg.querySelectorAll('text')) {
              texts += 1;
              const b = text.getBBox();
              let x = b.x, y = b.y, w = b.width, h = b.height;
              const t = text.getAttribute('transform');
              if (t && t.startsWith('rotate')) { const cx = b.x + b.width / 2, cy = b.y + b.height / 2; x = cx - h / 2; w = h; h = b.width; y = cy - h / 2; }
              if (x < box.x - 0.5 || y < box.y - 0.5 || x + w > box.x + box.width + 0.5 || y + h > box.y + box.height + 0.5) {
                clipped.push(text.textContent);
              }
            }
          }
          const out = document.createElement('pre');
          out.id = 'probe';
          out.textContent = 'texts=' + texts + ' clipped=' + clipped.length + ' scroll=' +
            (document.documentElement.scrollWidth - window.innerWidth) + ' first=' + JSON.stringify(clipped.slice(0, 3));
          document.body.appendChild(out);
        });
        </script>
        """

    /// Parses `texts=N clipped=N scroll=N` from the probe's output.
    static func probeValues(_ dom: String) -> [String: Int] {
        guard let start = dom.range(of: "<pre id=\"probe\">") else { return [:] }
        let line = dom[start.upperBound...].prefix { $0 != "<" }
        var values: [String: Int] = [:]
        for part in line.split(separator: " ") {
            let pair = part.split(separator: "=", maxSplits: 1)
            if pair.count == 2, let value = Int(pair[1]) { values[String(pair[0])] = value }
        }
        return values
    }

    @Test(.enabled(if: FleetCommandTests.chromium != nil, "needs headless Chromium (Debian package chromium)"))
    func fourModelReportHasNoClippedLabelAndNoSidewaysScroll() throws {
        let binary = try #require(FleetCommandTests.chromium)
        let workload = try PlannerProcess.temporaryFile(Self.fourModels, suffix: ".yaml")
        let out = FleetCommandTests.temporaryFolder()
        let run = try PlannerProcess.run(["fleet", workload, "--out", out])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try FleetCommandTests.read(out, "report.html")
        // Coloured by model: the legend names every model, and four distinct colours fill the dots.
        for name in ["Llama-2-7B", "Mixtral-8x7B"] { #expect(html.contains(name)) }
        #expect(html.contains("replicas x") || html.contains("replica x"))
        let probed = html.replacingOccurrences(of: "</body>", with: Self.probe + "</body>")
        let page = (out as NSString).appendingPathComponent("probe.html")
        try probed.write(toFile: page, atomically: true, encoding: .utf8)
        for width in [1280, 700] {
            let dom = try FleetCommandTests.runChromium(binary, page: page, mode: ["--dump-dom", "--window-size=\(width),1800",
                                                                                   "--virtual-time-budget=3000"])
            let values = Self.probeValues(dom.stdout)
            #expect((values["texts"] ?? 0) > 50, "probe did not run at \(width) px: \(dom.stdout.suffix(400))")
            #expect(values["clipped"] == 0, "clipped SVG texts at \(width) px: \(dom.stdout.suffix(300))")
            #expect((values["scroll"] ?? 1) <= 0, "sideways scroll at \(width) px: \(values)")
        }
        // Screenshot at 700 px for a person to look at (kept beside the report).
        let shot = try FleetCommandTests.runChromium(binary, page: page, mode: ["--screenshot=\(out)/narrow.png", "--window-size=700,1800"])
        #expect(FileManager.default.fileExists(atPath: out + "/narrow.png"), "\(shot.stderr.suffix(300))")
    }
}

/// `planner fleet --verify N`: the simulator's figures in every report, stated, and its errors.
struct FleetVerifyCommandTests {
    @Test func verificationColumnsAndErrors() throws {
        let workload = try PlannerProcess.temporaryFile(FleetCommandTests.issueExample, suffix: ".yaml")
        let out = FleetCommandTests.temporaryFolder()
        let run = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify", "2", "--verify-requests", "200"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("sim TTFT p99 ms"))
        let json = try String(contentsOfFile: out + "/report.json", encoding: .utf8)
        #expect(json.contains("\"sim_ttft_p99_ms\"") && json.contains("\"verification\": \"the first 2 options"))
        let csv = try String(contentsOfFile: out + "/report.csv", encoding: .utf8)
        #expect(csv.split(separator: "\r\n").first?.contains("sim_meets_slo") == true)
        let none = try PlannerProcess.run(["fleet", workload, "--out", FleetCommandTests.temporaryFolder(), "--verify", "0"])
        #expect(none.status == 0 && !none.stdout.contains("sim TTFT"))
        let badEngine = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify-engine", "tgi"])
        #expect(badEngine.status != 0 && badEngine.stderr.contains("vllm"))
        let badCount = try PlannerProcess.run(["fleet", workload, "--out", out, "--verify", "-1"])
        #expect(badCount.status != 0 && badCount.stderr.contains("--verify"))
    }
}
