import Foundation

extension ServerProcess {
    /// The server's peak resident memory so far, in bytes (`VmHWM` of `/proc/<pid>/status`: the kernel's high-water
    /// mark, so no peak is missed between samples); nil when it cannot be read.
    var peakResidentBytes: Int? { Self.statusField("VmHWM", pid: process.processIdentifier) }

    /// The server's resident memory now, in bytes (`VmRSS`).
    var residentBytes: Int? { Self.statusField("VmRSS", pid: process.processIdentifier) }

    /// A `kB` field of `/proc/<pid>/status`, in bytes.
    static func statusField(_ name: String, pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("\(name):") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let kilobytes = Int(fields[1]) else { return nil }
            return kilobytes * 1024
        }
        return nil
    }
}
