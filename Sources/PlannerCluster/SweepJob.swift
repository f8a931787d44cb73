import PlannerCore
import PlannerFormats

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
    public init(text: String, source: String, chunkSize: Int? = nil) throws(PlannerError) {
        let value = try Documents.parse(text, source: source)
        let document = try Inputs.sweepSpec(value, source: source)
        let space = try SweepSpace(document.spec)
        self.specText = text
        self.document = document
        self.space = space
        self.evaluator = SweepEvaluator(space: space)
        let chosen = chunkSize ?? Self.defaultChunkSize(count: space.count, keepsAll: document.spec.keep == .all)
        self.chunkSize = max(1, chosen)
        self.sweepID = Self.hash(EngineVersion.string + "\n" + value.serialized())
    }

    /// About 64 tasks (enough to balance a few dozen workers), each at most 1,000,000
    /// configurations (a few seconds of work), or 100,000 when every entry is returned (`top: all`,
    /// keeping a RESULT under the 16 MiB message limit); at least 1.
    public static func defaultChunkSize(count: Int, keepsAll: Bool = false) -> Int {
        min(max(count / 64, 1), keepsAll ? 100_000 : 1_000_000)
    }

    /// FNV-1a, 64 bits, as 16 hex digits.
    static func hash(_ text: String) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01b3
        }
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
