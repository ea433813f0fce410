/// A type that states its own JSON Schema, for the model descriptions of `GET /reactor/v1/models`.
///
/// ``JSONSchemaReflection`` derives a schema from what a `Decodable` type asks its decoder for; a type whose decoding
/// says too little (a string with a format, a number with bounds, a custom `init(from:)`) conforms to this protocol
/// to be described exactly. Enums that are `CaseIterable` with `String` or `Int` raw values need not: they are
/// described as an `enum` of their raw values.
public protocol JSONSchemaDescribable {
    /// The JSON Schema (2020-12) of the type's JSON form.
    static var jsonSchema: JSONValue { get }
}
