// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include "handoff_p.h"

#include <QtCore/QElapsedTimer>

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

namespace CommandBridge {

class CommandRegistryPrivate;
class RunningCommand;

/// The one way a front end follows the commands it starts. Called on the thread that started
/// them, in order: commandStarted() once the request passed validation (never for a rejected
/// one), commandProgressed() any number of times, then commandFinished() exactly once. The sink
/// must stay alive until then; a front end that goes away aborts its commands first.
class CommandSink
{
public:
    virtual void commandStarted(const RunningCommand &command);
    virtual void commandProgressed(const RunningCommand &command,
                                   const CommandProgress &progress) = 0;
    virtual void commandFinished(const RunningCommand &command, const CommandResult &result) = 0;

protected:
    ~CommandSink() = default;
};

/// Catches the result of a command that finishes while it is started: most handlers answer at
/// once, and then a front end answers without making an object that waits for the result.
class ImmediateResult : public CommandSink
{
public:
    void commandProgressed(const RunningCommand &, const CommandProgress &) override {}
    void commandFinished(const RunningCommand &, const CommandResult &finished) override
    {
        result = finished;
    }

    std::optional<CommandResult> result;
};

/// One command from its request to its result: the execution machinery behind a CommandContext
/// and behind a front end's RunningCommand, shared by both.
///
/// Two sides, each on its own thread. The front end's side lives where the command was started
/// (a network thread, or the registry's): it gets progress and the one result, keeps the
/// timeout, and finishes the command. The handler's side lives where the handler runs (the
/// registry's thread for HandlerThread::Registry handlers, the front end's otherwise): the
/// CommandContext, which is made there. When the two threads differ, everything between them
/// goes through the threads' HandOff mailboxes, in batches; neither side waits for the other.
/// Worker-pool handlers report from their pool thread and wait when more than
/// maxQueuedProgress reports are on their way, so memory stays bounded.
class CommandRun : public std::enable_shared_from_this<CommandRun>
{
    friend class CommandRegistryPrivate;

public:
    struct Request
    {
        std::shared_ptr<const CommandDescriptor> descriptor;
        QString command;
        QJsonObject args;
        std::shared_ptr<Session> session;
        QJsonValue requestId;
        std::chrono::milliseconds timeout{0};
        std::optional<CommandResult> rejection;
        /// The mailbox of the thread a HandlerThread::Registry handler runs on when that is not
        /// the registry's (an exposed object's thread); null for the registry's.
        std::shared_ptr<HandOff> handlerHome;
    };
    static constexpr int maxQueuedProgress = 1024;

    CommandRun(CommandRegistryPrivate *registry, Request &&request);
    ~CommandRun();

    const QString &command() const { return m_request.command; }
    const QJsonObject &args() const { return m_request.args; }
    const std::shared_ptr<Session> &session() const { return m_request.session; }
    const QJsonValue &requestId() const { return m_request.requestId; }
    std::chrono::milliseconds timeout() const { return m_request.timeout; }
    quint64 serial() const { return m_serial; }
    CommandRegistryPrivate *registry() const { return m_registry; }

    // The front end's side, on the thread that calls start().
    void start(CommandSink *sink);
    /// The client cancelled. Finishes with `cancelled` at once, unless the handler runs on
    /// another thread: then that thread decides, so a handler that already applied its effect
    /// reports its own result.
    void cancel();
    /// Finishes with \a result at once (timeout, shutting down, connection gone) and tells the
    /// handler to stop.
    void abort(const CommandResult &result);
    bool isStarted() const { return m_started; }
    /// Hands what is still to come to \a sink instead (a front end that started the command with
    /// a short-lived sink, to keep it for a command that did not finish at once).
    void setSink(CommandSink *sink) { m_sink = sink; }

    // The handler's side; these three from any thread.
    void report(const CommandProgress &progress);
    void giveResult(const CommandResult &result);
    bool isCancelled() const { return m_cancelled.load(std::memory_order_acquire); }
    bool hasResult() const { return m_resultGiven.load(std::memory_order_acquire); }

    /// Made by createCommand(): the context is its own front end and runs on its thread.
    CommandContext *makeOwnContext(QObject *parent);
    bool isOwnFrontEnd() const { return m_contextSink != nullptr; }
    CommandSink *ownSink() const { return m_sink; }
    /// The context on the handler's side; only its own thread asks.
    CommandContext *context() const { return m_context; }
    void contextDestroyed();
    /// The registry goes: a handler still on its thread is stopped and must not reach it again.
    void registryGone();

    /// A mailbox delivers \a item on its thread.
    static void receive(HandOff::Item &&item);
    void timedOut();
    void forgetDeadline() { m_deadline = m_frontEnd->noDeadline(); }

private:
    class ContextSink;

    void deliverProgress(const CommandProgress &progress);
    void finish(const CommandResult &result);
    void logFinished(const CommandResult &result) const;
    void stop(const CommandResult &result);
    void runHandler();
    void invokeHandler();
    void startOnHandlerThread();
    void cancelOnHandlerThread();
    void handlerReturned();
    void settle();

    CommandRegistryPrivate *const m_registry;
    const Request m_request;
    const quint64 m_serial;
    std::atomic<bool> m_cancelled{false};
    /// The first result counts, from whichever thread gives it.
    std::atomic<bool> m_resultGiven{false};

    // The front end's side.
    std::shared_ptr<HandOff> m_frontEnd;
    /// Started only while commandbridge.commands logs at debug: the duration in its line.
    QElapsedTimer m_clock;
    CommandSink *m_sink = nullptr;
    HandOff::Deadlines::iterator m_deadline;
    double m_lastPercent = 0.0;
    bool m_started = false;
    bool m_finished = false;
    bool m_handlerElsewhere = false;

    // The handler's side.
    CommandContext *m_context = nullptr;
    /// The registry's list of contexts on its thread (no QObject parent: cheaper to add and
    /// remove), so that its destructor can stop them.
    CommandRun *m_previousHere = nullptr;
    CommandRun *m_nextHere = nullptr;
    bool m_listedHere = false;
    std::unique_ptr<ContextSink> m_contextSink;
    std::shared_ptr<HandOff> m_handlerHome;
    bool m_handlerRunning = false;
    bool m_disposing = false;

    // Progress on its way from a worker thread; a worker this far ahead waits.
    std::atomic<int> m_queuedProgress{0};
    std::mutex m_waitMutex;
    std::condition_variable m_drained;
};

/// A front end's handle on one running command: cheap to copy, compared by identity.
class RunningCommand
{
public:
    RunningCommand() = default;
    explicit RunningCommand(std::shared_ptr<CommandRun> run)
        : m_run(std::move(run))
    {}

    bool isNull() const { return !m_run; }
    const QString &command() const { return m_run->command(); }
    const QJsonValue &requestId() const { return m_run->requestId(); }
    const std::shared_ptr<Session> &session() const { return m_run->session(); }

    void start(CommandSink *sink) const { m_run->start(sink); }
    void setSink(CommandSink *sink) const { m_run->setSink(sink); }
    void cancel() const { m_run->cancel(); }
    void abort(ErrorCode code, const QString &message) const
    {
        m_run->abort(CommandResult::failure(code, message));
    }

    CommandRun *run() const { return m_run.get(); }
    friend bool operator==(const RunningCommand &a, const RunningCommand &b)
    {
        return a.m_run == b.m_run;
    }
    friend size_t qHash(const RunningCommand &command, size_t seed = 0)
    {
        return qHash(quintptr(command.m_run.get()), seed);
    }

private:
    std::shared_ptr<CommandRun> m_run;
};

} // namespace CommandBridge
