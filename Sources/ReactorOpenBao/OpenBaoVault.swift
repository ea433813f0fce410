import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

/// A ``Vault`` on an OpenBao (or HashiCorp Vault) server's KV version 2 engine, over HTTP.
///
/// Each secret is one KV entry at `<mount>/data/<path>` holding `{"value": "<secret>"}`. `put` writes a new version,
/// `delete` removes the path's metadata (every version, so the path is gone) and `list(prefix:)` walks the
/// `metadata` tree with `LIST` requests (sent as `GET …?list=true`). Requests carry `X-Vault-Token` and, when
/// configured, `X-Vault-Namespace`.
///
/// Every request has the configured timeout. An unreachable, sealed or failing server, or a refused token, is
/// ``ReactorError/Code/vaultUnavailable`` with `details.backend = "openbao"` (a 503 over HTTP).
public struct OpenBaoVault: Vault {
    /// The largest value accepted, in bytes of UTF-8 (as the file vault).
    public static let maxValueBytes = VaultPath.maxValueBytes

    /// The client vaults use unless given one. It is never shut down (like `HTTPClient.shared`), and a refused
    /// connection fails at once instead of being retried until the deadline.
    public static let sharedClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// The configuration.
    public let configuration: OpenBaoConfiguration
    private let base: String
    private let client: HTTPClient

    /// A vault on the server `configuration` names.
    ///
    /// - Parameters:
    ///   - configuration: The server, token, mount, namespace and timeout.
    ///   - httpClient: The client to send with (not shut down by the vault).
    /// - Throws: ``ReactorError/Code/configInvalid`` for a bad configuration value.
    public init(configuration: OpenBaoConfiguration, httpClient: HTTPClient = OpenBaoVault.sharedClient) throws {
        try configuration.validate()
        var address = configuration.address
        while address.hasSuffix("/") { address.removeLast() }
        self.configuration = configuration
        self.base = "\(address)/v1/\(configuration.mount)"
        self.client = httpClient
    }

    public func get(_ path: String) async throws -> String? {
        try VaultPath.validate(path)
        let (status, body) = try await send(.GET, "\(base)/data/\(path)")
        if status == 404 { return nil }
        try expectSuccess(status, body, path: path)
        let answer: ReadAnswer
        do {
            answer = try JSONDecoder().decode(ReadAnswer.self, from: Data(body))
        } catch {
            throw ReactorError(.vaultCorrupt, "the secret at '\(path)' in OpenBao is not a Reactor secret (no string 'value')",
                               details: ["path": path, "backend": "openbao"])
        }
        return answer.data.data.value
    }

    public func put(_ path: String, value: String) async throws {
        try VaultPath.validate(path)
        try VaultPath.validateValue(value, at: path)
        let body = try JSONEncoder().encode(WriteRequest(data: .init(value: value)))
        let (status, answer) = try await send(.POST, "\(base)/data/\(path)", body: Array(body))
        try expectSuccess(status, answer, path: path)
    }

    @discardableResult
    public func delete(_ path: String) async throws -> Bool {
        try VaultPath.validate(path)
        let (status, body) = try await send(.GET, "\(base)/metadata/\(path)")
        if status == 404 { return false }
        try expectSuccess(status, body, path: path)
        let (deleted, answer) = try await send(.DELETE, "\(base)/metadata/\(path)")
        if deleted == 404 { return false }
        try expectSuccess(deleted, answer, path: path)
        return true
    }

    public func list(prefix: String) async throws -> [String] {
        // Only paths of VaultPath's characters exist; any other prefix matches none (and never reaches a URL).
        guard prefix.utf8.allSatisfy(Self.isPathByte) else { return [] }
        let directory = prefix.lastIndex(of: "/").map { String(prefix[...$0]) } ?? ""
        var found: [String] = []
        var pending = [directory]
        while let folder = pending.popLast() {
            for key in try await keys(in: folder) {
                let full = folder + key
                if key.hasSuffix("/") {
                    // Walk folders that can hold matching paths.
                    if full.hasPrefix(prefix) || prefix.hasPrefix(full) { pending.append(full) }
                } else if full.hasPrefix(prefix) {
                    found.append(full)
                }
            }
        }
        return found.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The keys directly under `folder` (`""` or ending in `/`); folders end in `/`. Empty when there is none.
    private func keys(in folder: String) async throws -> [String] {
        if folder.hasPrefix("/") || folder.contains("//") { return [] }
        let (status, body) = try await send(.GET, "\(base)/metadata/\(folder)?list=true")
        if status == 404 { return [] }
        try expectSuccess(status, body, path: folder)
        do {
            return try JSONDecoder().decode(ListAnswer.self, from: Data(body)).data.keys
        } catch {
            throw unavailable("the answer to LIST \(folder) is not a key list", status: status)
        }
    }

    // MARK: HTTP

    private func send(_ method: HTTPMethod, _ url: String, body: [UInt8]? = nil) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "X-Vault-Token", value: configuration.token)
        if let namespace = configuration.namespace { request.headers.add(name: "X-Vault-Namespace", value: namespace) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = NIODeadline.now() + .nanoseconds(Int64(configuration.timeout.components.seconds) * 1_000_000_000
            + configuration.timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, deadline: deadline)
            let bytes = try await response.body.collect(upTo: 4 << 20)
            return (Int(response.status.code), Array(bytes.readableBytesView))
        } catch {
            let why: String
            switch error as? HTTPClientError {
            case .some(.deadlineExceeded), .some(.readTimeout), .some(.connectTimeout):
                why = "no answer within \(configuration.timeout)"
            default:
                why = "\(error)"
            }
            throw ReactorError(.vaultUnavailable, "the OpenBao vault at \(configuration.address) cannot be reached: \(why)",
                               details: ["backend": "openbao", "address": configuration.address, "underlying": "\(error)"],
                               isTransient: true)
        }
    }

    private func expectSuccess(_ status: Int, _ body: [UInt8], path: String) throws {
        guard (200..<300).contains(status) else {
            let errors = (try? JSONDecoder().decode(ErrorAnswer.self, from: Data(body)))?.errors ?? []
            let said = errors.isEmpty ? "" : ": " + errors.joined(separator: "; ")
            switch status {
            case 400:
                throw ReactorError(.invalidArgument, "OpenBao refused the request for '\(path)'\(said)", details: ["path": path, "backend": "openbao"])
            case 401, 403:
                throw unavailable("OpenBao refused the token (check vault.token and its policy)\(said)", status: status, transient: false)
            default:
                throw unavailable("OpenBao answered \(status)\(said)", status: status, transient: status >= 500 || status == 429)
            }
        }
    }

    private func unavailable(_ message: String, status: Int, transient: Bool = true) -> ReactorError {
        ReactorError(.vaultUnavailable, message, details: ["backend": "openbao", "status": String(status)], isTransient: transient)
    }

    private static func isPathByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == 0x5F || byte == 0x2D || byte == 0x2E || byte == 0x2F
    }

    // MARK: Wire format

    private struct Secret: Codable { var value: String }
    private struct WriteRequest: Encodable { var data: Secret }
    private struct ReadAnswer: Decodable {
        struct Payload: Decodable { var data: Secret }
        var data: Payload
    }
    private struct ListAnswer: Decodable {
        struct Keys: Decodable { var keys: [String] }
        var data: Keys
    }
    private struct ErrorAnswer: Decodable { var errors: [String] }
}
