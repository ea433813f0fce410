import ReactorCore

/// The built-in to-do list model (`reactor/todo-list`).
///
/// Actions (global scope): `ADD_TODO {id, text}`, `UPDATE_TODO {id, text?, done?}`, `TOGGLE_TODO {id}`,
/// `DELETE_TODO {id}`, `CLEAR_COMPLETED {}`, `SET_TITLE {title}`.
public enum TodoList {
    public static let documentType = "reactor/todo-list"

    /// The list's state.
    public struct State: Codable, Sendable, Hashable {
        public var title: String
        public var items: [Item]

        public init(title: String = "", items: [Item] = []) {
            self.title = title
            self.items = items
        }
    }

    /// One to-do.
    public struct Item: Codable, Sendable, Hashable {
        public var id: String
        public var text: String
        public var done: Bool

        public init(id: String, text: String, done: Bool = false) {
            self.id = id
            self.text = text
            self.done = done
        }
    }

    public struct AddInput: Codable, Sendable { public var id: String; public var text: String }
    public struct UpdateInput: Codable, Sendable { public var id: String; public var text: String?; public var done: Bool? }
    public struct IDInput: Codable, Sendable { public var id: String }
    public struct TitleInput: Codable, Sendable { public var title: String }

    static let maxTextLength = 4_096

    /// The model.
    public static let model = TypedDocumentModel(documentType: documentType, initialState: State())
        .on("ADD_TODO", input: AddInput.self) { state, input, _ in
            try checkText(input.text)
            guard !input.id.isEmpty else { throw ModelError("to-do id must not be empty") }
            guard !state.items.contains(where: { $0.id == input.id }) else { throw ModelError("a to-do with id '\(input.id)' exists") }
            state.items.append(Item(id: input.id, text: input.text))
        }
        .on("UPDATE_TODO", input: UpdateInput.self) { state, input, _ in
            let i = try index(of: input.id, in: state)
            if let text = input.text {
                try checkText(text)
                state.items[i].text = text
            }
            if let done = input.done { state.items[i].done = done }
        }
        .on("TOGGLE_TODO", input: IDInput.self) { state, input, _ in
            let i = try index(of: input.id, in: state)
            state.items[i].done.toggle()
        }
        .on("DELETE_TODO", input: IDInput.self) { state, input, _ in
            state.items.remove(at: try index(of: input.id, in: state))
        }
        .on("CLEAR_COMPLETED") { state, _ in state.items.removeAll { $0.done } }
        .on("SET_TITLE", input: TitleInput.self) { state, input, _ in state.title = input.title }

    static func checkText(_ text: String) throws {
        guard !text.isEmpty else { throw ModelError("to-do text must not be empty") }
        guard text.utf8.count <= maxTextLength else { throw ModelError("to-do text is longer than \(maxTextLength) bytes") }
    }

    static func index(of id: String, in state: State) throws -> Int {
        guard let i = state.items.firstIndex(where: { $0.id == id }) else { throw ModelError("no to-do with id '\(id)'") }
        return i
    }

    // MARK: Action builders

    public static func addTodo(id: String, text: String) -> Action {
        Action(type: "ADD_TODO", input: ["id": .string(id), "text": .string(text)])
    }
    public static func updateTodo(id: String, text: String? = nil, done: Bool? = nil) -> Action {
        var input: [String: JSONValue] = ["id": .string(id)]
        if let text { input["text"] = .string(text) }
        if let done { input["done"] = .bool(done) }
        return Action(type: "UPDATE_TODO", input: .object(input))
    }
    public static func toggleTodo(id: String) -> Action { Action(type: "TOGGLE_TODO", input: ["id": .string(id)]) }
    public static func deleteTodo(id: String) -> Action { Action(type: "DELETE_TODO", input: ["id": .string(id)]) }
    public static func clearCompleted() -> Action { Action(type: "CLEAR_COMPLETED") }
    public static func setTitle(_ title: String) -> Action { Action(type: "SET_TITLE", input: ["title": .string(title)]) }
}
