import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ReactorCore
import ReactorFunctions
import ServiceLifecycle

/// Functions over HTTP (issue 15, `docs/functions.md`):
///
/// - invocation: any method on `/functions/v1/<name>` and `/functions/v1/<name>/<path…>` runs the live version
///   (or the one named by the `Reactor-Function-Version` header) with the request, and answers its response;
/// - management, under `/_admin/functions` (the admin guard): list, deploy (`POST …/<name>/versions` with the
///   module as `application/wasm`/text, or JSON with settings), get, versions, promote, rollback, delete, logs (SSE
///   with `?follow=true`).
struct FunctionRoutes {
    let deps: ServerDependencies

    static let invocationPrefix = "/functions/v1"
    static let adminPrefix = "/_admin/functions"
    /// The request header naming the version to run instead of the live one.
    static let versionHeader = HTTPField.Name("Reactor-Function-Version")!
    /// The response header naming the version that answered.
    static let answeredVersionHeader = HTTPField.Name("Reactor-Function-Version")!
    /// Request headers the server sets from the verified token; a caller's own are dropped.
    static let identityHeaders = ["reactor-user-id", "reactor-user-roles"]
    /// Response headers the server writes itself.
    static let framingHeaders: Set<String> = ["content-length", "transfer-encoding", "connection", "keep-alive", "upgrade"]

    func service() throws -> FunctionService {
        guard let functions = deps.functions else {
            throw ReactorError(.functionsDisabled, "functions are off on this server ([functions] enabled = false, or no runtime)")
        }
        return functions
    }

    // MARK: - Invocation

    func registerInvocation(on group: RouterGroup<ReactorRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on("{name}", method: method, use: invoke)
            group.on("{name}/**", method: method, use: invoke)
        }
    }

    @Sendable func invoke(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let name = try context.parameters.require("name")
        let version = request.headers[Self.versionHeader]
        if deps.auth != nil, context.claims == nil {
            guard try await functions.settings(name, version: version).isPublic else {
                throw ReactorError(.unauthenticated, "function '\(name)' needs a bearer token (it is not public)")
            }
        }
        let body = try await request.body.collect(upTo: deps.options.maxBodyBytes)
        var headers: [FunctionHeader] = []
        for field in request.headers where !Self.identityHeaders.contains(field.name.canonicalName) {
            headers.append(FunctionHeader(field.name.canonicalName, field.value))
        }
        if let claims = context.claims {
            headers.append(FunctionHeader("reactor-user-id", claims.subject))
            headers.append(FunctionHeader("reactor-user-roles", claims.roles.joined(separator: ",")))
        }
        let rest = context.parameters.getCatchAll().joined(separator: "/")
        let functionRequest = FunctionRequest(
            method: request.method.rawValue, path: "/" + rest, query: request.uri.query ?? "", headers: headers,
            body: Array(body.readableBytesView))
        let outcome = try await functions.invoke(name, version: version, request: functionRequest)
        var answer: FunctionResponse
        do {
            answer = try outcome.invocation.response()
        } catch {
            var failure = error
            failure.details["function"] = name
            throw failure
        }
        var fields = HTTPFields()
        for header in answer.headers where !Self.framingHeaders.contains(header.name.lowercased()) {
            guard let fieldName = HTTPField.Name(header.name) else { continue }
            fields.append(HTTPField(name: fieldName, value: header.value))
        }
        fields[Self.answeredVersionHeader] = outcome.version.id
        var buffer = ByteBufferAllocator().buffer(capacity: answer.body.count)
        buffer.writeBytes(answer.body)
        answer.body = []
        return Response(status: HTTPResponse.Status(code: answer.status), headers: fields, body: ResponseBody(byteBuffer: buffer))
    }

    // MARK: - Management

    func registerAdmin(on group: RouterGroup<ReactorRequestContext>) {
        group.get("functions", use: list)
        group.get("functions/{name}", use: get)
        group.delete("functions/{name}", use: delete)
        group.get("functions/{name}/versions", use: versions)
        group.post("functions/{name}/versions", use: deploy)
        group.post("functions/{name}/promote", use: promote)
        group.post("functions/{name}/rollback", use: rollback)
        group.get("functions/{name}/logs", use: logs)
    }

    @Sendable func list(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let all = try await functions.functions()
        return JSONResponse.make(["functions": .array(try all.map(Self.json)), "runtimes": .array(functions.runtimeNames.map { .string($0) })])
    }

    @Sendable func get(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        JSONResponse.make(try Self.json(try await service().function(try context.parameters.require("name"))))
    }

    @Sendable func versions(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let name = try context.parameters.require("name")
        let summary = try await functions.function(name)
        let versions = try await functions.versions(name)
        return JSONResponse.make(["versions": .array(try versions.map { try Self.json($0, live: summary.record.live == $0.id) })])
    }

    @Sendable func deploy(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let name = try context.parameters.require("name")
        let query = QueryParameters(request)
        var deployment: FunctionDeployment
        if JSONBodyMiddleware<ReactorRequestContext>.isJSON(request.headers[.contentType]) {
            let limit = max(deps.options.maxBodyBytes, functions.configuration.maxModuleBytes * 4 / 3 + 65_536)
            deployment = try Self.deployment(name, json: try await RequestDecoding.json(request, limit: limit))
        } else {
            let body = try await request.body.collect(upTo: functions.configuration.maxModuleBytes + 1)
            guard body.readableBytes <= functions.configuration.maxModuleBytes else {
                throw ReactorError(.payloadTooLarge, "the module is larger than functions.max_module_bytes (\(functions.configuration.maxModuleBytes))",
                                   details: ["limit": "\(functions.configuration.maxModuleBytes)"])
            }
            guard body.readableBytes > 0 else {
                throw ReactorError(.invalidArgument, "the body must be the module (application/wasm, or .wat text), or JSON with \"module\" or \"wat\"",
                                   details: ["argument": "module"])
            }
            deployment = FunctionDeployment(name: name, source: FunctionSource.detect(Array(body.readableBytesView)))
            deployment.runtime = query.string("runtime")
            deployment.settings.isPublic = try query.bool("public")
        }
        if query.string("promote") != nil { deployment.promote = try query.bool("promote", default: true) }
        deployment.deployedBy = context.claims?.subject
        let result = try await functions.deploy(deployment)
        return JSONResponse.make(
            ["version": try Self.json(result.version, live: result.record.live == result.version.id), "created": .bool(result.created),
             "function": Self.json(result.record)],
            status: result.created ? .created : .ok)
    }

    @Sendable func promote(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let name = try context.parameters.require("name")
        let body = try await RequestDecoding.json(request, limit: deps.options.maxBodyBytes)
        guard case .string(let version)? = body["version"], !version.isEmpty else {
            throw ReactorError(.invalidArgument, "the body must be {\"version\": \"<version id>\"}", details: ["argument": "version"])
        }
        return JSONResponse.make(["function": Self.json(try await functions.promote(name, version: version))])
    }

    @Sendable func rollback(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        return JSONResponse.make(["function": Self.json(try await service().rollback(name))])
    }

    @Sendable func delete(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        try await service().delete(try context.parameters.require("name"))
        return Response(status: .noContent)
    }

    @Sendable func logs(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let functions = try service()
        let name = try context.parameters.require("name")
        _ = try await functions.function(name)
        let query = QueryParameters(request)
        let limit = try query.int("limit", in: 0...10_000) ?? 100
        let after = try query.int64("after") ?? 0
        let follow = try query.bool("follow") || (request.headers[.accept]?.contains("text/event-stream") ?? false)
        guard follow else {
            let entries = functions.logs.entries(function: name, after: after, limit: limit)
            return JSONResponse.make(["entries": .array(entries.map(Self.json))])
        }
        // Subscribe before reading the backlog, so nothing recorded in between is missed (an entry may come twice:
        // the reader drops what it has seen by sequence).
        let follower = functions.logs.follow(function: name)
        let backlog = functions.logs.entries(function: name, after: after, limit: limit)
        let heartbeat = deps.options.heartbeatInterval
        let body = ResponseBody { writer in
            let timer = HeartbeatTimer(interval: heartbeat) { follower.heartbeat() }
            defer { timer.stop() }
            var seen = after
            try await writer.write(SubscriptionRoutes.sse(event: "ready", data: "{}"))
            for entry in backlog {
                try await writer.write(SubscriptionRoutes.sse(event: "entry", data: try Self.text(entry), id: String(entry.sequence)))
                seen = entry.sequence
            }
            try await withGracefulShutdownHandler {
                for await event in follower.events {
                    switch event {
                    case .entry(let entry) where entry.sequence > seen:
                        try await writer.write(SubscriptionRoutes.sse(event: "entry", data: try Self.text(entry), id: String(entry.sequence)))
                        seen = entry.sequence
                    case .entry:
                        continue
                    case .heartbeat:
                        try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                    }
                }
            } onGracefulShutdown: {
                follower.stop()
            }
            follower.stop()
            try await writer.finish(nil)
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: body)
    }

    // MARK: - JSON

    static func deployment(_ name: String, json: JSONValue) throws -> FunctionDeployment {
        guard case .object(let fields) = json else {
            throw ReactorError(.invalidArgument, "the body must be a JSON object", details: ["argument": "body"])
        }
        let source: FunctionSource
        switch (fields["module"], fields["wat"]) {
        case (.string(let base64)?, nil):
            guard let data = Data(base64Encoded: base64) else {
                throw ReactorError(.invalidArgument, "module must be the module's bytes in base64", details: ["argument": "module"])
            }
            source = .binary(Array(data))
        case (nil, .string(let text)?):
            source = .text(text)
        default:
            throw ReactorError(.invalidArgument, "give the module as exactly one of \"module\" (base64) or \"wat\" (text)",
                               details: ["argument": "module"])
        }
        var settingsFields = fields
        for key in ["module", "wat", "runtime", "promote"] { settingsFields[key] = nil }
        let settings: FunctionSettings
        do {
            settings = try JSONValueCoder.decode(FunctionSettings.self, from: .object(settingsFields))
        } catch let error as ReactorError {
            throw ReactorError(.invalidArgument, "the settings do not decode: \(error.message)", details: ["argument": "settings"])
        }
        var promote = true
        if let value = fields["promote"] {
            guard case .bool(let flag) = value else {
                throw ReactorError(.invalidArgument, "promote must be true or false", details: ["argument": "promote"])
            }
            promote = flag
        }
        var runtime: String?
        if let value = fields["runtime"] {
            guard case .string(let text) = value else {
                throw ReactorError(.invalidArgument, "runtime must be a string", details: ["argument": "runtime"])
            }
            runtime = text
        }
        return FunctionDeployment(name: name, source: source, runtime: runtime, settings: settings, promote: promote)
    }

    static func date(_ date: Date) -> JSONValue {
        .string(date.formatted(.iso8601))
    }

    static func json(_ record: FunctionRecord) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(record.name), "history": .array(record.history.map { .string($0) }),
            "createdAt": date(record.createdAt), "updatedAt": date(record.updatedAt), "revision": .number(Double(record.revision)),
        ]
        if let live = record.live { object["live"] = .string(live) }
        return .object(object)
    }

    static func json(_ summary: FunctionSummary) throws -> JSONValue {
        guard case .object(var object) = json(summary.record) else { return .null }
        if let live = summary.live { object["liveVersion"] = try json(live, live: true) }
        object["route"] = .string(invocationPrefix + "/" + summary.record.name)
        return .object(object)
    }

    static func json(_ version: FunctionVersion, live: Bool) throws -> JSONValue {
        var object: [String: JSONValue] = [
            "function": .string(version.function), "id": .string(version.id), "runtime": .string(version.runtime),
            "moduleDigest": .string(version.moduleDigest), "moduleBytes": .number(Double(version.moduleBytes)),
            "createdAt": date(version.createdAt), "settings": try JSONValueCoder.encode(version.settings), "live": .bool(live),
        ]
        if let by = version.createdBy { object["createdBy"] = .string(by) }
        return .object(object)
    }

    static func json(_ entry: FunctionLogEntry) -> JSONValue {
        var object: [String: JSONValue] = [
            "sequence": .number(Double(entry.sequence)), "function": .string(entry.function), "version": .string(entry.version),
            "trigger": .string(entry.trigger), "at": date(entry.at), "durationMicroseconds": .number(Double(entry.durationMicroseconds)),
            "lines": .array(entry.lines.map { .string($0) }),
        ]
        if let status = entry.status { object["status"] = .number(Double(status)) }
        if let error = entry.error { object["error"] = .string(error) }
        if let message = entry.message { object["message"] = .string(message) }
        if let fuel = entry.fuel { object["fuel"] = .number(Double(fuel)) }
        return .object(object)
    }

    static func text(_ entry: FunctionLogEntry) throws -> String {
        json(entry).canonicalString
    }
}
