import ArgumentParser
import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorIdentity
import ReactorServer

/// Identity (issue 14): opens the identity service of the configured store and vault for one command (the server
/// may run at the same time: both use the same tables and signing keys).
enum IdentityAccess {
    static func with<T: Sendable>(_ options: ConfigOptions, _ body: (IdentityService) async throws -> T) async throws -> T {
        let configuration = try options.load()
        guard let vault = try ServerBootstrap.openVault(configuration, environment: options.environment) else {
            throw ReactorError(.unsupported, "the identity service keeps its signing keys in the vault, which is disabled ([vault] backend = \"none\")")
        }
        let resolved = try await configuration.resolved(environment: options.environment, vault: vault)
        let (store, backends, _) = try await ServerBootstrap.openStore(resolved, logger: Logger(label: "reactor.identity"))
        return try await BackendServices.withRunning(backends) {
            do {
                if resolved.store.migrate == .auto { try await store.migrate() }
                let service = try await IdentityService(
                    store: IdentityFactory.identityStore(for: store), vault: vault,
                    configuration: IdentityFactory.configuration(resolved.auth))
                let result = try await body(service)
                try await store.close()
                return result
            } catch {
                try? await store.close()
                throw error
            }
        }
    }

    /// The user named by an email or an id.
    static func user(_ service: IdentityService, _ name: String) async throws -> AuthUser {
        if name.contains("@"), let user = try await service.user(email: name) { return user }
        return try await service.user(id: name)
    }

    static func line(_ user: AuthUser) -> String {
        "\(user.id)  \(user.email)  \(user.displayName.isEmpty ? "-" : user.displayName)  roles: \(user.roles.isEmpty ? "-" : user.roles.joined(separator: ","))\(user.disabled ? "  DISABLED" : "")"
    }

    static func json(_ value: some Encodable) throws -> JSONValue { try JSONValueCoder.encode(value) }
}

/// `reactor user create|ls|disable|roles`.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage the identity service's users (docs/identity.md).",
        subcommands: [Create.self, List.self, Disable.self, Roles.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user (the password from standard input, or --password-file).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The email.") var email: String
        @Option(name: .long, help: "The display name (default: the email's local part).") var name: String?
        @Flag(name: .long, help: "Give the user the admin role.") var admin = false
        @Option(name: .long, help: "A role (repeat for several).") var role: [String] = []
        @Option(name: .long, help: "Read the password from this file (never give it as an argument).") var passwordFile: String?

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let data: Data
                if let passwordFile {
                    guard let contents = FileManager.default.contents(atPath: passwordFile) else {
                        throw ReactorError(.invalidArgument, "cannot read the password file '\(passwordFile)'")
                    }
                    data = contents
                } else {
                    data = FileHandle.standardInput.readDataToEndOfFile()
                }
                var password = String(decoding: data, as: UTF8.self)
                if password.hasSuffix("\n") { password.removeLast() }
                let roles = (admin ? [IdentityService.adminRole] : []) + role
                let user = try await IdentityAccess.with(options) {
                    try await $0.createUser(email: email, password: password, displayName: name, roles: roles)
                }
                if options.json { Output.json(try IdentityAccess.json(user)) } else { Output.line("created " + IdentityAccess.line(user)) }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List users.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let users = try await IdentityAccess.with(options) { try await $0.users() }
                if options.json { Output.json(try IdentityAccess.json(["users": users])) } else { users.forEach { Output.line(IdentityAccess.line($0)) } }
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable a user (sessions end, API keys stop), or --enable again.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The user's email or id.") var user: String
        @Flag(name: .long, help: "Enable the user instead.") var enable = false

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let updated = try await IdentityAccess.with(options) { service in
                    try await service.setDisabled(userID: try await IdentityAccess.user(service, user).id, !enable)
                }
                if options.json { Output.json(try IdentityAccess.json(updated)) } else { Output.line(IdentityAccess.line(updated)) }
            }
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's roles (none given: no roles).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The user's email or id.") var user: String
        @Argument(help: "The roles.") var roles: [String] = []

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let updated = try await IdentityAccess.with(options) { service in
                    try await service.setRoles(userID: try await IdentityAccess.user(service, user).id, roles)
                }
                if options.json { Output.json(try IdentityAccess.json(updated)) } else { Output.line(IdentityAccess.line(updated)) }
            }
        }
    }
}

/// `reactor apikey create|ls|revoke`.
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "apikey", abstract: "Manage API keys for services (shown once, stored hashed).",
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an API key for a user and print it (once).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The user's email or id.") var user: String
        @Option(name: .long, help: "A label for the key.") var name: String
        @Option(name: .long, help: "A role the key carries (one of the user's; repeat for several).") var role: [String] = []

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let created = try await IdentityAccess.with(options) { service in
                    try await service.createAPIKey(userID: try await IdentityAccess.user(service, user).id, name: name, roles: role)
                }
                if options.json { Output.json(try IdentityAccess.json(created)) } else {
                    Output.progress("API key \(created.apiKey.id) created; it is shown this once:")
                    Output.line(created.key)
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "ls", abstract: "List API keys (never the keys themselves).")
        @OptionGroup var options: ConfigOptions
        @Option(name: .long, help: "Only this user's keys (email or id).") var user: String?

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let keys = try await IdentityAccess.with(options) { service in
                    let owner = try await user.asyncMap { try await IdentityAccess.user(service, $0).id }
                    return try await service.apiKeys(userID: owner)
                }
                if options.json { Output.json(try IdentityAccess.json(["apiKeys": keys])) } else {
                    for key in keys {
                        Output.line("\(key.id)  \(key.name)  user: \(key.userID)  roles: \(key.roles.isEmpty ? "-" : key.roles.joined(separator: ","))\(key.revokedAt == nil ? "" : "  REVOKED")")
                    }
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API key (it stops working at once).")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The key's id.") var id: String

        func run() async throws {
            try await Output.guarded(json: options.json) {
                try await IdentityAccess.with(options) { try await $0.revokeAPIKey(id: id) }
                if options.json { Output.json(["revoked": .string(id)]) } else { Output.line("revoked \(id)") }
            }
        }
    }
}

/// `reactor auth rotate-keys`.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "The identity service's signing keys.", subcommands: [RotateKeys.self])

    struct RotateKeys: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-keys",
            abstract: "Sign new tokens with a new key; the old one stays published until its tokens expire.")
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let configuration = try options.load()
                guard let vault = try ServerBootstrap.openVault(configuration, environment: options.environment) else {
                    throw ReactorError(.unsupported, "the signing keys live in the vault, which is disabled ([vault] backend = \"none\")")
                }
                let resolved = try await configuration.resolved(environment: options.environment, vault: vault)
                let ring = try await IdentityService.rotateKeys(
                    in: vault, configuration: IdentityFactory.configuration(resolved.auth), now: Date())
                let kids = ring.keys.map(\.kid)
                if options.json { Output.json(["signingKey": .string(ring.current.kid), "published": .array(kids.map { .string($0) })]) } else {
                    Output.line("signing with \(ring.current.kid); published keys: \(kids.joined(separator: ", "))")
                    Output.progress("a running server starts signing with it within 30 seconds")
                }
            }
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    fileprivate func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        switch self {
        case .some(let value): try await transform(value)
        case .none: nil
        }
    }
}
