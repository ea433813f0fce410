/// The document models registered at run time (WebAssembly modules): registers new ones (module in the blob store,
/// record in the Reactor store) and loads registered ones on any node, as the engine's ``DocumentModelLoader``.
///
/// The adapter is `ReactorWasm.WasmModelCatalog` (package trait `WASM`).
public protocol ModelCatalog: DocumentModelLoader {
    /// Checks and registers a model, and returns it with its record. Registering the same definition again returns
    /// the existing record with `created` false; another definition of a registered (type, version), or a built-in
    /// type, is `MODEL_EXISTS`; a bad module or registration is `MODEL_INVALID`.
    func register(_ registration: ModelRegistration) async throws -> (model: any DocumentModel, record: ModelRecord, created: Bool)
    /// Every registered record, by document type then version.
    func records() async throws -> [ModelRecord]
}
