/// A request for one page of results. `cursor` is the opaque `nextCursor` of the previous page.
public struct PageRequest: Sendable, Hashable, Codable {
    public var cursor: String?
    public var limit: Int

    public init(cursor: String? = nil, limit: Int = 100) {
        self.cursor = cursor
        self.limit = limit
    }

    /// The largest page any store returns.
    public static let maxLimit = 1_000

    /// Checks the limit and returns it clamped to ``maxLimit``.
    public func validatedLimit() throws -> Int {
        guard limit > 0 else {
            throw ReactorError(.invalidArgument, "page limit must be positive (got \(limit))", details: ["path": "limit"])
        }
        return min(limit, Self.maxLimit)
    }

    /// Decodes a cursor made by ``Page/cursor(after:)``.
    public func decodedCursor() throws -> Int64? {
        guard let cursor else { return nil }
        guard let value = Int64(cursor), value >= 0 else {
            throw ReactorError(.invalidArgument, "malformed paging cursor '\(cursor)'", details: ["path": "cursor"])
        }
        return value
    }
}

/// One page of results and the cursor of the next page (nil on the last page).
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }

    /// The cursor for a position: stores page by a monotonically increasing sequence number.
    public static func cursor(after position: Int64) -> String { String(position) }

    public func map<T: Sendable>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextCursor: nextCursor)
    }
}

extension Page: Equatable where Item: Equatable {}
extension Page: Codable where Item: Codable {}
