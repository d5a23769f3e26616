// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commandcontext.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QStringList>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QThreadPool;
QT_END_NAMESPACE

/// CommandBridge's two libraries: the server side (CommandRegistry, CommandBuilder,
/// CommandContext, CommandBridgeServer) and the client side (CommandClient and the classes it
/// hands out).
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
    /// A request served on a network thread is handed to that thread (in batches), and its
    /// progress and result back.
    Registry,
    /// The network thread serving the request: no hop, for handlers that touch nothing bound to
    /// a thread (pure functions of their args, thread-safe services).
    Network,
};

/// What a command is: everything the registry, the REST routes, the WebSocket bridge and
/// list_commands know about it.
struct CommandDescriptor
{
    /// Runs the command: reads the args from the context and finishes it with succeed() or
    /// fail(), before returning (Synchronous, WorkerPool) or later (EventLoop). An exception it
    /// throws finishes the command with ErrorCode::Internal.
    using Handler = std::function<void(CommandContext &context)>;

    /// The command's name, unique in its registry. 1 to 128 ASCII letters, digits, dots,
    /// underscores or hyphens (`[A-Za-z0-9._-]{1,128}`): the REST path segment
    /// (`/api/v1/commands/NAME`) and the MCP tool name.
    QString name;
    /// One line for humans, shown by list_commands.
    QString description;
    /// JSON Schema (draft 7) of the args object. Empty means any object. The registry adds an
    /// optional string "session_id" property, since every command accepts one.
    QJsonObject argsSchema;
    /// How long a request may run when it asks for no timeout of its own; at least 1 ms. Capped by
    /// CommandRegistry::maxTimeout().
    std::chrono::milliseconds defaultTimeout{std::chrono::minutes(1)};
    /// Where and how the handler runs.
    ExecutionMode mode = ExecutionMode::EventLoop;
    /// Ignored in ExecutionMode::WorkerPool.
    HandlerThread thread = HandlerThread::Registry;
    /// REST requests without X-Session-Id fail with no_session.
    bool requiresSession = false;
    /// The handler; a descriptor without one is refused by CommandRegistry::registerCommand().
    /// It is copied into the registry and may run on several threads at once when requests
    /// overlap (ExecutionMode::WorkerPool, or HandlerThread::Network with several network
    /// threads), so what it captures must be safe for that.
    Handler handler;
};

/// A request to run a command, as the front ends decoded it.
struct CommandInvocation
{
    /// The name of the command to run.
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

/// A command as the registry's signals tell of it: a value, safe to pass to any thread.
struct CommandInfo
{
    /// Unique per registry: matches a command's started, progressed and finished signals.
    quint64 serial = 0;
    /// The command's name.
    QString command;
    /// The args its handler sees.
    QJsonObject args;
    /// The client's request id, verbatim; undefined when the request had none.
    QJsonValue requestId;
    /// Empty without a session.
    QString sessionId;
};

/// Who receives an event (docs/protocol.md §15).
enum class EventScope {
    /// Every connection subscribed to it.
    Global,
    /// The subscribed connections of the one session it is published to.
    Session,
};

/// What an event is: everything list_events and GET /api/v1/events tell of it.
struct EventDescriptor
{
    /// Same rules as a command's name; `.` separates the parts that `prefix.*` subscriptions match.
    QString name;
    /// One line for humans.
    QString description;
    /// JSON Schema (draft 7) of the event's data object. Empty means any object.
    QJsonObject dataSchema;
    /// Who receives it.
    EventScope scope = EventScope::Global;
};

/// How CommandRegistry::exposeObject() reads an object's class.
struct ExposeOptions
{
    /// Members left out by name (methods, properties, signals), besides those the class names in
    /// `Q_CLASSINFO("CommandBridge.exclude", "name,name")`.
    QStringList exclude;
    /// The members this class and its bases declare are left out: QObject's by default. A widget
    /// might pass `&QWidget::staticMetaObject` to expose only its own members.
    const QMetaObject *baseClass = &QObject::staticMetaObject;
};

class CommandRegistryPrivate;

/// The one source of truth for commands: handlers are registered here once and every front end
/// runs them through it.
///
/// Ownership: the embedding app owns the registry and keeps it alive longer than any server using
/// it. Threads: register commands and events from the thread it lives on (normally the GUI thread,
/// where HandlerThread::Registry handlers run); contains(), commandNames(), describeCommands(),
/// inFlightCount(), containsEvent(), describeEvents(), hasEventSubscribers(), publishEvent() and
/// publishSessionEvent() may be called from any thread. Handlers in ExecutionMode::WorkerPool run
/// on its own QThreadPool (not the global one).
///
/// commandStarted(), commandProgressed() and commandFinished() are emitted on the thread that
/// serves the command's request (a server's network thread, or the registry's own), with values
/// only: any connection type is safe, and the default one delivers them on the receiver's thread.
/// Nothing is built for them while none is connected.
class COMMANDBRIDGE_EXPORT CommandRegistry : public QObject
{
    Q_OBJECT

public:
    /// An empty registry living on the calling thread, which should run an event loop (EventLoop
    /// handlers and requests handed over from network threads need one).
    explicit CommandRegistry(QObject *parent = nullptr);
    /// Aborts the commands whose handlers run on its thread with `shutting_down` and waits for
    /// the worker pool to finish. Destroy the servers using it first.
    ~CommandRegistry() override;

    /// Adds a command. Fails, with errorString() telling why, for a duplicate or malformed name
    /// (see CommandDescriptor::name), a missing handler, a default timeout under 1 ms or a schema
    /// that is not valid JSON Schema.
    [[nodiscard]] bool registerCommand(const CommandDescriptor &descriptor);
    /// Why the last registerCommand() or registerEvent() failed; empty after a success.
    QString errorString() const;

    /// Whether a command called \a name is registered.
    bool contains(const QString &name) const;
    /// The names of the registered commands, sorted.
    QStringList commandNames() const;
    /// The list_commands entries: name, description, args_schema and timeout_ms, sorted by name.
    QJsonArray describeCommands() const;

    /// Prepares a command for \a invocation without a server (tests, scripts): the context lives
    /// on the calling thread, which should be the registry's, and its handler runs there (or on
    /// the worker pool). Connect to its signals, then call start(). A request that cannot run
    /// (unknown command, bad args, session mismatch, ...) still gets a context, whose start()
    /// finishes it with the matching error.
    CommandContext *createCommand(CommandInvocation invocation);

    /// Sets the upper bound for every command's timeout (hello's max_timeout_ms), clamped to
    /// 1 ms .. INT_MAX ms. Applies to requests that arrive after the call; set it before serving.
    void setMaxTimeout(std::chrono::milliseconds timeout);
    /// The upper bound for every command's timeout; 10 minutes unless setMaxTimeout() changed it.
    std::chrono::milliseconds maxTimeout() const;

    /// Commands started and not yet finished, over all front ends.
    int inFlightCount() const;

    /// The pool that runs ExecutionMode::WorkerPool handlers, owned by the registry. Tune it
    /// (QThreadPool::setMaxThreadCount()) but do not delete it.
    QThreadPool *workerPool() const;

    /// Declares an event. Fails, with errorString() telling why, for a duplicate or malformed name
    /// or a schema that is not valid JSON Schema. Declare events from the registry's thread.
    [[nodiscard]] bool registerEvent(const EventDescriptor &descriptor);
    /// Whether an event called \a name is declared.
    bool containsEvent(const QString &name) const;
    /// The list_events entries: name, description, data_schema and scope, sorted by name.
    QJsonArray describeEvents() const;
    /// Whether any connection is subscribed to \a event now: for data that is costly to gather.
    bool hasEventSubscribers(const QString &event) const;

    /// Publishes the Global event \a event with \a data to every subscribed connection, from any
    /// thread, without waiting. Events published from one thread arrive in that order. Subscribers
    /// that read slowly get the newest of the events with the same name and \a coalescingKey
    /// still waiting for them. Without subscribers this costs one lookup. False, with a warning in
    /// `commandbridge.events`, for an undeclared or Session event, or \a data that does not match
    /// the event's schema (checked only when someone receives it).
    bool publishEvent(const QString &event, const QJsonObject &data,
                      const QString &coalescingKey = QString());
    /// Publishes the Session event \a event to the connections of session \a sessionId, as
    /// publishEvent() does. False for an undeclared or Global event or an empty session id.
    bool publishSessionEvent(const QString &sessionId, const QString &event,
                             const QJsonObject &data, const QString &coalescingKey = QString());

    /// Exposes \a object under \a name (protocol section 13), derived from its meta-object once,
    /// now: the command `name.method` for each public slot and Q_INVOKABLE method, `name.get` and
    /// `name.set` for its properties, the event `name.propertyChanged` for each NOTIFY signal
    /// and `name.signal` for each other public signal, with schemas from the C++ types. Calls run
    /// on the object's thread, which must run an event loop; a method whose last parameter is a
    /// `CommandBridge::CommandContext *` finishes through it (now or later) and may report
    /// progress. Destroying the object removes its commands and events, and its calls still
    /// running end with `internal`. Fails, with errorString() telling why, for a member whose
    /// type has no JSON form (exclude it), a parameter without a name, a name already in use or
    /// a null object; then nothing was added. Call from the registry's thread; the app keeps
    /// owning the object.
    [[nodiscard]] bool exposeObject(const QString &name, QObject *object,
                                    const ExposeOptions &options = {});

Q_SIGNALS:
    /// A command passed validation and its handler is about to run.
    void commandStarted(const CommandBridge::CommandInfo &command, QPrivateSignal);
    /// A command reported progress (as clamped by CommandContext::reportProgress()).
    void commandProgressed(const CommandBridge::CommandInfo &command,
                           const CommandBridge::CommandProgress &progress, QPrivateSignal);
    /// Exactly once for every command that started.
    void commandFinished(const CommandBridge::CommandInfo &command,
                         const CommandBridge::CommandResult &result, QPrivateSignal);

protected:
    /// Counts the receivers of the command signals, so that nothing is built for them while none
    /// is connected.
    void connectNotify(const QMetaMethod &signal) override;
    /// Counts the receivers of the command signals; see connectNotify().
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    friend class CommandRegistryPrivate;
    const std::unique_ptr<CommandRegistryPrivate> d;
};

} // namespace CommandBridge

Q_DECLARE_METATYPE(CommandBridge::CommandInfo)
