import ReactorCore

/// The package traits this binary was built with (see `Package.swift`): which backends it links.
public enum CompiledTraits {
    /// Whether the `Postgres` trait was enabled: the PostgreSQL store, job ledger and leader election are linked.
    public static var postgres: Bool {
        #if Postgres
        true
        #else
        false
        #endif
    }

    /// Whether the `S3` trait was enabled: the S3-compatible blob store is linked.
    public static var s3: Bool {
        #if S3
        true
        #else
        false
        #endif
    }

    /// Whether the `OpenBao` trait was enabled: the OpenBao / Vault KV v2 vault is linked.
    public static var openBao: Bool {
        #if OpenBao
        true
        #else
        false
        #endif
    }

    /// Whether the `WASM` trait was enabled: the WebAssembly functions runtime (`ReactorWasm`) is linked.
    public static var wasm: Bool {
        #if WASM
        true
        #else
        false
        #endif
    }

    /// Whether the `AI` trait was enabled: the AI gateway's upstream adapters (`ReactorAIProviders`) are linked.
    public static var ai: Bool {
        #if AI
        true
        #else
        false
        #endif
    }

    /// The enabled traits, by name (listed by `/_admin/version`).
    public static var enabled: [String] {
        [("Postgres", postgres), ("S3", s3), ("OpenBao", openBao), ("WASM", wasm), ("AI", ai)].filter(\.1).map(\.0)
    }

    /// The error for a configuration that names a backend compiled out of this binary.
    ///
    /// - Parameters:
    ///   - trait: The package trait that links the backend.
    ///   - key: The configuration key that names it.
    ///   - value: The value naming it.
    public static func missing(_ trait: String, key: String, value: String) -> ReactorError {
        ReactorError(
            .configInvalid,
            "\(key) = \"\(value)\" needs the \(trait) package trait, and this binary was built without it "
                + "(build with the default traits, or `swift build --traits \(trait)`)",
            details: ["key": key, "trait": trait])
    }
}
