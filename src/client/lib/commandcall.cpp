// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "commandcall.h"

#include "commandcall_p.h"
#include "commandclient_p.h"

namespace CommandBridge {

CommandCallPrivate::CommandCallPrivate(CommandCall *call)
    : q(call)
{
    clock.start();
}

CommandCall *CommandCallPrivate::create(QObject *client, int requestId, const QString &command,
                                        const QJsonObject &args, int timeoutMs)
{
    auto *call = new CommandCall(client);
    CommandCallPrivate *d = get(call);
    d->requestId = requestId;
    d->command = command;
    d->args = args;
    d->timeoutMs = timeoutMs;
    return call;
}

void CommandCallPrivate::applyProgress(const QString &newMessage, std::optional<double> percent)
{
    if (state != CommandCall::Running)
        return;
    // Both are set before either signal, so a handler of one sees the other up to date.
    const bool progressMoved = percent && *percent != progress;
    const bool messageChanged = newMessage != message;
    if (progressMoved)
        progress = *percent;
    if (messageChanged)
        message = newMessage;
    if (progressMoved)
        Q_EMIT q->progressChanged();
    if (messageChanged)
        Q_EMIT q->messageChanged();
}

void CommandCallPrivate::succeed(const QJsonValue &value)
{
    if (state != CommandCall::Running)
        return;
    const bool progressMoved = progress != 100;
    result = value;
    progress = 100;
    settle(CommandCall::Succeeded);
    Q_EMIT q->resultChanged();
    if (progressMoved)
        Q_EMIT q->progressChanged();
    announceEnd();
}

void CommandCallPrivate::fail(CommandCall::State finalState, const QString &code,
                              const QString &text, const QJsonArray &details)
{
    Q_ASSERT(finalState != CommandCall::Running && finalState != CommandCall::Succeeded);
    if (state != CommandCall::Running)
        return;
    errorCode = code;
    errorMessage = text;
    errorDetails = details;
    settle(finalState);
    Q_EMIT q->errorCodeChanged();
    Q_EMIT q->errorMessageChanged();
    if (!details.isEmpty())
        Q_EMIT q->errorDetailsChanged();
    announceEnd();
}

void CommandCallPrivate::settle(CommandCall::State finalState)
{
    finalElapsedMs = clock.elapsed();
    state = finalState;
}

void CommandCallPrivate::announceEnd()
{
    Q_EMIT q->elapsedMsChanged();
    Q_EMIT q->stateChanged();
    Q_EMIT q->finished();
}

CommandCall::CommandCall(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<CommandCallPrivate>(this))
{}

CommandCall::~CommandCall() = default;

QString CommandCall::command() const
{
    return d->command;
}

QJsonObject CommandCall::args() const
{
    return d->args;
}

int CommandCall::requestId() const
{
    return d->requestId;
}

double CommandCall::progress() const
{
    return d->progress;
}

QString CommandCall::message() const
{
    return d->message;
}

CommandCall::State CommandCall::state() const
{
    return d->state;
}

bool CommandCall::isRunning() const
{
    return d->state == Running;
}

QJsonValue CommandCall::result() const
{
    return d->result;
}

QString CommandCall::errorCode() const
{
    return d->errorCode;
}

QString CommandCall::errorMessage() const
{
    return d->errorMessage;
}

QJsonArray CommandCall::errorDetails() const
{
    return d->errorDetails;
}

qint64 CommandCall::elapsedMs() const
{
    return d->finalElapsedMs >= 0 ? d->finalElapsedMs : d->clock.elapsed();
}

void CommandCall::cancel()
{
    if (!isRunning())
        return;
    if (auto *client = qobject_cast<CommandClient *>(parent()))
        CommandClientPrivate::get(client)->cancel(this);
}

} // namespace CommandBridge
