extension ReactorError.Code {
    /// A remote vault (OpenBao, Vault) cannot be used: unreachable, too slow, sealed, failing, or it refused the
    /// token; `details.backend` names it. HTTP 503.
    public static let vaultUnavailable = ReactorError.Code("VAULT_UNAVAILABLE")
}
