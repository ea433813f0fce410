import Dispatch
import ReactorCore
import Synchronization

/// The ``ModelCatalog`` of WebAssembly document models: modules in a blob store bucket (keyed by content digest),
/// records in a ``ModelRecordStore`` (the Reactor store's own database, so every node of a cluster sees them).
///
/// As the engine's ``DocumentModelLoader`` it answers the types and versions no built-in model has: it reads the
/// record, fetches the module by digest, compiles it once per digest and returns a ``WasmDocumentModel``. The engine's
/// `ModelResolver` caches what it returns; ``register(_:)`` hands the node that registered a model the model at once.
public final class WasmModelCatalog: ModelCatalog {
    /// How the catalog stores and runs models.
    public struct Configuration: Sendable {
        /// The bucket holding the modules (created when missing). Default `reactor-models`.
        public var bucket: String
        /// The fuel per action of a model registered without one (`[models] fuel_per_action`). Default 10,000,000.
        public var defaultFuel: UInt64
        /// Linear memory per action (`[models] max_memory_bytes`). Default 64 MiB.
        public var maxMemoryBytes: Int
        /// The largest module accepted (`[models] max_module_bytes`). Default 16 MiB.
        public var maxModuleBytes: Int

        /// Creates a configuration.
        public init(
            bucket: String = "reactor-models", defaultFuel: UInt64 = WasmReducer.Limits.defaultFuel, maxMemoryBytes: Int = 64 << 20,
            maxModuleBytes: Int = 16 << 20
        ) {
            self.bucket = bucket
            self.defaultFuel = defaultFuel
            self.maxMemoryBytes = maxMemoryBytes
            self.maxModuleBytes = maxModuleBytes
        }
    }

    /// The configuration.
    public let configuration: Configuration
    private let records: any ModelRecordStore
    private let blobs: any BlobStore
    private let builtInTypes: Set<String>
    private let compiled = Mutex<[String: WasmReducer]>([:])
    private let bucketReady = Mutex(false)
    /// Where modules are compiled: a thread of its own, never a thread of the global queue (on Linux those are the
    /// cooperative pool's, so a long compile would take one of its few threads).
    private let compiler = WasmWorkers(width: 1, label: "reactor.models.compile")

    /// A catalog over `records` and `blobs`. `builtInTypes` are the document types of the built-in (Swift) models,
    /// which cannot be registered.
    public init(records: any ModelRecordStore, blobs: any BlobStore, builtInTypes: Set<String>, configuration: Configuration = Configuration()) {
        self.records = records
        self.blobs = blobs
        self.builtInTypes = builtInTypes
        self.configuration = configuration
    }

    // MARK: Registering

    public func register(_ registration: ModelRegistration) async throws -> (model: any DocumentModel, record: ModelRecord, created: Bool) {
        try registration.validate()
        if builtInTypes.contains(registration.documentType) {
            throw ReactorError(
                .modelExists, "'\(registration.documentType)' is a built-in model; register a WASM model under another document type",
                details: ["documentType": registration.documentType])
        }
        guard registration.module.count <= configuration.maxModuleBytes else {
            throw ReactorError.modelInvalid("the module is \(registration.module.count) bytes; the limit is \(configuration.maxModuleBytes)", path: "module")
        }
        let reducer = try await compile(.detect(registration.module))
        let candidate = ModelRecord(
            documentType: registration.documentType, version: registration.version, digest: reducer.digest,
            scopes: registration.scopes, initialState: registration.initialState, fuelPerAction: registration.fuelPerAction,
            actions: registration.actions, stateSchemas: registration.stateSchemas)
        // A conflict is refused before the module is stored; the same definition again is answered at once.
        if let existing = try await records.model(documentType: candidate.documentType, version: candidate.version) {
            guard existing.sameDefinition(as: candidate) else { throw candidate.conflict(with: existing) }
            return (try makeModel(existing, reducer: reducer), existing, false)
        }
        try await storeModule(reducer)
        let record = try await records.insertModel(candidate)
        return (try makeModel(record, reducer: reducer), record, true)
    }

    public func records() async throws -> [ModelRecord] {
        try await records.models()
    }

    // MARK: Loading

    public func loadModel(documentType: String, version: Int?) async throws -> (any DocumentModel)? {
        guard !builtInTypes.contains(documentType),
              let record = try await records.model(documentType: documentType, version: version)
        else { return nil }
        return try await model(for: record)
    }

    /// The model of a stored record: its module fetched by digest and compiled (once per digest).
    public func model(for record: ModelRecord) async throws -> WasmDocumentModel {
        if let reducer = compiled.withLock({ $0[record.digest] }) { return try makeModel(record, reducer: reducer) }
        let bytes: [UInt8]
        do {
            bytes = try await blobs.bytes(try Self.key(record.digest), in: try bucket(), limit: configuration.maxModuleBytes)
        } catch let error as ReactorError where error.code == .blobNotFound {
            throw ReactorError(
                .storage, "the module \(record.digest) of model '\(record.documentType)' version \(record.version) is missing from the blob store",
                details: ["documentType": record.documentType, "digest": record.digest])
        }
        guard CompiledFunction.digest(of: bytes) == record.digest else {
            throw ReactorError(.storage, "the stored module of model '\(record.documentType)' does not match its digest \(record.digest)")
        }
        return try makeModel(record, reducer: try await compile(.binary(bytes)))
    }

    private func makeModel(_ record: ModelRecord, reducer: WasmReducer) throws -> WasmDocumentModel {
        try WasmDocumentModel(record: record, reducer: reducer, defaultFuel: configuration.defaultFuel, maxMemoryBytes: configuration.maxMemoryBytes)
    }

    /// Compiles off the cooperative pool (validation translates every function) and remembers the result by digest.
    private func compile(_ source: FunctionSource) async throws -> WasmReducer {
        let result: Result<WasmReducer, ReactorError> = await withCheckedContinuation { continuation in
            compiler.submit {
                continuation.resume(returning: Result { () throws(ReactorError) in try WasmReducer.compile(source) })
            }
        }
        let reducer = try result.get()
        compiled.withLock { $0[reducer.digest] = reducer }
        return reducer
    }

    // MARK: Blobs

    private func storeModule(_ reducer: WasmReducer) async throws {
        let bucket = try bucket()
        let key = try Self.key(reducer.digest)
        try await ensureBucket(bucket)
        if try await blobs.head(key, in: bucket) != nil { return }
        var options = BlobPutOptions()
        options.contentType = "application/wasm"
        try await blobs.put(key, in: bucket, bytes: reducer.binary, options: options)
    }

    private func ensureBucket(_ bucket: BucketName) async throws {
        if bucketReady.withLock({ $0 }) { return }
        if try await blobs.bucket(bucket) == nil {
            do {
                _ = try await blobs.createBucket(bucket, access: .private)
            } catch let error as ReactorError where error.code == .bucketExists {}
        }
        bucketReady.withLock { $0 = true }
    }

    private func bucket() throws -> BucketName {
        try BucketName(configuration.bucket)
    }

    /// `sha256/<hex>.wasm` for `sha256:<hex>`.
    static func key(_ digest: String) throws -> BlobKey {
        try BlobKey(digest.replacingOccurrences(of: ":", with: "/") + ".wasm")
    }
}
