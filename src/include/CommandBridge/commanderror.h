#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QString>

namespace CommandBridge {

/// The error codes of protocol v1 (spec section 5) and of its REST bodies (section 10.5). Handlers
/// may also fail with codes of their own. New codes are appended, so the values never change.
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
    /// REST only: no route for the path (404).
    NotFound,
    /// REST only: a known path with another method (405).
    MethodNotAllowed,
    /// `subscribe` or the event stream named an undeclared event (404).
    UnknownEvent,
};

/// The wire string of \a code, e.g. "invalid_args".
COMMANDBRIDGE_EXPORT QString errorCodeString(ErrorCode code);

/// The HTTP status a REST response carries for \a code, e.g. 400 for ErrorCode::InvalidArgs.
/// Codes that never travel over REST on their own (unknown_type, duplicate_id, ...) give 500.
COMMANDBRIDGE_EXPORT int httpStatusForErrorCode(ErrorCode code);

/// The HTTP status for a code given as a string, as a failed CommandResult carries it: handlers
/// may fail with codes of their own. The wire string of an ErrorCode maps like that ErrorCode;
/// the handler code "conflict" gives 409; any other code gives 500.
COMMANDBRIDGE_EXPORT int httpStatusForErrorCode(const QString &code);

} // namespace CommandBridge
