/// Direct conversion between ``DocumentHeader`` and ``JSONValue``, equal to its `Codable` form but without the
/// generic encoder: stores write a header with every commit.
extension DocumentHeader {
    /// The header as JSON (the same value `JSONValueCoder.encode(header)` gives).
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "documentType": .string(documentType),
            "modelVersion": .number(Double(modelVersion)), "branch": .string(branch),
            "createdAt": .number(Double(createdAt)), "lastModifiedAt": .number(Double(lastModifiedAt)),
            "revision": .object(revision.mapValues { .number(Double($0)) }), "meta": .object(meta),
        ]
        if let slug { o["slug"] = .string(slug) }
        if let deletedAt { o["deletedAt"] = .number(Double(deletedAt)) }
        if let signer {
            var s: [String: JSONValue] = ["algorithm": .string(signer.algorithm.rawValue), "publicKey": .string(signer.publicKey)]
            if let name = signer.name { s["name"] = .string(name) }
            o["signer"] = .object(s)
        }
        return .object(o)
    }

    /// Reads a header from its JSON form. Throws `INVALID_INPUT` naming the field when it does not match.
    public init(json: JSONValue) throws {
        func string(_ key: String) throws -> String {
            guard let s = json[key]?.stringValue else { throw ReactorError.invalidInput("header field '\(key)' must be a string", path: key) }
            return s
        }
        func int(_ key: String) throws -> Int {
            guard let n = json[key]?.intValue else { throw ReactorError.invalidInput("header field '\(key)' must be an integer", path: key) }
            return n
        }
        var revision: [String: Int] = [:]
        for (scope, value) in json["revision"]?.objectValue ?? [:] {
            guard let n = value.intValue else { throw ReactorError.invalidInput("header revision of '\(scope)' must be an integer", path: "revision.\(scope)") }
            revision[scope] = n
        }
        var signer: SignerInfo?
        if let s = json["signer"], s != .null {
            guard let raw = s["algorithm"]?.stringValue, let algorithm = SignatureAlgorithm(rawValue: raw), let key = s["publicKey"]?.stringValue else {
                throw ReactorError.invalidInput("header field 'signer' is malformed", path: "signer")
            }
            signer = SignerInfo(algorithm: algorithm, publicKey: key, name: s["name"]?.stringValue)
        }
        self.init(
            id: try string("id"), slug: json["slug"]?.stringValue, name: try string("name"), documentType: try string("documentType"),
            modelVersion: try int("modelVersion"), branch: try string("branch"), createdAt: Int64(try int("createdAt")),
            lastModifiedAt: Int64(try int("lastModifiedAt")), revision: revision, signer: signer,
            meta: json["meta"]?.objectValue ?? [:], deletedAt: json["deletedAt"]?.intValue.map(Int64.init))
    }
}
