import Foundation
import ReactorCore

/// Settings of a ``PostgresJobLedger``.
public struct PostgresJobLedgerConfiguration: Sendable, Hashable {
    /// This node's id, unique in the cluster. The default is new on every start (host, process and a random part); a
    /// fixed id lets a restarted node resume its own unfinished jobs at once instead of after ``nodeTimeout``.
    public var nodeID: String
    /// How often the node heartbeats (and looks for jobs of stopped nodes).
    public var heartbeatInterval: Duration
    /// A node whose last heartbeat is older than this is presumed stopped: its unfinished jobs are taken over.
    public var nodeTimeout: Duration
    /// How long finished job records stay queryable (older ones are deleted by the heartbeat).
    public var finishedJobRetention: Duration
    /// How often a job waiting for an earlier job of its document (on another node) checks again when no commit
    /// notices arrive (doubling to 200 ms).
    public var turnPollInterval: Duration
    /// How often a waiting job checks by itself while commit notices arrive (each notice makes it check at once): a
    /// safety net for a lost notice.
    public var notifiedTurnPollInterval: Duration

    public init(
        nodeID: String = PostgresJobLedgerConfiguration.generatedNodeID(), heartbeatInterval: Duration = .seconds(1),
        nodeTimeout: Duration = .seconds(10), finishedJobRetention: Duration = .seconds(24 * 3600),
        turnPollInterval: Duration = .milliseconds(10), notifiedTurnPollInterval: Duration = .seconds(1)
    ) {
        self.nodeID = nodeID
        self.heartbeatInterval = heartbeatInterval
        self.nodeTimeout = nodeTimeout
        self.finishedJobRetention = finishedJobRetention
        self.turnPollInterval = turnPollInterval
        self.notifiedTurnPollInterval = notifiedTurnPollInterval
    }

    /// `host-pid-random`.
    public static func generatedNodeID() -> String {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "node"
        return "\(host)-\(ProcessInfo.processInfo.processIdentifier)-\(String(UInt32.random(in: 0..<UInt32.max), radix: 36))"
    }

    /// Checks the durations (a node timeout must exceed a few heartbeats).
    public func validate() throws {
        guard !nodeID.isEmpty else { throw ReactorError(.configInvalid, "the job ledger's node id must not be empty") }
        guard heartbeatInterval > .zero, turnPollInterval > .zero, notifiedTurnPollInterval > .zero, finishedJobRetention > .zero else {
            throw ReactorError(.configInvalid, "the job ledger's intervals must be positive")
        }
        guard nodeTimeout >= heartbeatInterval * 2 else {
            throw ReactorError(.configInvalid, "the node timeout (\(nodeTimeout)) must be at least two heartbeats (\(heartbeatInterval * 2))")
        }
    }
}
