import Crypto
import Foundation

/// One deployed version of a function: an immutable module and its settings.
///
/// Its ``id`` is a content hash of the runtime, the module and the settings, so deploying the same module with the
/// same settings twice gives the same version, and a change to either gives a new one.
public struct FunctionVersion: Sendable, Hashable, Codable {
    /// The function's name.
    public var function: String
    /// The version's id: `v` and 16 hex digits of the content hash.
    public var id: String
    /// The runtime that runs it (`wasm`).
    public var runtime: String
    /// The module's digest (`sha256:<hex>` of the binary module): its key in the blob store.
    public var moduleDigest: String
    /// The binary module's size in bytes.
    public var moduleBytes: Int
    /// The settings deployed with the module.
    public var settings: FunctionSettings
    /// When it was deployed (first deployed, for a redeploy of the same content).
    public var createdAt: Date
    /// Who deployed it (a user id), when known.
    public var createdBy: String?

    /// Creates a version; the ``id`` is computed from the content.
    public init(function: String, runtime: String, moduleDigest: String, moduleBytes: Int, settings: FunctionSettings,
                createdAt: Date, createdBy: String? = nil) {
        self.function = function
        self.runtime = runtime
        self.moduleDigest = moduleDigest
        self.moduleBytes = moduleBytes
        self.settings = settings
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.id = Self.id(runtime: runtime, moduleDigest: moduleDigest, settings: settings)
    }

    /// The id of a version with this content.
    public static func id(runtime: String, moduleDigest: String, settings: FunctionSettings) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let settingsJSON = (try? encoder.encode(settings)) ?? Data()
        var hasher = SHA256()
        hasher.update(data: Data(runtime.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: Data(moduleDigest.utf8))
        hasher.update(data: Data([0]))
        hasher.update(data: settingsJSON)
        let hex = hasher.finalize().prefix(8).map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
        return "v" + hex
    }
}

/// A function: its name, the version that answers (``live``) and the versions that answered before it.
public struct FunctionRecord: Sendable, Hashable, Codable {
    /// The function's name (`[a-z0-9][a-z0-9_-]*`, at most 63 characters): its route is `/functions/v1/<name>`.
    public var name: String
    /// The id of the live version, or nil before the first promotion.
    public var live: String?
    /// The versions that were live before ``live``, oldest first: ``rollback`` goes back to the last one.
    public var history: [String]
    /// Counts the record's changes; the store refuses a save made from an older revision (two nodes promoting at
    /// once: one of them retries).
    public var revision: Int
    /// When the function was first deployed.
    public var createdAt: Date
    /// When the record last changed.
    public var updatedAt: Date

    /// Creates a record.
    public init(name: String, live: String? = nil, history: [String] = [], revision: Int = 0, createdAt: Date, updatedAt: Date) {
        self.name = name
        self.live = live
        self.history = history
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The most entries ``history`` keeps.
    public static let maxHistory = 50

    /// Whether `name` is a valid function name.
    public static func isValidName(_ name: String) -> Bool {
        guard (1...63).contains(name.utf8.count), let first = name.utf8.first,
              (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return false }
        return name.utf8.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
                || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }
    }
}
