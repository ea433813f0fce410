import ReactorCore

extension Job {
    /// The job's size for admission (``AdmissionLimits``): about the length of its payload as JSON — each string's
    /// UTF-8 bytes plus its quotes, 8 bytes a number, the punctuation and field names — counted by walking the
    /// values, without encoding anything. The reactor computes it once per job, when the job is submitted.
    public var payloadSize: Int {
        switch payload {
        case .actions(let actions): actions.reduce(0) { $0 + Self.size(of: $1) }
        case .operations(let operations): operations.reduce(0) { $0 + Self.size(of: $1) }
        case .sync(_, let operations): operations.reduce(0) { $0 + 120 + Self.size(of: $1.operation) }
        }
    }

    /// Field names, braces and the fixed-size fields of an action.
    private static let actionOverhead = 80
    /// Field names and the fixed-size fields an operation adds to its action.
    private static let operationOverhead = 60

    static func size(of action: Action) -> Int {
        var size = actionOverhead + action.id.utf8.count + action.type.utf8.count + action.scope.utf8.count + size(of: action.input)
        if let context = action.context {
            if let signer = context.signer { size += 40 + signer.publicKey.utf8.count + (signer.name?.utf8.count ?? 0) }
            for signature in context.signatures { size += 50 + signature.publicKey.utf8.count + signature.signature.utf8.count }
        }
        return size
    }

    static func size(of operation: Operation) -> Int {
        operationOverhead + operation.id.utf8.count + operation.hash.utf8.count + (operation.error?.utf8.count ?? 0)
            + size(of: operation.action)
    }

    static func size(of value: JSONValue) -> Int {
        switch value {
        case .null: 4
        case .bool: 5
        case .number: 8
        case .string(let s): s.utf8.count + 2
        case .array(let items): items.reduce(1 + max(1, items.count)) { $0 + size(of: $1) }
        case .object(let members): members.reduce(1 + max(1, members.count)) { $0 + $1.key.utf8.count + 3 + size(of: $1.value) }
        }
    }
}
