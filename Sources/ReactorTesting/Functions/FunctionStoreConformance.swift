import Foundation
import ReactorCore

/// The conformance suite every ``FunctionStore`` adapter passes (in memory, SQLite, PostgreSQL).
///
/// Versions round-trip with every field, are immutable (a second insert of an id changes nothing) and list in
/// insertion order per function; records are created once, saved only from the revision they were read at (also
/// under concurrency: exactly one of many racing saves wins), listed by name; deleting removes a function's record
/// and versions and nothing of another function.
public enum FunctionStoreConformance {
    /// One named check; `run` gets a fresh, empty store.
    public struct Case: Sendable, CustomStringConvertible {
        /// What it checks.
        public let name: String
        /// Runs the check on an empty store.
        public let run: @Sendable (any FunctionStore) async throws -> Void
        /// The name.
        public var description: String { name }
    }

    static func version(_ function: String, _ n: Int) -> FunctionVersion {
        FunctionVersion(
            function: function, runtime: "wasm", moduleDigest: "sha256:" + String(repeating: String(n % 10), count: 64),
            moduleBytes: 100 + n,
            settings: FunctionSettings(
                environment: ["GREETING": "hello \(n) ✓", "SECRET": "vault:functions/key"],
                limits: FunctionLimitSettings(fuel: UInt64(1000 * n), timeoutMilliseconds: n == 2 ? 250 : nil, maxConcurrent: 4),
                trigger: n == 3 ? FunctionTrigger(documentTypes: ["reactor/todo-list"], actionTypes: ["ADD_TODO"]) : nil,
                isPublic: n == 2),
            createdAt: Date(timeIntervalSince1970: 1_700_000_000 + Double(n)), createdBy: n == 1 ? "user-1" : nil)
    }

    static func record(_ name: String, live: String? = nil, history: [String] = []) -> FunctionRecord {
        FunctionRecord(name: name, live: live, history: history, createdAt: Date(timeIntervalSince1970: 1_700_000_000),
                       updatedAt: Date(timeIntervalSince1970: 1_700_000_100))
    }

    /// Every case.
    public static let cases: [Case] = [
        Case(name: "versions round-trip, in order, per function") { store in
            for n in 1...3 {
                let inserted = try await store.insertVersion(version("hello", n))
                try check(inserted, "version \(n) was not inserted")
            }
            _ = try await store.insertVersion(version("other", 1))
            let all = try await store.versions(function: "hello")
            try check(all == (1...3).map { version("hello", $0) }, "versions: \(all)")
            let two = try await store.version(function: "hello", id: version("hello", 2).id)
            try check(two == version("hello", 2), "version 2: \(String(describing: two))")
            let missing = try await store.version(function: "hello", id: "v0000000000000000")
            try check(missing == nil, "an unknown version was found")
            let elsewhere = try await store.version(function: "other", id: version("hello", 2).id)
            try check(elsewhere == nil, "another function's version was found")
            let none = try await store.versions(function: "nobody")
            try check(none.isEmpty, "an unknown function has versions")
        },
        Case(name: "a version is immutable") { store in
            _ = try await store.insertVersion(version("hello", 1))
            var changed = version("hello", 1)
            changed.createdBy = "someone-else"
            changed.moduleBytes = 1
            let again = try await store.insertVersion(changed)
            try check(!again, "a second insert of the same id succeeded")
            let stored = try await store.versions(function: "hello")
            try check(stored == [version("hello", 1)], "the version changed: \(stored)")
        },
        Case(name: "records are created once and saved from their revision") { store in
            let created = try await store.saveFunction(record("hello"), expectedRevision: nil)
            try check(created, "the record was not created")
            let twice = try await store.saveFunction(record("hello", live: "vX"), expectedRevision: nil)
            try check(!twice, "a second create succeeded")
            guard let first = try await store.function(named: "hello") else { throw ConformanceFailure("the record is missing") }
            try check(first.revision == 1 && first.live == nil, "after create: \(first)")
            var next = first
            next.live = "v1"
            next.history = ["v0"]
            let saved = try await store.saveFunction(next, expectedRevision: 1)
            try check(saved, "a save at the current revision failed")
            let stale = try await store.saveFunction(record("hello", live: "stale"), expectedRevision: 1)
            try check(!stale, "a save at an old revision succeeded")
            let stored = try await store.function(named: "hello")
            try check(stored?.revision == 2 && stored?.live == "v1" && stored?.history == ["v0"], "after save: \(String(describing: stored))")
            try check(stored?.createdAt == first.createdAt && stored?.updatedAt == first.updatedAt, "dates changed: \(String(describing: stored))")
            let missing = try await store.saveFunction(record("nobody"), expectedRevision: 3)
            try check(!missing, "a save of a missing record succeeded")
        },
        Case(name: "exactly one of racing saves wins") { store in
            _ = try await store.saveFunction(record("hello"), expectedRevision: nil)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 0..<8 {
                    group.addTask { try await store.saveFunction(record("hello", live: "v\(n)"), expectedRevision: 1) }
                }
                var wins = 0
                for try await won in group where won { wins += 1 }
                return wins
            }
            try check(wins == 1, "\(wins) racing saves won")
            let stored = try await store.function(named: "hello")
            try check(stored?.revision == 2, "revision \(String(describing: stored?.revision))")
        },
        Case(name: "functions list by name") { store in
            for name in ["zeta", "alpha", "mid"] { _ = try await store.saveFunction(record(name), expectedRevision: nil) }
            let names = try await store.functions().map(\.name)
            try check(names == ["alpha", "mid", "zeta"], "functions: \(names)")
        },
        Case(name: "delete removes one function's record and versions") { store in
            for name in ["hello", "other"] {
                _ = try await store.saveFunction(record(name), expectedRevision: nil)
                _ = try await store.insertVersion(version(name, 1))
            }
            let deleted = try await store.deleteFunction(named: "hello")
            try check(deleted, "delete answered false")
            let record = try await store.function(named: "hello")
            let versions = try await store.versions(function: "hello")
            try check(record == nil && versions.isEmpty, "left behind: \(String(describing: record)), \(versions)")
            let other = try await store.versions(function: "other")
            try check(other.count == 1, "the other function lost its versions")
            let again = try await store.deleteFunction(named: "hello")
            try check(!again, "a second delete answered true")
            // A deploy may have stored a version before its record: delete removes it too.
            _ = try await store.insertVersion(version("orphan", 1))
            let orphan = try await store.deleteFunction(named: "orphan")
            try check(orphan, "deleting versions without a record answered false")
        },
    ]
}
