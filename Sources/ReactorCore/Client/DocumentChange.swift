import Synchronization

/// A change to a document that a subscription matched: the operations one job appended to one document (live), or
/// consecutive operations of one document read back from the store (a replay, see the engine's `SubscriptionManager`).
///
/// What ``DocumentClient/changes(_:after:)`` yields, in process and over HTTP alike (a remote client rebuilds it from
/// the server's `change` event).
public struct DocumentChange: Sendable {
    /// What the change did to the document.
    public enum Kind: String, Sendable, Codable {
        case created, updated, deleted
    }

    /// `created` when the operations create the document, `deleted` when they delete it, else `updated`.
    public var kind: Kind
    /// The changed document's id.
    public var documentID: String
    /// The document after the change (live), or as it is when a replay reads the change back.
    public var document: Document
    /// The operations the change appended, in ordinal order.
    public var operations: [OperationRecord]
    /// The change's resume position: its highest ordinal. Subscriptions deliver changes in global ordinal order, so
    /// every matching change at or below it was delivered before it or with it: resume after it to miss nothing.
    public var position: Int64
    /// One encoded form of the change that a transport may keep, shared by every subscriber the change goes to (so
    /// that a change sent to many streams is encoded once).
    public let encoded = EncodedForm()

    /// A lazily computed encoding of a change.
    public final class EncodedForm: Sendable {
        private let text = Mutex<String?>(nil)

        /// The encoding, made by `make` the first time.
        public func value(_ make: () throws -> String) rethrows -> String {
            if let text = text.withLock({ $0 }) { return text }
            let made = try make()
            text.withLock { $0 = made }
            return made
        }
    }

    /// A change of `document` made of `operations` (not empty), its kind read from the document-scope actions.
    public init(document: Document, operations: [OperationRecord]) {
        let types = Set(operations.filter { $0.stream.scope == Scope.document }.map(\.operation.action.type))
        self.kind = types.contains(SystemAction.create) ? .created : types.contains(SystemAction.delete) ? .deleted : .updated
        self.documentID = document.id
        self.document = document
        self.operations = operations
        self.position = operations.map(\.ordinal).max() ?? 0
    }
}
