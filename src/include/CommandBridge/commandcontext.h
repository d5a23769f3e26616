#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commandresult.h>

#include <QtCore/QBasicTimer>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QObject>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

namespace CommandBridge {

class CommandObserver;
class CommandRegistry;
class Session;
struct CommandDescriptor;

/// One running command, in the spirit of KDE's KJob: the handler reads its inputs here and reports
/// progress and its one result through it; front ends drive it with start(), cancel() and abort().
///
/// Ownership: created by CommandRegistry::createCommand(), a child of the registry when made on
/// its thread; it deletes itself (deleteLater) after finished() was emitted and its handler has
/// returned. Threads: it lives on the thread that created it (the registry's, or a server's
/// network thread), where its signals are emitted. reportProgress(), succeed(), fail() and
/// isCancelled() may be called from any thread; every other member only from its own thread. A
/// handler always gets a context living on the thread it runs on (HandlerThread::Registry
/// handlers of a network-thread request get a stand-in there that forwards to the request's).
class COMMANDBRIDGE_EXPORT CommandContext : public QObject
{
    Q_OBJECT

public:
    ~CommandContext() override;

    QString command() const { return m_command; }
    /// The args the handler sees: the session id injected, schema defaults applied.
    QJsonObject args() const { return m_args; }
    /// Empty when the command runs without a session (REST without X-Session-Id).
    QString sessionId() const;
    /// Null when the command runs without a session.
    std::shared_ptr<Session> session() const { return m_session; }
    /// The client's request id, verbatim; undefined when the request had none.
    QJsonValue requestId() const { return m_requestId; }
    std::chrono::milliseconds timeout() const { return m_timeout; }

    /// True once the command was cancelled, timed out or aborted; a handler stops at its next step.
    bool isCancelled() const { return m_cancelled.load(std::memory_order_acquire); }
    bool isFinished() const { return m_finished; }

    /// Reports progress. \a percent is clamped to 0..100 and to never go below an earlier report;
    /// a negative value means unknown. Reports after the result are discarded. From another
    /// thread, a caller more than 1024 reports ahead of the context's thread waits for it to catch
    /// up (or for a cancel), so every report arrives and memory stays bounded.
    void reportProgress(const QString &message, double percent = -1.0);
    /// Finishes successfully with \a value. Only the first of succeed()/fail() counts.
    void succeed(const QJsonValue &value = QJsonValue());
    /// Finishes with a failure. Use ErrorCode::Failed or a code of the handler's own, e.g.
    /// "not_found".
    void fail(const QString &code, const QString &message,
              const QJsonValue &details = QJsonValue(QJsonValue::Undefined));
    void fail(ErrorCode code, const QString &message,
              const QJsonValue &details = QJsonValue(QJsonValue::Undefined));

    /// Runs the handler (or fails at once when the request was rejected). Call once, after
    /// connecting to the signals.
    void start();
    /// The client cancelled: finishes with `cancelled` at once and tells the handler to stop.
    void cancel();
    /// Finishes with \a code (timeout, shutting_down, ...) at once and tells the handler to stop.
    void abort(ErrorCode code, const QString &message);

Q_SIGNALS:
    /// The request passed validation and its handler is about to run; never emitted for a request
    /// rejected before it ran (unknown command, bad args, ...).
    void started();
    /// Progress in the order reported, never after finished().
    void progressed(const CommandBridge::CommandProgress &progress);
    /// Emitted exactly once per started command, also when it is cancelled, times out or is
    /// rejected before its handler ran.
    void finished(const CommandBridge::CommandResult &result);
    /// The handler should stop: the command was cancelled, timed out or aborted.
    void cancelRequested();

protected:
    void timerEvent(QTimerEvent *event) override;

private:
    friend class CommandRegistry;
    friend class CommandObserver;
    CommandContext(CommandRegistry *registry, QObject *parent,
                   std::shared_ptr<const CommandDescriptor> descriptor, const QString &command,
                   const QJsonObject &args, std::shared_ptr<Session> session,
                   const QJsonValue &requestId, std::chrono::milliseconds timeout,
                   std::optional<CommandResult> rejection);

    void giveResult(const CommandResult &result);
    void deliverProgress(const CommandProgress &progress);
    void drainCrossThreadProgress();
    void finish(const CommandResult &result);
    void stop(const CommandResult &result);
    void runHandler();
    void runOnRegistryThread();
    void runAsStandIn();
    void handlerReturned();
    void releaseWhenDone();

    CommandRegistry *m_registry;
    const std::shared_ptr<const CommandDescriptor> m_descriptor;
    const QString m_command;
    const QJsonObject m_args;
    const std::shared_ptr<Session> m_session;
    const QJsonValue m_requestId;
    const std::chrono::milliseconds m_timeout;
    const std::optional<CommandResult> m_rejection;
    std::atomic<bool> m_cancelled{false};
    bool m_started = false;
    bool m_finished = false;
    bool m_handlerRunning = false;
    bool m_counted = false;
    double m_lastPercent = 0.0;
    QBasicTimer m_timeoutTimer;
    struct CrossThreadProgress;
    const std::unique_ptr<CrossThreadProgress> m_crossThread;
    struct StandInLink;
    std::shared_ptr<StandInLink> m_standInLink;
    /// On a stand-in: the context it stands in for.
    std::shared_ptr<StandInLink> m_standsInFor;
    CommandObserver *m_observer = nullptr;
};

} // namespace CommandBridge
