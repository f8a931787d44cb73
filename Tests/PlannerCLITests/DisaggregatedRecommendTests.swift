import Foundation
import PlannerFormats
import Testing

/// `planner recommend --serving disaggregated|auto` end to end.
struct DisaggregatedRecommendTests {
    static let base = ["recommend", "--model", "Llama-3.1-8B", "--hardware", "H100_80GB", "--devices", "2", "--bits", "fp8",
                       "--input-tokens", "2000", "--output-tokens", "64", "--simulation-requests", "40"]

    @Test func autoComparesBothAndNamesTheWinner() throws {
        let outcome = try PlannerProcess.run(Self.base + ["--max-ttft-ms", "800", "--max-tpot-ms", "25", "--serving", "auto", "--json"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let json = try #require(outcome.json)
        #expect(json["serving_model"]?.stringValue == "auto")
        let disaggregated = try #require(json["disaggregated"]?.arrayValue)
        let aggregated = try #require(json["aggregated"]?.arrayValue)
        #expect(!disaggregated.isEmpty && !aggregated.isEmpty)
        #expect(disaggregated[0]["prefill_instances"]?.intValue == 1 && disaggregated[0]["decode_instances"]?.intValue == 1)
        let winner = try #require(json["winner"]?.stringValue)
        let ratio = try #require(json["winner_ratio"]?.doubleValue)
        let d = try #require(disaggregated[0]["output_tokens_per_s_per_device"]?.doubleValue)
        let a = try #require(aggregated[0]["output_tokens_per_s_per_device"]?.doubleValue)
        #expect(winner == (d >= a ? "disaggregated" : "aggregated"))
        #expect(abs(ratio - max(d, a) / min(d, a)) <= 1e-9 * ratio)

        let table = try PlannerProcess.run(Self.base + ["--max-ttft-ms", "800", "--max-tpot-ms", "25", "--serving", "disaggregated"])
        #expect(table.status == 0)
        #expect(table.stdout.contains("disaggregated (x prefill instances + y decode instances)"))
        #expect(!table.stdout.contains("winner"))
    }

    @Test func targetsAndOnePrecisionAreRequired() throws {
        let missing = try PlannerProcess.run(Self.base + ["--max-ttft-ms", "800", "--serving", "disaggregated"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("max-tpot-ms"))
        var twoPrecisions = Self.base + ["--max-ttft-ms", "800", "--max-tpot-ms", "25", "--serving", "auto"]
        twoPrecisions[twoPrecisions.firstIndex(of: "fp8")!] = "fp8,bf16"
        let bits = try PlannerProcess.run(twoPrecisions)
        #expect(bits.status != 0)
        #expect(bits.stderr.contains("bits"))
        let engine = try PlannerProcess.run(Self.base + ["--max-ttft-ms", "800", "--max-tpot-ms", "25", "--serving", "auto", "--engine", "static"])
        #expect(engine.status != 0)
        #expect(engine.stderr.contains("engine"))
    }
}
