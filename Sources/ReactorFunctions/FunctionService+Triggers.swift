import Foundation
import ReactorCore

extension FunctionService {
    /// A live version bound to document events.
    public struct TriggerBinding: Sendable {
        /// The function.
        public var function: String
        /// Its live version.
        public var version: String
        /// The events it wants.
        public var trigger: FunctionTrigger
    }

    /// The live versions that have a trigger (from the cache while it is younger than the refresh interval).
    public func triggers() async throws -> [TriggerBinding] {
        let refresh = configuration.refreshInterval
        if let cached = cache.withLock({ $0.triggers }), cached.fetched.duration(to: .now) < refresh {
            return cached.functions.map { TriggerBinding(function: $0.name, version: $0.version, trigger: $0.trigger) }
        }
        var bindings: [TriggerBinding] = []
        for record in try await store.functions() {
            guard let live = record.live, let version = try await store.version(function: record.name, id: live),
                  let trigger = version.settings.trigger
            else { continue }
            bindings.append(TriggerBinding(function: record.name, version: live, trigger: trigger))
        }
        cache.withLock { c in
            c.triggers = CachedTriggers(functions: bindings.map { ($0.function, $0.version, $0.trigger) }, fetched: .now)
        }
        return bindings
    }

    /// The request a trigger invokes its function with for `record`: `POST /` with the operation as JSON
    /// (`docs/functions.md`, "Document-event triggers").
    public static func triggerRequest(_ record: OperationRecord) -> FunctionRequest {
        let operation = (try? JSONValueEncoder().encode(record.operation)) ?? .null
        let body: JSONValue = .object([
            "trigger": "operation",
            "documentId": .string(record.stream.documentID),
            "documentType": .string(record.documentType),
            "scope": .string(record.stream.scope),
            "branch": .string(record.stream.branch),
            "ordinal": .number(Double(record.ordinal)),
            "operation": operation,
        ])
        return FunctionRequest(
            method: "POST", path: "/", headers: [FunctionHeader("content-type", "application/json"), FunctionHeader("reactor-trigger", "operation")],
            body: body.canonicalData)
    }
}
