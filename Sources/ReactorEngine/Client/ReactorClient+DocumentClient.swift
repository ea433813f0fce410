import ReactorCore

/// The in-process ``DocumentClient``: the same calls as `RemoteReactorClient`, answered by the reactor directly.
extension ReactorClient: DocumentClient {
    /// One page of the document's operations on `branch`, in ordinal order.
    public func operations(of identifier: String, branch: String, page: PageRequest) async throws -> Page<OperationRecord> {
        let id = try await get(identifier, branch: branch).id
        return try await reactor.operations(OperationQuery(documentID: id, branch: branch), page: page)
    }

    /// The job as it is now (this node's record, else the cluster's ledger).
    public func job(_ id: String) async throws -> JobInfo {
        try await reactor.jobInfo(id)
    }

    /// Waits until the job is `READ_READY`; throws its error when it failed, `JOB_TIMEOUT` past `timeout`.
    public func waitForJob(_ id: String, timeout: Duration) async throws -> JobInfo {
        try await reactor.waitForJob(id, timeout: timeout)
    }

    /// The changes of ``subscribe(_:after:bufferLimit:)`` as ``DocumentChanges``: taken from the subscription in the
    /// iterating task; cancelling that task (or ending the iteration) cancels the subscription.
    public func changes(_ query: DocumentQuery, after position: Int64?) async throws -> DocumentChanges {
        let subscription = try await subscribe(query, after: position)
        return DocumentChanges {
            {
                try await withTaskCancellationHandler {
                    var iterator = subscription.makeAsyncIterator()
                    return try await iterator.next()
                } onCancel: {
                    subscription.cancel()
                }
            }
        }
    }

    /// The sync manager's remotes with their status.
    public func syncRemotes() async throws -> [SyncRemoteStatus] {
        let sync = try syncManager()
        var statuses: [SyncRemoteStatus] = []
        for remote in try await sync.remotes() { statuses.append(try await sync.status(remote.name)) }
        return statuses
    }

    /// The remote `name` with its status.
    public func syncRemote(_ name: String) async throws -> SyncRemoteStatus {
        try await syncManager().status(name)
    }

    /// Waits until the pushing remotes acknowledged the job's operations (``SyncManager/waitForSync(_:timeout:)``).
    public func waitForSync(_ jobID: String, timeout: Duration) async throws -> [SyncAcknowledgement] {
        try await syncManager().waitForSync(jobID, timeout: timeout)
    }

    private func syncManager() throws -> SyncManager {
        guard let sync else { throw ReactorError(.unsupported, "sync is not available: this reactor runs no sync manager") }
        return sync
    }
}
