import Testing

extension Tag {
    /// The hostile-clients suite: `reactor serve` driven on loopback as an attacker or a careless client would
    /// (floods, slow readers, malformed and half-sent connections, forged signatures, admin calls without a
    /// credential). Run only these with `swift test --filter HostileClients`.
    @Tag static var hostileClients: Self
}
