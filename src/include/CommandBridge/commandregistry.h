#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commandcontext.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QReadWriteLock>
#include <QtCore/QStringList>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

namespace CommandBridge {

class Session;

/// Where a command's handler runs.
enum class ExecutionMode {
    /// On the registry's thread, finishing before it returns: for trivial commands.
    Synchronous,
    /// On the registry's thread, finishing later from a timer or a signal. Never block in it.
    EventLoop,
    /// On the registry's dedicated worker QThreadPool, for blocking or CPU-heavy work. The handler
    /// finishes before it returns and checks CommandContext::isCancelled() between steps.
    WorkerPool,
};

/// Which thread runs a Synchronous or EventLoop handler when the server serves its sockets on
/// network threads (ServerOptions::networkThreads). Without network threads both are the same.
enum class HandlerThread {
    /// The registry's thread, normally the app's GUI thread: for handlers that touch app objects.
    /// The command's context is handed to that thread while the handler runs there.
    Registry,
    /// The network thread serving the request: no hop, for handlers that touch nothing bound to
    /// a thread (pure functions of their args, thread-safe services).
    Network,
};

/// What a command is: everything the registry, the REST routes, the WebSocket bridge and
/// list_commands know about it.
struct CommandDescriptor
{
    using Handler = std::function<void(CommandContext &context)>;

    QString name;
    /// One line for humans, shown by list_commands.
    QString description;
    /// JSON Schema (draft 7) of the args object. Empty means any object. The registry adds an
    /// optional string "session_id" property, since every command accepts one.
    QJsonObject argsSchema;
    std::chrono::milliseconds defaultTimeout{std::chrono::minutes(1)};
    ExecutionMode mode = ExecutionMode::EventLoop;
    /// Ignored in ExecutionMode::WorkerPool.
    HandlerThread thread = HandlerThread::Registry;
    /// REST requests without X-Session-Id fail with no_session.
    bool requiresSession = false;
    Handler handler;
};

/// A request to run a command, as the front ends decoded it.
struct CommandInvocation
{
    QString command;
    /// The args as sent: undefined or null mean {}; anything but an object is invalid_args.
    QJsonValue args = QJsonValue(QJsonValue::Undefined);
    /// Echoed verbatim; undefined when the request had none.
    QJsonValue requestId = QJsonValue(QJsonValue::Undefined);
    /// The caller's session, or null for none.
    std::shared_ptr<Session> session;
    /// The requested timeout; the command's default when absent. Capped by maxTimeout().
    std::optional<std::chrono::milliseconds> timeout;
};

/// The one source of truth for commands: handlers are registered here once and every front end
/// runs them through createCommand().
///
/// Ownership: the embedding app owns the registry and keeps it alive longer than any server using
/// it. Threads: register commands from the thread it lives on; createCommand(), contains(),
/// commandNames(), describeCommands() and inFlightCount() may be called from any thread, since
/// the servers' network threads use them. Handlers in ExecutionMode::WorkerPool run on its own
/// QThreadPool (not the global one).
class COMMANDBRIDGE_EXPORT CommandRegistry : public QObject
{
    Q_OBJECT

public:
    explicit CommandRegistry(QObject *parent = nullptr);
    ~CommandRegistry() override;

    /// Adds a command. Fails, with errorString() telling why, for a duplicate or malformed name,
    /// a missing handler or a schema that is not valid JSON Schema.
    [[nodiscard]] bool registerCommand(const CommandDescriptor &descriptor);
    QString errorString() const { return m_errorString; }

    bool contains(const QString &name) const;
    QStringList commandNames() const;
    /// The list_commands entries: name, description, args_schema and timeout_ms, sorted by name.
    QJsonArray describeCommands() const;

    /// Prepares a command for \a invocation on the calling thread, where the context lives.
    /// Connect to its signals, then call start(). A request that cannot run (unknown command, bad
    /// args, session mismatch, ...) still gets a context, whose start() finishes it with the
    /// matching error.
    /// Taking \a invocation by value lets a caller move its args in, so that adding session_id
    /// does not copy them.
    CommandContext *createCommand(CommandInvocation invocation);

    /// Upper bound for every command's timeout (spec: max_timeout_ms). Default 10 minutes.
    void setMaxTimeout(std::chrono::milliseconds timeout);
    std::chrono::milliseconds maxTimeout() const { return m_maxTimeout; }

    /// Commands started and not yet finished, over all front ends.
    int inFlightCount() const { return m_inFlight.load(std::memory_order_relaxed); }

    QThreadPool *workerPool() const;

Q_SIGNALS:
    /// A command started running (after it passed validation). Emitted on the thread its context
    /// lives on: with network threads, only a Qt::DirectConnection may use \a context.
    void commandStarted(CommandBridge::CommandContext *context);

private:
    friend class CommandContext;
    struct Entry;
    std::optional<CommandResult> validate(const Entry &entry, QJsonObject &args,
                                          CommandInvocation &invocation) const;

    std::shared_ptr<const Entry> find(const QString &name) const;

    mutable QReadWriteLock m_lock;
    std::map<QString, std::shared_ptr<const Entry>> m_commands;
    std::unique_ptr<QThreadPool> m_pool;
    std::chrono::milliseconds m_maxTimeout{std::chrono::minutes(10)};
    QString m_errorString;
    std::atomic<int> m_inFlight{0};
};

} // namespace CommandBridge
