import PlannerCore
import PlannerFormats
import PlannerWire

/// A parsed sweep: its space, evaluator, identity and task size. Coordinator, workers and the
/// local `planner sweep` build it from the same specification text, so they agree on every index.
public struct SweepJob: Sendable {
    /// The specification document as given (sent to workers verbatim).
    public let specText: String
    public let document: Inputs.SweepDocument
    public let space: SweepSpace
    public let evaluator: SweepEvaluator
    /// Hex FNV-1a hash of the engine version and the canonical (re-serialized) specification. The
    /// task size is the coordinator's choice and not part of it (tasks carry their index ranges).
    public let sweepID: String
    /// Configurations per task.
    public let chunkSize: Int

    /// - Parameters:
    ///   - text: the YAML or JSON specification.
    ///   - source: a name for error messages (the file path).
    ///   - chunkSize: configurations per task; nil picks ``defaultChunkSize(count:)``.
    ///   - readFile: reads the `config.json` files the specification names by path; they are inlined
    ///     into ``specText`` (what workers receive), so remote workers need no files.
    public init(text: String, source: String, chunkSize: Int? = nil, readFile: Inputs.FileReader? = nil) throws(PlannerError) {
        var value = try Documents.parse(text, source: source)
        var text = text
        if let readFile {
            let inlined = try Inputs.inliningModelFiles(value, readFile: readFile)
            if inlined != value { value = inlined; text = inlined.serialized() }
        }
        let document = try Inputs.sweepSpec(value, source: source)
        let space = try SweepSpace(document.spec)
        self.specText = text
        self.document = document
        self.space = space
        self.evaluator = SweepEvaluator(space: space)
        let chosen = chunkSize ?? Self.defaultChunkSize(count: space.count, keepsAll: document.spec.keep == .all)
        self.chunkSize = max(1, chosen)
        self.sweepID = ClusterJobs.hash(EngineVersion.string + "\n" + value.serialized())
    }

    /// About 64 tasks (enough to balance a few dozen workers), each at most 1,000,000
    /// configurations (a few seconds of work), or 100,000 when every entry is returned (`top: all`,
    /// keeping a RESULT under the 16 MiB message limit); at least 1.
    public static func defaultChunkSize(count: Int, keepsAll: Bool = false) -> Int {
        min(max(count / 64, 1), keepsAll ? 100_000 : 1_000_000)
    }
}

extension SweepJob: ClusterJob {
    public typealias Part = SweepEvaluator.Chunk
    public typealias Totals = SweepTotals

    public static let kind = Planner_Wire_V1_JobKind.sweep
    public static let kindName = "sweep"
    public static let unitName = "configurations"

    public var jobID: String { sweepID }
    public var unitCount: Int { space.count }

    public func evaluate(_ range: Range<Int>) -> Planner_Wire_V1_Result {
        WireMapping.result(evaluator.run(range))
    }

    public func part(of result: Planner_Wire_V1_Result, expected: Range<Int>) throws(ResultViolation) -> SweepEvaluator.Chunk {
        try WireMapping.chunk(result, space: space, expected: expected)
    }

    public func emptyTotals() -> SweepTotals { SweepTotals(rankingSize: space.spec.rankingSize) }
    public func merge(_ part: SweepEvaluator.Chunk, into totals: inout SweepTotals) { totals.add(part) }
    public func unitsDone(_ totals: SweepTotals) -> Int { totals.evaluated }

    /// Everything but `all` (every ranked entry goes to the `--out` file instead); nil (the RESULT
    /// as received) when it holds no `all` entries.
    public func journaled(_ result: Planner_Wire_V1_Result) -> Planner_Wire_V1_Result? {
        guard !result.all.isEmpty else { return nil }
        var kept = result
        kept.all = []
        return kept
    }

    public func outputLines(_ part: SweepEvaluator.Chunk) -> [String] {
        part.all.map { SweepOutput.jsonLine($0, space: space) }
    }
}
