import Crypto
import CryptoExtras
import Foundation
import ReactorCore

/// Hashes and checks passwords with scrypt (swift-crypto's `KDF.Scrypt`, BoringSSL).
///
/// A hash is stored in PHC form: `$scrypt$ln=15,r=8,p=1$<salt>$<key>` (base64url, 16-byte salt, 32-byte key), so
/// hashes made with older parameters keep verifying after the cost is raised. Keys are compared in constant time.
public struct PasswordHasher: Sendable {
    /// The parameters new hashes use.
    public let parameters: ScryptParameters
    /// The shortest password accepted (in characters).
    public static let minimumLength = 8
    /// The longest password accepted (in UTF-8 bytes).
    public static let maximumBytes = 1024

    /// A hash of a random password made at startup, checked against when the account does not exist, so an unknown
    /// email costs as much as a wrong password.
    let dummyHash: String

    /// A hasher making new hashes with `parameters`.
    public init(parameters: ScryptParameters) throws(ReactorError) {
        self.parameters = parameters
        self.dummyHash = try Self.hash(UUID().uuidString + UUID().uuidString, parameters: parameters)
    }

    /// Checks a new password's length: `INVALID_INPUT` naming `field`.
    public static func checkPolicy(_ password: String, field: String) throws(ReactorError) {
        if password.count < minimumLength {
            throw ReactorError(
                .invalidInput, "the password must have at least \(minimumLength) characters", details: ["path": field])
        }
        if password.utf8.count > maximumBytes {
            throw ReactorError(
                .invalidInput, "the password must have at most \(maximumBytes) bytes", details: ["path": field])
        }
    }

    /// The PHC string of `password` with a fresh salt.
    public func hash(_ password: String) throws(ReactorError) -> String {
        try Self.hash(password, parameters: parameters)
    }

    /// Whether `password` matches `stored`; false for a malformed `stored`. Never returns early on the key bytes.
    public func verify(_ password: String, against stored: String) -> Bool {
        guard let parsed = Self.parse(stored),
            let key = try? Self.derive(password, salt: parsed.salt, parameters: parsed.parameters, count: parsed.key.count)
        else { return false }
        return Self.constantTimeEqual(key, parsed.key)
    }

    /// Spends the time of one ``verify(_:against:)`` for an account that does not exist, and answers false.
    public func verifyUnknownAccount(_ password: String) -> Bool {
        _ = verify(password, against: dummyHash)
        return false
    }

    static func hash(_ password: String, parameters: ScryptParameters) throws(ReactorError) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let key: [UInt8]
        do {
            key = try derive(password, salt: salt, parameters: parameters, count: 32)
        } catch {
            throw ReactorError(.internal, "scrypt failed: \(error)")
        }
        return "$scrypt$ln=\(parameters.logN),r=\(parameters.r),p=\(parameters.p)$\(Base64URL.encode(salt))$\(Base64URL.encode(key))"
    }

    private static func derive(_ password: String, salt: [UInt8], parameters: ScryptParameters, count: Int) throws -> [UInt8] {
        let key = try KDF.Scrypt.deriveKey(
            from: Array(password.utf8), salt: salt, outputByteCount: count, rounds: 1 << parameters.logN,
            blockSize: parameters.r, parallelism: parameters.p)
        return key.withUnsafeBytes { Array($0) }
    }

    private static func parse(_ stored: String) -> (parameters: ScryptParameters, salt: [UInt8], key: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [String: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2, let value = Int(kv[1]) else { return nil }
            values[String(kv[0])] = value
        }
        guard let logN = values["ln"], let r = values["r"], let p = values["p"], (1...20).contains(logN),
            (1...32).contains(r), (1...16).contains(p),
            let salt = Base64URL.decode(parts[3]), let key = Base64URL.decode(parts[4]),
            !key.isEmpty
        else { return nil }
        return (ScryptParameters(logN: logN, r: r, p: p), Array(salt), Array(key))
    }

    /// Whether `a` equals `b`, in time that depends only on their lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
