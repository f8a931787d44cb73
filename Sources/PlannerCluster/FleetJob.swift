import PlannerCore
import PlannerFormats
import PlannerWire

/// A fleet sizing as cluster work: the units are ``FleetSizing/tasks(_:)``'s layouts, a task is a
/// range of them, and the merged outcomes assemble into the same ``FleetPlan`` as
/// ``FleetSizing/run(_:)``, whatever the workers, retries and journal replays.
///
/// Workers must read the workload exactly as the coordinator did, without its files, so the
/// specification sent to them is a self-contained *bundle* (a JSON object):
/// `{"fleet_bundle": 1, "source": workload file name, "workload": the workload document,
/// "prices": the --prices document or null, "prices_source": its file name or null, "profile":
/// the --profile override or null, "files": {path: text} of every model config.json the workload
/// names}`. The coordinator reads its own workload back from the bundle too.
public struct FleetJob: Sendable {
    /// The outcomes of one task's layouts.
    public struct Part: Sendable, Hashable {
        /// First layout index.
        public var start: Int
        /// One outcome per layout of `start..<start + outcomes.count`.
        public var outcomes: [FleetSizing.Outcome]
    }

    /// Outcomes gathered so far, by layout index.
    public struct Totals: Sendable {
        /// One slot per layout; nil until its task's part is merged.
        public var outcomes: [FleetSizing.Outcome?]
        /// Layouts merged.
        public var done: Int { outcomes.count { $0 != nil } }
    }

    /// The bundle (see the type's documentation), sent to workers verbatim.
    public let specText: String
    /// The workload, as read back from the bundle.
    public let workload: FleetWorkload
    /// The layouts to evaluate (the units).
    public let tasks: [FleetSizing.Task]
    /// Layouts not evaluated because they cannot split the model, by reason.
    public let skipped: [String: Int]
    public let jobID: String
    public let chunkSize: Int

    /// Bundle format version.
    static let bundleVersion = 1

    /// Reads a workload the way `planner fleet` does and packs it, with the price file and every
    /// model config it names, into a bundle.
    /// - Parameters:
    ///   - workloadText: the workload document (YAML or JSON); `source` names it in messages.
    ///   - pricesText: the `--prices` document, if any; `pricesSource` names it.
    ///   - profile: the `--profile` override, if any.
    ///   - readFile: reads a model `config.json` the workload names by path.
    ///   - chunkSize: layouts per task; nil picks ``defaultChunkSize(count:)``.
    /// - Throws: ``PlannerError`` naming the key, for an invalid workload or price file.
    public init(workloadText: String, source: String, pricesText: String? = nil, pricesSource: String = "prices",
                profile: Profile? = nil, readFile: Inputs.FileReader? = nil, chunkSize: Int? = nil) throws(PlannerError) {
        let document = try Documents.parse(workloadText, source: source)
        var pricesDocument: JSONValue?
        var overrides: PriceList?
        if let pricesText {
            let parsed = try Documents.parse(pricesText, source: pricesSource)
            overrides = try FleetInput.prices(parsed, source: pricesSource)
            pricesDocument = parsed
        }
        let files = FileRecorder()
        var recording: Inputs.FileReader?
        if let readFile {
            recording = { (path: String) throws(PlannerError) -> String in
                let text = try readFile(path)
                files.record(path, text)
                return text
            }
        }
        // Read directly first, so every error names the user's files.
        var direct = try FleetInput.workload(document, source: source, priceOverrides: overrides, readFile: recording)
        if let profile { direct.profile = profile }
        let bundle = JSONValue.object([
            ("fleet_bundle", .int(Self.bundleVersion)), ("source", .string(source)), ("workload", document),
            ("prices", pricesDocument ?? .null), ("prices_source", pricesText == nil ? .null : .string(pricesSource)),
            ("profile", profile.map { .string($0.rawValue) } ?? .null),
            ("files", .object(files.sorted.map { ($0.path, .string($0.text)) })),
        ]).serialized()
        try self.init(bundle: bundle, chunkSize: chunkSize)
        guard workload == direct else {
            throw .malformedInput(source: source, reason: "the workload does not survive serialization for workers (a number that JSON "
                + "cannot carry, such as .inf or .nan?)")
        }
    }

    /// Reads a bundle (what a worker receives).
    /// - Throws: ``PlannerError`` when the bundle is malformed or its workload invalid.
    public init(bundle text: String, chunkSize: Int? = nil) throws(PlannerError) {
        let source = "fleet bundle"
        let bundle: JSONValue
        do {
            bundle = try JSONValue.parse(text)
        } catch {
            throw .malformedInput(source: source, reason: "not JSON: \(error)")
        }
        guard bundle["fleet_bundle"]?.intValue == Self.bundleVersion, let workloadSource = bundle["source"]?.stringValue,
              let document = bundle["workload"], let fileMembers = bundle["files"]?.objectMembers else {
            throw .malformedInput(source: source, reason: "expected {fleet_bundle: \(Self.bundleVersion), source, workload, prices, "
                + "prices_source, profile, files}")
        }
        var files: [String: String] = [:]
        for (path, value) in fileMembers {
            guard let contents = value.stringValue else { throw .malformedInput(source: source, reason: "files.\(path) is not a string") }
            files[path] = contents
        }
        var overrides: PriceList?
        if let prices = bundle["prices"], prices != .null {
            overrides = try FleetInput.prices(prices, source: bundle["prices_source"]?.stringValue ?? "prices")
        }
        var workload = try FleetInput.workload(document, source: workloadSource, priceOverrides: overrides, readFile: { path throws(PlannerError) in
            guard let contents = files[path] else {
                throw .malformedInput(source: path, reason: "the fleet bundle does not carry this file (model config or hardware profile)")
            }
            return contents
        })
        if let name = bundle["profile"]?.stringValue {
            guard let profile = Profile(rawValue: name) else {
                throw .invalidValue(field: "profile", value: name, allowed: Profile.allCases.map(\.rawValue).joined(separator: ", "))
            }
            workload.profile = profile
        }
        if let chunkSize, !(1...Self.maxChunkSize).contains(chunkSize) {
            throw .invalidValue(field: "chunk_size", value: "\(chunkSize)",
                                allowed: "1...\(Self.maxChunkSize) layouts per task (a RESULT must stay under the 16 MiB message limit)")
        }
        let (tasks, skipped) = try FleetSizing.tasks(workload)
        self.specText = text
        self.workload = workload
        self.tasks = tasks
        self.skipped = skipped
        self.chunkSize = max(1, chunkSize ?? Self.defaultChunkSize(count: tasks.count))
        self.jobID = ClusterJobs.hash(EngineVersion.string + "\n" + text)
    }

    /// Most layouts per task: an outcome takes up to about 2 KB on the wire (most of it the curve),
    /// so 4096 of them stay well under the 16 MiB message limit.
    public static let maxChunkSize = 4096

    /// About 64 tasks, each at most 256 layouts (a layout takes about a millisecond; 256 outcomes
    /// with their curves are about half a MiB on the wire); at least 1.
    public static func defaultChunkSize(count: Int) -> Int { min(max(count / 64, 1), 256) }

    /// The plan of the merged outcomes: ``FleetSizing/assemble(_:tasks:outcomes:skipped:)``. A layout
    /// whose task was given up (failed on every attempt) is listed as not evaluated.
    public func plan(_ totals: Totals) -> FleetPlan {
        let outcomes = totals.outcomes.map { outcome in
            outcome ?? .notRunnable(skip: SkipReason.other, detail: "not evaluated: its task failed on every worker that tried it",
                                    fitRatio: nil, estimates: 0)
        }
        return FleetSizing.assemble(workload, tasks: tasks, outcomes: outcomes, skipped: skipped)
    }

    /// Collects the files a workload reads (model configs), in the order first read.
    private final class FileRecorder {
        private var files: [(path: String, text: String)] = []

        func record(_ path: String, _ text: String) {
            if !files.contains(where: { $0.path == path }) { files.append((path, text)) }
        }

        var sorted: [(path: String, text: String)] { files.sorted { $0.path < $1.path } }
    }
}

extension FleetJob: ClusterJob {
    public static let kind = Planner_Wire_V1_JobKind.fleet
    public static let kindName = "fleet sizing"
    public static let unitName = "layouts"

    public var unitCount: Int { tasks.count }

    public func evaluate(_ range: Range<Int>) -> Planner_Wire_V1_Result {
        var result = Planner_Wire_V1_Result()
        result.fleet = range.map { index in WireMapping.fleetOutcome(FleetSizing.evaluate(tasks[index], in: workload), index: index) }
        return result
    }

    public func part(of result: Planner_Wire_V1_Result, expected: Range<Int>) throws(ResultViolation) -> Part {
        guard result.start == UInt64(expected.lowerBound), result.count == UInt64(expected.count),
              result.fleet.count == expected.count, expected.upperBound <= tasks.count else {
            throw ResultViolation("range \(result.start)+\(result.count) with \(result.fleet.count) outcomes is not the task's "
                + "\(expected.lowerBound)+\(expected.count)")
        }
        var outcomes: [FleetSizing.Outcome] = []
        outcomes.reserveCapacity(expected.count)
        for (index, wire) in zip(expected, result.fleet) {
            guard wire.index == UInt64(index) else { throw ResultViolation("outcome index \(wire.index) where \(index) belongs") }
            guard let outcome = WireMapping.fleetOutcome(wire, task: tasks[index], workload: workload) else {
                throw ResultViolation("the outcome of layout \(index) is inconsistent with its task (counts, figures or curve)")
            }
            outcomes.append(outcome)
        }
        return Part(start: expected.lowerBound, outcomes: outcomes)
    }

    public func emptyTotals() -> Totals { Totals(outcomes: Array(repeating: nil, count: tasks.count)) }

    public func merge(_ part: Part, into totals: inout Totals) {
        for (offset, outcome) in part.outcomes.enumerated() where totals.outcomes[part.start + offset] == nil {
            totals.outcomes[part.start + offset] = outcome
        }
    }

    public func unitsDone(_ totals: Totals) -> Int { totals.done }
}
