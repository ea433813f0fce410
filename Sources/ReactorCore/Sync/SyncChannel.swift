/// The client side of a connection to a peer reactor: what a remote's push and pull loops call. The HTTP adapter
/// calls the peer's `/reactor/v1/sync` endpoints; the in-process adapter calls a reactor in the same process.
///
/// Errors are ``ReactorError``s: `PEER_REFUSED` (the peer refused the credentials: the remote stops in the `error`
/// state), `CHANNEL_NOT_FOUND` (the peer forgot the channel: it is registered again), `PEER_UNAVAILABLE` (the peer
/// could not be reached or failed: retried with backoff); any other error is the peer refusing the request.
public protocol SyncChannel: Sendable {
    /// Registers (or re-registers) this reactor's channel with the peer.
    func register(_ registration: SyncChannelRegistration) async throws -> SyncChannelAccepted
    /// Pushes operations on `channelID`; returns once the peer stored, dropped or dead-lettered each of them.
    func push(_ envelope: SyncEnvelope, channelID: String) async throws -> SyncAck
    /// The peer's operations after `cursor` for `channelID`, at most about `limit` (a job is never split); when
    /// there are none, the peer waits up to `wait` for some before answering with an empty page.
    func pull(channelID: String, after cursor: Int64, limit: Int, wait: Duration) async throws -> SyncPage
}
