// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "handoff_p.h"

#include "commandrun_p.h"
#include "eventbus_p.h"

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QBasicTimer>
#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QThread>
#include <QtCore/QTimerEvent>

#include <algorithm>
#include <iterator>

namespace CommandBridge {

namespace {
const QEvent::Type wakeEvent = QEvent::Type(QEvent::registerEventType());
/// The calling thread's mailbox if it has one; made only by HandOff::current().
thread_local HandOff *t_current = nullptr;
} // namespace

/// The mailbox's anchor on its thread: receives the wake-ups and runs the deadline timer.
class HandOffReceiver : public QObject
{
public:
    explicit HandOffReceiver(HandOff *handOff)
        : m_handOff(handOff)
    {}

    QBasicTimer timer;

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != wakeEvent)
            return QObject::event(event);
        m_handOff->deliver();
        return true;
    }

    void timerEvent(QTimerEvent *event) override
    {
        if (event->timerId() == timer.timerId())
            m_handOff->expireDeadlines();
        else
            QObject::timerEvent(event);
    }

private:
    HandOff *const m_handOff;
};

/// Closes the thread's mailbox when the thread ends; runs that still hold it post in vain.
struct CurrentHandOff
{
    std::shared_ptr<HandOff> handOff;
    ~CurrentHandOff()
    {
        t_current = nullptr;
        if (handOff)
            handOff->close();
    }
};

HandOff::HandOff()
    : m_thread(QThread::currentThread())
    , m_receiver(std::make_unique<HandOffReceiver>(this))
{}

HandOff::~HandOff() = default;

const std::shared_ptr<HandOff> &HandOff::current()
{
    thread_local CurrentHandOff current;
    if (!current.handOff) {
        current.handOff = std::shared_ptr<HandOff>(new HandOff);
        t_current = current.handOff.get();
    }
    return current.handOff;
}

bool HandOff::isCurrent() const
{
    return QThread::currentThread() == m_thread;
}

void HandOff::post(Item &&item)
{
    HandOff *own = t_current;
    if (!own || !own->m_defersWakeUps || own == this) {
        const std::lock_guard locker(m_mutex);
        if (!m_closed) {
            m_pending.push_back(std::move(item));
            wake();
        }
        return;
    }
    auto outgoing = std::find_if(own->m_outbox.begin(), own->m_outbox.end(),
                                 [this](const Outgoing &out) { return out.to.get() == this; });
    if (outgoing == own->m_outbox.end())
        outgoing = own->m_outbox.insert(own->m_outbox.end(), Outgoing{shared_from_this(), {}});
    outgoing->items.push_back(std::move(item));
    // A handler that reports in a loop without returning to the event loop: what it sends leaves
    // in batches of this size meanwhile, so memory stays bounded.
    if (outgoing->items.size() >= maxDeferredItems)
        append(outgoing->items);
}

void HandOff::setDefersWakeUps(bool defers)
{
    m_defersWakeUps = false;
    QObject::disconnect(m_passStarted);
    QObject::disconnect(m_passBlocks);
    // Qt's dispatchers (glib, UNIX, Windows) and the epoll one emit one of the two at the start of
    // every pass, before it waits or processes anything: the outbox leaves there, after all the
    // previous pass did. Without a dispatcher, nothing would send it: post at once.
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance(m_thread);
    if (!defers || !dispatcher)
        return;
    m_defersWakeUps = true;
    const auto flush = [this] {
        flushOutbox();
    };
    m_passBlocks = QObject::connect(dispatcher, &QAbstractEventDispatcher::aboutToBlock,
                                    m_receiver.get(), flush, Qt::DirectConnection);
    m_passStarted = QObject::connect(dispatcher, &QAbstractEventDispatcher::awake, m_receiver.get(),
                                     flush, Qt::DirectConnection);
}

void HandOff::flushOutbox()
{
    if (m_outbox.empty())
        return;
    for (Outgoing &outgoing : std::exchange(m_outbox, {}))
        outgoing.to->append(outgoing.items);
}

void HandOff::append(std::vector<Item> &items)
{
    std::unique_lock locker(m_mutex);
    if (m_closed) {
        locker.unlock();
        items.clear(); // their runs may go: not under the lock
        return;
    }
    if (m_pending.empty())
        m_pending.swap(items);
    else
        std::move(items.begin(), items.end(), std::back_inserter(m_pending));
    items.clear();
    wake();
}

void HandOff::wake()
{
    if (m_wakePosted)
        return;
    m_wakePosted = true;
    m_wakeUps.fetch_add(1, std::memory_order_relaxed);
    QCoreApplication::postEvent(m_receiver.get(), new QEvent(wakeEvent));
}

void HandOff::deliver()
{
    std::vector<Item> batch;
    {
        const std::lock_guard locker(m_mutex);
        m_wakePosted = false;
        batch.swap(m_pending);
    }
    // What a delivery posts here (a result after a start, say) waits for the next batch.
    m_delivering = true;
    for (Item &item : batch) {
        if (item.kind == Kind::Event) {
            const auto &delivery = std::get<EventDelivery>(item.payload);
            delivery.hub->deliver(*delivery.event);
        } else {
            CommandRun::receive(std::move(item));
        }
    }
    m_delivering = false;
    const QList<QPointer<QObject>> disposals = std::exchange(m_disposals, {});
    for (const QPointer<QObject> &object : disposals)
        delete object.data();
}

HandOff::Deadlines::iterator HandOff::addDeadline(Clock::time_point deadline,
                                                  const std::shared_ptr<CommandRun> &run)
{
    const auto added = m_deadlines.emplace(deadline, run);
    if (deadline < m_timerAt)
        armTimer();
    return added;
}

void HandOff::removeDeadline(Deadlines::iterator deadline)
{
    // The timer stays armed: firing early finds nothing due and re-arms for the next one.
    if (deadline != m_deadlines.end())
        m_deadlines.erase(deadline);
}

void HandOff::expireDeadlines()
{
    m_receiver->timer.stop();
    m_timerAt = Clock::time_point::max();
    const Clock::time_point now = Clock::now();
    std::vector<std::shared_ptr<CommandRun>> due;
    while (!m_deadlines.empty() && m_deadlines.begin()->first <= now) {
        if (std::shared_ptr<CommandRun> run = m_deadlines.begin()->second.lock()) {
            run->forgetDeadline();
            due.push_back(std::move(run));
        }
        m_deadlines.erase(m_deadlines.begin());
    }
    for (const std::shared_ptr<CommandRun> &run : due)
        run->timedOut();
    if (!m_deadlines.empty() && m_timerAt == Clock::time_point::max())
        armTimer();
}

void HandOff::armTimer()
{
    if (m_deadlines.empty())
        return;
    m_timerAt = m_deadlines.begin()->first;
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(m_timerAt - Clock::now());
    m_receiver->timer.start(int(std::max<qint64>(0, wait.count())), Qt::PreciseTimer,
                            m_receiver.get());
}

void HandOff::disposeLater(QObject *object)
{
    m_disposals.append(object);
    // A delivery disposes of what it collected when it ends.
    if (m_delivering)
        return;
    const std::lock_guard locker(m_mutex);
    wake();
}

void HandOff::close()
{
    std::vector<Item> dropped;
    {
        const std::lock_guard locker(m_mutex);
        m_closed = true;
        dropped.swap(m_pending);
    }
    // Items hold their runs, and runs hold this mailbox: letting go here breaks the cycle.
    dropped.clear();
    m_outbox.clear();
    m_deadlines.clear();
    for (const QPointer<QObject> &object : std::exchange(m_disposals, {}))
        delete object.data();
    m_receiver->timer.stop();
    const std::lock_guard locker(m_mutex);
    m_receiver.reset();
}

} // namespace CommandBridge
