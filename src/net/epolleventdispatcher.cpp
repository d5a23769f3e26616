// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "epolleventdispatcher_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>
#include <QtCore/QThread>
#include <QtCore/QVarLengthArray>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <utility>

namespace CommandBridge {

namespace {

Q_LOGGING_CATEGORY(lcDispatcher, "commandbridge.eventdispatcher", QtInfoMsg)

using std::chrono::milliseconds;

// Ready fds handled per pass; the rest stay ready (level-triggered) and the kernel hands them out
// first next time, so a busy set of sockets is served round-robin.
constexpr int maxEventsPerPass = 256;

// What epoll watches for each QSocketNotifier::Type, and what activates each type. Hang-up and
// error activate all three, as in Qt's poll()-based dispatcher: otherwise a socket with only an
// exception notifier would report them forever without anyone hearing.
constexpr quint32 watchedEvents[3] = {EPOLLIN, EPOLLOUT, EPOLLPRI};
constexpr quint32 activatingEvents[3] = {
    EPOLLIN | EPOLLHUP | EPOLLERR, EPOLLOUT | EPOLLHUP | EPOLLERR, EPOLLPRI | EPOLLHUP | EPOLLERR};

// Keeps a deadline computed from a qint64 interval inside the clock's range (some 34 years).
milliseconds clampedInterval(qint64 interval)
{
    return milliseconds(std::min<qint64>(interval, qint64(1) << 40));
}

template <typename TimePoint> TimePoint roundedToSecond(TimePoint time)
{
    return std::chrono::round<std::chrono::seconds>(time);
}

QString errnoText(int error)
{
    return qt_error_string(error);
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epollFd(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epollFd < 0 || m_wakeUpFd < 0) {
        qCCritical(lcDispatcher) << "Cannot create the epoll or wake-up fd:" << errnoText(errno);
        return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = m_wakeUpFd;
    if (epoll_ctl(m_epollFd, EPOLL_CTL_ADD, m_wakeUpFd, &event) != 0) {
        qCCritical(lcDispatcher) << "Cannot watch the wake-up fd:" << errnoText(errno);
        return;
    }
    m_valid = true;
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    if (m_wakeUpFd >= 0)
        ::close(m_wakeUpFd);
    if (m_epollFd >= 0)
        ::close(m_epollFd);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    // An interrupt is for the pass that is running or about to; a stale one would keep every later
    // pass from blocking.
    m_interrupted.storeRelaxed(0);
    // Nested loops (in a handler) start passes of their own.
    const quint64 pass = ++m_pass;

    QCoreApplication::sendPostedEvents();

    const bool includeNotifiers = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    int processed = 0;
    // What those events wrote (answers handed over from another thread) leaves now, rather than
    // after enabling write interest and a wait for epoll to report it.
    if (includeNotifiers)
        processed += activateNewWriters(pass);
    const bool includeTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool canWait =
        flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();

    // Every pass starts with one of the two, as with Qt's dispatchers: receivers may rely on it.
    if (canWait)
        Q_EMIT aboutToBlock();
    else
        Q_EMIT awake();
    applyInterest();

    // Computed after aboutToBlock(), whose receivers may start timers. Events posted meanwhile,
    // from any thread, go through wakeUp() and make the wait return at once.
    int timeout = 0;
    if (canWait && !m_interrupted.loadAcquire() && !(includeNotifiers && !m_polledFds.isEmpty()))
        timeout = epollTimeout(includeTimers);

    epoll_event events[maxEventsPerPass];
    int count = -1;
    for (;;) {
        count = epoll_wait(m_epollFd, events, maxEventsPerPass, timeout);
        if (count >= 0 || errno != EINTR)
            break;
        if (timeout > 0) // a signal: wait only for what is left to the next timer
            timeout = epollTimeout(includeTimers);
    }
    if (count < 0) {
        qCWarning(lcDispatcher) << "epoll_wait failed:" << errnoText(errno);
        count = 0;
    }

    if (canWait)
        Q_EMIT awake();

    QVarLengthArray<Ready, maxEventsPerPass> ready;
    for (int i = 0; i < count; ++i) {
        if (events[i].data.fd == m_wakeUpFd) {
            if (drainWakeUps())
                ++processed; // events were posted: as Qt's dispatchers, count that as work
        } else {
            ready.append(Ready{events[i].data.fd, events[i].events});
        }
    }

    if (includeNotifiers) {
        for (int fd : std::as_const(m_polledFds))
            ready.append(Ready{fd, EPOLLIN | EPOLLOUT});
        processed += activateSocketNotifiers(ready.constData(), int(ready.size()), pass);
    }
    if (includeTimers)
        processed += activateTimers();
    // Last, so that what this pass wrote leaves in this pass.
    if (includeNotifiers)
        processed += activateNewWriters(pass);

    return processed > 0;
}

bool EpollEventDispatcher::drainWakeUps()
{
    eventfd_t value = 0;
    const bool woken = eventfd_read(m_wakeUpFd, &value) == 0;
    // Cleared after the read: a wakeUp() in between wrote nothing, but the event it announced was
    // posted before it and the next pass sends posted events before it can block.
    m_wakeUpPending.storeRelease(0);
    return woken;
}

int EpollEventDispatcher::activateSocketNotifiers(const Ready *ready, int count, quint64 pass)
{
    // Receivers may unregister, delete or register notifiers, so each notifier is looked up again
    // right before its event, and ones registered during this pass wait for the next (their fd
    // may be a reused number whose readiness was the closed socket's).
    const quint64 serialLimit = m_notifierSerial;
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        for (int type = 0; type < 3; ++type) {
            if (!(ready[i].events & activatingEvents[type]))
                continue;
            const auto it = m_fds.find(ready[i].fd);
            if (it == m_fds.end())
                break;
            QSocketNotifier *notifier = it->notifiers[type];
            if (!notifier || it->serials[type] > serialLimit)
                continue;
            if (type == QSocketNotifier::Write) {
                if (it->writerPass == pass)
                    continue;          // activated at the start of this pass, as a new writer
                it->newWriter = false; // served: activateNewWriters() must not repeat it
            }
            QEvent event(QEvent::SockAct);
            QCoreApplication::sendEvent(notifier, &event);
            ++activated;
        }
    }
    return activated;
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const qintptr socket = notifier->socket();
    const int type = notifier->type();
    if (socket < 0 || socket > INT_MAX || type < 0 || type > 2) {
        qCWarning(lcDispatcher) << "Ignoring a socket notifier for the invalid socket" << socket;
        return;
    }
#ifndef QT_NO_DEBUG
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcDispatcher) << "Socket notifiers cannot be enabled from another thread";
        return;
    }
#endif
    const int fd = int(socket);
    FdNotifiers &state = m_fds[fd];
    if (state.notifiers[type] && state.notifiers[type] != notifier)
        qCWarning(lcDispatcher) << "Several socket notifiers of type" << type << "for socket" << fd
                                << "; only the last one is activated";
    state.notifiers[type] = notifier;
    state.serials[type] = ++m_notifierSerial;
    if (type == QSocketNotifier::Write && !state.newWriter) {
        state.newWriter = true;
        m_newWriters.append(fd);
    }
    notifiersChanged(fd, state);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const qintptr socket = notifier->socket();
    const int type = notifier->type();
    if (socket < 0 || socket > INT_MAX || type < 0 || type > 2)
        return;
#ifndef QT_NO_DEBUG
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcDispatcher) << "Socket notifiers cannot be disabled from another thread";
        return;
    }
#endif
    const int fd = int(socket);
    const auto it = m_fds.find(fd);
    if (it == m_fds.end() || it->notifiers[type] != notifier)
        return;
    it->notifiers[type] = nullptr;
    it->serials[type] = 0;
    notifiersChanged(fd, *it);
}

quint32 EpollEventDispatcher::FdNotifiers::wantedEvents() const
{
    quint32 wanted = 0;
    for (int type = 0; type < 3; ++type) {
        if (notifiers[type])
            wanted |= watchedEvents[type];
    }
    return wanted;
}

void EpollEventDispatcher::notifiersChanged(int fd, FdNotifiers &state)
{
    // Removal at once: the fd may be closed next, and its number reused before the next pass.
    if (state.wantedEvents() == 0) {
        updateEpoll(fd, state);
        return;
    }
    // Other changes wait for the pass to end. A buffered socket write enables the write notifier
    // and the flush disables it again, often in the same pass: then epoll is not touched at all.
    if (!state.dirty) {
        state.dirty = true;
        m_dirtyFds.append(fd);
    }
}

void EpollEventDispatcher::applyInterest()
{
    for (int fd : std::as_const(m_dirtyFds)) {
        const auto it = m_fds.find(fd);
        // Gone, or listed twice because its number was reused.
        if (it == m_fds.end() || !it->dirty)
            continue;
        it->dirty = false;
        updateEpoll(fd, *it);
    }
    m_dirtyFds.clear();
}

/// Sockets that began to buffer output (in the posted events that start a pass, or later in it)
/// are usually writable already: one poll() for all of them flushes them now, instead of two
/// epoll_ctl() calls each and a pass spent waiting for EPOLLOUT. Those that are not writable wait
/// for it in epoll as usual. A notifier activated here is not activated again in \a pass.
int EpollEventDispatcher::activateNewWriters(quint64 pass)
{
    if (m_newWriters.isEmpty())
        return 0;
    QVarLengthArray<pollfd, 64> writers;
    for (int fd : std::as_const(m_newWriters)) {
        const auto it = m_fds.find(fd);
        if (it == m_fds.end() || !it->newWriter)
            continue;
        it->newWriter = false;
        if (it->notifiers[QSocketNotifier::Write] && !it->polled)
            writers.append(pollfd{fd, POLLOUT, 0});
    }
    m_newWriters.clear();
    if (writers.isEmpty() || ::poll(writers.data(), nfds_t(writers.size()), 0) <= 0)
        return 0;

    int activated = 0;
    for (const pollfd &writer : std::as_const(writers)) {
        if (!(writer.revents & (POLLOUT | POLLERR | POLLHUP)))
            continue;
        // Looked up again: an earlier activation may have closed this socket.
        const auto it = m_fds.find(writer.fd);
        if (it == m_fds.end() || !it->notifiers[QSocketNotifier::Write])
            continue;
        it->writerPass = pass;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(it->notifiers[QSocketNotifier::Write], &event);
        ++activated;
    }
    return activated;
}

void EpollEventDispatcher::updateEpoll(int fd, FdNotifiers &state)
{
    const quint32 wanted = state.wantedEvents();
    if (wanted == 0) {
        if (state.polled) {
            m_polledFds.removeOne(fd);
        } else if (state.epollEvents != 0 &&
                   epoll_ctl(m_epollFd, EPOLL_CTL_DEL, fd, nullptr) != 0) {
            // A closed fd has already left the set by itself.
            if (errno != ENOENT && errno != EBADF)
                qCWarning(lcDispatcher)
                    << "Cannot stop watching socket" << fd << ":" << errnoText(errno);
        }
        m_fds.remove(fd); // state dangles from here on
        return;
    }
    if (state.polled || wanted == state.epollEvents)
        return;

    epoll_event event{};
    event.events = wanted; // level-triggered, like poll()
    event.data.fd = fd;
    const int op = state.epollEvents != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    int result = epoll_ctl(m_epollFd, op, fd, &event);
    // The fd was closed (and its number maybe reused) without unregistering first, or is in the
    // set through a duplicate: fix up rather than lose the notifier.
    if (result != 0 && op == EPOLL_CTL_MOD && errno == ENOENT)
        result = epoll_ctl(m_epollFd, EPOLL_CTL_ADD, fd, &event);
    else if (result != 0 && op == EPOLL_CTL_ADD && errno == EEXIST)
        result = epoll_ctl(m_epollFd, EPOLL_CTL_MOD, fd, &event);

    if (result == 0) {
        state.epollEvents = wanted;
    } else if (errno == EPERM) {
        // Regular files and directories: poll() calls them always ready; do the same.
        state.polled = true;
        state.epollEvents = 0;
        m_polledFds.append(fd);
    } else {
        qCWarning(lcDispatcher) << "Cannot watch socket" << fd << ":" << errnoText(errno);
    }
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qCWarning(lcDispatcher) << "Ignoring an invalid timer registration";
        return;
    }
#ifndef QT_NO_DEBUG
    if (object->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcDispatcher) << "Timers cannot be started from another thread";
        return;
    }
#endif
    if (m_timers.contains(timerId)) {
        qCWarning(lcDispatcher) << "Timer id" << timerId << "registered twice";
        unregisterTimer(timerId);
    }

    Timer timer;
    timer.object = object;
    timer.interval = interval;
    timer.type = timerType;
    timer.serial = ++m_timerSerial;
    // As Qt: a coarse timer may be 5% off, which above 20 s is a second or more.
    if (timerType == Qt::CoarseTimer && interval >= 20000)
        timer.type = Qt::VeryCoarseTimer;

    const Clock::time_point now = Clock::now();
    Clock::time_point deadline;
    if (timer.type == Qt::VeryCoarseTimer) {
        // Whole seconds, so that very coarse timers of a thread fire together.
        timer.interval = (interval + 500) / 1000 * 1000;
        deadline = roundedToSecond(now + clampedInterval(timer.interval));
    } else {
        // Coarse timers below 20 s are treated as precise.
        deadline = now + clampedInterval(interval);
    }

    timer.queued = m_timerQueue.emplace(deadline, timerId);
    m_timers.insert(timerId, timer);
    m_timersByObject.emplace(object, timerId);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    m_timerQueue.erase(it->queued);
    const auto [first, last] = m_timersByObject.equal_range(it->object);
    const auto byObject =
        std::find_if(first, last, [timerId](const auto &entry) { return entry.second == timerId; });
    if (byObject != last)
        m_timersByObject.erase(byObject);
    m_timers.erase(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    const auto [first, last] = m_timersByObject.equal_range(object);
    if (first == last)
        return false;
    for (auto entry = first; entry != last; ++entry) {
        const auto it = m_timers.find(entry->second);
        if (it == m_timers.end())
            continue;
        m_timerQueue.erase(it->queued);
        m_timers.erase(it);
    }
    m_timersByObject.erase(first, last);
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> infos;
    const auto [first, last] = m_timersByObject.equal_range(object);
    for (auto entry = first; entry != last; ++entry) {
        const auto it = m_timers.constFind(entry->second);
        if (it != m_timers.cend()) {
            infos.append(
                TimerInfo(entry->second, int(std::min<qint64>(it->interval, INT_MAX)), it->type));
        }
    }
    return infos;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const auto left = it->queued->first - Clock::now();
    if (left <= Clock::duration::zero())
        return 0;
    // Rounded up: 0 means due.
    return int(std::min<qint64>(std::chrono::ceil<milliseconds>(left).count(), INT_MAX));
}

int EpollEventDispatcher::epollTimeout(bool includeTimers) const
{
    if (!includeTimers)
        return -1;
    // The first timer not already in its event: a nested loop in a timer's event must not spin
    // on that timer.
    for (const auto &[deadline, id] : m_timerQueue) {
        const auto it = m_timers.constFind(id);
        if (it == m_timers.cend() || it->delivering)
            continue;
        const auto left = deadline - Clock::now();
        if (left <= Clock::duration::zero())
            return 0;
        return int(std::min<qint64>(std::chrono::ceil<milliseconds>(left).count(), INT_MAX));
    }
    return -1;
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timerQueue.empty())
        return 0;

    // Only timers due when the pass started, each once: timers started or restarted by the
    // events wait for the next pass, so a zero-interval timer cannot starve the loop.
    const Clock::time_point now = Clock::now();
    QVarLengthArray<std::pair<int, quint64>, 32> due;
    for (auto it = m_timerQueue.cbegin(); it != m_timerQueue.cend() && it->first <= now; ++it)
        due.append({it->second, m_timers.value(it->second).serial});

    int fired = 0;
    for (const auto &[id, serial] : due) {
        auto it = m_timers.find(id);
        // Gone, replaced, in its event further up the stack, or already fired by a loop nested in
        // an earlier event of this pass (which moved its deadline past now).
        if (it == m_timers.end() || it->serial != serial || it->delivering ||
            it->queued->first > now)
            continue;

        // Rescheduled before the event, which may kill or restart the timer. A timer that fell
        // behind skips the ticks it missed instead of firing in a burst.
        const milliseconds interval = clampedInterval(it->interval);
        Clock::time_point next = it->queued->first + interval;
        if (next <= now) {
            next = now + interval;
            if (it->type == Qt::VeryCoarseTimer)
                next = roundedToSecond(next);
        }
        m_timerQueue.erase(it->queued);
        it->queued = m_timerQueue.emplace(next, id);
        it->delivering = true;

        QTimerEvent event(id);
        QCoreApplication::sendEvent(it->object, &event);
        ++fired;

        // The event may have killed the timer, deleted its object or grown the table.
        it = m_timers.find(id);
        if (it != m_timers.end() && it->serial == serial)
            it->delivering = false;
    }
    return fired;
}

void EpollEventDispatcher::wakeUp()
{
    // One write until the loop drains it: wakeUp() runs for every posted event.
    if (m_wakeUpPending.testAndSetOrdered(0, 1)) {
        if (eventfd_write(m_wakeUpFd, 1) != 0)
            qCWarning(lcDispatcher) << "Cannot wake the event loop:" << errnoText(errno);
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

} // namespace CommandBridge
