// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The epoll event dispatcher of the network threads, on a real QThread: timers, posted events,
// wake-ups, quitting, socket notifiers (also ones changed during a pass), TCP and WebSocket
// traffic, and thousands of idle sockets beside an active one.

#include "epolleventdispatcher_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtCore/QSocketNotifier>
#include <QtCore/QTemporaryFile>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>
#include <vector>

using namespace CommandBridge;

namespace {

/// Lives on the test's thread, so QSignalSpy sees its signals there: objects on the dispatcher's
/// thread reach it only through queued connections.
class Probe : public QObject
{
    Q_OBJECT

Q_SIGNALS:
    void hit();
    void value(int value);
    void bytes(const QByteArray &data);
    void text(const QString &text);

public:
    // Callable from any thread.
    void hitLater()
    {
        QMetaObject::invokeMethod(
            this, [this] { Q_EMIT hit(); }, Qt::QueuedConnection);
    }
    void valueLater(int v)
    {
        QMetaObject::invokeMethod(
            this, [this, v] { Q_EMIT value(v); }, Qt::QueuedConnection);
    }
    void bytesLater(const QByteArray &data)
    {
        QMetaObject::invokeMethod(
            this, [this, data] { Q_EMIT bytes(data); }, Qt::QueuedConnection);
    }
    void textLater(const QString &t)
    {
        QMetaObject::invokeMethod(
            this, [this, t] { Q_EMIT text(t); }, Qt::QueuedConnection);
    }
};

/// A QThread running its event loop on an EpollEventDispatcher. run() executes a function there
/// and returns its result; objects made there go under scope(), which is deleted there as the
/// thread finishes (also when a test quits the thread itself).
///
/// Declare it after whatever its thread uses (probes, buffers, fds), so that it stops first.
class DispatcherThread
{
public:
    DispatcherThread()
        : m_dispatcher(new EpollEventDispatcher)
    {
        m_thread.setEventDispatcher(m_dispatcher);
        m_context->moveToThread(&m_thread);
        m_scope->moveToThread(&m_thread);
        // Direct connections, made before the thread starts: they run on the worker thread.
        QObject::connect(m_dispatcher, &QAbstractEventDispatcher::aboutToBlock,
                         [this] { m_waiting = true; });
        QObject::connect(m_dispatcher, &QAbstractEventDispatcher::awake,
                         [this] { m_waiting = false; });
        // While its dispatcher still exists.
        QObject::connect(&m_thread, &QThread::finished, [this] {
            delete m_scope;
            delete m_context;
        });
        m_thread.start();
    }
    ~DispatcherThread() { stop(); }
    DispatcherThread(const DispatcherThread &) = delete;
    DispatcherThread &operator=(const DispatcherThread &) = delete;

    template <typename Function> auto run(Function function)
    {
        using Result = std::invoke_result_t<Function>;
        if constexpr (std::is_void_v<Result>) {
            QMetaObject::invokeMethod(m_context, std::move(function), Qt::BlockingQueuedConnection);
        } else {
            Result result{};
            QMetaObject::invokeMethod(m_context, std::move(function), Qt::BlockingQueuedConnection,
                                      &result);
            return result;
        }
    }

    void stop()
    {
        m_thread.quit();
        m_thread.wait();
    }

    QThread *thread() { return &m_thread; }
    /// Between aboutToBlock() and awake(): the loop waits for events, or is about to.
    bool isWaiting() const { return m_waiting; }
    QObject *scope() const { return m_scope; }
    QObject *context() const { return m_context; }
    /// Deleted by the thread when it finishes.
    EpollEventDispatcher *dispatcher() const { return m_dispatcher; }

private:
    QThread m_thread;
    EpollEventDispatcher *m_dispatcher;
    QObject *m_context = new QObject;
    QObject *m_scope = new QObject;
    std::atomic<bool> m_waiting{false};
};

/// Hands its timer events to a function.
class TimerObject : public QObject
{
public:
    using QObject::QObject;
    std::function<void(TimerObject *, int timerId)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        if (onTimer)
            onTimer(this, event->timerId());
    }
};

/// Connected AF_UNIX stream sockets, closed on destruction.
struct SocketPair
{
    std::array<int, 2> fds{{-1, -1}};

    SocketPair()
    {
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds.data());
    }
    ~SocketPair()
    {
        for (int fd : fds) {
            if (fd >= 0)
                ::close(fd);
        }
    }
    SocketPair(const SocketPair &) = delete;
    SocketPair &operator=(const SocketPair &) = delete;

    bool isValid() const { return fds[0] >= 0 && fds[1] >= 0; }
    /// Makes fds[0] readable.
    bool sendByte() const { return ::write(fds[1], "x", 1) == 1; }
};

/// Echoes everything its clients send.
QTcpServer *startEchoServer(QObject *parent)
{
    auto *server = new QTcpServer(parent);
    server->listen(QHostAddress::LocalHost, 0);
    QObject::connect(server, &QTcpServer::newConnection, server, [server] {
        while (QTcpSocket *socket = server->nextPendingConnection()) {
            QObject::connect(socket, &QTcpSocket::readyRead, socket,
                             [socket] { socket->write(socket->readAll()); });
        }
    });
    return server;
}

/// Drains what the pass that ran the current function left pending, so that the next
/// processEvents() call starts from an idle dispatcher.
void drain(QAbstractEventDispatcher *dispatcher)
{
    for (int i = 0; i < 10 && dispatcher->processEvents(QEventLoop::AllEvents); ++i) {
    }
}

} // namespace

class tst_EpollEventDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void threadRunsOnTheEpollDispatcher();

    // Timers
    void singleShotTimerFiresOnceAndStopsItself();
    void repeatingTimerFiresAtRoughlyItsInterval_data();
    void repeatingTimerFiresAtRoughlyItsInterval();
    void veryCoarseTimerFiresOnWholeSeconds();
    void timerKilledInsideAnotherTimersEventDoesNotFire();
    void eachTimerFiresAtMostOncePerPass();
    void nestedLoopInATimerEventNeitherRecursesNorRefires();
    void restartingZeroTimerDoesNotStarvePostedEvents();
    void registeredTimersReportIntervalsAndRemainingTime();
    void timersFollowAnObjectMovedToAnotherThread();

    // Posted events, wake-ups, quitting
    void queuedCallsFromAnotherThreadWakeTheBlockedLoop();
    void deleteLaterIsProcessed();
    void quitEndsTheLoopWhileATimerIsPending();
    void interruptMakesABlockingProcessEventsReturn();
    void processEventsReportsWhetherItDidWork();

    // Socket notifiers
    void excludeSocketNotifiersLeavesReadySocketsAlone();
    void notifierRemovedDuringAnotherActivationIsNotActivated_data();
    void notifierRemovedDuringAnotherActivationIsNotActivated();
    void notifierOnRegularFileIsAlwaysReady();
    void writeNotifierEnabledDuringAPassOnAWritableSocketFiresInThatPass();
    void writeNotifierEnabledByAPostedEventFiresBeforeThePassStarts();
    void writeNotifierOnAFullSocketWaitsUntilItDrains();
    void tcpServerAndSocketExchangeData();
    void activePairRoundTripsBesideThousandsOfIdleSockets();
    void webSocketRoundTrip();
};

void tst_EpollEventDispatcher::threadRunsOnTheEpollDispatcher()
{
    DispatcherThread worker;
    QVERIFY(worker.dispatcher()->isValid());
    auto *running = worker.run([] { return QAbstractEventDispatcher::instance(); });
    QCOMPARE(running, static_cast<QAbstractEventDispatcher *>(worker.dispatcher()));
}

void tst_EpollEventDispatcher::singleShotTimerFiresOnceAndStopsItself()
{
    Probe probe;
    QSignalSpy fired(&probe, &Probe::hit);
    QSignalSpy later(&probe, &Probe::value);
    DispatcherThread worker;

    auto *timer = worker.run([&] {
        auto *singleShot = new QTimer(worker.scope());
        singleShot->setSingleShot(true);
        singleShot->setInterval(10);
        QObject::connect(singleShot, &QTimer::timeout, &probe, &Probe::hit);
        singleShot->start();
        // Long after the single shot: by then a second shot would have come.
        auto *sentinel = new QTimer(worker.scope());
        sentinel->setSingleShot(true);
        QObject::connect(sentinel, &QTimer::timeout, sentinel, [&probe] { probe.valueLater(1); });
        sentinel->start(200);
        return singleShot;
    });

    QTRY_COMPARE(later.size(), 1);
    QCOMPARE(fired.size(), 1);
    const bool active = worker.run([timer] { return timer->isActive(); });
    QVERIFY(!active);
    const auto registered =
        worker.run([&] { return worker.dispatcher()->registeredTimers(timer); });
    QVERIFY(registered.isEmpty());
}

void tst_EpollEventDispatcher::repeatingTimerFiresAtRoughlyItsInterval_data()
{
    QTest::addColumn<Qt::TimerType>("type");
    QTest::newRow("precise") << Qt::PreciseTimer;
    QTest::newRow("coarse") << Qt::CoarseTimer;
}

void tst_EpollEventDispatcher::repeatingTimerFiresAtRoughlyItsInterval()
{
    QFETCH(Qt::TimerType, type);
    Probe probe;
    QSignalSpy fired(&probe, &Probe::hit);
    DispatcherThread worker;

    QElapsedTimer elapsed;
    elapsed.start();
    worker.run([&] {
        auto *timer = new QTimer(worker.scope());
        timer->setTimerType(type);
        QObject::connect(timer, &QTimer::timeout, &probe, &Probe::hit);
        timer->start(20);
    });

    QTRY_VERIFY_WITH_TIMEOUT(fired.size() >= 10, 10000);
    // Never early; late only by a generous margin (loaded machines, sanitizers).
    QVERIFY2(elapsed.elapsed() >= 190, QByteArray::number(elapsed.elapsed()).constData());
    QVERIFY2(elapsed.elapsed() < 5000, QByteArray::number(elapsed.elapsed()).constData());
}

void tst_EpollEventDispatcher::veryCoarseTimerFiresOnWholeSeconds()
{
    Probe probe;
    QSignalSpy fired(&probe, &Probe::hit);
    DispatcherThread worker;

    QElapsedTimer elapsed;
    elapsed.start();
    const auto registered = worker.run([&] {
        auto *timer = new QTimer(worker.scope());
        timer->setTimerType(Qt::VeryCoarseTimer);
        QObject::connect(timer, &QTimer::timeout, &probe, &Probe::hit);
        timer->start(1400); // rounded to 1 s, as Qt does
        return worker.dispatcher()->registeredTimers(timer);
    });
    QCOMPARE(registered.size(), 1);
    QCOMPARE(registered.first().interval, 1000);
    QCOMPARE(registered.first().timerType, Qt::VeryCoarseTimer);

    // The first deadline is rounded to a whole second (0.5 to 1.5 s away), the second is 1 s on.
    QTRY_VERIFY_WITH_TIMEOUT(fired.size() >= 2, 10000);
    QVERIFY2(elapsed.elapsed() >= 1400, QByteArray::number(elapsed.elapsed()).constData());
}

void tst_EpollEventDispatcher::timerKilledInsideAnotherTimersEventDoesNotFire()
{
    Probe probe;
    QSignalSpy done(&probe, &Probe::hit);
    auto firedIds = std::make_shared<QList<int>>(); // used on the worker thread only
    DispatcherThread worker;

    const auto ids = worker.run([&] {
        auto *object = new TimerObject(worker.scope());
        // Same interval, started in order: the first is due first, in the same pass or earlier.
        const int first = object->startTimer(10, Qt::PreciseTimer);
        const int second = object->startTimer(10, Qt::PreciseTimer);
        object->onTimer = [firedIds, first, second](TimerObject *self, int id) {
            firedIds->append(id);
            if (id == first) {
                self->killTimer(first);
                self->killTimer(second);
            }
        };
        auto *sentinel = new QTimer(worker.scope());
        sentinel->setSingleShot(true);
        QObject::connect(sentinel, &QTimer::timeout, &probe, &Probe::hit);
        sentinel->start(150);
        return std::make_pair(first, second);
    });

    QTRY_COMPARE(done.size(), 1);
    const QList<int> fired = worker.run([firedIds] { return *firedIds; });
    QCOMPARE(fired, QList<int>{ids.first});
}

void tst_EpollEventDispatcher::eachTimerFiresAtMostOncePerPass()
{
    DispatcherThread worker;
    // Driven by hand, one processEvents() call per pass, on the worker thread.
    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        auto *repeating = new TimerObject(worker.scope());
        auto *restarting = new TimerObject(worker.scope());
        int repeatingFired = 0;
        int restartingFired = 0;
        repeating->onTimer = [&](TimerObject *, int) {
            ++repeatingFired;
        };
        // A single-shot timer that starts its successor from its event, like a QTimer restarted
        // in its timeout slot: the successor is due at once, but belongs to the next pass.
        restarting->onTimer = [&](TimerObject *self, int id) {
            ++restartingFired;
            self->killTimer(id);
            self->startTimer(0);
        };
        repeating->startTimer(0);
        restarting->startTimer(0);

        QList<int> result;
        for (int pass = 0; pass < 3; ++pass) {
            dispatcher->processEvents(QEventLoop::AllEvents);
            result << repeatingFired << restartingFired;
        }
        delete repeating;
        delete restarting;
        return result;
    });
    QCOMPARE(counts, (QList<int>{1, 1, 2, 2, 3, 3}));
}

void tst_EpollEventDispatcher::nestedLoopInATimerEventNeitherRecursesNorRefires()
{
    DispatcherThread worker;
    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        auto *object = new TimerObject(worker.scope());
        int nestingFired = 0;
        int otherFired = 0;
        const int nesting = object->startTimer(0);
        const int other = object->startTimer(0);
        object->onTimer = [&](TimerObject *, int id) {
            if (id == other) {
                ++otherFired;
            } else if (id == nesting) {
                ++nestingFired;
                // Due again at once, but in its event: not delivered recursively. The other
                // timer fires here, and the outer pass must not fire it a second time.
                dispatcher->processEvents(QEventLoop::AllEvents);
            }
        };
        dispatcher->processEvents(QEventLoop::AllEvents);
        delete object;
        return QList<int>{nestingFired, otherFired};
    });
    QCOMPARE(counts, (QList<int>{1, 1}));
}

void tst_EpollEventDispatcher::restartingZeroTimerDoesNotStarvePostedEvents()
{
    Probe probe;
    QSignalSpy delivered(&probe, &Probe::hit);
    auto fired = std::make_shared<std::atomic<int>>(0);
    DispatcherThread worker;

    worker.run([&] {
        auto *object = new TimerObject(worker.scope());
        object->onTimer = [fired](TimerObject *self, int id) {
            ++*fired;
            self->killTimer(id);
            self->startTimer(0);
        };
        object->startTimer(0);
    });

    QMetaObject::invokeMethod(
        worker.context(), [&probe] { probe.hitLater(); }, Qt::QueuedConnection);
    QTRY_COMPARE(delivered.size(), 1);
    const int before = fired->load();
    QTRY_VERIFY(fired->load() > before + 10);
}

void tst_EpollEventDispatcher::registeredTimersReportIntervalsAndRemainingTime()
{
    DispatcherThread worker;
    struct Report
    {
        QString intervals;
        int remaining = 0;
        int remainingOfUnknown = 0;
        bool unregisteredSome = false;
        int leftAfterUnregistering = -1;
        bool unregisteredAgain = true;
    };
    const Report report = worker.run([&] {
        auto *dispatcher = worker.dispatcher();
        auto *object = new TimerObject(worker.scope());
        const int precise = object->startTimer(10000, Qt::PreciseTimer);
        const int veryCoarse = object->startTimer(1400, Qt::VeryCoarseTimer);
        const int longCoarse = object->startTimer(30000, Qt::CoarseTimer);
        const int coarse = object->startTimer(500, Qt::CoarseTimer);

        Report r;
        const auto infos = dispatcher->registeredTimers(object);
        for (int id : {precise, veryCoarse, longCoarse, coarse}) {
            for (const auto &info : infos) {
                if (info.timerId == id)
                    r.intervals +=
                        QStringLiteral("%1/%2 ").arg(info.interval).arg(int(info.timerType));
            }
        }
        r.remaining = dispatcher->remainingTime(precise);
        r.remainingOfUnknown = dispatcher->remainingTime(precise + 1000);
        // Bypasses QObject's bookkeeping on purpose: the dispatcher's own answers are tested.
        r.unregisteredSome = dispatcher->unregisterTimers(object);
        r.leftAfterUnregistering = int(dispatcher->registeredTimers(object).size());
        r.unregisteredAgain = dispatcher->unregisterTimers(object);
        object->onTimer = nullptr;
        return r;
    });

    // Coarse from 20 s up becomes very coarse, as in Qt.
    QCOMPARE(report.intervals, QStringLiteral("10000/0 1000/2 30000/2 500/1 "));
    QVERIFY2(report.remaining > 9000 && report.remaining <= 10000,
             QByteArray::number(report.remaining).constData());
    QCOMPARE(report.remainingOfUnknown, -1);
    QVERIFY(report.unregisteredSome);
    QCOMPARE(report.leftAfterUnregistering, 0);
    QVERIFY(!report.unregisteredAgain);
}

void tst_EpollEventDispatcher::timersFollowAnObjectMovedToAnotherThread()
{
    // Qt moves the timers with registeredTimers() and unregisterTimers() on the old thread and
    // registers them again on the new one.
    Probe probe;
    QSignalSpy firedOnTarget(&probe, &Probe::hit);
    DispatcherThread from;
    DispatcherThread to;

    QThread *target = to.thread();
    QTimer *timer = from.run([&] {
        auto *t = new QTimer;
        QObject::connect(t, &QTimer::timeout, t, [&probe, target] {
            if (QThread::currentThread() == target)
                probe.hitLater();
        });
        t->start(10);
        t->moveToThread(target);
        return t;
    });

    QTRY_VERIFY(firedOnTarget.size() >= 3);
    to.run([timer] { delete timer; });
}

void tst_EpollEventDispatcher::queuedCallsFromAnotherThreadWakeTheBlockedLoop()
{
    Probe probe;
    QSignalSpy delivered(&probe, &Probe::value);
    DispatcherThread worker;

    // No timers: only a wake-up ends the wait.
    QTRY_VERIFY(worker.isWaiting());
    constexpr int calls = 1000;
    auto received = std::make_shared<int>(0); // used on the worker thread only
    for (int i = 0; i < calls; ++i) {
        QMetaObject::invokeMethod(
            worker.context(),
            [received, &probe] {
                if (++*received == calls)
                    probe.valueLater(*received);
            },
            Qt::QueuedConnection);
    }
    QTRY_COMPARE(delivered.size(), 1);
    QCOMPARE(delivered.first().first().toInt(), calls);

    // And once more after the loop went back to waiting.
    QTRY_VERIFY(worker.isWaiting());
    QMetaObject::invokeMethod(
        worker.context(), [&probe] { probe.valueLater(-1); }, Qt::QueuedConnection);
    QTRY_COMPARE(delivered.size(), 2);
}

void tst_EpollEventDispatcher::deleteLaterIsProcessed()
{
    Probe probe;
    QSignalSpy destroyed(&probe, &Probe::hit);
    DispatcherThread worker;

    QObject *fromOtherThread = worker.run([&] {
        auto *fromWorker = new QObject;
        auto *other = new QObject;
        QObject::connect(fromWorker, &QObject::destroyed, &probe, &Probe::hit);
        QObject::connect(other, &QObject::destroyed, &probe, &Probe::hit);
        fromWorker->deleteLater();
        return other;
    });
    QTRY_COMPARE(destroyed.size(), 1);
    fromOtherThread->deleteLater(); // posted from this thread
    QTRY_COMPARE(destroyed.size(), 2);
}

void tst_EpollEventDispatcher::quitEndsTheLoopWhileATimerIsPending()
{
    DispatcherThread worker;
    worker.run([&] {
        auto *timer = new QTimer(worker.scope());
        timer->start(60000);
    });
    QTRY_VERIFY(worker.isWaiting());

    QElapsedTimer elapsed;
    elapsed.start();
    worker.thread()->quit();
    QVERIFY(worker.thread()->wait(10000));
    QVERIFY(elapsed.elapsed() < 10000);
}

void tst_EpollEventDispatcher::interruptMakesABlockingProcessEventsReturn()
{
    std::atomic<int> blocking{0};
    std::atomic<bool> returned{false};
    auto *dispatcher = new EpollEventDispatcher;
    std::unique_ptr<QThread> thread(QThread::create([dispatcher, &returned] {
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
        returned = true;
    }));
    thread->setEventDispatcher(dispatcher);
    QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock,
                     [&blocking] { ++blocking; });
    thread->start();

    QTRY_VERIFY(blocking.load() > 0);
    dispatcher->interrupt();
    QVERIFY(thread->wait(10000));
    QVERIFY(returned.load());
}

void tst_EpollEventDispatcher::processEventsReportsWhetherItDidWork()
{
    DispatcherThread worker;
    const QList<bool> results = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        drain(dispatcher);
        QList<bool> r;
        r << dispatcher->processEvents(QEventLoop::AllEvents); // idle: returns at once
        QMetaObject::invokeMethod(
            worker.scope(), [] {}, Qt::QueuedConnection);
        r << dispatcher->processEvents(QEventLoop::AllEvents); // a posted event
        r << dispatcher->processEvents(QEventLoop::AllEvents);
        auto *object = new TimerObject(worker.scope());
        const int id = object->startTimer(0);
        r << dispatcher->processEvents(QEventLoop::AllEvents); // a timer
        object->killTimer(id);
        return r;
    });
    QCOMPARE(results, (QList<bool>{false, true, false, true}));
}

void tst_EpollEventDispatcher::excludeSocketNotifiersLeavesReadySocketsAlone()
{
    SocketPair pair;
    DispatcherThread worker;
    QVERIFY(pair.isValid());
    QVERIFY(pair.sendByte());

    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        int activations = 0;
        QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
        QObject::connect(&notifier, &QSocketNotifier::activated, [&activations] { ++activations; });
        QList<int> r;
        dispatcher->processEvents(QEventLoop::ExcludeSocketNotifiers);
        r << activations;
        dispatcher->processEvents(QEventLoop::AllEvents);
        r << activations;
        return r;
    });
    QCOMPARE(counts, (QList<int>{0, 1}));
}

void tst_EpollEventDispatcher::notifierRemovedDuringAnotherActivationIsNotActivated_data()
{
    QTest::addColumn<bool>("sameFd");
    QTest::addColumn<bool>("deleteIt");
    QTest::newRow("other fd, deleted") << false << true;
    QTest::newRow("other fd, disabled") << false << false;
    QTest::newRow("same fd, deleted") << true << true;
    QTest::newRow("same fd, disabled") << true << false;
}

void tst_EpollEventDispatcher::notifierRemovedDuringAnotherActivationIsNotActivated()
{
    QFETCH(bool, sameFd);
    QFETCH(bool, deleteIt);
    SocketPair first;
    SocketPair second;
    DispatcherThread worker;
    QVERIFY(first.isValid() && second.isValid());
    QVERIFY(first.sendByte() && second.sendByte());

    // Both notifiers are ready in the same pass; whichever comes first removes the other.
    const int activations = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        drain(dispatcher);
        QPointer<QSocketNotifier> a = new QSocketNotifier(first.fds[0], QSocketNotifier::Read);
        QPointer<QSocketNotifier> b =
            sameFd ? new QSocketNotifier(first.fds[0], QSocketNotifier::Write)
                   : new QSocketNotifier(second.fds[0], QSocketNotifier::Read);
        int count = 0;
        auto removeOther = [&](QPointer<QSocketNotifier> &other) {
            ++count;
            if (!other)
                return;
            if (deleteIt)
                delete other.data();
            else
                other->setEnabled(false);
        };
        QObject::connect(a, &QSocketNotifier::activated, [&] { removeOther(b); });
        QObject::connect(b, &QSocketNotifier::activated, [&] { removeOther(a); });
        dispatcher->processEvents(QEventLoop::AllEvents);
        delete a.data();
        delete b.data();
        return count;
    });
    QCOMPARE(activations, 1);
}

void tst_EpollEventDispatcher::notifierOnRegularFileIsAlwaysReady()
{
    // epoll refuses regular files; poll() calls them always readable and writable.
    QTemporaryFile file;
    QVERIFY(file.open());
    DispatcherThread worker;
    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        int reads = 0;
        int writes = 0;
        QSocketNotifier read(file.handle(), QSocketNotifier::Read);
        QSocketNotifier write(file.handle(), QSocketNotifier::Write);
        QObject::connect(&read, &QSocketNotifier::activated, [&reads] { ++reads; });
        QObject::connect(&write, &QSocketNotifier::activated, [&writes] { ++writes; });
        dispatcher->processEvents(QEventLoop::AllEvents);
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents); // must not block
        return QList<int>{reads, writes};
    });
    QCOMPARE(counts, (QList<int>{2, 2}));
}

void tst_EpollEventDispatcher::writeNotifierEnabledDuringAPassOnAWritableSocketFiresInThatPass()
{
    // As a buffered QTcpSocket does when it is written to: the flush need not wait a pass.
    SocketPair pair;
    DispatcherThread worker;
    QVERIFY(pair.isValid());
    QVERIFY(pair.sendByte());
    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        drain(dispatcher);
        int reads = 0;
        int writes = 0;
        QSocketNotifier read(pair.fds[0], QSocketNotifier::Read);
        std::unique_ptr<QSocketNotifier> write;
        QObject::connect(&read, &QSocketNotifier::activated, [&] {
            ++reads;
            read.setEnabled(false);
            write = std::make_unique<QSocketNotifier>(pair.fds[0], QSocketNotifier::Write);
            QObject::connect(write.get(), &QSocketNotifier::activated, [&] {
                ++writes;
                write->setEnabled(false);
            });
        });
        dispatcher->processEvents(QEventLoop::AllEvents);
        return QList<int>{reads, writes};
    });
    QCOMPARE(counts, (QList<int>{1, 1}));
}

void tst_EpollEventDispatcher::writeNotifierEnabledByAPostedEventFiresBeforeThePassStarts()
{
    // An answer handed over from another thread arrives as a posted event and is written at once,
    // without waiting for epoll to report the socket writable.
    SocketPair pair;
    DispatcherThread worker;
    QVERIFY(pair.isValid());
    const QList<int> counts = worker.run([&] {
        auto *dispatcher = QAbstractEventDispatcher::instance();
        drain(dispatcher);
        int writes = 0;
        int writesAtPassStart = -1;
        QObject context;
        std::unique_ptr<QSocketNotifier> write;
        QMetaObject::invokeMethod(
            &context,
            [&] {
                write = std::make_unique<QSocketNotifier>(pair.fds[0], QSocketNotifier::Write);
                QObject::connect(write.get(), &QSocketNotifier::activated, [&] {
                    ++writes;
                    write->setEnabled(false);
                });
            },
            Qt::QueuedConnection);
        const auto passStarts = [&] {
            if (writesAtPassStart < 0)
                writesAtPassStart = writes;
        };
        QObject::connect(dispatcher, &QAbstractEventDispatcher::awake, &context, passStarts);
        QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock, &context, passStarts);
        dispatcher->processEvents(QEventLoop::AllEvents);
        return QList<int>{writesAtPassStart, writes};
    });
    QCOMPARE(counts, (QList<int>{1, 1}));
}

void tst_EpollEventDispatcher::writeNotifierOnAFullSocketWaitsUntilItDrains()
{
    SocketPair pair;
    DispatcherThread worker;
    QVERIFY(pair.isValid());
    const QByteArray chunk(64 * 1024, 'x');
    qsizetype filled = 0;
    for (int i = 0; i < 1000; ++i) { // a few MiB at most
        const ssize_t written = ::write(pair.fds[0], chunk.constData(), size_t(chunk.size()));
        if (written <= 0)
            break;
        filled += written;
    }
    QVERIFY(filled > 0);

    std::atomic<int> writes{0};
    worker.run([&] {
        auto *notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write, worker.scope());
        QObject::connect(notifier, &QSocketNotifier::activated, notifier, [&writes, notifier] {
            ++writes;
            notifier->setEnabled(false);
        });
        QAbstractEventDispatcher::instance()->processEvents(QEventLoop::AllEvents);
    });
    QCOMPARE(writes.load(), 0);

    QByteArray sink(filled, Qt::Uninitialized);
    qsizetype drained = 0;
    QElapsedTimer clock;
    clock.start();
    while (drained < filled && clock.elapsed() < 10000) {
        const ssize_t got = ::read(pair.fds[1], sink.data(), size_t(sink.size()));
        if (got > 0)
            drained += got;
    }
    QCOMPARE(drained, filled);
    QTRY_COMPARE(writes.load(), 1);
}

void tst_EpollEventDispatcher::tcpServerAndSocketExchangeData()
{
    Probe probe;
    QSignalSpy echoed(&probe, &Probe::bytes);
    // Large enough to fill the socket buffers, so write notifiers take part too.
    QByteArray payload(4 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < payload.size(); ++i)
        payload[i] = char(i * 7 % 251);
    DispatcherThread worker;

    const bool listening = worker.run([&] {
        QTcpServer *server = startEchoServer(worker.scope());
        if (!server->isListening())
            return false;
        auto *client = new QTcpSocket(worker.scope());
        auto received = std::make_shared<QByteArray>();
        QObject::connect(client, &QTcpSocket::connected, client,
                         [client, &payload] { client->write(payload); });
        QObject::connect(client, &QTcpSocket::readyRead, client,
                         [client, received, &payload, &probe] {
                             received->append(client->readAll());
                             if (received->size() >= payload.size())
                                 probe.bytesLater(*received);
                         });
        client->connectToHost(QHostAddress::LocalHost, server->serverPort());
        return true;
    });
    QVERIFY(listening);

    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), 1, 30000);
    QVERIFY(echoed.first().first().toByteArray() == payload);
}

void tst_EpollEventDispatcher::activePairRoundTripsBesideThousandsOfIdleSockets()
{
    constexpr int idlePairs = 2000;
    constexpr int roundTrips = 200;
    std::vector<std::unique_ptr<SocketPair>> pairs;
    pairs.reserve(idlePairs);
    for (int i = 0; i < idlePairs; ++i) {
        pairs.push_back(std::make_unique<SocketPair>());
        if (!pairs.back()->isValid())
            QSKIP("Not enough file descriptors for the idle sockets");
    }

    Probe probe;
    QSignalSpy finished(&probe, &Probe::value);
    auto idleActivations = std::make_shared<std::atomic<int>>(0);
    DispatcherThread worker;

    worker.run([&] {
        // Both ends of every pair watched for reading: 4000 notifiers that never fire.
        auto *idle = new QObject(worker.scope());
        for (const auto &pair : pairs) {
            for (int fd : pair->fds) {
                auto *notifier = new QSocketNotifier(fd, QSocketNotifier::Read, idle);
                QObject::connect(notifier, &QSocketNotifier::activated, notifier,
                                 [idleActivations] { ++*idleActivations; });
            }
        }

        QTcpServer *server = startEchoServer(worker.scope());
        auto *client = new QTcpSocket(worker.scope());
        auto done = std::make_shared<int>(0);
        const QByteArray message("roundtrp"); // 8 bytes
        QObject::connect(client, &QTcpSocket::connected, client,
                         [client, message] { client->write(message); });
        QObject::connect(client, &QTcpSocket::readyRead, client, [=, &probe] {
            while (client->bytesAvailable() >= message.size()) {
                client->read(message.size());
                if (++*done == roundTrips)
                    probe.valueLater(*done);
                else
                    client->write(message);
            }
        });
        client->connectToHost(QHostAddress::LocalHost, server->serverPort());
    });

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(finished.first().first().toInt(), roundTrips);
    QCOMPARE(idleActivations->load(), 0);
}

void tst_EpollEventDispatcher::webSocketRoundTrip()
{
    Probe probe;
    QSignalSpy echoed(&probe, &Probe::text);
    DispatcherThread worker;

    const bool listening = worker.run([&] {
        auto *server = new QWebSocketServer(QStringLiteral("epoll test"),
                                            QWebSocketServer::NonSecureMode, worker.scope());
        if (!server->listen(QHostAddress::LocalHost, 0))
            return false;
        QObject::connect(server, &QWebSocketServer::newConnection, server, [server] {
            while (QWebSocket *socket = server->nextPendingConnection()) {
                socket->setParent(server); // not a child of the server by itself
                QObject::connect(socket, &QWebSocket::textMessageReceived, socket,
                                 [socket](const QString &message) {
                                     socket->sendTextMessage(QStringLiteral("echo: ") + message);
                                 });
            }
        });
        auto *client = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, worker.scope());
        QObject::connect(client, &QWebSocket::connected, client,
                         [client] { client->sendTextMessage(QStringLiteral("hello")); });
        QObject::connect(client, &QWebSocket::textMessageReceived, client,
                         [&probe](const QString &message) { probe.textLater(message); });
        client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server->serverPort())));
        return true;
    });
    QVERIFY(listening);

    QTRY_COMPARE_WITH_TIMEOUT(echoed.size(), 1, 15000);
    QCOMPARE(echoed.first().first().toString(), QStringLiteral("echo: hello"));
}

QTEST_GUILESS_MAIN(tst_EpollEventDispatcher)
#include "tst_epolleventdispatcher.moc"
