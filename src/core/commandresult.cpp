// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commandresult.h>

#include <QtCore/QSharedData>

namespace CommandBridge {

class CommandResultPrivate : public QSharedData
{
public:
    bool success = false;
    QJsonValue value;
    QString code;
    QString message;
    QJsonValue details = QJsonValue(QJsonValue::Undefined);
};

CommandResult::CommandResult() = default;
CommandResult::CommandResult(const CommandResult &other) = default;
CommandResult::CommandResult(CommandResult &&other) noexcept = default;
CommandResult &CommandResult::operator=(const CommandResult &other) = default;
CommandResult &CommandResult::operator=(CommandResult &&other) noexcept = default;
CommandResult::~CommandResult() = default;

CommandResult CommandResult::success(const QJsonValue &value)
{
    CommandResult result;
    result.d = new CommandResultPrivate;
    result.d->success = true;
    if (!value.isUndefined())
        result.d->value = value;
    return result;
}

CommandResult CommandResult::failure(const QString &code, const QString &message,
                                     const QJsonValue &details)
{
    CommandResult result;
    result.d = new CommandResultPrivate;
    result.d->code = code;
    result.d->message = message;
    result.d->details = details;
    return result;
}

CommandResult CommandResult::failure(ErrorCode code, const QString &message,
                                     const QJsonValue &details)
{
    return failure(errorCodeString(code), message, details);
}

bool CommandResult::isSuccess() const
{
    return d && d->success;
}

QJsonValue CommandResult::value() const
{
    return d ? d->value : QJsonValue();
}

QString CommandResult::errorCode() const
{
    return d ? d->code : QString();
}

QString CommandResult::errorMessage() const
{
    return d ? d->message : QString();
}

QJsonValue CommandResult::errorDetails() const
{
    return d ? d->details : QJsonValue(QJsonValue::Undefined);
}

} // namespace CommandBridge
