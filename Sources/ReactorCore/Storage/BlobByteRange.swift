/// A byte range of an object, as HTTP's `Range: bytes=…` names it (one range).
public enum BlobByteRange: Sendable, Hashable {
    /// From `start` to `end` inclusive, or to the object's end when `end` is nil (`bytes=10-`, `bytes=10-19`).
    case from(Int64, through: Int64?)
    /// The last `count` bytes (`bytes=-500`).
    case suffix(Int64)

    /// The inclusive byte positions this range selects in an object of `size` bytes (an `end` past the object is cut
    /// to its end, as HTTP says). Throws ``ReactorError/Code/rangeNotSatisfiable`` when it selects nothing.
    public func resolve(size: Int64) throws -> ClosedRange<Int64> {
        func unsatisfiable() -> ReactorError {
            ReactorError(.rangeNotSatisfiable, "the range lies outside the object (\(size) bytes)", details: ["size": String(size)])
        }
        switch self {
        case .from(let start, let end):
            guard start >= 0, start < size else { throw unsatisfiable() }
            if let end {
                guard end >= start else { throw unsatisfiable() }
                return start...min(end, size - 1)
            }
            return start...(size - 1)
        case .suffix(let count):
            guard count > 0, size > 0 else { throw unsatisfiable() }
            return max(0, size - count)...(size - 1)
        }
    }

    /// Parses an HTTP `Range` header value with one range (`bytes=0-99`, `bytes=100-`, `bytes=-100`); nil for anything
    /// else (HTTP says to ignore a range header one does not understand and send the whole object).
    public init?(httpHeader value: String) {
        let trimmed = value.trimmingSpaces()
        guard trimmed.hasPrefix("bytes=") else { return nil }
        let spec = trimmed.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], second = spec[spec.index(after: dash)...]
        func number(_ s: Substring) -> Int64? {
            guard !s.isEmpty, s.utf8.count <= 18, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int64(s)
        }
        if first.isEmpty {
            guard let count = number(second) else { return nil }
            self = .suffix(count)
        } else {
            guard let start = number(first) else { return nil }
            if second.isEmpty {
                self = .from(start, through: nil)
            } else {
                guard let end = number(second) else { return nil }
                self = .from(start, through: end)
            }
        }
    }
}

extension String {
    fileprivate func trimmingSpaces() -> Substring {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
