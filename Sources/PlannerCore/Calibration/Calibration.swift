/// Fits the `default` profile's efficiencies of one hardware to measured runs.
///
/// The fit minimises the sum over measurements of the Huber loss (``huberDelta``) of the log error
/// ln(predicted / measured), so a ratio error counts the same whichever way it goes and an outlier
/// weighs linearly, not quadratically. Parameters stay within physical bounds (``Parameter/bounds``:
/// no efficiency above 1, no negative overhead). The search is a bounded coordinate descent with a
/// golden-section line search per parameter in a transformed space (log of the efficiency, log of
/// 1 + overhead), repeated until no parameter moves; deterministic.
///
/// A parameter is fitted only when the runs can determine it: its effect on the predictions
/// (``sensitivity(of:runs:hardware:)``, the largest |d ln(prediction) / d ln(parameter)|) is at least
/// ``minimumSensitivity``, and at most (runs - 1) parameters are fitted, the most sensitive first, so
/// that leave-one-out validation always has a run left out of every fit. The others keep their value
/// and are reported as fixed, with the reason.
public enum Calibration {
    /// A fitted figure of ``HardwareSpec``.
    public enum Parameter: String, Sendable, Hashable, CaseIterable {
        case computeEfficiency = "compute_efficiency"
        case memoryEfficiency = "memory_efficiency"
        case linkEfficiency = "link_efficiency"
        case kernelOverheadUs = "kernel_overhead_us"

        /// Physical bounds: efficiencies in [0.02, 1]; overhead in [0, 200] µs.
        public var bounds: ClosedRange<Double> {
            self == .kernelOverheadUs ? 0...200 : 0.02...1
        }

        /// The value `hardware` uses (its own or its family's).
        public func value(in hardware: HardwareSpec) -> Double {
            let family = hardware.family.efficiency
            switch self {
            case .computeEfficiency: return hardware.computeEfficiency ?? family.compute
            case .memoryEfficiency: return hardware.memoryEfficiency ?? family.memory
            case .linkEfficiency: return hardware.linkEfficiency ?? family.link
            case .kernelOverheadUs: return hardware.kernelOverheadUs ?? family.kernelOverheadUs
            }
        }

        /// `hardware` with this parameter set to `value`.
        public func setting(_ value: Double, in hardware: HardwareSpec) -> HardwareSpec {
            var copy = hardware
            switch self {
            case .computeEfficiency: copy.computeEfficiency = value
            case .memoryEfficiency: copy.memoryEfficiency = value
            case .linkEfficiency: copy.linkEfficiency = value
            case .kernelOverheadUs: copy.kernelOverheadUs = value
            }
            return copy
        }

        /// The search coordinate of a value (log of the efficiency; log of 1 + overhead in µs).
        func coordinate(_ value: Double) -> Double { self == .kernelOverheadUs ? Self.log(1 + value) : Self.log(value) }
        func value(atCoordinate x: Double) -> Double {
            let raw = self == .kernelOverheadUs ? Self.exp(x) - 1 : Self.exp(x)
            return min(max(raw, bounds.lowerBound), bounds.upperBound)
        }

        static func log(_ x: Double) -> Double { FleetMath.log(x) }
        static func exp(_ x: Double) -> Double { FleetMath.exp(x) }
    }

    /// Huber threshold on ln(predicted / measured): 0.1 (about 10%).
    public static let huberDelta = 0.1
    /// Smallest effect that makes a parameter determinable: 5% of a prediction per unit log change.
    public static let minimumSensitivity = 0.05

    /// The outcome of a fit.
    public struct Fit: Sendable, Hashable {
        /// The hardware with the fitted values set.
        public var hardware: HardwareSpec
        /// Parameters fitted, in fitting order.
        public var fitted: [Parameter]
        /// Parameters kept, with why.
        public var fixed: [(parameter: Parameter, reason: String)]
        /// The loss before and after.
        public var lossBefore: Double
        public var lossAfter: Double

        public static func == (a: Fit, b: Fit) -> Bool {
            a.hardware == b.hardware && a.fitted == b.fitted && a.fixed.map(\.parameter) == b.fixed.map(\.parameter)
                && a.fixed.map(\.reason) == b.fixed.map(\.reason) && a.lossBefore == b.lossBefore && a.lossAfter == b.lossAfter
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(hardware)
            hasher.combine(fitted)
        }
    }

    /// Log errors of every predicted measurement of `runs` on `hardware` (runs the estimator cannot
    /// estimate count as a large error, ln 10, so the fit avoids them).
    public static func logErrors(_ runs: [MeasuredRun], hardware: HardwareSpec) -> [Double] {
        var errors: [Double] = []
        for run in runs {
            guard let predictions = try? run.predictions(on: hardware) else {
                errors += run.measured.map { _ in Parameter.log(10) }
                continue
            }
            for (measured, prediction) in zip(run.measured, predictions) {
                guard let value = prediction.predicted else { continue }
                errors.append(value > 0 && measured.value > 0 ? Parameter.log(value / measured.value) : Parameter.log(10))
            }
        }
        return errors
    }

    /// The robust loss of `runs` on `hardware`.
    public static func loss(_ runs: [MeasuredRun], hardware: HardwareSpec) -> Double {
        logErrors(runs, hardware: hardware).reduce(0) { total, error in
            let size = abs(error)
            return total + (size <= huberDelta ? 0.5 * size * size : huberDelta * (size - 0.5 * huberDelta))
        }
    }

    /// The largest |d ln(prediction) / d ln(parameter)| over the runs' predicted measurements.
    public static func sensitivity(of parameter: Parameter, runs: [MeasuredRun], hardware: HardwareSpec) -> Double {
        let base = parameter.value(in: hardware)
        let x = parameter.coordinate(base)
        let step = 0.05
        let up = parameter.setting(parameter.value(atCoordinate: x + step), in: hardware)
        let down = parameter.setting(parameter.value(atCoordinate: x - step), in: hardware)
        let high = logErrors(runs, hardware: up), low = logErrors(runs, hardware: down)
        guard high.count == low.count else { return 0 }
        return zip(high, low).map { abs($0 - $1) / (2 * step) }.max() ?? 0
    }

    /// Fits `parameters` (default: all) of `hardware` to `runs`.
    /// - Throws: ``PlannerError`` when no run can be predicted, or a run cannot be estimated at all.
    public static func fit(_ runs: [MeasuredRun], hardware: HardwareSpec, parameters: [Parameter] = Parameter.allCases) throws(PlannerError) -> Fit {
        guard !runs.isEmpty, !logErrors(runs, hardware: hardware).isEmpty else {
            throw .invalidValue(field: "points", value: "\(runs.count) run(s)", allowed: "at least one run with a predicted measurement")
        }
        var fixed: [(parameter: Parameter, reason: String)] = []
        var candidates: [(parameter: Parameter, sensitivity: Double)] = []
        for parameter in parameters {
            let effect = sensitivity(of: parameter, runs: runs, hardware: hardware)
            if effect < minimumSensitivity {
                fixed.append((parameter, "the points do not determine it (largest effect \(rounded(effect)) < \(minimumSensitivity))"))
            } else {
                candidates.append((parameter, effect))
            }
        }
        candidates.sort { $0.sensitivity != $1.sensitivity ? $0.sensitivity > $1.sensitivity : $0.parameter.rawValue < $1.parameter.rawValue }
        let allowed = max(runs.count - 1, 0)
        let fitted = candidates.prefix(allowed).map(\.parameter)
        for candidate in candidates.dropFirst(allowed) {
            fixed.append((candidate.parameter, "\(runs.count) run(s) determine at most \(allowed) parameter(s); more sensitive ones are fitted"))
        }
        let before = loss(runs, hardware: hardware)
        var current = hardware
        var best = before
        if !fitted.isEmpty {
            (current, best) = nelderMead(fitted, runs: runs, hardware: hardware)
            // Polish along each axis (golden section), until no parameter moves.
            for _ in 0..<8 {
                let start = best
                for parameter in fitted {
                    let (value, valueLoss) = lineSearch(parameter, runs: runs, hardware: current)
                    if valueLoss < best {
                        best = valueLoss
                        current = parameter.setting(value, in: current)
                    }
                }
                if start - best <= 1e-12 * max(start, 1e-300) { break }
            }
        }
        return Fit(hardware: current, fitted: fitted, fixed: fixed, lossBefore: before, lossAfter: best)
    }

    /// Nelder-Mead over the search coordinates of `parameters` (reflection 1, expansion 2, contraction
    /// 0.5, shrink 0.5; initial steps of 0.25 in log space; values clamped to the bounds), at most 600 steps.
    static func nelderMead(_ parameters: [Parameter], runs: [MeasuredRun], hardware: HardwareSpec) -> (HardwareSpec, Double) {
        func spec(_ x: [Double]) -> HardwareSpec {
            var copy = hardware
            for (parameter, coordinate) in zip(parameters, x) { copy = parameter.setting(parameter.value(atCoordinate: coordinate), in: copy) }
            return copy
        }
        func clamp(_ x: [Double]) -> [Double] {
            zip(parameters, x).map { parameter, coordinate in parameter.coordinate(parameter.value(atCoordinate: coordinate)) }
        }
        func f(_ x: [Double]) -> Double { loss(runs, hardware: spec(x)) }
        let start = parameters.map { $0.coordinate($0.value(in: hardware)) }
        var simplex: [(x: [Double], f: Double)] = [(start, f(start))]
        for index in parameters.indices {
            var x = start
            x[index] += x[index] + 0.25 > parameters[index].coordinate(parameters[index].bounds.upperBound) ? -0.25 : 0.25
            x = clamp(x)
            simplex.append((x, f(x)))
        }
        let n = Double(parameters.count)
        for _ in 0..<600 {
            simplex.sort { $0.f < $1.f }
            if simplex[simplex.count - 1].f - simplex[0].f <= 1e-14 * max(abs(simplex[0].f), 1e-300) { break }
            let worst = simplex[simplex.count - 1]
            var centroid = [Double](repeating: 0, count: parameters.count)
            for vertex in simplex.dropLast() { for i in centroid.indices { centroid[i] += vertex.x[i] / n } }
            func along(_ t: Double) -> [Double] { clamp(centroid.indices.map { centroid[$0] + t * (worst.x[$0] - centroid[$0]) }) }
            let reflected = along(-1), fr = f(reflected)
            if fr < simplex[0].f {
                let expanded = along(-2), fe = f(expanded)
                simplex[simplex.count - 1] = fe < fr ? (expanded, fe) : (reflected, fr)
            } else if fr < simplex[simplex.count - 2].f {
                simplex[simplex.count - 1] = (reflected, fr)
            } else {
                let contracted = fr < worst.f ? along(-0.5) : along(0.5), fc = f(contracted)
                if fc < min(fr, worst.f) {
                    simplex[simplex.count - 1] = (contracted, fc)
                } else {
                    let best = simplex[0].x
                    for index in 1..<simplex.count {
                        let x = clamp(best.indices.map { best[$0] + 0.5 * (simplex[index].x[$0] - best[$0]) })
                        simplex[index] = (x, f(x))
                    }
                }
            }
        }
        simplex.sort { $0.f < $1.f }
        return (spec(simplex[0].x), simplex[0].f)
    }

    /// Golden-section search of one parameter over its bounds (in the search coordinate).
    static func lineSearch(_ parameter: Parameter, runs: [MeasuredRun], hardware: HardwareSpec) -> (value: Double, loss: Double) {
        var low = parameter.coordinate(max(parameter.bounds.lowerBound, 1e-9)), high = parameter.coordinate(parameter.bounds.upperBound)
        let ratio = 0.618_033_988_749_894_8
        func evaluate(_ x: Double) -> Double { loss(runs, hardware: parameter.setting(parameter.value(atCoordinate: x), in: hardware)) }
        var a = high - ratio * (high - low), b = low + ratio * (high - low)
        var fa = evaluate(a), fb = evaluate(b)
        for _ in 0..<40 {
            if fa <= fb { high = b; b = a; fb = fa; a = high - ratio * (high - low); fa = evaluate(a) } else {
                low = a; a = b; fa = fb; b = low + ratio * (high - low); fb = evaluate(b)
            }
        }
        let x = fa <= fb ? a : b
        let current = parameter.coordinate(parameter.value(in: hardware))
        let currentLoss = evaluate(current)
        return min(fa, fb) < currentLoss ? (parameter.value(atCoordinate: x), min(fa, fb)) : (parameter.value(in: hardware), currentLoss)
    }

    /// Leave-one-out: for each run, the fit on the others, then that run's log errors.
    /// - Returns: per run, its absolute percentage errors under the fit that did not see it.
    public static func leaveOneOut(_ runs: [MeasuredRun], hardware: HardwareSpec, parameters: [Parameter] = Parameter.allCases) -> [[Double]] {
        guard runs.count >= 2 else { return [] }
        return runs.indices.map { index in
            var others = runs
            let held = others.remove(at: index)
            guard let fit = try? fit(others, hardware: hardware, parameters: parameters) else { return [] }
            return logErrors([held], hardware: fit.hardware).map { (Parameter.exp($0) - 1).magnitude * 100 }
        }
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
