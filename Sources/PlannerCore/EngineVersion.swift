/// The version of the estimation engine. Workers and coordinators must agree on it exactly, since
/// a distributed sweep must give the same numbers as a local one. Bump it whenever any estimate
/// can change.
public enum EngineVersion {
    public static let string = "planner-engine 1 (genz 0.0.16)"
}
