import Foundation
import PlannerFormats
import Testing

/// A calibrated hardware profile named by path in a fleet workload, locally and through the
/// embedded coordinator (the bundle sent to workers carries the file).
struct HardwareProfileSpecTests {
    static let profile = """
        name: "H100-mine"
        Flops: 989
        Memory_size: 80
        Memory_BW: 3352
        ICN: 450
        family: nvidia-hopper
        memory_efficiency: 0.7
        provenance:
          tool: "planner calibrate"
        """

    @Test func fleetReadsAProfileByPath() throws {
        let path = try PlannerProcess.temporaryFile(Self.profile, suffix: ".yaml")
        let workload = try PlannerProcess.temporaryFile("""
            model: llama2_13b
            rate_rps: 5
            input_tokens: 1024
            output_tokens: 256
            slo: {tpot_p99_ms: 60}
            hardware: [\(path), H100_80GB]
            prices: {H100-mine: 4.76}
            """, suffix: ".yaml")
        let local = try PlannerProcess.run(["fleet", workload, "--out", FleetCommandTests.temporaryFolder(), "--json", "--verify", "0"])
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout.contains("\"H100-mine\""))
        let cluster = try PlannerProcess.run(["fleet", workload, "--out", FleetCommandTests.temporaryFolder(), "--json", "--verify", "0",
                                              "--coordinate", "cluster", "--local-workers", "1"])
        #expect(cluster.status == 0, "\(cluster.stderr)")
        #expect(cluster.json?["options"] == local.json?["options"])
        let missing = try PlannerProcess.run(["fleet", try PlannerProcess.temporaryFile("model: llama2_13b\nrate_rps: 5\nhardware: [/nonexistent/h.yaml]\n",
                                                                                         suffix: ".yaml"), "--out", FleetCommandTests.temporaryFolder()])
        #expect(missing.status == 1 && missing.stderr.contains("/nonexistent/h.yaml"))
    }
}
