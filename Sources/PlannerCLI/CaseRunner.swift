import PlannerCore
import PlannerFormats

/// Answers one case of a cases file: `{id, <result keys>}` or `{id, error}`.
enum CaseRunner {
    static func run(_ item: JSONValue, index: Int, profileOverride: Profile?, operators: Bool) -> JSONValue {
        let fallbackID = item["id"].map { $0.stringValue ?? $0.serialized() } ?? "case-\(index)"
        do {
            let parsed = try Inputs.estimateCase(item, index: index, readFile: Console.readModelFile, profileOverride: profileOverride)
            var members: [(String, JSONValue)] = [("id", .string(parsed.id))]
            let result: JSONValue
            switch parsed.phase {
            case .prefill:
                result = ResultJSON.phase(try Estimator.prefill(parsed.request, operators: operators), request: parsed.request, operators: operators)
            case .decode:
                result = ResultJSON.phase(try Estimator.decode(parsed.request, operators: operators), request: parsed.request, operators: operators)
            case .e2e:
                result = ResultJSON.endToEnd(try Estimator.endToEnd(parsed.request, operators: operators), request: parsed.request, operators: operators)
            }
            members += result.objectMembers ?? []
            return .object(members)
        } catch {
            return .object([("id", .string(fallbackID)), ("error", .string(error.description))])
        }
    }
}
