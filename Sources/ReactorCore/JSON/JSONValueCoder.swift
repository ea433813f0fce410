import Foundation

/// Converts between `Codable` values and ``JSONValue``, and between ``JSONValue`` and JSON text.
///
/// Decoding failures become `INVALID_INPUT` errors that name the field path (e.g. `items[2].text`).
public enum JSONValueCoder {
    /// Decodes a `T` from a JSON value.
    public static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch let error as DecodingError {
            throw ReactorError.invalidInput(Self.describe(error), path: Self.path(of: error))
        }
    }

    /// Encodes `value` as a JSON value.
    public static func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        do {
            return try JSONValueEncoder().encode(value)
        } catch {
            throw ReactorError(.invalidInput, "cannot encode \(T.self) as JSON: \(error)")
        }
    }

    /// Parses JSON text.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        do {
            var parser = JSONParser(bytes: Array(bytes))
            return try parser.parseDocument()
        } catch let error as JSONParser.Failure {
            throw ReactorError.invalidInput("malformed JSON at byte \(error.offset): \(error.reason)")
        }
    }

    /// Parses JSON text.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }

    static func path(of error: DecodingError) -> String {
        let codingPath: [any CodingKey]
        switch error {
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): codingPath = c.codingPath
        case .keyNotFound(let key, let c): codingPath = c.codingPath + [key]
        @unknown default: codingPath = []
        }
        var out = ""
        for key in codingPath {
            if let i = key.intValue { out += "[\(i)]" } else { out += out.isEmpty ? key.stringValue : ".\(key.stringValue)" }
        }
        return out.isEmpty ? "$" : out
    }

    static func describe(_ error: DecodingError) -> String {
        let p = path(of: error)
        switch error {
        case .typeMismatch(let type, _): return "field '\(p)' must be \(Self.typeName(type))"
        case .valueNotFound(let type, _): return "field '\(p)' must be \(Self.typeName(type)), got null"
        case .keyNotFound: return "field '\(p)' is required"
        case .dataCorrupted(let c): return "field '\(p)': \(c.debugDescription)"
        @unknown default: return "invalid input at '\(p)'"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        default: "\(type)"
        }
    }
}
