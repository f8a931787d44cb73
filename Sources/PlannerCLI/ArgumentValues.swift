import Foundation
import PlannerCore
import PlannerFormats

// Option values shared by several commands.

/// Hardware from `--hardware NAME`, `--hardware-json JSON` or `--hardware-file PROFILE` (a hardware
/// description in YAML or JSON, such as the profile `planner calibrate` writes).
func resolveHardware(name: String?, json: String?, file: String? = nil) throws -> HardwareSpec {
    let given = [name, json, file].compactMap { $0 }
    if given.count > 1 { throw CLIError.message("give one of --hardware, --hardware-json and --hardware-file, not several") }
    if let file { return try readHardwareFile(file) }
    if let json {
        let value: JSONValue
        do { value = try JSONValue.parse(json) } catch { throw CLIError.message("malformed --hardware-json: \(error)") }
        return try Inputs.hardware(value, field: "hardware-json")
    }
    if let name { return try HardwareCatalog.hardware(named: name) }
    return HardwareCatalog.defaultHardware
}

/// `bf16,int8` -> precisions, in order, without duplicates.
func parsePrecisions(_ list: String) throws -> [Precision] {
    var result: [Precision] = []
    for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
        let precision = try Precision.parse(name)
        if !result.contains(precision) { result.append(precision) }
    }
    if result.isEmpty { throw PlannerError.invalidValue(field: "bits", value: list, allowed: Precision.acceptedNames) }
    return result
}

/// `auto` or `1,8,32`.
func parseBatchSizes(_ text: String) throws -> LayoutSearch.BatchSizes {
    if text.lowercased() == "auto" { return .auto }
    var sizes: [Int] = []
    for part in text.split(separator: ",") {
        guard let size = Int(part.trimmingCharacters(in: .whitespaces)), size >= 1 else {
            throw PlannerError.invalidValue(field: "batch-sizes", value: text, allowed: "'auto' or a comma-separated list of integers >= 1")
        }
        sizes.append(size)
    }
    if sizes.isEmpty { throw PlannerError.invalidValue(field: "batch-sizes", value: text, allowed: "'auto' or a comma-separated list of integers >= 1") }
    return .list(sizes)
}

/// A hardware description or calibrated profile file (YAML or JSON).
func readHardwareFile(_ path: String) throws -> HardwareSpec {
    let text = try Console.readText(path, field: "hardware")
    return try Inputs.hardware(try Documents.parse(text, source: path), field: "hardware-file")
}
