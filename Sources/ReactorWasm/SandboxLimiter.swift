@_spi(Fuzzing) import WasmKit

/// The memory limit of one instance: a `memory.grow` (or an initial memory) past `maxMemoryBytes` stops the guest
/// with `SandboxStop.memoryLimit` instead of returning -1, so that the invocation ends with
/// `FUNCTION_MEMORY_LIMIT` naming the limit, whatever the guest would have done with a failed grow. Tables may grow to
/// `maxTableElements` (a failed `table.grow` returns -1, as the specification says).
final class SandboxLimiter: ResourceLimiter {
    let maxMemoryBytes: Int
    let maxTableElements: Int

    init(maxMemoryBytes: Int, maxTableElements: Int) {
        self.maxMemoryBytes = maxMemoryBytes
        self.maxTableElements = maxTableElements
    }

    func limitMemoryGrowth(to desired: Int) throws -> Bool {
        guard desired <= maxMemoryBytes else { throw SandboxStop.memoryLimit(requested: desired) }
        return true
    }

    func limitTableGrowth(to desired: Int) throws -> Bool {
        desired <= maxTableElements
    }
}
