import ReactorCore
import Testing

/// `JSONSchemaReflection`: the JSON Schema of a `Decodable` type, from what its decoding asks for.
@Suite("JSON Schema reflection", .timeLimit(.minutes(1)))
struct JSONSchemaReflectionTests {
    struct Item: Decodable { var id: String; var count: Int; var ratio: Double; var done: Bool; var note: String? }
    struct Holder: Decodable { var items: [Item]; var tags: [String]?; var size: UInt8; var extra: JSONValue }
    enum Colour: String, Decodable, CaseIterable { case red, green }
    enum Level: Int, Decodable, CaseIterable { case low = 1, high = 9 }
    struct Painted: Decodable { var colour: Colour; var level: Level?; var nested: Inner }
    struct Inner: Decodable { var a: [[Int]] }
    /// A tree: described to a fixed depth, never forever.
    struct Tree: Decodable { var name: String; var children: [Tree]; var parent: Box? }
    final class Box: Decodable { let tree: Tree }
    struct Email: Decodable, JSONSchemaDescribable {
        var text: String
        init(from decoder: any Decoder) throws { text = try decoder.singleValueContainer().decode(String.self) }
        static var jsonSchema: JSONValue { ["type": "string", "format": "email"] }
    }
    struct Contact: Decodable { var email: Email }
    /// A decoder that validates: the placeholder fails it, and what was read before the failure is still described.
    struct Strict: Decodable {
        var first: String
        var second: Int
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            first = try container.decode(String.self, forKey: .first)
            guard !first.isEmpty else { throw DecodingError.dataCorruptedError(forKey: .first, in: container, debugDescription: "empty") }
            second = try container.decode(Int.self, forKey: .second)
        }
        enum CodingKeys: String, CodingKey { case first, second }
    }

    @Test func requiredAndOptionalPropertiesWithTheirTypes() {
        let schema = JSONSchemaReflection.schema(of: Item.self)
        #expect(schema["type"] == "object")
        #expect(schema["required"] == ["id", "count", "ratio", "done"])
        #expect(schema["properties"]?["id"] == ["type": "string"])
        #expect(schema["properties"]?["count"] == ["type": "integer"])
        #expect(schema["properties"]?["ratio"] == ["type": "number"])
        #expect(schema["properties"]?["done"] == ["type": "boolean"])
        #expect(schema["properties"]?["note"] == ["type": "string"])
    }

    @Test func arraysNestedObjectsAndAnyJSON() {
        let schema = JSONSchemaReflection.schema(of: Holder.self)
        #expect(schema["required"] == ["items", "size", "extra"])
        #expect(schema["properties"]?["items"]?["type"] == "array")
        #expect(schema["properties"]?["items"]?["items"]?["required"] == ["id", "count", "ratio", "done"])
        #expect(schema["properties"]?["tags"] == ["type": "array", "items": ["type": "string"]])
        #expect(schema["properties"]?["size"] == ["type": "integer", "minimum": 0])
        #expect(schema["properties"]?["extra"] == [:])
        #expect(JSONSchemaReflection.schema(of: [Int].self) == ["type": "array", "items": ["type": "integer"]])
        #expect(JSONSchemaReflection.schema(of: String.self) == ["type": "string"])
    }

    @Test func enumsAreTheirRawValues() {
        let schema = JSONSchemaReflection.schema(of: Painted.self)
        #expect(schema["properties"]?["colour"] == ["enum": ["red", "green"]])
        #expect(schema["properties"]?["level"] == ["enum": [1, 9]])
        #expect(schema["required"] == ["colour", "nested"])
        #expect(schema["properties"]?["nested"]?["properties"]?["a"] == ["type": "array", "items": ["type": "array", "items": ["type": "integer"]]])
    }

    @Test func recursiveTypesEndAtTheDepthLimit() {
        let schema = JSONSchemaReflection.schema(of: Tree.self)
        #expect(schema["required"] == ["name", "children"])
        #expect(schema["properties"]?["children"]?["items"]?["properties"]?["name"] == ["type": "string"])
        var depth = 0
        var node: JSONValue? = schema
        while let next = node?["properties"]?["children"]?["items"], next["properties"] != nil { node = next; depth += 1 }
        #expect(depth < JSONSchemaReflection.maximumDepth)
    }

    @Test func describableTypesStateTheirOwnSchema() {
        #expect(JSONSchemaReflection.schema(of: Contact.self)["properties"]?["email"] == ["type": "string", "format": "email"])
    }

    @Test func aDecoderThatRejectsThePlaceholderIsDescribedUpToThere() {
        let schema = JSONSchemaReflection.schema(of: Strict.self)
        #expect(schema["properties"]?["first"] == ["type": "string"])
        #expect(schema["properties"]?["second"] == nil)
    }

    @Test func aTypedModelDescribesItsStateAndActions() throws {
        struct Counter: Codable, Sendable { var value: Int; var label: String? }
        struct Amount: Codable, Sendable { var amount: Int }
        let model = TypedDocumentModel(documentType: "example/counter", initialState: Counter(value: 0))
            .on("ADD", input: Amount.self) { state, input, _ in state.value += input.amount }
            .on("RESET") { state, _ in state.value = 0 }
        let description = model.modelDescription
        #expect(description.documentType == "example/counter")
        #expect(description.scopes == ["global", "local"])
        #expect(description.stateSchemas["global"]?["required"] == ["value"])
        #expect(description.actions.map(\.type) == ["ADD", "RESET"])
        #expect(description.actions[0].input?["properties"]?["amount"] == ["type": "integer"])
        #expect(description.actions[1].input == nil)
        #expect(description.json["actions"]?.arrayValue?.first?["scope"] == "global")
    }

    @Test func declaredActionsAreChecked() throws {
        let good = try ActionDescription(json: ["type": "ADD", "input": ["type": "object"], "summary": "adds"], path: "actions[0]")
        #expect(good == ActionDescription(type: "ADD", scope: "global", input: ["type": "object"], summary: "adds"))
        let cases: [(JSONValue, String)] = [
            ("ADD", "actions[0]"), (["scope": "global"], "actions[0].type"), (["type": ""], "actions[0].type"),
            (["type": "ADD", "input": 3], "actions[0].input"), (["type": "ADD", "input": ["type": "text"]], "actions[0].input.type"),
            (["type": "ADD", "scope": 1], "actions[0].scope"), (["type": "ADD", "summary": false], "actions[0].summary"),
        ]
        for (json, path) in cases {
            let error = try #require(throws: ReactorError.self) { try ActionDescription(json: json, path: "actions[0]") }
            #expect(error.code == .modelInvalid)
            #expect(error.details["path"] == path, "\(json)")
        }
    }

    @Test func aRegistrationsDeclarationsMustNameItsScopes() throws {
        var registration = ModelRegistration(documentType: "example/x", version: 1, module: [0], scopes: ["global"])
        registration.actions = [ActionDescription(type: "A", scope: "local")]
        #expect(throws: ReactorError.self) { try registration.validate() }
        registration.actions = [ActionDescription(type: "A"), ActionDescription(type: "A")]
        #expect(throws: ReactorError.self) { try registration.validate() }
        registration.actions = [ActionDescription(type: "A")]
        registration.stateSchemas = ["local": ["type": "object"]]
        #expect(throws: ReactorError.self) { try registration.validate() }
        registration.stateSchemas = ["global": ["type": "object"]]
        try registration.validate()
    }

    @Test func aRecordKeepsItsDeclarationsThroughItsStoredDefinition() throws {
        let record = ModelRecord(documentType: "example/x", version: 1, digest: "sha256:00", scopes: ["global"], initialState: [:],
                                 actions: [ActionDescription(type: "A", input: ["type": "object"])], stateSchemas: ["global": ["type": "object"]])
        let back = try ModelRecord(documentType: "example/x", version: 1, digest: "sha256:00", createdAt: record.createdAt,
                                   storedDefinition: record.storedDefinition)
        #expect(back == record)
        let plain = ModelRecord(documentType: "example/x", version: 1, digest: "sha256:00", scopes: ["global"], initialState: [:])
        #expect(!plain.storedDefinition.contains("actions"), "a record without declarations stores what it stored before")
    }
}
