import ReactorCore

/// The built-in drive model (`reactor/drive`): a tree of folders and files, where each file is a child document.
///
/// Actions (global scope): `ADD_FOLDER {id, name, parentFolder?}`, `ADD_FILE {id, name, documentType, parentFolder?}`
/// (`id` is the child document's id), `UPDATE_NODE {id, name}`, `MOVE_NODE {id, targetParentFolder?}`,
/// `DELETE_NODE {id}` (a folder goes with everything below it), `SET_FILE_BLOB {id, blob?}` (a file's bytes in blob
/// storage: `{bucket, key, size, contentType, sha256}`; `null` removes the reference). The parent/child relationship between the drive and
/// its file documents is kept by the reactor (`ADD_RELATIONSHIP`); ``ReactorClient`` does both in one batch.
public enum Drive {
    public static let documentType = "reactor/drive"

    /// The drive's state.
    public struct State: Codable, Sendable, Hashable {
        public var nodes: [Node]
        public init(nodes: [Node] = []) { self.nodes = nodes }

        /// The node with `id`.
        public func node(_ id: String) -> Node? { nodes.first { $0.id == id } }
        /// The nodes directly inside `folder` (the root when nil).
        public func children(of folder: String?) -> [Node] { nodes.filter { $0.parentFolder == folder } }
    }

    public enum Kind: String, Codable, Sendable, Hashable { case folder, file }

    /// A folder or a file.
    public struct Node: Codable, Sendable, Hashable {
        public var id: String
        public var name: String
        public var kind: Kind
        public var parentFolder: String?
        /// For files: the child document's type.
        public var documentType: String?
        /// For files: where the file's bytes are kept in blob storage (absent until `SET_FILE_BLOB`).
        public var blob: BlobReference?

        public init(id: String, name: String, kind: Kind, parentFolder: String? = nil, documentType: String? = nil, blob: BlobReference? = nil) {
            self.id = id
            self.name = name
            self.kind = kind
            self.parentFolder = parentFolder
            self.documentType = documentType
            self.blob = blob
        }
    }

    /// A file's bytes in blob storage (`/storage/v1/buckets/<bucket>/objects/<key>`): what was stored, so a reader can
    /// check what it downloads.
    public struct BlobReference: Codable, Sendable, Hashable {
        /// The bucket.
        public var bucket: String
        /// The object's key.
        public var key: String
        /// The size in bytes.
        public var size: Int64
        /// The media type.
        public var contentType: String
        /// The SHA-256 of the bytes (64 lowercase hex digits).
        public var sha256: String

        public init(bucket: String, key: String, size: Int64, contentType: String, sha256: String) {
            self.bucket = bucket
            self.key = key
            self.size = size
            self.contentType = contentType
            self.sha256 = sha256
        }

        /// A reference to a stored object (its SHA-256 must be known).
        public init?(_ info: BlobInfo) {
            guard let sha256 = info.sha256 else { return nil }
            self.init(bucket: info.bucket.rawValue, key: info.key.rawValue, size: info.size, contentType: info.contentType, sha256: sha256)
        }

        /// Throws a ``ModelError`` unless the bucket and key are valid (``BucketName``, ``BlobKey``), the size is not
        /// negative, the content type is not empty and the SHA-256 is 64 lowercase hex digits.
        func validate() throws {
            guard (try? BucketName(bucket)) != nil else { throw ModelError("blob.bucket '\(bucket.prefix(70))' is not a valid bucket name") }
            guard (try? BlobKey(key)) != nil else { throw ModelError("blob.key is not a valid object key") }
            guard size >= 0 else { throw ModelError("blob.size must not be negative") }
            guard !contentType.isEmpty, contentType.utf8.count <= 255 else { throw ModelError("blob.contentType must be 1 to 255 characters") }
            guard sha256.utf8.count == 64, sha256.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else {
                throw ModelError("blob.sha256 must be 64 lowercase hex digits")
            }
        }
    }

    public struct AddFolderInput: Codable, Sendable { public var id: String; public var name: String; public var parentFolder: String? }
    public struct AddFileInput: Codable, Sendable {
        public var id: String; public var name: String; public var documentType: String; public var parentFolder: String?
    }
    public struct UpdateNodeInput: Codable, Sendable { public var id: String; public var name: String }
    public struct MoveNodeInput: Codable, Sendable { public var id: String; public var targetParentFolder: String? }
    public struct IDInput: Codable, Sendable { public var id: String }
    public struct SetFileBlobInput: Codable, Sendable { public var id: String; public var blob: BlobReference? }

    /// The model.
    public static let model = TypedDocumentModel(documentType: documentType, initialState: State())
        .on("ADD_FOLDER", input: AddFolderInput.self) { state, input, _ in
            try checkNew(id: input.id, name: input.name, parent: input.parentFolder, in: state)
            state.nodes.append(Node(id: input.id, name: input.name, kind: .folder, parentFolder: input.parentFolder))
        }
        .on("ADD_FILE", input: AddFileInput.self) { state, input, _ in
            try checkNew(id: input.id, name: input.name, parent: input.parentFolder, in: state)
            guard !input.documentType.isEmpty else { throw ModelError("file documentType must not be empty") }
            state.nodes.append(Node(id: input.id, name: input.name, kind: .file, parentFolder: input.parentFolder, documentType: input.documentType))
        }
        .on("UPDATE_NODE", input: UpdateNodeInput.self) { state, input, _ in
            guard let i = state.nodes.firstIndex(where: { $0.id == input.id }) else { throw ModelError("no node with id '\(input.id)'") }
            guard !input.name.isEmpty else { throw ModelError("node name must not be empty") }
            state.nodes[i].name = input.name
        }
        .on("MOVE_NODE", input: MoveNodeInput.self) { state, input, _ in
            guard let i = state.nodes.firstIndex(where: { $0.id == input.id }) else { throw ModelError("no node with id '\(input.id)'") }
            if let target = input.targetParentFolder {
                try checkFolder(target, in: state)
                if state.nodes[i].kind == .folder {
                    guard target != input.id, !descendants(of: input.id, in: state).contains(target) else {
                        throw ModelError("cannot move folder '\(input.id)' into itself or a folder below it")
                    }
                }
            }
            state.nodes[i].parentFolder = input.targetParentFolder
        }
        .on("SET_FILE_BLOB", input: SetFileBlobInput.self) { state, input, _ in
            guard let i = state.nodes.firstIndex(where: { $0.id == input.id }) else { throw ModelError("no node with id '\(input.id)'") }
            guard state.nodes[i].kind == .file else { throw ModelError("'\(input.id)' is a folder; only files reference blobs") }
            try input.blob?.validate()
            state.nodes[i].blob = input.blob
        }
        .on("DELETE_NODE", input: IDInput.self) { state, input, _ in
            guard state.node(input.id) != nil else { throw ModelError("no node with id '\(input.id)'") }
            let gone = descendants(of: input.id, in: state).union([input.id])
            state.nodes.removeAll { gone.contains($0.id) }
        }

    static func checkNew(id: String, name: String, parent: String?, in state: State) throws {
        guard !id.isEmpty else { throw ModelError("node id must not be empty") }
        guard !name.isEmpty else { throw ModelError("node name must not be empty") }
        guard state.node(id) == nil else { throw ModelError("a node with id '\(id)' exists") }
        if let parent { try checkFolder(parent, in: state) }
    }

    static func checkFolder(_ id: String, in state: State) throws {
        guard let node = state.node(id) else { throw ModelError("no folder with id '\(id)'") }
        guard node.kind == .folder else { throw ModelError("'\(id)' is a file, not a folder") }
    }

    /// Ids of every node below `folder`.
    public static func descendants(of folder: String, in state: State) -> Set<String> {
        var out: Set<String> = []
        var frontier = [folder]
        while let f = frontier.popLast() {
            for child in state.nodes where child.parentFolder == f && out.insert(child.id).inserted {
                frontier.append(child.id)
            }
        }
        return out
    }

    // MARK: Action builders

    public static func addFolder(id: String, name: String, parentFolder: String? = nil) -> Action {
        Action(type: "ADD_FOLDER", input: .object(["id": .string(id), "name": .string(name), "parentFolder": parentFolder.map(JSONValue.string) ?? .null]))
    }
    public static func addFile(id: String, name: String, documentType: String, parentFolder: String? = nil) -> Action {
        Action(type: "ADD_FILE", input: .object([
            "id": .string(id), "name": .string(name), "documentType": .string(documentType),
            "parentFolder": parentFolder.map(JSONValue.string) ?? .null,
        ]))
    }
    public static func updateNode(id: String, name: String) -> Action {
        Action(type: "UPDATE_NODE", input: ["id": .string(id), "name": .string(name)])
    }
    public static func moveNode(id: String, to folder: String?) -> Action {
        Action(type: "MOVE_NODE", input: .object(["id": .string(id), "targetParentFolder": folder.map(JSONValue.string) ?? .null]))
    }
    public static func deleteNode(id: String) -> Action { Action(type: "DELETE_NODE", input: ["id": .string(id)]) }
    /// `SET_FILE_BLOB`: the file `id` now references `blob` (nil removes the reference).
    public static func setFileBlob(id: String, blob: BlobReference?) -> Action {
        let value: JSONValue = blob.map { blob in
            .object(["bucket": .string(blob.bucket), "key": .string(blob.key), "size": .number(Double(blob.size)),
                     "contentType": .string(blob.contentType), "sha256": .string(blob.sha256)])
        } ?? .null
        return Action(type: "SET_FILE_BLOB", input: .object(["id": .string(id), "blob": value]))
    }
}

/// Every built-in model.
public enum BuiltInModels {
    public static let all: [any DocumentModel] = [TodoList.model, Drive.model]
}
