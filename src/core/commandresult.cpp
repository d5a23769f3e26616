#include <CommandBridge/commandresult.h>

namespace CommandBridge {

CommandResult CommandResult::success(const QJsonValue &value)
{
    CommandResult result;
    result.m_success = true;
    result.m_value = value.isUndefined() ? QJsonValue() : value;
    return result;
}

CommandResult CommandResult::failure(const QString &code, const QString &message,
                                     const QJsonValue &details)
{
    CommandResult result;
    result.m_code = code;
    result.m_message = message;
    result.m_details = details;
    return result;
}

CommandResult CommandResult::failure(ErrorCode code, const QString &message,
                                     const QJsonValue &details)
{
    return failure(errorCodeString(code), message, details);
}

} // namespace CommandBridge
