import ReactorCore
import Synchronization

/// Reactors in one process that reach each other by name (`inprocess:<name>` remote urls), for tests and embedding.
public final class InProcessSyncNetwork: Sendable {
    private let servers = Mutex<[String: SyncServer]>([:])

    public init() {}

    /// Makes `server` reachable as `inprocess:<name>`.
    public func attach(_ name: String, _ server: SyncServer) {
        servers.withLock { $0[name] = server }
    }

    /// Makes `name` unreachable (its channels answer `PEER_UNAVAILABLE`).
    public func detach(_ name: String) {
        _ = servers.withLock { $0.removeValue(forKey: name) }
    }

    func server(_ name: String) throws -> SyncServer {
        guard let server = servers.withLock({ $0[name] }) else {
            throw ReactorError(.peerUnavailable, "no reactor named '\(name)' in this process", isTransient: true)
        }
        return server
    }

    /// A channel to the reactor attached as `name`.
    public func channel(to name: String) -> any SyncChannel {
        InProcessSyncChannel(network: self, name: name)
    }

    /// The channel for a remote whose url is `inprocess:<name>`; nil for other urls.
    public func channel(for remote: SyncRemote) -> (any SyncChannel)? {
        guard remote.channel.url.hasPrefix("inprocess:") else { return nil }
        return channel(to: String(remote.channel.url.dropFirst("inprocess:".count)))
    }
}

/// A ``SyncChannel`` that calls a ``SyncServer`` in the same process.
struct InProcessSyncChannel: SyncChannel {
    let network: InProcessSyncNetwork
    let name: String

    func register(_ registration: SyncChannelRegistration) async throws -> SyncChannelAccepted {
        try await network.server(name).register(registration)
    }

    func push(_ envelope: SyncEnvelope, channelID: String) async throws -> SyncAck {
        try await network.server(name).receive(envelope, channelID: channelID)
    }

    func pull(channelID: String, after cursor: Int64, limit: Int, wait: Duration) async throws -> SyncPage {
        try await network.server(name).page(channelID: channelID, after: cursor, limit: limit, wait: wait)
    }
}
