import Foundation

extension ReactorConfiguration {
    /// The rules of `[vault]` for `backend = "openbao"`: an http(s) address, a token, a mount, a positive timeout.
    func vaultProblems(_ add: (String, String) -> Void) {
        if !(vault.timeoutSeconds > 0 && vault.timeoutSeconds.isFinite) {
            add("vault.timeout_seconds", "must be a number greater than 0, got \(vault.timeoutSeconds)")
        }
        guard vault.backend == .openbao else { return }
        if let address = plain(vault.address) {
            let scheme = URLComponents(string: address)?.scheme?.lowercased()
            if address.isEmpty {
                add("vault.address", "must be set for backend = \"openbao\" (the server's URL)")
            } else if scheme != "http" && scheme != "https" || URLComponents(string: address)?.host?.isEmpty != false {
                add("vault.address", "\(ConfigValue.tomlString(address)) is not an http:// or https:// URL")
            }
        }
        if let token = plain(vault.token), token.isEmpty {
            add("vault.token", "must be set for backend = \"openbao\" (give it as token = \"env:NAME\")")
        }
        if let mount = plain(vault.mount), mount.isEmpty {
            add("vault.mount", "must not be empty for backend = \"openbao\"")
        }
    }
}
