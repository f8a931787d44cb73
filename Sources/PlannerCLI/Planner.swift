import ArgumentParser
import PlannerCore

@main
struct Planner: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "planner", abstract: "LLM inference capacity planner")
}
