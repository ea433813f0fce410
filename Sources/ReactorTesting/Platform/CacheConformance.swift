import ReactorCore
import Synchronization

/// The conformance suite every ``CacheBackend`` adapter passes (in-memory, PostgreSQL …).
///
/// It checks the key–value promises (round trips of any bytes, overwrite, delete and `exists`, TTLs that expire and
/// `expire` that sets them, handles that see each other's writes) and the queue promises (FIFO by id, independent
/// queues, visibility timeouts with redelivery, `ack`/`nack` with stale receipts refused, delays, `length`, and
/// concurrent consumers on several handles receiving each message exactly once when they ack). Names and durations
/// out of range fail with `INVALID_ARGUMENT`. TTL and visibility checks sleep a few hundred milliseconds and wait
/// generously; they never assert on speed.
public enum CacheConformance {
    /// Every case, in a stable order.
    public static let cases: [CacheConformanceCase] = keyValueCases + queueCases + validationCases

    static let keyValueCases: [CacheConformanceCase] = [
        CacheConformanceCase("set then get") { make in
            let cache = try await make()
            try await cache.set("greeting", to: Array("hello".utf8))
            let value = try await cache.get("greeting")
            try check(value == Array("hello".utf8), "get after set returned \(String(describing: value))")
            try await cache.set("text", to: "héllo 🌍")
            let text = try await cache.string("text")
            try check(text == "héllo 🌍", "string after set returned \(String(describing: text))")
        },
        CacheConformanceCase("missing keys read as nil") { make in
            let cache = try await make()
            let value = try await cache.get("never/set")
            try check(value == nil, "get of a missing key returned \(String(describing: value))")
            let exists = try await cache.exists("never/set")
            try check(!exists, "exists of a missing key returned true")
            let deleted = try await cache.delete("never/set")
            try check(!deleted, "delete of a missing key returned true")
            let expired = try await cache.expire("never/set", ttl: .seconds(10))
            try check(!expired, "expire of a missing key returned true")
            let still = try await cache.exists("never/set")
            try check(!still, "expire of a missing key created it")
        },
        CacheConformanceCase("binary, empty and large values round-trip") { make in
            let cache = try await make()
            let values: [String: [UInt8]] = [
                "all-bytes": Array(0...255) + Array((0...255).reversed()),
                "empty": [],
                "nul": [0, 0, 0],
                "large": (0..<(512 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) },
            ]
            for (key, value) in values { try await cache.set(key, to: value) }
            let other = try await make()
            for (key, value) in values {
                let read = try await cache.get(key)
                try check(read == value, "\(key) read back \(read?.count ?? -1) bytes, wrote \(value.count)")
                let viaOther = try await other.get(key)
                try check(viaOther == value, "\(key) through a second handle read back \(viaOther?.count ?? -1) bytes")
            }
            let emptyExists = try await cache.exists("empty")
            try check(emptyExists, "an empty value does not exist")
        },
        CacheConformanceCase("unusual keys are distinct") { make in
            let cache = try await make()
            let keys = [
                "a", "A", "a ", " a", "a/b", "a:b", "ключ", "日本語", "🔑", "tab\there", "line\nbreak", "'quote\"",
                "%_like", String(repeating: "k", count: PlatformName.maxLength), String(repeating: "é", count: PlatformName.maxLength / 2),
            ]
            for (index, key) in keys.enumerated() { try await cache.set(key, to: "value \(index)") }
            for (index, key) in keys.enumerated() {
                let value = try await cache.string(key)
                try check(value == "value \(index)", "key \(key.prefix(20).debugDescription) read back \(String(describing: value))")
            }
        },
        CacheConformanceCase("set overwrites the value and the TTL") { make in
            let cache = try await make()
            try await cache.set("k", to: "one", ttl: .milliseconds(200))
            try await cache.set("k", to: "two")
            try await Task.sleep(for: .milliseconds(600))
            let value = try await cache.string("k")
            try check(value == "two", "after an overwrite without TTL the key reads \(String(describing: value))")
            try await cache.set("k", to: "three", ttl: .milliseconds(200))
            try await PlatformTestSupport.eventually("the overwritten key with a TTL expiring") {
                try await cache.get("k") == nil
            }
        },
        CacheConformanceCase("delete reports whether there was a live value") { make in
            let cache = try await make()
            try await cache.set("a", to: "1")
            try await cache.set("b", to: "2")
            let first = try await cache.delete("a")
            try check(first, "delete of an existing key returned false")
            let gone = try await cache.get("a")
            try check(gone == nil, "get after delete returned \(String(describing: gone))")
            let second = try await cache.delete("a")
            try check(!second, "a second delete returned true")
            let kept = try await cache.string("b")
            try check(kept == "2", "delete removed another key: b is \(String(describing: kept))")
            try await cache.set("short", to: "x", ttl: .milliseconds(200))
            try await PlatformTestSupport.eventually("the key with a 200 ms TTL expiring") { try await !cache.exists("short") }
            let expired = try await cache.delete("short")
            try check(!expired, "delete of an expired key returned true")
        },
        CacheConformanceCase("keys expire after their TTL") { make in
            let cache = try await make()
            try await cache.set("long", to: "stays", ttl: .seconds(60))
            try await cache.set("short", to: "goes", ttl: .milliseconds(200))
            try await cache.set("forever", to: "stays")
            let longExists = try await cache.exists("long")
            try check(longExists, "a key with a 60 s TTL does not exist right after set")
            try await PlatformTestSupport.eventually("the key with a 200 ms TTL expiring") {
                try await cache.get("short") == nil
            }
            let short = try await cache.exists("short")
            try check(!short, "exists of an expired key returned true")
            let long = try await cache.string("long")
            try check(long == "stays", "the key with a 60 s TTL reads \(String(describing: long))")
            let forever = try await cache.string("forever")
            try check(forever == "stays", "the key without a TTL reads \(String(describing: forever))")
            try await cache.set("short", to: "back")
            let back = try await cache.string("short")
            try check(back == "back", "set of an expired key reads \(String(describing: back))")
        },
        CacheConformanceCase("expire sets a TTL on a live key") { make in
            let cache = try await make()
            try await cache.set("k", to: "v")
            let set = try await cache.expire("k", ttl: .milliseconds(200))
            try check(set, "expire of a live key returned false")
            try await PlatformTestSupport.eventually("the key given a 200 ms TTL by expire expiring") {
                try await cache.get("k") == nil
            }
            let again = try await cache.expire("k", ttl: .seconds(60))
            try check(!again, "expire of an expired key returned true")
            let resurrected = try await cache.exists("k")
            try check(!resurrected, "expire brought an expired key back")
            // A TTL long enough that a busy test process still calls expire before it passes.
            try await cache.set("l", to: "v", ttl: .seconds(3))
            let extended = try await cache.expire("l", ttl: .seconds(60))
            try check(extended, "expire of a key with a TTL returned false")
            try await Task.sleep(for: .milliseconds(3_500))
            let value = try await cache.string("l")
            try check(value == "v", "a key whose TTL expire extended to 60 s reads \(String(describing: value))")
        },
        CacheConformanceCase("a second handle sees the first one's writes") { make in
            let first = try await make()
            let second = try await make()
            try await first.set("shared", to: "1")
            let seen = try await second.string("shared")
            try check(seen == "1", "the second handle read \(String(describing: seen))")
            let deleted = try await second.delete("shared")
            try check(deleted, "delete through the second handle returned false")
            let gone = try await first.exists("shared")
            try check(!gone, "the first handle still sees a deleted key")
        },
        CacheConformanceCase("concurrent writers of many keys all land") { make in
            let handles = [try await make(), try await make()]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let cache = handles[index % 2]
                    group.addTask { try await cache.set("concurrent/\(index)", to: "value \(index)") }
                }
                try await group.waitForAll()
            }
            for index in 0..<40 {
                let value = try await handles[(index + 1) % 2].string("concurrent/\(index)")
                try check(value == "value \(index)", "concurrent/\(index) is \(String(describing: value))")
            }
        },
    ]

    static let queueCases: [CacheConformanceCase] = [
        CacheConformanceCase("enqueue, dequeue in order and ack") { make in
            let cache = try await make()
            var ids: [QueueMessageID] = []
            for index in 0..<5 { ids.append(try await cache.enqueue("job \(index)", on: "jobs")) }
            try check(Set(ids).count == 5, "enqueue returned duplicate ids \(ids)")
            let length = try await cache.length(of: "jobs")
            try check(length == 5, "length after 5 enqueues is \(length)")
            for index in 0..<5 {
                let message = try await cache.dequeue(from: "jobs", visibilityTimeout: .seconds(30))
                guard let message else { throw ConformanceFailure("dequeue \(index) returned nil") }
                try check(message.string == "job \(index)", "dequeue \(index) returned '\(message.string)'")
                try check(message.id == ids[index], "dequeue \(index) returned id \(message.id), enqueue gave \(ids[index])")
                try check(message.deliveries == 1, "a first delivery has deliveries \(message.deliveries)")
                try check(message.queue == "jobs", "the message names queue '\(message.queue)'")
            }
            let none = try await cache.dequeue(from: "jobs", visibilityTimeout: .seconds(30))
            try check(none == nil, "dequeue with every message in flight returned \(String(describing: none?.string))")
            let inFlight = try await cache.length(of: "jobs")
            try check(inFlight == 5, "length with 5 messages in flight is \(inFlight)")
            let receipt = QueueReceipt(queue: "jobs", id: ids[0], delivery: 1)
            let acked = try await cache.ack(receipt)
            try check(acked, "ack of an in-flight message returned false")
            let again = try await cache.ack(receipt)
            try check(!again, "a second ack returned true")
            let after = try await cache.length(of: "jobs")
            try check(after == 4, "length after one ack is \(after)")
        },
        CacheConformanceCase("empty and unknown queues") { make in
            let cache = try await make()
            let none = try await cache.dequeue(from: "nothing-here", visibilityTimeout: .seconds(1))
            try check(none == nil, "dequeue of an empty queue returned a message")
            let length = try await cache.length(of: "nothing-here")
            try check(length == 0, "length of an empty queue is \(length)")
            let bogus = QueueReceipt(queue: "nothing-here", id: QueueMessageID("12345"), delivery: 1)
            let acked = try await cache.ack(bogus)
            try check(!acked, "ack of an unknown message returned true")
            let nacked = try await cache.nack(bogus)
            try check(!nacked, "nack of an unknown message returned true")
            let garbled = try await cache.ack(QueueReceipt(queue: "nothing-here", id: QueueMessageID("not an id"), delivery: 1))
            try check(!garbled, "ack of a malformed id returned true")
        },
        CacheConformanceCase("queues are independent") { make in
            let cache = try await make()
            let a = try await cache.enqueue("for a", on: "a")
            try await cache.enqueue("for b", on: "b")
            let fromB = try await cache.dequeue(from: "b", visibilityTimeout: .seconds(30))
            try check(fromB?.string == "for b", "dequeue from b returned \(String(describing: fromB?.string))")
            let wrongQueue = try await cache.ack(QueueReceipt(queue: "b", id: a, delivery: 0))
            try check(!wrongQueue, "ack naming another queue removed a message")
            let lengthA = try await cache.length(of: "a")
            try check(lengthA == 1, "queue a has \(lengthA) messages")
            let fromA = try await cache.dequeue(from: "a", visibilityTimeout: .seconds(30))
            try check(fromA?.id == a, "dequeue from a returned \(String(describing: fromA?.string))")
            let emptyB = try await cache.dequeue(from: "b", visibilityTimeout: .seconds(30))
            try check(emptyB == nil, "b handed out a message twice")
        },
        CacheConformanceCase("binary and empty payloads round-trip") { make in
            let cache = try await make()
            let payloads: [[UInt8]] = [[], Array(0...255), [0], (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 13) }]
            for payload in payloads { try await cache.enqueue(payload, on: "bin") }
            for payload in payloads {
                let message = try await cache.dequeue(from: "bin", visibilityTimeout: .seconds(30))
                try check(message?.payload == payload, "a \(payload.count)-byte payload came back as \(message?.payload.count ?? -1) bytes")
                if let message { try await cache.ack(message) }
            }
        },
        CacheConformanceCase("an unacked message is redelivered after its visibility timeout") { make in
            let cache = try await make()
            let id = try await cache.enqueue("work", on: "retry")
            // 2 s: long enough that the next dequeue comes before it on a loaded machine (200 ms did not, against
            // PostgreSQL beside a build), short enough to wait for.
            let first = try await cache.dequeue(from: "retry", visibilityTimeout: .seconds(2))
            try check(first?.id == id && first?.deliveries == 1, "the first delivery is \(String(describing: first))")
            let hidden = try await cache.dequeue(from: "retry", visibilityTimeout: .seconds(30))
            try check(hidden == nil, "an in-flight message was handed out again at once")
            var second: QueueMessage?
            try await PlatformTestSupport.eventually("redelivery after a 2 s visibility timeout") {
                second = try await cache.dequeue(from: "retry", visibilityTimeout: .seconds(30))
                return second != nil
            }
            try check(second?.id == id, "the redelivered message has id \(String(describing: second?.id))")
            try check(second?.deliveries == 2, "the second delivery has deliveries \(String(describing: second?.deliveries))")
            try check(second?.payload == Array("work".utf8), "the redelivered payload changed")
            // The first consumer's receipt is stale now: it must not remove or release the message.
            let staleAck = try await cache.ack(first!.receipt)
            try check(!staleAck, "an ack with the first delivery's receipt succeeded after redelivery")
            let staleNack = try await cache.nack(first!.receipt)
            try check(!staleNack, "a nack with the first delivery's receipt succeeded after redelivery")
            let stillHidden = try await cache.dequeue(from: "retry", visibilityTimeout: .seconds(30))
            try check(stillHidden == nil, "a stale nack made an in-flight message visible")
            let acked = try await cache.ack(second!)
            try check(acked, "ack of the current delivery returned false")
            let length = try await cache.length(of: "retry")
            try check(length == 0, "length after ack is \(length)")
        },
        CacheConformanceCase("ack within the visibility timeout ends the message") { make in
            let cache = try await make()
            try await cache.enqueue("once", on: "acked")
            let message = try await cache.dequeue(from: "acked", visibilityTimeout: .milliseconds(200))
            guard let message else { throw ConformanceFailure("dequeue returned nil") }
            let acked = try await cache.ack(message)
            try check(acked, "ack returned false")
            try await Task.sleep(for: .milliseconds(500))
            let again = try await cache.dequeue(from: "acked", visibilityTimeout: .seconds(30))
            try check(again == nil, "an acked message was delivered again: \(String(describing: again))")
        },
        CacheConformanceCase("an expired delivery can still be acked until redelivered") { make in
            let cache = try await make()
            try await cache.enqueue("slow", on: "late")
            let message = try await cache.dequeue(from: "late", visibilityTimeout: .milliseconds(100))
            try await Task.sleep(for: .milliseconds(300))
            let acked = try await cache.ack(message!)
            try check(acked, "ack after the visibility timeout, with no redelivery, returned false")
            let length = try await cache.length(of: "late")
            try check(length == 0, "length after the late ack is \(length)")
        },
        CacheConformanceCase("nack makes a message visible again, at once or after a delay") { make in
            let cache = try await make()
            try await cache.enqueue("first", on: "nack")
            try await cache.enqueue("second", on: "nack")
            let first = try await cache.dequeue(from: "nack", visibilityTimeout: .seconds(30))
            let nacked = try await cache.nack(first!)
            try check(nacked, "nack returned false")
            let again = try await cache.dequeue(from: "nack", visibilityTimeout: .seconds(30))
            try check(again?.string == "first" && again?.deliveries == 2, "after nack dequeue returned \(String(describing: again))")
            let delayed = try await cache.nack(again!.receipt, delay: .seconds(60))
            try check(delayed, "nack with a delay returned false")
            let next = try await cache.dequeue(from: "nack", visibilityTimeout: .seconds(30))
            try check(next?.string == "second", "a message nacked with a 60 s delay was not skipped: got \(String(describing: next?.string))")
            let none = try await cache.dequeue(from: "nack", visibilityTimeout: .seconds(30))
            try check(none == nil, "a message nacked with a 60 s delay came back at once")
            let length = try await cache.length(of: "nack")
            try check(length == 2, "length counts delayed and in-flight messages: \(length)")
            try await cache.ack(next!)
            let shortDelay = try await cache.enqueue("short", on: "nack2")
            let short = try await cache.dequeue(from: "nack2", visibilityTimeout: .seconds(30))
            try await cache.nack(short!, delay: .milliseconds(200))
            var back: QueueMessage?
            try await PlatformTestSupport.eventually("a message nacked with a 200 ms delay coming back") {
                back = try await cache.dequeue(from: "nack2", visibilityTimeout: .seconds(30))
                return back != nil
            }
            try check(back?.id == shortDelay && back?.deliveries == 2, "the message nacked with a delay came back as \(String(describing: back))")
        },
        CacheConformanceCase("delayed messages become visible after their delay") { make in
            let cache = try await make()
            // Messages handed out stay in flight for an hour: on a loaded machine this case can take longer than a
            // short visibility timeout, and "now" must not come back as if it were the 60 s one.
            try await cache.enqueue("later", on: "delayed", delay: .milliseconds(200))
            try await cache.enqueue("much later", on: "delayed", delay: .seconds(60))
            try await cache.enqueue("now", on: "delayed", delay: .zero)
            let first = try await cache.dequeue(from: "delayed", visibilityTimeout: .seconds(3_600))
            try check(first?.string == "now", "the first visible message is \(String(describing: first?.string))")
            var later: QueueMessage?
            try await PlatformTestSupport.eventually("a message delayed 200 ms becoming visible") {
                later = try await cache.dequeue(from: "delayed", visibilityTimeout: .seconds(3_600))
                return later != nil
            }
            try check(later?.string == "later", "after 200 ms dequeue returned \(String(describing: later?.string))")
            let none = try await cache.dequeue(from: "delayed", visibilityTimeout: .seconds(3_600))
            try check(none == nil, "a message delayed 60 s was handed out: \(String(describing: none?.string))")
            let length = try await cache.length(of: "delayed")
            try check(length == 3, "length with one delayed and two in-flight messages is \(length)")
        },
        CacheConformanceCase("concurrent consumers on several handles get each message exactly once") { make in
            let handles = [try await make(), try await make(), try await make()]
            let count = 60
            for index in 0..<count { try await handles[index % 3].enqueue("m\(index)", on: "work") }
            let received = Locked<[String]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for consumer in 0..<6 {
                    let cache = handles[consumer % 3]
                    group.addTask {
                        while let message = try await cache.dequeue(from: "work", visibilityTimeout: .seconds(60)) {
                            received.withLock { $0.append(message.string) }
                            let acked = try await cache.ack(message)
                            try check(acked, "ack of \(message.string) returned false")
                        }
                    }
                }
                try await group.waitForAll()
            }
            let all = received.withLock { $0 }
            try check(all.count == count, "\(all.count) deliveries for \(count) messages")
            try check(Set(all) == Set((0..<count).map { "m\($0)" }), "the delivered messages differ from the enqueued ones")
            let length = try await handles[0].length(of: "work")
            try check(length == 0, "length after every message was acked is \(length)")
        },
    ]

    static let validationCases: [CacheConformanceCase] = [
        CacheConformanceCase("invalid keys, queue names and durations are rejected") { make in
            let cache = try await make()
            for name in invalidNames {
                let shown = name.count > 20 ? "\(name.utf8.count) bytes" : name.debugDescription
                try await checkThrows(.invalidArgument, "set \(shown)") { try await cache.set(name, to: "x") }
                try await checkThrows(.invalidArgument, "get \(shown)") { _ = try await cache.get(name) }
                try await checkThrows(.invalidArgument, "delete \(shown)") { _ = try await cache.delete(name) }
                try await checkThrows(.invalidArgument, "exists \(shown)") { _ = try await cache.exists(name) }
                try await checkThrows(.invalidArgument, "expire \(shown)") { _ = try await cache.expire(name, ttl: .seconds(1)) }
                try await checkThrows(.invalidArgument, "enqueue on \(shown)") { try await cache.enqueue("x", on: name) }
                try await checkThrows(.invalidArgument, "dequeue from \(shown)") {
                    _ = try await cache.dequeue(from: name, visibilityTimeout: .seconds(1))
                }
                try await checkThrows(.invalidArgument, "length of \(shown)") { _ = try await cache.length(of: name) }
                try await checkThrows(.invalidArgument, "ack on \(shown)") {
                    _ = try await cache.ack(QueueReceipt(queue: name, id: QueueMessageID("1"), delivery: 1))
                }
            }
            for ttl in [Duration.zero, .milliseconds(-5), .seconds(200 * 366 * 24 * 3600)] {
                try await checkThrows(.invalidArgument, "set with ttl \(ttl)") { try await cache.set("k", to: "x", ttl: ttl) }
                try await checkThrows(.invalidArgument, "expire with ttl \(ttl)") { _ = try await cache.expire("k", ttl: ttl) }
                try await checkThrows(.invalidArgument, "dequeue with visibility timeout \(ttl)") {
                    _ = try await cache.dequeue(from: "q", visibilityTimeout: ttl)
                }
            }
            try await checkThrows(.invalidArgument, "enqueue with a negative delay") {
                try await cache.enqueue("x", on: "q", delay: .seconds(-1))
            }
            let stored = try await cache.exists("k")
            try check(!stored, "a rejected set stored the key")
            let length = try await cache.length(of: "q")
            try check(length == 0, "a rejected enqueue stored a message")
        },
    ]

    /// Names every adapter rejects with `INVALID_ARGUMENT` (as keys, queue names and channels).
    public static let invalidNames: [String] = ["", "nul\u{0}inside", "\u{0}", String(repeating: "k", count: PlatformName.maxLength + 1),
        String(repeating: "é", count: PlatformName.maxLength / 2 + 1)]
}
