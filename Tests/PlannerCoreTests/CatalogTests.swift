import PlannerCore
import Testing

struct CatalogTests {
    @Test func genzZooIsComplete() {
        // GenZ's 82 configurations plus the 13 real architectures of ModelCatalog+HuggingFace.swift.
        #expect(ModelCatalog.all.count == 82 + 13)
        #expect(Set(ModelCatalog.all.map(\.name)).count == 82 + 13)
        #expect(ModelCatalog.lookupKeys.count >= 150)
    }

    @Test func everyLookupKeyResolvesCaseInsensitively() throws {
        for model in ModelCatalog.all {
            for key in model.lookupKeys {
                // A GenZ quirk key resolves to the real model under `default`, GenZ's under `genz`.
                let quirk = ModelCatalog.quirk(forKey: key)
                #expect(try ModelCatalog.model(named: key.uppercased()).name == (quirk?.realModel ?? model.name), "\(key)")
                #expect(try ModelCatalog.model(named: key.uppercased(), profile: .genz).name == (quirk?.genzModel ?? model.name), "\(key)")
            }
        }
    }

    @Test func genzAliasQuirkIsKept() throws {
        // GenZ maps this alias to the Llama-2-70B configuration (vocabulary 32000); only `genz` keeps it.
        let model = try ModelCatalog.model(named: "meta-llama/meta-llama-3.1-70b", profile: .genz)
        #expect(model.name == "meta-llama/Llama-2-70B" && model.vocabSize == 32000)
        #expect(try ModelCatalog.model(named: "meta-llama/meta-llama-3.1-70b").vocabSize == 128_256)
    }

    @Test func architectureFactsOfKnownModels() throws {
        let mixtral = try ModelCatalog.model(named: "mixtral_8x7b")
        #expect(mixtral.numExperts == 8 && mixtral.expertTopK == 2 && mixtral.numKeyValueHeads == 8)
        let nemo = try ModelCatalog.model(named: "Mistral-NeMo-12B-Instruct")
        #expect(nemo.headDim == 160)
        let v3 = try ModelCatalog.model(named: "DeepSeek-V3-Base")
        #expect(v3.moeIntermediateSize == 2048 && v3.sharedExperts == 1 && v3.firstDenseLayers == 3)
        #expect(try ModelCatalog.model(named: "meta-llama/Llama-3.1-405B").intermediateSize == 53248)
    }

    @Test func hardwareCatalogHasEveryPreset() throws {
        let genz = ["A100_40GB_GPU", "A100_80GB_GPU", "H100_GPU", "GH200_GPU", "B100", "GB200", "TPUv6", "TPUv5e", "TPUv5p",
                    "TPUv4", "MI300X", "MI325X", "Gaudi3"]
        let api = ["A100_40GB", "A100_80GB", "H100_80GB", "MI300X", "TPUv4", "TPUv5e"]
        for name in genz + api + ["H200", "B200", "h200_gpu"] {
            #expect(throws: Never.self, "\(name)") { try HardwareCatalog.hardware(named: name) }
        }
        let h100 = try PerformanceAPI.getHardwareConfig("h100_80gb")
        #expect(h100.flopsTFLOPS == 989 && h100.memoryBandwidthGBps == 3352 && h100.interconnectGBps == 900)
        let b100 = try HardwareCatalog.hardware(named: "B100")
        #expect(b100.interconnectLatencyUs == 0.25)
        for entry in HardwareCatalog.entries { #expect(throws: Never.self) { try entry.spec.validate() } }
    }

    @Test func compareSortsByThroughputAndKeepsFailuresLast() throws {
        let a100 = try HardwareCatalog.hardware(named: "A100_80GB")
        let h100 = try HardwareCatalog.hardware(named: "H100_80GB")
        let results = PerformanceAPI.comparePerformanceConfigurations(
            model: "llama2_7b",
            configurations: [
                .init(name: "a100-tp1", hardware: a100),
                .init(name: "broken", hardware: a100, bits: "fp12"),
                .init(name: "h100-tp2", hardware: h100, tensorParallel: 2),
                .init(name: "a100-tp4-pp2", hardware: a100, tensorParallel: 4, pipelineParallel: 2),
                .init(name: "also-broken", tensorParallel: 0),
            ],
            batchSize: 2, inputTokens: 1024, outputTokens: 64)
        let names = results.map(\.configuration.name)
        #expect(names.suffix(2) == ["broken", "also-broken"])
        let throughputs = results.map(\.totalThroughputTokensPerSecond)
        #expect(throughputs == throughputs.sorted(by: >))
        #expect(results.last?.ttftMs == .infinity && results.last?.totalThroughputTokensPerSecond == 0)
    }
}
