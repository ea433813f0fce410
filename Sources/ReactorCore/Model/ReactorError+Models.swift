extension ReactorError.Code {
    /// A model module cannot be used as a document model: not a WebAssembly binary or WAT text, invalid, or it does
    /// not follow the reducer ABI (`docs/functions.md`, "Document models"): an import from a module other than WASI
    /// preview 1, a missing `memory`, `reactor_alloc` or `reactor_reduce`, an export of the wrong type. Also a bad
    /// registration: a document type or version that is not valid, scopes or initial states that do not fit. HTTP 422;
    /// the message says what is wrong.
    public static let modelInvalid = ReactorError.Code("MODEL_INVALID")
    /// A model with this document type and version is registered already with another module (or other scopes,
    /// initial state or fuel), or the document type is a built-in model. Models are immutable per (type, version):
    /// register a new version. HTTP 409.
    public static let modelExists = ReactorError.Code("MODEL_EXISTS")
    /// No model is registered under this document type. HTTP 404.
    public static let modelNotFound = ReactorError.Code("MODEL_NOT_FOUND")
}

extension ReactorError {
    /// `MODEL_INVALID` with `message`, naming the request field at `path` when given.
    public static func modelInvalid(_ message: String, path: String? = nil) -> ReactorError {
        ReactorError(.modelInvalid, message, details: path.map { ["path": $0] } ?? [:])
    }
}
