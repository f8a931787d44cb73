import PlannerCore
import PlannerWire

/// Work the coordinator splits into tasks (index ranges `[start, start + count)` of ``unitCount``
/// units: sweep configurations, fleet layouts) and workers evaluate.
///
/// The coordinator and every worker build the job from the same specification text
/// (``specText``, sent in WELCOME), so they agree on every index. ``jobID`` hashes the engine
/// version and the specification; a worker refuses a job whose text hashes differently here.
///
/// Invariant: the merged result depends only on the specification, never on how the tasks were
/// spread over workers, retried or replayed from a journal.
public protocol ClusterJob: Sendable {
    /// What the coordinator keeps of one task's RESULT, once checked against the task's range.
    associatedtype Part: Sendable
    /// The merge of every accepted part.
    associatedtype Totals: Sendable

    /// The job kind WELCOME announces, so a worker knows how to read ``specText``.
    static var kind: Planner_Wire_V1_JobKind { get }
    /// What the job is called in logs ("sweep", "fleet sizing").
    static var kindName: String { get }
    /// What one unit is called in progress lines ("configurations", "layouts").
    static var unitName: String { get }

    /// Hash of the engine version and the specification (16 hex digits).
    var jobID: String { get }
    /// The specification document, sent to workers verbatim.
    var specText: String { get }
    /// Units to evaluate (>= 0).
    var unitCount: Int { get }
    /// Units per task (>= 1). The coordinator's choice: not part of ``jobID``.
    var chunkSize: Int { get }

    /// Worker side: evaluates units `range` (non-empty, inside `0..<unitCount`) into a RESULT body
    /// holding the job's payload; the caller stamps the job and task identity and the timing.
    func evaluate(_ range: Range<Int>) -> Planner_Wire_V1_Result
    /// Coordinator side: the part a RESULT holds, checked against the range the task covers.
    /// - Throws: ``ResultViolation`` when a count, index or figure is inconsistent with the task (a
    ///   malformed, foreign or lying message).
    func part(of result: Planner_Wire_V1_Result, expected: Range<Int>) throws(ResultViolation) -> Part
    /// Totals before any part is merged.
    func emptyTotals() -> Totals
    /// Folds one accepted part into the totals (each task's part is merged exactly once).
    func merge(_ part: Part, into totals: inout Totals)
    /// Units merged so far, for progress lines.
    func unitsDone(_ totals: Totals) -> Int
    /// What the journal keeps of an accepted RESULT (enough for ``part(of:expected:)`` to rebuild
    /// the part on `--resume`), or nil to keep the RESULT exactly as received (the default: its
    /// bytes are journaled without being encoded again).
    func journaled(_ result: Planner_Wire_V1_Result) -> Planner_Wire_V1_Result?
    /// Lines the coordinator appends to its `--out` file for an accepted part (none by default).
    func outputLines(_ part: Part) -> [String]
}

extension ClusterJob {
    public func journaled(_ result: Planner_Wire_V1_Result) -> Planner_Wire_V1_Result? { nil }
    public func outputLines(_ part: Part) -> [String] { [] }

    /// Tasks of ``chunkSize`` units covering ``unitCount``.
    public var taskCount: Int { (unitCount + chunkSize - 1) / chunkSize }

    /// The units task `task` covers.
    public func range(ofTask task: Int) -> Range<Int> {
        let start = task * chunkSize
        return start..<min(start + chunkSize, unitCount)
    }

    /// Worker side: a whole RESULT for one task, or one carrying `error` when the range does not fit
    /// the job (a coordinator bug or a foreign message: never evaluated).
    func result(task taskID: Int, attempt: Int, range: Range<Int>, computeMs: (() -> Double)) -> Planner_Wire_V1_Result {
        var result: Planner_Wire_V1_Result
        if range.lowerBound >= 0, range.upperBound <= unitCount, !range.isEmpty {
            result = evaluate(range)
            result.computeMs = computeMs()
        } else {
            result = Planner_Wire_V1_Result()
            result.error = "task range \(range) is outside the \(Self.kindName) (0..<\(unitCount))"
        }
        result.sweepID = jobID
        result.taskID = UInt64(taskID)
        result.attempt = UInt32(clamping: attempt)
        result.start = UInt64(max(range.lowerBound, 0))
        result.count = UInt64(range.count)
        return result
    }
}

/// Why a RESULT's values cannot be merged: a strike against the worker that sent it.
public struct ResultViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, naming the field and the value.
    public let reason: String

    public init(_ reason: String) { self.reason = reason }

    public var description: String { reason }
}

/// Building jobs from what a WELCOME carries.
public enum ClusterJobs {
    /// The job of kind `kind` described by `text`.
    /// - Throws: ``PlannerError`` when the text is not a valid specification of that kind, or
    ///   ``ClusterError/refused(_:)`` for a kind this build does not know.
    public static func make(kind: Planner_Wire_V1_JobKind, text: String) throws -> any ClusterJob {
        switch kind {
        case .sweep: try SweepJob(text: text, source: "coordinator")
        case .fleet: try FleetJob(bundle: text)
        case let .UNRECOGNIZED(value):
            throw ClusterError.refused("the coordinator sent a job of kind \(value), which this planner build does not know "
                + "(known: 0 sweep, 1 fleet)")
        }
    }

    /// FNV-1a, 64 bits, as 16 hex digits: the hash behind every ``ClusterJob/jobID``.
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
