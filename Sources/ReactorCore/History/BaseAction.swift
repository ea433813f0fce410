/// Action types every model scope accepts, handled by the engine rather than the model's reducer.
public enum BaseAction {
    /// Undo the most recent effective operation of the scope. Appends an operation with `skip = 1`.
    public static let undo = "UNDO"
    /// Re-apply the most recently undone operation. Input: none.
    public static let redo = "REDO"
    /// Collapse the effective history from position `start` (default 0) into one state-loading step.
    /// Input: `{"start": Int?}`. Appends an operation whose `skip` is the number of collapsed steps.
    public static let prune = "PRUNE"
    /// Applied to every model scope by `UPGRADE_DOCUMENT`: transforms the state to the new model version.
    /// Input: `{"fromVersion": Int, "toVersion": Int}`.
    public static let upgrade = "UPGRADE_DOCUMENT"

    /// Written by sync when operations from a peer sort before local ones (`docs/sync.md`): the marker tells replay
    /// to drop the last `skip` effective operations; the operations after it re-append them in merged order.
    /// Input: `{"rewind": Int}`. Never accepted from clients.
    public static let merge = "MERGE"

    /// Whether `type` changes the history (needs a replay rather than a single reduction).
    public static func isHistory(_ type: String) -> Bool {
        type == undo || type == redo || type == prune || type == upgrade
    }
}

/// System action types of the `document` scope.
public enum SystemAction {
    /// Input: `{"documentType", "slug"?, "name"?, "meta"?, "modelVersion"?, "createdBy"?}`. Always index 0 of the
    /// document scope. `createdBy` (the creator, who administers the document) is set by the server from the caller's
    /// token when document permissions are on.
    public static let create = "CREATE_DOCUMENT"
    /// Input: `{"toVersion": Int}`. Also appends ``BaseAction/upgrade`` to every model scope.
    public static let upgrade = "UPGRADE_DOCUMENT"
    /// Soft delete. Later writes fail with `DOCUMENT_DELETED`.
    public static let delete = "DELETE_DOCUMENT"
    /// Input: `{"targetId", "type"?}` (type defaults to `child`).
    public static let addRelationship = "ADD_RELATIONSHIP"
    /// Input: `{"targetId", "type"?}`.
    public static let removeRelationship = "REMOVE_RELATIONSHIP"
    /// Input: `{"name"}`.
    public static let setName = "SET_NAME"
    /// Input: `{"slug"}` (null clears it).
    public static let setSlug = "SET_SLUG"
    /// Input: `{"principal", "capability"}` (`user:<id>`, `role:<name>`, `authenticated` or `anyone`; `none`, `read`,
    /// `write` or `administer`). Replaces the principal's grant and moves it last (the last matching grant wins).
    public static let setPermission = "SET_PERMISSION"
    /// Input: `{"principal"}`. Removes the principal's grant.
    public static let removePermission = "REMOVE_PERMISSION"
}
