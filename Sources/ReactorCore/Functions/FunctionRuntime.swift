import Crypto
import Foundation

/// Runs functions: sandboxed modules invoked with an HTTP request that answer with an HTTP response.
///
/// Adapters: `ReactorWasm.WasmFunctionRuntime` (WebAssembly with WASI preview 1 on WasmKit, package trait `WASM`)
/// and `ReactorTesting.MockFunctionRuntime` (Swift closures, for tests above the protocol). Both pass
/// `ReactorTesting.FunctionRuntimeConformance`; code that runs functions depends on `any FunctionRuntime`.
///
/// A module is compiled once per version (``compile(_:)``: parsed, validated, checked against the invocation
/// contract) and the ``CompiledFunction`` is kept; every ``invoke(_:request:environment:limits:)`` starts a fresh
/// instance of it, so no state survives from one invocation to the next and invocations never see each other.
/// The invocation contract (request JSON on stdin, response JSON on stdout, stderr lines as logs, environment
/// variables, no files, no network) is `docs/functions.md`; the JSON shapes are ``FunctionWire``.
///
/// Deploying, versions, routes and triggers sit above this protocol: they store the module's bytes
/// (``CompiledFunction/binary``) and recompile them on a node that has no compiled copy.
public protocol FunctionRuntime: Sendable {
    /// The runtime's name in configuration, errors and logs (`"wasm"`, `"mock"`).
    var name: String { get }

    /// Parses, validates and prepares a module for invocation. Throws ``ReactorError/Code/functionInvalidModule``
    /// (with a message saying what is wrong) for bytes that are not a module of this runtime or break the contract.
    func compile(_ source: FunctionSource) async throws -> CompiledFunction

    /// Runs one invocation of `function` on `request` with `environment` as its environment variables, within
    /// `limits`. Never throws: the response or the typed error that ended the invocation is in the result, with the
    /// logs written until then. A cancelled caller interrupts the invocation (``ReactorError/Code/functionCancelled``).
    func invoke(_ function: CompiledFunction, request: FunctionRequest, environment: [String: String], limits: FunctionLimits) async -> FunctionInvocation
}

/// A module as uploaded: a binary, or text compiled at deploy.
public enum FunctionSource: Sendable, Hashable {
    /// A binary module (for WASM: starts with `\0asm`).
    case binary([UInt8])
    /// A text module (for WASM: the WebAssembly text format, `.wat`).
    case text(String)

    /// `bytes` as a binary module when they start with the WebAssembly magic `\0asm`, else as UTF-8 text (a `.wat`
    /// upload); bytes that are neither stay binary, so that compiling them reports an invalid module.
    public static func detect(_ bytes: [UInt8]) -> FunctionSource {
        if bytes.starts(with: [0x00, 0x61, 0x73, 0x6D]) { return .binary(bytes) }
        if let text = String(validating: bytes, as: UTF8.self) { return .text(text) }
        return .binary(bytes)
    }
}

/// A module compiled by a ``FunctionRuntime``, ready to invoke: keep it per version and invoke it many times.
///
/// Two compilations of the same bytes by the same runtime are equal (``digest`` and ``runtime``).
public struct CompiledFunction: Sendable, Hashable {
    /// The name of the runtime that compiled it; only that runtime can invoke it.
    public let runtime: String
    /// `sha256:` and the lower-case hex SHA-256 of ``binary``: the version's content hash.
    public let digest: String
    /// The binary module (the compiled form of a text upload): what a deploy stores.
    public let binary: [UInt8]
    /// The runtime's prepared form of the module (opaque outside the runtime).
    public let artifact: any Sendable

    /// Creates a compiled function; `digest` is computed from `binary`.
    public init(runtime: String, binary: [UInt8], artifact: any Sendable) {
        self.runtime = runtime
        self.binary = binary
        self.artifact = artifact
        self.digest = Self.digest(of: binary)
    }

    /// `sha256:<hex>` of `bytes`.
    public static func digest(of bytes: [UInt8]) -> String {
        "sha256:" + SHA256.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Equal when the same runtime compiled the same bytes.
    public static func == (lhs: CompiledFunction, rhs: CompiledFunction) -> Bool {
        lhs.runtime == rhs.runtime && lhs.digest == rhs.digest
    }

    /// Hashes the runtime and the digest.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(runtime)
        hasher.combine(digest)
    }
}

extension ReactorError {
    /// The error for a ``CompiledFunction`` given to a runtime that did not compile it.
    public static func foreignFunction(_ function: CompiledFunction, runtime: String) -> ReactorError {
        ReactorError(
            .invalidArgument, "the function was compiled by the '\(function.runtime)' runtime, not by '\(runtime)'",
            details: ["argument": "function"])
    }
}
