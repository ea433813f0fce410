import ReactorCore

/// One job of a batch: actions for one document, with the keys of jobs it waits for.
public struct BatchJob: Sendable {
    public var key: String
    public var documentID: String
    public var branch: String
    public var actions: [Action]
    public var dependsOn: [String]

    public init(key: String, documentID: String, branch: String = Branch.main, actions: [Action], dependsOn: [String] = []) {
        self.key = key
        self.documentID = documentID
        self.branch = branch
        self.actions = actions
        self.dependsOn = dependsOn
    }
}
