import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine

/// Printing results and errors, as text or JSON.
enum Output {
    /// Pretty, key-sorted JSON of `value` on standard output.
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        print(String(decoding: data, as: UTF8.self))
    }

    /// A short text view of a document.
    static func text(_ document: Document) {
        let h = document.header
        print("\(h.id)  \(h.documentType)  name=\(h.name.isEmpty ? "-" : h.name)  slug=\(h.slug ?? "-")")
        let revisions = h.revision.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        print("  revision: \(revisions)")
        for scope in document.state.keys.sorted() where scope != Scope.document {
            print("  \(scope): \(document.state[scope]!.canonicalString)")
        }
    }
}

/// Maps reactor errors to exit codes and messages.
struct CommandFailure: Error, CustomStringConvertible {
    let error: ReactorError

    var description: String { error.description }

    /// Exit codes: 3 not found, 4 invalid input or argument, 5 conflict, 1 anything else.
    var exitCode: ExitCode {
        switch error.code {
        case .documentNotFound, .jobNotFound, .remoteNotFound: ExitCode(3)
        case .invalidInput, .invalidArgument, .unknownAction, .unknownScope, .unknownDocumentType, .missingActionID: ExitCode(4)
        case .documentExists, .slugTaken, .revisionConflict, .ambiguousIdentifier, .documentDeleted, .remoteExists: ExitCode(5)
        case .secretNotFound: ExitCode(3)
        case .unauthenticated, .tokenMalformed, .tokenExpired, .tokenSignature, .tokenAudience, .tokenIssuer: ExitCode(6)
        case .configInvalid, .vaultKey, .vaultCorrupt, .schemaNotMigrated: ExitCode(78)
        case .authUnavailable, .shutdown, .shutdownDeadline, .addressUnavailable, .overloaded, .tooManyPendingJobs, .peerUnavailable,
             .vaultUnavailable: ExitCode(69)
        case .storage: error.isTransient ? ExitCode(69) : ExitCode(1)
        default: ExitCode(1)
        }
    }
}

extension StoreOptions {
    /// Runs `body`; prints a reactor error (as JSON with `--json`) on standard error and exits with its code.
    func run(_ body: @Sendable (ReactorClient) async throws -> Void) async throws {
        try await Output.guarded(json: json) { try await withClient(body) }
    }
}

extension Output {
    /// Runs `body`; a ``ReactorError`` is printed on standard error (as `{"error": {…}}` with `json`) and becomes the
    /// exit code of ``CommandFailure``.
    static func guarded(json: Bool, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ReactorError {
            report(error, json: json)
            throw CommandFailure(error: error).exitCode
        }
    }

    /// Prints `error` on standard error.
    static func report(_ error: ReactorError, json: Bool) {
        if json {
            var body: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
            if !error.details.isEmpty { body["details"] = .object(error.details.mapValues { .string($0) }) }
            FileHandle.standardError.write(Data((JSONValue.object(["error": .object(body)]).canonicalString + "\n").utf8))
        } else {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        }
    }

    /// Prints a JSON value (pretty enough: canonical, one line) on standard output.
    static func json(_ value: JSONValue) {
        print(value.canonicalString)
    }

    /// A line on standard output, unbuffered.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A progress line on standard error (so that standard output stays clean for scripts).
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
