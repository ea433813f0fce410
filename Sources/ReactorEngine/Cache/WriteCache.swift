import DequeModule
import ReactorCore
import Synchronization

/// The write-path document cache: an LRU of ``DocumentSnapshot``s keyed by (document, branch), and per stream a
/// ring buffer of the most recent (index, state, hash) entries.
///
/// The executor puts the snapshot it committed; readers put what they loaded only when it is newer than what is
/// cached, so a slow reader never overwrites a fresher write.
public final class WriteCache: Sendable {
    struct Key: Hashable, Sendable {
        let documentID: String
        let branch: String
    }

    /// A state a stream had after the operation at `index`.
    public struct RecentState: Sendable, Hashable {
        public var index: Int
        /// The state, as JSON or as the model's native value (encoded only when it is read).
        public var value: ScopeValue
        public var hash: String

        /// The state as JSON.
        public var state: JSONValue { value.json }

        public init(index: Int, value: ScopeValue, hash: String) {
            self.index = index
            self.value = value
            self.hash = hash
        }

        public init(index: Int, state: JSONValue, hash: String) {
            self.init(index: index, value: ScopeValue(json: state), hash: hash)
        }
    }

    private final class Node {
        let key: Key
        var snapshot: DocumentSnapshot
        var rings: [String: Deque<RecentState>] = [:]
        var prev: Node?
        var next: Node?
        init(key: Key, snapshot: DocumentSnapshot) {
            self.key = key
            self.snapshot = snapshot
        }
    }

    private struct State: ~Copyable {
        var nodes: [Key: Node] = [:]
        var head: Node?  // most recent
        var tail: Node?  // least recent
        var hits = 0
        var misses = 0

        mutating func unlink(_ node: Node) {
            if let p = node.prev { p.next = node.next } else { head = node.next }
            if let n = node.next { n.prev = node.prev } else { tail = node.prev }
            node.prev = nil
            node.next = nil
        }

        mutating func pushFront(_ node: Node) {
            node.next = head
            head?.prev = node
            head = node
            if tail == nil { tail = node }
        }
    }

    public let config: WriteCacheConfig
    private let state: Mutex<State>

    public init(config: WriteCacheConfig = WriteCacheConfig()) {
        self.config = config
        self.state = Mutex(State())
    }

    /// The cached snapshot, marking it most recently used.
    public func get(_ documentID: String, branch: String) -> DocumentSnapshot? {
        guard config.maxDocuments > 0 else { return nil }
        let key = Key(documentID: documentID, branch: branch)
        return state.withLock { s in
            guard let node = s.nodes[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            if s.head !== node {
                s.unlink(node)
                s.pushFront(node)
            }
            return node.snapshot
        }
    }

    /// Stores the snapshot a write produced, and records new states in the ring buffers.
    public func put(_ snapshot: DocumentSnapshot, recent: [String: [RecentState]] = [:]) {
        insert(snapshot, recent: recent, onlyIfNewer: false)
    }

    /// Stores a snapshot a reader loaded, unless a newer one is cached.
    public func putIfNewer(_ snapshot: DocumentSnapshot) {
        insert(snapshot, recent: [:], onlyIfNewer: true)
    }

    private func insert(_ snapshot: DocumentSnapshot, recent: [String: [RecentState]], onlyIfNewer: Bool) {
        guard config.maxDocuments > 0 else { return }
        let key = Key(documentID: snapshot.header.id, branch: snapshot.header.branch)
        let ringSize = config.ringBufferSize
        state.withLock { s in
            let node: Node
            if let existing = s.nodes[key] {
                if onlyIfNewer, existing.snapshot.version >= snapshot.version { return }
                existing.snapshot = snapshot
                node = existing
                s.unlink(node)
            } else {
                node = Node(key: key, snapshot: snapshot)
                s.nodes[key] = node
            }
            s.pushFront(node)
            if ringSize > 0 {
                for (scope, states) in recent {
                    var ring = node.rings[scope] ?? Deque()
                    for r in states {
                        ring.append(r)
                        if ring.count > ringSize { ring.removeFirst() }
                    }
                    node.rings[scope] = ring
                }
            }
            while s.nodes.count > config.maxDocuments, let victim = s.tail {
                s.unlink(victim)
                s.nodes[victim.key] = nil
            }
        }
    }

    /// The state of a stream after the operation at `index`, when the ring buffer still holds it.
    public func recentState(_ stream: StreamID, index: Int) -> RecentState? {
        let key = Key(documentID: stream.documentID, branch: stream.branch)
        return state.withLock { s in s.nodes[key]?.rings[stream.scope]?.last { $0.index == index } }
    }

    /// Forgets a document (all branches when `branch` is nil).
    public func invalidate(_ documentID: String, branch: String? = nil) {
        state.withLock { s in
            let keys = branch.map { [Key(documentID: documentID, branch: $0)] } ?? s.nodes.keys.filter { $0.documentID == documentID }
            for key in keys {
                if let node = s.nodes.removeValue(forKey: key) { s.unlink(node) }
            }
        }
    }

    /// Forgets everything.
    public func removeAll() {
        state.withLock { s in
            s.nodes.removeAll()
            s.head = nil
            s.tail = nil
        }
    }

    /// Documents cached now.
    public var count: Int { state.withLock { $0.nodes.count } }

    /// Lookups that found / did not find their document.
    public var statistics: (hits: Int, misses: Int) { state.withLock { ($0.hits, $0.misses) } }
}
