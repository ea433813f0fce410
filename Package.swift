// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Reactor",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ReactorCore", targets: ["ReactorCore"]),
        .library(name: "ReactorMemory", targets: ["ReactorMemory"]),
        .library(name: "ReactorEngine", targets: ["ReactorEngine"]),
        .library(name: "ReactorSQLite", targets: ["ReactorSQLite"]),
        .library(name: "ReactorModels", targets: ["ReactorModels"]),
        .library(name: "ReactorTesting", targets: ["ReactorTesting"]),
        .executable(name: "reactor", targets: ["ReactorCommand"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    ],
    targets: [
        // Domain types and every adapter protocol. No I/O.
        .target(
            name: "ReactorCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // In-memory adapters: real, shipped types (the default when nothing is configured).
        .target(name: "ReactorMemory", dependencies: ["ReactorCore"]),
        // The engine: queue, executor, job tracker, write cache, read side, processors, subscriptions, builder, client.
        .target(
            name: "ReactorEngine",
            dependencies: [
                "ReactorCore",
                "ReactorMemory",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The embedded default store: one SQLite file (GRDB), WAL mode.
        .target(
            name: "ReactorSQLite",
            dependencies: ["ReactorCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // Built-in document models: drive and to-do list.
        .target(name: "ReactorModels", dependencies: ["ReactorCore"]),
        // Public testing support: mocks and conformance suites.
        .target(name: "ReactorTesting", dependencies: ["ReactorCore", "ReactorMemory"]),
        // The `reactor` command-line tool.
        .executableTarget(
            name: "ReactorCommand",
            dependencies: [
                "ReactorCore", "ReactorEngine", "ReactorSQLite", "ReactorModels", "ReactorMemory", "ReactorTesting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(name: "ReactorCoreTests", dependencies: ["ReactorCore", "ReactorTesting"]),
        .testTarget(name: "ReactorMemoryTests", dependencies: ["ReactorMemory", "ReactorTesting"]),
        .testTarget(name: "ReactorEngineTests", dependencies: ["ReactorEngine", "ReactorTesting", "ReactorModels", "ReactorMemory", "ReactorSQLite"]),
        .testTarget(name: "ReactorSQLiteTests", dependencies: ["ReactorSQLite", "ReactorTesting", "ReactorMemory"]),
        .testTarget(name: "ReactorModelsTests", dependencies: ["ReactorModels", "ReactorTesting", "ReactorEngine"]),
        .testTarget(
            name: "ReactorIntegrationTests",
            dependencies: ["ReactorCommand", "ReactorSQLite", "ReactorEngine", "ReactorModels", "ReactorTesting"]
        ),
    ]
)
