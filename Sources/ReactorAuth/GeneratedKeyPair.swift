/// A freshly generated asymmetric key pair as PEM text (a private key, and a SubjectPublicKeyInfo public key).
public struct GeneratedKeyPair: Sendable, Hashable {
    /// The algorithm the pair signs with.
    public var algorithm: TokenSigningAlgorithm
    /// The private key (`-----BEGIN … PRIVATE KEY-----`), for ``TokenIssuer/init(privateKeyPEM:keyID:)``.
    public var privateKeyPEM: String
    /// The public key (`-----BEGIN PUBLIC KEY-----`), for ``JWTAuthConfiguration/publicKeysPEM``.
    public var publicKeyPEM: String

    /// Pairs the two PEM texts.
    public init(algorithm: TokenSigningAlgorithm, privateKeyPEM: String, publicKeyPEM: String) {
        self.algorithm = algorithm
        self.privateKeyPEM = privateKeyPEM
        self.publicKeyPEM = publicKeyPEM
    }
}
