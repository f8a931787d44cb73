// libFuzzer target: the JSON parser and serializer (PlannerFormats.JSONValue), the Hugging Face
// config.json import and case parsing (Inputs.estimateCase), the path of `planner estimate --cases`;
// every model and case that parses is also estimated (both profiles' engines run on whatever the
// fuzzer produced), so a trap in the engine is a crash here.
// Built and run by scripts/fuzz.
import PlannerCore
import PlannerFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONCases(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let document = try? JSONValue.parse(text) else { return 0 }
    // The serializer must accept whatever the parser produced, and read back the same value.
    let text2 = document.serialized()
    if (try? JSONValue.parse(text2)) == nil { fatalError("serialized JSON does not parse: \(text2.prefix(200))") }
    // The document as a Hugging Face config.json (the fixtures seed this), estimated when it imports.
    if let model = try? HuggingFaceConfig.modelSpec(from: document, source: "fuzz.json") {
        _ = try? Estimator.endToEnd(EstimateRequest(model: model, inputTokens: 512, outputTokens: 16), operators: false)
        _ = try? Estimator.endToEnd(EstimateRequest(model: model, inputTokens: 512, outputTokens: 16, profile: .genz), operators: false)
    }
    let items = document.arrayValue ?? [document]
    for (index, item) in items.prefix(8).enumerated() {
        guard let parsed = try? Inputs.estimateCase(item, index: index) else { continue }
        var request = parsed.request
        // Keep one execution short: the engine is O(layers), but huge token counts are not what is fuzzed.
        request.inputTokens = min(request.inputTokens, 1 << 16)
        request.outputTokens = min(request.outputTokens, 1 << 12)
        switch parsed.phase {
        case .prefill: _ = try? Estimator.prefill(request, operators: false)
        case .decode: _ = try? Estimator.decode(request, operators: false)
        case .e2e: _ = try? Estimator.endToEnd(request, operators: false)
        }
    }
    return 0
}
