import ArgumentParser
import Foundation
import ReactorCore
import ReactorEngine
import ReactorModels

/// `reactor demo`: runs the embedded reactor end to end on the local database file.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Create a drive with a to-do list in the local database, change it, and print the result.")
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let path = URL(fileURLWithPath: store.db).standardizedFileURL.path
        try await store.run { client in
            let drive: Document
            if let existing = try? await client.get("demo-drive") {
                drive = existing
            } else {
                drive = try await client.createEmpty(Drive.documentType, slug: "demo-drive", name: "Demo drive")
            }
            let list = try await client.createDocumentInDrive(drive.id, NewDocument(documentType: TodoList.documentType, name: "Groceries"))
            let after = try await client.execute(list.id, actions: [
                TodoList.addTodo(id: "1", text: "milk"), TodoList.addTodo(id: "2", text: "bread"),
                TodoList.addTodo(id: "3", text: "coffee"), TodoList.toggleTodo(id: "2"),
            ])
            let files = try Drive.model.state(of: try await client.get(drive.id)).nodes.filter { $0.kind == .file }
            if store.json {
                try Output.json(after)
            } else {
                print("database: \(path)")
                print("drive '\(drive.header.name)' (\(drive.id)) now holds \(files.count) file(s)")
                Output.text(after)
                let state = try TodoList.model.state(of: after)
                for item in state.items { print("  [\(item.done ? "x" : " ")] \(item.text)") }
                print("try: swift run reactor doc ops \(after.id) --db \(store.db)")
            }
        }
    }
}
