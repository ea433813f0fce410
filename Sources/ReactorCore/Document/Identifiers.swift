/// The rules for document ids, slugs, branches, scopes and action ids: defined here once, and applied by the
/// engine (every submitted job), the HTTP routes and the CLI alike, so that whatever one accepts the others can
/// address.
///
/// | identifier | bytes | characters |
/// |---|---|---|
/// | document id | 1–256 | `A–Z a–z 0–9` and `- _ . ~ : @ + =`; not `.` or `..` |
/// | slug | 1–128 | `A–Z a–z 0–9` and `- _ .`; not `.` or `..` |
/// | branch | 1–128 | `A–Z a–z 0–9` and `- _ . /`; no `/` first, last or twice in a row, no `..` |
/// | scope | 1–64 | `A–Z a–z 0–9` and `- _` |
/// | action id | 1–256 | any character but control and Unicode format characters (bidi overrides, zero-width …) |
/// | action type | 1–128 | any character but control and Unicode format characters |
/// | document type | 1–256 | `A–Z a–z 0–9` and `- _ . / @ :` |
/// | relationship type | 1–64 | `A–Z a–z 0–9` and `- _ .` |
///
/// Document ids and slugs fit in a URL path segment without escaping; a branch travels in a query parameter.
/// Every check throws `INVALID_INPUT` (or `MISSING_ACTION_ID` for an empty action id) with the field's path.
public enum Identifiers {
    /// One kind of identifier and its rule.
    public struct Rule: Sendable {
        /// What the identifier is called in messages ("document id", "slug", …).
        public let name: String
        /// The longest value, in UTF-8 bytes.
        public let maxBytes: Int
        /// The characters allowed, as told in messages.
        public let allowed: String
        let accepts: @Sendable (Unicode.Scalar) -> Bool
        let extra: (@Sendable (String) -> String?)?
        /// `accepts` for the 128 ASCII scalars, as bits (the common case, checked byte by byte).
        private let asciiLow: UInt64
        private let asciiHigh: UInt64

        init(name: String, maxBytes: Int, allowed: String, accepts: @escaping @Sendable (Unicode.Scalar) -> Bool,
             extra: (@Sendable (String) -> String?)?) {
            self.name = name
            self.maxBytes = maxBytes
            self.allowed = allowed
            self.accepts = accepts
            self.extra = extra
            var low: UInt64 = 0
            var high: UInt64 = 0
            for value in UInt8(0)..<128 where accepts(Unicode.Scalar(value)) {
                if value < 64 { low |= 1 << UInt64(value) } else { high |= 1 << UInt64(value - 64) }
            }
            asciiLow = low
            asciiHigh = high
        }

        /// Whether every character of `value` is allowed.
        private func acceptsAll(_ value: String) -> Bool {
            for byte in value.utf8 {
                if byte >= 128 { return value.unicodeScalars.allSatisfy(accepts) }
                let allowed = byte < 64 ? asciiLow & (1 << UInt64(byte)) : asciiHigh & (1 << UInt64(byte - 64))
                if allowed == 0 { return false }
            }
            return true
        }

        /// Throws `INVALID_INPUT` naming `path` when `value` breaks this rule.
        public func check(_ value: String, path: String) throws {
            if let problem = problem(value) {
                throw ReactorError(.invalidInput, "\(name) '\(Identifiers.printable(value))' \(problem)", details: ["path": path])
            }
        }

        /// Why `value` breaks this rule, or nil when it does not.
        public func problem(_ value: String) -> String? {
            guard !value.isEmpty, value.utf8.count <= maxBytes else { return "must be 1–\(maxBytes) bytes long" }
            guard acceptsAll(value) else { return "may contain only \(allowed)" }
            return extra?(value)
        }
    }

    /// Document ids.
    public static let documentID = Rule(
        name: "document id", maxBytes: 256, allowed: "A–Z, a–z, 0–9 and - _ . ~ : @ + =",
        accepts: { isASCIIAlphanumeric($0) || "-_.~:@+=".unicodeScalars.contains($0) },
        extra: { $0 == "." || $0 == ".." ? "must not be '.' or '..'" : nil })

    /// Slugs.
    public static let slug = Rule(
        name: "slug", maxBytes: 128, allowed: "A–Z, a–z, 0–9 and - _ .",
        accepts: { isASCIIAlphanumeric($0) || "-_.".unicodeScalars.contains($0) },
        extra: { $0 == "." || $0 == ".." ? "must not be '.' or '..'" : nil })

    /// Branch names.
    public static let branch = Rule(
        name: "branch", maxBytes: 128, allowed: "A–Z, a–z, 0–9 and - _ . /",
        accepts: { isASCIIAlphanumeric($0) || "-_./".unicodeScalars.contains($0) },
        extra: { value in
            if value.hasPrefix("/") || value.hasSuffix("/") || value.contains("//") { return "must not start or end with '/' or contain '//'" }
            if value.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) { return "must not have a '.' or '..' part" }
            return nil
        })

    /// Scope names.
    public static let scope = Rule(
        name: "scope", maxBytes: 64, allowed: "A–Z, a–z, 0–9 and - _",
        accepts: { isASCIIAlphanumeric($0) || $0 == "-" || $0 == "_" }, extra: nil)

    /// Action ids (chosen by clients; they make re-delivery safe).
    public static let actionID = Rule(
        name: "action id", maxBytes: 256, allowed: "characters other than control and format characters",
        accepts: { !isControlOrFormat($0) }, extra: nil)

    /// Action types (`ADD_TODO`, `CREATE_DOCUMENT`, …; the model decides which exist).
    public static let actionType = Rule(
        name: "action type", maxBytes: 128, allowed: "characters other than control and format characters",
        accepts: { !isControlOrFormat($0) }, extra: nil)

    /// Document types (`reactor/todo-list`; the registered models decide which exist).
    public static let documentType = Rule(
        name: "document type", maxBytes: 256, allowed: "A–Z, a–z, 0–9 and - _ . / @ :",
        accepts: { isASCIIAlphanumeric($0) || "-_./@:".unicodeScalars.contains($0) }, extra: nil)

    /// Relationship types (`child`).
    public static let relationshipType = Rule(
        name: "relationship type", maxBytes: 64, allowed: "A–Z, a–z, 0–9 and - _ .",
        accepts: { isASCIIAlphanumeric($0) || "-_.".unicodeScalars.contains($0) }, extra: nil)

    /// Sync remote names (`reactor sync add NAME …`).
    public static let remoteName = Rule(
        name: "remote name", maxBytes: 64, allowed: "A–Z, a–z, 0–9 and - _ .",
        accepts: { isASCIIAlphanumeric($0) || "-_.".unicodeScalars.contains($0) },
        extra: { $0 == "." || $0 == ".." ? "must not be '.' or '..'" : nil })

    /// Sync channel ids and reactor ids (a UUID, or any such token a peer chose).
    public static let channelID = Rule(
        name: "channel id", maxBytes: 128, allowed: "A–Z, a–z, 0–9 and - _ .",
        accepts: { isASCIIAlphanumeric($0) || "-_.".unicodeScalars.contains($0) },
        extra: { $0 == "." || $0 == ".." ? "must not be '.' or '..'" : nil })

    /// Checks an action's id, type and scope; an empty id is `MISSING_ACTION_ID`.
    public static func check(_ action: Action, path: String) throws {
        guard !action.id.isEmpty else {
            throw ReactorError(.missingActionID, "every action needs an 'id' (any unique string; it makes retries safe)",
                               details: ["path": "\(path).id"])
        }
        try actionID.check(action.id, path: "\(path).id")
        try actionType.check(action.type, path: "\(path).type")
        try scope.check(action.scope, path: "\(path).scope")
    }

    /// Whether `scalar` is a control character (`Cc`) or a Unicode format character (`Cf`: bidi overrides and
    /// isolates, zero-width joiners and spaces, the byte order mark, …), which can make two different identifiers
    /// look the same.
    public static func isControlOrFormat(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII (nearly every identifier) without the Unicode tables: C0 controls and DEL; ASCII has no `Cf`.
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        return switch scalar.properties.generalCategory {
        case .control, .format: true
        default: false
        }
    }

    static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        default: false
        }
    }

    /// `value` for a message: control and format characters shown as `\u{…}`, at most 64 characters.
    static func printable(_ value: String) -> String {
        var out = ""
        for scalar in value.unicodeScalars.prefix(64) {
            if isControlOrFormat(scalar) { out += "\\u{\(String(scalar.value, radix: 16))}" } else { out.unicodeScalars.append(scalar) }
        }
        return value.unicodeScalars.count > 64 ? out + "…" : out
    }
}
