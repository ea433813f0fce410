import Logging
import ReactorCore

/// Document-event triggers: a ``Processor`` (so its cursor is persisted, it resumes after a restart, and on a
/// cluster one node runs it) that invokes every live function whose ``FunctionTrigger`` matches an operation, once
/// the operation is `READ_READY`, in ordinal order, at least once.
///
/// A function answers a trigger like any request; a 2xx JSON body with an `actions` array has those actions
/// submitted back to the reactor (`[{"documentId", "branch"?, "type", "input"?, "scope"?}]`, consecutive actions on
/// one document in one job), each job waited for before the cursor moves on. An invocation that fails (a trap, a
/// limit) or actions the reactor refuses (bad input, unknown document) are recorded in the function's logs and
/// skipped: retrying would fail the same way and stop every trigger behind it. What may pass (the store or the
/// reactor unavailable, the function busy) fails the batch, which is delivered again.
public struct FunctionTriggerProcessor: Processor {
    /// The processor's name: the key of its persisted cursor.
    public let name = "functions.triggers"
    let service: FunctionService
    let sink: FunctionActionSink
    let logger: Logger

    /// A processor invoking `service`'s triggers and submitting their actions to `sink`.
    public init(service: FunctionService, sink: FunctionActionSink, logger: Logger = Logger(label: "reactor.functions.triggers")) {
        self.service = service
        self.sink = sink
        self.logger = logger
    }

    /// Codes that may pass: the batch is delivered again.
    static let transient: Set<ReactorError.Code> = [
        .storage, .storageUnavailable, .shutdown, .shutdownDeadline, .overloaded, .tooManyPendingJobs, .functionBusy,
        .functionCancelled, .jobTimeout, .consistencyTimeout, .documentBusy, .jobTakenOver,
    ]

    public func process(_ records: [OperationRecord]) async throws {
        let bindings = try await service.triggers()
        guard !bindings.isEmpty else { return }
        for record in records {
            for binding in bindings where binding.trigger.matches(record) {
                try await fire(binding, record: record)
            }
        }
    }

    func fire(_ binding: FunctionService.TriggerBinding, record: OperationRecord) async throws {
        let outcome: (invocation: FunctionInvocation, version: FunctionVersion)
        do {
            outcome = try await service.invoke(binding.function, version: binding.version,
                                               request: FunctionService.triggerRequest(record), trigger: "operation")
        } catch let error as ReactorError where !Self.transient.contains(error.code) {
            // Deleted or replaced since the bindings were read: nothing to run.
            logger.info("trigger skipped", metadata: ["function": "\(binding.function)", "error": "\(error.code.rawValue)"])
            return
        }
        let response: FunctionResponse
        switch outcome.invocation.result {
        case .failure(let error):
            if Self.transient.contains(error.code) { throw error }
            logger.warning("trigger invocation failed", metadata: [
                "function": "\(binding.function)", "ordinal": "\(record.ordinal)", "error": "\(error.code.rawValue)",
            ])
            return
        case .success(let answer):
            response = answer
        }
        guard (200..<300).contains(response.status), !response.body.isEmpty,
              case .object(let body)? = try? JSONValueCoder.parse(response.body), let actions = body["actions"]
        else { return }
        do {
            for (documentID, branch, group) in try Self.actions(actions) {
                try await sink.submit(documentID, branch: branch, actions: group)
            }
        } catch let error as ReactorError where !Self.transient.contains(error.code) {
            service.logs.record(FunctionLogEntry(
                function: binding.function, version: binding.version, trigger: "operation", at: service.now(), durationMicroseconds: 0,
                error: error.code.rawValue, message: "the trigger's actions were refused: \(error.message)"))
            logger.warning("trigger actions refused", metadata: [
                "function": "\(binding.function)", "ordinal": "\(record.ordinal)", "error": "\(error.code.rawValue)",
            ])
        }
    }

    /// The `actions` of a trigger's answer, grouped by consecutive document and branch.
    static func actions(_ value: JSONValue) throws -> [(String, String, [Action])] {
        guard case .array(let items) = value else {
            throw ReactorError(.invalidInput, "actions must be an array", details: ["path": "actions"])
        }
        var groups: [(String, String, [Action])] = []
        for (index, item) in items.enumerated() {
            guard case .object(let fields) = item, case .string(let documentID)? = fields["documentId"],
                  case .string(let type)? = fields["type"], !documentID.isEmpty, !type.isEmpty
            else {
                throw ReactorError(.invalidInput, "actions[\(index)] needs a documentId and a type", details: ["path": "actions[\(index)]"])
            }
            let branch = fields["branch"]?.stringValue ?? Branch.main
            let action = Action(type: type, scope: fields["scope"]?.stringValue ?? Scope.global, input: fields["input"] ?? .emptyObject)
            if let last = groups.indices.last, groups[last].0 == documentID, groups[last].1 == branch {
                groups[last].2.append(action)
            } else {
                groups.append((documentID, branch, [action]))
            }
        }
        return groups
    }
}
