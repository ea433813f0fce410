extension ReactorError.Code {
    /// A leader lost its leadership while it was running as leader (its lock's session ended).
    public static let leadershipLost = ReactorError.Code("LEADERSHIP_LOST")
}
