import ArgumentParser
import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorServer

/// `reactor doctor`: checks the configuration and every part it names.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, data directory, store, vault and auth; exit 1 if anything is wrong."
    )

    @OptionGroup var options: ConfigOptions

    func run() async throws {
        var checks: [DoctorCheck] = []
        var configuration: ReactorConfiguration?
        var vault: (any Vault)?
        do {
            let loaded = try options.load()
            checks.append(DoctorCheck(name: "config", ok: true, detail: ConfigLoader.configFile(explicit: options.config) ?? "no Reactor.toml: defaults and environment"))
            vault = try ServerBootstrap.openVault(loaded, environment: options.environment)
            configuration = try await loaded.resolved(environment: options.environment, vault: vault)
        } catch {
            checks.append(DoctorCheck(name: "config", ok: false, detail: Self.describe(error)))
        }
        if let configuration {
            do {
                let (store, backends, _) = try await ServerBootstrap.openStore(configuration, logger: Logger(label: "reactor.doctor"))
                let found = try await BackendServices.withRunning(backends) {
                    let result = await Doctor.checks(configuration, store: store, vault: vault)
                    try? await store.close()
                    return result
                }
                checks += found
            } catch {
                checks.append(DoctorCheck(name: "store", ok: false, detail: Self.describe(error)))
            }
        }
        let ok = checks.allSatisfy(\.ok)
        if options.json {
            Output.json(.object(["ok": .bool(ok), "checks": try JSONValueCoder.encode(checks)]))
        } else {
            for check in checks { print("\(check.ok ? "ok  " : "FAIL")  \(check.name): \(check.detail)") }
        }
        if !ok { throw ExitCode(1) }
    }

    static func describe(_ error: any Error) -> String {
        (error as? ReactorError)?.description ?? String(describing: error)
    }
}
