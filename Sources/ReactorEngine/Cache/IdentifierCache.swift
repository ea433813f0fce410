import ReactorCore
import Synchronization

/// How identifiers resolved to documents (as an id, as a slug), so a read by id or slug of a known document needs no
/// store query.
///
/// Only identifiers that named a document are kept (a miss always asks the store, so a document created by another
/// process is found). Header changes written by another process on the same SQLite file are not seen (as for the
/// ``WriteCache``): a cached answer then stays until this process changes a header or the cache fills up. The executor invalidates a document's entries when it commits to the document's header stream
/// (a create, a slug change, a delete), before the job's consistency token is handed out; the cluster follower clears
/// everything when another node changes a header. A reader fills the cache only if nothing was invalidated since it
/// started asking the store (a generation counter), so a slow reader never stores a stale answer.
public final class IdentifierCache: Sendable {
    /// What an identifier names.
    public struct Resolution: Sendable, Equatable {
        /// The document whose id is the identifier, if any.
        public var byID: String?
        /// The document whose slug is the identifier, if any.
        public var bySlug: String?

        public init(byID: String?, bySlug: String?) {
            self.byID = byID
            self.bySlug = bySlug
        }
    }

    private struct State {
        var generation: UInt64 = 0
        var entries: [String: Resolution] = [:]
        /// Document id → the identifiers whose resolution names it.
        var keysByDocument: [String: Set<String>] = [:]
    }

    private let state = Mutex(State())
    /// The most identifiers kept; the cache is emptied when it is full (reads refill it).
    public let capacity: Int

    public init(capacity: Int = 50_000) {
        self.capacity = capacity
    }

    /// The cached resolution of `identifier` and the generation to hand back to ``store(_:for:generation:)``.
    public func lookup(_ identifier: String) -> (resolution: Resolution?, generation: UInt64) {
        state.withLock { ($0.entries[identifier], $0.generation) }
    }

    /// Keeps `resolution` unless something was invalidated since `generation` was read, or it names no document.
    public func store(_ resolution: Resolution, for identifier: String, generation: UInt64) {
        guard resolution.byID != nil || resolution.bySlug != nil else { return }
        state.withLock { s in
            guard s.generation == generation else { return }
            if s.entries.count >= capacity { s = State(generation: s.generation) }
            s.entries[identifier] = resolution
            for id in [resolution.byID, resolution.bySlug].compactMap({ $0 }) {
                s.keysByDocument[id, default: []].insert(identifier)
            }
        }
    }

    /// Forgets every identifier that names `documentID`, and the identifiers `documentID` and `slug` themselves (a new
    /// document or slug can make a cached identifier ambiguous).
    public func invalidate(documentID: String, slug: String?) {
        state.withLock { s in
            s.generation &+= 1
            var keys = s.keysByDocument.removeValue(forKey: documentID) ?? []
            keys.insert(documentID)
            if let slug { keys.insert(slug) }
            for key in keys {
                guard let old = s.entries.removeValue(forKey: key) else { continue }
                for id in [old.byID, old.bySlug].compactMap({ $0 }) where id != documentID {
                    s.keysByDocument[id]?.remove(key)
                }
            }
        }
    }

    /// Forgets everything (another node changed a header this node cannot see the details of).
    public func invalidateAll() {
        state.withLock { s in s = State(generation: s.generation &+ 1) }
    }

    /// How many identifiers are cached.
    public var count: Int { state.withLock { $0.entries.count } }
}
