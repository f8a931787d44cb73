import PlannerCore
import PlannerFormats
import Testing

/// Fleet workload files in, reports out: parsing and its errors, JSON/CSV/Markdown/HTML contents.
struct FleetFormatsTests {
    static let issueExample = """
        model: llama2_70b
        rate_rps: 20
        input_tokens: 2048
        output_tokens: 256
        slo: {ttft_p99_ms: 2000, tpot_p99_ms: 50}
        hardware: [A100_80GB, H100_80GB, MI300X]
        """

    static func parse(_ text: String, overrides: PriceList? = nil) throws -> FleetWorkload {
        try FleetInput.workload(try Documents.parse(text, source: "workload.yaml"), source: "workload.yaml", priceOverrides: overrides)
    }

    @Test func theIssueExampleParses() throws {
        let workload = try Self.parse(Self.issueExample)
        #expect(workload.models.map(\.name) == [try ModelCatalog.model(named: "llama2_70b").name])
        #expect(workload.rate == .requestsPerSecond(20))
        #expect(workload.inputTokens == .fixed(2048) && workload.outputTokens == .fixed(256))
        #expect(workload.objectives.targets.map(\.key) == ["ttft_p99_ms", "tpot_p99_ms"])
        #expect(workload.objectives.targets.map(\.limitMs) == [2000, 50])
        #expect(workload.hardware.map(\.spec.name) == ["A100_80GB", "H100_80GB", "MI300X"])
        #expect(workload.precisions == [.bf16] && workload.headroomFraction == 0.2 && workload.profile == .default)
        #expect(workload.prices.price(for: "MI300X")?.usdPerDeviceHour == 3.5)
    }

    @Test func everyFormOfTheWorkloadParses() throws {
        let text = """
            {"models": ["llama2_7b", "llama3_8b"], "rate_output_tokens_per_s": 5000,
             "input_tokens": {"mean": 1200, "p50": 900, "p99": 6000},
             "output_tokens": [{"tokens": 100, "weight": 3}, {"tokens": 400, "weight": 1}],
             "slo": {"ttft_mean_ms": 800, "tpot_p99.9_ms": 80},
             "bits": "bf16, fp8", "headroom": "35%", "profile": "genz", "max_batch_size": 256, "bill_whole_nodes": true,
             "max_devices_per_replica": 4,
             "hardware": ["H100_80GB", {"name": "H200", "devices_per_node": 4, "price": 4.1, "max_devices_per_replica": 2},
                          {"name": "my-gpu", "Flops": 500, "Memory_size": 96, "Memory_BW": 3000, "ICN": 200, "family": "nvidia-hopper"}],
             "prices": {"my-gpu": {"usd_per_device_hour": 1.75, "date": "2026-01-01", "source": "quote"}, "H100_80GB": 3.0},
             "description": "metadata is accepted"}
            """
        let workload = try Self.parse(text, overrides: PriceList([DevicePrice(hardware: "H100_80GB", usdPerDeviceHour: 2.25, date: nil, source: "cli")]))
        #expect(workload.models.count == 2)
        #expect(workload.rate == .outputTokensPerSecond(5000))
        #expect(workload.inputTokens == .summary(mean: 1200, p50: 900, p90: nil, p99: 6000))
        #expect(workload.outputTokens == .histogram([.init(tokens: 100, weight: 3), .init(tokens: 400, weight: 1)]))
        #expect(abs(workload.demandRequestsPerSecond - 5000 / 175) < 1e-9)
        #expect(workload.objectives.targets.map(\.key) == ["ttft_mean_ms", "tpot_p99.9_ms"])
        #expect(workload.objectives.targets[1].statistic == .percentile(99.9))
        #expect(workload.precisions == [.bf16, .fp8] && abs(workload.headroomFraction - 0.35) < 1e-12)
        #expect(workload.profile == .genz && workload.maxBatchSize == 256 && workload.billWholeNodes)
        #expect(workload.hardware[0].replicaBudget == 4)
        #expect(workload.hardware[1].devicesPerNode == 4 && workload.hardware[1].replicaBudget == 2)
        #expect(workload.hardware[2].spec.name == "my-gpu" && workload.hardware[2].spec.family == .nvidiaHopper)
        // Precedence: shipped < workload `prices` / hardware `price` < --prices.
        #expect(workload.prices.price(for: "H100_80GB")?.usdPerDeviceHour == 2.25)
        #expect(workload.prices.price(for: "H200")?.usdPerDeviceHour == 4.1)
        #expect(workload.prices.price(for: "my-gpu")?.source == "quote" && workload.prices.price(for: "my-gpu")?.date == "2026-01-01")
    }

    @Test func priceFilesTakeBothShapes() throws {
        let flat = try FleetInput.prices(try Documents.parse("H100_80GB: 3.1\nMI300X: 2.2\n", source: "p.yaml"), source: "p.yaml")
        #expect(flat.price(for: "H100_80GB")?.usdPerDeviceHour == 3.1 && flat.price(for: "MI300X")?.source == "p.yaml (prices)")
        let wrapped = try FleetInput.prices(try Documents.parse(#"{"prices": {"B200": {"usd_per_device_hour": 6, "date": "2026-05-01"}}}"#,
                                                                source: "p.json"), source: "p.json")
        #expect(wrapped.price(for: "B200")?.usdPerDeviceHour == 6 && wrapped.price(for: "B200")?.date == "2026-05-01")
        #expect(throws: PlannerError.self) { try FleetInput.prices(try Documents.parse("H100_80GB: free\n", source: "p"), source: "p") }
        #expect(throws: PlannerError.self) { try FleetInput.prices(try Documents.parse("H100_80GB: -1\n", source: "p"), source: "p") }
    }

    /// Each invalid workload fails with a message naming the key and what is allowed.
    @Test func invalidWorkloadsAreRejectedClearly() {
        let base = "model: llama2_7b\nrate_rps: 5\nhardware: [H100_80GB]\n"
        let cases: [(String, [String])] = [
            ("rate_rps: 5\nhardware: [H100_80GB]\n", ["'model'", "llama2_70b"]),
            ("model: llama3_70b\nrate_rps: 5\nhardware: [H100_80GB]\n", ["unknown model 'llama3_70b'", "did you mean"]),
            ("model: llama2_7b\nhardware: [H100_80GB]\n", ["rate_rps", "rate_output_tokens_per_s"]),
            ("model: llama2_7b\nrate_rps: 5\nrate_tokens_per_s: 9\nhardware: [H100_80GB]\n", ["exactly one of"]),
            ("model: llama2_7b\nrate_rps: -1\nhardware: [H100_80GB]\n", ["rate_rps", "[0.001, 1e+07] requests/s"]),
            ("model: llama2_7b\nrate_rps: 1e18\nhardware: [H100_80GB]\n", ["rate_rps", "1e+18", "[0.001, 1e+07]"]),
            ("model: llama2_7b\nrate_rps: 1e-300\nhardware: [H100_80GB]\n", ["rate_rps", "[0.001, 1e+07]"]),
            ("model: llama2_7b\nrate_output_tokens_per_s: 1\noutput_tokens: 1000000\nhardware: [H100_80GB]\n", ["rate_output_tokens_per_s", "implies 1e-06 requests/s"]),
            ("model: llama2_7b\nrate_rps: 5\n", ["'hardware'"]),
            (base + "hardware_list: []\n", ["hardware_list", "the keys"]),
            (base.replacing("[H100_80GB]", with: "[H100_80GB, H800]"), ["unknown hardware 'H800'"]),
            (base.replacing("[H100_80GB]", with: "[TPUv5e]"), ["prices.TPUv5e", "--prices", "USD per device-hour"]),
            (base + "slo: {ttft_p99: 2000}\n", ["slo.ttft_p99", "ttft_<statistic>_ms"]),
            (base + "slo: {tpot_p99_ms: 0}\n", ["slo.tpot_p99_ms", "[0.001, 1e+08] ms"]),
            (base + "slo: {tpot_p100_ms: 10}\n", ["slo.tpot_p100_ms"]),
            (base + "input_tokens: {p50: 100}\n", ["input_tokens.mean"]),
            (base + "input_tokens: {mean: 1000, p50: 900, p90: 700}\n", ["input_tokens.p90", "must not decrease"]),
            (base + "input_tokens: {mean: 1000, stdev: 10}\n", ["input_tokens.stdev", "mean, p50, p90, p99"]),
            (base + "output_tokens: [{tokens: 100, weight: 0}]\n", ["output_tokens[0].weight", "[1e-12, 1e+12]"]),
            (base + "output_tokens: [{tokens: 100, weight: 1e308}]\n", ["output_tokens[0].weight", "[1e-12, 1e+12]"]),
            ("model: llama2_7b\nrate_rps: 5\nhardware: [{name: H100_80GB, compute_efficiency: 5e-324}]\n", ["compute_efficiency", "e-324", "[0.001, 1]"]),
            (base + "output_tokens: 0\n", ["output_tokens", "1..."]),
            (base + "input_tokens: short\n", ["input_tokens", "histogram"]),
            (base + "bits: [bf16, fp12]\n", ["bits", "fp12", "int8"]),
            (base + "headroom: 20\n", ["headroom", "'20%'"]),
            (base + "headroom: lots\n", ["headroom"]),
            (base + "profile: fast\n", ["profile", "genz"]),
            (base + "prices: {H100_80GB: 0}\n", ["prices.H100_80GB"]),
            (base + "max_batch_size: 0\n", ["max_batch_size"]),
            (base + "bill_whole_nodes: sometimes\n", ["bill_whole_nodes", "true or false"]),
            ("model: llama2_7b\nrate_rps: 5\nhardware: [{name: H100_80GB, devices_per_nod: 4}]\n", ["hardware[0].devices_per_nod", "the keys"]),
            ("model: llama2_7b\nrate_rps: 5\nhardware: [{name: H100_80GB, max_devices_per_replica: 0}]\n", ["hardware[0].max_devices_per_replica"]),
            ("model: llama2_7b\nrate_rps: 5\nhardware: [H100_80GB, H100_80GB]\n", ["each hardware once"]),
            ("- a\n- b\n", ["must be an object"]),
        ]
        for (text, fragments) in cases {
            do {
                _ = try Self.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                let message = "\(error)"
                for fragment in fragments { #expect(message.contains(fragment), "\(text) -> \(message)") }
            }
        }
    }

    static func plan(_ text: String = issueExample) throws -> FleetPlan {
        try FleetSizing.run(try parse(text))
    }

    @Test func jsonReportHasTheIssueKeys() throws {
        let plan = try Self.plan()
        let json = FleetReport.json(plan)
        let options = try #require(json["options"]?.arrayValue)
        #expect(options.count == plan.options.count)
        for key in ["hardware", "bits", "tensor_parallel", "pipeline_parallel", "expert_parallel", "replicas", "devices", "nodes",
                    "per_replica_rps", "cost_per_hour", "cost_per_million_output_tokens", "meets_slo", "utilization", "ttft_p99_ms",
                    "tpot_p99_ms", "reason", "pareto"] {
            #expect(options.allSatisfy { $0[key] != nil }, "missing \(key)")
        }
        #expect(options.first?["meets_slo"] == .bool(true) && options.first?["rank"] == .int(1))
        #expect(json["workload"]?["required_rps"]?.doubleValue.map { abs($0 - 24) < 1e-9 } == true)
        let prices = try #require(json["prices"]?.arrayValue)
        #expect(prices.count == 3 && prices.allSatisfy { $0["date"]?.stringValue == PriceList.shippedDate && $0["source"]?.stringValue != nil })
        // Round trip: the serialised JSON parses back to the same value.
        #expect(try JSONValue.parse(json.serialized(indent: 2)) == json)
    }

    @Test func csvHasOneRowPerOptionAndQuotesReasons() throws {
        let plan = try Self.plan()
        let csv = FleetReport.csv(plan)
        let lines = csv.split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(lines.count == plan.options.count + 1)
        #expect(lines[0] == Substring(FleetReport.optionKeys(plan.workload.objectives).joined(separator: ",")))
        let header = lines[0].split(separator: ",").map(String.init)
        let costColumn = try #require(header.firstIndex(of: "cost_per_hour"))
        let first = lines[1].split(separator: ",").map(String.init)
        #expect(Double(first[costColumn]) == plan.options[0].costPerHourUSD)
        // Reasons contain commas or semicolons; a quoted field keeps the column count right.
        if let missing = plan.options.firstIndex(where: { $0.reason?.contains(",") == true }) {
            #expect(lines[missing + 1].contains("\""))
        }
    }

    @Test func markdownAndTableNameTheCheapest() throws {
        let plan = try Self.plan()
        let cheapest = try #require(plan.cheapest)
        let markdown = FleetReport.markdown(plan)
        #expect(markdown.hasPrefix("# Fleet sizing"))
        #expect(markdown.contains("## Options meeting the targets") && markdown.contains("## Prices") && markdown.contains("## Serving model"))
        #expect(markdown.contains(FleetReport.dollars(cheapest.costPerHourUSD)))
        #expect(markdown.contains("hardware_presets.json") && markdown.contains(PriceList.shippedDate))
        let table = FleetReport.table(plan, top: 5)
        #expect(table.split(separator: "\n").count == 7)
        #expect(table.split(separator: "\n")[2].contains(cheapest.hardwareName))
        #expect(FleetReport.dollars(1234567.891) == "$1,234,567.89" && FleetReport.dollars(98) == "$98.00")
    }

    @Test func htmlIsSelfContainedAndDeterministic() throws {
        let plan = try Self.plan()
        let html = FleetHTML.render(plan)
        #expect(html == FleetHTML.render(try Self.plan()))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(html.pieces(separatedBy: "<svg ").count == 4)
        #expect(html.pieces(separatedBy: "</svg>").count == 4)
        // No scripts and nothing loaded from elsewhere (the SVG namespace is an identifier, not a fetch).
        #expect(!html.contains("<script") && !html.contains("src=") && !html.contains("url("))
        #expect(html.replacing("http://www.w3.org/2000/svg", with: "").contains("http") == false)
        #expect(html.contains("Pareto frontier") && html.contains("target 50 ms"))
        #expect(html.contains(FleetReport.dollars(try #require(plan.cheapest).costPerHourUSD)))
        #expect(FleetHTML.escape("<a & \"b\">") == "&lt;a &amp; &quot;b&quot;&gt;")
        #expect(FleetHTML.niceTicks(upTo: 656.88) == [0, 200, 400, 600, 800])
        // Coordinates: the fast path agrees with fixed two decimals with trailing zeros trimmed.
        func reference(_ value: Double) -> String {
            var text = NumberFormat.fixed(value.isFinite ? value : 0, decimals: 2)
            guard text.contains(".") else { return text }
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
            return text
        }
        var generator = SystemRandomNumberGenerator()
        let samples = [0, -0.0, 0.004, -0.004, 0.005, 0.05, 0.1, 1, 12.5, -12.5, 99.999, 1e17, -3e20, .nan, .infinity, 123.456]
            + (0..<5000).map { _ in Double.random(in: -2000...2000, using: &generator) }
        for value in samples { #expect(FleetHTML.svgNumber(value) == reference(value), "\(value)") }
        #expect(FleetHTML.niceTicks(upTo: 0.9) == [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    }
}

extension String {
    /// Splits on a separator string (Foundation-free), for the HTML checks.
    fileprivate func pieces(separatedBy separator: String) -> [Substring] { split(separator: separator, omittingEmptySubsequences: false) }
}
