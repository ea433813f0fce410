import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ReactorCore
import ReactorTesting
import Testing

/// `reactor serve` started as a child process on a free port in its own temporary directory.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let directory: URL
    let port: Int
    let outURL: URL
    let errURL: URL

    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server (`--bind 127.0.0.1:0 --json`) with `arguments` added, in `directory` (a new one by default),
    /// and waits until it prints where it listens. Fails loudly with its standard error when it does not start.
    init(arguments: [String] = [], environment: [String: String] = [:], directory: URL? = nil) async throws {
        let dir = try directory ?? temporaryDirectory()
        self.directory = dir
        outURL = dir.appendingPathComponent("serve-\(UUID().uuidString).out")
        errURL = dir.appendingPathComponent("serve-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process = Process()
        process.executableURL = try reactorBinary()
        process.arguments = ["serve", "--bind", "127.0.0.1:0", "--json"] + arguments
        process.currentDirectoryURL = dir
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("REACTOR_") }
        env.merge(environment) { $1 }
        process.environment = env
        _ = try TestProcess.start(process, standardOutput: outURL, standardError: errURL)
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while Date() < deadline, found == nil {
            try await Task.sleep(for: .milliseconds(50))
            for line in ((try? String(contentsOf: outURL, encoding: .utf8)) ?? "").split(separator: "\n") {
                if let json = try? JSONValueCoder.parse(String(line)), json["event"]?.stringValue == "listening" {
                    found = json["port"]?.intValue
                }
            }
            if !process.isRunning { break }
        }
        guard let found else {
            if process.isRunning { process.terminate() }
            let err = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
            throw ReactorError(.internal, "reactor serve did not start: \(err)")
        }
        port = found
    }

    /// Sends SIGTERM and waits for the exit status.
    func terminate(timeout: TimeInterval = 60) async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await waitForExit(timeout: timeout)
    }

    /// Waits for the exit status (after a signal sent already); kills the process and throws after `timeout`.
    func waitForExit(timeout: TimeInterval) async throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            throw ReactorError(.internal, "reactor serve did not stop within \(timeout) s of SIGTERM")
        }
        return process.terminationStatus
    }

    /// The data directory the server was started with: `--data-dir` when given, else `<directory>/.reactor`.
    var dataDirectory: URL {
        if let flag = process.arguments?.firstIndex(of: "--data-dir"), let value = process.arguments?.dropFirst(flag + 1).first {
            return URL(fileURLWithPath: value, relativeTo: directory)
        }
        return directory.appendingPathComponent(".reactor")
    }

    /// The local admin token the server wrote to its data directory (`admin.token`) at start.
    func adminToken() throws -> String {
        try String(contentsOf: dataDirectory.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// How many file descriptors the server process has open (`/proc/<pid>/fd`).
    var openFileDescriptors: Int {
        get throws { try FileManager.default.contentsOfDirectory(atPath: "/proc/\(process.processIdentifier)/fd").count }
    }

    var standardOutput: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A JSON reply from the server.
struct HTTPReply: Sendable {
    var status: Int
    var json: JSONValue
}

/// One HTTP call with an optional JSON body; `headers` replace the defaults (`content-type`, `host`).
@discardableResult
func http(
    _ method: HTTPMethod, _ url: String, _ body: JSONValue? = nil, token: String? = nil, headers: [String: String] = [:]
) async throws -> HTTPReply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let body {
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body.canonicalString))
    }
    if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
    for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    let text = String(buffer: bytes)
    return HTTPReply(status: Int(response.status.code), json: (try? JSONValueCoder.parse(text)) ?? .string(text))
}

/// The body of a GET as text (for `/metrics`).
func httpText(_ url: String) async throws -> String {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(60))
    return String(buffer: try await response.body.collect(upTo: 16 << 20))
}
