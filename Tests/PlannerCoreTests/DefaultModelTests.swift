import PlannerCore
import Testing

/// The `default` profile: one test per way it differs from GenZ (README, "The default profile").
struct DefaultModelTests {
    static let a100 = HardwareCatalog.defaultHardware
    static let h100 = try! HardwareCatalog.hardware(named: "H100_GPU")

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool {
        abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    static func request(_ model: ModelSpec, hardware: HardwareSpec = h100, batch: Int = 1, input: Int = 1024, output: Int = 128,
                        bits: Precision = .bf16, tp: Int = 1, pp: Int = 1, ep: Int = 1) -> EstimateRequest {
        EstimateRequest(model: model, hardware: hardware, batchSize: batch, inputTokens: input, outputTokens: output,
                        precision: bits, parallelism: Parallelism(tensor: tp, pipeline: pp, expert: ep), profile: .default)
    }

    static func row(_ estimate: PhaseEstimate, _ name: OperatorName) -> OperatorRow? {
        estimate.operators.first { $0.name == name }
    }

    static let llama8b = try! ModelCatalog.model(named: "Llama-3.1-8B")

    @Test func isTheDefaultProfile() {
        #expect(EstimateRequest(model: Self.llama8b).profile == .default)
        #expect(EstimateRequest.defaultProfile == .default)
    }

    // MARK: Attention

    @Test func prefillAttentionIsCausalAndKeepsScoresOnChip() throws {
        let heads = 32.0, headDim = 128.0
        for length in [1024, 4096] {
            let estimate = try Estimator.prefill(Self.request(Self.llama8b, input: length))
            let attention = try #require(Self.row(estimate, .attention))
            let s = Double(length)
            // Causal: S(S+1)/2 query-key pairs per head, QK and SV, instead of GenZ's S x S.
            let causalMacs: Double = heads * s * (s + 1) / 2 * 2 * headDim
            #expect(Self.close(attention.macs, causalMacs))
            // Memory traffic grows linearly with S (Q, K, V, O and the cache write), not with S x S scores.
            #expect(attention.memoryMs < 1e-3 * s)
        }
        let short = try Estimator.prefill(Self.request(Self.llama8b, input: 2048))
        let long = try Estimator.prefill(Self.request(Self.llama8b, input: 4096))
        let ratio = try #require(Self.row(long, .attention)).memoryMs / (try #require(Self.row(short, .attention)).memoryMs)
        #expect(abs(ratio - 2) < 0.01)
    }

    @Test func explicitHeadDimIsUsed() throws {
        // Qwen3-30B-A3B style: 32 heads of 128 on a 2048-wide model (32 x 128 != 2048).
        let model = ModelSpec(name: "head-dim", numLayers: 4, hiddenSize: 2048, numAttentionHeads: 32, numKeyValueHeads: 4,
                              headDim: 128, intermediateSize: 6144, vocabSize: 1000)
        let estimate = try Estimator.decode(Self.request(model, output: 1))
        let qkv = try #require(Self.row(estimate, .qkv))
        let qkvElements: Double = 2048 * 40 * 128
        #expect(qkv.weightElements == qkvElements)
        let out = try #require(Self.row(estimate, .outProjection))
        let outElements: Double = 32 * 128 * 2048
        #expect(out.weightElements == outElements)
        // KV cache: 2 x 4 heads x 128 per token and layer.
        let kvBytes: Double = 4 * 1025 * 2 * 4 * 128 * 2
        #expect(Self.close(estimate.memory.kvCacheMiB * 1_048_576, kvBytes))
    }

    @Test func slidingWindowCapsTheKVLength() throws {
        let windowed = try ModelCatalog.model(named: "HuggingFaceH4/zephyr-7b-beta")  // Mistral 7B v0.1: window 4096, every layer
        #expect(windowed.slidingWindow == 4096)
        var global = windowed
        global.slidingWindow = nil
        let long = Self.request(windowed, input: 16384, output: 64)
        let capped = try Estimator.decode(long)
        let full = try Estimator.decode(Self.request(global, input: 16384, output: 64))
        // KV cache: 4096 tokens per layer instead of 16448.
        #expect(Self.close(capped.memory.kvCacheMiB / full.memory.kvCacheMiB, 4096.0 / 16448.0))
        #expect(capped.latencyMs < full.latencyMs)
        // Past the window, the decode step no longer grows with the context.
        let longer = try Estimator.decode(Self.request(windowed, input: 32704, output: 64))
        #expect(Self.close(longer.latencyMs, capped.latencyMs, 1e-12))
        // Prefill attention of a sliding-window layer: pairs capped at the window.
        let prefill = try Estimator.prefill(Self.request(windowed, input: 8192))
        let attention = try #require(Self.row(prefill, .attention))
        let w = 4096.0, s = 8192.0
        let pairs: Double = w * (w + 1) / 2 + (s - w) * w
        #expect(Self.close(attention.macs, 32 * pairs * 256))
    }

    @Test func interleavedWindowsAndQwenWithoutWindow() throws {
        let gemma = try ModelCatalog.model(named: "google/gemma-2-9B")
        #expect(gemma.slidingWindowLayers == .interleaved(globalEvery: 2))
        let decode = try Estimator.decode(Self.request(gemma, input: 8191, output: 1))
        let attention = decode.operators.filter { $0.name == .attention }
        // 21 global and 21 sliding-window layers, each evaluated once.
        #expect(attention.map(\.multiplicity).sorted() == [21, 21])
        let qwen = try ModelCatalog.model(named: "Qwen/Qwen2.5-7B")
        #expect(qwen.slidingWindow == 131072 && qwen.slidingWindowLayers == ModelSpec.SlidingWindowLayers.none)
        #expect(!(0..<qwen.numLayers).contains { qwen.usesSlidingWindow($0) })
    }

    @Test func tiedEmbeddingsAreCountedOnce() throws {
        var untied = try ModelCatalog.model(named: "google/gemma-2-2B")
        #expect(untied.tieWordEmbeddings)
        let tiedWeights = try Estimator.prefill(Self.request(untied, input: 128)).memory.weightsMiB
        untied.tieWordEmbeddings = false
        let untiedWeights = try Estimator.prefill(Self.request(untied, input: 128)).memory.weightsMiB
        let embeddingBytes = Double(untied.vocabSize * untied.hiddenSize) * 2
        #expect(Self.close((untiedWeights - tiedWeights) * 1_048_576, embeddingBytes))
        // With two pipeline stages each end holds its copy.
        let staged = try Estimator.prefill(Self.request(try ModelCatalog.model(named: "google/gemma-2-2B"), input: 128, pp: 2))
        #expect(Self.close(staged.memory.weightsMiB, untiedWeights))
    }

    // MARK: Mixture of experts and latent attention

    @Test func moeUsesTheExpertWidthSharedExpertsAndDenseLayers() throws {
        let deepseek = try ModelCatalog.model(named: "deepseek-ai/DeepSeek-V3-Base")
        let decode = try Estimator.decode(Self.request(deepseek, hardware: try HardwareCatalog.hardware(named: "B200"), batch: 1,
                                                       input: 512, output: 16, bits: .fp4, tp: 8))
        let up = try #require(Self.row(decode, .upGate))
        let dense = try #require(Self.row(decode, .denseUpGate))
        let shared = try #require(Self.row(decode, .sharedUpGate))
        #expect(dense.multiplicity == 3 && up.multiplicity == 58 && shared.multiplicity == 58)
        // Dense layers: intermediate_size 18432 over 8 devices; routed experts: moe_intermediate_size 2048 over TP 8.
        let denseElements: Double = 2 * 2304 * 7168
        #expect(dense.weightElements == denseElements)
        // One token touches top-8 of 256 experts: 8 experts' weights are read.
        let routedElements: Double = 8 * 2 * 256 * 7168, sharedElements: Double = 2 * 256 * 7168
        #expect(Self.close(up.weightElements, routedElements))
        #expect(Self.close(shared.weightElements, sharedElements))
    }

    @Test func decodeReadsMoreExpertsAsTheBatchGrows() throws {
        let mixtral = try ModelCatalog.model(named: "mixtral_8x7b")
        var previous = 0.0
        for batch in [1, 2, 4, 16, 256] {
            let decode = try Estimator.decode(Self.request(mixtral, batch: batch, input: 256, output: 8, tp: 2))
            let up = try #require(Self.row(decode, .upGate))
            let perExpert: Double = 2 * 7168 * 4096
            let expected = 8 * (1 - pow(0.75, batch)) * perExpert
            #expect(Self.close(up.weightElements, expected, 1e-12), "batch \(batch)")
            #expect(up.weightElements > previous)
            previous = up.weightElements
        }
        // A large batch reads every expert once: the weights of all 8.
        let allExperts: Double = 8 * 2 * 7168 * 4096
        #expect(Self.close(previous, allExperts, 1e-6))
    }

    @Test func latentAttentionCachesTheCompressedLatent() throws {
        let deepseek = try ModelCatalog.model(named: "deepseek-ai/DeepSeek-V3-Base")
        let latent = try #require(deepseek.latentAttention)
        #expect(latent.cachedElementsPerToken == 512 + 64)
        let request = Self.request(deepseek, hardware: try HardwareCatalog.hardware(named: "B200"), batch: 4, input: 1000, output: 24,
                                   bits: .fp8, tp: 8)
        let decode = try Estimator.decode(request)
        // 61 layers x 4 x 1024 tokens x 576 elements x 1 byte (fp8), replicated on every TP device.
        let latentBytes: Double = 61 * 4 * 1024 * 576
        #expect(Self.close(decode.memory.kvCacheMiB * 1_048_576, latentBytes))
        // Projection compute: the fused down-projection and the up-projections are modelled.
        let down = try #require(Self.row(decode, .qkv))
        let downWidth: Double = 1536 + 512 + 64
        #expect(down.weightElements == 7168 * downWidth)
        let up = try #require(Self.row(decode, .latentUp))
        let queryUp: Double = 1536 * 16 * 192, keyValueUp: Double = 512 * 16 * 256
        #expect(up.weightElements == queryUp + keyValueUp)
        // Decode attention works in the latent space: (576 + 512) MACs per head and cached token.
        let attention = try #require(Self.row(decode, .attention))
        let meanLength = 1000 + 25.0 / 2
        let perTokenMacs: Double = 4 * 16 * 1088
        #expect(Self.close(attention.macs, perTokenMacs * meanLength))
    }

    // MARK: Memory

    @Test func memoryIsPerDeviceOfTheHeaviestStage() throws {
        let model = try ModelCatalog.model(named: "llama2_13b")  // 40 layers
        let one = try Estimator.decode(Self.request(model, hardware: Self.a100, batch: 8, input: 2048, output: 256))
        let three = try Estimator.decode(Self.request(model, hardware: Self.a100, batch: 8, input: 2048, output: 256, pp: 3))
        // 40 layers over 3 stages: 14, 13, 13; the first stage also holds the embedding.
        #expect(three.memory.perDeviceMiB < one.memory.perDeviceMiB / 2.5)
        #expect(three.memory.perDeviceMiB > one.memory.perDeviceMiB / 3)
        #expect(Self.close(one.memory.deviceCapacityMiB, 80 * 1024 * 0.9))
        #expect(one.memory.activationsMiB > 0)
        #expect(Self.close(one.memory.perDeviceMiB, one.memory.weightsMiB + one.memory.kvCacheMiB + one.memory.activationsMiB))
    }

    @Test func doesNotFitUsesTheUsableFraction() throws {
        let model = try ModelCatalog.model(named: "llama2_70b")
        var hardware = try HardwareCatalog.hardware(named: "H200")  // 141 GiB; 70B bf16 weights ~ 129 GiB
        let request = Self.request(model, hardware: hardware, batch: 1, input: 1024, output: 128)
        #expect(throws: PlannerError.self) { try Estimator.prefill(request) }
        hardware.usableMemoryFraction = 0.99
        let fits = try Estimator.prefill(Self.request(model, hardware: hardware, batch: 1, input: 1024, output: 128))
        #expect(fits.memory.perDeviceMiB <= fits.memory.deviceCapacityMiB)
        hardware.usableMemoryFraction = 1.5
        #expect(throws: PlannerError.self) { try hardware.validate() }
        do {
            _ = try Estimator.prefill(request)
        } catch {
            guard case let .doesNotFit(capacity, _, _, detail) = error else { Issue.record("got \(error)"); return }
            #expect(Self.close(capacity, 141 * 1024 * 0.9))
            #expect(detail.contains("usable_memory_fraction 0.9"))
        }
    }

    // MARK: Time

    @Test func decodeStepIsTheAverageOverTheGrowingContext() throws {
        let input = 3000, output = 40
        let average = try Estimator.decode(Self.request(Self.llama8b, batch: 8, input: input, output: output, tp: 2))
        var sum = 0.0
        for step in 1...output {
            // One step whose KV length is input + step.
            sum += try Estimator.decode(Self.request(Self.llama8b, batch: 8, input: input + step - 1, output: 1, tp: 2)).latencyMs
        }
        #expect(Self.close(average.latencyMs, sum / Double(output), 1e-9))
        let e2e = try Estimator.endToEnd(Self.request(Self.llama8b, batch: 8, input: input, output: output, tp: 2))
        #expect(Self.close(e2e.totalLatencyMs, e2e.ttftMs + sum, 1e-9))
    }

    @Test func averagingIsExactWhereComputeAndMemoryCross() throws {
        // Large batch: attention turns from compute- to memory-bound as the context grows.
        // Low compute efficiencies put the crossing of the two slopes inside the 300 steps for some of them.
        let input = 64, output = 300
        let model = try ModelCatalog.model(named: "HuggingFaceH4/zephyr-7b-beta")
        for efficiency in [0.005, 0.0105, 0.0108, 0.011, 0.03] {
            var hardware = Self.h100
            hardware.computeEfficiency = efficiency
            let average = try Estimator.decode(Self.request(model, hardware: hardware, batch: 64, input: input, output: output))
            var sum = 0.0
            for step in 1...output {
                sum += try Estimator.decode(Self.request(model, hardware: hardware, batch: 64, input: input + step - 1, output: 1)).latencyMs
            }
            #expect(Self.close(average.latencyMs, sum / Double(output), 1e-9), "compute efficiency \(efficiency)")
        }
    }

    @Test func efficienciesAndKernelOverheadDerateThePeaks() throws {
        var hardware = Self.h100
        hardware.kernelOverheadUs = 0
        let base = try Estimator.prefill(Self.request(Self.llama8b, hardware: hardware, batch: 8, input: 4096))
        hardware.computeEfficiency = 0.325  // half of Hopper's 0.65
        let slower = try Estimator.prefill(Self.request(Self.llama8b, hardware: hardware, batch: 8, input: 4096))
        #expect(abs(slower.latencyMs / base.latencyMs - 2) < 0.06)  // compute-bound prefill (elementwise work is not)
        var memory = Self.h100
        memory.kernelOverheadUs = 0
        let decode = try Estimator.decode(Self.request(Self.llama8b, hardware: memory, input: 512, output: 32))
        memory.memoryEfficiency = 0.4  // half of 0.8
        let slowerDecode = try Estimator.decode(Self.request(Self.llama8b, hardware: memory, input: 512, output: 32))
        #expect(abs(slowerDecode.latencyMs / decode.latencyMs - 2) < 0.02)  // memory-bound decode
        // The overhead is paid once per kernel.
        var overhead = Self.h100
        overhead.kernelOverheadUs = 0
        let without = try Estimator.decode(Self.request(Self.llama8b, hardware: overhead, input: 512, output: 32))
        overhead.kernelOverheadUs = 10
        let with = try Estimator.decode(Self.request(Self.llama8b, hardware: overhead, input: 512, output: 32))
        // Per layer: QKV, attention, output projection, 4 elementwise, up+gate, down = 9 kernels; plus embedding and classifier.
        let kernels: Double = 32 * 9 + 2
        #expect(Self.close(with.latencyMs - without.latencyMs, kernels * 0.010, 1e-9))
    }

    @Test func familiesHaveDocumentedDefaultsAndDenseFlops() throws {
        #expect(HardwareFamily.nvidiaHopper.efficiency == .init(compute: 0.65, memory: 0.80, link: 0.80, kernelOverheadUs: 4))
        #expect(Self.h100.resolvedEfficiency.compute == 0.65)
        for entry in HardwareCatalog.entries {
            #expect(entry.spec.family != .generic, "\(entry.spec.name) has a family")
            // Dense peaks: no preset above B200's 2,500 dense TFLOPS (GenZ's GB200 4,500 is sparse).
            #expect(entry.spec.resolvedDenseFlopsTFLOPS <= 2500, "\(entry.spec.name)")
        }
        let gh200 = try HardwareCatalog.hardware(named: "GH200_GPU")
        #expect(gh200.flopsTFLOPS == 1979 && gh200.resolvedDenseFlopsTFLOPS == 989)
        // Same compute, same dense peak: GH200 prefill (compute-bound) as slow as H100's.
        let onH100 = try Estimator.prefill(Self.request(Self.llama8b, hardware: Self.h100, batch: 16, input: 2048))
        let onGH200 = try Estimator.prefill(Self.request(Self.llama8b, hardware: gh200, batch: 16, input: 2048))
        #expect(abs(onGH200.latencyMs / onH100.latencyMs - 1) < 0.05)
        // fp8 has no tensor-core path on Ampere: compute at the bf16 rate.
        #expect(HardwareFamily.nvidiaAmpere.computeMultiplier(.fp8) == 1 && HardwareFamily.nvidiaHopper.computeMultiplier(.fp8) == 0.5)
    }

    @Test func collectivesPayTheSlowerLinkAcrossNodes() throws {
        let model = try ModelCatalog.model(named: "Llama-3.1-405B")
        var oneNode = Self.h100
        oneNode.devicesPerNode = 16
        var twoNodes = Self.h100
        twoNodes.devicesPerNode = 8
        let inside = try Estimator.decode(Self.request(model, hardware: oneNode, batch: 16, input: 1024, output: 16, bits: .fp8, tp: 16))
        let across = try Estimator.decode(Self.request(model, hardware: twoNodes, batch: 16, input: 1024, output: 16, bits: .fp8, tp: 16))
        #expect(across.breakdown.allReduceMs > 3 * inside.breakdown.allReduceMs)
        // Pipeline stages on different nodes: transfers over the network.
        let stages = try Estimator.decode(Self.request(model, hardware: twoNodes, batch: 16, input: 1024, output: 16, bits: .fp8, tp: 8, pp: 2))
        let transfer = try #require(Self.row(stages, .messagePass))
        #expect(transfer.multiplicity == 1)
        let local = try Estimator.decode(Self.request(model, hardware: oneNode, batch: 16, input: 1024, output: 16, bits: .fp8, tp: 8, pp: 2))
        let localTransfer = try #require(Self.row(local, .messagePass))
        #expect(transfer.latencyMs > localTransfer.latencyMs)
    }

    @Test func throughputIsInTokensAndRequests() throws {
        let prefill = try Estimator.prefill(Self.request(Self.llama8b, batch: 4, input: 1000))
        #expect(Self.close(prefill.throughputTokensPerSecond, 4_000_000 / prefill.latencyMs))
        #expect(Self.close(prefill.throughputRequestsPerSecond, 4000 / prefill.latencyMs))
        let decode = try Estimator.decode(Self.request(Self.llama8b, batch: 4, input: 1000))
        #expect(Self.close(decode.throughputTokensPerSecond, 4 * 1000 / decode.latencyMs))
    }

    @Test func latencyGrowsWithBatchContextAndModel() throws {
        var previous = 0.0
        for batch in [1, 8, 64, 128] {
            let step = try Estimator.decode(Self.request(Self.llama8b, batch: batch, input: 2048, output: 256)).latencyMs
            #expect(step > previous, "batch \(batch)")
            previous = step
        }
        previous = 0
        for tokens in [128, 1024, 8192, 32768] {
            let ttft = try Estimator.prefill(Self.request(Self.llama8b, input: tokens)).latencyMs
            #expect(ttft > previous, "input \(tokens)")
            previous = ttft
        }
        // Tensor parallelism shortens a memory-bound decode step, and adds all-reduces.
        let one = try Estimator.decode(Self.request(Self.llama8b, input: 2048, output: 256))
        let four = try Estimator.decode(Self.request(Self.llama8b, input: 2048, output: 256, tp: 4))
        #expect(four.latencyMs < one.latencyMs && four.breakdown.allReduceMs > 0 && one.breakdown.allReduceMs == 0)
        #expect(four.memory.perDeviceMiB < one.memory.perDeviceMiB / 3)
    }

    @Test func headsMustSplitEvenly() throws {
        #expect(throws: PlannerError.self) {
            try Estimator.prefill(Self.request(try ModelCatalog.model(named: "llama2_13b"), tp: 3))
        }
        // 8 KV heads over 16 devices: replicated, allowed.
        _ = try Estimator.prefill(Self.request(Self.llama8b, tp: 16))
        // Any pipeline depth up to the layer count (stages as even as possible).
        _ = try Estimator.prefill(Self.request(try ModelCatalog.model(named: "llama2_7b"), batch: 17, pp: 17))
    }

    @Test func closedLoopServing() throws {
        let request = Self.request(Self.llama8b, input: 1000, output: 500, bits: .fp8)
        let serving = try Estimator.closedLoop(request, concurrency: 20)
        var single = request
        single.batchSize = 1
        let prefill = try Estimator.prefill(single).latencyMs
        var loaded = request
        loaded.batchSize = 20
        let step = try Estimator.decode(loaded).latencyMs
        let interToken: Double = step + 19 * prefill / 500
        let lifetime: Double = 20 * prefill + 500 * step
        #expect(Self.close(serving.interTokenLatencyMs, interToken))
        #expect(Self.close(serving.requestLatencyMs, lifetime))
        #expect(Self.close(serving.outputTokensPerSecond, 10_000_000 / serving.requestLatencyMs))
        #expect(throws: PlannerError.self) { try Estimator.closedLoop(request, concurrency: 0) }
    }

    @Test func genzResultsAreUnchanged() throws {
        // The llm-memory-calculator reference: 95.508 ms in the genz profile.
        let genz = try PerformanceAPI.estimatePrefillPerformance(profile: .genz)
        #expect(abs(genz.latencyMs - 95.508) < 0.001)
        let fallback = try PerformanceAPI.estimatePrefillPerformance()
        #expect(fallback.latencyMs != genz.latencyMs)
    }
}

/// Integer power for the expectations above.
private func pow(_ base: Double, _ exponent: Int) -> Double {
    (0..<exponent).reduce(1.0) { product, _ in product * base }
}
