import ArgumentParser
import Foundation
import PlannerCore
import PlannerFormats

extension Planner {
    /// `planner calibrate --points FILE...`: fit the `default` profile's efficiencies of one hardware
    /// to a user's own measurements and write a hardware profile.
    struct Calibrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fit the default profile's efficiencies to your own benchmark results; write a hardware profile.",
            discussion: """
                Reads the same --points files as `planner validate` (planner's measured points, or result files of \
                vllm bench serve, sglang.bench_serving, GenAI-Perf, trtllm-bench, completed by --hardware/--tp/--bits \
                or --sidecar). Every run must be on one hardware. Fits compute_efficiency, memory_efficiency, \
                link_efficiency and kernel_overhead_us by robust least squares on the log error (Huber, delta 0.1), \
                within physical bounds (efficiencies in [0.02, 1], overhead in [0, 200] us). A parameter the points \
                cannot determine is fixed, and at most (runs - 1) are fitted; the output says which and why. Prints \
                the fit, each measurement's error before and after, the median and mean before and after, and the \
                leave-one-out cross-validated error (each run predicted by a fit that did not see it: the honest \
                figure). Writes the profile to --out; use it with --hardware-file.
                """)

        @Option(parsing: .upToNextOption, help: "Measured points or benchmark result files.") var points: [String]
        @OptionGroup(title: "What benchmark result files do not say") var context: BenchmarkContextOptions
        @Option(help: "Start from this hardware description or profile instead of the catalog preset the points name.")
        var hardwareFile: String?
        @Option(help: "Parameters to fit, comma-separated (default: all of \(Calibration.Parameter.allCases.map(\.rawValue).joined(separator: ", "))).")
        var fit: String?
        @Option(help: "Where to write the hardware profile (YAML).") var out: String?
        @Flag(help: "Print the fit as JSON.") var json = false

        func validate() throws {
            if points.isEmpty { throw ValidationError("give at least one --points FILE") }
        }

        func parameters() throws -> [Calibration.Parameter] {
            guard let fit else { return Calibration.Parameter.allCases }
            var result: [Calibration.Parameter] = []
            for name in fit.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                guard let parameter = Calibration.Parameter(rawValue: name) else {
                    throw PlannerError.invalidValue(field: "fit", value: name,
                                                    allowed: Calibration.Parameter.allCases.map(\.rawValue).joined(separator: ", "))
                }
                if !result.contains(parameter) { result.append(parameter) }
            }
            if result.isEmpty { throw PlannerError.invalidValue(field: "fit", value: fit, allowed: "at least one parameter") }
            return result
        }

        func run() throws {
            try reportingErrors {
                let parameters = try parameters()
                let document = try context.measuredPoints(points)
                var runs: [MeasuredRun] = []
                var skipped: [String] = []
                for (index, point) in (document.arrayValue ?? []).enumerated() {
                    switch Validation.measuredRun(point, index: index, profile: .default) {
                    case var .success(run):
                        // The fit evaluates every run hundreds of times: serving runs use the closed-loop
                        // steady state, not the simulator (whose per-iteration overhead is not fitted).
                        run.serving = .analytic
                        // Only what the static/closed-loop model predicts enters the fit (serving TTFT does not).
                        let predicted = (try? run.predictions())?.filter { $0.predicted != nil }.map(\.metric) ?? []
                        var kept = run
                        kept.measured = run.measured.filter { predicted.contains($0.metric) }
                        if kept.measured.isEmpty { skipped.append("\(run.id): no measurement the model predicts") } else { runs.append(kept) }
                    case let .failure(reason):
                        skipped.append("\(point["id"]?.stringValue ?? "point-\(index)"): \(reason.text)")
                    }
                }
                guard !runs.isEmpty else {
                    throw CLIError.message("no point can be calibrated on: " + (skipped.isEmpty ? "the files hold no points" : skipped.joined(separator: "; ")))
                }
                let names = Set(runs.map(\.request.hardware.name))
                guard names.count == 1, let hardwareName = names.first else {
                    throw CLIError.message("the points are on several hardware (\(names.sorted().joined(separator: ", "))); calibrate one hardware at a time")
                }
                var base = runs[0].request.hardware
                if let hardwareFile {
                    base = try readHardwareFile(hardwareFile)
                    for index in runs.indices { runs[index].request.hardware = base }
                }
                let result = try Calibration.fit(runs, hardware: base, parameters: parameters)
                let looErrors = Calibration.leaveOneOut(runs, hardware: base, parameters: parameters).flatMap { $0 }
                let before = Calibration.logErrors(runs, hardware: base).map(Self.percent)
                let after = Calibration.logErrors(runs, hardware: result.hardware).map(Self.percent)
                var profile = result.hardware
                profile.name = base.name.hasSuffix("-calibrated") ? base.name : base.name + "-calibrated"
                let provenance = HardwareProfile.Provenance(
                    baseHardware: hardwareName, points: points, date: Self.today(), fitted: result.fitted.map(\.rawValue),
                    fixed: result.fixed.map { "\($0.parameter.rawValue): \($0.reason)" },
                    medianErrorBeforePercent: Self.median(before.map(abs)), medianErrorAfterPercent: Self.median(after.map(abs)),
                    leaveOneOutMedianErrorPercent: Self.median(looErrors))
                if let out {
                    do { try HardwareProfile.yaml(profile, provenance: provenance).write(toFile: out, atomically: true, encoding: .utf8) } catch {
                        throw CLIError.message("cannot write the profile to '\(out)': \(error.localizedDescription)")
                    }
                }
                if json {
                    print(Self.json(result, base: base, runs: runs, before: before, after: after, loo: looErrors, skipped: skipped).serialized(indent: 2))
                } else {
                    print(Self.text(result, base: base, runs: runs, before: before, after: after, loo: looErrors, skipped: skipped, out: out))
                }
            }
        }

        static func percent(_ logError: Double) -> Double { (FleetMath.exp(logError) - 1) * 100 }

        static func median(_ values: [Double]) -> Double? { Validation.median(values) }
        static func mean(_ values: [Double]) -> Double? { Validation.mean(values) }

        static func today() -> String {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyy-MM-dd"
            return formatter.string(from: Date())
        }

        /// The measurement labels in the order ``Calibration/logErrors(_:hardware:)`` lists them.
        static func labels(_ runs: [MeasuredRun]) -> [String] {
            runs.flatMap { run in run.measured.map { "\(run.id) \($0.metric.rawValue)" } }
        }

        static func summary(_ values: [Double]) -> String {
            guard let median = median(values.map(abs)), let mean = mean(values.map(abs)) else { return "n/a" }
            return "median |error| \(NumberFormat.fixed(median, decimals: 1))%, mean \(NumberFormat.fixed(mean, decimals: 1))%"
        }

        static func text(_ fit: Calibration.Fit, base: HardwareSpec, runs: [MeasuredRun], before: [Double], after: [Double],
                         loo: [Double], skipped: [String], out: String?) -> String {
            var lines = ["calibration of \(base.name) (default profile) on \(runs.count) run(s), \(before.count) measurement(s)", ""]
            var table = TextTable(headers: ["parameter", "before", "after", ""], alignments: [.left, .right, .right, .left])
            for parameter in Calibration.Parameter.allCases {
                let fixed = fit.fixed.first { $0.parameter == parameter }
                let note = fit.fitted.contains(parameter) ? "fitted" : fixed.map { "fixed: \($0.reason)" } ?? "fixed: not asked"
                table.append([parameter.rawValue, NumberFormat.significant(parameter.value(in: base), digits: 4),
                              NumberFormat.significant(parameter.value(in: fit.hardware), digits: 4), note])
            }
            lines.append(table.render())
            lines.append("")
            var residuals = TextTable(headers: ["measurement", "error before %", "error after %"], alignments: [.left, .right, .right])
            for (label, (b, a)) in zip(labels(runs), zip(before, after)) {
                residuals.append([label, NumberFormat.fixed(b, decimals: 1), NumberFormat.fixed(a, decimals: 1)])
            }
            lines.append(residuals.render())
            lines += ["", "before: \(summary(before))", "after (in-sample): \(summary(after))",
                      "leave-one-out (each run predicted by a fit without it): \(summary(loo))"]
            if runs.count < 2 { lines.append("leave-one-out needs at least 2 runs") }
            if !skipped.isEmpty { lines += ["", "not used:"] + skipped.map { "  \($0)" } }
            if let out { lines += ["", "profile written to \(out) (use it with --hardware-file \(out))"] }
            return lines.joined(separator: "\n")
        }

        static func json(_ fit: Calibration.Fit, base: HardwareSpec, runs: [MeasuredRun], before: [Double], after: [Double],
                         loo: [Double], skipped: [String]) -> JSONValue {
            func number(_ value: Double?) -> JSONValue { value.map(JSONValue.double) ?? .null }
            return .object([
                ("hardware", .string(base.name)),
                ("parameters", .array(Calibration.Parameter.allCases.map { parameter in
                    .object([("name", .string(parameter.rawValue)), ("before", .double(parameter.value(in: base))),
                             ("after", .double(parameter.value(in: fit.hardware))), ("fitted", .bool(fit.fitted.contains(parameter))),
                             ("reason", fit.fixed.first { $0.parameter == parameter }.map { .string($0.reason) } ?? .null)])
                })),
                ("measurements", .array(zip(labels(runs), zip(before, after)).map { label, pair in
                    .object([("measurement", .string(label)), ("error_before_pct", .double(pair.0)), ("error_after_pct", .double(pair.1))])
                })),
                ("median_abs_error_pct_before", number(median(before.map(abs)))),
                ("mean_abs_error_pct_before", number(mean(before.map(abs)))),
                ("median_abs_error_pct_after", number(median(after.map(abs)))),
                ("mean_abs_error_pct_after", number(mean(after.map(abs)))),
                ("loo_median_abs_error_pct", number(median(loo))),
                ("loo_mean_abs_error_pct", number(mean(loo))),
                ("skipped", .array(skipped.map(JSONValue.string))),
            ])
        }
    }
}
