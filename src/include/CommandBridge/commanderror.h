// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QString>

namespace CommandBridge {

/// The error codes of protocol v1, its REST bodies and its events (docs/protocol.md §8). Handlers
/// may also fail with codes of their own. New codes are appended, so the values never change.
enum class ErrorCode {
    /// `bad_message`: a malformed message or request (not JSON, a missing or mistyped field, a
    /// bad request head); HTTP 400.
    BadMessage,
    /// `unknown_type`: a WebSocket message whose `type` the server does not know.
    UnknownType,
    /// `unknown_command`: no command of that name is registered; HTTP 404.
    UnknownCommand,
    /// `invalid_args`: the args are not an object or do not match the command's schema (the
    /// result's details list the problems); HTTP 400.
    InvalidArgs,
    /// `session_mismatch`: a string `args.session_id` differs from the request's session; HTTP 400.
    SessionMismatch,
    /// `no_session`: a command that CommandDescriptor::requiresSession run over REST without
    /// `X-Session-Id`; HTTP 400.
    NoSession,
    /// `duplicate_id`: a command with the same id is still running on the connection.
    DuplicateId,
    /// `unknown_id`: a `cancel` for an id that is not running (an `error` message, not a result).
    UnknownId,
    /// `busy`: too many commands in flight or too many connections; HTTP 503.
    Busy,
    /// `timeout`: the command ran longer than its timeout; HTTP 504.
    Timeout,
    /// `cancelled`: the client cancelled the command, or its connection closed.
    Cancelled,
    /// `unauthorized`: a token is configured and the client presented none or a wrong one;
    /// HTTP 401.
    Unauthorized,
    /// `forbidden`: the request's `Host` or `Origin` is not allowed; HTTP 403.
    Forbidden,
    /// `payload_too_large`: a REST body over ServerOptions::maxMessageBytes; HTTP 413.
    PayloadTooLarge,
    /// `shutting_down`: the server is stopping (CommandBridgeServer::shutdown()), or the registry
    /// was destroyed while the command ran; HTTP 503.
    ShuttingDown,
    /// `failed`: the generic failure of a handler; HTTP 500.
    Failed,
    /// `internal`: the handler threw, or a Synchronous or WorkerPool handler returned without a
    /// result; HTTP 500.
    Internal,
    /// `not_found`, REST only: no route for the path; HTTP 404.
    NotFound,
    /// `method_not_allowed`, REST only: a known path with another method; HTTP 405.
    MethodNotAllowed,
    /// `unknown_event`: `subscribe` or the event stream named an undeclared event; HTTP 404.
    UnknownEvent,
};

/// The wire string of \a code, such as "invalid_args" for ErrorCode::InvalidArgs.
COMMANDBRIDGE_EXPORT QString errorCodeString(ErrorCode code);

/// The HTTP status a REST response carries for \a code, such as 400 for ErrorCode::InvalidArgs.
/// Codes that never travel over REST on their own (unknown_type, duplicate_id, ...) give 500.
COMMANDBRIDGE_EXPORT int httpStatusForErrorCode(ErrorCode code);

/// The HTTP status for a code given as a string, as a failed CommandResult carries it: handlers
/// may fail with codes of their own. The wire string of an ErrorCode maps like that ErrorCode;
/// the handler code "conflict" gives 409; any other code gives 500.
COMMANDBRIDGE_EXPORT int httpStatusForErrorCode(const QString &code);

} // namespace CommandBridge
