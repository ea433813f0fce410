/// The changes a subscription yields (``DocumentClient/changes(_:after:)``): an `AsyncSequence` of
/// ``DocumentChange``s in global ordinal order, the same type whether the reactor runs in process or behind a server.
///
/// One consumer iterates it. Each change carries its ``DocumentChange/position``: keep the last one to resume after
/// it with a new subscription. Breaking out of the loop, or cancelling the task that iterates, ends the subscription
/// (a remote one closes its request). Everything a subscription does runs in the iterating task: nothing is left
/// running in the background.
public struct DocumentChanges: AsyncSequence, Sendable {
    /// A change.
    public typealias Element = DocumentChange

    /// Where one iteration takes its changes from: called for each change the consumer asks for, in the iterating
    /// task; nil ends the sequence, a thrown error ends it with the error.
    public typealias Next = () async throws -> DocumentChange?

    private let start: @Sendable () -> Next

    /// Changes taken from the function `start` makes when the iteration begins (it may hold state that is not
    /// `Sendable`, such as an open response body: only the iterating task touches it).
    public init(start: @escaping @Sendable () -> Next) {
        self.start = start
    }

    /// Changes taken from `stream`.
    public init(_ stream: AsyncThrowingStream<DocumentChange, any Error>) {
        self.init {
            var iterator = stream.makeAsyncIterator()
            return { try await iterator.next() }
        }
    }

    /// Iterates the changes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        private let nextChange: Next

        init(_ nextChange: @escaping Next) {
            self.nextChange = nextChange
        }

        /// The next change; nil once the subscription ended.
        public mutating func next() async throws -> DocumentChange? {
            try await nextChange()
        }
    }

    /// An iterator over the changes.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(start())
    }
}
