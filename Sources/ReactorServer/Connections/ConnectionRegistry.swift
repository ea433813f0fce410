import NIOCore
import Synchronization

/// The server's open client connections: admits a new one while fewer than the limit are open, and closes every
/// one still open when the shutdown deadline passes.
///
/// A connection is counted from its admission until its channel closes.
final class ConnectionRegistry: Sendable {
    private let limit: Int
    private let open = Mutex<[ObjectIdentifier: any Channel]>([:])

    /// A registry admitting at most `limit` connections at once.
    init(limit: Int) {
        self.limit = limit
    }

    /// Admits `channel` and counts it until it closes, or refuses it (`false`) when `limit` connections are open.
    func admit(_ channel: any Channel) -> Bool {
        let key = ObjectIdentifier(channel)
        let admitted = open.withLock { open in
            guard open.count < limit else { return false }
            open[key] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                _ = open.withLock { $0.removeValue(forKey: key) }
            }
        }
        return admitted
    }

    /// How many connections are open.
    var count: Int { open.withLock { $0.count } }

    /// Closes every open connection; returns how many there were.
    @discardableResult
    func closeAll() -> Int {
        let channels = open.withLock { Array($0.values) }
        for channel in channels { channel.close(promise: nil) }
        return channels.count
    }
}
