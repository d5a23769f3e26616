#include <CommandBridge/commanderror.h>

#include <QtCore/QHash>

namespace CommandBridge {

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
    }
    return QStringLiteral("internal");
}

int httpStatusForErrorCode(const QString &code)
{
    static const QHash<QString, int> statuses = {
        {errorCodeString(ErrorCode::BadMessage), 400},
        {errorCodeString(ErrorCode::UnknownCommand), 404},
        {errorCodeString(ErrorCode::InvalidArgs), 400},
        {errorCodeString(ErrorCode::SessionMismatch), 400},
        {errorCodeString(ErrorCode::NoSession), 400},
        {errorCodeString(ErrorCode::Busy), 503},
        {errorCodeString(ErrorCode::Timeout), 504},
        {errorCodeString(ErrorCode::Unauthorized), 401},
        {errorCodeString(ErrorCode::Forbidden), 403},
        {errorCodeString(ErrorCode::PayloadTooLarge), 413},
        {errorCodeString(ErrorCode::ShuttingDown), 503},
        {errorCodeString(ErrorCode::Failed), 500},
        {errorCodeString(ErrorCode::Internal), 500},
        {QStringLiteral("not_found"), 404},
        {QStringLiteral("method_not_allowed"), 405},
        {QStringLiteral("conflict"), 409},
    };
    return statuses.value(code, 500);
}

} // namespace CommandBridge
