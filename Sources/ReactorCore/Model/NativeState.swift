/// A scope's state in its model's own representation (for ``TypedDocumentModel``, the decoded Swift value), which the
/// engine keeps between the actions of a job and in its write cache, so that an action does not decode the whole state
/// before it reduces and the state is encoded as JSON only when something needs the JSON (a read, a keyframe).
///
/// Made by ``DocumentModel/nativeState(from:scope:)``. Reducing a native state must give exactly what the model's
/// JSON reducer gives for the same state and action: the engine mixes both paths (a document loaded from the store
/// starts from JSON), and every node of a cluster must compute the same hashes. For a typed model that means its
/// `State` round-trips through `Codable` (decoding what it encoded gives an equal value).
public protocol NativeState: Sendable {
    /// Validates and reduces `action`: a thrown error fails the job (unknown action, malformed input), a `.failure`
    /// is a reducer error (recorded on the operation, the state unchanged), as in
    /// ``DocumentModel/reduceValidated(state:action:)``.
    func reduceValidated(_ action: Action) throws -> Result<any NativeState, any Error>
    /// The state as JSON: the value the model's JSON reducer would have returned.
    func encoded() throws -> JSONValue
    /// The RFC 8785 canonical bytes of ``encoded()``, written without building the JSON value (what the state hash
    /// is computed over).
    func canonicalData() throws -> [UInt8]
}
