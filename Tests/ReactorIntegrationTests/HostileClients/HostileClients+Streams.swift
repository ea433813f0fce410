import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import ReactorCore
import ReactorTesting
import Synchronization
import Testing

/// Live subscriptions against `reactor serve` on loopback: many subscribers under a stream of ordered writes, and a
/// subscriber that stops reading its socket.
@Suite("Hostile clients: live subscriptions", .tags(.hostileClients), .enabled(if: HostileClientsRun.enabled, HostileClientsRun.reason), .serialized, .timeLimit(.minutes(5)))
struct HostileClientsStreamTests {
    /// Creates a to-do list with one item `1` (index 0 of its global stream), waiting for it.
    static func createList(_ server: ServerProcess, _ id: String) async throws {
        let created = try await http(.POST, "\(server.base)/reactor/v1/documents?wait=true", ["documentType": "reactor/todo-list", "id": .string(id)])
        #expect(created.status == 201, "\(created.json)")
        let added = try await http(.POST, "\(server.base)/reactor/v1/documents/\(id)/actions?wait=true", [
            "actions": [["id": .string("add-\(id)"), "type": "ADD_TODO", "input": ["id": "1", "text": "toggled"]]],
        ])
        #expect(added.status == 200, "\(added.json)")
    }

    /// One batch of jobs, each toggling item `1` once on a document of `documents` (round robin), waited for.
    static func toggleBatch(_ server: ServerProcess, documents: [String], jobs: Int, batch: Int) async throws {
        let list: [JSONValue] = (0..<jobs).map { j in
            let document = documents[j % documents.count]
            return ["key": .string("k\(j)"), "documentId": .string(document),
                    "actions": [["id": .string("t-\(batch)-\(j)"), "type": "TOGGLE_TODO", "input": ["id": "1"]]]]
        }
        let reply = try await http(.POST, "\(server.base)/reactor/v1/batches?wait=true", ["jobs": .array(list)])
        #expect(reply.status == 200, "\(reply.json)")
    }

    /// The global-scope operation indices of a `change` event's data, by document.
    static func globalIndices(_ event: SSEEvent) -> [(String, Int)] {
        guard let json = try? JSONValueCoder.parse(event.data), let document = json["documentId"]?.stringValue else { return [] }
        return (json["operations"]?.arrayValue ?? []).filter { $0["stream"]?["scope"]?.stringValue == "global" }
            .compactMap { $0["operation"]?["index"]?.intValue }.map { (document, $0) }
    }

    static func inversions(_ indices: [Int]) -> Int {
        zip(indices, indices.dropFirst()).filter { $0.1 < $0.0 }.count
    }

    @Test func aThousandOrderedWritesToOneDocumentUnderAHundredSubscribersArriveInOrder() async throws {
        let server = try await ServerProcess()
        defer { try? FileManager.default.removeItem(at: server.directory) }
        try await Self.createList(server, "ordered")
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let subscribers = 100, writes = 1_000, perBatch = 100
        let ready = ReadyCount()
        let writing = Mutex(Duration.zero)
        let started = ContinuousClock.now
        let received = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<subscribers {
                group.addTask {
                    let request = HTTPClientRequest(url: "\(server.base)/reactor/v1/subscriptions/events?ids=ordered")
                    let response = try await client.execute(request, timeout: .seconds(120))
                    var parser = SSEParser()
                    var indices: [Int] = []
                    for try await chunk in response.body {
                        for event in parser.feed(String(buffer: chunk)) {
                            if event.event == "ready" { ready.add() }
                            if event.event == "change" { indices += Self.globalIndices(event).map(\.1) }
                        }
                        if indices.count >= writes { break }
                    }
                    return indices
                }
            }
            try await eventually("\(subscribers) subscribers are live", timeout: .seconds(60)) { ready.value == subscribers }
            let live = ContinuousClock.now
            for batch in 0..<writes / perBatch {
                try await Self.toggleBatch(server, documents: ["ordered"], jobs: perBatch, batch: batch)
            }
            writing.withLock { $0 = ContinuousClock.now - live }
            var all: [[Int]] = []
            for try await indices in group { all.append(indices) }
            return all
        }
        let elapsed = ContinuousClock.now - started
        try await client.shutdown()
        let inversions = received.map(Self.inversions)
        let complete = received.filter { $0.count == writes && Set($0) == Set(1...writes) }.count
        print("hostile-clients: ordered writes: \(writes) writes to one document (written in \(writing.withLock { $0 })) under "
              + "\(subscribers) SSE subscribers, all delivered \(elapsed) after the subscribers connected: "
              + "inversions per subscriber max \(inversions.max() ?? 0), total \(inversions.reduce(0, +)); "
              + "\(complete) of \(subscribers) subscribers saw every write exactly once")
        #expect(inversions.allSatisfy { $0 == 0 })
        #expect(complete == subscribers)
        #expect(try await server.terminate() == 0)
    }

    @Test func aPausedSubscriberGetsAnOverflowThenResumesWithEveryChangeExactlyOnce() async throws {
        let buffer = 2_000
        let server = try await ServerProcess(environment: ["REACTOR_SERVER__SUBSCRIPTION_BUFFER": String(buffer)])
        defer { try? FileManager.default.removeItem(at: server.directory) }
        let documents = (0..<10).map { "paused-\($0)" }
        for document in documents { try await Self.createList(server, document) }
        let changes = 12_000, perBatch = 1_000
        let started = ContinuousClock.now
        // A subscriber with a small receive buffer reads the ready event, then stops reading its socket while the
        // changes land; then reads again: what was held, then the overflow, then the end.
        let (first, overflow, written) = try await within(.seconds(240), "the paused subscriber's overflow") {
            try await PausedSSEReader.connect(port: server.port, path: "/reactor/v1/subscriptions/events?type=reactor/todo-list") { reader in
                let ready = try await reader.next()
                #expect(ready?.event == "ready")
                for batch in 0..<changes / perBatch {
                    try await Self.toggleBatch(server, documents: documents, jobs: perBatch, batch: batch)
                }
                let written = ContinuousClock.now - started
                var seen: [SSEEvent] = []
                while let event = try await reader.next() {
                    if event.event == "change" { seen.append(event) }
                    if event.event == "overflow" { return (seen, Optional(event), written) }
                }
                return (seen, nil, written)
            }
        }
        let overflowEvent = try #require(overflow, "the stream ended without an overflow event after \(first.count) changes")
        let overflowData = try JSONValueCoder.parse(overflowEvent.data)
        let resumeAfter = try #require(overflowData["resumeAfter"]?.stringValue)
        #expect(overflowEvent.id == resumeAfter)
        #expect(first.last?.id == resumeAfter)
        // Reconnecting with Last-Event-ID brings the rest: the store's replay, then live.
        let firstIndices = first.flatMap(Self.globalIndices)
        let rest = try await within(.seconds(120), "the resumed subscriber's replay") {
            var request = HTTPClientRequest(url: "\(server.base)/reactor/v1/subscriptions/events?type=reactor/todo-list")
            request.headers.add(name: "Last-Event-ID", value: resumeAfter)
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
            var parser = SSEParser()
            var indices: [(String, Int)] = []
            for try await chunk in response.body {
                for event in parser.feed(String(buffer: chunk)) where event.event == "change" { indices += Self.globalIndices(event) }
                if firstIndices.count + indices.count >= changes { break }
            }
            return indices.map { "\($0.0)#\($0.1)" }
        }
        let elapsed = ContinuousClock.now - started
        let all = firstIndices.map { "\($0.0)#\($0.1)" } + rest
        let expected = Set(documents.flatMap { document in (1...changes / documents.count).map { "\(document)#\($0)" } })
        let duplicates = all.count - Set(all).count
        let missing = expected.subtracting(all).count
        print("hostile-clients: paused subscriber: \(changes) changes written in \(written) while it did not read "
              + "(subscription_buffer = \(buffer)); it received \(firstIndices.count) then an overflow event (resume after \(resumeAfter)); "
              + "reconnecting with Last-Event-ID replayed \(rest.count); missing \(missing), duplicates \(duplicates); total \(elapsed)")
        #expect(firstIndices.count < changes)
        #expect(missing == 0)
        #expect(duplicates == 0)
        #expect(try await server.terminate() == 0)
    }
}

/// How many subscribers are live.
final class ReadyCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// An SSE client on a raw connection with a small receive buffer, whose reads stop while nobody asks for the next
/// event (the channel reads only on demand), so that the server's writes back up as a paused client's would.
struct PausedSSEReader {
    private var iterator: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private var parser = SSEParser()
    private var ready: [SSEEvent] = []

    /// Connects with a 16 KiB receive buffer, sends `GET path` and runs `body` with the reader; closes after.
    static func connect<T: Sendable>(port: Int, path: String, _ body: (inout PausedSSEReader) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: 16_384)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
            head.headers.add(name: "Host", value: "127.0.0.1:\(port)")
            try await outbound.write(.head(head))
            try await outbound.write(.end(nil))
            var reader = PausedSSEReader(iterator: inbound.makeAsyncIterator())
            return try await body(&reader)
        }
    }

    /// The next event; nil when the response ended.
    mutating func next() async throws -> SSEEvent? {
        while ready.isEmpty {
            switch try await iterator.next() {
            case .head: continue
            case .body(let bytes): ready = parser.feed(String(buffer: bytes))
            case .end, nil: return nil
            }
        }
        return ready.removeFirst()
    }
}
