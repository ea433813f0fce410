import ReactorCore
import Synchronization

/// The conformance suite every ``PubSub`` adapter passes (in-process, PostgreSQL LISTEN/NOTIFY …).
///
/// It checks that an active subscription receives every message published after it started, in publish order per
/// publisher; that every subscription of a channel (on any handle) receives every message; that messages published
/// before a subscription are not delivered to it; that channels are independent (also channels whose names differ
/// only in case or punctuation); exact round trips of binary, empty and large payloads (64 KiB: above the
/// PostgreSQL NOTIFY limit); that ended subscriptions stop receiving; and that bad channel names fail with
/// `INVALID_ARGUMENT`.
public enum PubSubConformance {
    /// Every case, in a stable order.
    public static let cases: [PubSubConformanceCase] = [
        PubSubConformanceCase("a subscriber receives what is published after it started, in order") { make in
            let pubsub = try await make()
            try await pubsub.withSubscription(to: "news") { subscription in
                try check(subscription.channel == "news", "the subscription names channel '\(subscription.channel)'")
                for index in 0..<20 { try await pubsub.publish("message \(index)", to: "news") }
                let messages = try await PlatformTestSupport.collect(20, from: subscription)
                try check(messages.map(\.string) == (0..<20).map { "message \($0)" }, "received \(messages.map(\.string))")
                try check(messages.allSatisfy { $0.channel == "news" }, "a message names another channel")
            }
        },
        PubSubConformanceCase("every subscription of a channel receives every message") { make in
            let first = try await make()
            let second = try await make()
            let third = try await make()
            try await first.withSubscription(to: "fan-out") { a in
                try await second.withSubscription(to: "fan-out") { b in
                    try await third.withSubscription(to: "fan-out") { c in
                        for index in 0..<10 { try await [first, second, third][index % 3].publish("m\(index)", to: "fan-out") }
                        let expected = (0..<10).map { "m\($0)" }
                        for (label, subscription) in [("first", a), ("second", b), ("third", c)] {
                            let received = try await PlatformTestSupport.collect(10, from: subscription).map(\.string)
                            try check(Set(received) == Set(expected), "the \(label) subscription received \(received)")
                        }
                    }
                }
            }
        },
        PubSubConformanceCase("two subscriptions on one handle both receive") { make in
            let pubsub = try await make()
            try await pubsub.withSubscription(to: "twice") { a in
                try await pubsub.withSubscription(to: "twice") { b in
                    try await pubsub.publish("both", to: "twice")
                    let fromA = try await PlatformTestSupport.collect(1, from: a)
                    let fromB = try await PlatformTestSupport.collect(1, from: b)
                    try check(fromA.first?.string == "both" && fromB.first?.string == "both", "received \(fromA) and \(fromB)")
                }
            }
        },
        PubSubConformanceCase("messages published before subscribing are not delivered") { make in
            let publisher = try await make()
            let subscriber = try await make()
            try await publisher.publish("before, nobody listening", to: "late")
            try await subscriber.withSubscription(to: "late") { early in
                try await publisher.publish("before the second subscription", to: "late")
                let seenEarly = try await PlatformTestSupport.collect(1, from: early)
                try check(seenEarly.first?.string == "before the second subscription", "the first subscription received \(seenEarly)")
                try await subscriber.withSubscription(to: "late") { late in
                    try await publisher.publish("after", to: "late")
                    let received = try await PlatformTestSupport.collect(1, from: late)
                    try check(received.first?.string == "after", "a late subscription first received '\(received.first?.string ?? "")'")
                }
            }
        },
        PubSubConformanceCase("channels are independent") { make in
            let pubsub = try await make()
            let other = try await make()
            let channels = ["a.b", "a-b", "a_b", "A_B", "a b", "ключ", "日本", String(repeating: "c", count: PlatformName.maxLength)]
            try await pubsub.withSubscription(to: "a_b") { subscription in
                for channel in channels where channel != "a_b" { try await other.publish("for \(channel)", to: channel) }
                try await other.publish("for a_b", to: "a_b")
                let received = try await PlatformTestSupport.collect(1, from: subscription)
                try check(received.first?.string == "for a_b", "a subscription of a_b first received '\(received.first?.string ?? "")'")
            }
            try await pubsub.withSubscription(to: channels.last!) { subscription in
                try await other.publish("for a_b", to: "a_b")
                try await other.publish("long", to: channels.last!)
                let received = try await PlatformTestSupport.collect(1, from: subscription)
                try check(received.first?.string == "long", "a subscription of a 256-byte channel first received '\(received.first?.string ?? "")'")
            }
        },
        PubSubConformanceCase("binary, empty and large payloads round-trip") { make in
            let publisher = try await make()
            let subscriber = try await make()
            let payloads: [[UInt8]] = [
                [], Array(0...255), [0, 0], Array("|2|x|".utf8), (0..<(64 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) },
                Array(repeating: 0x41, count: 7_990), Array(repeating: 0x42, count: 8_100),
            ]
            try await subscriber.withSubscription(to: "binary") { subscription in
                for payload in payloads { try await publisher.publish(payload, to: "binary") }
                let received = try await PlatformTestSupport.collect(payloads.count, from: subscription)
                for (index, payload) in payloads.enumerated() {
                    try check(received[index].payload == payload,
                        "payload \(index) of \(payload.count) bytes came back as \(received[index].payload.count) bytes")
                }
            }
        },
        PubSubConformanceCase("concurrent publishers keep their own order") { make in
            let handles = [try await make(), try await make()]
            try await handles[0].withSubscription(to: "ordered") { subscription in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for publisher in 0..<3 {
                        let pubsub = handles[publisher % 2]
                        group.addTask {
                            for index in 0..<15 { try await pubsub.publish("\(publisher):\(index)", to: "ordered") }
                        }
                    }
                    try await group.waitForAll()
                }
                let received = try await PlatformTestSupport.collect(45, from: subscription).map(\.string)
                for publisher in 0..<3 {
                    let own = received.filter { $0.hasPrefix("\(publisher):") }
                    try check(own == (0..<15).map { "\(publisher):\($0)" }, "publisher \(publisher)'s messages arrived as \(own)")
                }
            }
        },
        PubSubConformanceCase("an ended subscription stops, a new one receives") { make in
            let pubsub = try await make()
            try await pubsub.withSubscription(to: "again") { subscription in
                try await pubsub.publish("one", to: "again")
                _ = try await PlatformTestSupport.collect(1, from: subscription)
            }
            try await pubsub.publish("nobody", to: "again")
            let result = try await pubsub.withSubscription(to: "again") { subscription -> String in
                try await pubsub.publish("two", to: "again")
                return try await PlatformTestSupport.collect(1, from: subscription).first?.string ?? ""
            }
            try check(result == "two", "the second subscription first received '\(result)'")
        },
        PubSubConformanceCase("a subscription's body result and error pass through") { make in
            let pubsub = try await make()
            let value = try await pubsub.withSubscription(to: "result") { _ in 42 }
            try check(value == 42, "withSubscription returned \(value)")
            struct Marker: Error {}
            do {
                try await pubsub.withSubscription(to: "result") { _ in throw Marker() }
                throw ConformanceFailure("withSubscription did not rethrow the body's error")
            } catch is Marker {}
            try await pubsub.withSubscription(to: "result") { subscription in
                try await pubsub.publish("still works", to: "result")
                let received = try await PlatformTestSupport.collect(1, from: subscription)
                try check(received.first?.string == "still works", "after a throwing body a subscription received \(received)")
            }
        },
        PubSubConformanceCase("invalid channel names are rejected") { make in
            let pubsub = try await make()
            for name in CacheConformance.invalidNames {
                let shown = name.count > 20 ? "\(name.utf8.count) bytes" : name.debugDescription
                try await checkThrows(.invalidArgument, "publish to \(shown)") { try await pubsub.publish("x", to: name) }
                try await checkThrows(.invalidArgument, "subscribe to \(shown)") {
                    try await pubsub.withSubscription(to: name) { _ in
                        throw ConformanceFailure("the body of a subscription to an invalid channel ran")
                    }
                }
            }
        },
    ]
}
