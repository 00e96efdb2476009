// Hand-written (charter_uniffi.kt beside it is generated): the stable code and
// message of any CharterException, whatever its family.
package dev.charter

/** The stable code from contract/errors.json (e.g. "malformed"). */
val CharterException.code: String
    get() = when (this) {
        is CharterException.FormatException -> code
        is CharterException.UsageException -> code
        is CharterException.CryptoException -> code
        is CharterException.AuthorizationException -> code
        is CharterException.AuditException -> code
        is CharterException.EnvironmentException -> code
        is CharterException.Denied -> code
    }

/** The core's message, without the code (`Throwable.message` reads "code=…, detail=…"). */
val CharterException.errorMessage: String
    get() = when (this) {
        is CharterException.FormatException -> detail
        is CharterException.UsageException -> detail
        is CharterException.CryptoException -> detail
        is CharterException.AuthorizationException -> detail
        is CharterException.AuditException -> detail
        is CharterException.EnvironmentException -> detail
        is CharterException.Denied -> detail
    }
