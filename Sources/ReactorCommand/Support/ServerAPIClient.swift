import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorConfig
import ReactorCore
import ReactorServer
import ReactorVault

/// Options of the commands that talk to a running server over HTTP (`reactor sync …`): where it is and which
/// credential to send.
struct ServerAPIOptions: ParsableArguments {
    @OptionGroup var config: ConfigOptions

    @Option(name: .long, help: ArgumentHelp(
        "The server's base URL (default: $REACTOR_SERVER_URL, else http:// and server.bind of the configuration).",
        valueName: "url"))
    var server: String?

    @Option(name: .customLong("api-token"), help: ArgumentHelp(
        "The bearer token to send (default: $REACTOR_API_TOKEN, else the local admin token of the data directory, which the server accepts from this machine).",
        valueName: "token"))
    var apiToken: String?

    var json: Bool { config.json }

    /// The client for the configured server and credential.
    func client() throws -> ServerAPIClient {
        let environment = config.environment
        let configuration = try config.load()
        let base: String
        if let server {
            base = server
        } else if let url = environment["REACTOR_SERVER_URL"], !url.isEmpty {
            base = url
        } else {
            base = Self.url(of: configuration.server.bind)
        }
        var token = apiToken ?? environment["REACTOR_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let file = try Self.adminTokenFile(configuration, environment: environment),
           FileManager.default.fileExists(atPath: file) {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            token = try AdminToken(parsing: text, source: file).secretText
        }
        return ServerAPIClient(baseURL: base, token: token)
    }

    /// `http://host:port` for a bind address (a wildcard bind is reached on loopback).
    static func url(of bind: BindAddress) -> String {
        var host = bind.host
        if host == "0.0.0.0" || host.isEmpty { host = "127.0.0.1" }
        if host == "::" { host = "::1" }
        return "http://\(host.contains(":") ? "[\(host)]" : host):\(bind.port)"
    }

    /// The local admin token file the server uses (`server.admin_token_file`, by default in the data directory); nil
    /// when it is disabled or given as a `vault:` reference.
    static func adminTokenFile(_ configuration: ReactorConfiguration, environment: [String: String]) throws -> String? {
        let setting = configuration.server.adminTokenFile
        if setting == ReactorConfiguration.adminTokenDisabled { return nil }
        if !setting.isEmpty {
            switch SecretReference(setting) {
            case .literal(let path): return path
            case .environment(let name): return environment[name]
            case .vault: return nil
            }
        }
        let dataDir = try configuration.vaultSetup(environment: environment).dataDir
        return dataDir.hasSuffix("/") ? dataDir + "admin.token" : dataDir + "/admin.token"
    }
}

/// Calls the server's JSON API; an error answer becomes the ``ReactorError`` it carries.
struct ServerAPIClient: Sendable {
    let baseURL: String
    let token: String?

    init(baseURL: String, token: String?) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.token = token
    }

    /// Sends the request and returns the JSON answer (`null` for 204).
    @discardableResult
    func call(_ method: HTTPMethod, _ path: String, body: JSONValue? = nil, timeout: Duration = .seconds(60)) async throws -> JSONValue {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await HTTPSyncChannel.sharedClient.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
            status = Int(response.status.code)
            bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
        } catch {
            throw unreachable(error)
        }
        let json = bytes.isEmpty ? JSONValue.null : ((try? JSONValueCoder.parse(bytes)) ?? .null)
        guard (200..<300).contains(status) else { throw Self.failure(json, status: status, method.rawValue, path) }
        return json
    }

    /// Sends a request with any body and returns the answer as it is (status, headers, body), for routes whose
    /// answers are not the server's JSON (a function's response).
    func raw(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
             timeout: Duration = .seconds(60)) async throws -> (status: Int, headers: [(String, String)], body: [UInt8]) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await HTTPSyncChannel.sharedClient.execute(request, timeout: .milliseconds(Int64(timeout.components.seconds * 1000)))
            let bytes = Array(try await response.body.collect(upTo: 64 << 20).readableBytesView)
            return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, bytes)
        } catch {
            throw unreachable(error)
        }
    }

    /// Reads a server-sent event stream at `path`, calling `onEvent` with each event's name and data until the
    /// server ends it (or the task is cancelled). An error answer throws its ``ReactorError``.
    func events(
        _ path: String, method: HTTPMethod = .GET, body: JSONValue? = nil, onEvent: (_ event: String, _ data: String) async throws -> Void
    ) async throws {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "text/event-stream")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.canonicalData))
        }
        let response: HTTPClientResponse
        do {
            response = try await HTTPSyncChannel.sharedClient.execute(request, timeout: .hours(24 * 365))
        } catch {
            throw unreachable(error)
        }
        guard response.status.code == 200 else {
            let bytes = Array(try await response.body.collect(upTo: 1 << 20).readableBytesView)
            throw Self.failure((try? JSONValueCoder.parse(bytes)) ?? .null, status: Int(response.status.code), method.rawValue, path)
        }
        var pending: [UInt8] = []
        var event = "message"
        var data: [String] = []
        for try await chunk in response.body {
            pending.append(contentsOf: chunk.readableBytesView)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line.hasSuffix("\r") { line.removeLast() }
                if line.isEmpty {
                    if !data.isEmpty { try await onEvent(event, data.joined(separator: "\n")) }
                    event = "message"
                    data = []
                } else if line.hasPrefix("event:") {
                    event = line.dropFirst(6).trimmingCharacters(in: .whitespaces)
                } else if line.hasPrefix("data:") {
                    data.append(String(line.dropFirst(5).drop { $0 == " " }))
                }
            }
        }
    }

    /// The ``ReactorError`` an error answer (`{"error": {…}}`) carries, or a generic one naming the status.
    static func failure(_ json: JSONValue, status: Int, _ method: String, _ path: String) -> ReactorError {
        if let error = ReactorError(errorBody: json) { return error }
        return ReactorError(.internal, "the server answered \(method) \(path) with HTTP \(status)")
    }

    /// The server cannot be reached.
    func unreachable(_ error: any Error) -> ReactorError {
        ReactorError(.peerUnavailable, "cannot reach the server at \(baseURL) (is `reactor serve` running? --server or $REACTOR_SERVER_URL say where): \(error)")
    }
}
