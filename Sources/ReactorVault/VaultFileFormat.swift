import Crypto
import Foundation
import ReactorCore

/// The on-disk format of a ``FileVault`` (version 1).
///
/// ```
/// offset  size  field
///      0     8  magic "RCTVAULT"
///      8     1  format version (1)
///      9    16  key check: the first 16 bytes of HMAC-SHA256(master key, "reactor-vault-key-check-v1")
///     25    12  AES-GCM nonce (fresh for every write)
///     37     n  AES-256-GCM ciphertext of the JSON document {"secrets": {path: value}}
///   37+n    16  AES-GCM tag
/// ```
///
/// The first 25 bytes (magic, version, key check) are the AES-GCM additional authenticated data, so they cannot
/// be changed without failing authentication. The key check tells a wrong master key (``ReactorError/Code/vaultKey``)
/// apart from a damaged file (``ReactorError/Code/vaultCorrupt``); it reveals nothing about the key.
enum VaultFileFormat {
    static let magic: [UInt8] = Array("RCTVAULT".utf8)
    static let version: UInt8 = 1
    static let keyCheckLength = 16
    static let headerLength = 8 + 1 + 16
    static let nonceLength = 12
    static let tagLength = 16
    static let minimumLength = headerLength + nonceLength + tagLength

    /// The JSON document inside the ciphertext.
    struct Payload: Codable {
        var secrets: [String: String]
    }

    static func keyCheck(_ key: VaultKey) -> [UInt8] {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("reactor-vault-key-check-v1".utf8), using: key.symmetricKey)
        return Array(Array(mac).prefix(keyCheckLength))
    }

    static func header(_ key: VaultKey) -> [UInt8] {
        magic + [version] + keyCheck(key)
    }

    /// Encrypts `secrets` into the bytes of a vault file.
    static func encode(_ secrets: [String: String], key: VaultKey) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let plaintext: Data
        do {
            plaintext = try encoder.encode(Payload(secrets: secrets))
        } catch {
            throw ReactorError(.internal, "cannot encode the vault contents: \(error)")
        }
        let header = header(key)
        do {
            let box = try AES.GCM.seal(plaintext, using: key.symmetricKey, nonce: AES.GCM.Nonce(), authenticating: header)
            return header + Array(box.nonce) + Array(box.ciphertext) + Array(box.tag)
        } catch {
            throw ReactorError(.internal, "cannot encrypt the vault contents: \(error)")
        }
    }

    /// Decrypts the bytes of a vault file. `file` names the file in error messages.
    static func decode(_ bytes: [UInt8], key: VaultKey, file: String) throws -> [String: String] {
        func corrupt(_ why: String) -> ReactorError {
            ReactorError(.vaultCorrupt, "the vault file '\(file)' \(why)", details: ["file": file])
        }
        guard !bytes.isEmpty else { throw corrupt("is empty") }
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw corrupt("is not a Reactor vault file (its first bytes are not the vault marker)")
        }
        guard bytes.count > magic.count else { throw corrupt("is truncated (it ends after the vault marker)") }
        let fileVersion = bytes[magic.count]
        guard fileVersion == version else {
            throw corrupt("has format version \(fileVersion); this build reads version \(version)")
        }
        guard bytes.count >= minimumLength else {
            throw corrupt("is truncated (\(bytes.count) bytes, a vault file has at least \(minimumLength))")
        }
        let header = Array(bytes[0..<headerLength])
        guard Array(header[(magic.count + 1)...]) == keyCheck(key) else {
            throw ReactorError(
                .vaultKey, "the master key does not open this vault ('\(file)')",
                details: ["file": file, "keyFingerprint": key.fingerprint])
        }
        let plaintext: Data
        do {
            let nonce = try AES.GCM.Nonce(data: bytes[headerLength..<(headerLength + nonceLength)])
            let box = try AES.GCM.SealedBox(
                nonce: nonce,
                ciphertext: bytes[(headerLength + nonceLength)..<(bytes.count - tagLength)],
                tag: bytes[(bytes.count - tagLength)...])
            plaintext = try AES.GCM.open(box, using: key.symmetricKey, authenticating: header)
        } catch {
            throw corrupt("fails authentication: it was truncated or modified")
        }
        do {
            return try JSONDecoder().decode(Payload.self, from: plaintext).secrets
        } catch {
            throw corrupt("decrypts but does not hold a vault document")
        }
    }
}
