/// Decodes `Decodable` values straight from a ``JSONValue`` tree.
///
/// Failures are `DecodingError`s whose coding path locates the offending node: object members by name, array
/// elements by an integer key (so ``JSONValueCoder`` can print paths like `items[2].text`).
/// - A missing member gives `keyNotFound`; `null` where a value is required gives `valueNotFound`; a node of the wrong
///   kind gives `typeMismatch`.
/// - Integers decode only from integral numbers (otherwise `typeMismatch`) that fit the type (otherwise
///   `dataCorrupted`). `Float` decodes only from numbers within its range.
/// - `decodeIfPresent` returns `nil` for a missing member and for `null`.
/// - Decoding ``JSONValue`` returns the node unchanged.
///
/// The decoder is a value and can be shared freely.
public struct JSONValueDecoder: Sendable {
    /// Contextual information handed to the values being decoded through `Decoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates a decoder with empty ``userInfo``.
    public init() {
        self.userInfo = [:]
    }

    /// Decodes a value of `type` from `value`.
    ///
    /// - Throws: `DecodingError` when `value` does not have the shape `type` requires, or any error the type's
    ///   `init(from:)` throws.
    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        let decoder = JSONValueDecoderImpl(value: value, codingPath: [], userInfo: userInfo)
        return try decoder.unbox(value, as: T.self, key: nil)
    }
}

// MARK: - Decoder

struct JSONValueDecoderImpl: Decoder, SingleValueDecodingContainer {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any]

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(JSONKeyedDecodingContainer<Key>(decoder: self, members: try objectMembers(value, key: nil)))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        JSONUnkeyedDecodingContainer(decoder: self, elements: try arrayElements(value, key: nil))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single value container

    func decodeNil() -> Bool {
        if case .null = value { return true }
        return false
    }

    func decode(_ type: Bool.Type) throws -> Bool { try unboxBool(value, key: nil) }
    func decode(_ type: String.Type) throws -> String { try unboxString(value, key: nil) }
    func decode(_ type: Double.Type) throws -> Double { try unboxDouble(value, key: nil) }
    func decode(_ type: Float.Type) throws -> Float { try unboxFloat(value, key: nil) }
    func decode(_ type: Int.Type) throws -> Int { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: Int8.Type) throws -> Int8 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: Int16.Type) throws -> Int16 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: Int32.Type) throws -> Int32 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: Int64.Type) throws -> Int64 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: Int128.Type) throws -> Int128 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt.Type) throws -> UInt { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unboxInteger(value, as: type, key: nil) }
    func decode(_ type: UInt128.Type) throws -> UInt128 { try unboxInteger(value, as: type, key: nil) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try unbox(value, as: type, key: nil) }

    // MARK: Unboxing

    /// The coding path of the child at `key`, or this decoder's path when `key` is `nil`.
    func path(_ key: (any CodingKey)?) -> [any CodingKey] {
        guard let key else { return codingPath }
        return codingPath.appendingKey(key)
    }

    /// The error for `value` (which is not a `type`): `valueNotFound` for `null`, else `typeMismatch`.
    func mismatch(_ type: Any.Type, _ value: JSONValue, key: (any CodingKey)?) -> DecodingError {
        if case .null = value {
            return DecodingError.valueNotFound(
                type, DecodingError.Context(codingPath: path(key), debugDescription: "Expected \(type) value but found null instead."))
        }
        return DecodingError.typeMismatch(
            type, DecodingError.Context(codingPath: path(key), debugDescription: "Expected to decode \(type) but found \(value.kindName) instead."))
    }

    func objectMembers(_ value: JSONValue, key: (any CodingKey)?) throws -> [String: JSONValue] {
        guard case .object(let members) = value else { throw mismatch([String: JSONValue].self, value, key: key) }
        return members
    }

    func arrayElements(_ value: JSONValue, key: (any CodingKey)?) throws -> [JSONValue] {
        guard case .array(let elements) = value else { throw mismatch([JSONValue].self, value, key: key) }
        return elements
    }

    func unboxBool(_ value: JSONValue, key: (any CodingKey)?) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, key: key) }
        return b
    }

    func unboxString(_ value: JSONValue, key: (any CodingKey)?) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, value, key: key) }
        return s
    }

    func unboxDouble(_ value: JSONValue, key: (any CodingKey)?) throws -> Double {
        guard case .number(let n) = value else { throw mismatch(Double.self, value, key: key) }
        return n
    }

    func unboxFloat(_ value: JSONValue, key: (any CodingKey)?) throws -> Float {
        guard case .number(let n) = value else { throw mismatch(Float.self, value, key: key) }
        guard n.isNaN || abs(n) <= Double(Float.greatestFiniteMagnitude) else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: path(key), debugDescription: "Number \(n) does not fit in Float."))
        }
        return Float(n)
    }

    func unboxInteger<I: FixedWidthInteger>(_ value: JSONValue, as type: I.Type, key: (any CodingKey)?) throws -> I {
        guard case .number(let n) = value else { throw mismatch(I.self, value, key: key) }
        if let i = I(exactly: n) { return i }
        if !n.isFinite || n.rounded(.towardZero) != n {
            throw DecodingError.typeMismatch(
                I.self, DecodingError.Context(codingPath: path(key), debugDescription: "Expected an integer but found \(n)."))
        }
        throw DecodingError.dataCorrupted(
            DecodingError.Context(codingPath: path(key), debugDescription: "Number \(n) does not fit in \(I.self)."))
    }

    /// Decodes a `T` from `value`, the child of this decoder at `key` (or this decoder's own value when `key` is nil).
    func unbox<T: Decodable>(_ value: JSONValue, as type: T.Type, key: (any CodingKey)?) throws -> T {
        if T.self == JSONValue.self { return value as! T }
        if T.self == String.self { return try unboxString(value, key: key) as! T }
        if T.self == Bool.self { return try unboxBool(value, key: key) as! T }
        if T.self == Double.self { return try unboxDouble(value, key: key) as! T }
        if T.self == Int.self { return try unboxInteger(value, as: Int.self, key: key) as! T }
        let decoder = JSONValueDecoderImpl(value: value, codingPath: path(key), userInfo: userInfo)
        if let dictionaryType = T.self as? any JSONStringKeyedDictionaryDecodable.Type {
            return try dictionaryType.decodeStringKeyed(from: decoder) as! T
        }
        return try T(from: decoder)
    }
}

/// `[String: Value]` dictionaries decode their members with plain string keys, so that a member named `"2"` is not
/// mistaken for an array index in error paths (the standard library's dictionary key gives it an `intValue`).
protocol JSONStringKeyedDictionaryDecodable {
    static func decodeStringKeyed(from decoder: JSONValueDecoderImpl) throws -> Self
}

extension Dictionary: JSONStringKeyedDictionaryDecodable where Key == String, Value: Decodable {
    static func decodeStringKeyed(from decoder: JSONValueDecoderImpl) throws -> Self {
        let members = try decoder.objectMembers(decoder.value, key: nil)
        var result: [String: Value] = [:]
        result.reserveCapacity(members.count)
        for (name, member) in members {
            result[name] = try decoder.unbox(member, as: Value.self, key: JSONCodingKey(stringValue: name))
        }
        return result
    }
}

// MARK: - Keyed

struct JSONKeyedDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoderImpl
    let members: [String: JSONValue]

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

    private func member(_ key: Key) throws -> JSONValue {
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key,
                DecodingError.Context(
                    codingPath: decoder.codingPath, debugDescription: "No value associated with key \(key.stringValue)."))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        if case .null = try member(key) { return true }
        return false
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.unboxBool(member(key), key: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.unboxString(member(key), key: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.unboxDouble(member(key), key: key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try decoder.unboxFloat(member(key), key: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: Int128.Type, forKey key: Key) throws -> Int128 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try decoder.unboxInteger(member(key), as: type, key: key) }
    func decode(_ type: UInt128.Type, forKey key: Key) throws -> UInt128 { try decoder.unboxInteger(member(key), as: type, key: key) }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.unbox(member(key), as: type, key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        let members = try decoder.objectMembers(member(key), key: key)
        let nested = JSONValueDecoderImpl(value: .object(members), codingPath: decoder.path(key), userInfo: decoder.userInfo)
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<NestedKey>(decoder: nested, members: members))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        let elements = try decoder.arrayElements(member(key), key: key)
        let nested = JSONValueDecoderImpl(value: .array(elements), codingPath: decoder.path(key), userInfo: decoder.userInfo)
        return JSONUnkeyedDecodingContainer(decoder: nested, elements: elements)
    }

    /// A decoder for the member `super`; a missing member decodes as `null`.
    func superDecoder() throws -> any Decoder {
        superDecoder(name: JSONCodingKey.super.stringValue, key: JSONCodingKey.super)
    }

    /// A decoder for the member `key`; a missing member decodes as `null`.
    func superDecoder(forKey key: Key) throws -> any Decoder {
        superDecoder(name: key.stringValue, key: key)
    }

    private func superDecoder(name: String, key: any CodingKey) -> any Decoder {
        JSONValueDecoderImpl(value: members[name] ?? .null, codingPath: decoder.path(key), userInfo: decoder.userInfo)
    }
}

// MARK: - Unkeyed

struct JSONUnkeyedDecodingContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoderImpl
    let elements: [JSONValue]
    private(set) var currentIndex = 0

    init(decoder: JSONValueDecoderImpl, elements: [JSONValue]) {
        self.decoder = decoder
        self.elements = elements
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { elements.count }
    var isAtEnd: Bool { currentIndex >= elements.count }

    private var currentKey: JSONCodingKey { JSONCodingKey(index: currentIndex) }

    /// The current element; throws `valueNotFound` past the end.
    private func current(_ type: Any.Type) throws -> JSONValue {
        guard currentIndex < elements.count else {
            throw DecodingError.valueNotFound(
                type,
                DecodingError.Context(
                    codingPath: decoder.path(currentKey), debugDescription: "Unkeyed container is at end."))
        }
        return elements[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        if case .null = try current(JSONValue.self) {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool {
        let result = try decoder.unboxBool(current(type), key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let result = try decoder.unboxString(current(type), key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Double.Type) throws -> Double {
        let result = try decoder.unboxDouble(current(type), key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Float.Type) throws -> Float {
        let result = try decoder.unboxFloat(current(type), key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int.Type) throws -> Int {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int8.Type) throws -> Int8 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int16.Type) throws -> Int16 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int64.Type) throws -> Int64 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: Int128.Type) throws -> Int128 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt.Type) throws -> UInt {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt8.Type) throws -> UInt8 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt16.Type) throws -> UInt16 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt32.Type) throws -> UInt32 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt64.Type) throws -> UInt64 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode(_ type: UInt128.Type) throws -> UInt128 {
        let result = try decoder.unboxInteger(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try decoder.unbox(current(type), as: type, key: currentKey)
        currentIndex += 1
        return result
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let value = try current(KeyedDecodingContainer<NestedKey>.self)
        let members = try decoder.objectMembers(value, key: currentKey)
        let nested = JSONValueDecoderImpl(value: value, codingPath: decoder.path(currentKey), userInfo: decoder.userInfo)
        currentIndex += 1
        return KeyedDecodingContainer(JSONKeyedDecodingContainer<NestedKey>(decoder: nested, members: members))
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let value = try current((any UnkeyedDecodingContainer).self)
        let elements = try decoder.arrayElements(value, key: currentKey)
        let nested = JSONValueDecoderImpl(value: value, codingPath: decoder.path(currentKey), userInfo: decoder.userInfo)
        currentIndex += 1
        return JSONUnkeyedDecodingContainer(decoder: nested, elements: elements)
    }

    /// A decoder for the current element.
    mutating func superDecoder() throws -> any Decoder {
        let value = try current((any Decoder).self)
        let nested = JSONValueDecoderImpl(value: value, codingPath: decoder.path(currentKey), userInfo: decoder.userInfo)
        currentIndex += 1
        return nested
    }
}
