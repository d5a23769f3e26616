// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "commandcall.h"

#include <QtCore/QElapsedTimer>

#include <optional>

namespace CommandBridge {

/// The state of a CommandCall, changed only by its CommandClient.
class CommandCallPrivate
{
public:
    CommandCallPrivate(CommandCall *call);

    static CommandCallPrivate *get(CommandCall *call) { return call->d.get(); }
    static CommandCall *create(QObject *client, int requestId, const QString &command,
                               const QJsonObject &args, int timeoutMs);

    /// A `command_progress`: \a percent absent keeps the last known one.
    void applyProgress(const QString &message, std::optional<double> percent);
    void succeed(const QJsonValue &result);
    /// Ends the call in \a state (not Running or Succeeded) with an error.
    void fail(CommandCall::State state, const QString &code, const QString &message,
              const QJsonArray &details = QJsonArray());

    CommandCall *const q;
    QString command;
    QJsonObject args;
    int requestId = 0;
    int timeoutMs = 0;
    double progress = -1;
    QString message;
    CommandCall::State state = CommandCall::Running;
    QJsonValue result = QJsonValue::Undefined;
    QString errorCode;
    QString errorMessage;
    QJsonArray errorDetails;
    QElapsedTimer clock;
    qint64 finalElapsedMs = -1;
    /// cancel() was sent; the server's `cancelled` result ends the call.
    bool cancelSent = false;

private:
    /// Every property takes its final value before any change signal, so that a handler of one
    /// signal sees the whole outcome.
    void settle(CommandCall::State finalState);
    void announceEnd();
};

} // namespace CommandBridge
