import Foundation
import ReactorCore

extension FunctionService {
    /// Invokes function `name` on `request`: its live version, or `version` when given. `trigger` says what
    /// invoked it in the logs (`http`, `operation`).
    ///
    /// Throws when the function cannot run at all: `FUNCTION_NOT_FOUND`, `FUNCTION_NOT_LIVE`,
    /// `FUNCTION_VERSION_NOT_FOUND`, `FUNCTION_RUNTIME_UNAVAILABLE`, `FUNCTION_BUSY` (429) or a store error. An
    /// invocation that ran and failed (a limit, a trap) is returned, its error in ``FunctionInvocation/result``.
    public func invoke(_ name: String, version: String? = nil, request: FunctionRequest, trigger: String = "http") async throws
        -> (invocation: FunctionInvocation, version: FunctionVersion)
    {
        let function = try await loaded(name, version: version)
        let invocation = try await concurrency.withPermit(name, maxConcurrent: function.maxConcurrent) {
            await function.runtime.invoke(function.compiled, request: request, environment: function.environment, limits: function.limits)
        }
        record(invocation, of: function.version, trigger: trigger)
        return (invocation, function.version)
    }

    /// The settings of the version an invocation of `name` would run (for the route's `public` check).
    public func settings(_ name: String, version: String? = nil) async throws -> FunctionSettings {
        try await loaded(name, version: version).version.settings
    }

    func record(_ invocation: FunctionInvocation, of version: FunctionVersion, trigger: String) {
        let (seconds, attoseconds) = invocation.duration.components
        var entry = FunctionLogEntry(
            function: version.function, version: version.id, trigger: trigger, at: now(),
            durationMicroseconds: seconds * 1_000_000 + attoseconds / 1_000_000_000_000, lines: invocation.logs,
            fuel: invocation.fuelConsumed)
        switch invocation.result {
        case .success(let response): entry.status = response.status
        case .failure(let error):
            entry.error = error.code.rawValue
            entry.message = error.message
        }
        logs.record(entry)
    }

    /// The version to run, compiled on this node (from the cache, else loaded from the stores and compiled).
    func loaded(_ name: String, version: String?) async throws -> LoadedFunction {
        let id: String
        if let version {
            id = version
        } else {
            let record = try await liveRecord(name)
            guard let live = record.live else {
                throw ReactorError(.functionNotLive, "function '\(name)' has no live version: promote one", details: ["function": name])
            }
            id = live
        }
        if let hit = cache.withLock({ $0.loaded["\(name)/\(id)"] }) { return hit }
        guard let stored = try await store.version(function: name, id: id) else {
            if version == nil { throw ReactorError.functionVersionNotFound(name, version: id) }
            if try await store.function(named: name) == nil { throw ReactorError.functionNotFound(name) }
            throw ReactorError.functionVersionNotFound(name, version: id)
        }
        let runtime = try runtime(named: stored.runtime)
        let bytes = try await blobs.bytes(try moduleKey(name, digest: stored.moduleDigest), in: try bucket(), limit: configuration.maxModuleBytes)
        let compiled = try await runtime.compile(FunctionSource.detect(bytes))
        guard compiled.digest == stored.moduleDigest else {
            throw ReactorError(.storage, "the stored module of '\(name)' \(id) does not match its digest",
                               details: ["function": name, "version": id])
        }
        let loaded = LoadedFunction(
            version: stored, compiled: compiled, runtime: runtime, environment: try await resolve(stored.settings.environment),
            limits: stored.settings.limits.applied(to: configuration.defaultLimits),
            maxConcurrent: stored.settings.limits.maxConcurrent ?? configuration.defaultMaxConcurrent)
        cache.withLock { $0.loaded["\(name)/\(id)"] = loaded }
        return loaded
    }

    /// The record of `name`, from the cache while it is younger than the refresh interval.
    func liveRecord(_ name: String) async throws -> FunctionRecord {
        let refresh = configuration.refreshInterval
        if let cached = cache.withLock({ $0.records[name] }), cached.fetched.duration(to: .now) < refresh { return cached.record }
        guard let record = try await store.function(named: name) else {
            _ = cache.withLock { $0.records.removeValue(forKey: name) }
            throw ReactorError.functionNotFound(name)
        }
        cache.withLock { c in
            if let old = c.records[name]?.record, old.live != record.live {
                for key in c.loaded.keys where key.hasPrefix(name + "/") && key != "\(name)/\(record.live ?? "")" { c.loaded[key] = nil }
            }
            c.records[name] = CachedRecord(record: record, fetched: .now)
        }
        return record
    }
}
