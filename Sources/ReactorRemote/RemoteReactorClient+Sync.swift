import ReactorCore

extension RemoteReactorClient {
    /// The server's sync remotes with their state (`GET /sync/remotes`: the admin role or the local admin token).
    public func syncRemotes() async throws -> [SyncRemoteStatus] {
        let answer = try await transport.send(.GET, "/reactor/v1/sync/remotes")
        return try (answer["items"]?.arrayValue ?? []).map(WireFormat.remote)
    }

    /// The remote `name` with its state (`GET /sync/remotes/{name}`).
    public func syncRemote(_ name: String) async throws -> SyncRemoteStatus {
        try WireFormat.remote(try await transport.send(.GET, "/reactor/v1/sync/remotes/" + RemoteTransport.escape(name)))
    }

    /// Waits until the pushing remotes acknowledged the job (`GET /jobs/{id}/sync?timeout=`, at most 300 seconds).
    public func waitForSync(_ jobID: String, timeout: Duration) async throws -> [SyncAcknowledgement] {
        let seconds = min(300, max(0.001, Double(timeout.nanosecondsClamped) / 1e9))
        let answer = try await transport.send(.GET, "/reactor/v1/jobs/" + RemoteTransport.escape(jobID) + "/sync", [("timeout", String(seconds))])
        return WireFormat.acknowledgements(answer)
    }
}
