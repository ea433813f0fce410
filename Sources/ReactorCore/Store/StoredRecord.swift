/// Reading what a store wrote earlier.
///
/// A stored record that does not parse or decode is corrupt: a failure of the server's storage (`STORAGE_ERROR`,
/// HTTP 500), never the caller's `INVALID_INPUT` (HTTP 400), whatever the decoder threw. Every store adapter decodes
/// its JSON columns through ``decode(_:_:)``.
public enum StoredRecord {
    /// Runs `body`, which decodes a stored `record` (e.g. "operation", "document header"); any failure becomes a
    /// permanent `STORAGE_ERROR` naming the record, with the underlying error kept in the details for the logs.
    public static func decode<T>(_ record: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ReactorError where error.code == .storage {
            throw error
        } catch {
            throw ReactorError(.storage, "a stored \(record) is corrupt and cannot be read",
                               details: ["record": record, "underlying": String(describing: error)])
        }
    }

    /// Parses JSON text a store wrote.
    public static func json(_ text: String, record: String) throws -> JSONValue {
        try decode(record) { try JSONValueCoder.parse(text) }
    }
}
