// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Running commands across threads without sockets: a front end on a thread of its own starts
// commands whose handlers run on the registry's (main) thread, as a server's network thread does.
// What crosses between the threads goes in batches, arrives in order, and cancel, timeout and
// results follow the rules of protocol.md section 9.

#include "commandregistry_p.h"
#include "commandrun_p.h"
#include "handoff_p.h"

#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QMutex>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace std::chrono_literals;

namespace {

/// What a front end saw, in order, and on which thread.
struct Seen
{
    QString kind;
    QString command;
    QJsonValue requestId;
    QString detail;
    QThread *thread = nullptr;
};

/// A front end living on its own thread, like a server's network thread.
class FrontEnd : public QObject, public CommandSink
{
public:
    void commandStarted(const RunningCommand &command) override
    {
        record({QStringLiteral("started"), command.command(), command.requestId(), {}});
    }
    void commandProgressed(const RunningCommand &command, const CommandProgress &progress) override
    {
        record(
            {QStringLiteral("progress"), command.command(), command.requestId(), progress.message});
    }
    void commandFinished(const RunningCommand &command, const CommandResult &result) override
    {
        record({QStringLiteral("finished"), command.command(), command.requestId(),
                result.isSuccess() ? QStringLiteral("ok") : result.errorCode()});
        m_running.removeOne(command);
    }

    /// Starts \a invocation on the front end's thread and returns once it was started.
    RunningCommand start(CommandRegistry *registry, CommandInvocation invocation)
    {
        RunningCommand command;
        QMetaObject::invokeMethod(
            this,
            [&] {
                command = RunningCommand(
                    CommandRegistryPrivate::get(registry)->prepare(std::move(invocation)));
                m_running.append(command);
                command.start(this);
            },
            Qt::BlockingQueuedConnection);
        return command;
    }

    void cancel(const RunningCommand &command)
    {
        QMetaObject::invokeMethod(
            this, [command] { command.cancel(); }, Qt::BlockingQueuedConnection);
    }

    QList<Seen> seen() const
    {
        QMutexLocker locker(&m_mutex);
        return m_seen;
    }

    QList<Seen> seenOf(const QJsonValue &requestId) const
    {
        QList<Seen> of;
        for (const Seen &event : seen()) {
            if (event.requestId == requestId)
                of.append(event);
        }
        return of;
    }

    int finishedCount() const
    {
        return int(std::count_if(m_seen.cbegin(), m_seen.cend(), [](const Seen &event) {
            return event.kind == QLatin1String("finished");
        }));
    }

    int finished() const
    {
        QMutexLocker locker(&m_mutex);
        return finishedCount();
    }

    void abortAll()
    {
        QMetaObject::invokeMethod(
            this,
            [this] {
                const QList<RunningCommand> running = m_running;
                for (const RunningCommand &command : running)
                    command.abort(ErrorCode::ShuttingDown, QStringLiteral("Test ends"));
            },
            Qt::BlockingQueuedConnection);
    }

private:
    void record(Seen event)
    {
        event.thread = QThread::currentThread();
        QMutexLocker locker(&m_mutex);
        m_seen.append(event);
    }

    mutable QMutex m_mutex;
    QList<Seen> m_seen;
    QList<RunningCommand> m_running;
};

CommandInvocation invocation(const QString &command, const QJsonValue &id,
                             const QJsonObject &args = {})
{
    CommandInvocation invocation;
    invocation.command = command;
    invocation.requestId = id;
    invocation.args = args;
    return invocation;
}

} // namespace

class tst_CommandRun : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void handlersRunOnTheRegistryThreadAndReportBack();
    void manyCommandsCrossInFewWakeUps();
    void progressFromTheRegistryThreadArrivesInOrder();
    void cancelBeforeTheHandlerRanNeverRunsIt();
    void cancelAfterTheEffectKeepsTheResult();
    void cancelOfARunningHandlerReachesIt();
    void timeoutOnTheFrontEndStopsTheHandler();
    void rejectedRequestNeverCrossesThreads();
    void registrySignalsCarryValuesToAnyThread();
    void postsToAnEndedThreadAreDropped();

private:
    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<QThread> m_thread;
    FrontEnd *m_frontEnd = nullptr;
    /// Set by the `hold` command's handler; it succeeds when the test says, or when told to stop.
    QPointer<CommandContext> m_held;
    int m_heldCancelRequests = 0;
    int m_gateRuns = 0;
};

void tst_CommandRun::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    m_held.clear();
    m_heldCancelRequests = 0;
    m_gateRuns = 0;
    QVERIFY(CommandBuilder(QStringLiteral("where"))
                .mode(ExecutionMode::Synchronous)
                .handler([](CommandContext &context) {
                    context.succeed(QJsonObject{
                        {QStringLiteral("main"),
                         QThread::currentThread() == QCoreApplication::instance()->thread()}});
                })
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(QStringLiteral("burst"))
                .mode(ExecutionMode::Synchronous)
                .args(R"({"type":"object","properties":{"n":{"type":"integer"}}})")
                .handler([](CommandContext &context) {
                    const int n = context.args().value(QStringLiteral("n")).toInt();
                    for (int i = 1; i <= n; ++i)
                        context.reportProgress(QString::number(i));
                    context.succeed();
                })
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(QStringLiteral("hold"))
                .mode(ExecutionMode::EventLoop)
                .handler([this](CommandContext &context) {
                    m_held = &context;
                    // A handler that answers when told to stop: too late, the result is given.
                    connect(&context, &CommandContext::cancelRequested, this, [this, &context] {
                        ++m_heldCancelRequests;
                        context.succeed(QStringLiteral("late"));
                    });
                })
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(QStringLiteral("gate"))
                .mode(ExecutionMode::Synchronous)
                .handler([this](CommandContext &context) {
                    ++m_gateRuns;
                    context.succeed();
                })
                .registerIn(*m_registry));

    m_thread = std::make_unique<QThread>();
    m_thread->setObjectName(QStringLiteral("front end"));
    m_thread->start();
    m_frontEnd = new FrontEnd;
    m_frontEnd->moveToThread(m_thread.get());
}

void tst_CommandRun::cleanup()
{
    m_frontEnd->abortAll();
    QMetaObject::invokeMethod(
        m_frontEnd, [this] { delete m_frontEnd; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    m_thread.reset();
    m_frontEnd = nullptr;
    m_registry.reset();
}

void tst_CommandRun::handlersRunOnTheRegistryThreadAndReportBack()
{
    m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("where"), 1));
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    const QList<Seen> seen = m_frontEnd->seen();
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen.at(0).kind, QStringLiteral("started"));
    QCOMPARE(seen.at(1).kind, QStringLiteral("finished"));
    QCOMPARE(seen.at(1).detail, QStringLiteral("ok"));
    for (const Seen &event : seen)
        QCOMPARE(event.thread, m_thread.get());
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandRun::manyCommandsCrossInFewWakeUps()
{
    // Started while the main thread is busy: they wait in its mailbox and cross together.
    constexpr int count = 500;
    std::shared_ptr<HandOff> frontEndMailbox;
    QMetaObject::invokeMethod(
        m_frontEnd, [&frontEndMailbox] { frontEndMailbox = HandOff::current(); },
        Qt::BlockingQueuedConnection);
    const quint64 wakeUpsBefore = HandOff::current()->wakeUps();
    const quint64 frontEndWakeUpsBefore = frontEndMailbox->wakeUps();
    QMetaObject::invokeMethod(
        m_frontEnd,
        [this] {
            for (int i = 0; i < count; ++i) {
                const RunningCommand command(CommandRegistryPrivate::get(m_registry.get())
                                                 ->prepare(invocation(QStringLiteral("where"), i)));
                command.start(m_frontEnd);
            }
        },
        Qt::BlockingQueuedConnection);
    QTRY_COMPARE(m_frontEnd->finished(), count);
    const quint64 wakeUps = HandOff::current()->wakeUps() - wakeUpsBefore;
    QVERIFY2(wakeUps <= 3,
             qPrintable(QStringLiteral("%1 wake-ups for %2 commands").arg(wakeUps).arg(count)));
    // And their results cross back the same way.
    const quint64 frontEndWakeUps = frontEndMailbox->wakeUps() - frontEndWakeUpsBefore;
    QVERIFY2(
        frontEndWakeUps <= 3,
        qPrintable(QStringLiteral("%1 wake-ups for %2 results").arg(frontEndWakeUps).arg(count)));
    int finished = 0;
    for (const Seen &event : m_frontEnd->seen()) {
        if (event.kind == QLatin1String("finished")) {
            QCOMPARE(event.requestId, QJsonValue(finished));
            QCOMPARE(event.detail, QStringLiteral("ok"));
            ++finished;
        }
    }
}

void tst_CommandRun::progressFromTheRegistryThreadArrivesInOrder()
{
    // Far more than the worker bound: the registry's thread never waits, and nothing is lost.
    constexpr int n = 20000;
    m_frontEnd->start(m_registry.get(),
                      invocation(QStringLiteral("burst"), 7, {{QStringLiteral("n"), n}}));
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    const QList<Seen> seen = m_frontEnd->seenOf(7);
    QCOMPARE(seen.size(), n + 2);
    for (int i = 1; i <= n; ++i) {
        QCOMPARE(seen.at(i).kind, QStringLiteral("progress"));
        QCOMPARE(seen.at(i).detail, QString::number(i));
    }
    QCOMPARE(seen.last().detail, QStringLiteral("ok"));
}

void tst_CommandRun::cancelBeforeTheHandlerRanNeverRunsIt()
{
    // Start and cancel reach the main thread in one batch, while it is busy here.
    QMetaObject::invokeMethod(
        m_frontEnd,
        [this] {
            const RunningCommand command(CommandRegistryPrivate::get(m_registry.get())
                                             ->prepare(invocation(QStringLiteral("gate"), 1)));
            command.start(m_frontEnd);
            command.cancel();
        },
        Qt::BlockingQueuedConnection);
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    QCOMPARE(m_frontEnd->seen().last().detail, QStringLiteral("cancelled"));
    QCOMPARE(m_gateRuns, 0);
}

void tst_CommandRun::cancelAfterTheEffectKeepsTheResult()
{
    const RunningCommand command =
        m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("hold"), 2));
    QTRY_VERIFY(m_held);
    // The handler applies its effect and answers; the cancel crosses after that.
    m_held->succeed(QStringLiteral("applied"));
    m_frontEnd->cancel(command);
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    QCOMPARE(m_frontEnd->seen().last().detail, QStringLiteral("ok"));
    QCOMPARE(m_heldCancelRequests, 0);
}

void tst_CommandRun::cancelOfARunningHandlerReachesIt()
{
    const RunningCommand command =
        m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("hold"), 3));
    QTRY_VERIFY(m_held);
    m_frontEnd->cancel(command);
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    QCOMPARE(m_frontEnd->seen().last().detail, QStringLiteral("cancelled"));
    QCOMPARE(m_heldCancelRequests, 1);
    // Its context goes once the result is in and the handler is done with it.
    QTRY_VERIFY(!m_held);
}

void tst_CommandRun::timeoutOnTheFrontEndStopsTheHandler()
{
    CommandInvocation timed = invocation(QStringLiteral("hold"), 4);
    timed.timeout = 50ms;
    m_frontEnd->start(m_registry.get(), timed);
    QTRY_VERIFY(m_held);
    QTRY_COMPARE(m_frontEnd->finished(), 1);
    QCOMPARE(m_frontEnd->seen().last().detail, QStringLiteral("timeout"));
    QTRY_COMPARE(m_heldCancelRequests, 1);
    QTRY_VERIFY(!m_held);
    QCOMPARE(m_frontEnd->finished(), 1);
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandRun::rejectedRequestNeverCrossesThreads()
{
    const quint64 wakeUpsBefore = HandOff::current()->wakeUps();
    m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("nope"), 5));
    m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("burst"), 6,
                                                   {{QStringLiteral("n"), QStringLiteral("x")}}));
    QTRY_COMPARE(m_frontEnd->finished(), 2);
    const QList<Seen> seen = m_frontEnd->seen();
    QCOMPARE(seen.size(), 2);
    QCOMPARE(seen.at(0).detail, QStringLiteral("unknown_command"));
    QCOMPARE(seen.at(1).detail, QStringLiteral("invalid_args"));
    QCOMPARE(HandOff::current()->wakeUps(), wakeUpsBefore);
}

void tst_CommandRun::registrySignalsCarryValuesToAnyThread()
{
    // Default connections: emitted on the front end's thread, delivered here by value.
    QList<CommandInfo> started;
    QList<std::pair<CommandInfo, CommandResult>> finished;
    QList<QThread *> threads;
    connect(m_registry.get(), &CommandRegistry::commandStarted, this, [&](const CommandInfo &info) {
        started.append(info);
        threads.append(QThread::currentThread());
    });
    connect(m_registry.get(), &CommandRegistry::commandFinished, this,
            [&](const CommandInfo &info, const CommandResult &result) {
                finished.append({info, result});
                threads.append(QThread::currentThread());
            });
    m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("where"), QStringLiteral("a")));
    m_frontEnd->start(m_registry.get(), invocation(QStringLiteral("nope"), QStringLiteral("b")));
    QTRY_COMPARE(finished.size(), 1);
    QTRY_COMPARE(m_frontEnd->finished(), 2);
    // Rejected requests never start, so neither signal tells of them.
    QCOMPARE(started.size(), 1);
    QCOMPARE(started.at(0).command, QStringLiteral("where"));
    QCOMPARE(started.at(0).requestId, QJsonValue(QStringLiteral("a")));
    QCOMPARE(finished.at(0).first.serial, started.at(0).serial);
    QVERIFY(finished.at(0).second.isSuccess());
    for (QThread *thread : threads)
        QCOMPARE(thread, QThread::currentThread());
}

void tst_CommandRun::postsToAnEndedThreadAreDropped()
{
    std::shared_ptr<HandOff> ended;
    QThread thread;
    connect(&thread, &QThread::started, [&ended] { ended = HandOff::current(); });
    thread.start();
    QTRY_VERIFY(ended);
    thread.quit();
    QVERIFY(thread.wait());
    const auto run = CommandRegistryPrivate::get(m_registry.get())
                         ->prepare(invocation(QStringLiteral("where"), 8));
    // Dropped once the mailbox is closed (the thread's last act, just after wait() may return),
    // so it holds the run no longer.
    ended->post({HandOff::Kind::Result, run, CommandResult::success()});
    QTRY_COMPARE(run.use_count(), 1);
}

QTEST_MAIN(tst_CommandRun)
#include "tst_commandrun.moc"
