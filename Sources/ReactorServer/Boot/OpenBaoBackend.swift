import ReactorConfig
import ReactorCore

#if OpenBao
import ReactorOpenBao

/// Opens the OpenBao / Vault KV v2 vault named by `[vault] backend = "openbao"`.
enum OpenBaoBackend {
    static func open(_ setup: ReactorConfiguration.VaultSetup) throws -> any Vault {
        let remote = setup.remote
        return try OpenBaoVault(configuration: OpenBaoConfiguration(
            address: remote.address, token: remote.token, mount: remote.mount, namespace: remote.namespace, timeout: remote.timeout))
    }
}
#else

/// Built without the `OpenBao` trait: an OpenBao configuration stops the boot with a message naming the trait.
enum OpenBaoBackend {
    static func open(_ setup: ReactorConfiguration.VaultSetup) throws -> any Vault {
        throw CompiledTraits.missing("OpenBao", key: "vault.backend", value: "openbao")
    }
}
#endif
