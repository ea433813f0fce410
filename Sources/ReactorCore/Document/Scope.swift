/// Names of the scopes every document has. A model may declare more.
public enum Scope {
    /// System scope: create, upgrade, delete, relationships, name and slug.
    public static let document = "document"
    /// Shared state, synchronised between reactors.
    public static let global = "global"
    /// Per-reactor state, never synchronised.
    public static let local = "local"
}

/// The default branch name.
public enum Branch {
    public static let main = "main"
}
