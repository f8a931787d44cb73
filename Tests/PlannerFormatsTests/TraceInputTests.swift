import Foundation
import PlannerCore
@testable import PlannerFormats
import Testing

/// Trace files in the public layouts (small committed samples under Fixtures/traces).
struct TraceInputTests {
    static func fixture(_ name: String) throws -> String {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/traces") else {
            throw PlannerError.missingField(field: name, context: "the test fixtures")
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func error(_ text: String) -> String {
        do { _ = try TraceInput.parse(text, source: "t.csv"); return "" } catch { return "\(error)" }
    }

    @Test func azureLayoutWithDateTimes() throws {
        let trace = try TraceInput.parse(try Self.fixture("azure_conv_sample.csv"), source: "azure")
        #expect(trace.count == 6)
        #expect(trace[0] == TraceRequest(arrivalSeconds: 0, inputTokens: 374, outputTokens: 44))
        #expect(abs(trace[1].arrivalSeconds - 4.314579) < 1e-6)
        #expect(abs(trace[4].arrivalSeconds - 15.31941) < 1e-6)
        #expect(trace[4].arrivalSeconds == trace[5].arrivalSeconds)
        #expect(trace[5].outputTokens == 12)
    }

    @Test func burstGPTLayoutIgnoresItsExtraColumns() throws {
        let trace = try TraceInput.parse(try Self.fixture("burstgpt_sample.csv"), source: "burstgpt")
        #expect(trace.map(\.inputTokens) == [472, 1087, 417, 1360, 215])
        #expect(trace.map(\.outputTokens) == [18, 230, 276, 20, 134])
        #expect(trace.map(\.arrivalSeconds) == [0, 40, 113, 113, 228])
    }

    @Test func plainCSVAndJSONLines() throws {
        let csv = try TraceInput.parse(try Self.fixture("plain_sample.csv"), source: "plain")
        #expect(csv.count == 4 && csv[3] == TraceRequest(arrivalSeconds: 1.75, inputTokens: 2048, outputTokens: 32))
        let jsonl = try TraceInput.parse(try Self.fixture("plain_sample.jsonl"), source: "plain.jsonl")
        #expect(jsonl.map(\.arrivalSeconds) == [0, 0.5, 2.75])
        #expect(jsonl.map(\.outputTokens) == [20, 40, 60])
    }

    @Test func badTracesNameLineColumnAndValue() throws {
        let backwards = Self.error(try Self.fixture("nonmonotonic.csv"))
        #expect(backwards.contains("line 4 arrival_s") && backwards.contains("must not decrease"))
        let unknown = Self.error("arrival_s,input_tokens,output_tokens,priority\n0,1,1,3\n")
        #expect(unknown.contains("'priority'") && unknown.contains("arrival_s, input_tokens, output_tokens"))
        #expect(Self.error("when,prompt,answer\n0,1,1\n").contains("TIMESTAMP,ContextTokens,GeneratedTokens"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\n0,0,5\n").contains("line 2 input_tokens"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\n0,5,-1\n").contains("'-1'"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\n0,5,2.5\n").contains("whole number"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\nsoon,5,2\n").contains("finite number of seconds"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\n0,5\n").contains("3 columns"))
        #expect(Self.error("TIMESTAMP,ContextTokens,GeneratedTokens\n2023-13-01 00:00:00,5,5\n").contains("YYYY-MM-DD"))
        #expect(Self.error("Timestamp,Model,Request tokens,Response tokens,Total tokens,Log Type\n1,ChatGPT,10,0,10,API log\n")
            .contains("Response tokens"))
        #expect(Self.error("").contains("empty"))
        #expect(Self.error("arrival_s,input_tokens,output_tokens\n").contains("no request"))
        #expect(Self.error("{\"arrival_s\": 1, \"input_tokens\": 3}\n").contains("a layout"))
        #expect(Self.error("{\"arrival_s\": 1, \"input_tokens\": 3, \"output_tokens\": 4, \"user\": 2}\n").contains("'user'"))
    }

    @Test func dateTimesCountDaysAndLeapYears() {
        #expect(TraceInput.dateTimeSeconds("1970-01-01 00:00:00") == 0)
        #expect(TraceInput.dateTimeSeconds("2024-03-01T00:00:00Z") == 1_709_251_200)
        #expect(TraceInput.dateTimeSeconds("2023-11-16 18:15:46.5").map { $0 - 1_700_158_546 } == 0.5)
        #expect(TraceInput.dateTimeSeconds("2023-11-16") == nil)
    }
}
