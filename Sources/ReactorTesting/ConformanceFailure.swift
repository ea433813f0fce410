import ReactorCore

/// A failed expectation of a conformance case (or of any test using ``check(_:_:file:line:)``).
public struct ConformanceFailure: Error, CustomStringConvertible {
    /// What was expected and what happened.
    public let message: String
    /// The file of the failed check (`#fileID`).
    public let file: String
    /// The line of the failed check.
    public let line: UInt

    /// Creates a failure.
    public init(_ message: String, file: StaticString = #fileID, line: UInt = #line) {
        self.message = message
        self.file = "\(file)"
        self.line = line
    }

    /// `file:line: message`.
    public var description: String { "\(file):\(line): \(message)" }
}

/// Throws a ``ConformanceFailure`` with `message` unless `condition` holds.
public func check(_ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) throws {
    if !condition { throw ConformanceFailure(message(), file: file, line: line) }
}

/// Checks that `result` failed with `code` and returns the error.
@discardableResult
func checkFailure(
    _ result: Result<CommitReceipt, ReactorError>, _ code: ReactorError.Code, _ context: String,
    file: StaticString = #fileID, line: UInt = #line
) throws -> ReactorError {
    switch result {
    case .success:
        throw ConformanceFailure("\(context): expected \(code), the commit succeeded", file: file, line: line)
    case .failure(let error):
        try check(error.code == code, "\(context): expected \(code), got \(error.debugDescription)", file: file, line: line)
        return error
    }
}

/// Checks that `result` succeeded and returns the receipt.
@discardableResult
func checkSuccess(
    _ result: Result<CommitReceipt, ReactorError>, _ context: String, file: StaticString = #fileID, line: UInt = #line
) throws -> CommitReceipt {
    switch result {
    case .success(let receipt): return receipt
    case .failure(let error):
        throw ConformanceFailure("\(context): expected success, got \(error.debugDescription)", file: file, line: line)
    }
}

/// Checks that `body` throws a ``ReactorError`` with `code`.
func checkThrows(
    _ code: ReactorError.Code, _ context: String, file: StaticString = #fileID, line: UInt = #line,
    _ body: () async throws -> Void
) async throws {
    do {
        try await body()
    } catch let error as ReactorError {
        try check(error.code == code, "\(context): expected \(code), got \(error.debugDescription)", file: file, line: line)
        return
    } catch {
        throw ConformanceFailure("\(context): expected ReactorError \(code), got \(error)", file: file, line: line)
    }
    throw ConformanceFailure("\(context): expected \(code), nothing was thrown", file: file, line: line)
}
