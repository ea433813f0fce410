import ReactorCore
import Synchronization

/// The conformance suite every ``LeaderElection`` adapter passes (single-node, PostgreSQL advisory locks …).
///
/// It checks that a free leadership is taken and released, that at most one contender holds a leadership at any
/// time (several contenders on several handles, for several rounds), that a taken leadership is refused to others
/// until it is released (also when the body throws), that names are independent, that waiting contenders can be
/// cancelled, and that bad names fail with `INVALID_ARGUMENT`.
public enum LeaderElectionConformance {
    /// Every case, in a stable order.
    public static let cases: [LeaderElectionConformanceCase] = [
        LeaderElectionConformanceCase("a free leadership is taken, then released") { make in
            let election = try await make()
            let handle = Locked<Leadership?>(nil)
            let result = try await election.withLeadershipIfAvailable(of: "scheduler") { leadership in
                handle.withLock { $0 = leadership }
                try check(leadership.name == "scheduler", "the leadership is named '\(leadership.name)'")
                try check(leadership.isLeader, "isLeader is false inside the body")
                try leadership.checkLeadership()
                return "ran"
            }
            try check(result == "ran", "withLeadershipIfAvailable returned \(String(describing: result))")
            guard let leadership = handle.withLock({ $0 }) else { throw ConformanceFailure("the body did not run") }
            try check(!leadership.isLeader, "isLeader is still true after the body returned")
            try await checkThrows(.leadershipLost, "checkLeadership after release") { try leadership.checkLeadership() }
            let again = try await election.withLeadershipIfAvailable(of: "scheduler") { _ in true }
            try check(again == true, "a released leadership could not be taken again")
        },
        LeaderElectionConformanceCase("a held leadership is refused to others until released") { make in
            let holder = try await make()
            let other = try await make()
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            let (acquired, acquiredContinuation) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let ran = try await holder.withLeadershipIfAvailable(of: "singleton") { _ in
                        acquiredContinuation.yield()
                        for await _ in release { break }
                        return true
                    }
                    try check(ran == true, "the first contender did not get a free leadership")
                }
                for await _ in acquired { break }
                for handle in [other, holder] {
                    let refused = try await handle.withLeadershipIfAvailable(of: "singleton") { _ in true }
                    try check(refused == nil, "a held leadership was given to a second contender")
                }
                let independent = try await other.withLeadershipIfAvailable(of: "another name") { _ in true }
                try check(independent == true, "a leadership of another name was refused while 'singleton' is held")
                releaseContinuation.yield()
                try await group.waitForAll()
            }
            var taken: Bool?
            try await PlatformTestSupport.eventually("another contender taking the released leadership") {
                taken = try await other.withLeadershipIfAvailable(of: "singleton") { _ in true }
                return taken == true
            }
        },
        LeaderElectionConformanceCase("at most one holder among several contenders") { make in
            let handles = [try await make(), try await make(), try await make()]
            let current = Locked(0)
            let maximum = Locked(0)
            let turns = Locked(0)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for contender in 0..<6 {
                    let election = handles[contender % handles.count]
                    group.addTask {
                        for _ in 0..<3 {
                            try await election.withLeadership(of: "contended", retryInterval: .milliseconds(20)) { leadership in
                                let now = current.withLock { $0 += 1; return $0 }
                                maximum.withLock { $0 = max($0, now) }
                                try await Task.sleep(for: .milliseconds(15))
                                try leadership.checkLeadership()
                                current.withLock { $0 -= 1 }
                                turns.withLock { $0 += 1 }
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let most = maximum.withLock { $0 }
            try check(most == 1, "\(most) contenders held the leadership at the same time")
            let total = turns.withLock { $0 }
            try check(total == 18, "\(total) of 18 turns ran")
        },
        LeaderElectionConformanceCase("a throwing body releases the leadership") { make in
            let election = try await make()
            let other = try await make()
            struct Marker: Error {}
            do {
                _ = try await election.withLeadershipIfAvailable(of: "fails") { _ -> Int in throw Marker() }
                throw ConformanceFailure("the body's error was not rethrown")
            } catch is Marker {}
            var taken: Bool?
            try await PlatformTestSupport.eventually("another contender taking a leadership whose body threw") {
                taken = try await other.withLeadershipIfAvailable(of: "fails") { _ in true }
                return taken == true
            }
        },
        LeaderElectionConformanceCase("a waiting contender can be cancelled") { make in
            let holder = try await make()
            let waiter = try await make()
            let (release, releaseContinuation) = AsyncStream.makeStream(of: Void.self)
            let (acquired, acquiredContinuation) = AsyncStream.makeStream(of: Void.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    _ = try await holder.withLeadershipIfAvailable(of: "busy") { _ in
                        acquiredContinuation.yield()
                        for await _ in release { break }
                    }
                }
                for await _ in acquired { break }
                let outcome = await withTaskGroup(of: Result<String, any Error>.self) { inner in
                    inner.addTask {
                        do {
                            return .success(try await waiter.withLeadership(of: "busy", retryInterval: .milliseconds(20)) { _ in "got it" })
                        } catch {
                            return .failure(error)
                        }
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                    inner.cancelAll()
                    return await inner.next() ?? .failure(CancellationError())
                }
                if case .success(let value) = outcome {
                    throw ConformanceFailure("a cancelled waiter took a held leadership and returned \(value)")
                }
                releaseContinuation.yield()
                try await group.waitForAll()
            }
        },
        LeaderElectionConformanceCase("invalid names are rejected") { make in
            let election = try await make()
            for name in CacheConformance.invalidNames {
                let shown = name.count > 20 ? "\(name.utf8.count) bytes" : name.debugDescription
                try await checkThrows(.invalidArgument, "leadership \(shown)") {
                    _ = try await election.withLeadershipIfAvailable(of: name) { _ in
                        throw ConformanceFailure("the body ran for an invalid name")
                    }
                }
            }
        },
    ]
}
