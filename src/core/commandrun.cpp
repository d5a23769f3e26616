// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "commandrun_p.h"

#include "commandregistry_p.h"
#include "logging_p.h"

#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#include <cmath>
#include <exception>

namespace CommandBridge {

namespace {

CommandResult cancelledResult()
{
    return CommandResult::failure(ErrorCode::Cancelled, QStringLiteral("Command cancelled"));
}

/// A waiting worker looks again this often, to notice a cancel (which does not notify).
constexpr std::chrono::milliseconds recheck{10};

} // namespace

void CommandSink::commandStarted(const RunningCommand &) {}

/// The front end of a context made by createCommand(): its own signals.
class CommandRun::ContextSink : public CommandSink
{
public:
    explicit ContextSink(CommandRun *run)
        : m_run(run)
    {}

    void commandStarted(const RunningCommand &) override
    {
        if (CommandContext *context = m_run->m_context)
            Q_EMIT context->started(CommandContext::QPrivateSignal());
    }
    void commandProgressed(const RunningCommand &, const CommandProgress &progress) override
    {
        if (CommandContext *context = m_run->m_context)
            Q_EMIT context->progressed(progress, CommandContext::QPrivateSignal());
    }
    void commandFinished(const RunningCommand &, const CommandResult &result) override
    {
        if (CommandContext *context = m_run->m_context)
            Q_EMIT context->finished(result, CommandContext::QPrivateSignal());
    }

private:
    CommandRun *const m_run;
};

CommandRun::CommandRun(CommandRegistryPrivate *registry, Request &&request)
    : m_registry(registry)
    , m_request(std::move(request))
    , m_serial(registry->nextSerial.fetch_add(1, std::memory_order_relaxed))
{}

CommandRun::~CommandRun() = default;

CommandContext *CommandRun::makeOwnContext(QObject *parent)
{
    m_contextSink = std::make_unique<ContextSink>(this);
    m_sink = m_contextSink.get();
    m_handlerHome = HandOff::current();
    m_context = new CommandContext(shared_from_this(), parent);
    return m_context;
}

void CommandRun::start(CommandSink *sink)
{
    if (m_started || m_finished)
        return;
    m_started = true;
    m_sink = sink;
    if (lcCommands().isDebugEnabled())
        m_clock.start();
    m_frontEnd = HandOff::current();
    m_deadline = m_frontEnd->noDeadline();
    if (m_request.rejection) {
        m_resultGiven.store(true, std::memory_order_release);
        finish(*m_request.rejection);
        return;
    }

    const RunningCommand self(shared_from_this());
    m_registry->commandStarted(*this);
    m_sink->commandStarted(self);
    if (m_finished)
        return;
    m_deadline =
        m_frontEnd->addDeadline(HandOff::Clock::now() + m_request.timeout, shared_from_this());

    const CommandDescriptor &descriptor = *m_request.descriptor;
    const std::shared_ptr<HandOff> &appHome =
        m_request.handlerHome ? m_request.handlerHome : m_registry->home;
    if (!m_context && descriptor.mode != ExecutionMode::WorkerPool &&
        descriptor.thread == HandlerThread::Registry && !appHome->isCurrent()) {
        m_handlerElsewhere = true;
        m_handlerHome = appHome;
        m_handlerHome->post({HandOff::Kind::Start, shared_from_this(), {}});
        return;
    }
    if (!m_context) {
        m_handlerHome = m_frontEnd;
        // Not the registry's child off its thread; it deletes itself anyway.
        m_context = new CommandContext(shared_from_this(), nullptr);
    }
    runHandler();
}

void CommandRun::cancel()
{
    if (m_finished)
        return;
    if (m_handlerElsewhere) {
        m_cancelled.store(true, std::memory_order_release);
        m_handlerHome->post({HandOff::Kind::Cancel, shared_from_this(), {}});
        return;
    }
    stop(cancelledResult());
}

void CommandRun::abort(const CommandResult &result)
{
    if (!m_started || m_frontEnd->isCurrent()) {
        stop(result);
        return;
    }
    // From the handler's side: the result travels to the front end like any other.
    m_cancelled.store(true, std::memory_order_release);
    giveResult(result);
    if (m_handlerHome && m_handlerHome->isCurrent() && m_context)
        Q_EMIT m_context->cancelRequested(CommandContext::QPrivateSignal());
}

void CommandRun::timedOut()
{
    stop(CommandResult::failure(
        ErrorCode::Timeout,
        QStringLiteral("Command timed out after %1 ms").arg(m_request.timeout.count())));
}

void CommandRun::stop(const CommandResult &result)
{
    if (m_finished)
        return;
    m_cancelled.store(true, std::memory_order_release);
    m_resultGiven.store(true, std::memory_order_release);
    const std::shared_ptr<CommandRun> keep = shared_from_this();
    finish(result);
    // After the result, so that a handler that fails in response cannot replace it.
    if (m_handlerElsewhere) {
        m_handlerHome->post({HandOff::Kind::Abort, keep, {}});
    } else if (m_context) {
        Q_EMIT m_context->cancelRequested(CommandContext::QPrivateSignal());
        settle();
    }
}

void CommandRun::report(const CommandProgress &progress)
{
    if (isCancelled() || hasResult())
        return;
    if (!m_frontEnd || m_frontEnd->isCurrent()) {
        deliverProgress(progress);
        return;
    }
    // The registry's thread never waits (it may be the GUI's), nor an exposed object's; the front
    // end drains what they send as fast as it comes. Other threads are workers: they wait when
    // far ahead.
    if (!m_registry->home->isCurrent() &&
        !(m_request.handlerHome && m_request.handlerHome->isCurrent()) &&
        m_queuedProgress.load(std::memory_order_acquire) >= maxQueuedProgress) {
        std::unique_lock locker(m_waitMutex);
        while (m_queuedProgress.load(std::memory_order_acquire) >= maxQueuedProgress &&
               !isCancelled() && !hasResult()) {
            m_drained.wait_for(locker, recheck);
        }
        if (isCancelled() || hasResult())
            return;
    }
    m_queuedProgress.fetch_add(1, std::memory_order_acq_rel);
    m_frontEnd->post({HandOff::Kind::Progress, shared_from_this(), progress});
}

void CommandRun::giveResult(const CommandResult &result)
{
    if (m_resultGiven.exchange(true, std::memory_order_acq_rel))
        return;
    if (!m_frontEnd || m_frontEnd->isCurrent())
        finish(result);
    else
        m_frontEnd->post({HandOff::Kind::Result, shared_from_this(), result});
    if (m_handlerHome && m_handlerHome->isCurrent())
        settle();
    else if (m_handlerHome && m_request.descriptor &&
             m_request.descriptor->mode != ExecutionMode::WorkerPool)
        m_handlerHome->post({HandOff::Kind::Settle, shared_from_this(), {}});
}

void CommandRun::deliverProgress(const CommandProgress &progress)
{
    if (m_finished || !m_started)
        return;
    CommandProgress delivered = progress;
    if (delivered.percent) {
        m_lastPercent = std::clamp(*delivered.percent, m_lastPercent, 100.0);
        delivered.percent = m_lastPercent;
    }
    m_registry->commandProgressed(*this, delivered);
    m_sink->commandProgressed(RunningCommand(shared_from_this()), delivered);
}

void CommandRun::finish(const CommandResult &result)
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_frontEnd) {
        m_frontEnd->removeDeadline(m_deadline);
        m_deadline = m_frontEnd->noDeadline();
    }
    if (m_clock.isValid())
        logFinished(result);
    const std::shared_ptr<CommandRun> keep = shared_from_this();
    m_registry->commandFinished(*this, m_started && !m_request.rejection, result);
    if (m_sink)
        m_sink->commandFinished(RunningCommand(keep), result);
    if (!m_handlerElsewhere)
        settle();
}

void CommandRun::logFinished(const CommandResult &result) const
{
    // Name, duration and outcome: never the args or the message, which may hold anything.
    const QString outcome =
        result.isSuccess()
            ? QStringLiteral("succeeded")
            : (m_request.rejection ? QStringLiteral("rejected: ") : QStringLiteral("failed: ")) +
                  result.errorCode();
    qCDebug(lcCommands).nospace() << "command " << m_request.command << " #" << m_serial << ' '
                                  << qUtf8Printable(outcome) << " after "
                                  << double(m_clock.nsecsElapsed()) / 1e6 << " ms";
}

void CommandRun::runHandler()
{
    m_handlerRunning = true;
    if (m_request.descriptor->mode == ExecutionMode::WorkerPool) {
        m_registry->pool->start([self = shared_from_this()] {
            self->invokeHandler();
            self->m_handlerHome->post({HandOff::Kind::HandlerReturned, self, {}});
        });
        return;
    }
    invokeHandler();
    if (m_request.descriptor->mode != ExecutionMode::Synchronous) {
        m_handlerRunning = false;
        settle();
        return;
    }
    // Nothing refers to a server's context once its synchronous handler returned: it goes now,
    // without a trip through the event loop. One made by createCommand() is its caller's until
    // the loop runs.
    if (!isOwnFrontEnd() && hasResult()) {
        m_handlerRunning = false;
        delete m_context;
        return;
    }
    handlerReturned();
}

void CommandRun::invokeHandler()
{
    try {
        m_request.descriptor->handler(*m_context);
    } catch (const std::exception &error) {
        giveResult(
            CommandResult::failure(ErrorCode::Internal, QStringLiteral("Handler threw: ") +
                                                            QString::fromUtf8(error.what())));
    } catch (...) {
        giveResult(CommandResult::failure(ErrorCode::Internal,
                                          QStringLiteral("Handler threw an exception")));
    }
}

void CommandRun::handlerReturned()
{
    m_handlerRunning = false;
    if (!hasResult()) {
        qCWarning(lcRegistry) << "handler of" << m_request.command << "returned without a result";
        giveResult(CommandResult::failure(ErrorCode::Internal,
                                          QStringLiteral("Handler returned without a result")));
    }
    settle();
}

void CommandRun::startOnHandlerThread()
{
    // Cancelled or finished before it got here (a cancel sent with the command, say): the
    // handler never runs.
    if (isCancelled() || hasResult()) {
        giveResult(cancelledResult());
        return;
    }
    m_context = new CommandContext(shared_from_this(), nullptr);
    // The registry's list is its thread's; an exposed object's thread keeps its own.
    if (m_registry->home->isCurrent())
        m_registry->listHere(this);
    runHandler();
}

void CommandRun::contextDestroyed()
{
    m_context = nullptr;
    if (m_listedHere)
        m_registry->unlistHere(this);
}

void CommandRun::registryGone()
{
    m_listedHere = false;
    abort(
        CommandResult::failure(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down")));
    // Its front end may have finished it already, with the word to stop still in the mailbox.
    settle();
}

void CommandRun::cancelOnHandlerThread()
{
    // A handler that already gave its result applied its effect: that result stands.
    if (hasResult())
        return;
    giveResult(cancelledResult());
    if (m_context)
        Q_EMIT m_context->cancelRequested(CommandContext::QPrivateSignal());
}

void CommandRun::settle()
{
    if (m_context && !m_disposing && !m_handlerRunning && hasResult()) {
        m_disposing = true;
        m_handlerHome->disposeLater(m_context);
    }
}

void CommandRun::receive(HandOff::Item &&item)
{
    CommandRun &run = *item.run;
    switch (item.kind) {
    case HandOff::Kind::Start:
        run.startOnHandlerThread();
        break;
    case HandOff::Kind::Cancel:
        run.cancelOnHandlerThread();
        break;
    case HandOff::Kind::Abort:
        if (run.m_context)
            Q_EMIT run.m_context->cancelRequested(CommandContext::QPrivateSignal());
        run.settle();
        break;
    case HandOff::Kind::Progress:
        if (run.m_queuedProgress.fetch_sub(1, std::memory_order_acq_rel) == maxQueuedProgress) {
            const std::lock_guard locker(run.m_waitMutex);
            run.m_drained.notify_all();
        }
        run.deliverProgress(std::get<CommandProgress>(item.payload));
        break;
    case HandOff::Kind::Result:
        run.finish(std::get<CommandResult>(item.payload));
        break;
    case HandOff::Kind::HandlerReturned:
        run.handlerReturned();
        break;
    case HandOff::Kind::Settle:
        run.settle();
        break;
    case HandOff::Kind::Event: // HandOff gives these to the thread's EventHub
        break;
    }
}

} // namespace CommandBridge
