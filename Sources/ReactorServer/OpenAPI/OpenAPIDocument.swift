/// The OpenAPI 3.1 document of the HTTP API, served at `/openapi.json`.
///
/// The document is the committed file `Sources/ReactorServer/OpenAPI/openapi.json`, compiled into the binary
/// (SwiftPM `embedInCode`), so the served contract is byte for byte the file in the repository. Keep it in step with
/// the routes: `AuthAndSystemRouteTests` checks that every route is documented and that the served bytes are the
/// file's, and `.ci/run` runs schemathesis with the file against a running server.
public enum OpenAPIDocument {
    /// The document's bytes (UTF-8 JSON).
    public static var bytes: [UInt8] { PackageResources.openapi_json }

    /// The document as JSON text.
    public static var json: String { String(decoding: bytes, as: UTF8.self) }
}
