/// Finds the line of a table or key in TOML text, for error messages (TOMLKit does not report where a value is).
///
/// A light scan, not a parser: it follows `[table]` headers and `key =` / `dotted.key =` assignments and skips
/// multi-line strings. Keys inside inline tables resolve to the line of the enclosing key. The tables of an array of
/// tables are numbered from 0: `sync.remotes[1].url` is the `url` of the second `[[sync.remotes]]`.
struct TOMLLineLocator {
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var table: [String] = []
        var openMultiline: String?
        // `[[a.b]]` tables are numbered: keys of the second are `a.b[1].key`.
        var arrayCounts: [String: Int] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.drop { $0 == " " || $0 == "\t" }
            if let delimiter = openMultiline {
                if Self.count(delimiter, in: line) % 2 == 1 { openMultiline = nil }
                continue
            }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let isArray = line.hasPrefix("[[")
                let body = line.dropFirst(isArray ? 2 : 1)
                guard let close = body.firstIndex(of: "]") else { continue }
                table = Self.keyParts(body[..<close])
                record(table, number)
                if isArray, !table.isEmpty {
                    let key = table.joined(separator: ".")
                    let n = arrayCounts[key, default: 0]
                    arrayCounts[key] = n + 1
                    table[table.count - 1] += "[\(n)]"
                    record(table, number)
                }
                continue
            }
            guard let equals = Self.assignment(line) else { continue }
            let parts = table + Self.keyParts(line[..<equals])
            for length in (table.count + 1)...parts.count {
                record(Array(parts.prefix(length)), number)
            }
            let value = line[line.index(after: equals)...]
            for delimiter in ["\"\"\"", "'''"] where Self.count(delimiter, in: value) % 2 == 1 {
                openMultiline = delimiter
                break
            }
        }
    }

    /// The line of `path` (`server.bind`, `server`), or of its nearest enclosing table or key.
    func line(of path: String) -> Int? {
        var parts = path.split(separator: ".").map(String.init)
        while !parts.isEmpty {
            if let line = lines[parts.joined(separator: ".")] { return line }
            parts.removeLast()
        }
        return nil
    }

    private mutating func record(_ parts: [String], _ line: Int) {
        let key = parts.joined(separator: ".")
        if lines[key] == nil { lines[key] = line }
    }

    /// How many times `needle` occurs in `text` (without overlaps).
    private static func count(_ needle: String, in text: Substring) -> Int {
        let haystack = Array(text.utf8), pattern = Array(needle.utf8)
        var count = 0, index = 0
        while index + pattern.count <= haystack.count {
            if Array(haystack[index..<(index + pattern.count)]) == pattern {
                count += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return count
    }

    /// The index of the `=` of a `key = value` line (outside quoted key parts).
    private static func assignment(_ line: Substring) -> Substring.Index? {
        var quote: Character?
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "=" {
                return index
            } else if character == "#" {
                return nil
            }
            index = line.index(after: index)
        }
        return nil
    }

    /// The parts of a (possibly dotted, possibly quoted) key.
    private static func keyParts(_ text: Substring) -> [String] {
        var parts: [String] = []
        var current = ""
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." {
                parts.append(current.trimmingSpaces())
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current.trimmingSpaces())
        return parts
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate func trimmingSpaces() -> String {
        let characters = Array(self)
        guard let first = characters.firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = characters.lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(characters[first...last])
    }
}
