public import PlannerCore

/// `report.html`: one self-contained page (inline CSS and SVG; no scripts, fonts, images or other
/// external resources) with the fleet summary, three charts (cost per hour per option, devices per
/// option, output tokens/s per device against TPOT with the Pareto frontier) and the report tables.
/// Deterministic: the same plan gives the same bytes.
public enum FleetHTML {
    /// Options shown in the bar charts.
    public static let barChartOptions = 15

    /// The colours of one report: by hardware or by model (``ChartPalette``), with the legend entries.
    struct Colors {
        let coloring: ChartColoring
        let legend: [(name: String, color: String)]

        init(_ workload: FleetWorkload, coloring: ChartColoring) {
            self.coloring = coloring
            let names = coloring == .hardware ? workload.hardware.map(\.spec.name) : workload.models.map(\.name)
            legend = Array(zip(names, ChartPalette.assign(names, catalogHardware: coloring == .hardware)))
        }

        func color(_ option: FleetOption) -> String {
            let index = coloring == .hardware ? option.hardwareIndex : option.modelIndex
            return legend.indices.contains(index) ? legend[index].color : "#888888"
        }
    }

    /// The page. `top`: rows of the option tables; `coloring`: what the chart colours tell apart
    /// (default: by model with several models, else by hardware).
    /// With `launch`, a section of launch lines (``FleetReport/launchOptions(_:top:)``) in `<pre><code>` blocks.
    public static func render(_ plan: FleetPlan, top: Int = 20, coloring: ChartColoring? = nil, launch: FleetLaunch? = nil) -> String {
        let workload = plan.workload
        let colors = Colors(workload, coloring: coloring ?? .automatic(for: workload))
        let showModel = workload.models.count > 1
        let title = "Fleet sizing: " + workload.models.map(\.name).joined(separator: ", ")
        var out = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <title>\(escape(title))</title>
            <style>
            body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
            .headline { background: #f3f7fb; border-left: 4px solid #4e79a7; padding: 10px 14px; margin: 12px 0; }
            .charts { display: flex; flex-wrap: wrap; gap: 18px; }
            figure { margin: 0; min-width: 0; max-width: 100%; }
            figcaption { font-weight: 600; margin-bottom: 6px; }
            table { border-collapse: collapse; font-size: 0.86em; margin: 8px 0; }
            .table-wrap { overflow-x: auto; max-width: 100%; }
            th, td { border: 1px solid #ddd; padding: 3px 7px; }
            th { background: #f5f5f5; text-align: left; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; }
            .note { color: #555; font-size: 0.9em; }
            pre { background: #f6f8fa; border: 1px solid #ddd; padding: 8px 10px; overflow-x: auto; font-size: 0.85em; }
            svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
            svg { max-width: 100%; height: auto; }
            @media (max-width: 760px) {
              body { margin: 12px auto; padding: 0 8px; }
              table, thead, tbody, tr, th, td { display: block; }
              thead { position: absolute; left: -10000px; }
              tr { border: 1px solid #ddd; margin: 0 0 8px; }
              td { border: none; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
              td::before { content: attr(data-label) ": "; font-weight: 600; color: #555; }
              td.num { text-align: left; }
            }
            </style>
            </head>
            <body>
            <h1>\(escape(title))</h1>

            """
        out += "<ul>\n" + FleetReport.summaryLines(plan).map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
        out += "<p class=\"headline\">\(escape(FleetReport.headline(plan)))</p>\n"

        let feasible = plan.feasible
        let charted = feasible.isEmpty ? Array(plan.options.prefix(barChartOptions)) : Array(feasible.prefix(barChartOptions))
        let note = feasible.isEmpty ? " (no option meets the targets: shown at their highest throughput)" : ""
        out += "<h2>Charts</h2>\n<div class=\"charts\">\n"
        out += "<figure><figcaption>Cost per hour, cheapest \(charted.count) options\(escape(note))</figcaption>\n"
        out += barChart(charted.map { (FleetReport.label($0, showModel: showModel), $0.costPerHourUSD, colors.color($0)) },
                        valueLabel: { FleetReport.dollars($0) }, axisTitle: "USD per hour", name: "cost per hour")
        out += "</figure>\n"
        out += "<figure><figcaption>Devices per option, same options</figcaption>\n"
        out += barChart(charted.map { (FleetReport.label($0, showModel: showModel), Double($0.devices), colors.color($0)) },
                        valueLabel: { NumberFormat.significant($0) }, axisTitle: "devices", name: "devices")
        out += "</figure>\n"
        let tpotName = workload.objectives.tpotTargets.first.map { "TPOT \($0.statistic)" } ?? "TPOT mean"
        out += "<figure><figcaption>Output tokens/s per device against \(escape(tpotName)): each layout over its running batches, "
            + "the Pareto frontier, and each option's operating point</figcaption>\n"
        out += scatterChart(plan, tpotName: tpotName, colors: colors)
        out += "</figure>\n</div>\n"

        out += "<h2>Options meeting the targets (cheapest first)</h2>\n"
        if feasible.isEmpty {
            out += "<p>None.</p>\n"
        } else {
            out += htmlTable(FleetReport.rows(plan, options: Array(feasible.prefix(top))))
            if feasible.count > top { out += "<p class=\"note\">\(feasible.count - top) more in report.csv and report.json.</p>\n" }
        }
        let missing = plan.options.filter { !$0.meetsTargets }
        out += "<h2>Options that cannot meet the targets</h2>\n"
        if missing.isEmpty {
            out += "<p>None.</p>\n"
        } else {
            out += htmlTable((["option (at its highest throughput)", "reason"],
                              missing.prefix(top).map { [FleetReport.label($0, showModel: showModel), $0.reason ?? ""] }))
            if missing.count > top { out += "<p class=\"note\">\(missing.count - top) more in report.csv and report.json.</p>\n" }
        }
        if !plan.unavailable.isEmpty {
            out += "<h2>Hardware and precisions with no runnable layout</h2>\n"
            out += htmlTable((["model", "hardware", "bits", "reason"],
                              plan.unavailable.map { [$0.modelName, $0.hardwareName, $0.precision.rawValue, $0.reason] }))
        }
        if let launch {
            out += "<h2>Launch lines (\(escape(launch.engine.rawValue)))</h2>\n<p class=\"note\">\(escape(FleetReport.launchIntroduction(launch)))</p>\n"
            for (rank, option) in FleetReport.launchOptions(plan, top: top) {
                out += "<h3>#\(rank) \(escape(FleetReport.label(option, showModel: showModel)))</h3>\n"
                out += "<pre><code>" + escape(LaunchOutput.shellText(launch.line(option, workload: workload), engine: launch.engine)) + "</code></pre>\n"
            }
        }
        out += "<h2>Prices</h2>\n"
        out += htmlTable((["hardware", "USD per device-hour", "date", "source"],
                          FleetReport.usedPrices(plan).map { [$0.hardware, FleetReport.dollars($0.usdPerDeviceHour), $0.date ?? "-", $0.source] }))
        out += "<h2>Serving model</h2>\n<p class=\"note\">\(escape(FleetReport.servingModelSummary))</p>\n"
        out += "<p class=\"note\">Verification: \(escape(FleetReport.verificationSummary(plan)))</p>\n"
        out += "<p class=\"note\">Layouts evaluated: \(plan.tasksEvaluated); estimates: \(plan.estimatesEvaluated).</p>\n"
        out += "</body>\n</html>\n"
        return out
    }

    // MARK: - Charts

    /// A horizontal bar chart: one labelled bar per item, a value axis with round ticks.
    static func barChart(_ items: [(label: String, value: Double, color: String)], valueLabel: (Double) -> String,
                         axisTitle: String, name: String) -> String {
        // Label and value columns as wide as their longest text (measured, ``TextMetrics``), so none is cut off.
        let labelWidth = min(max(items.map { TextMetrics.width($0.label, fontSize: 11) }.max() ?? 0, 60) + 12, 640)
        let valueWidth = max(items.map { TextMetrics.width(valueLabel($0.value), fontSize: 11) }.max() ?? 0, 30) + 12
        let plotWidth = 260.0, rowHeight = 22.0, top = 10.0, axisHeight = 40.0
        let width = labelWidth + plotWidth + valueWidth
        let height = top + rowHeight * Double(max(items.count, 1)) + axisHeight
        let finite = items.map(\.value).filter(\.isFinite)
        let ticks = niceTicks(upTo: finite.max() ?? 1)
        let scaleMax = ticks.last ?? 1
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "role=\"img\" aria-label=\"\(escape(name)) per option\">\n"
        let plotBottom = top + rowHeight * Double(max(items.count, 1))
        for tick in ticks {
            let x = labelWidth + tick / scaleMax * plotWidth
            svg += "<line x1=\"\(svgNumber(x))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(x))\" y2=\"\(svgNumber(plotBottom))\" stroke=\"#e5e5e5\"/>\n"
            svg += "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(plotBottom + 14))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">\(escape(NumberFormat.significant(tick, digits: 3)))</text>\n"
        }
        svg += "<text x=\"\(svgNumber(labelWidth + plotWidth / 2))\" y=\"\(svgNumber(plotBottom + 32))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">\(escape(axisTitle))</text>\n"
        for (index, item) in items.enumerated() {
            let y = top + rowHeight * Double(index)
            let value = item.value.isFinite ? item.value : 0
            let barWidth = max(value / scaleMax * plotWidth, 1)
            svg += "<text x=\"\(svgNumber(labelWidth - 6))\" y=\"\(svgNumber(y + rowHeight * 0.68))\" font-size=\"11\" text-anchor=\"end\" fill=\"#222\">\(escape(item.label))</text>\n"
            svg += "<rect x=\"\(svgNumber(labelWidth))\" y=\"\(svgNumber(y + 3))\" width=\"\(svgNumber(barWidth))\" height=\"\(svgNumber(rowHeight - 6))\" fill=\"\(item.color)\">"
                + "<title>\(escape(item.label)): \(escape(valueLabel(item.value)))</title></rect>\n"
            svg += "<text x=\"\(svgNumber(labelWidth + barWidth + 4))\" y=\"\(svgNumber(y + rowHeight * 0.68))\" font-size=\"11\" fill=\"#222\">\(escape(valueLabel(item.value)))</text>\n"
        }
        svg += "<line x1=\"\(svgNumber(labelWidth))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(labelWidth))\" y2=\"\(svgNumber(plotBottom))\" stroke=\"#444\"/>\n"
        return svg + "</svg>\n"
    }

    /// Output tokens/s per device (y) against TPOT (x). Each runnable option's trade-off over running
    /// batches is a thin line (colour = hardware; grey when it cannot meet the targets) and its
    /// operating point a dot (hollow when it misses the targets; ringed when on the options' Pareto
    /// frontier); the black staircase is the Pareto frontier over every layout and batch; a TPOT
    /// target is a dashed vertical line. The TPOT axis ends at twice the target (or 1.25 x the largest
    /// operating point without one); what lies beyond is left out and counted in the caption.
    static func scatterChart(_ plan: FleetPlan, tpotName: String, colors: Colors) -> String {
        let objectives = plan.workload.objectives
        let legendTexts = colors.legend.map(\.name) + ["misses the targets", "one layout, batch 1 and up", "Pareto among options",
                                                       "operating point(s) beyond 0000 ms"]
        let right = (legendTexts.map { TextMetrics.width($0, fontSize: 11) }.max() ?? 150) + 44
        let width = 560.0 + right, height = 420.0, left = 70.0, top = 16.0, bottom = 50.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let limit = objectives.tpotTargets.first?.limitMs
        let operating = plan.options.map { (option: $0, x: $0.chartTPOTMs(objectives), y: $0.outputTokensPerSecondPerDevice) }
            .filter { $0.x.isFinite && $0.y.isFinite }
        let feasibleMax = operating.filter(\.option.meetsTargets).map(\.x).max() ?? 0
        let xLimit = limit.map { max($0 * 2, feasibleMax) } ?? max((operating.map(\.x).max() ?? 1) * 1.25, feasibleMax)
        let xTicks = niceTicks(upTo: xLimit)
        let xMax = xTicks.last ?? 1
        let curves = plan.options.map { option in option.curve.filter { $0.tpotMs.isFinite && $0.tpotMs <= xMax } }
        let shown = operating.filter { $0.x <= xMax }
        let yTicks = niceTicks(upTo: max(curves.flatMap { $0.map(\.outputTokensPerSecondPerDevice) }.max() ?? 0, shown.map(\.y).max() ?? 0))
        let yMax = yTicks.last ?? 1
        func px(_ x: Double) -> Double { left + x / xMax * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - y / yMax * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" "
            + "role=\"img\" aria-label=\"output tokens per second per device against \(escape(tpotName))\">\n"
        for tick in xTicks {
            svg += "<line x1=\"\(svgNumber(px(tick)))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(px(tick)))\" y2=\"\(svgNumber(top + plotHeight))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(svgNumber(px(tick)))\" y=\"\(svgNumber(top + plotHeight + 15))\" font-size=\"10\" text-anchor=\"middle\" fill=\"#555\">\(escape(NumberFormat.significant(tick, digits: 3)))</text>\n"
        }
        for tick in yTicks {
            svg += "<line x1=\"\(svgNumber(left))\" y1=\"\(svgNumber(py(tick)))\" x2=\"\(svgNumber(left + plotWidth))\" y2=\"\(svgNumber(py(tick)))\" stroke=\"#eee\"/>\n"
            svg += "<text x=\"\(svgNumber(left - 6))\" y=\"\(svgNumber(py(tick) + 3))\" font-size=\"10\" text-anchor=\"end\" fill=\"#555\">\(escape(NumberFormat.significant(tick, digits: 3)))</text>\n"
        }
        svg += "<rect x=\"\(svgNumber(left))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(plotWidth))\" height=\"\(svgNumber(plotHeight))\" fill=\"none\" stroke=\"#444\"/>\n"
        svg += "<text x=\"\(svgNumber(left + plotWidth / 2))\" y=\"\(svgNumber(height - 12))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\">\(escape(tpotName)) (ms)</text>\n"
        svg += "<text x=\"16\" y=\"\(svgNumber(top + plotHeight / 2))\" font-size=\"11\" text-anchor=\"middle\" fill=\"#333\" "
            + "transform=\"rotate(-90 16 \(svgNumber(top + plotHeight / 2)))\">output tokens/s per device</text>\n"
        // Trade-off curves, those of options missing the targets first.
        let order = plan.options.indices.filter { !plan.options[$0].meetsTargets } + plan.options.indices.filter { plan.options[$0].meetsTargets }
        for index in order where curves[index].count > 1 {
            let option = plan.options[index]
            let stroke = option.meetsTargets ? colors.color(option) : "#bbbbbb"
            svg += "<polyline fill=\"none\" stroke=\"\(stroke)\" stroke-opacity=\"0.45\" stroke-width=\"1\" points=\""
                + curves[index].map { "\(svgNumber(px($0.tpotMs))),\(svgNumber(py($0.outputTokensPerSecondPerDevice)))" }.joined(separator: " ") + "\"/>\n"
        }
        // Pareto frontier over every layout and batch shown: a staircase through the points no other beats.
        var frontier: [(x: Double, y: Double)] = []
        for point in curves.flatMap({ $0 }).sorted(by: { $0.tpotMs != $1.tpotMs ? $0.tpotMs < $1.tpotMs : $0.outputTokensPerSecondPerDevice > $1.outputTokensPerSecondPerDevice })
        where point.outputTokensPerSecondPerDevice > (frontier.last?.y ?? -.infinity) {
            frontier.append((point.tpotMs, point.outputTokensPerSecondPerDevice))
        }
        if let first = frontier.first {
            var steps = ["\(svgNumber(px(first.x))),\(svgNumber(py(first.y)))"]
            for (previous, point) in zip(frontier, frontier.dropFirst()) {
                steps.append("\(svgNumber(px(point.x))),\(svgNumber(py(previous.y)))")
                steps.append("\(svgNumber(px(point.x))),\(svgNumber(py(point.y)))")
            }
            svg += "<polyline fill=\"none\" stroke=\"#222\" stroke-width=\"1.6\" points=\"\(steps.joined(separator: " "))\"/>\n"
        }
        if let limit {
            svg += "<line x1=\"\(svgNumber(px(limit)))\" y1=\"\(svgNumber(top))\" x2=\"\(svgNumber(px(limit)))\" y2=\"\(svgNumber(top + plotHeight))\" stroke=\"#d62728\" stroke-dasharray=\"5 4\"/>\n"
            svg += "<text x=\"\(svgNumber(px(limit) + 4))\" y=\"\(svgNumber(top + 12))\" font-size=\"10\" fill=\"#d62728\">target \(escape(NumberFormat.significant(limit))) ms</text>\n"
        }
        let showModel = plan.workload.models.count > 1
        for point in shown.filter({ !$0.option.meetsTargets }) + shown.filter(\.option.meetsTargets) {
            let option = point.option
            let tooltip = "\(FleetReport.label(option, showModel: showModel)): \(NumberFormat.significant(point.y)) tok/s/device at batch "
                + "\(option.batchSize), \(NumberFormat.significant(point.x)) ms, \(FleetReport.dollars(option.costPerHourUSD))/h"
                + (option.meetsTargets ? "" : " (misses the targets)")
            if option.meetsTargets {
                svg += "<circle cx=\"\(svgNumber(px(point.x)))\" cy=\"\(svgNumber(py(point.y)))\" r=\"4.5\" fill=\"\(colors.color(option))\" stroke=\"#fff\">"
            } else {
                svg += "<circle cx=\"\(svgNumber(px(point.x)))\" cy=\"\(svgNumber(py(point.y)))\" r=\"4\" fill=\"#fff\" stroke=\"#999\">"
            }
            svg += "<title>\(escape(tooltip))</title></circle>\n"
            if option.isPareto {
                svg += "<circle cx=\"\(svgNumber(px(point.x)))\" cy=\"\(svgNumber(py(point.y)))\" r=\"8\" fill=\"none\" stroke=\"#222\" stroke-width=\"1.2\"/>\n"
            }
        }
        // Legend.
        var y = top + 8
        let legendX = left + plotWidth + 16
        func legend(_ symbol: String, _ text: String, step: Double = 18) {
            svg += symbol + "<text x=\"\(svgNumber(legendX + 14))\" y=\"\(svgNumber(y + 4))\" font-size=\"11\" fill=\"#222\">\(escape(text))</text>\n"
            y += step
        }
        for entry in colors.legend {
            legend("<circle cx=\"\(svgNumber(legendX))\" cy=\"\(svgNumber(y))\" r=\"4.5\" fill=\"\(entry.color)\"/>", entry.name)
        }
        legend("<circle cx=\"\(svgNumber(legendX))\" cy=\"\(svgNumber(y))\" r=\"4\" fill=\"#fff\" stroke=\"#999\"/>", "misses the targets")
        legend("<line x1=\"\(svgNumber(legendX - 7))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(legendX + 7))\" y2=\"\(svgNumber(y))\" stroke=\"#999\"/>", "one layout, batch 1 and up")
        legend("<line x1=\"\(svgNumber(legendX - 7))\" y1=\"\(svgNumber(y))\" x2=\"\(svgNumber(legendX + 7))\" y2=\"\(svgNumber(y))\" stroke=\"#222\" stroke-width=\"1.6\"/>",
               "Pareto frontier")
        legend("<circle cx=\"\(svgNumber(legendX))\" cy=\"\(svgNumber(y))\" r=\"7\" fill=\"none\" stroke=\"#222\"/>", "Pareto among options")
        let hidden = operating.count - shown.count
        if hidden > 0 {
            y += 6
            legend("", "\(hidden) operating point(s) beyond", step: 14)
            legend("", "\(NumberFormat.significant(xMax)) ms not shown")
        }
        return svg + "</svg>\n"
    }

    /// 0 and round steps (1, 2 or 5 x 10^k) up to the first at or above `maximum`, about five intervals.
    public static func niceTicks(upTo maximum: Double) -> [Double] {
        let top = maximum.isFinite && maximum > 0 ? maximum : 1
        let raw = top / 5
        // raw = residual x 10^exponent with residual in [1, 10); ticks are multiples of step x 10^exponent,
        // computed as integers scaled by an exact power of ten so that 3 x 0.2 prints as 0.6.
        var exponent = 0
        var scaled = raw
        while scaled >= 10 { scaled /= 10; exponent += 1 }
        while scaled < 1 { scaled *= 10; exponent -= 1 }
        let step = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10
        var power = 1.0
        for _ in 0..<min(abs(exponent), 300) { power *= 10 }
        func tick(_ multiple: Int) -> Double { exponent >= 0 ? Double(multiple) * power : Double(multiple) / power }
        var ticks: [Double] = [0]
        var index = 1
        while ticks.last ?? 0 < top * (1 - 1e-12) {
            ticks.append(tick(step * index))
            index += 1
        }
        return ticks
    }

    // MARK: - Helpers

    static func htmlTable(_ table: (headers: [String], rows: [[String]])) -> String {
        var out = "<div class=\"table-wrap\"><table>\n<thead><tr>" + table.headers.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            // `data-label` names the column for the stacked layout of narrow screens.
            out += zip(row.indices, row).map { index, cell in
                let label = table.headers.indices.contains(index) ? " data-label=\"\(escape(table.headers[index]))\"" : ""
                let numeric = !cell.isEmpty && cell.allSatisfy { $0.isNumber || $0 == "." || $0 == "," || $0 == "$" || $0 == "%" || $0 == "-" }
                return numeric ? "<td class=\"num\"\(label)>\(escape(cell))</td>" : "<td\(label)>\(escape(cell))</td>"
            }.joined()
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table></div>\n"
    }

    /// A coordinate with at most two decimals.
    /// A coordinate: at most two decimals, no trailing zeros (`12`, `12.5`, `0.05`); 0 for NaN and
    /// infinities. Built from integer hundredths (charts format a million of these for large searches).
    public static func svgNumber(_ value: Double) -> String {
        let finite = value.isFinite ? value : 0
        let scaled = (abs(finite) * 100).rounded()
        guard scaled < 9e18 else { return NumberFormat.fixed(finite, decimals: 2).trimmingTrailingZeros }
        let hundredths = Int64(scaled)
        var text = finite < 0 && hundredths > 0 ? "-" : ""
        text += String(hundredths / 100)
        let fraction = hundredths % 100
        if fraction != 0 {
            text += fraction % 10 == 0 ? "." + String(fraction / 10) : (fraction < 10 ? ".0" : ".") + String(fraction)
        }
        return text
    }

    /// Escapes text for HTML and SVG content and attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension String {
    /// `12.50` -> `12.5`, `3.00` -> `3`.
    fileprivate var trimmingTrailingZeros: String {
        guard contains(".") else { return self }
        var text = self
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
