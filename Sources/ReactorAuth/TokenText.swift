import ReactorCore

/// Checks on the raw bearer token text, shared by every verifier before it parses or forwards a token.
enum TokenText {
    /// The longest token accepted (bytes). Real tokens are well under 8 KiB; longer input is rejected unparsed.
    static let maximumLength = 16 * 1024

    /// Throws `TOKEN_MALFORMED` unless `token` is non-empty, at most ``maximumLength`` bytes and printable ASCII
    /// (what may appear in an `Authorization` header).
    static func check(_ token: String) throws(ReactorError) {
        let utf8 = token.utf8
        if utf8.isEmpty { throw ReactorError(.tokenMalformed, "the token is empty") }
        if utf8.count > maximumLength {
            throw ReactorError(
                .tokenMalformed, "the token is \(utf8.count) bytes long; at most \(maximumLength) bytes are accepted")
        }
        if utf8.contains(where: { $0 < 0x21 || $0 > 0x7E }) {
            throw ReactorError(.tokenMalformed, "the token contains characters other than printable ASCII")
        }
    }
}
