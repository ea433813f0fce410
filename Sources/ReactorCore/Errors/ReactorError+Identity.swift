extension ReactorError.Code {
    /// A login with a wrong password or an unknown email (401): both answer exactly this, so accounts cannot be probed.
    public static let invalidCredentials = ReactorError.Code("INVALID_CREDENTIALS")
    /// Too many failed logins for this account or from this address (429, `Retry-After`); try again later.
    public static let tooManyLoginAttempts = ReactorError.Code("TOO_MANY_LOGIN_ATTEMPTS")
    /// Sign-up with an email that already has an account (409).
    public static let emailTaken = ReactorError.Code("EMAIL_TAKEN")
    /// Sign-up is turned off on this server (`auth.signup = false`, 403); an admin creates accounts.
    public static let signupDisabled = ReactorError.Code("SIGNUP_DISABLED")
    /// No user with this id (404).
    public static let userNotFound = ReactorError.Code("USER_NOT_FOUND")
    /// The account is disabled (401): its refresh tokens and API keys no longer work.
    public static let userDisabled = ReactorError.Code("USER_DISABLED")
    /// A refresh token that is unknown, expired, revoked or logged out (401): log in again.
    public static let refreshTokenInvalid = ReactorError.Code("REFRESH_TOKEN_INVALID")
    /// A refresh token used a second time (401): its whole session family is revoked, log in again.
    public static let refreshTokenReused = ReactorError.Code("REFRESH_TOKEN_REUSED")
    /// An API key that is unknown or revoked (401).
    public static let apiKeyInvalid = ReactorError.Code("API_KEY_INVALID")
    /// No API key with this id (404).
    public static let apiKeyNotFound = ReactorError.Code("API_KEY_NOT_FOUND")
}
