import NIOCore

/// Measures the request target (the URL: path and query) of a request line as its bytes arrive, so that an
/// oversized URL is answered 414 as soon as it passes the limit. It reads only the request line
/// (`METHOD SP target SP version`); the HTTP decoder parses and checks everything.
struct RequestTargetMeter {
    private enum Part {
        /// Before the method (empty lines a client may send first) or in it.
        case method(started: Bool)
        case target
        /// Past the target: nothing more is measured until ``reset()``.
        case done
    }

    private var part = Part.method(started: false)
    /// The bytes of the target seen so far.
    private(set) var targetBytes = 0

    /// Measures the next request line.
    mutating func reset() {
        part = .method(started: false)
        targetBytes = 0
    }

    /// Reads `bytes`, the next bytes of the connection.
    mutating func read(_ bytes: ByteBuffer) {
        let space = UInt8(ascii: " "), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        for byte in bytes.readableBytesView {
            switch part {
            case .method(let started):
                if byte == space, started {
                    part = .target
                } else if byte == cr || byte == lf {
                    if started { part = .done }
                } else {
                    part = .method(started: true)
                }
            case .target:
                if byte == space || byte == cr || byte == lf { part = .done } else { targetBytes += 1 }
            case .done:
                return
            }
        }
    }
}
