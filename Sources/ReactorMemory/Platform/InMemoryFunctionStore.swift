import Foundation
import ReactorCore
import Synchronization

/// The in-memory ``FunctionStore``: the default beside the in-memory reactor store. Everything is lost when the
/// process ends.
public final class InMemoryFunctionStore: FunctionStore {
    private struct State {
        var records: [String: FunctionRecord] = [:]
        var versions: [String: [FunctionVersion]] = [:]
    }

    private let state = Mutex(State())

    /// An empty store.
    public init() {}

    public func insertVersion(_ version: FunctionVersion) async throws -> Bool {
        state.withLock { s in
            if s.versions[version.function, default: []].contains(where: { $0.id == version.id }) { return false }
            s.versions[version.function, default: []].append(version)
            return true
        }
    }

    public func version(function: String, id: String) async throws -> FunctionVersion? {
        state.withLock { $0.versions[function]?.first { $0.id == id } }
    }

    public func versions(function: String) async throws -> [FunctionVersion] {
        state.withLock { $0.versions[function] ?? [] }
    }

    public func function(named name: String) async throws -> FunctionRecord? {
        state.withLock { $0.records[name] }
    }

    public func functions() async throws -> [FunctionRecord] {
        state.withLock { $0.records.values.sorted { $0.name < $1.name } }
    }

    public func saveFunction(_ record: FunctionRecord, expectedRevision: Int?) async throws -> Bool {
        state.withLock { s in
            guard s.records[record.name]?.revision == expectedRevision else { return false }
            var saved = record
            saved.revision = (expectedRevision ?? 0) + 1
            s.records[record.name] = saved
            return true
        }
    }

    public func deleteFunction(named name: String) async throws -> Bool {
        state.withLock { s in
            let had = s.records.removeValue(forKey: name) != nil
            let hadVersions = s.versions.removeValue(forKey: name) != nil
            return had || hadVersions
        }
    }
}
