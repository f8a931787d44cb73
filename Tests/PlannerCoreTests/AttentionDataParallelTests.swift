@testable import PlannerCore
import Testing

/// Attention data parallelism with wide expert parallelism: memory and time on worked examples
/// computed by hand here, the DeepSeek-R1 8 x H200 deployment that engines run, the layout search,
/// the simulator's reduction to the estimator, and the errors.
struct AttentionDataParallelTests {
    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    static func mixtral(dp: Int, tp: Int = 1, batch: Int, input: Int = 1000, output: Int = 1, memoryGiB: Double? = nil) throws -> EstimateRequest {
        var device = try HardwareCatalog.hardware(named: "H100_80GB")
        if let memoryGiB { device.memoryGiB = memoryGiB }
        return EstimateRequest(model: try ModelCatalog.model(named: "mixtral_8x7b"), hardware: device, batchSize: batch,
                               inputTokens: input, outputTokens: output, precision: .bf16,
                               parallelism: Parallelism(tensor: tp, dataParallel: dp))
    }

    /// Mixtral 8x7B (32 layers, hidden 4096, 32 query and 8 KV heads of 128, 8 experts of width
    /// 14336, vocabulary 32000, untied), DP 4, TP 1, bf16: every device holds all attention weights
    /// and 2 whole experts per layer, and the KV cache of its own 2 of the 8 requests.
    @Test func memoryPerDeviceByHand() throws {
        let request = try Self.mixtral(dp: 4, batch: 8)
        let estimate = try Estimator.prefill(request)
        let qkv: Double = 4096 * 48 * 128
        let out: Double = 32 * 128 * 4096
        let attention = qkv + out
        let gate = 4096.0 * 8
        let experts: Double = 2 * 3 * 4096 * 14336
        let embeddings: Double = 2 * 32000 * 4096
        let perLayer: Double = attention + gate + experts
        let weightBytes: Double = (32 * perLayer + embeddings) * 2
        #expect(Self.close(estimate.memory.weightsMiB, weightBytes / 1_048_576))
        // 2 requests x 1000 prompt tokens x 32 layers x (K and V: 8 heads x 128 x 2 bytes).
        let kvBytes: Double = 2 * 1000 * 32 * 4096
        #expect(Self.close(estimate.memory.kvCacheMiB, kvBytes / 1_048_576))
        #expect(request.parallelism.devices == 4)
        #expect(request.parallelism.expertShards == 4)

        // Without attention DP (TP 2 x EP 2: attention over 4 devices) the 8 KV heads are split 4 ways
        // and every device holds all 8 requests: the same bytes for this GQA model. With latent attention
        // (one shared latent, replicated by TP) DP divides the cache by DP instead (DeepSeek test below).
        var tensorParallel = request
        tensorParallel.parallelism = Parallelism(tensor: 2, expert: 2)
        let tpEstimate = try Estimator.prefill(tensorParallel)
        #expect(Self.close(tpEstimate.memory.kvCacheMiB, kvBytes / 1_048_576))
        let deepSeek = try ModelCatalog.model(named: "DeepSeek-V3-Base")
        var latent = EstimateRequest(model: deepSeek, hardware: request.hardware, batchSize: 64, inputTokens: 1000, outputTokens: 1,
                                     precision: .fp8, parallelism: Parallelism(tensor: 8))
        latent.hardware.memoryGiB = 4096
        let replicated = try Estimator.prefill(latent).memory.kvCacheMiB
        latent.parallelism = Parallelism(tensor: 1, dataParallel: 8)
        #expect(Self.close(try Estimator.prefill(latent).memory.kvCacheMiB, replicated / 8))
    }

    /// The dispatch and combine all-to-all of one decode step, by hand: each of the 4 devices sends its
    /// 2 requests' tokens, top-2 copies of 4096 bf16 values, times the expected imbalance, 3/4 of it to the
    /// other devices of its node over the scale-up link; plus one hop and one kernel.
    @Test func dispatchAndCombineByHand() throws {
        let request = try Self.mixtral(dp: 4, batch: 8, output: 4)
        let estimate = try Estimator.decode(request, operators: true)
        let hardware = request.hardware
        let efficiency = hardware.resolvedEfficiency
        let bytes: Double = 2 * 2 * 4096 * 2 * EstimateRequest.defaultExpertImbalance
        let link = hardware.resolvedScaleUpGBps * 1e9 * efficiency.link
        let fixedSeconds: Double = (efficiency.kernelOverheadUs + hardware.interconnectLatencyUs) * 1e-6
        let expected: Double = fixedSeconds + 0.75 * bytes / link
        for name in [OperatorName.dispatchAllToAll, .collectAllToAll] {
            let row = try #require(estimate.operators.first { $0.name == name })
            #expect(row.collective == .allToAll)
            #expect(row.participants == 4)
            #expect(Self.close(row.payloadBytes, bytes))
            #expect(Self.close(row.latencyMs, expected * 1000))
            #expect(row.multiplicity == 32)
        }
        // No all-to-all without attention DP (experts inside the tensor-parallel group).
        var plain = request
        plain.parallelism = Parallelism(tensor: 4)
        let plainEstimate = try Estimator.decode(plain, operators: true)
        #expect(!plainEstimate.operators.contains { $0.name == .dispatchAllToAll })
    }

    /// More imbalance costs more time, and an imbalance of 1 is the balanced ideal.
    @Test func imbalanceSlowsTheStep() throws {
        var request = try Self.mixtral(dp: 8, batch: 256, output: 8)
        request.expertImbalance = 1
        let balanced = try Estimator.decode(request).latencyMs
        request.expertImbalance = 2.564
        let skewed = try Estimator.decode(request).latencyMs
        #expect(skewed > balanced)
    }

    /// DeepSeek-R1 fp8 on 8 x H200 with attention DP 8 and EP 8 at concurrency 1024, as SGLang and NVIDIA
    /// publish it running: it fits and is estimated, while TP 8 (the whole KV cache on every device) does not.
    @Test func deepSeekR1OnEightH200Fits() throws {
        let model = try ModelCatalog.model(named: "deepseek-ai/DeepSeek-R1")
        let hardware = try HardwareCatalog.hardware(named: "H200")
        var request = EstimateRequest(model: model, hardware: hardware, batchSize: 1024, inputTokens: 1000, outputTokens: 1000,
                                      precision: .fp8, parallelism: Parallelism(tensor: 1, expert: 8, dataParallel: 8))
        let estimate = try Estimator.endToEnd(request)
        #expect(estimate.decode.memory.perDeviceMiB <= estimate.decode.memory.deviceCapacityMiB)
        #expect(estimate.outputThroughputTokensPerSecond > 0)
        request.parallelism = Parallelism(tensor: 8)
        #expect(throws: PlannerError.self) { try Estimator.decode(request) }
    }

    /// A pure decode iteration of the simulator equals the estimator's decode step with attention DP
    /// (batch a multiple of DP, so every rank holds the same share), and a pure prefill equals its prefill.
    @Test(arguments: [("mixtral_8x7b", 1, 4), ("mixtral_8x7b", 2, 2), ("deepseek-moe-16b-base", 1, 8), ("DeepSeek-V3-Base", 1, 8)])
    func simulatorIterationEqualsEstimator(model: String, tp: Int, dp: Int) throws {
        var device = try HardwareCatalog.hardware(named: "H100_80GB")
        device.memoryGiB = 4096
        var base = EstimateRequest(model: try ModelCatalog.model(named: model), hardware: device, precision: .fp8,
                                   parallelism: Parallelism(tensor: tp, dataParallel: dp))
        let cost = try IterationCostModel(base)
        for (batch, input) in [(dp, 128), (8 * dp, 2000)] {
            base.batchSize = batch
            base.inputTokens = input
            base.outputTokens = 1
            let decode = try Estimator.decode(base).latencyMs
            var work = IterationWork()
            for _ in 0..<batch { cost.addDecode(to: &work, contextTokens: input + 1) }
            #expect(Self.close(Units.milliseconds(fromSeconds: cost.seconds(work)), decode), "\(model) DP\(dp) decode batch \(batch)")
            let prefill = try Estimator.prefill(base).latencyMs
            var chunks = IterationWork()
            for _ in 0..<batch { cost.addPrefillChunk(to: &chunks, cachedTokens: 0, tokens: input, completesPrompt: true) }
            #expect(Self.close(Units.milliseconds(fromSeconds: cost.seconds(chunks)), prefill), "\(model) DP\(dp) prefill batch \(batch)")
        }
    }

    /// The layout search offers attention-DP layouts for MoE models (default profile) and none for dense ones.
    @Test func layoutSearchEnumeratesDataParallelForMoE() throws {
        let moe = try ModelCatalog.model(named: "mixtral_8x7b")
        let layouts = LayoutSearch.layouts(model: moe, devices: 8, attentionDataParallel: true)
        let dataParallel = layouts.filter { $0.layout.attentionDataParallel }
        #expect(dataParallel.contains { $0.layout == Parallelism(tensor: 1, expert: 8, dataParallel: 8) && $0.skip == nil })
        #expect(dataParallel.contains { $0.layout == Parallelism(tensor: 2, expert: 4, dataParallel: 2) && $0.skip == nil })
        // DP 3 spreads 8 experts over 3 devices: structurally impossible.
        #expect(dataParallel.first { $0.layout.dataParallel == 3 && $0.layout.tensor == 1 }?.skip == SkipReason.experts)
        #expect(dataParallel.allSatisfy { $0.layout.devices <= 8 && $0.layout.pipeline == 1 })
        let dense = try ModelCatalog.model(named: "llama3_8b")
        #expect(!LayoutSearch.layouts(model: dense, devices: 8, attentionDataParallel: true).contains { $0.layout.attentionDataParallel })
        #expect(!LayoutSearch.layouts(model: moe, devices: 8).contains { $0.layout.attentionDataParallel })
    }

    @Test func badInputsNameTheField() throws {
        let dense = EstimateRequest(model: try ModelCatalog.model(named: "llama3_8b"), batchSize: 8,
                                    parallelism: Parallelism(tensor: 1, dataParallel: 2))
        #expect(throws: PlannerError.self) { try Estimator.prefill(dense) }
        func field(_ request: EstimateRequest) -> String? {
            do { _ = try Estimator.prefill(request); return nil } catch {
                switch error {
                case let .invalidParallelism(field, _, _): return field
                case let .invalidValue(field, _, _): return field
                default: return "other"
                }
            }
        }
        #expect(field(dense) == "data_parallel")
        var request = try Self.mixtral(dp: 4, batch: 8)
        request.parallelism.expert = 2
        #expect(field(request) == "expert_parallel")
        request.parallelism.expert = 4
        #expect(field(request) == nil)
        request.parallelism = Parallelism(tensor: 1, dataParallel: 3)
        #expect(field(request) == "expert_parallel")
        request.parallelism = Parallelism(tensor: 1, dataParallel: 4)
        request.profile = .genz
        #expect(field(request) == "data_parallel")
        request.profile = .default
        for bad in [0.5, 0, -1, .nan, .infinity, 65] {
            request.expertImbalance = bad
            #expect(field(request) == "expert_imbalance", "\(bad)")
        }
        request.expertImbalance = nil
        request.parallelism = Parallelism(tensor: 1, dataParallel: 0)
        #expect(field(request) == "data_parallel")
    }

    /// Sweep specs take a `data_parallel` list as the most significant dimension: a spec without it keeps
    /// every index, and the DP configurations come after the others.
    @Test func sweepSpaceCarriesDataParallel() throws {
        let model = try ModelCatalog.model(named: "mixtral_8x7b")
        let hardware = try HardwareCatalog.hardware(named: "H100_80GB")
        var spec = SweepSpec(models: [model], hardware: [hardware], tensorParallel: [1, 2], expertParallel: [1, 2],
                             batchSizes: [.fixed(8)])
        let plain = try SweepSpace(spec)
        spec.dataParallel = [1, 4]
        let space = try SweepSpace(spec)
        #expect(space.count == 2 * plain.count)
        for index in 0..<plain.count {
            #expect(space.configuration(at: index).parallelism == plain.configuration(at: index).parallelism)
        }
        let last = space.configuration(at: space.count - 1)
        #expect(last.parallelism == Parallelism(tensor: 2, expert: 2, dataParallel: 4))
        spec.dataParallel = [1, 1]
        #expect(throws: PlannerError.self) { try spec.validate() }
        spec.dataParallel = [0]
        #expect(throws: PlannerError.self) { try spec.validate() }
    }
}
