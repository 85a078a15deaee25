// swift-tools-version:6.0
import PackageDescription

// Modules follow the data: Kafka in -> features -> learners (tape, models, incremental)
// -> drift and metrics -> the `eddy` command. Only CRdKafka and EddyKafka touch C.
let crossModule: [SwiftSetting] = [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]

let package = Package(
    name: "Eddy",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "eddy", targets: ["eddy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        .target(
            name: "EddyKafka",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]
        ),
        // Test support: librdkafka's mock cluster for faults, and the test broker's address.
        .target(name: "EddyKafkaTesting", dependencies: ["CRdKafka", "EddyKafka"]),
        .target(name: "EddyCodec"),
        .target(name: "EddyFeatures", dependencies: ["EddyCodec"], swiftSettings: crossModule),
        // The learners are generic over their optimizer; cross-module optimization lets the
        // pipeline's concrete model types get specialised code instead of runtime generics.
        .target(name: "EddyLearn", dependencies: ["EddyCodec", "EddyFeatures"], swiftSettings: crossModule),
        .target(name: "EddyDrift", dependencies: ["EddyCodec", "EddyFeatures", "EddyLearn"]),
        // The checkpoint store: the only module that touches SQLite.
        .target(name: "EddyStore", dependencies: [.product(name: "GRDB", package: "GRDB.swift")]),
        // Pipeline files (YAML) -> validated spec -> decoder, learner and detector.
        .target(
            name: "EddyPipeline",
            dependencies: ["EddyCodec", "EddyFeatures", "EddyLearn", "EddyDrift", "EddyKafka",
                           .product(name: "Yams", package: "Yams")],
            swiftSettings: crossModule
        ),
        // The service: Kafka in, learners, drift and metrics, checkpoints out.
        .target(
            name: "EddyRunner",
            dependencies: ["EddyKafka", "EddyPipeline", "EddyStore", "EddyLearn", "EddyDrift", "EddyFeatures",
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: crossModule
        ),
        .executableTarget(
            name: "eddy",
            dependencies: [
                "EddyKafka", "EddyFeatures", "EddyLearn", "EddyDrift", "EddyPipeline", "EddyStore", "EddyRunner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "eddy-bench",
            dependencies: ["EddyKafka", "EddyFeatures", "EddyLearn", "EddyDrift", "EddyPipeline"]
        ),
        .testTarget(name: "EddyCodecTests", dependencies: ["EddyCodec"]),
        .testTarget(name: "EddyKafkaTests", dependencies: ["EddyKafka", "EddyKafkaTesting", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "EddyFeaturesTests", dependencies: ["EddyFeatures"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EddyLearnTests", dependencies: ["EddyLearn"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EddyDriftTests", dependencies: ["EddyDrift"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EddyStoreTests", dependencies: ["EddyStore"]),
        .testTarget(
            name: "EddyRunnerTests",
            dependencies: ["EddyRunner", "EddyPipeline", "EddyStore", "EddyKafka", "EddyKafkaTesting"]
        ),
        .testTarget(name: "EddyPipelineTests", dependencies: ["EddyPipeline", "EddyFeatures", "EddyLearn", "EddyDrift"]),
    ]
)
