#pragma once

#include <CommandBridge/commandresult.h>

#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>

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
class HandOffReceiver;
struct CurrentHandOff;

/// One thread's mailbox for running commands: what other threads hand to this one (start a
/// handler, cancel it, a progress report, a result) waits here and is taken in batches, with at
/// most one wake-up posted per batch however many commands it carries. It also keeps the
/// timeouts of the commands started on its thread (one timer for all) and deletes their finished
/// contexts in batches.
///
/// Every thread that runs commands has one, made on first use by current() and closed when the
/// thread ends; later posts to it are dropped. post() may be called from any thread; the rest
/// only from the mailbox's own thread.
class HandOff
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
    };
    struct Item
    {
        Kind kind;
        std::shared_ptr<CommandRun> run;
        std::variant<std::monostate, CommandProgress, CommandResult> payload;
    };
    using Clock = std::chrono::steady_clock;
    using Deadlines = std::multimap<Clock::time_point, std::weak_ptr<CommandRun>>;

    HandOff(const HandOff &) = delete;
    HandOff &operator=(const HandOff &) = delete;
    ~HandOff();

    /// The calling thread's mailbox.
    static const std::shared_ptr<HandOff> &current();

    QThread *thread() const { return m_thread; }
    bool isCurrent() const;

    /// Queues \a item for this mailbox's thread. Returns false when that thread has ended.
    bool post(Item &&item);

    /// Calls CommandRun::timedOut() at \a deadline unless removed first.
    Deadlines::iterator addDeadline(Clock::time_point deadline,
                                    const std::shared_ptr<CommandRun> &run);
    void removeDeadline(Deadlines::iterator deadline);
    Deadlines::iterator noDeadline() { return m_deadlines.end(); }

    /// Deletes \a object on this thread when control returns to its event loop.
    void disposeLater(QObject *object);

private:
    friend class HandOffReceiver;
    friend struct CurrentHandOff;
    HandOff();
    void close();
    void wake();
    void deliver();
    void expireDeadlines();
    void armTimer();

    QThread *const m_thread;
    std::unique_ptr<HandOffReceiver> m_receiver;
    std::mutex m_mutex;
    std::vector<Item> m_pending;
    bool m_wakePosted = false;
    bool m_closed = false;
    // This thread only.
    QList<QPointer<QObject>> m_disposals;
    Deadlines m_deadlines;
    Clock::time_point m_timerAt = Clock::time_point::max();
};

} // namespace CommandBridge
