extension ReactorError.Code {
    /// A subscription's resume position (`Last-Event-ID`, `after`, `lastEventId`) is not a position of this store: not
    /// a non-negative integer, or beyond the newest operation (400). Subscribe without it and reload what you show.
    public static let invalidResumePosition = ReactorError.Code("INVALID_RESUME_POSITION")
    /// A subscriber fell more changes behind than its buffer holds (or the server could not keep its stream exact):
    /// the stream ended; resume from the position in `details.resumeAfter` to receive the rest.
    public static let subscriptionOverflow = ReactorError.Code("SUBSCRIPTION_OVERFLOW")
}
