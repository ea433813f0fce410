/// Encodes `Encodable` values straight into a ``JSONValue`` tree, without producing JSON text on the way.
///
/// Rules:
/// - Every integer and floating-point type becomes ``JSONValue/number(_:)``. Values a `Double` cannot hold
///   (non-finite floating-point numbers, integers beyond 2^53 that a `Double` does not represent exactly) throw
///   `EncodingError.invalidValue` rather than being silently changed.
/// - A ``JSONValue`` is stored unchanged, at the top level and at any depth.
/// - `nil` optionals are left out by `encodeIfPresent` (what synthesized conformances use); `encodeNil` writes
///   ``JSONValue/null``.
/// - Other types (`Date`, `URL`, `Data`, …) encode through their own `Encodable` conformance.
/// - A nested value that encodes nothing becomes an empty object; a top-level value that encodes nothing throws.
///
/// The encoder is a value and can be shared freely; each ``encode(_:)`` call works on its own storage.
public struct JSONValueEncoder: Sendable {
    /// Contextual information handed to the values being encoded through `Encoder.userInfo`.
    public var userInfo: [CodingUserInfoKey: any Sendable]

    /// Creates an encoder with empty ``userInfo``.
    public init() {
        self.userInfo = [:]
    }

    /// Encodes `value` as a ``JSONValue``.
    ///
    /// - Throws: `EncodingError.invalidValue` for numbers JSON cannot carry, for a top-level value that encodes
    ///   nothing, for misuse of containers by a custom `encode(to:)`, or any error the value's `encode(to:)` throws.
    public func encode<T: Encodable>(_ value: T) throws -> JSONValue {
        let context = JSONEncodingContext(userInfo: userInfo)
        let slot = try context.box(value, path: .root)
        if let misuse = context.misuse {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: misuse.codingPath, debugDescription: misuse.message))
        }
        switch slot {
        case .value(let v):
            return v
        case .node(let node):
            if node.kind == .empty {
                throw EncodingError.invalidValue(
                    value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
            }
            return node.build()
        }
    }
}

extension JSONValueEncoder {
    /// The RFC 8785 canonical bytes of what ``encode(_:)`` returns for `value` (equal to
    /// `encode(value).canonicalData`), written from the encoder's containers without building the ``JSONValue``.
    public func canonicalData<T: Encodable>(_ value: T) throws -> [UInt8] {
        let context = JSONEncodingContext(userInfo: userInfo)
        let slot = try context.box(value, path: .root)
        if let misuse = context.misuse {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: misuse.codingPath, debugDescription: misuse.message))
        }
        if case .node(let node) = slot, node.kind == .empty {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: [], debugDescription: "Top-level \(T.self) did not encode any values."))
        }
        var out: [UInt8] = []
        out.reserveCapacity(256)
        slot.writeCanonical(into: &out)
        return out
    }
}

// MARK: - Storage

/// A coding path kept as its parent's path and a last key, made into an array only when asked for.
struct EncodingPath {
    enum Last {
        case key(any CodingKey)
        case index(Int)
    }

    let parent: [any CodingKey]
    let last: Last?

    static let root = EncodingPath(parent: [], last: nil)

    var keys: [any CodingKey] {
        switch last {
        case nil: parent
        case .key(let key): parent.appendingKey(key)
        case .index(let index): parent.appendingKey(JSONCodingKey(index: index))
        }
    }
}

/// State shared by all encoders of one ``JSONValueEncoder/encode(_:)`` call.
final class JSONEncodingContext {
    let userInfo: [CodingUserInfoKey: Any]
    /// The first container misuse seen (containers cannot throw when they are requested, so it is reported at the end).
    var misuse: (codingPath: [any CodingKey], message: String)?

    init(userInfo: [CodingUserInfoKey: any Sendable]) {
        self.userInfo = userInfo
    }

    func recordMisuse(_ message: String, codingPath: [any CodingKey]) {
        if misuse == nil { misuse = (codingPath, message) }
    }

    /// Encodes one value, taking the fast path for JSON primitives and ``JSONValue`` itself.
    func box<T: Encodable>(_ value: T, path: EncodingPath) throws -> JSONEncodingSlot {
        if T.self == JSONValue.self { return .value(value as! JSONValue) }
        if T.self == String.self { return .value(.string(value as! String)) }
        if T.self == Bool.self { return .value(.bool(value as! Bool)) }
        if T.self == Double.self { return .value(try JSONEncodingContext.number(value as! Double, path.keys)) }
        if T.self == Int.self { return .value(try JSONEncodingContext.number(value as! Int, path.keys)) }

        let node = JSONEncodingNode()
        try value.encode(to: JSONValueEncoderImpl(context: self, node: node, path: path))
        if node.kind == .single { return node.single }
        return .node(node)
    }

    static func number(_ value: Double, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode \(value) as a JSON number."))
        }
        return .number(value)
    }

    static func number(_ value: Float, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard value.isFinite else {
            throw EncodingError.invalidValue(
                value, EncodingError.Context(codingPath: codingPath(), debugDescription: "Unable to encode \(value) as a JSON number."))
        }
        return .number(Double(value))
    }

    static func number<I: BinaryInteger>(_ value: I, _ codingPath: @autoclosure () -> [any CodingKey]) throws -> JSONValue {
        guard let d = Double(exactly: value) else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath(),
                    debugDescription: "\(I.self) value \(value) cannot be represented exactly as a JSON number (Double)."))
        }
        return .number(d)
    }
}

/// One encoded value: either finished, or a container still being filled.
enum JSONEncodingSlot {
    case value(JSONValue)
    case node(JSONEncodingNode)

    func build() -> JSONValue {
        switch self {
        case .value(let v): v
        case .node(let n): n.build()
        }
    }

    /// Appends the canonical bytes of ``build()`` without building it.
    func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .value(let v): v.writeCanonical(into: &out)
        case .node(let n): n.writeCanonical(into: &out)
        }
    }
}

/// A container under construction. A reference, so nested containers and super-encoders can keep filling it after
/// it has been stored in its parent.
final class JSONEncodingNode {
    enum Kind { case empty, single, array, object }

    var kind: Kind = .empty
    /// The coding path of the value this node holds (see ``JSONValueEncoderImpl/path``).
    var path: EncodingPath = .root
    var single: JSONEncodingSlot = .value(.null)
    var items: [JSONEncodingSlot] = []
    /// An object's members in the order they were first set (a key set again keeps its place, the value is
    /// replaced): one array rather than a dictionary, as most objects have a handful of members (one allocation).
    private(set) var members: [(key: String, value: JSONEncodingSlot)] = []
    /// Positions in ``members`` once an object has more members than a linear search suits.
    private var memberIndex: [String: Int]?

    init() {}

    init(kind: Kind) {
        self.kind = kind
    }

    func build() -> JSONValue {
        switch kind {
        case .empty: return .object([:])
        case .single: return single.build()
        case .array: return .array(items.map { $0.build() })
        case .object:
            var object: [String: JSONValue] = [:]
            object.reserveCapacity(members.count)
            for (key, value) in members { object[key] = value.build() }
            return .object(object)
        }
    }

    /// Appends the canonical bytes of ``build()`` without building it (members in RFC 8785 key order).
    func writeCanonical(into out: inout [UInt8]) {
        switch kind {
        case .empty:
            out.append(contentsOf: [UInt8(ascii: "{"), UInt8(ascii: "}")])
        case .single:
            single.writeCanonical(into: &out)
        case .array:
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object:
            out.append(UInt8(ascii: "{"))
            // The members' positions in RFC 8785 key order, sorted in a temporary buffer (on the stack when small):
            // an insertion sort for the handful of keys most objects have.
            let members = self.members
            withUnsafeTemporaryAllocation(of: Int.self, capacity: members.count) { order in
                let precedes = { (a: Int, b: Int) in JSONValue.utf16Precedes(members[a].key, members[b].key) }
                if members.count <= 16 {
                    for i in 0..<members.count {
                        var j = i
                        while j > 0, precedes(i, order[j - 1]) {
                            order[j] = order[j - 1]
                            j -= 1
                        }
                        order[j] = i
                    }
                } else {
                    var all = order
                    for i in 0..<members.count { all[i] = i }
                    all.sort(by: precedes)
                }
                for n in 0..<members.count {
                    if n > 0 { out.append(UInt8(ascii: ",")) }
                    let member = members[order[n]]
                    JSONValue.writeString(member.key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    member.value.writeCanonical(into: &out)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// The child container stored under `key`, reusing an existing one of the same kind.
    func child(forKey key: String, kind: Kind) -> JSONEncodingNode {
        if let i = position(of: key), case .node(let existing) = members[i].value, existing.kind == kind { return existing }
        let node = JSONEncodingNode(kind: kind)
        setMember(key, .node(node))
        return node
    }

    /// Sets the member `key` (replacing an earlier value of the same key).
    func setMember(_ key: String, _ value: JSONEncodingSlot) {
        if let i = position(of: key) {
            members[i].value = value
            return
        }
        if members.isEmpty { members.reserveCapacity(4) }
        memberIndex?[key] = members.count
        members.append((key, value))
    }

    private func position(of key: String) -> Int? {
        if let memberIndex { return memberIndex[key] }
        guard members.count > 12 else { return members.firstIndex { $0.key == key } }
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count * 2)
        for (i, member) in members.enumerated() { index[member.key] = i }
        memberIndex = index
        return index[key]
    }

    /// Appends a new child container.
    func appendChild(kind: Kind) -> JSONEncodingNode {
        let node = JSONEncodingNode(kind: kind)
        items.append(.node(node))
        return node
    }
}

// MARK: - Encoder

struct JSONValueEncoderImpl: Encoder {
    let context: JSONEncodingContext
    let node: JSONEncodingNode
    /// Where this encoder writes (kept in its node, so that the encoder stays small enough for an `any Encoder`
    /// without a box): built into a coding path only when something asks for it (an error, a nested container), so
    /// encoding an array element allocates no path.
    var path: EncodingPath { node.path }

    var codingPath: [any CodingKey] { path.keys }

    init(context: JSONEncodingContext, node: JSONEncodingNode, path: EncodingPath) {
        self.context = context
        self.node = node
        node.path = path
    }

    init(context: JSONEncodingContext, node: JSONEncodingNode, codingPath: [any CodingKey]) {
        self.init(context: context, node: node, path: EncodingPath(parent: codingPath, last: nil))
    }

    var userInfo: [CodingUserInfoKey: Any] { context.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        switch node.kind {
        case .object: break
        case .empty: node.kind = .object
        case .single, .array:
            context.recordMisuse(
                "A keyed container was requested from an encoder that already encoded another kind of value.",
                codingPath: codingPath)
            node.kind = .object
        }
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<Key>(encoder: self, node: node))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        switch node.kind {
        case .array: break
        case .empty: node.kind = .array
        case .single, .object:
            context.recordMisuse(
                "An unkeyed container was requested from an encoder that already encoded another kind of value.",
                codingPath: codingPath)
            node.kind = .array
        }
        return JSONUnkeyedEncodingContainer(encoder: self, node: node)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        JSONSingleValueEncodingContainer(encoder: self)
    }
}

// MARK: - Keyed

struct JSONKeyedEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoderImpl
    let node: JSONEncodingNode

    var codingPath: [any CodingKey] { encoder.codingPath }

    private func path(_ key: Key) -> [any CodingKey] { encoder.codingPath.appendingKey(key) }

    private func set(_ value: JSONValue, _ key: Key) {
        node.setMember(key.stringValue, .value(value))
    }

    mutating func encodeNil(forKey key: Key) throws { set(.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { set(.bool(value), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { set(.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: Int128, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }
    mutating func encode(_ value: UInt128, forKey key: Key) throws { set(try JSONEncodingContext.number(value, path(key)), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        node.setMember(key.stringValue, try encoder.context.box(value, path: EncodingPath(parent: encoder.codingPath, last: .key(key))))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let child = node.child(forKey: key.stringValue, kind: .object)
        let nested = JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: path(key))
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(encoder: nested, node: child))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.child(forKey: key.stringValue, kind: .array)
        let nested = JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: path(key))
        return JSONUnkeyedEncodingContainer(encoder: nested, node: child)
    }

    mutating func superEncoder() -> any Encoder {
        superEncoder(name: JSONCodingKey.super.stringValue, key: JSONCodingKey.super)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        superEncoder(name: key.stringValue, key: key)
    }

    private func superEncoder(name: String, key: any CodingKey) -> any Encoder {
        let child = JSONEncodingNode()
        node.setMember(name, .node(child))
        return JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: encoder.codingPath.appendingKey(key))
    }
}

// MARK: - Unkeyed

struct JSONUnkeyedEncodingContainer: UnkeyedEncodingContainer {
    let encoder: JSONValueEncoderImpl
    let node: JSONEncodingNode

    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { node.items.count }

    /// The encoder's coding path, built once per container (not once per element).
    private let basePath: [any CodingKey]

    init(encoder: JSONValueEncoderImpl, node: JSONEncodingNode) {
        self.encoder = encoder
        self.node = node
        self.basePath = encoder.codingPath
    }

    private var nextPath: [any CodingKey] { basePath.appendingKey(JSONCodingKey(index: node.items.count)) }

    private func append(_ value: JSONValue) {
        node.items.append(.value(value))
    }

    mutating func encodeNil() throws { append(.null) }
    mutating func encode(_ value: Bool) throws { append(.bool(value)) }
    mutating func encode(_ value: String) throws { append(.string(value)) }
    mutating func encode(_ value: Double) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Float) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int8) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int16) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int32) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int64) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: Int128) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt8) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt16) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt32) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt64) throws { append(try JSONEncodingContext.number(value, nextPath)) }
    mutating func encode(_ value: UInt128) throws { append(try JSONEncodingContext.number(value, nextPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let slot = try encoder.context.box(value, path: EncodingPath(parent: basePath, last: .index(node.items.count)))
        node.items.append(slot)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let path = nextPath
        let child = node.appendChild(kind: .object)
        let nested = JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: path)
        return KeyedEncodingContainer(JSONKeyedEncodingContainer<NestedKey>(encoder: nested, node: child))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let path = nextPath
        let child = node.appendChild(kind: .array)
        let nested = JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: path)
        return JSONUnkeyedEncodingContainer(encoder: nested, node: child)
    }

    mutating func superEncoder() -> any Encoder {
        let path = nextPath
        let child = node.appendChild(kind: .empty)
        return JSONValueEncoderImpl(context: encoder.context, node: child, codingPath: path)
    }
}

// MARK: - Single value

struct JSONSingleValueEncodingContainer: SingleValueEncodingContainer {
    let encoder: JSONValueEncoderImpl

    var codingPath: [any CodingKey] { encoder.codingPath }

    /// Throws unless nothing has been encoded through this encoder yet.
    private func checkEmpty(_ value: Any) throws {
        guard encoder.node.kind == .empty else {
            throw EncodingError.invalidValue(
                value,
                EncodingError.Context(
                    codingPath: codingPath,
                    debugDescription: "A single value container cannot encode a value after something else was encoded."))
        }
    }

    private func store(_ slot: JSONEncodingSlot, _ value: Any) throws {
        try checkEmpty(value)
        encoder.node.kind = .single
        encoder.node.single = slot
    }

    private func store(_ value: JSONValue) throws { try store(.value(value), value) }

    mutating func encodeNil() throws { try store(.null) }
    mutating func encode(_ value: Bool) throws { try store(.bool(value)) }
    mutating func encode(_ value: String) throws { try store(.string(value)) }
    mutating func encode(_ value: Double) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Float) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int8) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int16) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int32) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int64) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: Int128) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt8) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt16) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt32) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt64) throws { try store(JSONEncodingContext.number(value, codingPath)) }
    mutating func encode(_ value: UInt128) throws { try store(JSONEncodingContext.number(value, codingPath)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try checkEmpty(value)
        try store(encoder.context.box(value, path: encoder.path), value)
    }
}
