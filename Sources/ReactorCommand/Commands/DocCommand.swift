import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine

/// `reactor doc …`: documents in the local database.
struct DocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doc",
        abstract: "Create, read, change and list documents in the local database.",
        subcommands: [Create.self, Get.self, Diff.self, Exec.self, Ops.self, Ls.self, Import.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a document.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "The document type, e.g. reactor/todo-list or reactor/drive.") var type: String
        @Option(name: .long, help: "The id (a UUID when omitted).") var id: String?
        @Option(name: .long, help: "A unique slug.") var slug: String?
        @Option(name: .long, help: "A display name.") var name: String = ""

        func run() async throws {
            let new = NewDocument(id: id ?? UUID().uuidString.lowercased(), documentType: type, slug: slug, name: name)
            try await store.run { client in
                let document = try await client.create(new)
                if store.json { try Output.json(document) } else { Output.text(document) }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a document (by id or slug), now or as it was at a revision or a moment.",
            discussion: """
                Time travel (docs/time-travel.md): --revision global:5,document:2 reads those scopes at those revisions (the \
                number of operations; other scopes stay current); --at reads every scope as it was at a moment.
                Example: reactor doc get groceries --at 2026-01-31T12:00:00Z
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The document's id or slug.") var identifier: String
        @Option(name: .long, help: "Read it as it was at this moment: milliseconds since 1970 or an RFC 3339 date-time.") var at: String?
        @Option(name: .long, help: "Read it at these revisions: scope:revision pairs, e.g. global:5,document:2.") var revision: String?

        func validate() throws {
            guard at == nil || revision == nil else { throw ValidationError("give either --at or --revision, not both") }
        }

        func run() async throws {
            try await store.run { client in
                let document = if let point = try point() { try await client.get(identifier, at: point) } else { try await client.get(identifier) }
                if store.json { try Output.json(document) } else { Output.text(document) }
            }
        }

        private func point() throws -> DocumentPoint? {
            if let at { return try DocumentPoint.time(parsing: at, path: "at") }
            if let revision { return try DocumentPoint.revisions(parsing: revision, path: "revision") }
            return nil
        }
    }

    struct Diff: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print how a scope of a document changed between two revisions, as an RFC 6902 JSON Patch.",
            discussion: "Example: reactor doc diff groceries --scope global --from 3 --to 7")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The document's id or slug.") var identifier: String
        @Option(name: .long, help: "The scope.") var scope: String = Scope.global
        @Option(name: .long, help: "The revision to start from (the number of operations; 0 is the initial state).") var from: Int
        @Option(name: .long, help: "The revision to end at.") var to: Int

        func run() async throws {
            try await store.run { client in
                let diff = try await client.diff(identifier, scope: scope, from: from, to: to)
                if store.json { try Output.json(diff) } else {
                    print("\(diff.scope) \(diff.from) -> \(diff.to)  \(diff.fromHash) -> \(diff.toHash)")
                    for operation in diff.patch { print(operation.description) }
                }
            }
        }
    }

    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply actions to a document.",
            discussion: """
                Either one action with --action and --input, or several with --actions '[{"type":…,"input":…,"scope":…}]'.
                Example: reactor doc exec groceries --action ADD_TODO --input '{"id":"1","text":"milk"}'
                """)
        @OptionGroup var store: StoreOptions
        @Argument(help: "The document's id or slug.") var identifier: String
        @Option(name: .long, help: "The action type.") var action: String?
        @Option(name: .long, help: "The action input as JSON.") var input: String = "{}"
        @Option(name: .long, help: "The scope the action applies to.") var scope: String = Scope.global
        @Option(name: .long, help: "A JSON array of actions ({type, input?, scope?, id?}).") var actions: String?

        func validate() throws {
            guard (action == nil) != (actions == nil) else { throw ValidationError("give either --action or --actions") }
        }

        func run() async throws {
            let parsed = try parseActions()
            try await store.run { client in
                let document = try await client.execute(identifier, actions: parsed)
                if store.json { try Output.json(document) } else { Output.text(document) }
            }
        }

        private func parseActions() throws -> [Action] {
            do {
                if let action {
                    return [Action(type: action, scope: scope, input: try JSONValueCoder.parse(input))]
                }
                guard let list = try JSONValueCoder.parse(actions ?? "[]").arrayValue else {
                    throw ValidationError("--actions must be a JSON array")
                }
                return try list.enumerated().map { i, item in
                    guard let type = item["type"]?.stringValue else { throw ValidationError("--actions[\(i)] needs a string 'type'") }
                    return Action(id: item["id"]?.stringValue ?? UUID().uuidString.lowercased(), type: type,
                                  scope: item["scope"]?.stringValue ?? Scope.global, input: item["input"] ?? .emptyObject)
                }
            } catch let error as ReactorError {
                throw ValidationError("invalid JSON: \(error.message)")
            }
        }
    }

    struct Ops: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a document's operations.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The document's id or slug.") var identifier: String
        @Option(name: .long, help: "Only this scope.") var scope: String?
        @Option(name: .long, help: "At most this many.") var limit: Int = 100
        @Option(name: .long, help: "The cursor of the next page.") var cursor: String?

        func run() async throws {
            try await store.run { client in
                let id = try await client.get(identifier).id
                let page = try await client.reactor.operations(OperationQuery(documentID: id, scopes: scope.map { [$0] }),
                                                               page: PageRequest(cursor: cursor, limit: limit))
                if store.json { try Output.json(page) } else {
                    for r in page.items {
                        let op = r.operation
                        let error = op.error.map { "  error=\($0)" } ?? ""
                        print("#\(r.ordinal) \(r.stream.scope)[\(op.index)] \(op.action.type) \(op.action.input.canonicalString)\(error)")
                    }
                    if let next = page.nextCursor { print("next cursor: \(next)") }
                }
            }
        }
    }

    struct Ls: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List documents.")
        @OptionGroup var store: StoreOptions
        @Option(name: .long, help: "Only this document type.") var type: String?
        @Option(name: .long, help: "Only children of this document.") var parent: String?
        @Option(name: .long, help: "At most this many.") var limit: Int = 100
        @Option(name: .long, help: "The cursor of the next page.") var cursor: String?

        func run() async throws {
            try await store.run { client in
                let page = try await client.reactor.find(DocumentQuery(documentType: type, parentID: parent), page: PageRequest(cursor: cursor, limit: limit))
                if store.json { try Output.json(page) } else {
                    for d in page.items {
                        print("\(d.id)  \(d.header.documentType)  \(d.header.name.isEmpty ? "-" : d.header.name)  \(d.header.slug ?? "")")
                    }
                    if let next = page.nextCursor { print("next cursor: \(next)") }
                }
            }
        }
    }
}
