import ReactorCore
import Synchronization

/// One scope's state as the engine keeps it: JSON, the model's native value (``NativeState``), or both.
///
/// A state reduced by a model with a native representation is kept native: the next action of the job, and the next
/// job through the ``WriteCache``, reduce it without decoding. Its JSON is encoded the first time something asks for
/// it (a read, a keyframe, a history replay) and then kept, shared by every copy of the value.
public struct ScopeValue: Sendable {
    private final class Storage: Sendable {
        let native: (any NativeState)?
        /// The model (document type and version) that made ``native``: another model never reduces it.
        let model: String?
        let json: Mutex<JSONValue?>

        init(native: (any NativeState)?, model: String?, json: JSONValue?) {
            self.native = native
            self.model = model
            self.json = Mutex(json)
        }
    }

    private let storage: Storage

    /// A state held as JSON.
    public init(json: JSONValue) {
        storage = Storage(native: nil, model: nil, json: json)
    }

    /// A state held as `native`, made by the model `model` (``modelKey(_:)``).
    init(native: any NativeState, model: String) {
        storage = Storage(native: native, model: model, json: nil)
    }

    /// The state as JSON (encoded from the native value once, on first use).
    public var json: JSONValue {
        if let json = storage.json.withLock({ $0 }) { return json }
        // The canonical bytes of this value were written when it was reduced, so encoding it cannot fail here; should
        // it, a null state is reported rather than a crash.
        let encoded = (try? storage.native?.encoded()) ?? .null
        return storage.json.withLock { cached in
            if let cached { return cached }
            cached = encoded
            return encoded
        }
    }

    /// Whether the value is held natively (its JSON may not have been encoded yet).
    var isNative: Bool { storage.native != nil }

    /// The native value when `model` made it.
    func native(for model: String) -> (any NativeState)? {
        storage.model == model ? storage.native : nil
    }

    /// The key of a model for ``native(for:)``: its document type and version.
    static func modelKey(_ model: any DocumentModel) -> String {
        "\(model.documentType)@\(model.version)"
    }
}

extension ScopeValue: Hashable {
    public static func == (a: ScopeValue, b: ScopeValue) -> Bool {
        a.storage === b.storage || a.json == b.json
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(json)
    }
}
