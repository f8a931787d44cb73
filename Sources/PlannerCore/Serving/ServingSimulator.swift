/// A discrete-event simulator of one model replica's serving engine: requests arrive, the engine's
/// scheduler (``SchedulerConfig``) builds iterations of prefill chunks and decode tokens within its
/// token, request and KV-cache limits, and each iteration takes ``IterationCostModel``'s time plus
/// the engine's CPU overhead. Pure and deterministic: randomness comes only from ``SeededGenerator``
/// seeded by the setup, so equal setups give byte-identical summaries and records.
///
/// Conventions: the iteration that finishes a prompt samples the request's first token (TTFT ends
/// with it); each later iteration adds one token; arrivals during an iteration are seen at the next
/// one. Memory is bounded by the requests in flight: finished requests are streamed to `onRequest`
/// and only folded into fixed-size histograms.
public enum ServingSimulator {
    /// Simulates `setup`.
    /// - Parameter onRequest: called once per finished request, in completion order.
    /// - Throws: ``PlannerError`` for an invalid setup, a layout that does not fit, or a request the
    ///   engine can never serve (larger than the KV cache, or than the token budget without chunking).
    public static func run(_ setup: SimulationSetup, onRequest: ((RequestRecord) -> Void)? = nil) throws(PlannerError) -> SimulationSummary {
        try setup.validate()
        var engine = try SimulationEngine(setup)
        return try engine.run(onRequest: onRequest)
    }

    /// The KV-cache capacity in tokens the engine of `setup` would have (for messages and sizing).
    public static func kvCapacityTokens(_ setup: SimulationSetup) throws(PlannerError) -> Int {
        let cost = try IterationCostModel(setup.request)
        return try setup.scheduler.kvCapacityBlocks(cost: cost, staticPrefillTokens: staticPrefillTokens(setup)) * setup.scheduler.blockTokens
    }

    /// Prompt tokens of the largest static batch, for its activation peak.
    static func staticPrefillTokens(_ setup: SimulationSetup) -> Int {
        guard setup.scheduler.engine == .static else { return 0 }
        let batch = setup.scheduler.maxRunningRequests ?? 1
        let largest = setup.workload.trace.isEmpty ? setup.workload.inputTokens.largestTokens
            : setup.workload.trace.map(\.inputTokens).max() ?? 1
        return batch * largest
    }
}

/// A request in flight.
struct LiveRequest {
    var index: Int
    var arrival: Double
    var input: Int
    var output: Int
    /// Tokens in the KV cache.
    var cached = 0
    /// Tokens to compute before the next token is sampled: the prompt, plus the tokens generated
    /// before a preemption (recompute).
    var target: Int
    var generated = 0
    var firstToken = 0.0
    var lastToken = 0.0
    var blocks = 0
    var preemptions = 0
    /// Tokens scheduled in the current iteration (0: not scheduled).
    var scheduled = 0

    var isPrefilling: Bool { cached < target }
    var finished: Bool { generated >= output }
}

/// Produces the requests in arrival order: lengths from one generator, gaps from another (so equal
/// seeds give the same lengths at every rate, and the gaps scale with the rate).
struct RequestSource {
    let workload: ServingWorkload
    let count: Int
    var lengths: SeededGenerator
    var gaps: SeededGenerator
    var created = 0
    /// Arrival time of the next open-loop request (nil: none, or closed loop).
    var nextArrival: Double?
    /// Closed loop: requests to send at these times (client completions), in order.
    var clientSends: [Double] = []
    let traceSpan: Double

    init(_ setup: SimulationSetup) {
        workload = setup.workload
        count = setup.requestCount
        lengths = SeededGenerator(seed: setup.seed)
        gaps = SeededGenerator(seed: setup.seed ^ 0x5DEE_CE66_D1CE_4E5B)
        let trace = setup.workload.trace
        if let first = trace.first, let last = trace.last {
            let span = last.arrivalSeconds - first.arrivalSeconds
            traceSpan = span + (trace.count > 1 ? span / Double(trace.count - 1) : 1)
        } else {
            traceSpan = 0
        }
        switch workload.arrivals {
        case .closedLoop(let concurrency):
            clientSends = Array(repeating: 0, count: min(concurrency, count))
            nextArrival = nil
        case .trace:
            nextArrival = trace.first?.arrivalSeconds
        default:
            nextArrival = 0
        }
    }

    var isClosedLoop: Bool { if case .closedLoop = workload.arrivals { true } else { false } }
    var exhausted: Bool { created >= count }

    /// The time of the next arrival, if one is known.
    var nextArrivalTime: Double? {
        if exhausted { return nil }
        if isClosedLoop { return clientSends.first }
        return nextArrival
    }

    /// Creates the next request (which arrives at `nextArrivalTime`).
    mutating func make() -> LiveRequest {
        let index = created
        let arrival: Double
        if isClosedLoop {
            arrival = clientSends.removeFirst()
        } else {
            arrival = nextArrival ?? 0
        }
        created += 1
        let input: Int, output: Int
        if workload.trace.isEmpty {
            input = workload.inputTokens.sample(using: &lengths)
            output = workload.outputTokens.sample(using: &lengths)
        } else {
            let entry = workload.trace[index % workload.trace.count]
            input = entry.inputTokens
            output = entry.outputTokens
        }
        if !exhausted && !isClosedLoop { nextArrival = arrivalTime(after: arrival, index: created) }
        var request = LiveRequest(index: index, arrival: arrival, input: input, output: output, target: input)
        if workload.promptsArriveCached { request.cached = input - 1 }
        return request
    }

    /// A client whose request finished at `time` sends its next one then.
    mutating func clientFinished(at time: Double) {
        if isClosedLoop && created + clientSends.count < count { clientSends.append(time) }
    }

    mutating func arrivalTime(after previous: Double, index: Int) -> Double {
        switch workload.arrivals {
        case let .poisson(rate): return previous + gaps.exponential(mean: 1 / rate)
        case let .gamma(rate, cv):
            let shape = 1 / (cv * cv)
            return previous + gaps.gamma(shape: shape, scale: 1 / (rate * shape))
        case let .constant(rate): return Double(index) / rate
        case .offline: return 0
        case .closedLoop: return previous
        case .trace:
            let trace = workload.trace
            let wraps = Double(index / trace.count)
            return trace[index % trace.count].arrivalSeconds + wraps * traceSpan
        }
    }
}

/// FIFO of waiting requests with a cheap push to the front (for preempted requests).
struct SimulationWaitingQueue {
    var items: [LiveRequest] = []
    var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head >= items.count }
    var first: LiveRequest? { isEmpty ? nil : items[head] }

    mutating func append(_ request: LiveRequest) { items.append(request) }

    mutating func popFirst() -> LiveRequest? {
        guard !isEmpty else { return nil }
        let request = items[head]
        head += 1
        if head > 1024 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return request
    }

    mutating func pushFront(_ request: LiveRequest) {
        if head > 0 {
            head -= 1
            items[head] = request
        } else {
            items.insert(request, at: 0)
        }
    }
}

struct SimulationEngine {
    let setup: SimulationSetup
    let cost: IterationCostModel
    let config: SchedulerConfig
    let blockTokens: Int
    let totalBlocks: Int
    let capacityTokens: Int
    /// KV-cache tokens of one attention data-parallel rank (the whole replica without attention DP).
    let rankCapacityTokens: Int
    let maxRunning: Int
    /// Tokens one iteration of the replica may process (the engine's per-rank budget x DP ranks).
    let tokenBudget: Int
    let overhead: Double
    var freeBlocks: Int
    var source: RequestSource
    var waiting = SimulationWaitingQueue()
    var running: [LiveRequest] = []
    var time = 0.0
    /// SGLang's estimate of the fraction of the remaining output a running request will still need.
    var newTokenRatio = SimulationEngine.sglangInitialNewTokenRatio

    // Statistics.
    var ttft = LatencyHistogram(), tpot = LatencyHistogram(), itl = LatencyHistogram(), e2e = LatencyHistogram()
    var measured = 0, measuredInput = 0, measuredOutput = 0, goodCount = 0
    var firstMeasuredArrival = Double.infinity, lastMeasuredFinish = 0.0
    var busySeconds = 0.0, runningTime = 0.0, kvTime = 0.0, maxKV = 0.0, queueTime = 0.0
    var iterations = 0, preemptions = 0, outputTokensServed = 0
    var timeline = SimulationTimeline(initialWidthSeconds: 1e-3)

    // SGLang: python/sglang/srt/constants + global_config.py (v0.4.x): init_new_token_ratio 0.7, decaying
    // by 0.001 per decode step to the minimum (0.14 x 0.7 ~ 0.1); remaining outputs clipped at 4096
    // (CLIP_MAX_NEW_TOKENS) when reserving.
    static let sglangInitialNewTokenRatio = 0.7
    static let sglangMinNewTokenRatio = 0.098
    static let sglangNewTokenRatioDecay = 0.001
    static let sglangClipMaxNewTokens = 4096

    init(_ setup: SimulationSetup) throws(PlannerError) {
        self.setup = setup
        cost = try IterationCostModel(setup.request)
        var config = setup.scheduler
        blockTokens = config.blockTokens
        let rankBlocks = try config.kvCapacityBlocks(cost: cost, staticPrefillTokens: ServingSimulator.staticPrefillTokens(setup))
        rankCapacityTokens = rankBlocks * blockTokens
        if config.engine == .sglang && config.maxRunningRequests == nil {
            // python/sglang/srt/managers/scheduler.py (v0.4.x): max_running_requests defaults to
            // max_total_num_tokens // 2, capped by the request pool, whose size model_runner.py sets to
            // clamp(max_total_num_tokens / context_len x 512, 2048, 4096).
            let context = Double(setup.request.model.maxModelLength ?? 4096)
            let pool = min(max(Int(Double(rankCapacityTokens) / context * 512), 2048), 4096)
            config.maxRunningRequests = max(1, min(rankCapacityTokens / 2, pool))
        }
        self.config = config
        // Attention data parallelism: the replica is DP ranks, each with the knobs above and its own KV
        // cache; the simulator schedules them as one engine with DP times the limits (ranks balanced,
        // the iteration cost taking one rank's share), and a request must still fit one rank's cache.
        let ranks = cost.dataParallel
        func scaled(_ value: Int) -> Int { Int(min(Double(value) * Double(ranks), Double(Int32.max))) }
        totalBlocks = scaled(rankBlocks)
        capacityTokens = totalBlocks * blockTokens
        maxRunning = scaled(config.maxRunningRequests ?? 1)
        tokenBudget = scaled(config.maxBatchedTokens)
        overhead = config.overheadSeconds
        freeBlocks = totalBlocks
        source = RequestSource(setup)
    }

    @inline(__always) func blocksFor(_ tokens: Int) -> Int { (tokens + blockTokens - 1) / blockTokens }

    /// Creates a request, checking that the engine can ever serve it.
    mutating func create() throws(PlannerError) -> LiveRequest {
        let request = source.make()
        let total = request.input + request.output
        if total > rankCapacityTokens {
            throw .invalidValue(field: "request \(request.index) input_tokens + output_tokens", value: "\(request.input) + \(request.output)",
                                allowed: "at most the KV cache of \(rankCapacityTokens) tokens (\(config.summary)); use more tensor parallelism, "
                                    + "fewer bits, a larger memory fraction, or shorter requests")
        }
        if config.engine == .trtllm && !config.chunkedPrefill && request.input > config.maxBatchedTokens {
            throw .invalidValue(field: "request \(request.index) input_tokens", value: "\(request.input)",
                                allowed: "at most max_num_tokens \(config.maxBatchedTokens) without enable_chunked_context=true")
        }
        return request
    }

    /// Moves every request that has arrived by now into the waiting queue (offline requests are
    /// created when the scheduler reaches them, so memory stays bounded).
    mutating func pullArrivals() throws(PlannerError) {
        if case .offline = setup.workload.arrivals { return }
        while let next = source.nextArrivalTime, next <= time { waiting.append(try create()) }
    }

    /// The head of the waiting queue, creating an offline request when the queue is empty.
    mutating func waitingHead() throws(PlannerError) -> LiveRequest? {
        if waiting.isEmpty, case .offline = setup.workload.arrivals, !source.exhausted { waiting.append(try create()) }
        return waiting.first
    }

    var queueLength: Int {
        if case .offline = setup.workload.arrivals { return waiting.count + (source.count - source.created) }
        return waiting.count
    }

    mutating func run(onRequest: ((RequestRecord) -> Void)?) throws(PlannerError) -> SimulationSummary {
        while true {
            try pullArrivals()
            if running.isEmpty, try waitingHead() == nil {
                guard let next = source.nextArrivalTime else { break }
                if next > time {
                    timeline.add(start: time, end: next, running: 0, queued: 0, kv: 0)
                    time = next
                }
                continue
            }
            var work = IterationWork()
            switch config.engine {
            case .vllm: try scheduleVLLM(&work)
            case .sglang: try scheduleSGLang(&work)
            case .trtllm: try scheduleTRTLLM(&work)
            case .static:
                if try !scheduleStatic(&work) { continue }
            }
            if work.isEmpty && !running.isEmpty && config.engine != .static {
                // Nothing could be scheduled because partly prefilled requests hold the blocks the
                // others need: preempt the newest (recompute) and schedule again; with fewer requests
                // running something always fits (every request fits the cache alone).
                preempt(running.removeLast())
                continue
            }
            if work.isEmpty {
                // Nothing fits: only possible when the head request waits for memory that running
                // requests hold; with nothing running it can never be served.
                if running.isEmpty, let head = waiting.first {
                    throw .invalidValue(field: "request \(head.index) input_tokens + output_tokens", value: "\(head.input) + \(head.output)",
                                        allowed: "a request the \(config.engine.rawValue) scheduler can admit into \(capacityTokens) KV-cache tokens")
                }
                throw .invalidValue(field: "scheduler", value: config.summary,
                                    allowed: "a configuration that can schedule work (no iteration could be formed)")
            }
            let seconds = cost.seconds(work) + overhead
            let used = Double(totalBlocks - freeBlocks) / Double(totalBlocks)
            let queued = Double(queueLength)
            timeline.add(start: time, end: time + seconds, running: Double(running.count), queued: queued, kv: used)
            busySeconds += seconds
            runningTime += Double(running.count) * seconds
            kvTime += used * seconds
            queueTime += queued * seconds
            if used > maxKV { maxKV = used }
            iterations += 1
            time += seconds
            finishIteration(onRequest: onRequest)
        }
        return summary()
    }

    // MARK: - Applying an iteration

    mutating func finishIteration(onRequest: ((RequestRecord) -> Void)?) {
        var anyFinished = false
        let now = time
        for position in running.indices where running[position].scheduled > 0 {
            var request = running[position]
            let tokens = request.scheduled
            request.scheduled = 0
            let emits: Bool
            if request.isPrefilling {
                request.cached += tokens
                emits = request.cached >= request.target
            } else {
                request.cached += 1
                emits = true
            }
            if emits && !request.finished {
                if request.generated == 0 {
                    request.firstToken = now
                } else if measuredIndex(request.index) {
                    itl.add(Units.milliseconds(fromSeconds: now - request.lastToken))
                }
                request.generated += 1
                outputTokensServed += 1
                request.lastToken = now
                if request.finished {
                    anyFinished = true
                    complete(request, onRequest: onRequest)
                }
            }
            running[position] = request
        }
        if anyFinished && config.engine != .static {
            running.removeAll(where: \.finished)
        }
    }

    /// Frees a finished request's memory (static batches free theirs when the batch ends) and records it.
    mutating func complete(_ request: LiveRequest, onRequest: ((RequestRecord) -> Void)?) {
        if config.engine != .static { freeBlocks += request.blocks }
        let isMeasured = measuredIndex(request.index)
        let record = RequestRecord(index: request.index, arrivalSeconds: request.arrival, inputTokens: request.input,
                                   outputTokens: request.output, firstTokenSeconds: request.firstToken, finishSeconds: request.lastToken,
                                   preemptions: request.preemptions, measured: isMeasured)
        if isMeasured {
            measured += 1
            measuredInput += request.input
            measuredOutput += request.output
            firstMeasuredArrival = min(firstMeasuredArrival, request.arrival)
            lastMeasuredFinish = max(lastMeasuredFinish, request.lastToken)
            let ttftMs = record.ttftMs
            ttft.add(ttftMs)
            e2e.add(record.e2eMs)
            let tpotMs = record.tpotMs
            if let tpotMs { tpot.add(tpotMs) }
            if setup.slo.met(ttftMs: ttftMs, tpotMs: tpotMs) { goodCount += 1 }
        }
        source.clientFinished(at: request.lastToken)
        onRequest?(record)
    }

    func measuredIndex(_ index: Int) -> Bool {
        index >= setup.warmupRequests && index < setup.requestCount - setup.cooldownRequests
    }

    /// Drops a request's KV cache and returns it to the front of the queue (recompute later).
    mutating func preempt(_ request: LiveRequest) {
        var request = request
        freeBlocks += request.blocks
        request.blocks = 0
        request.cached = 0
        request.target = request.input + request.generated
        request.scheduled = 0
        request.preemptions += 1
        preemptions += 1
        waiting.pushFront(request)
    }

    @inline(__always)
    func add(_ request: LiveRequest, tokens: Int, to work: inout IterationWork) {
        if request.isPrefilling {
            cost.addPrefillChunk(to: &work, cachedTokens: request.cached, tokens: tokens, completesPrompt: request.cached + tokens >= request.target)
        } else {
            cost.addDecode(to: &work, contextTokens: request.cached + 1)
        }
    }

    // MARK: - vLLM V1

    /// vllm/v1/core/sched/scheduler.py (v0.10), Scheduler.schedule: running requests first (a decode
    /// token, or the next chunk of their prompt within the token budget), preempting the last running
    /// request while the KV cache cannot take the tokens; then, if nothing was preempted, waiting
    /// requests FCFS while the budget, max_num_seqs and the free blocks allow.
    mutating func scheduleVLLM(_ work: inout IterationWork) throws(PlannerError) {
        var budget = tokenBudget
        var preempted = false
        var position = 0
        while position < running.count && budget > 0 {
            var request = running[position]
            let tokens = request.isPrefilling ? min(request.target - request.cached, budget) : 1
            let need = blocksFor(request.cached + tokens) - request.blocks
            var scheduled = true
            while need > freeBlocks {
                preempted = true
                if running.count - 1 > position {
                    preempt(running.removeLast())
                } else {
                    running.remove(at: position)
                    preempt(request)
                    scheduled = false
                    break
                }
            }
            if !scheduled { break }
            freeBlocks -= need
            request.blocks += need
            request.scheduled = tokens
            budget -= tokens
            add(request, tokens: tokens, to: &work)
            running[position] = request
            position += 1
        }
        if preempted { return }
        while budget > 0 && running.count < maxRunning, let head = try waitingHead() {
            let tokens = min(head.target - head.cached, budget)
            let need = blocksFor(head.cached + tokens) - head.blocks
            if need > freeBlocks { break }
            guard var request = waiting.popFirst() else { break }
            freeBlocks -= need
            request.blocks += need
            request.scheduled = tokens
            budget -= tokens
            add(request, tokens: tokens, to: &work)
            running.append(request)
        }
    }

    // MARK: - SGLang

    /// python/sglang/srt/managers/scheduler.py (v0.4.x), get_next_batch_to_run: a prefill batch when one
    /// can be formed (the chunked request first, then waiting requests FCFS within chunked_prefill_size,
    /// max_running_requests and the KV left after reserving the running requests' future tokens),
    /// otherwise one decode step of the running batch, retracting the newest request when the KV cache
    /// cannot take the step.
    mutating func scheduleSGLang(_ work: inout IterationWork) throws(PlannerError) {
        var budget = tokenBudget
        var reserved = 0.0
        for request in running {
            reserved += Double(min(request.output - request.generated, Self.sglangClipMaxNewTokens)) * newTokenRatio
        }
        var available = Double(freeBlocks * blockTokens) - reserved
        // The chunked request continues first.
        for position in running.indices where running[position].isPrefilling && budget > 0 {
            var request = running[position]
            let tokens = min(request.target - request.cached, budget)
            let need = blocksFor(request.cached + tokens) - request.blocks
            if need > freeBlocks { continue }
            freeBlocks -= need
            available -= Double(need * blockTokens)
            request.blocks += need
            request.scheduled = tokens
            budget -= tokens
            add(request, tokens: tokens, to: &work)
            running[position] = request
        }
        while budget > 0 && running.count < maxRunning, let head = try waitingHead() {
            let remaining = head.target - head.cached
            let tokens = min(remaining, budget)
            // PrefillAdder: the whole prompt plus the clipped output must fit in what is left.
            let future = Double(min(head.output - head.generated, Self.sglangClipMaxNewTokens)) * newTokenRatio
            if Double(remaining) + future > available && !(running.isEmpty && work.isEmpty) { break }
            let need = blocksFor(head.cached + tokens) - head.blocks
            if need > freeBlocks { break }
            guard var request = waiting.popFirst() else { break }
            freeBlocks -= need
            available -= Double(need * blockTokens) + future
            request.blocks += need
            request.scheduled = tokens
            budget -= tokens
            add(request, tokens: tokens, to: &work)
            running.append(request)
        }
        if !work.isEmpty { return }
        // Decode step of every running request.
        var need = 0
        for request in running where !request.isPrefilling { need += blocksFor(request.cached + 1) - request.blocks }
        while need > freeBlocks, running.count > 1 {
            let victim = running.removeLast()
            if !victim.isPrefilling { need -= blocksFor(victim.cached + 1) - victim.blocks }
            preempt(victim)
            newTokenRatio = Self.sglangInitialNewTokenRatio
        }
        for position in running.indices where !running[position].isPrefilling {
            var request = running[position]
            let more = blocksFor(request.cached + 1) - request.blocks
            guard more <= freeBlocks else { continue }
            freeBlocks -= more
            request.blocks += more
            request.scheduled = 1
            add(request, tokens: 1, to: &work)
            running[position] = request
        }
        newTokenRatio = max(Self.sglangMinNewTokenRatio, newTokenRatio - Self.sglangNewTokenRatioDecay)
    }

    // MARK: - TensorRT-LLM

    /// tensorrt_llm batch_manager (1.0), capacity scheduler GUARANTEED_NO_EVICT: a waiting request is
    /// admitted when max_batch_size allows and the free blocks hold its prompt and whole output; the
    /// micro-batch scheduler then takes generation requests (one token each) and context requests
    /// (whole prompts, or chunks with enable_chunked_context) within max_num_tokens.
    mutating func scheduleTRTLLM(_ work: inout IterationWork) throws(PlannerError) {
        while running.count < maxRunning, let head = try waitingHead() {
            let need = blocksFor(head.input + head.output)
            if need > freeBlocks { break }
            guard var request = waiting.popFirst() else { break }
            freeBlocks -= need
            request.blocks = need
            running.append(request)
        }
        var budget = tokenBudget
        for position in running.indices where !running[position].isPrefilling && budget > 0 {
            running[position].scheduled = 1
            budget -= 1
            add(running[position], tokens: 1, to: &work)
        }
        for position in running.indices where running[position].isPrefilling && budget > 0 {
            let remaining = running[position].target - running[position].cached
            let tokens = config.chunkedPrefill ? min(remaining, budget) : (remaining <= budget ? remaining : 0)
            if tokens == 0 { continue }
            running[position].scheduled = tokens
            budget -= tokens
            add(running[position], tokens: tokens, to: &work)
        }
    }

    // MARK: - Static batches

    /// Forms a batch of `batch_size` requests once that many have arrived (fewer when no more can come
    /// before), prefills it in one iteration, then decodes every member until the longest output
    /// (finished members stay as padding). Returns false when it only advanced the clock.
    mutating func scheduleStatic(_ work: inout IterationWork) throws(PlannerError) -> Bool {
        if !running.isEmpty && running.allSatisfy(\.finished) {
            for request in running { freeBlocks += request.blocks }
            running.removeAll()
        }
        if running.isEmpty {
            if case .offline = setup.workload.arrivals {
                while waiting.count < maxRunning, !source.exhausted { waiting.append(try create()) }
            }
            if waiting.isEmpty { return false }
            if waiting.count < maxRunning, let next = source.nextArrivalTime {
                // Wait for the batch to fill.
                timeline.add(start: time, end: max(time, next), running: 0, queued: Double(waiting.count), kv: 0)
                queueTime += Double(waiting.count) * max(0, next - time)
                time = max(time, next)
                return false
            }
            var batch: [LiveRequest] = []
            var tokens = 0
            while batch.count < maxRunning, let request = waiting.popFirst() {
                batch.append(request)
                tokens += request.input + request.output
            }
            let need = blocksFor(tokens)
            if need > freeBlocks {
                throw .invalidValue(field: "batch_size", value: "\(maxRunning)",
                                    allowed: "a static batch whose \(tokens) prompt and output tokens fit the KV cache of "
                                        + "\(capacityTokens) tokens; use a smaller batch_size")
            }
            freeBlocks -= need
            for position in batch.indices {
                batch[position].blocks = position == 0 ? need : 0
                batch[position].scheduled = batch[position].input
                add(batch[position], tokens: batch[position].input, to: &work)
            }
            running = batch
            return true
        }
        for position in running.indices {
            // Finished members are padding: they cost a decode token at their growing context.
            running[position].scheduled = 1
            cost.addDecode(to: &work, contextTokens: running[position].cached + 1)
        }
        return true
    }

    // MARK: - Summary

    func summary() -> SimulationSummary {
        let window = lastMeasuredFinish - (firstMeasuredArrival.isFinite ? firstMeasuredArrival : 0)
        let perSecond = { (value: Double) -> Double in window > 0 ? value / window : 0 }
        let hasSLO = !setup.slo.isEmpty
        return SimulationSummary(
            scheduler: config, devices: cost.devices, kvCapacityTokens: capacityTokens, requestsSimulated: source.created,
            requestsMeasured: measured, outputTokensServed: outputTokensServed, ttft: ttft.statistics, tpot: tpot.statistics, itl: itl.statistics, e2e: e2e.statistics,
            requestsPerSecond: perSecond(Double(measured)), inputTokensPerSecond: perSecond(Double(measuredInput)),
            outputTokensPerSecond: perSecond(Double(measuredOutput)),
            goodputRequestsPerSecond: hasSLO ? perSecond(Double(goodCount)) : nil,
            sloAttainment: hasSLO ? (measured > 0 ? Double(goodCount) / Double(measured) : 0) : nil,
            meanRunningBatch: busySeconds > 0 ? runningTime / busySeconds : 0,
            meanKVUtilization: busySeconds > 0 ? kvTime / busySeconds : 0, maxKVUtilization: maxKV, preemptions: preemptions,
            meanQueueLength: time > 0 ? queueTime / time : 0, iterations: iterations, simulatedSeconds: time, timeline: timeline.samples)
    }
}
