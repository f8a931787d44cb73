@testable import PlannerCore
import Testing

/// The mixed-iteration cost reduces to the estimator's prefill and decode where the formula is the same.
struct ServingIterationCostTests {
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    static func request(_ model: String, hardware: String = "H100_80GB", tp: Int = 1, ep: Int = 1, bits: Precision = .bf16) throws -> EstimateRequest {
        // Memory does not enter the time: a large device keeps every case feasible for the estimator.
        var device = try HardwareCatalog.hardware(named: hardware)
        device.memoryGiB = 1024
        return EstimateRequest(model: try ModelCatalog.model(named: model), hardware: device, precision: bits,
                               parallelism: Parallelism(tensor: tp, expert: ep))
    }

    /// Dense GQA (Llama 3.1 8B/70B), MHA (Llama 2 7B), MoE (Mixtral, with EP), sliding window (Gemma 2),
    /// latent attention + MoE + shared experts (DeepSeek V3), at TP 1, 2, 4.
    static let cases: [(String, Int, Int)] = [
        ("Llama-3.1-8B", 1, 1), ("Llama-3.1-8B", 2, 1), ("Llama-3.1-70B", 4, 1), ("llama2_7b", 2, 1),
        ("mixtral_8x7b", 1, 1), ("mixtral_8x7b", 2, 2), ("mixtral_8x7b", 4, 1), ("gemma2_9b", 2, 1), ("gemma2_27b", 4, 1),
        ("deepseek-moe-16b-base", 2, 1),
    ]

    @Test(arguments: cases)
    func purePrefillEqualsEstimatorPrefill(model: String, tp: Int, ep: Int) throws {
        var base = try Self.request(model, tp: tp, ep: ep)
        let cost = try IterationCostModel(base)
        for (batch, input) in [(1, 1), (1, 2048), (4, 512), (3, 3800)] {
            base.batchSize = batch
            base.inputTokens = input
            let expected = try Estimator.prefill(base, operators: false).latencyMs
            var work = IterationWork()
            for _ in 0..<batch { cost.addPrefillChunk(to: &work, cachedTokens: 0, tokens: input, completesPrompt: true) }
            let simulated = Units.milliseconds(fromSeconds: cost.seconds(work))
            #expect(Self.close(simulated, expected), "\(model) TP\(tp) EP\(ep) batch \(batch) input \(input): \(simulated) vs \(expected)")
        }
    }

    @Test(arguments: cases)
    func pureDecodeEqualsEstimatorDecode(model: String, tp: Int, ep: Int) throws {
        var base = try Self.request(model, tp: tp, ep: ep)
        let cost = try IterationCostModel(base)
        for (batch, input, output) in [(1, 128, 1), (8, 2048, 1), (64, 1000, 1), (16, 3000, 64), (2, 10, 4000)] {
            base.batchSize = batch
            base.inputTokens = input
            base.outputTokens = output
            let expected = try Estimator.decode(base, operators: false).latencyMs
            // The estimator's step is the mean over the contexts input + 1 ... input + output.
            var sum = 0.0
            for step in 1...output {
                var work = IterationWork()
                for _ in 0..<batch { cost.addDecode(to: &work, contextTokens: input + step) }
                sum += cost.seconds(work)
            }
            let simulated = Units.milliseconds(fromSeconds: sum / Double(output))
            #expect(Self.close(simulated, expected), "\(model) TP\(tp) batch \(batch) \(input)+\(output): \(simulated) vs \(expected)")
        }
    }

    @Test func latentAttentionPrefillAndDecodeMatch() throws {
        var base = try Self.request("DeepSeek-V3-Base", hardware: "H100_80GB", tp: 8, bits: .fp8)
        base.hardware.memoryGiB = 4096
        let cost = try IterationCostModel(base)
        base.batchSize = 2
        base.inputTokens = 700
        base.outputTokens = 1
        var prefill = IterationWork()
        for _ in 0..<2 { cost.addPrefillChunk(to: &prefill, cachedTokens: 0, tokens: 700, completesPrompt: true) }
        #expect(Self.close(Units.milliseconds(fromSeconds: cost.seconds(prefill)), try Estimator.prefill(base, operators: false).latencyMs))
        var decode = IterationWork()
        for _ in 0..<2 { cost.addDecode(to: &decode, contextTokens: 701) }
        #expect(Self.close(Units.milliseconds(fromSeconds: cost.seconds(decode)), try Estimator.decode(base, operators: false).latencyMs))
    }

    @Test func mixedIterationCostsMoreThanEitherPartAndLessThanBoth() throws {
        let cost = try IterationCostModel(try Self.request("Llama-3.1-8B"))
        var decode = IterationWork()
        for _ in 0..<32 { cost.addDecode(to: &decode, contextTokens: 1500) }
        var prefill = IterationWork()
        cost.addPrefillChunk(to: &prefill, cachedTokens: 1024, tokens: 512, completesPrompt: false)
        var mixed = decode
        cost.addPrefillChunk(to: &mixed, cachedTokens: 1024, tokens: 512, completesPrompt: false)
        let (d, p, m) = (cost.seconds(decode), cost.seconds(prefill), cost.seconds(mixed))
        #expect(m > d && m > p)
        // Weights are read once: the mixed iteration is cheaper than running the two parts apart.
        #expect(m < d + p)
        // A chunk with a cached prefix costs more than the same chunk from an empty cache.
        var fresh = IterationWork()
        cost.addPrefillChunk(to: &fresh, cachedTokens: 0, tokens: 512, completesPrompt: false)
        #expect(cost.seconds(prefill) > cost.seconds(fresh))
        #expect(cost.seconds(IterationWork()) == 0)
    }

    @Test func chunkedPrefillPairsSumToTheWholePrompt() throws {
        let cost = try IterationCostModel(try Self.request("gemma2_9b"))
        var whole = IterationWork()
        cost.addPrefillChunk(to: &whole, cachedTokens: 0, tokens: 10_000, completesPrompt: true)
        var chunks = IterationWork()
        var done = 0
        for size in [3000, 1000, 4096, 1904] {
            cost.addPrefillChunk(to: &chunks, cachedTokens: done, tokens: size, completesPrompt: done + size == 10_000)
            done += size
        }
        #expect(Self.close(whole.prefillPairs, chunks.prefillPairs, 1e-12))
        #expect(Self.close(whole.prefillWindowPairs, chunks.prefillWindowPairs, 1e-12))
        #expect(chunks.completingPrefills == 1)
    }

    @Test func refusesWhatIsNotModelled() throws {
        var request = try Self.request("Llama-3.1-8B")
        request.profile = .genz
        #expect(throws: PlannerError.self) { try IterationCostModel(request) }
        request.profile = .default
        request.parallelism.pipeline = 2
        #expect { try IterationCostModel(request) } throws: { error in
            "\(error)".contains("pipeline_parallel") && "\(error)".contains("allowed 1")
        }
    }

    @Test func iterationCostIsFast() throws {
        let cost = try IterationCostModel(try Self.request("mixtral_8x7b", tp: 2))
        var work = IterationWork()
        for index in 0..<128 { cost.addDecode(to: &work, contextTokens: 1000 + index) }
        cost.addPrefillChunk(to: &work, cachedTokens: 512, tokens: 1024, completesPrompt: true)
        var total = 0.0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<20_000 {
                work.decodeContextTokens += Double(index & 1)
                total += cost.seconds(work)
            }
        }
        #expect(total > 0)
        // A loose bound for a debug build on a loaded machine (50 us per iteration; scripts/bench-simulate
        // measures the release figure): it catches a cost that grows with the token count.
        #expect(elapsed < .seconds(1), "\(elapsed) for 20k iterations")
    }
}
