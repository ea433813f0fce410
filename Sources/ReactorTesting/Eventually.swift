/// Polls `condition` every `interval` until it holds, and throws (naming `what`) when it still does not hold after
/// `timeout`: the one way tests wait for something asynchronous, never a loop that falls through silently. The default
/// timeout allows for a test process whose few cooperative threads are busy with other tests for seconds at a time.
public func eventually(
    _ what: @autoclosure () -> String, timeout: Duration = .seconds(30), interval: Duration = .milliseconds(10),
    file: StaticString = #fileID, line: UInt = #line, _ condition: () async throws -> Bool
) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + timeout
    while true {
        if try await condition() { return }
        if clock.now >= deadline { throw ConformanceFailure("\(what()) did not happen within \(timeout)", file: file, line: line) }
        try await Task.sleep(for: interval)
    }
}
