// Hand-written (the rest of this module is generated): the stable code,
// message and reasons of any CharterError, whatever its family, so callers
// can write `error.code` without switching over the cases.

extension CharterError {
    /// The stable code from contract/errors.json (e.g. "malformed").
    public var code: String {
        switch self {
        case let .FormatError(code, _), let .UsageError(code, _), let .CryptoError(code, _),
             let .AuthorizationError(code, _), let .AuditError(code, _),
             let .EnvironmentError(code, _), let .Denied(code, _, _):
            return code
        }
    }

    /// A message a person can act on.
    public var message: String {
        switch self {
        case let .FormatError(_, detail), let .UsageError(_, detail), let .CryptoError(_, detail),
             let .AuthorizationError(_, detail), let .AuditError(_, detail),
             let .EnvironmentError(_, detail), let .Denied(_, detail, _):
            return detail
        }
    }

    /// The decision's reasons when `protect` denied; empty for every other error.
    public var reasons: [Reason] {
        if case let .Denied(_, _, reasons) = self { return reasons }
        return []
    }

    /// The family name from contract/errors.json (e.g. "FormatError").
    public var family: String {
        switch self {
        case .FormatError: return "FormatError"
        case .UsageError: return "UsageError"
        case .CryptoError: return "CryptoError"
        case .AuthorizationError: return "AuthorizationError"
        case .AuditError: return "AuditError"
        case .EnvironmentError: return "EnvironmentError"
        case .Denied: return "Denied"
        }
    }
}
