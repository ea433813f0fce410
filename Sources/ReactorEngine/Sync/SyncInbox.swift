import ReactorCore

/// Applies operations that came from a peer: per document, through a `.sync` merge job (``Reactor/merge(_:branch:operations:origin:)``),
/// in the order the peer sent them. Documents run in parallel; one document's operations run in order.
///
/// Every operation ends stored, dropped as already held, or on the dead-letter list with its document quarantined
/// for that peer; only then is the delivery acknowledged. A transient failure (the reactor is stopping or
/// overloaded) throws instead, so the peer sends the operations again.
struct SyncInbox: Sendable {
    let reactor: Reactor
    let store: SyncStore
    let config: SyncConfig

    /// Applies `operations` from `peer`, whose reactor id is `origin`.
    func apply(_ operations: [SyncOperation], from peer: SyncPeer, origin: String) async throws -> SyncAck {
        var groups: [(key: DocumentKey, operations: [SyncOperation])] = []
        var position: [DocumentKey: Int] = [:]
        for op in operations {
            let key = DocumentKey(documentID: op.documentID, branch: op.branch)
            if let i = position[key] {
                groups[i].operations.append(op)
            } else {
                position[key] = groups.count
                groups.append((key, [op]))
            }
        }
        return try await withThrowingTaskGroup(of: SyncAck.self) { group in
            for (key, ops) in groups {
                group.addTask { try await applyDocument(key, ops, from: peer, origin: origin) }
            }
            var total = SyncAck()
            for try await ack in group { total = total + ack }
            return total
        }
    }

    struct DocumentKey: Hashable, Sendable {
        var documentID: String
        var branch: String
    }

    private func applyDocument(_ key: DocumentKey, _ operations: [SyncOperation], from peer: SyncPeer, origin: String) async throws -> SyncAck {
        if let quarantine = try await store.quarantine(peer, documentID: key.documentID) {
            try await deadLetter(key, operations, from: peer, reason: .quarantined, code: "QUARANTINED",
                                 message: "document is quarantined for this peer since \(quarantine.since): \(quarantine.message)", quarantine: false)
            return SyncAck(deadLettered: operations.count)
        }
        let held = try await reactor.store.existingOperationIDs(operations.map(\.operation.id))
        let fresh = operations.filter { !held.contains($0.operation.id) }
        guard !fresh.isEmpty else { return SyncAck(duplicates: operations.count) }
        let creates = fresh.contains { $0.scope == Scope.document && $0.operation.action.type == SystemAction.create }
        if !creates, try await reactor.store.header(id: key.documentID) == nil {
            guard try await waitForCreation(of: key.documentID) else {
                try await deadLetter(key, fresh, from: peer, reason: .missingOperations, code: ReactorError.Code.documentNotFound.rawValue,
                                     message: "document '\(key.documentID)' was not created within \(config.creationWait) (its creation never arrived)")
                return SyncAck(duplicates: held.count, deadLettered: fresh.count)
            }
        }
        let info: JobInfo
        do {
            let job = try await reactor.merge(key.documentID, branch: key.branch, operations: fresh, origin: origin)
            info = try await reactor.jobTracker.wait(for: job.id, until: .readReady, timeout: .seconds(3_600))
        } catch let error as ReactorError where !Self.isTransient(error) {
            // Refused at submission (a signature, a malformed operation): never stored.
            try await deadLetter(key, fresh, from: peer, error: error)
            return SyncAck(duplicates: held.count, deadLettered: fresh.count)
        }
        if let error = info.error {
            if Self.isTransient(error) { throw error }
            try await deadLetter(key, fresh, from: peer, error: error)
            return SyncAck(duplicates: held.count, deadLettered: fresh.count)
        }
        guard info.status == .readReady else {
            throw ReactorError(.jobTimeout, "the sync job for '\(key.documentID)' did not finish", details: ["jobId": info.id], isTransient: true)
        }
        return SyncAck(applied: fresh.count, duplicates: held.count)
    }

    /// Waits until the document exists, for at most ``SyncConfig/creationWait``; wakes on every commit.
    private func waitForCreation(of documentID: String) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: config.creationWait)
        while ContinuousClock.now < deadline {
            let seen = reactor.readyOrdinal
            if try await reactor.store.header(id: documentID) != nil { return true }
            try await reactor.waitForReady(beyond: seen, timeout: min(.seconds(1), ContinuousClock.now.duration(to: deadline)))
            try Task.checkCancellation()
        }
        return try await reactor.store.header(id: documentID) != nil
    }

    /// Failures that say nothing about the operations: the delivery is retried rather than dead-lettered.
    static func isTransient(_ error: ReactorError) -> Bool {
        if error.isTransient { return true }
        switch error.code {
        case .shutdown, .shutdownDeadline, .overloaded, .tooManyPendingJobs, .documentBusy, .jobTakenOver, .jobTimeout, .storage: return true
        default: return false
        }
    }

    /// The dead-letter class of a failure.
    static func reason(for error: ReactorError) -> SyncDeadLetter.Reason {
        switch error.code {
        case .signatureRequired, .invalidSignature, .signatureVersionUnsupported, .signingDisabled: .signature
        case .operationMismatch where error.details["check"] == "hash": .hashMismatch
        case .documentNotFound, .operationGap: .missingOperations
        case .mergeTooLarge: .excessiveReshuffle
        case .unknownDocumentType: .unknownModel
        default: .rejected
        }
    }

    private func deadLetter(_ key: DocumentKey, _ operations: [SyncOperation], from peer: SyncPeer, error: ReactorError) async throws {
        try await deadLetter(key, operations, from: peer, reason: Self.reason(for: error), code: error.code.rawValue, message: error.message)
    }

    private func deadLetter(
        _ key: DocumentKey, _ operations: [SyncOperation], from peer: SyncPeer, reason: SyncDeadLetter.Reason, code: String, message: String,
        quarantine: Bool = true
    ) async throws {
        let letter = SyncDeadLetter(id: SyncStore.newDeadLetterID(), peer: peer.key, documentID: key.documentID, branch: key.branch,
                                    reason: reason, code: code, message: message, operations: operations)
        try await store.addDeadLetter(letter)
        if quarantine {
            try await store.quarantine(SyncQuarantine(peer: peer.key, documentID: key.documentID, reason: reason, message: message))
        }
        reactor.logger.warning("sync: operations dead-lettered", metadata: [
            "peer": "\(peer.key)", "documentId": "\(key.documentID)", "reason": "\(reason.rawValue)", "code": "\(code)",
            "operations": "\(operations.count)",
        ])
        await reactor.eventBus.emit(.sync(SyncEvent(kind: .deadLetter, peer: peer.key, documentIDs: [key.documentID],
                                                    operations: operations.count, error: ReactorError(.init(code), message))))
    }
}
