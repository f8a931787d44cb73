import PlannerCore
import Testing

/// Inputs GenZ crashes on or answers with nonsense: planner names the field and what is allowed.
struct ValidationTests {
    static func failure(_ body: () throws -> Void) -> PlannerError? {
        do { try body() } catch { return error as? PlannerError }
        return nil
    }

    /// A request in the `genz` profile (whose GenZ-specific checks these tests cover) unless told otherwise.
    static func request(_ model: String = "llama2_7b", batch: Int = 1, beam: Int = 1, input: Int = 1024, output: Int = 128,
                        tp: Int = 1, pp: Int = 1, ep: Int = 1, profile: Profile = .genz) throws -> EstimateRequest {
        EstimateRequest(model: try ModelCatalog.model(named: model), batchSize: batch, beamSize: beam, inputTokens: input,
                        outputTokens: output, parallelism: Parallelism(tensor: tp, pipeline: pp, expert: ep), profile: profile)
    }

    @Test(arguments: [
        ("batch_size", try! request(batch: 0)), ("batch_size", try! request(batch: -3)),
        ("input_tokens", try! request(input: 0)), ("input_tokens", try! request(input: -5)),
        ("output_tokens", try! request(output: -1)), ("beam_size", try! request(beam: 0)),
        ("tensor_parallel", try! request(tp: 0)), ("pipeline_parallel", try! request(pp: 0)),
        ("expert_parallel", try! request(ep: 0)),
    ])
    func outOfRangeValuesNameTheField(field: String, request: EstimateRequest) {
        for profile in Profile.allCases {
            var request = request
            request.profile = profile
            let error = Self.failure { _ = try Estimator.decode(request) }
            guard case let .invalidValue(name, _, allowed)? = error else {
                Issue.record("expected invalidValue for \(field) (\(profile)), got \(String(describing: error))")
                return
            }
            #expect(name == field)
            #expect(allowed.contains("integer"))
        }
    }

    @Test func pipelineDeeperThanTheModelIsRejected() throws {
        let error = Self.failure { _ = try Estimator.prefill(try! Self.request(batch: 64, pp: 64)) }
        guard case let .invalidParallelism(field, value, reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "pipeline_parallel" && value == 64 && reason.contains("32 layers"))
    }

    @Test func pipelineLeavingAnEmptyLastStageIsRejected() throws {
        // llama2_7b has 32 layers: PP 17 gives 2 layers to each of 16 stages and none to the last.
        let error = Self.failure { _ = try Estimator.prefill(try! Self.request(pp: 17)) }
        guard case let .invalidParallelism(field, _, reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "pipeline_parallel" && reason.contains("allowed: 1, 2, 3, 4"))
    }

    @Test func expertParallelOnDenseOrNonDividing() throws {
        let dense = Self.failure { _ = try Estimator.prefill(try! Self.request(ep: 2)) }
        guard case let .invalidParallelism(field, _, reason)? = dense else { Issue.record("got \(String(describing: dense))"); return }
        #expect(field == "expert_parallel" && reason.contains("dense"))
        let nonDividing = Self.failure { _ = try Estimator.prefill(try! Self.request("mixtral_8x7b", ep: 3)) }
        guard case let .invalidParallelism(_, _, reason2)? = nonDividing else { Issue.record("got \(String(describing: nonDividing))"); return }
        #expect(reason2.contains("allowed 1, 2, 4, 8"))
    }

    @Test func headsNotDivisibleAfterShardingIsRejected() throws {
        let error = Self.failure { _ = try Estimator.prefill(try! Self.request("phi3medium", tp: 4)) }
        guard case let .invalidParallelism(field, value, reason)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "tensor_parallel" && value == 4 && reason.contains("1, 2, 5, 10, 20, 40"))
    }

    @Test func tensorParallelNotDividingHeadsIsModelledWithAWarning() throws {
        let estimate = try Estimator.prefill(try Self.request("llama2_13b", tp: 3))
        #expect(estimate.warnings.contains { $0.contains("14 heads per device") })
    }

    @Test func unknownNamesSuggestAlternatives() {
        let model = Self.failure { _ = try ModelCatalog.model(named: "llama3_70b") }
        guard case let .unknownModel(_, suggestions)? = model else { Issue.record("got \(String(describing: model))"); return }
        #expect(!suggestions.isEmpty)
        let hardware = Self.failure { _ = try HardwareCatalog.hardware(named: "H300") }
        guard case let .unknownHardware(_, known)? = hardware else { Issue.record("got \(String(describing: hardware))"); return }
        #expect(known.contains("H200"))
        let bits = Self.failure { _ = try Precision.parse("fp12") }
        guard case let .invalidValue(field, _, allowed)? = bits else { Issue.record("got \(String(describing: bits))"); return }
        #expect(field == "bits" && allowed.contains("int4"))
    }

    @Test func mambaAndHybridModelsAreRejected() throws {
        for name in ["state-spaces/mamba-130m-hf", "Jamba-v0.1"] {
            for profile in Profile.allCases {
                let error = Self.failure {
                    _ = try Estimator.prefill(EstimateRequest(model: try! ModelCatalog.model(named: name), profile: profile))
                }
                guard case .unsupportedModel? = error else { Issue.record("\(name): got \(String(describing: error))"); return }
            }
        }
    }

    @Test func customHardwareIsValidated() {
        let spec = HardwareSpec(name: "bad", flopsTFLOPS: -1, memoryGiB: 80, memoryBandwidthGBps: 2000, interconnectGBps: 100)
        let error = Self.failure { try spec.validate() }
        guard case let .invalidValue(field, _, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "Flops")
    }

    @Test func errorsReadAsSentences() throws {
        let error = Self.failure { _ = try Estimator.prefill(try! Self.request(tp: 0)) }
        #expect(error?.description == "invalid tensor_parallel '0': allowed an integer in 1...65536")
    }
}
