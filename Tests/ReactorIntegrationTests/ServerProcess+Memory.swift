import Foundation

extension ServerProcess {
    /// The server's peak resident memory so far (`VmHWM` of `/proc/<pid>/status`), in bytes; nil when unreadable.
    var peakResidentBytes: Int? { statusBytes("VmHWM") }

    /// The server's resident memory now (`VmRSS`), in bytes; nil when unreadable.
    var residentBytes: Int? { statusBytes("VmRSS") }

    /// A `kB` field of `/proc/<pid>/status`, in bytes.
    func statusBytes(_ field: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("\(field):") {
            return line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }.map { $0 * 1_024 }
        }
        return nil
    }
}
