import Foundation
import Logging
import ReactorCore
import Synchronization

/// Functions (issue 15): deploys modules as immutable versions, makes one live, rolls back, deletes, and invokes
/// the live version (or a named one) within its limits.
///
/// Records and versions are in a ``FunctionStore`` (the reactor's database, shared by every node), modules in a
/// ``BlobStore`` (bucket ``FunctionsConfiguration/bucket``, key `<function>/<sha256 hex>.wasm`). A node compiles a
/// version once, on first use, and keeps it; every invocation gets a fresh instance (``FunctionRuntime``).
/// The runtimes are given as protocols: the service never names an adapter.
public final class FunctionService: Sendable {
    /// The configuration.
    public let configuration: FunctionsConfiguration
    /// Where records and versions are.
    public let store: any FunctionStore
    /// Where modules are.
    public let blobs: any BlobStore
    /// The enabled runtimes; the first is the default of a deploy that names none.
    public let runtimes: [any FunctionRuntime]
    /// The last invocations of every function on this node.
    public let logs: FunctionLogBook
    let concurrency: FunctionConcurrency
    let resolveSecret: @Sendable (_ value: String, _ key: String) async throws -> String
    let now: @Sendable () -> Date
    let logger: Logger

    struct CachedRecord {
        var record: FunctionRecord
        var fetched: ContinuousClock.Instant
    }

    struct CachedTriggers {
        var functions: [(name: String, version: String, trigger: FunctionTrigger)]
        var fetched: ContinuousClock.Instant
    }

    struct Cache {
        var records: [String: CachedRecord] = [:]
        var loaded: [String: LoadedFunction] = [:]
        var triggers: CachedTriggers?
        var bucketReady = false
    }

    let cache = Mutex(Cache())

    /// A service over `store` and `blobs` running `runtimes` (at least one). `resolveSecret` turns an environment
    /// value (`vault:…`, `env:…` or a literal) into the value the function sees, naming `key` in its errors.
    public init(
        store: any FunctionStore, blobs: any BlobStore, runtimes: [any FunctionRuntime],
        configuration: FunctionsConfiguration = FunctionsConfiguration(),
        resolveSecret: @escaping @Sendable (_ value: String, _ key: String) async throws -> String = { value, _ in value },
        now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "reactor.functions")
    ) {
        precondition(!runtimes.isEmpty, "a FunctionService needs at least one runtime")
        self.store = store
        self.blobs = blobs
        self.runtimes = runtimes
        self.configuration = configuration
        self.resolveSecret = resolveSecret
        self.now = now
        self.logger = logger
        self.logs = FunctionLogBook(capacity: configuration.logEntriesPerFunction)
        self.concurrency = FunctionConcurrency(maxWait: configuration.maxWait)
    }

    /// The names of the enabled runtimes.
    public var runtimeNames: [String] { runtimes.map(\.name) }

    // MARK: - Deploy and versions

    /// Compiles and stores a module as a version of `deployment.name` (created by its first deploy), and makes it
    /// live unless `deployment.promote` is false. Deploying the same module with the same settings again gives the
    /// same version. Throws `INVALID_ARGUMENT` (name, limits, environment), `PAYLOAD_TOO_LARGE`,
    /// `FUNCTION_RUNTIME_UNAVAILABLE` or `FUNCTION_INVALID_MODULE`; nothing is stored then.
    public func deploy(_ deployment: FunctionDeployment) async throws -> FunctionDeployResult {
        let name = deployment.name
        try Self.checkName(name)
        try deployment.settings.limits.validate()
        let runtime = try runtime(named: deployment.runtime ?? runtimes[0].name)
        let size = switch deployment.source {
        case .binary(let bytes): bytes.count
        case .text(let text): text.utf8.count
        }
        guard size <= configuration.maxModuleBytes else {
            throw ReactorError(.payloadTooLarge, "the module is \(size) bytes; functions.max_module_bytes is \(configuration.maxModuleBytes)",
                               details: ["size": "\(size)", "limit": "\(configuration.maxModuleBytes)"])
        }
        let compiled = try await runtime.compile(deployment.source)
        let environment = try await resolve(deployment.settings.environment)
        try await ensureBucket()
        _ = try await blobs.put(try moduleKey(name, digest: compiled.digest), in: try bucket(), bytes: compiled.binary,
                                options: BlobPutOptions(contentType: "application/wasm"))
        let candidate = FunctionVersion(
            function: name, runtime: runtime.name, moduleDigest: compiled.digest, moduleBytes: compiled.binary.count,
            settings: deployment.settings, createdAt: now(), createdBy: deployment.deployedBy)
        let created = try await store.insertVersion(candidate)
        let version = created ? candidate : (try await store.version(function: name, id: candidate.id) ?? candidate)
        let record = try await update(name, create: true) { record in
            if deployment.promote { Self.makeLive(version.id, in: &record) }
        }
        cache.withLock { c in
            c.loaded["\(name)/\(version.id)"] = LoadedFunction(
                version: version, compiled: compiled, runtime: runtime, environment: environment,
                limits: version.settings.limits.applied(to: configuration.defaultLimits),
                maxConcurrent: version.settings.limits.maxConcurrent ?? configuration.defaultMaxConcurrent)
        }
        logger.info("function deployed", metadata: [
            "function": "\(name)", "version": "\(version.id)", "live": "\(record.live == version.id)", "new": "\(created)",
        ])
        return FunctionDeployResult(version: version, created: created, record: record)
    }

    /// Every function with its live version, by name.
    public func functions() async throws -> [FunctionSummary] {
        var summaries: [FunctionSummary] = []
        for record in try await store.functions() {
            let live = try await record.live.asyncMap { try await store.version(function: record.name, id: $0) }
            summaries.append(FunctionSummary(record: record, live: live ?? nil))
        }
        return summaries
    }

    /// The function `name` with its live version. Throws `FUNCTION_NOT_FOUND`.
    public func function(_ name: String) async throws -> FunctionSummary {
        guard let record = try await store.function(named: name) else { throw ReactorError.functionNotFound(name) }
        let live = try await record.live.asyncMap { try await store.version(function: name, id: $0) }
        return FunctionSummary(record: record, live: live ?? nil)
    }

    /// Every version of `name`, oldest first. Throws `FUNCTION_NOT_FOUND`.
    public func versions(_ name: String) async throws -> [FunctionVersion] {
        let versions = try await store.versions(function: name)
        if versions.isEmpty, try await store.function(named: name) == nil { throw ReactorError.functionNotFound(name) }
        return versions
    }

    /// Makes `version` live (the live one goes to the history). Throws `FUNCTION_NOT_FOUND`,
    /// `FUNCTION_VERSION_NOT_FOUND`.
    public func promote(_ name: String, version: String) async throws -> FunctionRecord {
        guard try await store.version(function: name, id: version) != nil else {
            if try await store.function(named: name) == nil { throw ReactorError.functionNotFound(name) }
            throw ReactorError.functionVersionNotFound(name, version: version)
        }
        return try await update(name, create: false) { record in Self.makeLive(version, in: &record) }
    }

    /// Makes the previously live version live again. Throws `FUNCTION_NOT_FOUND`, `FUNCTION_NO_PREVIOUS_VERSION`.
    public func rollback(_ name: String) async throws -> FunctionRecord {
        try await update(name, create: false) { record in
            guard let previous = record.history.popLast() else {
                throw ReactorError(.functionNoPreviousVersion, "function '\(name)' has no earlier live version to roll back to",
                                   details: ["function": name])
            }
            record.live = previous
        }
    }

    /// Removes the function, its versions and its modules. Throws `FUNCTION_NOT_FOUND`.
    public func delete(_ name: String) async throws {
        guard try await store.deleteFunction(named: name) else { throw ReactorError.functionNotFound(name) }
        cache.withLock { c in
            c.records[name] = nil
            c.triggers = nil
            for key in c.loaded.keys where key.hasPrefix(name + "/") { c.loaded[key] = nil }
        }
        logs.remove(function: name)
        // The modules last: a crash before this leaves unreferenced objects, never a version without its module.
        let bucket = try bucket()
        var continuation: String?
        repeat {
            guard let listing = try? await blobs.list(in: bucket, prefix: name + "/", continuation: continuation, limit: 1000) else { break }
            for object in listing.objects { _ = try? await blobs.delete(object.key, in: bucket) }
            continuation = listing.nextContinuation
        } while continuation != nil
        logger.info("function deleted", metadata: ["function": "\(name)"])
    }

    // MARK: - Helpers

    /// Reads, changes and saves `name`'s record, retrying when another save came first.
    func update(_ name: String, create: Bool, _ change: (inout FunctionRecord) throws -> Void) async throws -> FunctionRecord {
        for _ in 0..<20 {
            let stored = try await store.function(named: name)
            guard create || stored != nil else { throw ReactorError.functionNotFound(name) }
            let date = now()
            var record = stored ?? FunctionRecord(name: name, createdAt: date, updatedAt: date)
            try change(&record)
            record.updatedAt = date
            if try await store.saveFunction(record, expectedRevision: stored?.revision) {
                record.revision = (stored?.revision ?? 0) + 1
                let live = record.live
                cache.withLock { c in
                    c.records[name] = CachedRecord(record: record, fetched: .now)
                    c.triggers = nil
                    // Keep the compiled live version only: an older one is compiled again if it is promoted again.
                    for key in c.loaded.keys where key.hasPrefix(name + "/") && key != "\(name)/\(live ?? "")" { c.loaded[key] = nil }
                }
                return record
            }
        }
        throw ReactorError(.storage, "function '\(name)' changed concurrently too often; try again", details: ["function": name])
    }

    static func makeLive(_ version: String, in record: inout FunctionRecord) {
        guard record.live != version else { return }
        if let live = record.live {
            record.history.append(live)
            if record.history.count > FunctionRecord.maxHistory { record.history.removeFirst(record.history.count - FunctionRecord.maxHistory) }
        }
        record.live = version
    }

    static func checkName(_ name: String) throws {
        guard FunctionRecord.isValidName(name) else {
            throw ReactorError(.invalidArgument,
                               "'\(name)' is not a function name: use 1 to 63 lower-case letters, digits, - and _, starting with a letter or digit",
                               details: ["argument": "name"])
        }
    }

    func runtime(named name: String) throws -> any FunctionRuntime {
        guard let runtime = runtimes.first(where: { $0.name == name }) else {
            throw ReactorError(.functionRuntimeUnavailable,
                               "the runtime '\(name)' is not enabled on this server (functions.runtimes = \(runtimeNames))",
                               details: ["runtime": name, "enabled": runtimeNames.joined(separator: ",")])
        }
        return runtime
    }

    func resolve(_ environment: [String: String]) async throws -> [String: String] {
        var resolved: [String: String] = [:]
        for (key, value) in environment {
            guard !key.isEmpty, !key.contains("="), !key.utf8.contains(0) else {
                throw ReactorError(.invalidArgument, "'\(key)' is not an environment variable name", details: ["argument": "environment"])
            }
            do {
                resolved[key] = try await resolveSecret(value, "environment.\(key)")
            } catch let error as ReactorError {
                throw ReactorError(.invalidArgument, "environment.\(key): \(error.message)", details: ["argument": "environment.\(key)"])
            }
        }
        return resolved
    }

    func bucket() throws -> BucketName { try BucketName(configuration.bucket) }

    func moduleKey(_ name: String, digest: String) throws -> BlobKey {
        try BlobKey("\(name)/\(digest.replacingOccurrences(of: "sha256:", with: "")).wasm")
    }

    func ensureBucket() async throws {
        guard !cache.withLock({ $0.bucketReady }) else { return }
        let bucket = try bucket()
        if try await blobs.bucket(bucket) == nil {
            do {
                _ = try await blobs.createBucket(bucket, access: .private)
            } catch let error as ReactorError where error.code == .bucketExists {}
        }
        cache.withLock { $0.bucketReady = true }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
