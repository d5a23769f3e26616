#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commanderror.h>

#include <QtCore/QJsonValue>
#include <QtCore/QMetaType>
#include <QtCore/QString>

#include <optional>

namespace CommandBridge {

/// The one final outcome of a command: a JSON value on success, or a code, a message for humans and
/// optional details on failure. A plain value type, safe to copy across threads.
class COMMANDBRIDGE_EXPORT CommandResult
{
public:
    CommandResult() = default;

    static CommandResult success(const QJsonValue &value = QJsonValue());
    static CommandResult failure(const QString &code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));
    static CommandResult failure(ErrorCode code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));

    bool isSuccess() const { return m_success; }
    /// The success value (JSON null when the handler gave none).
    QJsonValue value() const { return m_value; }
    QString errorCode() const { return m_code; }
    QString errorMessage() const { return m_message; }
    /// Undefined when the failure carries no details.
    QJsonValue errorDetails() const { return m_details; }

private:
    bool m_success = false;
    QJsonValue m_value;
    QString m_code;
    QString m_message;
    QJsonValue m_details = QJsonValue(QJsonValue::Undefined);
};

/// One progress report: a message and, when known, a percentage from 0 to 100.
struct CommandProgress
{
    QString message;
    std::optional<double> percent;
};

} // namespace CommandBridge

Q_DECLARE_METATYPE(CommandBridge::CommandResult)
Q_DECLARE_METATYPE(CommandBridge::CommandProgress)
