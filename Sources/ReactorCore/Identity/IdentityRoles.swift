import Foundation

/// Roles as the identity stores keep them in one column: a JSON array of strings.
public enum IdentityRoles {
    /// `["admin","ops"]`.
    public static func encode(_ roles: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(roles), as: UTF8.self)
    }

    /// The roles of a stored column; `STORAGE_ERROR` when it is not a JSON array of strings.
    public static func decode(_ text: String) throws -> [String] {
        do {
            return try JSONDecoder().decode([String].self, from: Data(text.utf8))
        } catch {
            throw ReactorError(.storage, "a stored roles column is not a JSON array of strings")
        }
    }
}
