import Foundation
import Hummingbird
import NIOCore
import ReactorCore
import ReactorEngine

/// `/reactor/v1/models`: the document models this server knows (built-in Swift models and WASM models registered at
/// run time), and registering a WASM model (admin only).
///
/// - `POST /reactor/v1/models` registers a model, with either body:
///   - `Content-Type: application/wasm`: the module itself (a binary, or WAT text), the rest in the query:
///     `?documentType=T&version=N[&scopes=global,local][&initialState=<JSON object by scope>][&fuelPerAction=F]`;
///   - `Content-Type: application/json`: `{"documentType", "version", "module" (base64 of a binary) or "wat" (text),
///     "scopes"?, "initialState"?, "fuelPerAction"?}`.
///
///   201 with the model when it is new, 200 when the same definition was registered already; 409 `MODEL_EXISTS`,
///   422 `MODEL_INVALID`.
///   The JSON body may declare the model's `actions` (`[{"type", "scope"?, "input"? (JSON Schema), "summary"?}]`)
///   and `stateSchemas` (`{scope: JSON Schema}`) for discovery and the console's forms.
/// - `GET /reactor/v1/models`: `{"models": [{"documentType", "kind", "versions": [...]}], "systemActions": [...]}`;
///   each version describes itself (``ModelDescription``): `scopes`, `stateSchemas`, `actions` with the JSON Schema
///   of their input (derived from the Swift types of a built-in model, declared by a WASM model).
/// - `GET /reactor/v1/models/{documentType}` (the type's slashes as they are): one entry with the `systemActions`,
///   or 404 `MODEL_NOT_FOUND`.
struct ModelRoutes: Sendable {
    let deps: ServerDependencies

    /// The route prefix.
    static let prefix = "/reactor/v1/models"
    /// The media type of a module upload.
    static let wasmMediaType = "application/wasm"

    func register(on group: RouterGroup<ReactorRequestContext>) {
        group.get("models", use: list)
        group.get("models/**", use: show)
    }

    func registerAdmin(on group: RouterGroup<ReactorRequestContext>) {
        group.post("models", use: add)
    }

    // MARK: Reading

    @Sendable func list(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        JSONResponse.make(.object(["models": .array(try await entries().map(\.json)), "systemActions": SystemActionCatalog.json]))
    }

    @Sendable func show(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        let raw = String(request.uri.path.dropFirst(Self.prefix.count + 1))
        let documentType = raw.removingPercentEncoding ?? raw
        guard let entry = try await entries().first(where: { $0.documentType == documentType }) else {
            throw ReactorError(.modelNotFound, "no model for document type '\(documentType)'", details: ["documentType": documentType])
        }
        var body = entry.json.objectValue ?? [:]
        body["systemActions"] = SystemActionCatalog.json
        return JSONResponse.make(.object(body))
    }

    /// One document type: its kind and versions.
    struct Entry {
        var documentType: String
        var kind: String
        var versions: [JSONValue]

        var json: JSONValue {
            .object(["documentType": .string(documentType), "kind": .string(kind), "versions": .array(versions)])
        }
    }

    /// Every model: the reactor's (built-in, and WASM ones loaded so far) and every registered record.
    private func entries() async throws -> [Entry] {
        let records = try await deps.models?.records() ?? []
        var versions: [String: [Int: JSONValue]] = [:]
        var kinds: [String: String] = [:]
        for model in deps.reactor.models.knownModels {
            versions[model.documentType, default: [:]][model.version] = model.modelDescription.json
            kinds[model.documentType] = "builtin"
        }
        for record in records {
            versions[record.documentType, default: [:]][record.version] = Self.json(record)
            kinds[record.documentType] = "wasm"
        }
        return versions.keys.sorted().map { type in
            Entry(documentType: type, kind: kinds[type] ?? "builtin", versions: versions[type]!.keys.sorted().map { versions[type]![$0]! })
        }
    }

    /// One WASM model version as JSON.
    static func json(_ record: ModelRecord) -> JSONValue {
        var body = record.modelDescription.json.objectValue ?? [:]
        body["digest"] = .string(record.digest)
        body["initialState"] = .object(record.initialState)
        body["fuelPerAction"] = record.fuelPerAction.map { .number(Double($0)) } ?? .null
        body["createdAt"] = .string(ISO8601DateFormatter().string(from: record.createdAt))
        return .object(body)
    }

    // MARK: Registering

    @Sendable func add(_ request: Request, context: ReactorRequestContext) async throws -> Response {
        guard let catalog = deps.models else {
            throw ReactorError(.unsupported, "this server cannot register WASM models: it was built without the WASM trait")
        }
        let registration = try await Self.registration(request, limit: deps.options.maxBodyBytes)
        let (model, record, created) = try await catalog.register(registration)
        deps.reactor.models.register(model)
        var body = Self.json(record)
        if case .object(var members) = body {
            members["documentType"] = .string(record.documentType)
            members["kind"] = "wasm"
            members["created"] = .bool(created)
            body = .object(members)
        }
        return JSONResponse.make(body, status: created ? .created : .ok)
    }

    /// The registration a request asks for (see the type's documentation).
    static func registration(_ request: Request, limit: Int) async throws -> ModelRegistration {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        if mediaType == wasmMediaType {
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: limit)
            } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
                throw ReactorError(.payloadTooLarge, "the module is larger than \(limit) bytes", details: ["limit": String(limit)])
            }
            let query = QueryParameters(request)
            guard let documentType = query.string("documentType") else {
                throw ReactorError.modelInvalid("the query needs documentType (?documentType=example/todo&version=1)", path: "documentType")
            }
            guard let versionText = query.string("version"), let version = Int(versionText) else {
                throw ReactorError.modelInvalid("the query needs version, an integer (?documentType=example/todo&version=1)", path: "version")
            }
            var registration = ModelRegistration(documentType: documentType, version: version, module: Array(buffer: body))
            if let scopes = query.list("scopes") { registration.scopes = scopes }
            if let text = query.string("initialState") {
                registration.initialState = try initialState(try? JSONValueCoder.parse(text))
            }
            if let fuel = query.string("fuelPerAction") {
                guard let value = UInt64(fuel) else { throw ReactorError.modelInvalid("fuelPerAction must be a positive integer", path: "fuelPerAction") }
                registration.fuelPerAction = value
            }
            return registration
        }
        // JSON: the module in base64 (`module`) or as WAT text (`wat`). Base64 grows a module by a third.
        let json = try await RequestDecoding.json(request, limit: limit + limit / 3 + 4_096)
        guard case .object(let body) = json else { throw ReactorError.modelInvalid("the body must be a JSON object") }
        guard let documentType = body["documentType"]?.stringValue else {
            throw ReactorError.modelInvalid("documentType is required (a string)", path: "documentType")
        }
        guard let version = body["version"]?.intValue else {
            throw ReactorError.modelInvalid("version is required (an integer)", path: "version")
        }
        let module: [UInt8]
        if let base64 = body["module"]?.stringValue {
            guard let bytes = Data(base64Encoded: base64) else { throw ReactorError.modelInvalid("module is not base64", path: "module") }
            module = Array(bytes)
        } else if let wat = body["wat"]?.stringValue {
            module = Array(wat.utf8)
        } else {
            throw ReactorError.modelInvalid("the body needs module (the binary module in base64) or wat (WebAssembly text)", path: "module")
        }
        var registration = ModelRegistration(documentType: documentType, version: version, module: module)
        if let scopes = body["scopes"], scopes != .null {
            guard let list = scopes.arrayValue, let names = Optional(list.compactMap(\.stringValue)), names.count == list.count else {
                throw ReactorError.modelInvalid("scopes must be an array of strings", path: "scopes")
            }
            registration.scopes = names
        }
        if let initial = body["initialState"], initial != .null { registration.initialState = try initialState(initial) }
        if let actions = body["actions"], actions != .null {
            guard let list = actions.arrayValue else {
                throw ReactorError.modelInvalid("actions must be an array of {\"type\", \"scope\"?, \"input\"?, \"summary\"?}", path: "actions")
            }
            registration.actions = try list.enumerated().map { try ActionDescription(json: $1, path: "actions[\($0)]") }
        }
        if let schemas = body["stateSchemas"], schemas != .null {
            guard let object = schemas.objectValue else {
                throw ReactorError.modelInvalid("stateSchemas must be an object of JSON Schemas by scope", path: "stateSchemas")
            }
            registration.stateSchemas = object
        }
        if let fuel = body["fuelPerAction"], fuel != .null {
            guard let value = fuel.intValue, value > 0 else {
                throw ReactorError.modelInvalid("fuelPerAction must be a positive integer", path: "fuelPerAction")
            }
            registration.fuelPerAction = UInt64(value)
        }
        return registration
    }

    /// The initial states: a JSON object by scope name.
    static func initialState(_ value: JSONValue?) throws -> [String: JSONValue] {
        guard let object = value?.objectValue else {
            throw ReactorError.modelInvalid("initialState must be a JSON object of states by scope, e.g. {\"global\": {}}", path: "initialState")
        }
        return object
    }
}
