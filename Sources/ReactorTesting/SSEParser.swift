/// One Server-Sent Event: its `event:` name (`message` when absent), its `id:` and its `data:` lines joined by "\n".
public struct SSEEvent: Sendable, Hashable {
    /// The event's name.
    public var event: String
    /// The event's id, when it has one.
    public var id: String?
    /// The event's data.
    public var data: String

    /// An event with the given parts.
    public init(event: String = "message", id: String? = nil, data: String = "") {
        self.event = event
        self.id = id
        self.data = data
    }
}

/// Cuts a Server-Sent Events text, fed chunk by chunk as it arrives, into events (comment lines such as heartbeats
/// are skipped; an event cut by a chunk boundary comes once its blank line has arrived).
public struct SSEParser: Sendable {
    private var buffer = ""

    /// A parser with nothing fed yet.
    public init() {}

    /// Adds `chunk` and returns the events it completed.
    public mutating func feed(_ chunk: String) -> [SSEEvent] {
        buffer += chunk
        var events: [SSEEvent] = []
        while let range = buffer.range(of: "\n\n") {
            let block = buffer[..<range.lowerBound]
            buffer.removeSubrange(..<range.upperBound)
            var event = SSEEvent()
            var fields = 0
            var sawData = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix(":") {
                let (name, value) = Self.field(line)
                switch name {
                case "event": event.event = value
                case "id": event.id = value
                case "data":
                    event.data += (sawData ? "\n" : "") + value
                    sawData = true
                default: continue
                }
                fields += 1
            }
            if fields > 0 { events.append(event) }
        }
        return events
    }

    private static func field(_ line: Substring) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (String(line), "") }
        var value = line[line.index(after: colon)...]
        if value.first == " " { value = value.dropFirst() }
        return (String(line[..<colon]), String(value))
    }
}
