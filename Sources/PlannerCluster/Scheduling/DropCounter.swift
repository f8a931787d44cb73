/// Messages the coordinator dropped, counted by reason in total and per sending peer.
///
/// Pure bookkeeping (no clock, no I/O). The per-peer table is bounded: at most ``maxPeers`` peers are
/// tracked, and the peer tracked longest is evicted to make room for a new one (its drops stay in the
/// totals), so a flood of connections with fresh routing ids cannot grow it.
public struct DropCounter: Sendable {
    /// Why a message was dropped.
    public enum Reason: String, Sendable, CaseIterable, Comparable {
        /// More frames than the protocol ever sends (drained in full, then dropped).
        case tooManyFrames = "too many frames"
        /// Not a `planner/1` message: bad framing, signature, command byte or protobuf body.
        case malformed = "malformed"
        /// A command only the coordinator sends (WELCOME, TASK, CANCEL, UNKNOWN).
        case unexpectedCommand = "unexpected command"
        /// A RESULT or CREDIT from a peer that has not said HELLO (or was forgotten).
        case notWelcomed = "no HELLO"
        /// A RESULT for another job's id.
        case foreignJob = "foreign job"
        /// A RESULT for a task (or attempt) the peer does not hold the lease of.
        case noLease = "no lease"
        /// A RESULT whose values break the task's invariants (counted against the worker too).
        case invalidValues = "invalid values"
        /// Anything from a quarantined worker.
        case quarantined = "quarantined"
        /// A HELLO while the coordinator already knows its maximum number of workers.
        case tooManyWorkers = "too many workers"

        public static func < (lhs: Reason, rhs: Reason) -> Bool {
            allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
        }
    }

    /// The per-peer table's default bound.
    public static let defaultMaxPeers = 1024

    /// The most peers tracked individually.
    public let maxPeers: Int
    /// Drops by reason, over every peer ever seen.
    public private(set) var totals: [Reason: Int] = [:]
    private var perPeer: [[UInt8]: [Reason: Int]] = [:]
    /// Tracked peers, oldest first from `head` (a queue without element moves).
    private var order: [[UInt8]] = []
    private var head = 0

    /// - Parameter maxPeers: the most peers tracked individually (at least 1).
    public init(maxPeers: Int = DropCounter.defaultMaxPeers) {
        self.maxPeers = max(maxPeers, 1)
    }

    /// Counts one dropped message from `peer`.
    public mutating func count(_ reason: Reason, peer: [UInt8]) {
        totals[reason, default: 0] += 1
        if perPeer[peer] == nil {
            if perPeer.count >= maxPeers { evictOldest() }
            order.append(peer)
        }
        perPeer[peer, default: [:]][reason, default: 0] += 1
    }

    /// The drops counted against `peer` (empty when it is not, or no longer, tracked).
    public func counts(for peer: [UInt8]) -> [Reason: Int] { perPeer[peer] ?? [:] }

    /// Every drop counted.
    public var total: Int { totals.values.reduce(0, +) }

    /// Peers tracked individually right now (at most ``maxPeers``).
    public var trackedPeers: Int { perPeer.count }

    /// The totals as text, e.g. `3 malformed, 1 too many frames`, or `none`.
    public var summary: String {
        let parts = totals.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.rawValue)" }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    private mutating func evictOldest() {
        while head < order.count {
            let peer = order[head]
            head += 1
            if perPeer.removeValue(forKey: peer) != nil { break }
        }
        if head > 1024 && head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
