// libFuzzer target: YAML (and JSON) spec parsing (PlannerFormats.Documents.parse, with its libyaml
// pre-scan) and the sweep, fleet and compare readers on the parsed document. A document that makes
// any of them trap, hang or exhaust memory is a crash here. Built and run by scripts/fuzz.
import PlannerCore
import PlannerFormats

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAMLSpecs(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let document = try? Documents.parse(text, source: "fuzz.yaml") else { return 0 }
    _ = try? Inputs.sweepSpec(document, source: "fuzz.yaml")
    _ = try? FleetInput.workload(document, source: "fuzz.yaml")
    _ = try? Inputs.comparison(document, source: "fuzz.yaml")
    return 0
}
