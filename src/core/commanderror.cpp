// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commanderror.h>

#include <QtCore/QHash>

namespace CommandBridge {
namespace {

/// The last value of ErrorCode: update it when appending one.
constexpr ErrorCode lastErrorCode = ErrorCode::UnknownEvent;

} // namespace

QString errorCodeString(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadMessage:
        return QStringLiteral("bad_message");
    case ErrorCode::UnknownType:
        return QStringLiteral("unknown_type");
    case ErrorCode::UnknownCommand:
        return QStringLiteral("unknown_command");
    case ErrorCode::InvalidArgs:
        return QStringLiteral("invalid_args");
    case ErrorCode::SessionMismatch:
        return QStringLiteral("session_mismatch");
    case ErrorCode::NoSession:
        return QStringLiteral("no_session");
    case ErrorCode::DuplicateId:
        return QStringLiteral("duplicate_id");
    case ErrorCode::UnknownId:
        return QStringLiteral("unknown_id");
    case ErrorCode::Busy:
        return QStringLiteral("busy");
    case ErrorCode::Timeout:
        return QStringLiteral("timeout");
    case ErrorCode::Cancelled:
        return QStringLiteral("cancelled");
    case ErrorCode::Unauthorized:
        return QStringLiteral("unauthorized");
    case ErrorCode::Forbidden:
        return QStringLiteral("forbidden");
    case ErrorCode::PayloadTooLarge:
        return QStringLiteral("payload_too_large");
    case ErrorCode::ShuttingDown:
        return QStringLiteral("shutting_down");
    case ErrorCode::Failed:
        return QStringLiteral("failed");
    case ErrorCode::Internal:
        return QStringLiteral("internal");
    case ErrorCode::NotFound:
        return QStringLiteral("not_found");
    case ErrorCode::MethodNotAllowed:
        return QStringLiteral("method_not_allowed");
    case ErrorCode::UnknownEvent:
        return QStringLiteral("unknown_event");
    }
    return QStringLiteral("internal");
}

int httpStatusForErrorCode(ErrorCode code)
{
    switch (code) {
    case ErrorCode::BadMessage:
    case ErrorCode::InvalidArgs:
    case ErrorCode::SessionMismatch:
    case ErrorCode::NoSession:
        return 400;
    case ErrorCode::Unauthorized:
        return 401;
    case ErrorCode::Forbidden:
        return 403;
    case ErrorCode::UnknownCommand:
    case ErrorCode::NotFound:
    case ErrorCode::UnknownEvent:
        return 404;
    case ErrorCode::MethodNotAllowed:
        return 405;
    case ErrorCode::PayloadTooLarge:
        return 413;
    case ErrorCode::Busy:
    case ErrorCode::ShuttingDown:
        return 503;
    case ErrorCode::Timeout:
        return 504;
    case ErrorCode::UnknownType:
    case ErrorCode::DuplicateId:
    case ErrorCode::UnknownId:
    case ErrorCode::Cancelled:
    case ErrorCode::Failed:
    case ErrorCode::Internal:
        return 500;
    }
    return 500;
}

int httpStatusForErrorCode(const QString &code)
{
    static const QHash<QString, int> statuses = [] {
        QHash<QString, int> byString{{QStringLiteral("conflict"), 409}};
        for (int value = 0; value <= int(lastErrorCode); ++value) {
            const auto errorCode = ErrorCode(value);
            byString.insert(errorCodeString(errorCode), httpStatusForErrorCode(errorCode));
        }
        return byString;
    }();
    return statuses.value(code, 500);
}

} // namespace CommandBridge
