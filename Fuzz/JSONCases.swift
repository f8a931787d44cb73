// libFuzzer target: the JSON parser (PlannerFormats.JSONValue) and case parsing (Inputs.estimateCase),
// the path of `planner estimate --cases`; every case that parses is also estimated (both profiles'
// engines run on whatever the fuzzer produced), so a trap in the engine is a crash here.
// Built and run by scripts/fuzz.
import PlannerCore
import PlannerFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONCases(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let document = try? JSONValue.parse(text) else { return 0 }
    // The serializer must accept whatever the parser produced.
    _ = document.serialized()
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
