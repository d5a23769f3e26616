// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// A running command (KJob-like): one result, ordered progress, cancel, timeout, threads and
// self-deletion, without sockets.

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QSemaphore>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <atomic>
#include <stdexcept>

using namespace CommandBridge;
using namespace std::chrono_literals;

namespace QTest {
template <> inline char *toString(const QJsonValue &value)
{
    if (value.isUndefined())
        return qstrdup("undefined");
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return qstrdup(json.mid(1, json.size() - 2).constData());
}
} // namespace QTest

Q_DECLARE_METATYPE(CommandBridge::ExecutionMode)

namespace {

QString commandFor(ExecutionMode mode)
{
    switch (mode) {
    case ExecutionMode::Synchronous:
        return QStringLiteral("sync");
    case ExecutionMode::EventLoop:
        return QStringLiteral("loop");
    case ExecutionMode::WorkerPool:
        return QStringLiteral("pool");
    }
    return QString();
}

CommandResult resultAt(const QSignalSpy &spy, int index = 0)
{
    return spy.at(index).at(0).value<CommandResult>();
}

CommandProgress progressAt(const QSignalSpy &spy, int index)
{
    return spy.at(index).at(0).value<CommandProgress>();
}

} // namespace

class tst_CommandContext : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void handlerSeesItsRequest();
    void onlyTheFirstResultCounts_data();
    void onlyTheFirstResultCounts();
    void progressAfterResultIsDiscarded_data();
    void progressAfterResultIsDiscarded();
    void percentIsClampedAndNeverDecreases();
    void cancelFinishesOnceWithCancelled();
    void abortFinishesWithItsCode();
    void timeoutFinishesWithTimeout();
    void workerPoolProgressArrivesInOrderOnContextThread();
    void throwingHandlerIsInternal_data();
    void throwingHandlerIsInternal();
    void handlerWithoutResultIsInternal_data();
    void handlerWithoutResultIsInternal();
    void eventLoopHandlerFinishesLater();
    void contextDeletesItselfAfterFinishing_data();
    void contextDeletesItselfAfterFinishing();
    void contextOutlivesRunningWorkerHandler();

private:
    /// Runs \a handler as the handler of a command in \a mode; returns the started context.
    CommandContext *start(ExecutionMode mode, std::function<void(CommandContext &)> handler,
                          std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    std::unique_ptr<CommandRegistry> m_registry;
    std::function<void(CommandContext &)> m_handler;
    // Test-side spies of the context started last, connected before start().
    std::unique_ptr<QSignalSpy> m_finished;
    std::unique_ptr<QSignalSpy> m_progressed;
    std::unique_ptr<QSignalSpy> m_cancelRequested;
};

void tst_CommandContext::initTestCase()
{
    qRegisterMetaType<CommandResult>();
    qRegisterMetaType<CommandProgress>();
}

void tst_CommandContext::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    for (ExecutionMode mode :
         {ExecutionMode::Synchronous, ExecutionMode::EventLoop, ExecutionMode::WorkerPool}) {
        CommandDescriptor descriptor;
        descriptor.name = commandFor(mode);
        descriptor.description = QStringLiteral("Runs the test's handler");
        descriptor.mode = mode;
        descriptor.handler = [this](CommandContext &context) {
            m_handler(context);
        };
        QVERIFY(m_registry->registerCommand(descriptor));
    }
}

void tst_CommandContext::cleanup()
{
    m_finished.reset();
    m_progressed.reset();
    m_cancelRequested.reset();
    m_registry.reset();
    m_handler = nullptr;
}

CommandContext *tst_CommandContext::start(ExecutionMode mode,
                                          std::function<void(CommandContext &)> handler,
                                          std::optional<std::chrono::milliseconds> timeout)
{
    m_handler = std::move(handler);
    CommandInvocation invocation;
    invocation.command = commandFor(mode);
    invocation.args = QJsonObject{{QStringLiteral("x"), 1}};
    invocation.requestId = QJsonValue(QStringLiteral("r1"));
    invocation.session = std::make_shared<Session>(QStringLiteral("s1"));
    invocation.timeout = timeout;
    CommandContext *context = m_registry->createCommand(invocation);
    m_finished = std::make_unique<QSignalSpy>(context, &CommandContext::finished);
    m_progressed = std::make_unique<QSignalSpy>(context, &CommandContext::progressed);
    m_cancelRequested = std::make_unique<QSignalSpy>(context, &CommandContext::cancelRequested);
    context->start();
    return context;
}

void tst_CommandContext::handlerSeesItsRequest()
{
    QString command;
    QJsonObject args;
    QJsonValue requestId;
    QString sessionId;
    start(ExecutionMode::Synchronous, [&](CommandContext &context) {
        command = context.command();
        args = context.args();
        requestId = context.requestId();
        sessionId = context.session() ? context.session()->id() : QString();
        context.succeed();
    });
    QTRY_COMPARE(m_finished->count(), 1);
    QCOMPARE(command, QStringLiteral("sync"));
    QCOMPARE(args, (QJsonObject{{QStringLiteral("x"), 1},
                                {QStringLiteral("session_id"), QStringLiteral("s1")}}));
    QCOMPARE(requestId, QJsonValue(QStringLiteral("r1")));
    QCOMPARE(sessionId, QStringLiteral("s1"));
    QVERIFY(resultAt(*m_finished).isSuccess());
    QCOMPARE(resultAt(*m_finished).value(), QJsonValue(QJsonValue::Null));
}

void tst_CommandContext::onlyTheFirstResultCounts_data()
{
    QTest::addColumn<ExecutionMode>("mode");
    QTest::addColumn<QStringList>("actions"); // "ok:N" succeeds with N, "fail:CODE" fails
    QTest::addColumn<bool>("success");
    QTest::addColumn<QString>("code");
    QTest::addColumn<int>("value");

    const struct
    {
        const char *name;
        ExecutionMode mode;
    } modes[] = {{"synchronous", ExecutionMode::Synchronous},
                 {"event loop", ExecutionMode::EventLoop},
                 {"worker pool", ExecutionMode::WorkerPool}};
    for (const auto &mode : modes) {
        QTest::addRow("%s: succeed twice", mode.name)
            << mode.mode << QStringList{QStringLiteral("ok:1"), QStringLiteral("ok:2")} << true
            << QString() << 1;
        QTest::addRow("%s: fail after succeed", mode.name)
            << mode.mode << QStringList{QStringLiteral("ok:1"), QStringLiteral("fail:late")} << true
            << QString() << 1;
        QTest::addRow("%s: succeed after fail", mode.name)
            << mode.mode << QStringList{QStringLiteral("fail:first"), QStringLiteral("ok:2")}
            << false << QStringLiteral("first") << 0;
        QTest::addRow("%s: fail twice", mode.name)
            << mode.mode << QStringList{QStringLiteral("fail:first"), QStringLiteral("fail:second")}
            << false << QStringLiteral("first") << 0;
    }
}

void tst_CommandContext::onlyTheFirstResultCounts()
{
    QFETCH(ExecutionMode, mode);
    QFETCH(QStringList, actions);
    QFETCH(bool, success);
    QFETCH(QString, code);
    QFETCH(int, value);

    const auto act = [actions](CommandContext &context) {
        for (const QString &action : actions) {
            const QString argument = action.section(QLatin1Char(':'), 1);
            if (action.startsWith(QLatin1String("ok:")))
                context.succeed(argument.toInt());
            else
                context.fail(argument, QStringLiteral("failed: ") + argument);
        }
    };
    QPointer<CommandContext> context = start(mode, [mode, act](CommandContext &context) {
        if (mode == ExecutionMode::EventLoop)
            QTimer::singleShot(0, &context, [act, &context] { act(context); });
        else
            act(context);
    });

    QTRY_COMPARE(m_finished->count(), 1);
    // Once the context is gone nothing more can come: still exactly one result.
    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    const CommandResult result = resultAt(*m_finished);
    QCOMPARE(result.isSuccess(), success);
    if (success) {
        QCOMPARE(result.value(), QJsonValue(value));
    } else {
        QCOMPARE(result.errorCode(), code);
        QCOMPARE(result.errorMessage(), QStringLiteral("failed: ") + code);
    }
    QCOMPARE(m_cancelRequested->count(), 0);
}

void tst_CommandContext::progressAfterResultIsDiscarded_data()
{
    QTest::addColumn<ExecutionMode>("mode");

    QTest::newRow("synchronous") << ExecutionMode::Synchronous;
    QTest::newRow("event loop") << ExecutionMode::EventLoop;
    QTest::newRow("worker pool") << ExecutionMode::WorkerPool;
}

void tst_CommandContext::progressAfterResultIsDiscarded()
{
    QFETCH(ExecutionMode, mode);

    const auto act = [](CommandContext &context) {
        context.reportProgress(QStringLiteral("before"), 10);
        context.succeed(QStringLiteral("done"));
        context.reportProgress(QStringLiteral("after"), 90);
        context.reportProgress(QStringLiteral("after, unknown"));
    };
    QPointer<CommandContext> context = start(mode, [mode, act](CommandContext &context) {
        if (mode == ExecutionMode::EventLoop)
            QTimer::singleShot(0, &context, [act, &context] { act(context); });
        else
            act(context);
    });

    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    QCOMPARE(resultAt(*m_finished).value(), QJsonValue(QStringLiteral("done")));
    QCOMPARE(m_progressed->count(), 1);
    QCOMPARE(progressAt(*m_progressed, 0).message, QStringLiteral("before"));
    QCOMPARE(progressAt(*m_progressed, 0).percent, std::optional<double>(10.0));
}

void tst_CommandContext::percentIsClampedAndNeverDecreases()
{
    const QList<double> reported = {0, 50, 30, 150, -1, 70, -5, 100, 120};
    const QList<std::optional<double>> expected = {0.0,   50.0,         50.0,  100.0, std::nullopt,
                                                   100.0, std::nullopt, 100.0, 100.0};

    start(ExecutionMode::Synchronous, [&reported](CommandContext &context) {
        for (qsizetype i = 0; i < reported.size(); ++i)
            context.reportProgress(QStringLiteral("report %1").arg(i), reported.at(i));
        context.succeed();
    });

    QTRY_COMPARE(m_finished->count(), 1);
    QCOMPARE(m_progressed->count(), int(expected.size()));
    for (int i = 0; i < m_progressed->count(); ++i) {
        const CommandProgress progress = progressAt(*m_progressed, i);
        QCOMPARE(progress.message, QStringLiteral("report %1").arg(i));
        QCOMPARE(progress.percent, expected.at(i));
    }

    // Unknown first, then known: unknown never counts as a floor.
    start(ExecutionMode::Synchronous, [](CommandContext &context) {
        context.reportProgress(QStringLiteral("a"));
        context.reportProgress(QStringLiteral("b"), 5);
        context.reportProgress(QStringLiteral("c"), 4.5);
        context.succeed();
    });
    QTRY_COMPARE(m_finished->count(), 1);
    QCOMPARE(m_progressed->count(), 3);
    QCOMPARE(progressAt(*m_progressed, 0).percent, std::optional<double>());
    QCOMPARE(progressAt(*m_progressed, 1).percent, std::optional<double>(5.0));
    QCOMPARE(progressAt(*m_progressed, 2).percent, std::optional<double>(5.0));
}

void tst_CommandContext::cancelFinishesOnceWithCancelled()
{
    int handlerSawCancel = 0;
    QPointer<CommandContext> context =
        start(ExecutionMode::EventLoop, [&](CommandContext &context) {
            connect(&context, &CommandContext::cancelRequested, &context,
                    [&handlerSawCancel, &context] {
                        ++handlerSawCancel;
                        // A handler that reacts with a result or progress cannot replace the
                        // cancel.
                        context.reportProgress(QStringLiteral("stopping"), 99);
                        context.fail(QStringLiteral("late"), QStringLiteral("too late"));
                    });
        });
    QVERIFY(context);
    QVERIFY(!context->isCancelled());
    QCOMPARE(m_registry->inFlightCount(), 1);

    context->cancel();
    QVERIFY(context->isCancelled());
    context->cancel();
    context->abort(ErrorCode::Timeout, QStringLiteral("Command timed out after 1 ms"));

    QTRY_COMPARE(m_finished->count(), 1);
    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    QCOMPARE(m_cancelRequested->count(), 1);
    QCOMPARE(handlerSawCancel, 1);
    QCOMPARE(m_progressed->count(), 0);
    const CommandResult result = resultAt(*m_finished);
    QVERIFY(!result.isSuccess());
    QCOMPARE(result.errorCode(), QStringLiteral("cancelled"));
    QCOMPARE(result.errorMessage(), QStringLiteral("Command cancelled"));
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandContext::abortFinishesWithItsCode()
{
    QPointer<CommandContext> context = start(ExecutionMode::EventLoop, [](CommandContext &) {});
    context->abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    QTRY_COMPARE(m_finished->count(), 1);
    QTRY_VERIFY(!context);
    QCOMPARE(m_cancelRequested->count(), 1);
    QCOMPARE(resultAt(*m_finished).errorCode(), QStringLiteral("shutting_down"));
    QCOMPARE(resultAt(*m_finished).errorMessage(), QStringLiteral("Server is shutting down"));
}

void tst_CommandContext::timeoutFinishesWithTimeout()
{
    QPointer<CommandContext> context = start(
        ExecutionMode::EventLoop, [](CommandContext &) {}, 50ms);
    QCOMPARE(context->timeout(), 50ms);
    QTRY_COMPARE(m_finished->count(), 1);
    QCOMPARE(m_cancelRequested->count(), 1);
    const CommandResult result = resultAt(*m_finished);
    QCOMPARE(result.errorCode(), QStringLiteral("timeout"));
    QCOMPARE(result.errorMessage(), QStringLiteral("Command timed out after 50 ms"));
    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandContext::workerPoolProgressArrivesInOrderOnContextThread()
{
    constexpr int reports = 200;
    std::atomic<QThread *> handlerThread{nullptr};
    QList<QThread *> deliveryThreads;
    QStringList messages;
    QList<double> percents;
    int progressAtResult = -1;

    m_handler = nullptr;
    CommandInvocation invocation;
    invocation.command = commandFor(ExecutionMode::WorkerPool);
    QPointer<CommandContext> context = m_registry->createCommand(invocation);
    connect(context, &CommandContext::progressed, this, [&](const CommandProgress &progress) {
        deliveryThreads.append(QThread::currentThread());
        messages.append(progress.message);
        percents.append(progress.percent.value_or(-1));
    });
    QSignalSpy finished(context, &CommandContext::finished);
    connect(context, &CommandContext::finished, this,
            [&] { progressAtResult = int(messages.size()); });
    m_handler = [&handlerThread](CommandContext &context) {
        handlerThread = QThread::currentThread();
        for (int i = 1; i <= reports; ++i)
            context.reportProgress(QStringLiteral("step %1").arg(i), 100.0 * i / reports);
        context.succeed(reports);
    };
    context->start();

    QTRY_COMPARE(finished.count(), 1);
    QTRY_VERIFY(!context);
    QVERIFY(handlerThread.load());
    QVERIFY(handlerThread.load() != QThread::currentThread());
    QCOMPARE(finished.at(0).at(0).value<CommandResult>().value(), QJsonValue(reports));
    // Every report, in order, on the context's (this) thread, all before the result.
    QCOMPARE(progressAtResult, reports);
    QCOMPARE(messages.size(), reports);
    for (int i = 0; i < reports; ++i) {
        QCOMPARE(messages.at(i), QStringLiteral("step %1").arg(i + 1));
        QCOMPARE(percents.at(i), 100.0 * (i + 1) / reports);
        QCOMPARE(deliveryThreads.at(i), QThread::currentThread());
    }
}

void tst_CommandContext::throwingHandlerIsInternal_data()
{
    QTest::addColumn<ExecutionMode>("mode");

    QTest::newRow("synchronous") << ExecutionMode::Synchronous;
    QTest::newRow("event loop") << ExecutionMode::EventLoop;
    QTest::newRow("worker pool") << ExecutionMode::WorkerPool;
}

void tst_CommandContext::throwingHandlerIsInternal()
{
    QFETCH(ExecutionMode, mode);

    QPointer<CommandContext> context = start(mode, [](CommandContext &context) {
        context.reportProgress(QStringLiteral("about to throw"), 10);
        throw std::runtime_error("boom");
    });
    QTRY_COMPARE(m_finished->count(), 1);
    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    const CommandResult result = resultAt(*m_finished);
    QCOMPARE(result.errorCode(), QStringLiteral("internal"));
    QCOMPARE(result.errorMessage(), QStringLiteral("Handler threw: boom"));
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandContext::handlerWithoutResultIsInternal_data()
{
    QTest::addColumn<ExecutionMode>("mode");

    QTest::newRow("synchronous") << ExecutionMode::Synchronous;
    QTest::newRow("worker pool") << ExecutionMode::WorkerPool;
}

void tst_CommandContext::handlerWithoutResultIsInternal()
{
    QFETCH(ExecutionMode, mode);

    QPointer<CommandContext> context = start(mode, [](CommandContext &context) {
        context.reportProgress(QStringLiteral("working"), 50);
    });
    QTRY_COMPARE(m_finished->count(), 1);
    QTRY_VERIFY(!context);
    const CommandResult result = resultAt(*m_finished);
    QCOMPARE(result.errorCode(), QStringLiteral("internal"));
    QCOMPARE(result.errorMessage(), QStringLiteral("Handler returned without a result"));
    QCOMPARE(m_progressed->count(), 1);
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandContext::eventLoopHandlerFinishesLater()
{
    bool handlerReturned = false;
    QPointer<CommandContext> context =
        start(ExecutionMode::EventLoop, [&handlerReturned](CommandContext &context) {
            QTimer::singleShot(20, &context, [&context] {
                context.reportProgress(QStringLiteral("later"), 50);
                context.succeed(QStringLiteral("later"));
            });
            handlerReturned = true;
        });
    QVERIFY(handlerReturned);
    QCOMPARE(m_finished->count(), 0); // returning without a result is fine on the event loop
    QVERIFY(context);
    QCOMPARE(m_registry->inFlightCount(), 1);
    QTRY_COMPARE(m_finished->count(), 1);
    QVERIFY(resultAt(*m_finished).isSuccess());
    QCOMPARE(resultAt(*m_finished).value(), QJsonValue(QStringLiteral("later")));
    QCOMPARE(m_progressed->count(), 1);
    QTRY_VERIFY(!context);
}

void tst_CommandContext::contextDeletesItselfAfterFinishing_data()
{
    QTest::addColumn<ExecutionMode>("mode");
    QTest::addColumn<bool>("cancel");

    QTest::newRow("synchronous") << ExecutionMode::Synchronous << false;
    QTest::newRow("event loop") << ExecutionMode::EventLoop << false;
    QTest::newRow("worker pool") << ExecutionMode::WorkerPool << false;
    QTest::newRow("event loop, cancelled") << ExecutionMode::EventLoop << true;
}

void tst_CommandContext::contextDeletesItselfAfterFinishing()
{
    QFETCH(ExecutionMode, mode);
    QFETCH(bool, cancel);

    QPointer<CommandContext> context = start(mode, [mode, cancel](CommandContext &context) {
        if (mode == ExecutionMode::EventLoop && cancel)
            return;
        if (mode == ExecutionMode::EventLoop)
            QTimer::singleShot(0, &context, [&context] { context.succeed(); });
        else
            context.succeed();
    });
    if (cancel)
        context->cancel();
    QTRY_COMPARE(m_finished->count(), 1);
    QTRY_VERIFY(!context);
    QVERIFY(m_registry->findChildren<CommandContext *>().isEmpty());
}

void tst_CommandContext::contextOutlivesRunningWorkerHandler()
{
    QSemaphore resume;
    std::atomic<bool> sawCancelled{false};
    std::atomic<bool> handlerDone{false};
    QPointer<CommandContext> context =
        start(ExecutionMode::WorkerPool, [&](CommandContext &context) {
            context.reportProgress(QStringLiteral("first"), 10);
            // Bounded: the test releases it, or it gives up after 10 s.
            while (!context.isCancelled() && !resume.tryAcquire(1, 10))
                ;
            sawCancelled = context.isCancelled();
            // Still safe to touch the context: it must not be deleted while the handler runs.
            context.reportProgress(QStringLiteral("after cancel"), 50);
            context.succeed(QStringLiteral("ignored"));
            resume.tryAcquire(1, 10000);
            context.reportProgress(QStringLiteral("even later"), 60);
            handlerDone = true;
        });

    QTRY_COMPARE(m_progressed->count(), 1);
    context->cancel();
    QTRY_COMPARE(m_finished->count(), 1);
    QCOMPARE(resultAt(*m_finished).errorCode(), QStringLiteral("cancelled"));
    QTRY_VERIFY(sawCancelled.load());

    // Let queued and deferred events run once: the context must survive its running handler.
    bool ticked = false;
    QTimer::singleShot(0, this, [&ticked] { ticked = true; });
    QTRY_VERIFY(ticked);
    QVERIFY(context);

    resume.release();
    QTRY_VERIFY(handlerDone.load());
    QTRY_VERIFY(!context);
    QCOMPARE(m_finished->count(), 1);
    QCOMPARE(m_progressed->count(), 1);
    QCOMPARE(m_cancelRequested->count(), 1);
}

QTEST_GUILESS_MAIN(tst_CommandContext)
#include "tst_commandcontext.moc"
