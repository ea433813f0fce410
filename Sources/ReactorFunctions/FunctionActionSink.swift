import ReactorCore
import Synchronization

/// Where a trigger's output actions go: connected to the reactor once it is built (the trigger processor is built
/// with the reactor, before it exists).
public final class FunctionActionSink: Sendable {
    /// Submits `actions` to document `documentID` on `branch` and returns when they are committed (the job's
    /// final state; a failed job's error is thrown).
    public typealias Submit = @Sendable (_ documentID: String, _ branch: String, _ actions: [Action]) async throws -> Void

    private let target = Mutex<Submit?>(nil)

    /// A sink that is not connected yet.
    public init() {}

    /// Connects the sink.
    public func connect(_ submit: @escaping Submit) {
        target.withLock { $0 = submit }
    }

    func submit(_ documentID: String, branch: String, actions: [Action]) async throws {
        guard let submit = target.withLock({ $0 }) else {
            throw ReactorError(.shutdown, "the function trigger's reactor is not running")
        }
        try await submit(documentID, branch, actions)
    }
}
