import ReactorCore

/// The detail `name` of the ``ReactorError`` that `body` throws (`"key"` names a bad configuration key): nil when
/// `body` does not throw, `"<not a ReactorError>"` when it throws something else.
public func thrownDetail(_ name: String, _ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let error as ReactorError {
        return error.details[name]
    } catch {
        return "<not a ReactorError>"
    }
}
