import Crypto
import HTTPTypes
import Hummingbird
import NIOCore

/// The web console (`docs/console.md`): one page and its script and style sheet, compiled into the binary (SwiftPM
/// `embedInCode`: no CDN, no files to deploy, works offline). `/` redirects to `/console`. The page calls the same
/// HTTP API as any client, with the token the user signs in with, so it has no rights of its own.
///
/// Every answer carries a strict `Content-Security-Policy` (only this origin's script, style and API), `nosniff` and
/// `frame-ancestors 'none'`; assets are revalidated with an `ETag` (the SHA-256 of their bytes).
struct ConsoleRoutes: Sendable {
    /// The console's path.
    static let path = "/console"

    /// One embedded file.
    struct Asset: Sendable {
        let bytes: [UInt8]
        let contentType: String
        let etag: String

        init(_ bytes: [UInt8], contentType: String) {
            self.bytes = bytes
            self.contentType = contentType
            self.etag = "\"" + SHA256.hash(data: bytes).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    static let page = Asset(PackageResources.console_html, contentType: "text/html; charset=utf-8")
    static let script = Asset(PackageResources.console_js, contentType: "text/javascript; charset=utf-8")
    static let styles = Asset(PackageResources.console_css, contentType: "text/css; charset=utf-8")

    /// What the browser may load and call: this origin only.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    func register(on router: Router<ReactorRequestContext>) {
        router.get("/") { _, _ in
            var headers = HTTPFields()
            headers[.location] = Self.path
            return Response(status: .found, headers: headers)
        }
        router.get("console") { request, _ in Self.serve(Self.page, request) }
        router.get("console/console.js") { request, _ in Self.serve(Self.script, request) }
        router.get("console/console.css") { request, _ in Self.serve(Self.styles, request) }
    }

    static func serve(_ asset: Asset, _ request: Request) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.eTag] = asset.etag
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        if request.headers[.ifNoneMatch]?.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag }) == true {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentLength] = String(asset.bytes.count)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
