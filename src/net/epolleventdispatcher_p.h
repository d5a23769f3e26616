// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QAtomicInt>
#include <QtCore/QHash>
#include <QtCore/QList>

#include <chrono>
#include <map>
#include <memory_resource>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace CommandBridge {

/// A Linux event dispatcher built on epoll, for the network threads: Qt's own dispatchers poll()
/// every registered socket notifier on every pass, so with thousands of idle connections each
/// pass costs O(connections); here it costs O(ready sockets). Install it with
/// QThread::setEventDispatcher() before the thread starts.
///
/// Only wakeUp() and interrupt() may be called from other threads; everything else runs on the
/// thread the dispatcher belongs to, as with every QAbstractEventDispatcher.
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT

public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    /// False when the epoll or wake-up fd could not be created (out of fds): install Qt's default
    /// dispatcher instead, as this one would not wait for anything.
    bool isValid() const { return m_valid; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;
    using TimerQueue = std::pmr::multimap<Clock::time_point, int>;

    struct Timer
    {
        QObject *object = nullptr;
        qint64 interval = 0; // ms; whole seconds for VeryCoarseTimer
        Qt::TimerType type = Qt::PreciseTimer;
        quint64 serial = 0;      // tells a re-registered id from the one a pass saw due
        bool delivering = false; // its event is on the stack (nested event loop)
        TimerQueue::iterator queued;
    };

    /// The notifiers of one fd, indexed by QSocketNotifier::Type.
    struct FdNotifiers
    {
        QSocketNotifier *notifiers[3] = {};
        quint64 serials[3] = {}; // tells a notifier registered during a pass from a ready one
        quint32 epollEvents = 0; // what epoll watches for this fd now
        bool polled = false;     // epoll refused it (a regular file): always ready, as with poll()
        bool dirty = false;      // in m_dirtyFds: epollEvents may be out of date
        bool newWriter = false;  // in m_newWriters
        quint64 writerPass = 0;  // the pass that last activated the write notifier early

        quint32 wantedEvents() const;
    };

    struct Ready
    {
        int fd;
        quint32 events;
    };

    void notifiersChanged(int fd, FdNotifiers &state);
    void applyInterest();
    void updateEpoll(int fd, FdNotifiers &state);
    int activateNewWriters(quint64 pass);
    int activateSocketNotifiers(const Ready *ready, int count, quint64 pass);
    int activateTimers();
    int epollTimeout(bool includeTimers) const;
    bool drainWakeUps();

    int m_epollFd = -1;
    int m_wakeUpFd = -1;
    bool m_valid = false;
    QAtomicInt m_wakeUpPending;
    QAtomicInt m_interrupted;

    QHash<int, FdNotifiers> m_fds;
    QList<int> m_polledFds;
    QList<int> m_dirtyFds;
    QList<int> m_newWriters;
    quint64 m_notifierSerial = 0;
    quint64 m_pass = 0;

    QHash<int, Timer> m_timers;
    // Node pool of the two maps below: every command starts and stops a timeout timer, and
    // their nodes then cost no malloc() and free() each time.
    std::pmr::unsynchronized_pool_resource m_timerNodes;
    std::pmr::multimap<QObject *, int> m_timersByObject{&m_timerNodes};
    TimerQueue m_timerQueue{&m_timerNodes};
    quint64 m_timerSerial = 0;
};

} // namespace CommandBridge
