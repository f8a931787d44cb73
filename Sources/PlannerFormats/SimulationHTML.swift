public import PlannerCore

/// The HTML page of one serving simulation: one self-contained page (inline CSS and SVG, no scripts
/// or external resources) with the summary tables, latency CDFs (TTFT, TPOT, ITL, end to end) and the
/// running batch, queue and KV-cache use over time. Deterministic: the same summary gives the same bytes.
public enum SimulationHTML {
    /// The page.
    public static func render(_ summary: SimulationSummary, setup: SimulationSetup) -> String {
        let title = "Serving simulation: \(setup.request.model.name) on \(setup.request.parallelism.devices) x \(setup.request.hardware.name)"
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <title>\(FleetHTML.escape(title))</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
            h1 { font-size: 1.5em; margin-bottom: 0.2em; }
            h2 { font-size: 1.15em; margin-top: 1.6em; }
            .note { color: #555; }
            .charts { display: flex; flex-wrap: wrap; gap: 12px; }
            table { border-collapse: collapse; margin: 8px 0; font-size: 0.92em; }
            th, td { border: 1px solid #ddd; padding: 3px 8px; }
            th { background: #f4f4f4; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            svg text { font-size: 11px; fill: #333; }
            </style>
            </head>
            <body>
            <h1>\(FleetHTML.escape(title))</h1>

            """
        out += "<p class=\"note\">\(FleetHTML.escape(SimulationOutput.header(setup)))<br>\(FleetHTML.escape(SimulationOutput.servingModel(summary.scheduler)))"
            + "<br>scheduler: \(FleetHTML.escape(summary.scheduler.summary))</p>\n"
        let latencyRows = [("TTFT", summary.ttft), ("TPOT", summary.tpot), ("ITL", summary.itl), ("end to end", summary.e2e)].map { name, stats in
            [name] + stats.named.map { NumberFormat.significant($0.ms) }
        }
        out += "<h2>Latency (ms)</h2>\n" + FleetHTML.htmlTable((["", "mean", "p50", "p90", "p95", "p99", "max"], latencyRows))
        var metrics: [[String]] = [
            ["requests/s", NumberFormat.significant(summary.requestsPerSecond)],
            ["output tokens/s", NumberFormat.significant(summary.outputTokensPerSecond)],
            ["output tokens/s per device", NumberFormat.significant(summary.outputTokensPerSecondPerDevice)],
            ["input + output tokens/s", NumberFormat.significant(summary.totalTokensPerSecond)],
            ["mean running batch", NumberFormat.significant(summary.meanRunningBatch)],
            ["mean queue", NumberFormat.significant(summary.meanQueueLength)],
            ["KV cache use, mean / max", "\(NumberFormat.fixed(summary.meanKVUtilization * 100, decimals: 1))% / \(NumberFormat.fixed(summary.maxKVUtilization * 100, decimals: 1))%"],
            ["KV cache capacity, tokens", "\(summary.kvCapacityTokens)"],
            ["preemptions", "\(summary.preemptions)"], ["iterations", "\(summary.iterations)"],
            ["simulated seconds", NumberFormat.significant(summary.simulatedSeconds)],
        ]
        if let goodput = summary.goodputRequestsPerSecond {
            metrics.insert(["goodput, requests/s meeting " + SimulationOutput.sloText(setup.slo), NumberFormat.significant(goodput)], at: 1)
        }
        out += "<h2>Throughput and engine state</h2>\n" + FleetHTML.htmlTable((["metric", "value"], metrics))
        out += "<h2>Latency distributions</h2>\n<div class=\"charts\">\n"
        for (name, stats, color) in [("TTFT", summary.ttft, "#4e79a7"), ("TPOT", summary.tpot, "#f28e2b"), ("ITL", summary.itl, "#59a14f"),
                                     ("end to end", summary.e2e, "#e15759")] where stats.count > 0 {
            let points = stats.percentilesMs.enumerated().map { (x: $0.element, y: Double($0.offset) / 100) }
            out += lineChart(title: "\(name) CDF", xLabel: "\(name), ms", yLabel: "fraction of requests", points: points, color: color,
                             yMax: 1, step: true)
        }
        out += "</div>\n<h2>Over time</h2>\n<div class=\"charts\">\n"
        let timeline = summary.timeline
        out += lineChart(title: "Running batch", xLabel: "time, s", yLabel: "requests", points: timeline.map { ($0.timeSeconds, $0.runningRequests) },
                         color: "#4e79a7")
        out += lineChart(title: "Queue", xLabel: "time, s", yLabel: "waiting requests", points: timeline.map { ($0.timeSeconds, $0.queuedRequests) },
                         color: "#f28e2b")
        out += lineChart(title: "KV cache use", xLabel: "time, s", yLabel: "% of capacity",
                         points: timeline.map { ($0.timeSeconds, $0.kvUtilization * 100) }, color: "#59a14f", yMax: 100)
        out += "</div>\n</body>\n</html>\n"
        return out
    }

    /// A line chart (x from 0 to the largest x; y from 0 to `yMax` or the largest y), as inline SVG.
    static func lineChart(title: String, xLabel: String, yLabel: String, points: [(x: Double, y: Double)], color: String,
                          yMax: Double? = nil, step: Bool = false) -> String {
        let width = 370.0, height = 250.0, left = 60.0, right = 24.0, top = 24.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let xTicks = FleetHTML.niceTicks(upTo: points.map(\.x).max() ?? 1)
        let yTicks = FleetHTML.niceTicks(upTo: yMax ?? max(points.map(\.y).max() ?? 1, 1e-9))
        let xTop = xTicks.last ?? 1, yTop = yTicks.last ?? 1
        func px(_ x: Double) -> Double { left + (xTop > 0 ? x / xTop : 0) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (yTop > 0 ? y / yTop : 0) * plotHeight }
        let n = FleetHTML.svgNumber
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" "
            + "role=\"img\" aria-label=\"\(FleetHTML.escape(title))\">\n"
        svg += "<text x=\"\(n(left))\" y=\"15\" font-weight=\"bold\">\(FleetHTML.escape(title))</text>\n"
        for tick in yTicks {
            svg += "<line x1=\"\(n(left))\" y1=\"\(n(py(tick)))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(py(tick)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(n(left - 4))\" y=\"\(n(py(tick) + 4))\" text-anchor=\"end\">\(n(tick))</text>\n"
        }
        for tick in xTicks {
            svg += "<text x=\"\(n(px(tick)))\" y=\"\(n(top + plotHeight + 14))\" text-anchor=\"middle\">\(n(tick))</text>\n"
        }
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(top + plotHeight))\" x2=\"\(n(left + plotWidth))\" y2=\"\(n(top + plotHeight))\" stroke=\"#888\"/>"
        svg += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotHeight))\" stroke=\"#888\"/>\n"
        svg += "<text x=\"\(n(left + plotWidth / 2))\" y=\"\(n(height - 6))\" text-anchor=\"middle\">\(FleetHTML.escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(12 \(n(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">\(FleetHTML.escape(yLabel))</text>\n"
        if !points.isEmpty {
            var path = ""
            var previous: (x: Double, y: Double)?
            for point in points {
                if let previous, step { path += " L\(n(px(point.x))) \(n(py(previous.y)))" }
                path += (path.isEmpty ? "M" : " L") + "\(n(px(point.x))) \(n(py(point.y)))"
                previous = point
            }
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.8\"/>\n"
        }
        return svg + "</svg>\n"
    }
}
