import Foundation
import ReactorCore
import ReactorEngine
import Synchronization

/// A stack model for history tests (`test/stack`, versions 1 to 4): `PUSH {v}` appends `v`, `POP` removes the last
/// item (a reducer error when empty). Each upgrade doubles every item of the `global` scope. Every reduction is
/// counted in the ``ReductionProbe`` named by the document type, which can also slow reductions down.
enum Stack {
    static let documentType = "test/stack"

    struct State: Codable, Sendable, Equatable { var items: [Int] = [] }
    struct Value: Codable, Sendable { var v: Int }

    /// The model of `version` (a separate `documentType` gives a separate probe, for tests that count).
    static func model(version: Int = 1, documentType: String = documentType) -> TypedDocumentModel<State> {
        let probe = ReductionProbe.named(documentType)
        return TypedDocumentModel(documentType: documentType, version: version, initialState: State())
            .on("PUSH", input: Value.self) { state, input, _ in
                probe.reduced()
                state.items.append(input.v)
            }
            .on("POP") { state, _ in
                probe.reduced()
                guard state.items.popLast() != nil else { throw ModelError("the stack is empty") }
            }
    }

    /// Every version and the manifests between them.
    static func models(documentType: String = documentType) -> (models: [any DocumentModel], manifests: [UpgradeManifest]) {
        let models: [any DocumentModel] = (1...4).map { model(version: $0, documentType: documentType) }
        let manifests = (1...3).map { from in
            UpgradeManifest(documentType: documentType, fromVersion: from, toVersion: from + 1) { scope, state in
                guard scope == Scope.global else { return state }
                return doubled(state)
            }
        }
        return (models, manifests)
    }

    static func doubled(_ state: JSONValue) -> JSONValue {
        guard var o = state.objectValue, let items = o["items"]?.arrayValue else { return state }
        o["items"] = .array(items.map { .number(Double(($0.intValue ?? 0) * 2)) })
        return .object(o)
    }

    static func push(_ v: Int) -> Action { Action(type: "PUSH", input: ["v": .number(Double(v))]) }
    static func pop() -> Action { Action(type: "POP") }

    /// The reducer of the `global` scope as the engine runs it, upgrades included (for reference replays).
    static let reduce: @Sendable (JSONValue, Action) throws -> JSONValue = { state, action in
        if action.type == BaseAction.upgrade {
            let steps = (action.input["toVersion"]?.intValue ?? 0) - (action.input["fromVersion"]?.intValue ?? 0)
            var s = state
            for _ in 0..<max(0, steps) { s = doubled(s) }
            return s
        }
        return try model().reduce(state: state, action: action)
    }

    static var initialState: JSONValue { model().initialState(scope: Scope.global) }
}

/// Counts a model's reductions (and can make each one slow), by document type.
final class ReductionProbe: Sendable {
    private static let probes = NamedInstances { ReductionProbe() }
    private let count = Atomic<Int>(0)
    private let delayMicroseconds = Atomic<Int>(0)

    static func named(_ name: String) -> ReductionProbe { probes.named(name) }

    func reduced() {
        count.add(1, ordering: .relaxed)
        let delay = delayMicroseconds.load(ordering: .relaxed)
        if delay > 0 { usleep(UInt32(delay)) }
    }

    /// Reductions so far.
    var reductions: Int { count.load(ordering: .relaxed) }
    /// Makes every reduction take at least `microseconds` (0: as fast as it is).
    func slow(_ microseconds: Int) { delayMicroseconds.store(microseconds, ordering: .relaxed) }
}
