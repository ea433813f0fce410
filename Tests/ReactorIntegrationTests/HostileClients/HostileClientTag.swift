import Foundation
import Testing

extension Tag {
    /// The hostile-clients suite: `reactor serve` driven on loopback as an attacker or a careless client would
    /// (floods, slow readers, malformed and half-sent connections, forged signatures, admin calls without a
    /// credential).
    @Tag static var hostileClients: Self
}

/// When the hostile-clients suite runs: only with `REACTOR_HOSTILE_CLIENTS=1`, on its own
/// (`REACTOR_HOSTILE_CLIENTS=1 swift test --filter HostileClients --no-parallel`, as `.ci/run` does). Its floods and
/// its 100 subscribers load both cores for a minute, which would starve the timing bounds of every suite running
/// beside it in the one test process.
enum HostileClientsRun {
    static let enabled = ProcessInfo.processInfo.environment["REACTOR_HOSTILE_CLIENTS"] == "1"
    static let reason: Comment = "set REACTOR_HOSTILE_CLIENTS=1 to run the hostile-clients suite (.ci/run does)"
}
