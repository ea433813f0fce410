import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore

/// Signs and sends one S3 request and turns error answers into ``ReactorError``s.
struct S3Transport: Sendable {
    let configuration: S3Configuration
    let endpoint: S3Configuration.Endpoint
    let signer: SigV4Signer
    let client: HTTPClient
    let now: @Sendable () -> Date

    /// A request body.
    enum Body: Sendable {
        /// No body.
        case none
        /// Small bytes held in memory (XML documents, buffered parts); signed with their SHA-256.
        case bytes([UInt8])
        /// A stream of `length` bytes, sent as it is read and signed as `UNSIGNED-PAYLOAD`.
        case stream(S3StreamedBody, length: Int64)
    }

    /// The largest error or XML answer read into memory.
    static let maxAnswerBytes = 4 << 20

    /// The server-side name of `bucket` (with the configured prefix).
    func serverName(_ bucket: BucketName) -> String { configuration.bucketPrefix + bucket.rawValue }

    /// The host and encoded path of an object (or bucket, or the service when both are nil).
    func location(bucket: BucketName?, key: BlobKey?) -> (host: String, path: String) {
        let encodedKey = key.map { AWSURIEncoding.path($0.rawValue) }
        guard let bucket else { return (endpoint.host, "/") }
        switch configuration.addressing {
        case .path:
            return (endpoint.host, "/\(serverName(bucket))" + (encodedKey.map { "/\($0)" } ?? ""))
        case .virtual:
            return ("\(serverName(bucket)).\(endpoint.host)", "/" + (encodedKey ?? ""))
        }
    }

    /// Sends a request and returns the answer when its status is 2xx (or 304/206); otherwise throws the mapped error.
    ///
    /// - Parameters:
    ///   - streaming: Whether the answer's body is streamed to the caller (no overall deadline: the client's read
    ///     timeout bounds each wait instead).
    func send(
        _ method: HTTPMethod, bucket: BucketName?, key: BlobKey? = nil, query: [(name: String, value: String)] = [],
        headers extra: [(name: String, value: String)] = [], body: Body = .none, streaming: Bool = false,
        context: S3ErrorMapping.Context? = nil
    ) async throws -> HTTPClientResponse {
        let (host, path) = location(bucket: bucket, key: key)
        let date = AmzDate(now())
        let payloadHash: String
        switch body {
        case .none: payloadHash = SigV4Signer.emptyPayloadHash
        case .bytes(let bytes): payloadHash = SHA256Hex.of(bytes)
        case .stream: payloadHash = SigV4Signer.unsignedPayload
        }
        var signed: [(name: String, value: String)] = [
            ("host", endpoint.hostHeader(host)), ("x-amz-date", date.timestamp), ("x-amz-content-sha256", payloadHash),
        ]
        if let token = configuration.credentials.sessionToken { signed.append(("x-amz-security-token", token)) }
        signed += extra
        let authorization = signer.authorization(
            SigV4Request(method: method.rawValue, encodedPath: path, query: query, headers: signed, payloadHash: payloadHash), date: date)

        let queryString = query.map { "\(AWSURIEncoding.query($0.name))=\(AWSURIEncoding.query($0.value))" }.joined(separator: "&")
        var request = HTTPClientRequest(url: endpoint.origin(host) + path + (queryString.isEmpty ? "" : "?" + queryString))
        request.method = method
        for header in signed { request.headers.add(name: header.name, value: header.value) }
        request.headers.add(name: "authorization", value: authorization)
        switch body {
        case .none:
            if method == .PUT || method == .POST { request.headers.add(name: "content-length", value: "0") }
        case .bytes(let bytes):
            request.body = .bytes(ByteBuffer(bytes: bytes))
        case .stream(let stream, let length):
            request.body = .stream(stream, length: .known(length))
        }

        let context = context ?? S3ErrorMapping.Context(bucket: bucket, key: key)
        let response: HTTPClientResponse
        do {
            let streamed: Bool
            if case .stream = body { streamed = true } else { streamed = streaming }
            let deadline: NIODeadline = streamed ? .distantFuture : .now() + TimeAmount(configuration.requestTimeout)
            response = try await client.execute(request, deadline: deadline)
        } catch {
            if case .stream(let stream, _) = body, let failure = stream.failure { throw failure }
            throw S3ErrorMapping.unreachable(error, endpoint: configuration.endpoint)
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || status == 304 { return response }
        let answer = try? await collect(response)
        let xml = answer.flatMap { S3XMLNode.parse($0) }
        throw S3ErrorMapping.map(status: status, code: xml?.value("Code"), message: xml?.value("Message"), context: context)
    }

    /// Sends a request and parses its XML answer.
    func sendForXML(
        _ method: HTTPMethod, bucket: BucketName?, key: BlobKey? = nil, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: Body = .none, context: S3ErrorMapping.Context? = nil
    ) async throws -> S3XMLNode {
        let response = try await send(method, bucket: bucket, key: key, query: query, headers: headers, body: body, context: context)
        let bytes = try await collect(response)
        guard let xml = S3XMLNode.parse(bytes) else {
            throw ReactorError(.storageUnavailable, "the S3 server's answer to \(method.rawValue) is not XML",
                               details: ["backend": "s3"], isTransient: false)
        }
        // CompleteMultipartUpload and CopyObject may answer 200 with an error document.
        if xml.name == "Error" {
            throw S3ErrorMapping.map(status: 200, code: xml.value("Code"), message: xml.value("Message"),
                                     context: context ?? S3ErrorMapping.Context(bucket: bucket, key: key))
        }
        return xml
    }

    /// Reads a (small) answer body whole.
    func collect(_ response: HTTPClientResponse) async throws -> [UInt8] {
        do {
            let buffer = try await response.body.collect(upTo: Self.maxAnswerBytes)
            return Array(buffer.readableBytesView)
        } catch {
            throw S3ErrorMapping.unreachable(error, endpoint: configuration.endpoint)
        }
    }


}

extension TimeAmount {
    /// The same length as `duration` (nanosecond precision).
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
