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
        case .documentNotFound, .jobNotFound: ExitCode(3)
        case .invalidInput, .invalidArgument, .unknownAction, .unknownScope, .unknownDocumentType, .missingActionID: ExitCode(4)
        case .documentExists, .slugTaken, .revisionConflict, .ambiguousIdentifier, .documentDeleted: ExitCode(5)
        default: ExitCode(1)
        }
    }
}

extension StoreOptions {
    /// Runs `body`; prints a reactor error (as JSON with `--json`) on standard error and exits with its code.
    func run(_ body: @Sendable (ReactorClient) async throws -> Void) async throws {
        do {
            try await withClient(body)
        } catch let error as ReactorError {
            if json {
                struct Envelope: Encodable { let error: Body }
                struct Body: Encodable { let code: String; let message: String; let details: [String: String]? }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                let data = try encoder.encode(Envelope(error: Body(code: error.code.rawValue, message: error.message, details: error.details.isEmpty ? nil : error.details)))
                FileHandle.standardError.write(data + Data("\n".utf8))
            } else {
                FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            }
            throw CommandFailure(error: error).exitCode
        }
    }
}
