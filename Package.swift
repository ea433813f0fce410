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
        .library(name: "ReactorVault", targets: ["ReactorVault"]),
        .library(name: "ReactorStorage", targets: ["ReactorStorage"]),
        .library(name: "ReactorAuth", targets: ["ReactorAuth"]),
        .library(name: "ReactorConfig", targets: ["ReactorConfig"]),
        .library(name: "ReactorPostgres", targets: ["ReactorPostgres"]),
        .library(name: "ReactorServer", targets: ["ReactorServer"]),
        .library(name: "ReactorIdentity", targets: ["ReactorIdentity"]),
        .library(name: "ReactorS3", targets: ["ReactorS3"]),
        .library(name: "ReactorOpenBao", targets: ["ReactorOpenBao"]),
        .library(name: "ReactorWasm", targets: ["ReactorWasm"]),
        .library(name: "ReactorFunctions", targets: ["ReactorFunctions"]),
        .library(name: "ReactorAI", targets: ["ReactorAI"]),
        .library(name: "ReactorAIProviders", targets: ["ReactorAIProviders"]),
        .library(name: "ReactorRemote", targets: ["ReactorRemote"]),
        .executable(name: "reactor", targets: ["ReactorCommand"]),
        // Not shipped: the benchmark and the crash-safety test's worker.
        .executable(name: "reactor-bench", targets: ["ReactorBench"]),
    ],
    // What the server and the CLI link. A configuration naming a backend whose trait was compiled out stops the boot
    // with a message naming the trait. `swift build --disable-default-traits` builds without PostgreSQL.
    traits: [
        .trait(name: "Postgres", description: "The PostgreSQL store, job ledger and leader election in the server and CLI (store.backend = \"postgres\")."),
        .trait(name: "S3", description: "The S3-compatible blob store in the server and CLI (storage.backend = \"s3\")."),
        .trait(name: "OpenBao", description: "The OpenBao / Vault KV v2 vault in the server and CLI (vault.backend = \"openbao\")."),
        .trait(name: "WASM", description: "The WebAssembly functions runtime (WasmKit) in the server and CLI (functions.runtimes = [\"wasm\"])."),
        .trait(name: "AI", description: "The AI gateway's upstream adapters (OpenAI-compatible APIs, OpenRouter, Azure AI Foundry) in the server and CLI ([ai] providers)."),
        .default(enabledTraits: ["Postgres", "S3", "OpenBao", "WASM", "AI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swiftwasm/WasmKit", from: "0.4.2"),
    ],
    targets: [
        // Domain types and every adapter protocol. No I/O.
        .target(
            name: "ReactorCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "NIOCore", package: "swift-nio")]
        ),
        // In-memory adapters: real, shipped types (the default when nothing is configured).
        .target(name: "ReactorMemory", dependencies: ["ReactorCore", .product(name: "NIOCore", package: "swift-nio")]),
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
            dependencies: [
                "ReactorCore", .product(name: "GRDB", package: "GRDB.swift"),
                // The SQLite C API, for binding the hot commit statements without GRDB's argument conversion.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Built-in document models: drive and to-do list.
        .target(name: "ReactorModels", dependencies: ["ReactorCore"]),
        // Public testing support: mocks and conformance suites.
        .target(
            name: "ReactorTesting",
            dependencies: [
                "ReactorCore", "ReactorMemory", "CReactorTestingLimits",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Raises a test binary's soft limit on open files to the hard limit as it loads (C: a load-time constructor).
        .target(name: "CReactorTestingLimits"),
        // The embedded secrets vault: one AES-256-GCM encrypted file.
        .target(
            name: "ReactorVault",
            dependencies: ["ReactorCore", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // The embedded blob store: buckets of objects as files under one root, HMAC-signed URLs.
        .target(
            name: "ReactorStorage",
            dependencies: [
                "ReactorCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Token verification: in-process JWT (jwt-kit) and a remote verifier over HTTP.
        .target(
            name: "ReactorAuth",
            dependencies: [
                "ReactorCore",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Identity (issue 14): the identity service (users, password login, access/refresh tokens, API keys, signing
        // keys in the vault) and its in-process `AuthClient`.
        .target(
            name: "ReactorIdentity",
            dependencies: [
                "ReactorCore", "ReactorAuth",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // `Reactor.toml`: parsing, environment overrides, `env:`/`vault:` references, validation.
        .target(
            name: "ReactorConfig",
            dependencies: ["ReactorCore", .product(name: "TOMLKit", package: "TOMLKit")]
        ),
        // The PostgreSQL store (postgres-nio) for one or several nodes on one database.
        .target(
            name: "ReactorPostgres",
            dependencies: [
                "ReactorCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The S3-compatible blob store: Signature Version 4 (swift-crypto) over AsyncHTTPClient.
        .target(
            name: "ReactorS3",
            dependencies: [
                "ReactorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The OpenBao / HashiCorp Vault KV version 2 vault over AsyncHTTPClient.
        .target(
            name: "ReactorOpenBao",
            dependencies: [
                "ReactorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Functions in a WebAssembly sandbox (issue 15): `WasmFunctionRuntime`, WASI preview 1 on WasmKit's interpreter.
        .target(
            name: "ReactorWasm",
            dependencies: [
                "ReactorCore",
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmKitWASI", package: "WasmKit"),
                .product(name: "WASI", package: "WasmKit"),
                .product(name: "WAT", package: "WasmKit"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // Functions (issue 15): deploy, versions, promotion, invocation within limits, logs and document-event
        // triggers, over any `FunctionRuntime`, `FunctionStore` and `BlobStore`.
        .target(
            name: "ReactorFunctions",
            dependencies: [
                "ReactorCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]
        ),
        // The AI gateway (issue 16): the alias registry with fallbacks, budgets and usage metering over any
        // `ChatProvider` and `AIUsageStore`.
        .target(
            name: "ReactorAI",
            dependencies: [
                "ReactorCore",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The AI gateway's upstream adapters (issue 16): `OpenAICompatibleProvider` over AsyncHTTPClient, with the
        // OpenRouter and Azure AI Foundry presets. Behind the `AI` trait in the server.
        .target(
            name: "ReactorAIProviders",
            dependencies: [
                "ReactorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The remote client (issue 17): `RemoteReactorClient`, the `DocumentClient` of a reactor behind a server, over
        // the HTTP API (AsyncHTTPClient; subscriptions over SSE with reconnection and resume). No engine.
        .target(
            name: "ReactorRemote",
            dependencies: [
                "ReactorCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The unified HTTP server (Hummingbird): the document API, subscriptions, health, metrics, admin.
        .target(
            name: "ReactorServer",
            dependencies: [
                "ReactorCore", "ReactorEngine", "ReactorSQLite", "ReactorMemory", "ReactorModels", "ReactorVault",
                "ReactorAuth", "ReactorConfig", "ReactorStorage",
                "ReactorIdentity", "ReactorFunctions", "ReactorAI",
                .target(name: "ReactorPostgres", condition: .when(traits: ["Postgres"])),
                .target(name: "ReactorAIProviders", condition: .when(traits: ["AI"])),
                .target(name: "ReactorS3", condition: .when(traits: ["S3"])),
                .target(name: "ReactorOpenBao", condition: .when(traits: ["OpenBao"])),
                .target(name: "ReactorWasm", condition: .when(traits: ["WASM"])),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [
                .embedInCode("OpenAPI/openapi.json"),
                .embedInCode("Console/console.html"), .embedInCode("Console/console.js"), .embedInCode("Console/console.css"),
            ]
        ),
        // The `reactor` command-line tool: what ships. It never links ReactorTesting (ShippedBinaryTests checks).
        .executableTarget(
            name: "ReactorCommand",
            dependencies: [
                "ReactorCore", "ReactorEngine", "ReactorSQLite", "ReactorModels", "ReactorMemory",
                "ReactorServer", "ReactorVault", "ReactorAuth", "ReactorConfig",
                "ReactorIdentity",
                .target(name: "ReactorPostgres", condition: .when(traits: ["Postgres"])),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // `reactor-bench`: the benchmark (docs/benchmarks.md) and the worker CrashSafetyTests kills. Links ReactorTesting
        // (`CountingStore`, `PostgresTestServer`), so it is a separate executable from `reactor`.
        .executableTarget(
            name: "ReactorBench",
            dependencies: [
                "ReactorCore", "ReactorEngine", "ReactorSQLite", "ReactorModels", "ReactorMemory", "ReactorTesting",
                "ReactorServer", "ReactorConfig", "ReactorAI", "ReactorRemote",
                .target(name: "ReactorPostgres", condition: .when(traits: ["Postgres"])),
                .target(name: "ReactorWasm", condition: .when(traits: ["WASM"])),
                .target(name: "ReactorAIProviders", condition: .when(traits: ["AI"])),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio", condition: .when(traits: ["Postgres"])),
            ]
        ),
        .testTarget(name: "ReactorCoreTests", dependencies: ["ReactorCore", "ReactorTesting"], exclude: ["Vectors"]),
        .testTarget(name: "ReactorMemoryTests", dependencies: ["ReactorMemory", "ReactorTesting"]),
        .testTarget(name: "ReactorEngineTests", dependencies: ["ReactorEngine", "ReactorTesting", "ReactorModels", "ReactorMemory", "ReactorSQLite"]),
        .testTarget(name: "ReactorSQLiteTests", dependencies: ["ReactorSQLite", "ReactorTesting", "ReactorMemory"]),
        .testTarget(name: "ReactorModelsTests", dependencies: ["ReactorModels", "ReactorTesting", "ReactorEngine", "ReactorMemory"]),
        .testTarget(name: "ReactorVaultTests", dependencies: ["ReactorVault", "ReactorTesting"]),
        .testTarget(name: "ReactorStorageTests", dependencies: ["ReactorStorage", "ReactorTesting", "ReactorMemory"]),
        .testTarget(
            name: "ReactorAuthTests",
            dependencies: [
                "ReactorAuth", "ReactorTesting",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // Identity (issue 14).
        .testTarget(
            name: "ReactorIdentityTests",
            dependencies: [
                "ReactorIdentity", "ReactorTesting", "ReactorMemory", "ReactorSQLite", "ReactorAuth", "ReactorServer",
                "ReactorPostgres", "ReactorEngine", "ReactorModels",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ReactorS3Tests",
            dependencies: [
                "ReactorS3", "ReactorTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["Vectors"]
        ),
        .testTarget(
            name: "ReactorOpenBaoTests",
            dependencies: [
                "ReactorOpenBao", "ReactorTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            exclude: ["Scripts"]
        ),
        .testTarget(name: "ReactorConfigTests", dependencies: ["ReactorConfig", "ReactorTesting"]),
        // Functions (issue 15): the WASM runtime on real modules (`Modules/*.wat`, and a C program when clang can
        // target wasm32-wasi), and the conformance suite on it and on the mock.
        // Document models as WASM modules: the to-do model in C against the Swift one through real reactors, the model
        // record stores (memory, SQLite, PostgreSQL).
        .testTarget(
            name: "ReactorWasmTests",
            dependencies: [
                "ReactorWasm", "ReactorTesting", "ReactorCore", "ReactorEngine", "ReactorModels", "ReactorMemory", "ReactorSQLite",
                "ReactorPostgres",
            ],
            exclude: ["Modules"]
        ),
        // Functions (issue 15): the service over the mock and the WASM runtime, the stores' conformance suite.
        .testTarget(
            name: "ReactorFunctionsTests",
            dependencies: [
                "ReactorFunctions", "ReactorWasm", "ReactorTesting", "ReactorCore", "ReactorMemory", "ReactorSQLite",
                "ReactorPostgres", "ReactorStorage",
            ]
        ),
        // AI gateway (issue 16): the OpenAI-compatible adapter against a scripted fake upstream, the gateway (fallbacks,
        // timeouts, cancellation, metering), the routes, the usage stores, the `openai` Python client, llama.cpp.
        .testTarget(
            name: "ReactorAITests",
            dependencies: [
                "ReactorAI", "ReactorAIProviders", "ReactorTesting", "ReactorCore", "ReactorMemory", "ReactorSQLite",
                "ReactorPostgres", "ReactorServer", "ReactorEngine", "ReactorModels",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["Scripts"]
        ),
        .testTarget(
            name: "ReactorPostgresTests",
            dependencies: [
                "ReactorPostgres", "ReactorTesting", "ReactorEngine", "ReactorModels",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "ReactorServerTests",
            dependencies: [
                "ReactorServer", "ReactorTesting", "ReactorEngine", "ReactorModels", "ReactorAuth", "ReactorVault", "ReactorSQLite",
                "ReactorStorage", "ReactorMemory",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // One client API (issue 17): the `DocumentClient` conformance suite on `ReactorClient` (memory, SQLite) and on
        // `RemoteReactorClient` against the server on a real port; reconnection across restarts and cut connections.
        .testTarget(
            name: "ReactorClientTests",
            dependencies: [
                "ReactorRemote", "ReactorServer", "ReactorTesting", "ReactorEngine", "ReactorModels", "ReactorSQLite",
                "ReactorMemory", "ReactorConfig", "ReactorVault",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ReactorIntegrationTests",
            dependencies: [
                "ReactorCommand", "ReactorBench", "ReactorSQLite", "ReactorEngine", "ReactorModels", "ReactorTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ]
        ),
    ]
)
