/// The coding key used by ``JSONValueEncoder`` and ``JSONValueDecoder`` for array positions, dictionary members and
/// `super` encoders.
///
/// Array positions carry an `intValue` (so error paths print them as `[2]`); string keys never do, even when they
/// look like numbers.
struct JSONCodingKey: CodingKey, Sendable {
    let stringValue: String
    let intValue: Int?

    init(stringValue: String) {
        self.stringValue = stringValue
        self.intValue = nil
    }

    init(intValue: Int) {
        self.stringValue = "Index \(intValue)"
        self.intValue = intValue
    }

    /// The key of the element at `index` in an unkeyed container.
    init(index: Int) {
        self.init(intValue: index)
    }

    /// The key `superEncoder()` / `superDecoder()` use.
    static let `super` = JSONCodingKey(stringValue: "super")
}
