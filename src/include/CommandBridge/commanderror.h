#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QString>

namespace CommandBridge {

/// The error codes of protocol v1 (spec section 5). Handlers may also fail with codes of their own.
enum class ErrorCode {
    BadMessage,
    UnknownType,
    UnknownCommand,
    InvalidArgs,
    SessionMismatch,
    NoSession,
    DuplicateId,
    UnknownId,
    Busy,
    Timeout,
    Cancelled,
    Unauthorized,
    Forbidden,
    PayloadTooLarge,
    ShuttingDown,
    Failed,
    Internal,
};

/// The wire string of \a code, e.g. "invalid_args".
COMMANDBRIDGE_EXPORT QString errorCodeString(ErrorCode code);

/// The HTTP status a REST response carries for the wire error \a code.
/// Handler codes "not_found" (404) and "conflict" (409) are mapped too; any other code gives 500.
COMMANDBRIDGE_EXPORT int httpStatusForErrorCode(const QString &code);

} // namespace CommandBridge
