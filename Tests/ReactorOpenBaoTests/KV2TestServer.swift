import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A small OpenBao / Vault KV version 2 server for tests, answering like the real one for what `OpenBaoVault` and
/// the `hvac` client use: `GET/POST/PUT/DELETE /v1/<mount>/data/<path>`, `GET/DELETE /v1/<mount>/metadata/<path>` and
/// listing as `GET /v1/<mount>/metadata/<folder>?list=true` (Vault's documented equivalent of its `LIST` verb, which
/// the NIO HTTP/1 parser refuses; `OpenBaoVault` and hvac in `strict_http` mode send it).
///
/// It checks `X-Vault-Token` (403 `permission denied` otherwise) and, when it has a namespace, `X-Vault-Namespace`.
/// Answers are Vault's: `{"data":{"data":{…},"metadata":{…}}}` for reads, `{"data":{"keys":[…]}}` for lists,
/// `{"errors":[]}` with 404 for a missing path. Each write makes a new version; a `DELETE` of `data/` marks the latest
/// version deleted, a `DELETE` of `metadata/` removes the path.
final class KV2TestServer: Sendable {
    struct Version: Sendable {
        var data: [String: String]
        var created: String
        var deleted: String?
    }

    let token: String
    let namespace: String?
    let mount: String
    private let entries = Mutex<[String: [Version]]>([:])
    private let requests = Mutex<[String]>([])

    init(token: String, namespace: String?, mount: String) {
        self.token = token
        self.namespace = namespace
        self.mount = mount
    }

    /// `METHOD path` of every request served, in order.
    var served: [String] { requests.withLock { $0 } }

    /// The latest live value of `path`'s field `field`, if any.
    func value(_ path: String, field: String = "value") -> String? {
        entries.withLock { $0[path]?.last.flatMap { $0.deleted == nil ? $0.data[field] : nil } }
    }

    /// Serves one request.
    func respond(_ request: Request) async throws -> Response {
        var method = request.method.rawValue
        let path = request.uri.path
        requests.withLock { $0.append("\(method) \(path)") }
        func header(_ name: String) -> String? { request.headers.first { $0.name.canonicalName == name }?.value }
        guard header("x-vault-token") == token else { return Self.json(.forbidden, #"{"errors":["permission denied"]}"#) }
        guard header("x-vault-namespace") == namespace else {
            return Self.json(.forbidden, #"{"errors":["permission denied (namespace)"]}"#)
        }
        if method == "GET", request.uri.queryParameters["list"].map({ $0 == "true" || $0 == "1" }) == true { method = "LIST" }
        let base = "/v1/\(mount)/"
        guard path.hasPrefix(base) else { return Self.notFound }
        let rest = path.dropFirst(base.count)
        if rest.hasPrefix("data/") {
            let secret = String(rest.dropFirst(5))
            switch method {
            case "GET": return read(secret)
            case "POST", "PUT": return try await write(secret, body: request.body.collect(upTo: 1 << 20))
            case "DELETE": return softDelete(secret)
            default: return Self.json(.methodNotAllowed, #"{"errors":["unsupported operation"]}"#)
            }
        }
        if rest.hasPrefix("metadata") {
            let secret = String(rest.dropFirst("metadata".count).drop { $0 == "/" })
            switch method {
            case "LIST": return list(secret)
            case "GET": return metadata(secret)
            case "DELETE":
                entries.withLock { _ = $0.removeValue(forKey: secret) }
                return Response(status: .noContent)
            default: return Self.json(.methodNotAllowed, #"{"errors":["unsupported operation"]}"#)
            }
        }
        return Self.notFound
    }

    private func read(_ secret: String) -> Response {
        let found = entries.withLock { $0[secret] }
        guard let versions = found, let latest = versions.last, latest.deleted == nil else { return Self.notFound }
        let body: [String: Any] = [
            "request_id": UUID().uuidString.lowercased(), "lease_id": "", "renewable": false, "lease_duration": 0,
            "data": ["data": latest.data, "metadata": Self.versionMetadata(latest, number: versions.count)],
            "wrap_info": NSNull(), "warnings": NSNull(), "auth": NSNull(),
        ]
        return Self.json(.ok, body)
    }

    private func write(_ secret: String, body: ByteBuffer) -> Response {
        guard !secret.isEmpty, !secret.hasSuffix("/"),
              let object = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
              let data = object["data"] as? [String: Any]
        else {
            return Self.json(.badRequest, #"{"errors":["no data provided"]}"#)
        }
        var fields: [String: String] = [:]
        for (key, value) in data {
            guard let text = value as? String else { return Self.json(.badRequest, #"{"errors":["only string values in this test server"]}"#) }
            fields[key] = text
        }
        let version = Version(data: fields, created: Self.now())
        let number = entries.withLock { entries -> Int in
            entries[secret, default: []].append(version)
            return entries[secret]!.count
        }
        return Self.json(.ok, ["data": Self.versionMetadata(version, number: number)] as [String: Any])
    }

    private func softDelete(_ secret: String) -> Response {
        entries.withLock { entries in
            if var versions = entries[secret], !versions.isEmpty {
                versions[versions.count - 1].deleted = Self.now()
                entries[secret] = versions
            }
        }
        return Response(status: .noContent)
    }

    private func metadata(_ secret: String) -> Response {
        guard let versions = entries.withLock({ $0[secret] }), let latest = versions.last else { return Self.notFound }
        var all: [String: Any] = [:]
        for (index, version) in versions.enumerated() {
            all[String(index + 1)] = ["created_time": version.created, "deletion_time": version.deleted ?? "", "destroyed": false]
        }
        let data: [String: Any] = [
            "cas_required": false, "created_time": versions[0].created, "current_version": versions.count, "custom_metadata": NSNull(),
            "delete_version_after": "0s", "max_versions": 0, "oldest_version": 0, "updated_time": latest.created, "versions": all,
        ]
        return Self.json(.ok, ["data": data] as [String: Any])
    }

    private func list(_ folder: String) -> Response {
        let prefix = folder.isEmpty || folder.hasSuffix("/") ? folder : folder + "/"
        let keys = entries.withLock { entries -> [String] in
            var children = Set<String>()
            for path in entries.keys where path.hasPrefix(prefix) {
                let rest = path.dropFirst(prefix.count)
                if let slash = rest.firstIndex(of: "/") { children.insert(String(rest[...slash])) } else { children.insert(String(rest)) }
            }
            return children.sorted()
        }
        guard !keys.isEmpty else { return Self.notFound }
        return Self.json(.ok, ["data": ["keys": keys]] as [String: Any])
    }

    private static func versionMetadata(_ version: Version, number: Int) -> [String: Any] {
        ["created_time": version.created, "custom_metadata": NSNull(), "deletion_time": version.deleted ?? "", "destroyed": false, "version": number]
    }

    private static func now() -> String { Date().formatted(.iso8601) }

    private static var notFound: Response { json(.notFound, #"{"errors":[]}"#) }

    private static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return json(status, String(decoding: data, as: UTF8.self))
    }

    private static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

/// The server as a Hummingbird responder.
struct KV2Responder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: KV2TestServer
    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        try await server.respond(request)
    }
}

/// Runs `server` on a free port of 127.0.0.1 while `body` runs with its base URL, then stops it.
func withRunning<T: Sendable>(_ server: KV2TestServer, _ body: (_ url: String) async throws -> T) async throws -> T {
    setenv("LOG_LEVEL", "critical", 1)
    let (ports, announce) = AsyncStream<Int>.makeStream()
    let app = Application(
        responder: KV2Responder(server: server), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            announce.yield(channel.localAddress?.port ?? 0)
            announce.finish()
        })
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await app.run() }
        defer { group.cancelAll() }
        var announced = ports.makeAsyncIterator()
        guard let port = await announced.next(), port > 0 else { throw KV2TestServerError("the test server did not start") }
        return try await body("http://127.0.0.1:\(port)")
    }
}

struct KV2TestServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
