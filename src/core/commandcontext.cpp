// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/session.h>

#include "commandregistry_p.h"
#include "commandrun_p.h"
#include "eventbus_p.h"
#include "logging_p.h"

#include <cmath>

namespace CommandBridge {

CommandContext::CommandContext(std::shared_ptr<CommandRun> run, QObject *parent)
    : QObject(parent)
    , d(std::move(run))
{}

CommandContext::~CommandContext()
{
    d->contextDestroyed();
}

QString CommandContext::command() const
{
    return d->command();
}

QJsonObject CommandContext::args() const
{
    return d->args();
}

QString CommandContext::sessionId() const
{
    return d->session() ? d->session()->id() : QString();
}

std::shared_ptr<Session> CommandContext::session() const
{
    return d->session();
}

QJsonValue CommandContext::requestId() const
{
    return d->requestId();
}

std::chrono::milliseconds CommandContext::timeout() const
{
    return d->timeout();
}

bool CommandContext::isCancelled() const
{
    return d->isCancelled();
}

bool CommandContext::isFinished() const
{
    return d->hasResult();
}

void CommandContext::reportProgress(const QString &message, double percent)
{
    CommandProgress progress{message, std::nullopt};
    if (percent >= 0.0 && std::isfinite(percent))
        progress.percent = percent;
    d->report(progress);
}

bool CommandContext::publishEvent(const QString &event, const QJsonObject &data,
                                  const QString &coalescingKey)
{
    return d->registry()->events->publishFromCommand(event, sessionId(), data, coalescingKey);
}

void CommandContext::succeed(const QJsonValue &value)
{
    d->giveResult(CommandResult::success(value));
}

void CommandContext::fail(const QString &code, const QString &message, const QJsonValue &details)
{
    d->giveResult(CommandResult::failure(code, message, details));
}

void CommandContext::fail(ErrorCode code, const QString &message, const QJsonValue &details)
{
    d->giveResult(CommandResult::failure(code, message, details));
}

void CommandContext::start()
{
    if (!d->isOwnFrontEnd()) {
        qCWarning(lcRegistry) << "start() on a context that a server runs:" << d->command();
        return;
    }
    d->start(d->ownSink());
}

void CommandContext::cancel()
{
    if (d->isOwnFrontEnd())
        d->cancel();
    else
        d->abort(CommandResult::failure(ErrorCode::Cancelled, QStringLiteral("Command cancelled")));
}

void CommandContext::abort(ErrorCode code, const QString &message)
{
    d->abort(CommandResult::failure(code, message));
}

} // namespace CommandBridge
