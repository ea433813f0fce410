/// Runs `body` and returns its result, or cancels it and throws (naming `what`) when it has not finished after
/// `timeout`: a bound for a test step that could otherwise wait forever (a stream that never ends).
public func within<T: Sendable>(
    _ timeout: Duration, _ what: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let description = what()
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let result = first else {
            throw ConformanceFailure("\(description) did not finish within \(timeout)", file: file, line: line)
        }
        return result
    }
}
