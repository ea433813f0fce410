// swift-tools-version:6.1
import PackageDescription

// Hot-path benchmarks (ordo-one's package-benchmark): instructions, allocations and wall time of the write path's
// pieces. A package of its own, depending on the main one by path, so that the main package, its tests and `.ci/run`
// never build package-benchmark. Run with `scripts/bench-hot-paths.sh` (docs/benchmarks.md).
//
// The root package is named by `name:` because its identity is the name of the folder it was cloned into.
// `traits: ["MallocInterposer"]` keeps the malloc statistics and leaves out the Linux 6.3 ARC runtime interposer
// (the ARC metrics are not used here, and that package is not in the local package mirror).
let package = Package(
    name: "ReactorBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Reactor", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Inputs shared by the benchmark targets: to-do list states, JSON documents, a running in-memory reactor.
        .target(
            name: "HotPathFixtures",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ReactorCore", package: "Reactor"),
                .product(name: "ReactorEngine", package: "Reactor"),
                .product(name: "ReactorMemory", package: "Reactor"),
                .product(name: "ReactorModels", package: "Reactor"),
            ]
        ),
        benchmark("StateHashing"),
        benchmark("Reduce"),
        benchmark("Parsing"),
        benchmark("EndToEnd"),
    ]
)

/// A benchmark executable: its sources in `Benchmarks/<name>/`, where the benchmark plugin finds them.
func benchmark(_ name: String) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            "HotPathFixtures",
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "ReactorCore", package: "Reactor"),
            .product(name: "ReactorModels", package: "Reactor"),
        ],
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
