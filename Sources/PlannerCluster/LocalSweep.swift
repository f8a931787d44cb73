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

/// `planner fleet` without a cluster: evaluates a fleet job's layouts in this process on `threads`
/// threads. Outcomes are stored by layout index, so the plan is the same whatever the thread count
/// (and the same as a coordinator's).
public enum LocalFleet {
    /// Progress about once a second and at the end: (layouts done, layouts total).
    public typealias Progress = @Sendable (_ done: Int, _ total: Int) -> Void

    public static func run(_ job: FleetJob, threads: Int, progress: Progress? = nil) -> FleetPlan {
        let count = job.tasks.count
        let slots = Mutex<[FleetSizing.Outcome?]>(Array(repeating: nil, count: count))
        let next = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        let lastReport = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, count))) { _ in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < count else { return }
                let outcome = FleetSizing.evaluate(job.tasks[index], in: job.workload)
                slots.withLock { $0[index] = outcome }
                let finished = done.add(1, ordering: .relaxed).newValue
                guard let progress else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                let last = lastReport.load(ordering: .relaxed)
                if now - last >= 1_000_000_000,
                   lastReport.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged {
                    progress(finished, count)
                }
            }
        }
        progress?(count, count)
        var totals = job.emptyTotals()
        totals.outcomes = slots.withLock { $0 }
        return job.plan(totals)
    }
}
