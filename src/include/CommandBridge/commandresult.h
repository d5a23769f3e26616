// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

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
    /// Shares \a other's data (no deep copy).
    CommandResult(const CommandResult &other);
    /// Takes \a other's data, leaving \a other a default-constructed result.
    CommandResult(CommandResult &&other) noexcept;
    /// Shares \a other's data (no deep copy).
    CommandResult &operator=(const CommandResult &other);
    /// Takes \a other's data.
    CommandResult &operator=(CommandResult &&other) noexcept;
    ~CommandResult();

    /// Swaps this result with \a other, without allocating.
    void swap(CommandResult &other) noexcept { d.swap(other.d); }

    /// A success carrying \a value; an undefined \a value is stored as JSON null.
    static CommandResult success(const QJsonValue &value = QJsonValue());
    /// A failure with the wire code \a code (an ErrorCode's string or a handler's own, such as
    /// "not_found"), the human-readable \a message and optional \a details.
    static CommandResult failure(const QString &code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));
    /// A failure with the wire string of \a code (errorCodeString()), \a message and \a details.
    static CommandResult failure(ErrorCode code, const QString &message,
                                 const QJsonValue &details = QJsonValue(QJsonValue::Undefined));

    /// True for a result made by success(); false for a failure or a default-constructed one.
    bool isSuccess() const;
    /// The success value (JSON null when the handler gave none, and for a failure).
    QJsonValue value() const;
    /// The failure's wire code, such as "invalid_args"; empty for a success.
    QString errorCode() const;
    /// The failure's text for humans; empty for a success.
    QString errorMessage() const;
    /// The failure's details, such as the problems of `invalid_args`; undefined when there are
    /// none and for a success.
    QJsonValue errorDetails() const;

private:
    /// Null for a default-constructed result, so that one costs no allocation.
    QSharedDataPointer<CommandResultPrivate> d;
};

/// One progress report: a message and, when known, a percentage from 0 to 100.
struct CommandProgress
{
    /// What the handler is doing, for humans; may be empty.
    QString message;
    /// Done so far, 0 to 100 and never lower than an earlier report of the same command; empty
    /// when the handler does not know.
    std::optional<double> percent;
};

} // namespace CommandBridge

Q_DECLARE_METATYPE(CommandBridge::CommandResult)
Q_DECLARE_METATYPE(CommandBridge::CommandProgress)
