import Foundation
import ReactorCore

/// The conformance suite every ``ModelRecordStore`` adapter passes (in memory, SQLite, PostgreSQL).
///
/// Records round-trip with every field (initial states with nested JSON, unicode, no fuel); the newest version is
/// found when none is named; registering the same definition again is idempotent (the first record, its creation time
/// included, is returned), another definition of a taken (type, version) is `MODEL_EXISTS` and leaves the first in
/// place, also when two inserts race.
public enum ModelRecordStoreConformance {
    /// One named check; `run` gets a fresh, empty store.
    public struct Case: Sendable, CustomStringConvertible {
        /// What it checks.
        public let name: String
        /// Runs the check on an empty store.
        public let run: @Sendable (any ModelRecordStore) async throws -> Void
        /// The name.
        public var description: String { name }
    }

    static func record(_ type: String = "example/todo", version: Int = 1, digest: String = "sha256:aa", fuel: UInt64? = 5_000, at seconds: Double = 0) -> ModelRecord {
        ModelRecord(
            documentType: type, version: version, digest: digest, scopes: ["global", "local"],
            initialState: ["global": ["title": "Liste ✓", "items": [], "n": 1.5, "nested": ["a": [true, nil]]]],
            fuelPerAction: fuel, createdAt: Date(timeIntervalSince1970: 1_700_000_000 + seconds))
    }

    /// Every case.
    public static let cases: [Case] = [
        Case(name: "records round-trip and are found by type and version") { store in
            let first = record()
            let stored = try await store.insertModel(first)
            try check(stored == first, "insert returned \(stored)")
            let noFuel = record("example/other", fuel: nil)
            _ = try await store.insertModel(noFuel)
            let read = try await store.model(documentType: "example/todo", version: 1)
            try check(read == first, "read back: \(String(describing: read))")
            let readNoFuel = try await store.model(documentType: "example/other", version: nil)
            try check(readNoFuel == noFuel, "read back without fuel: \(String(describing: readNoFuel))")
            let missing = try await store.model(documentType: "example/todo", version: 2)
            try check(missing == nil, "an unknown version was found")
            let unknown = try await store.model(documentType: "example/none", version: nil)
            try check(unknown == nil, "an unknown type was found")
        },
        Case(name: "the newest version is found when none is named, and models() is ordered") { store in
            for version in [2, 1, 3] { _ = try await store.insertModel(record(version: version, digest: "sha256:\(version)")) }
            _ = try await store.insertModel(record("example/a"))
            let newest = try await store.model(documentType: "example/todo", version: nil)
            try check(newest?.version == 3 && newest?.digest == "sha256:3", "newest: \(String(describing: newest))")
            let all = try await store.models().map { "\($0.documentType)@\($0.version)" }
            try check(all == ["example/a@1", "example/todo@1", "example/todo@2", "example/todo@3"], "models(): \(all)")
        },
        Case(name: "the same definition again is idempotent") { store in
            let first = record()
            _ = try await store.insertModel(first)
            let again = try await store.insertModel(record(at: 60))
            try check(again == first, "a second registration returned \(again), not the first record")
            let count = try await store.models().count
            try check(count == 1, "\(count) records after an idempotent registration")
        },
        Case(name: "another definition of a taken type and version is MODEL_EXISTS") { store in
            let first = record()
            _ = try await store.insertModel(first)
            for other in [record(digest: "sha256:bb"), record(fuel: 6_000), record(fuel: nil)] {
                do {
                    _ = try await store.insertModel(other)
                    throw ConformanceFailure("a second definition of example/todo@1 was stored: \(other)")
                } catch let error as ReactorError {
                    try check(error.code == .modelExists, "expected MODEL_EXISTS, got \(error.debugDescription)")
                }
            }
            let read = try await store.model(documentType: "example/todo", version: 1)
            try check(read == first, "after refused inserts: \(String(describing: read))")
        },
        Case(name: "of two racing registrations of one type and version, one wins") { store in
            let outcomes = await withTaskGroup(of: Result<ModelRecord, any Error>.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        do {
                            return .success(try await store.insertModel(record(digest: "sha256:\(n % 2)")))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let stored = try await store.model(documentType: "example/todo", version: 1)
            guard let stored else { throw ConformanceFailure("nothing stored") }
            for outcome in outcomes {
                switch outcome {
                case .success(let record): try check(record == stored, "a winner other than the stored record: \(record)")
                case .failure(let error as ReactorError): try check(error.code == .modelExists, "unexpected \(error.debugDescription)")
                case .failure(let error): throw error
                }
            }
        },
    ]
}
