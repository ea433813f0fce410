import Foundation
import Logging
import ReactorConfig
import ReactorCore
import ReactorEngine

extension ReactorConfiguration.SyncSection {
    /// The engine's ``SyncConfig`` for these values.
    public var engineConfig: SyncConfig {
        SyncConfig(pageSize: pageSize, maxReshuffle: maxReshuffle, creationWait: Self.duration(creationWaitSeconds),
                   longPoll: Self.duration(longPollSeconds), retryBase: .milliseconds(Int64(retryBaseMs)),
                   maxBackoff: Self.duration(retryMaxSeconds), requestTimeout: Self.duration(requestTimeoutSeconds),
                   maxPageBytes: maxPageBytes)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
}

/// Sync at boot: the remotes of `[[sync.remotes]]`.
public enum SyncBoot {
    /// Adds the configured remotes that do not exist and updates those that do (url, token, filter and options from
    /// the configuration; channel id, creation time and cursors kept; the paused state only when the entry sets it).
    /// Writes the store directly: call it before ``SyncManager/run()`` starts the remotes. Returns a line per remote
    /// for the boot log.
    @discardableResult
    public static func upsert(_ entries: [ReactorConfiguration.SyncRemoteEntry], into sync: SyncManager) async throws -> [String] {
        var lines: [String] = []
        for entry in entries {
            let existing = try await sync.store.remote(named: entry.name)
            let remote = entry.remote(updating: existing)
            do {
                try SyncJSON.check(remote)
            } catch let error as ReactorError {
                throw ReactorError(.configInvalid, "sync.remotes '\(entry.name)': \(error.message)", details: ["key": "sync.remotes"])
            }
            if remote != existing { try await sync.store.saveRemote(remote) }
            lines.append("\(existing == nil ? "added" : remote == existing ? "kept" : "updated") \(remote.name) → \(remote.channel.url)")
        }
        return lines
    }
}
