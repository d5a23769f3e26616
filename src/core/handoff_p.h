// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandresult.h>

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <variant>
#include <vector>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace CommandBridge {

class CommandRun;
class EventHub;
class HandOffReceiver;
struct PublishedEvent;
struct CurrentHandOff;

/// One thread's mailbox for running commands: what other threads hand to this one (start a
/// handler, cancel it, a progress report, a result, an event) waits here and is taken in batches,
/// with at most one wake-up posted per batch however many commands it carries. It also keeps the
/// timeouts of the commands started on its thread (one timer for all) and deletes their finished
/// contexts in batches.
///
/// Every thread that runs commands has one, made on first use by current() and closed when the
/// thread ends; later posts to it are dropped. post() may be called from any thread; the rest
/// only from the mailbox's own thread.
class HandOff : public std::enable_shared_from_this<HandOff>
{
public:
    enum class Kind {
        /// Run the handler here (its context is made here).
        Start,
        /// The client cancelled: the handler's side decides whether it still can be.
        Cancel,
        /// The front end finished the command (timeout, shutdown, ...): tell the handler to stop.
        Abort,
        Progress,
        Result,
        /// A worker handler returned: its context may go.
        HandlerReturned,
        /// A result was given from another thread: the context living here may go.
        Settle,
        /// An event published on another thread, for this thread's subscribers.
        Event,
    };
    struct EventDelivery
    {
        std::shared_ptr<EventHub> hub;
        std::shared_ptr<const PublishedEvent> event;
    };
    struct Item
    {
        Kind kind;
        /// Null for an Event.
        std::shared_ptr<CommandRun> run;
        std::variant<std::monostate, CommandProgress, CommandResult, EventDelivery> payload;
    };
    using Clock = std::chrono::steady_clock;
    /// A deferring thread sends sooner once it holds this many items for one mailbox.
    static constexpr std::size_t maxDeferredItems = 1024;
    using Deadlines = std::multimap<Clock::time_point, std::weak_ptr<CommandRun>>;

    HandOff(const HandOff &) = delete;
    HandOff &operator=(const HandOff &) = delete;
    ~HandOff();

    /// The calling thread's mailbox.
    static const std::shared_ptr<HandOff> &current();

    bool isCurrent() const;

    /// Queues \a item for this mailbox's thread; dropped when that thread has ended. From a
    /// thread whose own mailbox defers wake-ups, the item leaves with everything else that thread
    /// posted in the same pass of its event loop.
    void post(Item &&item);

    /// This mailbox's thread runs an event loop (a network thread, the registry's): what it
    /// posts to other mailboxes is gathered and sent once per pass of that loop, so a busy pass
    /// wakes each other thread once. Off for threads without a loop (workers), which post at once.
    void setDefersWakeUps(bool defers);

    /// Calls CommandRun::timedOut() at \a deadline unless removed first.
    Deadlines::iterator addDeadline(Clock::time_point deadline,
                                    const std::shared_ptr<CommandRun> &run);
    void removeDeadline(Deadlines::iterator deadline);
    Deadlines::iterator noDeadline() { return m_deadlines.end(); }

    /// Deletes \a object on this thread when control returns to its event loop.
    void disposeLater(QObject *object);

    /// Wake-ups posted so far: one per batch, however many items it carried.
    quint64 wakeUps() const { return m_wakeUps.load(std::memory_order_relaxed); }

private:
    friend class HandOffReceiver;
    friend struct CurrentHandOff;
    HandOff();
    void close();
    void wake();
    void deliver();
    void append(std::vector<Item> &items);
    void flushOutbox();
    void expireDeadlines();
    void armTimer();

    QThread *const m_thread;
    std::unique_ptr<HandOffReceiver> m_receiver;
    std::mutex m_mutex;
    std::vector<Item> m_pending;
    bool m_wakePosted = false;
    std::atomic<quint64> m_wakeUps{0};
    bool m_closed = false;
    // This thread only.
    bool m_defersWakeUps = false;
    QMetaObject::Connection m_passStarted;
    QMetaObject::Connection m_passBlocks;
    bool m_delivering = false;
    struct Outgoing
    {
        std::shared_ptr<HandOff> to;
        std::vector<Item> items;
    };
    std::vector<Outgoing> m_outbox;
    QList<QPointer<QObject>> m_disposals;
    Deadlines m_deadlines;
    Clock::time_point m_timerAt = Clock::time_point::max();
};

} // namespace CommandBridge
