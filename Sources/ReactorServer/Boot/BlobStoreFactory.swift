import Foundation
import ReactorConfig
import ReactorCore
import ReactorMemory
import ReactorStorage

/// Opens the blob store `[storage]` names, with the secret of its signed URLs.
enum BlobStoreFactory {
    /// The store and a one-line description for the boot summary.
    static func open(_ resolved: ReactorConfiguration, vault: (any Vault)?) async throws -> (any BlobStore, String) {
        // S3 serves its own presigned URLs: no secret of the server's.
        if resolved.storage.backend == .s3 { return try S3Backend.open(resolved) }
        let (secret, secretSource) = try await signingSecret(resolved, vault: vault)
        let signer: BlobURLSigner
        do {
            signer = try BlobURLSigner(secret: secret, baseURL: resolved.storage.publicURL)
        } catch let error as ReactorError {
            throw ReactorError(.configInvalid, "storage.signing_secret: \(error.message)", details: ["key": "storage.signing_secret"])
        }
        switch resolved.storage.backend {
        case .fs:
            do {
                let store = try FileBlobStore(root: resolved.blobsPath, signer: signer)
                return (store, "fs \(store.root) (signed URLs: \(secretSource))")
            } catch let error as ReactorError {
                throw ReactorError(.configInvalid, "storage.fs_base_path: \(error.message)", details: ["key": "storage.fs_base_path"])
            }
        case .memory:
            return (InMemoryBlobStore(signer: signer), "in memory (nothing is kept after exit; signed URLs: \(secretSource))")
        case .s3:
            return try S3Backend.open(resolved)
        }
    }

    /// `storage.signing_secret`; when empty, the secret kept in the vault (generated and stored at first start), or a
    /// fresh one per process when there is no vault.
    static func signingSecret(_ resolved: ReactorConfiguration, vault: (any Vault)?) async throws -> ([UInt8], String) {
        if !resolved.storage.signingSecret.isEmpty { return (Array(resolved.storage.signingSecret.utf8), "storage.signing_secret") }
        let path = ReactorConfiguration.storageSigningSecretPath
        guard let vault else { return (BlobURLSigner.randomSecret(), "a secret of this process only: they end with it (no vault)") }
        if let kept = try await vault.get(path), kept.utf8.count >= BlobURLSigner.minimumSecretLength { return (Array(kept.utf8), "vault:\(path)") }
        let fresh = Base64URL.encode(BlobURLSigner.randomSecret())
        try await vault.put(path, value: fresh)
        return (Array(fresh.utf8), "vault:\(path), generated now")
    }
}
