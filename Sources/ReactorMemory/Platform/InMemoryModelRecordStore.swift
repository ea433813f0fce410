import ReactorCore
import Synchronization

/// The in-memory ``ModelRecordStore``: the default of tests and of a server on the in-memory store. Everything is lost
/// when the process ends.
public final class InMemoryModelRecordStore: ModelRecordStore {
    private let records = Mutex<[ModelRecord]>([])

    /// An empty store.
    public init() {}

    public func insertModel(_ record: ModelRecord) async throws -> ModelRecord {
        try records.withLock { records in
            if let existing = records.first(where: { $0.documentType == record.documentType && $0.version == record.version }) {
                guard existing.sameDefinition(as: record) else { throw record.conflict(with: existing) }
                return existing
            }
            records.append(record)
            return record
        }
    }

    public func model(documentType: String, version: Int?) async throws -> ModelRecord? {
        records.withLock { records in
            let versions = records.filter { $0.documentType == documentType }
            if let version { return versions.first { $0.version == version } }
            return versions.max { $0.version < $1.version }
        }
    }

    public func models() async throws -> [ModelRecord] {
        records.withLock { records in
            records.sorted { ($0.documentType, $0.version) < ($1.documentType, $1.version) }
        }
    }
}
