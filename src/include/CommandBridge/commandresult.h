#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commanderror.h>

#include <QtCore/QJsonValue>
#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>

#include <optional>

namespace CommandBridge {

class CommandResultPrivate;

/// The one final outcome of a command: a JSON value on success, or a code, a message for humans and
/// optional details on failure. An implicitly shared value type: copies are cheap, and safe to
/// pass across threads.
class COMMANDBRIDGE_EXPORT CommandResult
{
public:
    /// A failure with an empty code and message: what a command has before it finishes.
    CommandResult();
    CommandResult(const CommandResult &other);
    CommandResult(CommandResult &&other) noexcept;
    CommandResult &operator=(const CommandResult &other);
    CommandResult &operator=(CommandResult &&other) noexcept;
    ~CommandResult();

    void swap(CommandResult &other) noexcept { d.swap(other.d); }

    static CommandResult success(const QJsonValue &value = QJsonValue());
    static CommandResult failure(const QString &code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));
    static CommandResult failure(ErrorCode code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));

    bool isSuccess() const;
    /// The success value (JSON null when the handler gave none).
    QJsonValue value() const;
    QString errorCode() const;
    QString errorMessage() const;
    /// Undefined when the failure carries no details.
    QJsonValue errorDetails() const;

private:
    /// Null for a default-constructed result, so that one costs no allocation.
    QSharedDataPointer<CommandResultPrivate> d;
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
