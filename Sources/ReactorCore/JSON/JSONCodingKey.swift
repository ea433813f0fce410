/// The coding key used by ``JSONValueEncoder`` and ``JSONValueDecoder`` for array positions, dictionary members and
/// `super` encoders.
///
/// Array positions carry an `intValue` (so error paths print them as `[2]`); string keys never do, even when they
/// look like numbers. The key is small enough to live inline in an `any CodingKey` existential.
struct JSONCodingKey: CodingKey, Sendable {
    private enum Storage: Sendable {
        case name(String)
        case index(Int)
    }

    private let storage: Storage

    init(stringValue: String) {
        storage = .name(stringValue)
    }

    init(intValue: Int) {
        storage = .index(intValue)
    }

    /// The key of the element at `index` in an unkeyed container.
    init(index: Int) {
        storage = .index(index)
    }

    var stringValue: String {
        switch storage {
        case .name(let name): name
        case .index(let index): "Index \(index)"
        }
    }

    var intValue: Int? {
        switch storage {
        case .name: nil
        case .index(let index): index
        }
    }

    /// The key `superEncoder()` / `superDecoder()` use.
    static let `super` = JSONCodingKey(stringValue: "super")
}

extension Array where Element == any CodingKey {
    /// This path extended by `key`, built with a single allocation.
    func appendingKey(_ key: any CodingKey) -> [any CodingKey] {
        var path: [any CodingKey] = []
        path.reserveCapacity(count + 1)
        path.append(contentsOf: self)
        path.append(key)
        return path
    }
}
