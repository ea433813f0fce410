import Foundation
import ReactorCore

/// How an ``OpenBaoVault`` reaches its server: `[vault] backend = "openbao"` and its keys.
public struct OpenBaoConfiguration: Sendable, Hashable {
    /// The server's base URL (`https://bao.example.com:8200`), without `/v1`.
    public var address: String
    /// The token sent as `X-Vault-Token` (resolved: the configuration gives it as an `env:` reference).
    public var token: String
    /// The path the KV version 2 engine is mounted at (`secret`).
    public var mount: String
    /// The namespace sent as `X-Vault-Namespace` (Vault Enterprise and OpenBao namespaces); nil sends none.
    public var namespace: String?
    /// How long one request may take, connecting included.
    public var timeout: Duration

    /// A configuration with the given values; see ``validate()``.
    public init(address: String, token: String, mount: String = "secret", namespace: String? = nil, timeout: Duration = .seconds(10)) {
        self.address = address
        self.token = token
        self.mount = mount
        self.namespace = namespace
        self.timeout = timeout
    }

    /// Throws ``ReactorError/Code/configInvalid`` naming the `vault.*` key of a bad value.
    public func validate() throws {
        func invalid(_ key: String, _ why: String) -> ReactorError {
            ReactorError(.configInvalid, "vault.\(key): \(why)", details: ["key": "vault.\(key)"])
        }
        guard let components = URLComponents(string: address), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", components.host?.isEmpty == false, components.query == nil
        else {
            throw invalid("address", "'\(address)' is not an http:// or https:// URL with a host")
        }
        guard !token.isEmpty, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw invalid("token", "the token is empty or has spaces or control characters")
        }
        guard (try? VaultPath.validate(mount)) != nil else {
            throw invalid("mount", "'\(mount)' is not a mount path (letters, digits, _ - . and /)")
        }
        if let namespace {
            guard (try? VaultPath.validate(namespace)) != nil else {
                throw invalid("namespace", "'\(namespace)' is not a namespace path (letters, digits, _ - . and /)")
            }
        }
        guard timeout > .zero else { throw invalid("timeout_seconds", "it must be positive") }
    }
}
