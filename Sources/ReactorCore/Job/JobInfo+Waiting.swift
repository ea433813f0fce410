extension JobInfo {
    /// This job, which a wait of `timeout` returned, if it is `READ_READY`; else its error when it failed, or
    /// `JOB_TIMEOUT` when it had not finished. What every `waitForJob` returns (in process and over HTTP alike).
    public func readyOrThrow(waitedFor timeout: Duration) throws -> JobInfo {
        if let error { throw error }
        guard status == .readReady else {
            throw ReactorError(.jobTimeout, "job '\(id)' did not finish within \(timeout)", details: ["jobId": id, "status": status.rawValue])
        }
        return self
    }
}
