import Foundation

/// The JSON form in which database-backed ``FunctionStore``s keep records and versions (sorted keys, dates as
/// seconds since 1970).
public enum FunctionStoreCoding {
    /// `value` as JSON text.
    public static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes JSON text written by ``encode(_:)``; a row that does not decode is a `STORAGE_ERROR`.
    public static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw ReactorError(.storage, "a stored function row does not decode", details: ["underlying": "\(error)"])
        }
    }
}
