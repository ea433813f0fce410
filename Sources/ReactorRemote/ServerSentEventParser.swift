/// One Server-Sent Event as the subscription stream sends it.
struct ServerSentEvent: Sendable, Hashable {
    /// `event:` (`message` when absent).
    var name: String
    /// `id:`, when given.
    var id: String?
    /// The `data:` lines, joined by newlines.
    var data: String
}

/// Cuts an `text/event-stream` body into events as its bytes arrive (a chunk may end anywhere, even inside a UTF-8
/// character): lines end with LF, CRLF or CR; comment lines (heartbeats) and unknown fields are skipped; an event is
/// complete at its blank line.
struct ServerSentEventParser {
    private var line: [UInt8] = []
    private var lastWasCR = false
    private var name: String?
    private var id: String?
    private var data: [String] = []

    /// Adds `bytes` and returns the events they completed.
    mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n"), lastWasCR {
                lastWasCR = false
                continue
            }
            lastWasCR = byte == UInt8(ascii: "\r")
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    /// Ends the current line: a blank line dispatches the event read so far.
    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        guard !line.isEmpty else {
            defer { (name, id, data) = (nil, nil, []) }
            guard name != nil || id != nil || !data.isEmpty else { return nil }
            return ServerSentEvent(name: name ?? "message", id: id, data: data.joined(separator: "\n"))
        }
        guard line.first != UInt8(ascii: ":") else { return nil }
        let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
        var valueStart = colon < line.endIndex ? line.index(after: colon) : colon
        if valueStart < line.endIndex, line[valueStart] == UInt8(ascii: " ") { valueStart = line.index(after: valueStart) }
        let field = String(decoding: line[..<colon], as: UTF8.self)
        let value = String(decoding: line[valueStart...], as: UTF8.self)
        switch field {
        case "event": name = value
        case "id": id = value
        case "data": data.append(value)
        default: break
        }
        return nil
    }
}
