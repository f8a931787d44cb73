// swift-tools-version:6.1
import PackageDescription

/// Settings shared by every target: Swift 6 language mode plus the upcoming features the
/// Swift server ecosystem has standardised on.
let swiftSettings: [SwiftSetting] = [
    // SE-0335: spell out `any` for existentials.
    .enableUpcomingFeature("ExistentialAny"),
    // SE-0444: a file sees only the members of modules it imports itself.
    .enableUpcomingFeature("MemberImportVisibility"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "planner",
    products: [
        .executable(name: "planner", targets: ["PlannerCLI"]),
        .library(name: "PlannerCore", targets: ["PlannerCore"]),
        .library(name: "PlannerFormats", targets: ["PlannerFormats"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
    ],
    targets: [
        // MARK: - Engine (pure: no dependencies, no I/O, no clock, no randomness)
        .target(name: "PlannerCore", swiftSettings: swiftSettings),

        // MARK: - Formats (JSON in and out, tables; pure string work)
        .target(
            name: "PlannerFormats",
            dependencies: ["PlannerCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),

        // MARK: - Transport (the only targets that see libzmq)
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], swiftSettings: swiftSettings),

        // MARK: - Distributed sweeps
        .target(
            name: "PlannerWire",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "PlannerCluster",
            dependencies: ["PlannerCore", "PlannerFormats", "PlannerWire", "ZeroMQ"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Executable
        .executableTarget(
            name: "PlannerCLI",
            dependencies: ["PlannerCore", "PlannerFormats", "PlannerCluster", argumentParser],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests
        .testTarget(name: "PlannerCoreTests", dependencies: ["PlannerCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PlannerFormatsTests",
            dependencies: ["PlannerCore", "PlannerFormats", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ"], swiftSettings: swiftSettings),
        .testTarget(
            name: "PlannerClusterTests",
            dependencies: ["PlannerCluster", "PlannerCore", "PlannerFormats", "PlannerWire"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "PlannerCLITests",
            dependencies: ["PlannerCLI", "PlannerCore", "PlannerFormats", "ZeroMQ", "PlannerWire", "PlannerCluster"],
            swiftSettings: swiftSettings
        ),
    ]
)
