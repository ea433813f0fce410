/// One operation of an RFC 6902 JSON Patch: `add`, `remove` or `replace` at an RFC 6901 JSON Pointer.
///
/// Encoded as `{"op": "add", "path": "/items/0", "value": …}` (`remove` has no `value`; a `value` of JSON `null` is
/// written, as RFC 6902 requires).
public struct JSONPatchOperation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The operations ``JSONPatch`` writes (the other RFC 6902 operations, `move`, `copy` and `test`, are not used).
    public enum Kind: String, Sendable, Hashable, Codable {
        case add, remove, replace
    }

    /// What the operation does.
    public var op: Kind
    /// Where: an RFC 6901 JSON Pointer (`""` is the whole document, `/a~1b/0` is member `a/b`'s first element).
    public var path: String
    /// The value added or put in place; nil for `remove`.
    public var value: JSONValue?

    public init(op: Kind, path: String, value: JSONValue? = nil) {
        self.op = op
        self.path = path
        self.value = value
    }

    /// `add` of `value` at `path`.
    public static func add(_ path: String, _ value: JSONValue) -> JSONPatchOperation { .init(op: .add, path: path, value: value) }
    /// `remove` of what is at `path`.
    public static func remove(_ path: String) -> JSONPatchOperation { .init(op: .remove, path: path) }
    /// `replace` of what is at `path` with `value`.
    public static func replace(_ path: String, _ value: JSONValue) -> JSONPatchOperation { .init(op: .replace, path: path, value: value) }

    /// The operation as a JSON object.
    public var json: JSONValue {
        var members: [String: JSONValue] = ["op": .string(op.rawValue), "path": .string(path)]
        if op != .remove { members["value"] = value ?? .null }
        return .object(members)
    }

    public var description: String { json.canonicalString }

    enum CodingKeys: String, CodingKey { case op, path, value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        op = try container.decode(Kind.self, forKey: .op)
        path = try container.decode(String.self, forKey: .path)
        // A present `"value": null` is the value null, not an absent value.
        if !container.contains(.value) {
            value = nil
        } else if try container.decodeNil(forKey: .value) {
            value = .null
        } else {
            value = try container.decode(JSONValue.self, forKey: .value)
        }
        if op != .remove, value == nil {
            throw DecodingError.keyNotFound(CodingKeys.value, .init(codingPath: container.codingPath, debugDescription: "'\(op.rawValue)' needs a 'value'"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(op, forKey: .op)
        try container.encode(path, forKey: .path)
        if op != .remove { try container.encode(value ?? .null, forKey: .value) }
    }
}

/// RFC 6902 JSON Patch between two JSON values, and its application.
///
/// ``diff(from:to:)`` writes only `add`, `remove` and `replace`. Objects are compared member by member (in key order,
/// removals first); arrays keep their common prefix and suffix and compare the elements between by position, then add
/// the extra elements of the target or remove the extra elements of the source from the highest index down; any
/// other change replaces the value. Applying the patch to `from` gives exactly `to`
/// (``apply(_:to:)``; checked against the PyPI `jsonpatch` package in the tests).
public enum JSONPatch {
    /// The operations that turn `from` into `to` (empty when they are equal).
    public static func diff(from: JSONValue, to: JSONValue) -> [JSONPatchOperation] {
        var out: [JSONPatchOperation] = []
        diff(from, to, path: "", into: &out)
        return out
    }

    private static func diff(_ a: JSONValue, _ b: JSONValue, path: String, into out: inout [JSONPatchOperation]) {
        if a == b { return }
        switch (a, b) {
        case (.object(let x), .object(let y)):
            for key in x.keys.sorted() {
                let member = path + "/" + escape(key)
                if let to = y[key] { diff(x[key]!, to, path: member, into: &out) } else { out.append(.remove(member)) }
            }
            for key in y.keys.sorted() where x[key] == nil {
                out.append(.add(path + "/" + escape(key), y[key]!))
            }
        case (.array(let x), .array(let y)):
            var prefix = 0
            while prefix < min(x.count, y.count), x[prefix] == y[prefix] { prefix += 1 }
            var suffix = 0
            while suffix < min(x.count, y.count) - prefix, x[x.count - 1 - suffix] == y[y.count - 1 - suffix] { suffix += 1 }
            let fromMiddle = x.count - prefix - suffix, toMiddle = y.count - prefix - suffix
            for i in 0..<min(fromMiddle, toMiddle) {
                diff(x[prefix + i], y[prefix + i], path: path + "/" + String(prefix + i), into: &out)
            }
            if toMiddle > fromMiddle {
                for i in fromMiddle..<toMiddle { out.append(.add(path + "/" + String(prefix + i), y[prefix + i])) }
            } else {
                for i in (toMiddle..<fromMiddle).reversed() { out.append(.remove(path + "/" + String(prefix + i))) }
            }
        default:
            out.append(.replace(path, b))
        }
    }

    /// `patch` applied to `document`, operation by operation. Throws `INVALID_INPUT` (with the operation's index as
    /// `path`, e.g. `patch[2]`) when an operation's pointer does not name a place it can apply to.
    public static func apply(_ patch: [JSONPatchOperation], to document: JSONValue) throws -> JSONValue {
        var out = document
        for (i, operation) in patch.enumerated() {
            guard let tokens = pointerTokens(operation.path) else {
                throw ReactorError.invalidInput("'\(operation.path)' is not a JSON Pointer", path: "patch[\(i)]")
            }
            do {
                out = try apply(operation, tokens[...], to: out)
            } catch let failure as Failure {
                throw ReactorError.invalidInput("\(operation.op.rawValue) at '\(operation.path)': \(failure.reason)", path: "patch[\(i)]")
            }
        }
        return out
    }

    private struct Failure: Error { let reason: String }

    private static func apply(_ operation: JSONPatchOperation, _ tokens: ArraySlice<String>, to value: JSONValue) throws -> JSONValue {
        guard let token = tokens.first else {
            // The whole (sub)document.
            switch operation.op {
            case .add, .replace: return operation.value ?? .null
            case .remove: throw Failure(reason: "the whole document cannot be removed")
            }
        }
        let last = tokens.count == 1
        switch value {
        case .object(var members):
            if last {
                switch operation.op {
                case .add: members[token] = operation.value ?? .null
                case .replace:
                    guard members[token] != nil else { throw Failure(reason: "no member '\(token)'") }
                    members[token] = operation.value ?? .null
                case .remove:
                    guard members.removeValue(forKey: token) != nil else { throw Failure(reason: "no member '\(token)'") }
                }
            } else {
                guard let child = members[token] else { throw Failure(reason: "no member '\(token)'") }
                members[token] = try apply(operation, tokens.dropFirst(), to: child)
            }
            return .object(members)
        case .array(var elements):
            if last, operation.op == .add, token == "-" {
                elements.append(operation.value ?? .null)
                return .array(elements)
            }
            guard let index = arrayIndex(token) else { throw Failure(reason: "'\(token)' is not an array index") }
            if last, operation.op == .add {
                guard index <= elements.count else { throw Failure(reason: "index \(index) is past the end (\(elements.count))") }
                elements.insert(operation.value ?? .null, at: index)
                return .array(elements)
            }
            guard index < elements.count else { throw Failure(reason: "no element \(index) (\(elements.count) elements)") }
            if last {
                if operation.op == .remove { elements.remove(at: index) } else { elements[index] = operation.value ?? .null }
            } else {
                elements[index] = try apply(operation, tokens.dropFirst(), to: elements[index])
            }
            return .array(elements)
        default:
            throw Failure(reason: "a \(value.kindName) has no member '\(token)'")
        }
    }

    /// An array index token: `0`, or digits without a leading zero.
    private static func arrayIndex(_ token: String) -> Int? {
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              token == "0" || !token.hasPrefix("0") else { return nil }
        return Int(token)
    }

    /// A reference token escaped for a JSON Pointer (RFC 6901: `~` is `~0`, `/` is `~1`).
    public static func escape(_ token: String) -> String {
        // By Unicode scalar: a `~` followed by a combining mark is one Character but still a `~`.
        guard token.unicodeScalars.contains(where: { $0 == "~" || $0 == "/" }) else { return token }
        var out = String.UnicodeScalarView()
        for c in token.unicodeScalars {
            switch c {
            case "~": out.append(contentsOf: "~0".unicodeScalars)
            case "/": out.append(contentsOf: "~1".unicodeScalars)
            default: out.append(c)
            }
        }
        return String(out)
    }

    /// The JSON Pointer of `tokens` (`[]` is `""`, the whole document).
    public static func pointer(_ tokens: [String]) -> String {
        tokens.map { "/" + escape($0) }.joined()
    }

    /// The unescaped reference tokens of a JSON Pointer; nil when it is not one (not empty and not starting with `/`,
    /// or a `~` not followed by `0` or `1`).
    public static func pointerTokens(_ pointer: String) -> [String]? {
        if pointer.isEmpty { return [] }
        guard pointer.hasPrefix("/") else { return nil }
        var tokens: [String] = []
        for raw in pointer.unicodeScalars.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            var token = String.UnicodeScalarView()
            var iterator = raw.makeIterator()
            while let c = iterator.next() {
                guard c == "~" else { token.append(c); continue }
                switch iterator.next() {
                case "0": token.append("~")
                case "1": token.append("/")
                default: return nil
                }
            }
            tokens.append(String(token))
        }
        return tokens
    }
}
