#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include "commandobserver_p.h"
#include "logging_p.h"

#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtCore/QTimerEvent>

#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>

namespace CommandBridge {

/// Progress reported from other threads, waiting for the context's thread. Delivered in batches,
/// one posted event per batch; a handler that reports faster than that thread drains waits for it
/// once the batch is full, so memory stays bounded and no report is lost.
struct CommandContext::CrossThreadProgress
{
    static constexpr std::size_t maxPending = 1024;
    /// A waiting reporter looks again this often, to notice a cancel (which does not lock).
    static constexpr std::chrono::milliseconds recheck{10};
    // Standard types and QList: none allocates until used, and every command makes one of these.
    std::mutex mutex;
    std::condition_variable drained;
    QList<CommandProgress> pending;
    bool drainPosted = false;
    /// The handler gave its result from another thread; later reports are dropped at once.
    bool resultGiven = false;
};

namespace {

CommandResult cancelledResult()
{
    return CommandResult::failure(ErrorCode::Cancelled, QStringLiteral("Command cancelled"));
}

} // namespace

/// How a stand-in reaches the context it stands in for, while that one lives.
struct CommandContext::StandInLink
{
    QMutex mutex;
    CommandContext *target = nullptr;
};

CommandContext::CommandContext(CommandRegistry *registry, QObject *parent,
                               std::shared_ptr<const CommandDescriptor> descriptor,
                               const QString &command, const QJsonObject &args,
                               std::shared_ptr<Session> session, const QJsonValue &requestId,
                               std::chrono::milliseconds timeout,
                               std::optional<CommandResult> rejection)
    : QObject(parent)
    , m_registry(registry)
    , m_descriptor(std::move(descriptor))
    , m_command(command)
    , m_args(args)
    , m_session(std::move(session))
    , m_requestId(requestId)
    , m_timeout(timeout)
    , m_rejection(std::move(rejection))
    , m_crossThread(std::make_unique<CrossThreadProgress>())
{}

CommandContext::~CommandContext()
{
    if (m_standInLink) {
        QMutexLocker locker(&m_standInLink->mutex);
        m_standInLink->target = nullptr;
    }
}

QString CommandContext::sessionId() const
{
    return m_session ? m_session->id() : QString();
}

void CommandContext::reportProgress(const QString &message, double percent)
{
    if (isCancelled())
        return;
    CommandProgress progress{message, std::nullopt};
    if (percent >= 0.0 && std::isfinite(percent))
        progress.percent = percent;
    if (QThread::currentThread() == thread()) {
        deliverProgress(progress);
        return;
    }
    std::unique_lock locker(m_crossThread->mutex);
    while (std::size_t(m_crossThread->pending.size()) >= CrossThreadProgress::maxPending &&
           !m_crossThread->resultGiven && !isCancelled()) {
        m_crossThread->drained.wait_for(locker, CrossThreadProgress::recheck);
    }
    if (m_crossThread->resultGiven || isCancelled())
        return;
    m_crossThread->pending.push_back(progress);
    if (!m_crossThread->drainPosted) {
        m_crossThread->drainPosted = true;
        QMetaObject::invokeMethod(this, &CommandContext::drainCrossThreadProgress,
                                  Qt::QueuedConnection);
    }
}

void CommandContext::drainCrossThreadProgress()
{
    QList<CommandProgress> batch;
    {
        const std::lock_guard locker(m_crossThread->mutex);
        batch.swap(m_crossThread->pending);
        m_crossThread->drainPosted = false;
    }
    m_crossThread->drained.notify_all();
    for (const CommandProgress &progress : batch)
        deliverProgress(progress);
}

void CommandContext::succeed(const QJsonValue &value)
{
    giveResult(CommandResult::success(value));
}

void CommandContext::fail(const QString &code, const QString &message, const QJsonValue &details)
{
    giveResult(CommandResult::failure(code, message, details));
}

void CommandContext::giveResult(const CommandResult &result)
{
    if (QThread::currentThread() == thread()) {
        finish(result);
        return;
    }
    const std::lock_guard locker(m_crossThread->mutex);
    if (m_crossThread->resultGiven)
        return;
    m_crossThread->resultGiven = true;
    // Posted after any batch of progress already posted, so the result comes last.
    QMetaObject::invokeMethod(
        this, [this, result] { finish(result); }, Qt::QueuedConnection);
}

void CommandContext::fail(ErrorCode code, const QString &message, const QJsonValue &details)
{
    fail(errorCodeString(code), message, details);
}

void CommandContext::start()
{
    if (m_started)
        return;
    m_started = true;
    if (m_rejection) {
        finish(*m_rejection);
        return;
    }
    if (m_finished)
        return;

    m_counted = true;
    ++m_registry->m_inFlight;
    Q_EMIT started();
    Q_EMIT m_registry->commandStarted(this);

    // A QBasicTimer, not a QTimer: a short command costs less than a QTimer's QObject.
    m_timeoutTimer.start(int(m_timeout.count()), Qt::CoarseTimer, this);
    runHandler();
}

void CommandContext::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_timeoutTimer.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    m_timeoutTimer.stop();
    abort(ErrorCode::Timeout,
          QStringLiteral("Command timed out after %1 ms").arg(m_timeout.count()));
}

void CommandContext::cancel()
{
    if (m_standInLink && !m_finished) {
        // The handler runs on the registry's thread and may be applying its effect right now, so
        // its stand-in decides: a result that says cancelled means the handler did nothing, or
        // stopped when asked; one that ran to the end reports its own result.
        m_cancelled.store(true, std::memory_order_release);
        Q_EMIT cancelRequested();
        return;
    }
    stop(cancelledResult());
}

void CommandContext::abort(ErrorCode code, const QString &message)
{
    stop(CommandResult::failure(code, message));
}

void CommandContext::deliverProgress(const CommandProgress &progress)
{
    if (m_finished || !m_started)
        return;
    CommandProgress delivered = progress;
    if (delivered.percent) {
        m_lastPercent = std::clamp(*delivered.percent, m_lastPercent, 100.0);
        delivered.percent = m_lastPercent;
    }
    if (m_observer)
        m_observer->commandProgressed(this, delivered);
    Q_EMIT progressed(delivered);
}

void CommandContext::finish(const CommandResult &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timeoutTimer.stop();
    if (m_counted)
        --m_registry->m_inFlight;
    if (m_observer)
        m_observer->commandFinished(this, result);
    Q_EMIT finished(result);
    releaseWhenDone();
}

void CommandContext::stop(const CommandResult &result)
{
    if (m_finished)
        return;
    m_cancelled.store(true, std::memory_order_release);
    finish(result);
    // After the result, so a handler that fails in response cannot replace it.
    Q_EMIT cancelRequested();
}

void CommandContext::runHandler()
{
    const auto invoke = [this] {
        try {
            m_descriptor->handler(*this);
        } catch (const std::exception &error) {
            fail(ErrorCode::Internal,
                 QStringLiteral("Handler threw: ") + QString::fromUtf8(error.what()));
        } catch (...) {
            fail(ErrorCode::Internal, QStringLiteral("Handler threw an exception"));
        }
    };

    m_handlerRunning = true;
    if (m_descriptor->mode != ExecutionMode::WorkerPool &&
        m_descriptor->thread == HandlerThread::Registry && thread() != m_registry->thread()) {
        runOnRegistryThread();
        return;
    }
    if (m_descriptor->mode == ExecutionMode::WorkerPool) {
        m_registry->workerPool()->start([this, invoke] {
            invoke();
            QMetaObject::invokeMethod(
                this, [this] { handlerReturned(); }, Qt::QueuedConnection);
        });
        return;
    }
    invoke();
    if (m_descriptor->mode == ExecutionMode::EventLoop) {
        m_handlerRunning = false;
        releaseWhenDone();
        return;
    }
    handlerReturned();
}

/// The handler may parent timers to its context and connect to it, so it gets a stand-in living on
/// the registry's thread. The stand-in forwards its progress and result here through the
/// thread-safe reporting path (bounded like a worker's), through a link this context cuts when it
/// is destroyed, and is stopped when this is. So neither waits for the other: this context may go
/// once it has its result even if its thread ends before the stand-in is done.
void CommandContext::runOnRegistryThread()
{
    auto *standIn = new CommandContext(m_registry, nullptr, m_descriptor, m_command, m_args,
                                       m_session, m_requestId, m_timeout, std::nullopt);
    m_standInLink = std::make_shared<StandInLink>();
    m_standInLink->target = this;
    const std::shared_ptr<StandInLink> link = m_standInLink;
    connect(
        standIn, &CommandContext::progressed, standIn,
        [link](const CommandProgress &progress) {
            QMutexLocker locker(&link->mutex);
            if (link->target)
                link->target->reportProgress(progress.message, progress.percent.value_or(-1.0));
        },
        Qt::DirectConnection);
    connect(
        standIn, &CommandContext::finished, standIn,
        [link](const CommandResult &result) {
            QMutexLocker locker(&link->mutex);
            if (link->target)
                link->target->giveResult(result);
        },
        Qt::DirectConnection);
    standIn->m_standsInFor = link;
    connect(this, &CommandContext::cancelRequested, standIn,
            [standIn] { standIn->stop(cancelledResult()); });
    standIn->moveToThread(m_registry->thread());
    QMetaObject::invokeMethod(standIn, &CommandContext::runAsStandIn, Qt::QueuedConnection);
    m_handlerRunning = false;
}

void CommandContext::runAsStandIn()
{
    // Now on the registry's thread: the registry's destructor stops it like any other context.
    setParent(m_registry);
    m_started = true;
    bool stopped = false;
    {
        QMutexLocker locker(&m_standsInFor->mutex);
        stopped = !m_standsInFor->target || m_standsInFor->target->isCancelled();
    }
    // Stopped before the handler got here (a cancel sent with the command, say): it never runs.
    if (stopped)
        finish(cancelledResult());
    if (!m_finished)
        runHandler();
    else
        releaseWhenDone();
}

void CommandContext::handlerReturned()
{
    m_handlerRunning = false;
    if (!m_finished) {
        qCWarning(lcRegistry) << "handler of" << m_command << "returned without a result";
        finish(CommandResult::failure(ErrorCode::Internal,
                                      QStringLiteral("Handler returned without a result")));
    }
    releaseWhenDone();
}

void CommandContext::releaseWhenDone()
{
    if (m_finished && !m_handlerRunning)
        deleteLater();
}

} // namespace CommandBridge
