import ArgumentParser
import Foundation
import ReactorAuth
import ReactorConfig
import ReactorCore
import ReactorServer

/// `reactor token issue|verify|secret|keypair|admin`: development tokens and keys, and the local admin token.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Mint and check bearer tokens for development; print the local admin token.",
        subcommands: [Issue.self, Verify.self, Secret.self, KeyPair.self, Admin.self]
    )

    /// The configuration with references resolved (the HMAC secret is often `vault:auth/hmac`).
    static func resolvedConfiguration(_ options: ConfigOptions) async throws -> ReactorConfiguration {
        let configuration = try options.load()
        let vault = try ServerBootstrap.openVault(configuration, environment: options.environment)
        return try await configuration.resolved(environment: options.environment, vault: vault)
    }

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a signed token (HS256 with auth.hmac_secret, or --private-key-file for RS256/ES256/EdDSA).")
        @OptionGroup var options: ConfigOptions
        @Option(name: .long, help: "The subject (user or service id).") var subject: String
        @Option(name: .long, help: "A role (repeat for several; `admin` opens /_admin).") var role: [String] = []
        @Option(name: .long, help: "Lifetime in seconds.") var ttl: Int = 3600
        @Option(name: .long, help: "Audience (default: auth.audience).") var audience: String?
        @Option(name: .long, help: "Issuer (default: auth.issuer).") var issuer: String?
        @Option(name: .customLong("private-key-file"), help: "Sign with this PEM private key instead of the HMAC secret.") var privateKeyFile: String?
        @Option(name: .long, help: "Key id (kid) to put in the header.") var kid: String?

        func run() async throws {
            try await Output.guarded(json: options.json) {
                guard ttl > 0 else { throw ReactorError(.invalidArgument, "--ttl must be positive") }
                let auth = try await TokenCommand.resolvedConfiguration(options).auth
                let tokenIssuer: TokenIssuer
                if let privateKeyFile {
                    let pem: String
                    do { pem = try String(contentsOfFile: privateKeyFile, encoding: .utf8) } catch {
                        throw ReactorError(.invalidArgument, "cannot read \(privateKeyFile): \(error.localizedDescription)")
                    }
                    tokenIssuer = try TokenIssuer(privateKeyPEM: pem, keyID: kid)
                } else {
                    guard !auth.hmacSecret.isEmpty else {
                        throw ReactorError(.invalidArgument, "no signing key: set auth.hmac_secret (e.g. \"vault:auth/hmac\") or pass --private-key-file")
                    }
                    tokenIssuer = try TokenIssuer(hmacSecret: auth.hmacSecret, keyID: kid)
                }
                let aud = audience ?? (auth.audience.isEmpty ? nil : auth.audience)
                let iss = issuer ?? (auth.issuer.isEmpty ? nil : auth.issuer)
                let token = try await tokenIssuer.issue(subject: subject, issuer: iss, audience: aud.map { [$0] } ?? [],
                                                        ttl: TimeInterval(ttl), roles: role)
                if options.json { Output.json(.object(["token": .string(token)])) } else { print(token) }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check a token with the configured [auth] and print its claims.")
        @OptionGroup var options: ConfigOptions
        @Argument(help: "The token.") var token: String

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let resolved = try await TokenCommand.resolvedConfiguration(options)
                var auth = resolved.auth
                auth.enabled = true
                guard let client = try await AuthFactory.make(auth) else { return }
                let claims = try await client.verify(token: token)
                let json = try JSONValueCoder.encode(claims)
                if options.json { Output.json(json) } else { print("valid: \(json.canonicalString)") }
            }
        }
    }

    struct Secret: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a new random HMAC secret (32 bytes, base64url).")
        @Flag(name: .long, help: "Print {\"secret\": …} as JSON.") var json = false

        func run() async throws {
            let secret = TokenIssuer.generateHMACSecret()
            if json { Output.json(.object(["secret": .string(secret)])) } else { print(secret) }
        }
    }

    struct KeyPair: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "key-pair", abstract: "Print a new key pair (PEM) for RS256, ES256 or EdDSA.", aliases: ["keypair"])
        @Option(name: .long, help: "RS256, ES256 or EdDSA.") var algorithm: String = "EdDSA"
        @Flag(name: .long, help: "Print {\"algorithm\", \"privateKey\", \"publicKey\"} (PEM text) as JSON.") var json = false

        func run() async throws {
            try await Output.guarded(json: json) {
                guard let alg = TokenSigningAlgorithm(rawValue: algorithm), alg != .hs256 else {
                    throw ReactorError(.invalidArgument, "--algorithm must be RS256, ES256 or EdDSA, got '\(algorithm)'")
                }
                let pair = try TokenSigningAlgorithm.generate(alg)
                if json {
                    Output.json(.object(["algorithm": .string(alg.rawValue), "privateKey": .string(pair.privateKeyPEM),
                                         "publicKey": .string(pair.publicKeyPEM)]))
                } else {
                    print(pair.privateKeyPEM)
                    print(pair.publicKeyPEM)
                }
            }
        }
    }
}

extension TokenCommand {
    /// `reactor token admin`: the local admin token of the data directory, for `Authorization: Bearer` on `/_admin`.
    struct Admin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the local admin token that /_admin accepts from this machine (server.admin_token_file).",
            discussion: """
                The server creates the token (mode 0600) in the data directory at first start; this command reads it
                from the same place (--data-dir, --config), creating it if the server has not run yet. Use it as
                curl -H "Authorization: Bearer $(reactor token admin)" http://127.0.0.1:8000/_admin/version
                """)
        @OptionGroup var options: ConfigOptions

        func run() async throws {
            try await Output.guarded(json: options.json) {
                let resolved = try await TokenCommand.resolvedConfiguration(options)
                guard let token = try ServerBootstrap.loadAdminToken(resolved) else {
                    throw ReactorError(.unsupported, "the local admin token is disabled (server.admin_token_file = \"none\")",
                                       details: ["key": "server.admin_token_file"])
                }
                if options.json {
                    Output.json(.object(["token": .string(token.secretText), "file": .string(resolved.adminTokenFile ?? "")]))
                } else {
                    print(token.secretText)
                }
            }
        }
    }
}

extension TokenSigningAlgorithm {
    static func generate(_ algorithm: TokenSigningAlgorithm) throws -> GeneratedKeyPair {
        try TokenIssuer.generateKeyPair(algorithm)
    }
}
