import Dispatch
import PlannerCore
import Synchronization

/// `planner sweep`: evaluates a whole sweep in this process on `threads` threads.
///
/// Tasks are the same index ranges a coordinator would hand out; they are evaluated in parallel a
/// window at a time and merged in task order, so `all` output lines come out in index order.
public enum LocalSweep {
    /// Progress after each window: (tasks done, tasks total, configurations done).
    public typealias Progress = (Int, Int, Int) -> Void

    /// Runs the sweep.
    /// - Parameters:
    ///   - threads: worker threads (>= 1).
    ///   - onEntries: receives every ranked entry in index order when the spec keeps `all`.
    public static func run(_ job: SweepJob, threads: Int, progress: Progress? = nil,
                           onEntries: (([SweepEntry]) -> Void)? = nil) -> SweepTotals {
        let taskCount = (job.space.count + job.chunkSize - 1) / job.chunkSize
        var totals = SweepTotals(rankingSize: job.space.spec.rankingSize)
        let window = max(threads, 1) * 4
        var first = 0
        while first < taskCount {
            let last = min(first + window, taskCount)
            let slots = Mutex<[Int: SweepEvaluator.Chunk]>([:])
            let base = first
            let next = Atomic<Int>(base)
            DispatchQueue.concurrentPerform(iterations: min(max(threads, 1), last - first)) { _ in
                while true {
                    let task = next.add(1, ordering: .relaxed).oldValue
                    guard task < last else { return }
                    let start = task * job.chunkSize
                    let chunk = job.evaluator.run(start..<min(start + job.chunkSize, job.space.count))
                    slots.withLock { $0[task] = chunk }
                }
            }
            let chunks = slots.withLock { $0 }
            for task in first..<last {
                guard let chunk = chunks[task] else { continue }
                totals.add(chunk)
                if let onEntries, !chunk.all.isEmpty { onEntries(chunk.all) }
            }
            first = last
            progress?(first, taskCount, totals.evaluated)
        }
        return totals
    }
}
