// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commanderror.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QReadWriteLock>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace CommandBridge {

class EventHub;
class ConnectionSubscription;
class HandOff;
class SchemaValidator;

/// One publication of an event, shared by every connection that receives it.
struct PublishedEvent
{
    QString name;
    /// The session it is for; empty for a Global event.
    QString sessionId;
    /// What a slow subscriber's waiting event is replaced by: same name and coalescing key.
    QString replacementKey;
    /// The data object as compact JSON, encoded once for all receivers.
    QByteArray data;
};

/// Receives the events its subscription matches, on the thread it lives on.
class EventSubscriber
{
public:
    virtual void eventPublished(const PublishedEvent &event) = 0;

protected:
    ~EventSubscriber() = default;
};

/// The registry's events: what is declared, who is interested, and the way from a publishing
/// thread to the threads of the subscribed connections. Each thread with subscribers has one
/// EventHub; an event published on another thread reaches it through that thread's HandOff
/// mailbox, in the same batches as the results published there, so "publish, then finish"
/// keeps its order on every connection.
class EventBus
{
public:
    struct Declared
    {
        EventDescriptor descriptor;
        std::unique_ptr<SchemaValidator> validator;
        /// Subscription entries that match this event, over all connections.
        std::atomic<int> interest{0};
        ~Declared();
    };

    /// Declares \a descriptor, or returns why it cannot be.
    std::optional<QString> declare(const EventDescriptor &descriptor);
    /// Removes a declared event (an exposed object went); subscriptions to it stay, and match it
    /// again if it is declared anew.
    void undeclare(const QString &name);
    bool contains(const QString &name) const { return find(name) != nullptr; }
    QJsonArray describe() const;
    bool hasSubscribers(const QString &name) const;
    /// \a sessionId is empty for a Global event.
    bool publish(const QString &name, const QString &sessionId, const QJsonObject &data,
                 const QString &coalescingKey);
    /// Publishes as a command of \a commandSession does: a Session event goes to that session.
    bool publishFromCommand(const QString &name, const QString &commandSession,
                            const QJsonObject &data, const QString &coalescingKey);

    /// Whether subscription \a entry (an exact name, `prefix.*` or `*`) selects \a name.
    static bool entryMatches(const QString &entry, const QString &name);

private:
    friend class ConnectionSubscription;

    /// Shared: a publisher keeps an event that is undeclared meanwhile.
    std::shared_ptr<const Declared> find(const QString &name) const;
    bool publish(const Declared *declared, const QString &name, const QString &sessionId,
                 const QJsonObject &data, const QString &coalescingKey);
    void addEntry(const QString &entry);
    void removeEntry(const QString &entry);
    /// The calling thread's hub, made on first use.
    std::shared_ptr<EventHub> hubHere();
    void dropHubIfIdle(const std::shared_ptr<EventHub> &hub);

    mutable QReadWriteLock m_lock;
    /// A map, not a QHash: hashing a QString costs more than the few comparisons of a lookup here.
    std::map<QString, std::shared_ptr<Declared>> m_events;
    /// Every connection's subscription entries, counted.
    QHash<QString, int> m_entries;
    std::vector<std::shared_ptr<EventHub>> m_hubs;
};

/// One thread's subscribed connections. Everything but the bus's bookkeeping happens on that
/// thread.
class EventHub
{
public:
    explicit EventHub(std::shared_ptr<HandOff> home);

    /// Hands \a event to each matching subscription on this thread.
    void deliver(const PublishedEvent &event);

    const std::shared_ptr<HandOff> &home() const { return m_home; }
    bool isIdle() const { return m_subscriptions.empty(); }

private:
    friend class ConnectionSubscription;

    const std::shared_ptr<HandOff> m_home;
    std::vector<ConnectionSubscription *> m_subscriptions;
    /// A subscription that goes while events are delivered leaves a hole, removed afterwards.
    bool m_delivering = false;
};

/// One connection's subscription list and event counter: the matcher that the WebSocket and
/// SSE front ends share. Lives on the connection's thread; attaches to that thread's hub on its
/// first entry and detaches when it has none or goes.
class ConnectionSubscription
{
public:
    struct Refusal
    {
        ErrorCode code;
        QString message;
    };

    /// Entries one connection may hold: each costs every publication a comparison.
    static constexpr std::size_t maxEntries = 256;

    /// \a sessionId selects the Session events it receives; empty for none.
    ConnectionSubscription(CommandRegistry *registry, EventSubscriber *subscriber,
                           QString sessionId);
    ~ConnectionSubscription();
    ConnectionSubscription(const ConnectionSubscription &) = delete;
    ConnectionSubscription &operator=(const ConnectionSubscription &) = delete;

    /// What subscribe() would refuse \a entries for on a connection that holds \a held entries.
    static std::optional<Refusal> check(CommandRegistry *registry, const QStringList &entries,
                                        const std::set<QString> &held = {});

    /// Adds \a entries (exact names, `prefix.*`, `*`). An exact name that is not declared refuses
    /// the whole call with unknown_event, more than maxEntries with bad_message; then nothing
    /// changes.
    std::optional<Refusal> subscribe(const QStringList &entries);
    /// Removes \a entries; ones it does not hold are ignored.
    void unsubscribe(const QStringList &entries);
    /// The entries held, sorted.
    QStringList entries() const { return QStringList(m_entries.cbegin(), m_entries.cend()); }

    bool matches(const PublishedEvent &event) const;
    /// The `seq` of the next event sent on this connection: 1, 2, ...
    quint64 nextSeq() { return ++m_seq; }
    EventSubscriber *subscriber() const { return m_subscriber; }

private:
    void attach();
    void detach();

    CommandRegistry *const m_registry;
    const std::shared_ptr<EventBus> m_bus;
    EventSubscriber *const m_subscriber;
    const QString m_sessionId;
    std::shared_ptr<EventHub> m_hub;
    std::set<QString> m_entries;
    quint64 m_seq = 0;
};

} // namespace CommandBridge
