import ReactorCore

extension Reactor {
    /// Creates a document: header and initial state in one job. Signs the create action with `signer` (or the
    /// builder's default signer) if there is one.
    public func create(_ document: NewDocument, signer: (any Signer)? = nil) async throws -> JobInfo {
        let action = try (signer ?? defaultSigner).map { try $0.sign(document.createAction, documentID: document.id, branch: document.branch) } ?? document.createAction
        return try await submitOne(documentID: document.id, branch: document.branch, payload: .actions([action]))
    }

    /// Reduces `actions` on a document, in order, as one atomic job. Signs each with `signer` if given.
    public func execute(_ documentID: String, branch: String = Branch.main, actions: [Action], signer: (any Signer)? = nil) async throws -> JobInfo {
        let signed = try (signer ?? defaultSigner).map { s in try actions.map { try s.sign($0, documentID: documentID, branch: branch) } } ?? actions
        return try await submitOne(documentID: documentID, branch: branch, payload: .actions(signed))
    }

    /// Appends pre-existing operations (from sync or an import). Re-delivered operations are ignored; operations
    /// that would leave a gap, or that do not reproduce, fail the job.
    public func load(_ documentID: String, branch: String = Branch.main, operations: [Operation]) async throws -> JobInfo {
        try await submitOne(documentID: documentID, branch: branch, payload: .operations(operations))
    }

    /// Merges operations that came from the peer reactor `origin` (sync, ``SyncManager``): operations already held
    /// are dropped, the others take their place in the stream's effective order (``OperationOrder``), re-appending
    /// local operations that sort after them. Stored with their origin, so they are never sent back to it.
    public func merge(_ documentID: String, branch: String = Branch.main, operations: [SyncOperation], origin: String) async throws -> JobInfo {
        try await submitOne(documentID: documentID, branch: branch, payload: .sync(origin: origin, operations: operations))
    }

    /// Soft-deletes a document: later writes fail with `DOCUMENT_DELETED`.
    public func deleteDocument(_ documentID: String, signer: (any Signer)? = nil) async throws -> JobInfo {
        try await execute(documentID, actions: [Action(type: SystemAction.delete, scope: Scope.document)], signer: signer)
    }

    /// Makes `childIDs` children of `parentID`.
    public func addChildren(_ parentID: String, _ childIDs: [String], branch: String = Branch.main, signer: (any Signer)? = nil) async throws -> JobInfo {
        try await execute(parentID, branch: branch, actions: childIDs.map {
            Action(type: SystemAction.addRelationship, scope: Scope.document, input: ["targetId": .string($0), "type": .string(Relationship.child)])
        }, signer: signer)
    }

    /// Removes `childIDs` from `parentID`'s children.
    public func removeChildren(_ parentID: String, _ childIDs: [String], branch: String = Branch.main, signer: (any Signer)? = nil) async throws -> JobInfo {
        try await execute(parentID, branch: branch, actions: childIDs.map {
            Action(type: SystemAction.removeRelationship, scope: Scope.document, input: ["targetId": .string($0), "type": .string(Relationship.child)])
        }, signer: signer)
    }

    /// Submits several jobs whose order is given by `dependsOn` keys. Unknown keys, duplicate keys and cycles are
    /// rejected before anything is queued. A job whose dependency fails fails with `DEPENDENCY_FAILED`; independent
    /// jobs still run in parallel. Returns each job's info by key.
    public func executeBatch(_ jobs: [BatchJob], signer: (any Signer)? = nil) async throws -> [String: JobInfo] {
        let order = try Self.topologicalOrder(jobs)
        var ids: [String: String] = [:]
        for job in jobs { ids[job.key] = newJobID() }
        let built: [Job] = try order.map { i in
            let b = jobs[i]
            let actions = try (signer ?? defaultSigner).map { s in try b.actions.map { try s.sign($0, documentID: b.documentID, branch: b.branch) } } ?? b.actions
            return Job(id: ids[b.key]!, documentID: b.documentID, branch: b.branch, payload: .actions(actions),
                       dependsOn: b.dependsOn.map { ids[$0]! })
        }
        let infos = try await submit(built)
        var out: [String: JobInfo] = [:]
        for (i, info) in zip(order, infos) { out[jobs[i].key] = info }
        return out
    }

    /// Checks keys and dependencies and returns an execution order (indices into `jobs`).
    static func topologicalOrder(_ jobs: [BatchJob]) throws -> [Int] {
        var index: [String: Int] = [:]
        for (i, job) in jobs.enumerated() {
            guard !job.key.isEmpty else { throw ReactorError.invalidInput("batch job \(i) has an empty key", path: "jobs[\(i)].key") }
            guard index[job.key] == nil else {
                throw ReactorError(.duplicateKey, "two batch jobs have the key '\(job.key)'", details: ["key": job.key, "path": "jobs[\(i)].key"])
            }
            index[job.key] = i
        }
        var indegree = [Int](repeating: 0, count: jobs.count)
        var dependents = [[Int]](repeating: [], count: jobs.count)
        for (i, job) in jobs.enumerated() {
            for dep in Set(job.dependsOn) {
                guard let d = index[dep] else {
                    throw ReactorError(.unknownDependency, "batch job '\(job.key)' depends on unknown key '\(dep)'",
                                       details: ["key": job.key, "dependsOn": dep, "path": "jobs[\(i)].dependsOn"])
                }
                indegree[i] += 1
                dependents[d].append(i)
            }
        }
        var ready = (0..<jobs.count).filter { indegree[$0] == 0 }
        var order: [Int] = []
        var cursor = 0
        while cursor < ready.count {
            let i = ready[cursor]
            cursor += 1
            order.append(i)
            for d in dependents[i] {
                indegree[d] -= 1
                if indegree[d] == 0 { ready.append(d) }
            }
        }
        guard order.count == jobs.count else {
            let cyclic = (0..<jobs.count).filter { indegree[$0] > 0 }.map { jobs[$0].key }.sorted()
            throw ReactorError(.dependencyCycle, "batch dependencies form a cycle among: \(cyclic.joined(separator: ", "))",
                               details: ["keys": cyclic.joined(separator: ",")])
        }
        return order
    }

    private func submitOne(documentID: String, branch: String, payload: Job.Payload) async throws -> JobInfo {
        let job = Job(id: newJobID(), documentID: documentID, branch: branch, payload: payload)
        return try await submit([job])[0]
    }

    /// A job's current info. Throws `JOB_NOT_FOUND`.
    /// This node's record only: use ``jobInfo(_:)`` in a cluster.
    public func jobStatus(_ jobID: String) throws -> JobInfo {
        guard let info = jobTracker.info(jobID) else { throw ReactorError(.jobNotFound, "no job '\(jobID)'", details: ["jobId": jobID]) }
        return info
    }

    /// Waits until the job is `READ_READY` (or failed) and returns its info. Throws the job's error when it failed.
    @discardableResult
    public func waitForJob(_ jobID: String, timeout: Duration = .seconds(60)) async throws -> JobInfo {
        try await waitForJobInfo(jobID, timeout: timeout).readyOrThrow(waitedFor: timeout)
    }
}
