import Foundation

extension ReactorConfiguration {
    /// The rules of `[storage]` for `backend = "s3"`: an http(s) endpoint, a region, both keys, positive timeouts.
    func s3Problems(_ add: (String, String) -> Void) {
        for (key, seconds) in [("storage.connect_timeout_seconds", storage.connectTimeoutSeconds),
                               ("storage.request_timeout_seconds", storage.requestTimeoutSeconds)]
        where !(seconds > 0 && seconds <= 86_400) {
            add(key, "must be a number of seconds in (0, 86400], got \(seconds)")
        }
        guard storage.backend == .s3 else { return }
        if let endpoint = plain(storage.endpoint) {
            let components = URLComponents(string: endpoint)
            let scheme = components?.scheme?.lowercased()
            if endpoint.isEmpty {
                add("storage.endpoint", "must be set for backend = \"s3\" (the S3 server's URL)")
            } else if scheme != "http" && scheme != "https" || components?.host?.isEmpty != false {
                add("storage.endpoint", "\(ConfigValue.tomlString(endpoint)) is not an http:// or https:// URL")
            }
        }
        if let region = plain(storage.region), region.isEmpty { add("storage.region", "must not be empty for backend = \"s3\"") }
        if let key = plain(storage.accessKeyID), key.isEmpty { add("storage.access_key_id", "must be set for backend = \"s3\"") }
        if let secret = plain(storage.secretAccessKey), secret.isEmpty {
            add("storage.secret_access_key", "must be set for backend = \"s3\" (give it as \"env:NAME\" or \"vault:path\")")
        }
    }
}
