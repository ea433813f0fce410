import Foundation
import ReactorConfig
import ReactorCore

/// The checks of `reactor doctor` and `/_admin/doctor`: each part the server needs, with what is wrong and how to
/// fix it.
public enum Doctor {
    /// Runs every check against open parts.
    public static func checks(_ resolved: ReactorConfiguration, store: (any ReactorStore)?, vault: (any Vault)?) async -> [DoctorCheck] {
        var checks: [DoctorCheck] = []
        checks.append(dataDirectory(resolved.server.dataDir))
        if let store {
            do {
                let pending = try await store.pendingMigrations()
                if pending.isEmpty {
                    let ordinal = try await store.latestOrdinal()
                    checks.append(DoctorCheck(name: "store", ok: true, detail: "\(resolved.store.backend.rawValue) store answers; latest ordinal \(ordinal)"))
                } else if resolved.store.migrate == .auto {
                    checks.append(DoctorCheck(name: "store", ok: true, detail: "\(resolved.store.backend.rawValue) store answers; the server applies \(pending.joined(separator: ", ")) when it starts (store.migrate = \"auto\")"))
                } else {
                    checks.append(DoctorCheck(name: "store", ok: false, detail: "\(resolved.store.backend.rawValue) store needs migrations (\(pending.joined(separator: ", "))) and store.migrate = \"manual\": run `reactor migrate`"))
                }
            } catch {
                checks.append(DoctorCheck(name: "store", ok: false, detail: "\(resolved.store.backend.rawValue) store: \(describe(error)) (run `reactor migrate` if the schema is missing)"))
            }
        }
        if resolved.vault.backend == .none {
            checks.append(DoctorCheck(name: "vault", ok: true, detail: "disabled"))
        } else if let vault {
            do {
                let count = try await vault.list().count
                let place = resolved.vault.backend == .openbao ? "openbao at \(resolved.vault.address)" : resolved.vaultPath
                checks.append(DoctorCheck(name: "vault", ok: true, detail: "\(place) opens; \(count) secret(s)"))
            } catch {
                checks.append(DoctorCheck(name: "vault", ok: false, detail: describe(error)))
            }
        }
        let auth = resolved.auth
        checks.append(DoctorCheck(name: "auth", ok: !auth.enabled || auth.hasKeySource,
                                  detail: auth.enabled ? "enabled" : "disabled: every /reactor/v1 call is allowed (enable [auth] before exposing the server)"))
        return checks
    }

    static func dataDirectory(_ path: String) -> DoctorCheck {
        let probe = (path as NSString).appendingPathComponent(".doctor-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try Data("ok".utf8).write(to: URL(fileURLWithPath: probe))
            try FileManager.default.removeItem(atPath: probe)
            return DoctorCheck(name: "data_dir", ok: true, detail: "\(path) is writable")
        } catch {
            return DoctorCheck(name: "data_dir", ok: false, detail: "\(path) is not writable: \(error.localizedDescription)")
        }
    }

    static func describe(_ error: any Error) -> String {
        (error as? ReactorError)?.description ?? String(describing: error)
    }
}
