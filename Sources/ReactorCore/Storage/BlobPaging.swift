/// Listing and multipart rules that every adapter keeping its own index (filesystem, memory) shares, so they answer
/// alike.
public enum BlobPaging {
    /// One page of `objects` (sorted by key): those whose keys start with `prefix`, after the key `continuation`
    /// names, at most `limit`. Throws ``ReactorError/Code/invalidArgument`` for a limit outside 1–1000 or a malformed
    /// continuation.
    public static func page(_ objects: [BlobInfo], prefix: String, continuation: String?, limit: Int) throws -> BlobListing {
        try checkLimit(limit)
        let after = try continuation.map(decodeContinuation)
        var selected: [BlobInfo] = []
        var more = false
        for info in objects where info.key.rawValue.hasPrefix(prefix) {
            if let after, !(after < info.key.rawValue.utf8) { continue }
            if selected.count == limit {
                more = true
                break
            }
            selected.append(info)
        }
        let next = more ? selected.last.map { Base64URL.encode(Array($0.key.rawValue.utf8)) } : nil
        return BlobListing(objects: selected, nextContinuation: next)
    }

    /// Throws ``ReactorError/Code/invalidArgument`` unless `limit` is 1–1000.
    public static func checkLimit(_ limit: Int) throws {
        guard (1...BlobStoreLimits.maximumListLimit).contains(limit) else {
            throw ReactorError(.invalidArgument, "limit must be 1 to \(BlobStoreLimits.maximumListLimit)", details: ["field": "limit"])
        }
    }

    private static func decodeContinuation(_ text: String) throws -> ContinuationKey {
        guard let bytes = Base64URL.decode(text), !bytes.isEmpty, bytes.count <= BlobKey.maxLength else {
            throw ReactorError(.invalidArgument, "the continuation is not one a listing returned", details: ["field": "continuation"])
        }
        return ContinuationKey(bytes: bytes)
    }

    /// Checks a multipart completion against the uploaded parts: at least one part, numbers strictly ascending, every
    /// part uploaded with that ETag, every part but the last at least ``BlobStoreLimits/minimumPartSize`` bytes.
    /// Returns the uploaded parts in order. Throws ``ReactorError/Code/invalidPart``.
    public static func checkCompletion(_ parts: [BlobPart], uploaded: [Int: BlobPart]) throws -> [BlobPart] {
        func fail(_ message: String) -> ReactorError { ReactorError(.invalidPart, message) }
        guard !parts.isEmpty else { throw fail("a multipart upload needs at least one part") }
        var previous = 0
        var result: [BlobPart] = []
        for (index, part) in parts.enumerated() {
            guard part.number > previous else { throw fail("parts must be listed in ascending order of their numbers") }
            previous = part.number
            guard let stored = uploaded[part.number] else { throw fail("part \(part.number) was not uploaded") }
            guard stored.etag == part.etag else { throw fail("part \(part.number) has another ETag than the one uploaded") }
            if index < parts.count - 1, stored.size < Int64(BlobStoreLimits.minimumPartSize) {
                throw fail("part \(part.number) is smaller than \(BlobStoreLimits.minimumPartSize) bytes and is not the last")
            }
            result.append(stored)
        }
        return result
    }

    /// Throws ``ReactorError/Code/invalidArgument`` unless `number` is 1–10,000.
    public static func checkPartNumber(_ number: Int) throws {
        guard (1...BlobStoreLimits.maximumPartNumber).contains(number) else {
            throw ReactorError(.invalidArgument, "part numbers are 1 to \(BlobStoreLimits.maximumPartNumber)", details: ["field": "partNumber"])
        }
    }

    private struct ContinuationKey {
        let bytes: [UInt8]
        static func < (lhs: ContinuationKey, rhs: String.UTF8View) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs) }
    }
}
