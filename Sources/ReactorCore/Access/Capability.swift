/// What a principal may do with a document, in increasing order: each capability includes the ones before it.
///
/// `none` exists so that a grant can take access away (grants are read last match first, see ``DocumentAccessRules``).
public enum Capability: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Nothing: the document is invisible (reads answer `DOCUMENT_NOT_FOUND`).
    case none
    /// Read the document, its operations, its relationships and its changes in subscriptions.
    case read
    /// Also append actions (model actions, `SET_NAME`, `SET_SLUG`, `UPGRADE_DOCUMENT`, relationships from it).
    case write
    /// Also delete the document and change its grants.
    case administer

    private var rank: Int {
        switch self {
        case .none: 0
        case .read: 1
        case .write: 2
        case .administer: 3
        }
    }

    public static func < (lhs: Capability, rhs: Capability) -> Bool { lhs.rank < rhs.rank }
}
