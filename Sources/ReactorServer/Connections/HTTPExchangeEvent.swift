import ReactorCore

/// What ``HTTPExchangeObserver`` tells the connection's ``ConnectionGuard`` (as outbound user events): where each
/// request and response of the connection begins and ends, and a request the HTTP decoder could not parse.
enum HTTPExchangeEvent: Sendable {
    /// A request head was decoded.
    case requestHead
    /// A request (head and body) was decoded to its end.
    case requestEnd
    /// A response head is being written.
    case responseHead
    /// A response was written to its end.
    case responseEnd
    /// The decoder failed on the connection's input: the answer to write before closing.
    case malformed(ReactorError)
}
