/// Derives the JSON Schema of a `Decodable` type by decoding one placeholder value with a decoder that records what
/// the type asks for: the keys it requires (`decode`) and those it may go without (`decodeIfPresent`), the type of
/// each value, arrays and nested objects.
///
/// What a decoding cannot reveal stays open: a custom `init(from:)` that reads keys conditionally is described by
/// the keys it read for the placeholder, and a type that recurses into itself is described to a fixed depth. Types
/// that need an exact schema conform to ``JSONSchemaDescribable``; `CaseIterable` enums with raw values are
/// described as an `enum` of their raw values.
public enum JSONSchemaReflection {
    /// How deep nested objects are described before they are left open (`{}`).
    public static let maximumDepth = 8

    /// The JSON Schema of `type`'s JSON form.
    public static func schema<T: Decodable>(of type: T.Type) -> JSONValue {
        let node = SchemaNode()
        _ = try? describe(type, into: node, depth: 0)
        return node.json
    }

    /// Decodes a placeholder `T` and records its schema into `node`.
    static func describe<T: Decodable>(_ type: T.Type, into node: SchemaNode, depth: Int) throws -> T {
        if T.self == JSONValue.self {
            node.kind = .value([:])
            return JSONValue.null as! T
        }
        if let iterable = T.self as? any CaseIterable.Type, let (first, schema) = enumeration(iterable), let value = first as? T {
            node.kind = .value((T.self as? any JSONSchemaDescribable.Type)?.jsonSchema ?? schema)
            return value
        }
        let value = try T(from: RecordingDecoder(node: node, depth: depth))
        if let describable = T.self as? any JSONSchemaDescribable.Type { node.kind = .value(describable.jsonSchema) }
        return value
    }

    /// The first case of a `CaseIterable` type and the schema of its raw values (nil without cases).
    private static func enumeration<C: CaseIterable>(_ type: C.Type) -> (Any, JSONValue)? {
        let cases = Array(type.allCases)
        guard let first = cases.first else { return nil }
        var values: [JSONValue] = []
        for value in cases {
            switch (value as? any RawRepresentable)?.rawValue {
            case let raw as String: values.append(.string(raw))
            case let raw as Int: values.append(.number(Double(raw)))
            default: return (first, [:])
            }
        }
        return (first, ["enum": .array(values)])
    }
}

/// What one decoded value turned out to be, filled in while a placeholder is decoded.
final class SchemaNode {
    enum Kind {
        case open
        case value(JSONValue)
        case object
        case array
    }

    var kind: Kind = .open
    private var order: [String] = []
    private var properties: [String: SchemaNode] = [:]
    private var required: Set<String> = []
    /// Keys asked about with `decodeNil(forKey:)`: `decodeIfPresent` asks before it decodes, so these are optional.
    var optional: Set<String> = []
    var items: SchemaNode?

    /// The node of property `key`, created on first use; `isRequired` when the type decoded it with `decode`.
    func property(_ key: String, isRequired: Bool) -> SchemaNode {
        if isRequired { required.insert(key) }
        if let existing = properties[key] { return existing }
        let node = SchemaNode()
        order.append(key)
        properties[key] = node
        return node
    }

    var json: JSONValue {
        switch kind {
        case .open: return [:]
        case .value(let schema): return schema
        case .object:
            var schema: [String: JSONValue] = [
                "type": "object",
                "properties": .object(properties.mapValues(\.json)),
            ]
            let names = order.filter { required.contains($0) && !optional.contains($0) }
            if !names.isEmpty { schema["required"] = .array(names.map { .string($0) }) }
            return .object(schema)
        case .array:
            return ["type": "array", "items": items?.json ?? [:]]
        }
    }
}

/// The decoder a placeholder value is decoded with.
struct RecordingDecoder: Decoder {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        if case .open = node.kind { node.kind = .object }
        return KeyedDecodingContainer(RecordingKeyedContainer<Key>(node: node, depth: depth))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        node.kind = .array
        return RecordingUnkeyedContainer(node: node, depth: depth)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingleValueContainer(node: node, depth: depth)
    }
}

/// A primitive's placeholder and schema.
enum Primitive {
    static let string: JSONValue = ["type": "string"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let number: JSONValue = ["type": "number"]
    static let integer: JSONValue = ["type": "integer"]
    static let unsigned: JSONValue = ["type": "integer", "minimum": 0]
}

struct RecordingKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { [] }

    func contains(_ key: Key) -> Bool { true }

    /// Asked by `decodeIfPresent` before it decodes: the key is optional. Past the depth limit the value is absent.
    func decodeNil(forKey key: Key) throws -> Bool {
        node.optional.insert(key.stringValue)
        return depth >= JSONSchemaReflection.maximumDepth
    }

    private func record<V>(_ key: Key, _ schema: JSONValue, _ value: V) -> V {
        node.property(key.stringValue, isRequired: true).kind = .value(schema)
        return value
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { record(key, Primitive.boolean, false) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { record(key, Primitive.string, "") }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { record(key, Primitive.number, 0) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { record(key, Primitive.number, 0) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { record(key, Primitive.integer, 0) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { record(key, Primitive.integer, 0) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { record(key, Primitive.integer, 0) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { record(key, Primitive.integer, 0) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { record(key, Primitive.integer, 0) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { record(key, Primitive.unsigned, 0) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { record(key, Primitive.unsigned, 0) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { record(key, Primitive.unsigned, 0) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { record(key, Primitive.unsigned, 0) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { record(key, Primitive.unsigned, 0) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try JSONSchemaReflection.describe(type, into: node.property(key.stringValue, isRequired: true), depth: depth + 1)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        let child = node.property(key.stringValue, isRequired: true)
        child.kind = .object
        return KeyedDecodingContainer(RecordingKeyedContainer<NestedKey>(node: child, depth: depth + 1))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let child = node.property(key.stringValue, isRequired: true)
        child.kind = .array
        return RecordingUnkeyedContainer(node: child, depth: depth + 1)
    }

    func superDecoder() throws -> any Decoder { RecordingDecoder(node: node, depth: depth) }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        RecordingDecoder(node: node.property(key.stringValue, isRequired: true), depth: depth + 1)
    }
}

/// An array: one element is decoded (its schema is `items`), then the container is at its end. Past the depth
/// limit it is empty, so a type that contains arrays of itself ends.
final class RecordingUnkeyedContainer: UnkeyedDecodingContainer {
    let node: SchemaNode
    let depth: Int
    var currentIndex = 0
    var codingPath: [any CodingKey] { [] }
    var count: Int? { nil }
    var isAtEnd: Bool { currentIndex > 0 || depth >= JSONSchemaReflection.maximumDepth }

    init(node: SchemaNode, depth: Int) {
        self.node = node
        self.depth = depth
    }

    private var element: SchemaNode {
        if let items = node.items { return items }
        let items = SchemaNode()
        node.items = items
        return items
    }

    private func record<V>(_ schema: JSONValue, _ value: V) -> V {
        element.kind = .value(schema)
        currentIndex += 1
        return value
    }

    func decodeNil() throws -> Bool { false }
    func decode(_ type: Bool.Type) throws -> Bool { record(Primitive.boolean, false) }
    func decode(_ type: String.Type) throws -> String { record(Primitive.string, "") }
    func decode(_ type: Double.Type) throws -> Double { record(Primitive.number, 0) }
    func decode(_ type: Float.Type) throws -> Float { record(Primitive.number, 0) }
    func decode(_ type: Int.Type) throws -> Int { record(Primitive.integer, 0) }
    func decode(_ type: Int8.Type) throws -> Int8 { record(Primitive.integer, 0) }
    func decode(_ type: Int16.Type) throws -> Int16 { record(Primitive.integer, 0) }
    func decode(_ type: Int32.Type) throws -> Int32 { record(Primitive.integer, 0) }
    func decode(_ type: Int64.Type) throws -> Int64 { record(Primitive.integer, 0) }
    func decode(_ type: UInt.Type) throws -> UInt { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { record(Primitive.unsigned, 0) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        currentIndex += 1
        return try JSONSchemaReflection.describe(type, into: element, depth: depth + 1)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        currentIndex += 1
        element.kind = .object
        return KeyedDecodingContainer(RecordingKeyedContainer<NestedKey>(node: element, depth: depth + 1))
    }

    func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        currentIndex += 1
        element.kind = .array
        return RecordingUnkeyedContainer(node: element, depth: depth + 1)
    }

    func superDecoder() throws -> any Decoder {
        currentIndex += 1
        return RecordingDecoder(node: element, depth: depth + 1)
    }
}

struct RecordingSingleValueContainer: SingleValueDecodingContainer {
    let node: SchemaNode
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    private func record<V>(_ schema: JSONValue, _ value: V) -> V {
        node.kind = .value(schema)
        return value
    }

    func decodeNil() -> Bool { false }
    func decode(_ type: Bool.Type) throws -> Bool { record(Primitive.boolean, false) }
    func decode(_ type: String.Type) throws -> String { record(Primitive.string, "") }
    func decode(_ type: Double.Type) throws -> Double { record(Primitive.number, 0) }
    func decode(_ type: Float.Type) throws -> Float { record(Primitive.number, 0) }
    func decode(_ type: Int.Type) throws -> Int { record(Primitive.integer, 0) }
    func decode(_ type: Int8.Type) throws -> Int8 { record(Primitive.integer, 0) }
    func decode(_ type: Int16.Type) throws -> Int16 { record(Primitive.integer, 0) }
    func decode(_ type: Int32.Type) throws -> Int32 { record(Primitive.integer, 0) }
    func decode(_ type: Int64.Type) throws -> Int64 { record(Primitive.integer, 0) }
    func decode(_ type: UInt.Type) throws -> UInt { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { record(Primitive.unsigned, 0) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { record(Primitive.unsigned, 0) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONSchemaReflection.describe(type, into: node, depth: depth)
    }
}
