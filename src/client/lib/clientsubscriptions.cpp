// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "clientsubscriptions_p.h"

#include "clientlogging_p.h"
#include "clientprotocol_p.h"
#include "commandclient_p.h"
#include "eventsubscription_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QPointer>

#include <cmath>

namespace CommandBridge {

namespace Key = Protocol::Key;
namespace Type = Protocol::Type;
using Stage = EventSubscriptionPrivate::Stage;

namespace {

QStringList toStringList(const QJsonArray &array)
{
    QStringList list;
    list.reserve(array.size());
    for (const QJsonValue &value : array)
        list.append(value.toString());
    return list;
}

/// The event's `seq`, or 0 when the server sent none that the client can count with.
qint64 seqOf(const QJsonObject &message)
{
    const QJsonValue seq = message.value(Key::seq);
    const double value = seq.toDouble(-1);
    if (!seq.isDouble() || value < 1 || std::trunc(value) != value ||
        value > Protocol::maxSafeInteger)
        return 0;
    return qint64(value);
}

} // namespace

ClientSubscriptions::ClientSubscriptions(CommandClientPrivate &client)
    : m_client(client)
{}

void ClientSubscriptions::attach(EventSubscription *subscription)
{
    EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
    if (!m_subscriptions.contains(subscription))
        m_subscriptions.append(subscription);
    const QStringList previous = std::exchange(d->counted, {});
    d->counted = d->events;
    d->counted.removeDuplicates();
    // Counted before the old entries are uncounted: an entry in both never reaches zero.
    count(d->counted);
    const QStringList unneeded = uncount(previous);
    d->live.removeIf([d](const QString &entry) { return !d->counted.contains(entry); });
    d->requestId = 0;
    if (!isConnected()) {
        d->setStage(Stage::Waiting);
        return;
    }
    sendSubscribe(subscription);
    sendUnsubscribe(unneeded);
}

void ClientSubscriptions::detach(EventSubscription *subscription)
{
    EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
    m_subscriptions.removeOne(subscription);
    const QStringList unneeded = uncount(std::exchange(d->counted, {}));
    d->live.clear();
    d->requestId = 0;
    d->setStage(Stage::Detached);
    if (isConnected())
        sendUnsubscribe(unneeded);
}

void ClientSubscriptions::connectionReady()
{
    m_lastSeq = 0;
    const QList<EventSubscription *> subscriptions = m_subscriptions;
    for (EventSubscription *subscription : subscriptions) {
        if (EventSubscriptionPrivate::get(subscription)->stage != Stage::Failed)
            sendSubscribe(subscription);
    }
}

void ClientSubscriptions::connectionLost()
{
    m_outstanding.clear();
    setServerEntries({});
    const QList<EventSubscription *> subscriptions = m_subscriptions;
    for (EventSubscription *subscription : subscriptions) {
        EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
        if (d->stage == Stage::Failed)
            continue;
        d->live.clear();
        d->requestId = 0;
        d->setStage(Stage::Waiting);
    }
}

void ClientSubscriptions::release()
{
    const QList<EventSubscription *> subscriptions = std::exchange(m_subscriptions, {});
    for (EventSubscription *subscription : subscriptions) {
        EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
        d->client = nullptr;
        d->counted.clear();
        d->live.clear();
        d->requestId = 0;
        d->stage = Stage::Detached;
    }
    m_counts.clear();
    m_outstanding.clear();
}

bool ClientSubscriptions::handleMessage(const QString &type, const QJsonObject &message)
{
    if (type == Type::event) {
        deliver(message);
        return true;
    }
    if (type != Type::subscribed && type != Type::unsubscribed)
        return false;
    const std::optional<int> id = ClientProtocol::integerId(message);
    if (id)
        m_outstanding.remove(*id);
    setServerEntries(toStringList(message.value(Key::events).toArray()));
    if (!id || type != Type::subscribed)
        return true;
    const QList<EventSubscription *> subscriptions = m_subscriptions;
    for (EventSubscription *subscription : subscriptions) {
        EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
        if (d->stage == Stage::Pending && d->requestId == *id) {
            d->live = d->counted;
            d->requestId = 0;
            d->setStage(Stage::Active);
            break;
        }
    }
    return true;
}

bool ClientSubscriptions::handleError(int id, const QString &code, const QString &text)
{
    if (!m_outstanding.remove(id))
        return false;
    const auto failed = std::find_if(
        m_subscriptions.cbegin(), m_subscriptions.cend(), [id](EventSubscription *subscription) {
            const EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
            return d->stage == Stage::Pending && d->requestId == id;
        });
    if (failed == m_subscriptions.cend()) {
        // A subscribe replaced since, or an unsubscribe: nothing waits for it.
        qCDebug(lcClient) << "Ignoring a server error for an earlier subscription change" << code;
        return true;
    }
    EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(*failed);
    // The server changed nothing for the refused message: what it lists came from earlier ones,
    // all answered by now, so among this subscription's entries it holds only those.
    QStringList unneeded = uncount(std::exchange(d->counted, {}));
    d->live.clear();
    unneeded.removeIf([this](const QString &entry) { return !m_serverEntries.contains(entry); });
    d->requestId = 0;
    qCInfo(lcClient) << "Subscription refused:" << code << text;
    d->setError(code, text);
    d->setStage(Stage::Failed);
    sendUnsubscribe(unneeded);
    return true;
}

void ClientSubscriptions::sendSubscribe(EventSubscription *subscription)
{
    EventSubscriptionPrivate *d = EventSubscriptionPrivate::get(subscription);
    d->requestId = m_client.nextId++;
    m_outstanding.insert(d->requestId);
    m_client.send(ClientProtocol::encodeSubscribe(d->requestId, d->events));
    d->setStage(Stage::Pending);
}

void ClientSubscriptions::sendUnsubscribe(const QStringList &entries)
{
    if (entries.isEmpty() || !isConnected())
        return;
    const int id = m_client.nextId++;
    m_outstanding.insert(id);
    m_client.send(ClientProtocol::encodeUnsubscribe(id, entries));
}

void ClientSubscriptions::count(const QStringList &entries)
{
    for (const QString &entry : entries)
        ++m_counts[entry];
}

QStringList ClientSubscriptions::uncount(const QStringList &entries)
{
    QStringList unneeded;
    for (const QString &entry : entries) {
        const auto it = m_counts.find(entry);
        if (it == m_counts.end())
            continue;
        if (--it.value() == 0) {
            m_counts.erase(it);
            unneeded.append(entry);
        }
    }
    return unneeded;
}

void ClientSubscriptions::setServerEntries(const QStringList &entries)
{
    if (m_serverEntries == entries)
        return;
    m_serverEntries = entries;
    Q_EMIT m_client.q->subscriptionsChanged();
}

void ClientSubscriptions::deliver(const QJsonObject &message)
{
    const QString name = message.value(Key::event).toString();
    const QJsonObject data = message.value(Key::data).toObject();
    const qint64 seq = seqOf(message);
    qint64 missed = 0;
    if (seq > 0) {
        if (seq <= m_lastSeq)
            qCWarning(lcClient) << "Event" << name << "has seq" << seq << "after" << m_lastSeq;
        else
            missed = seq - m_lastSeq - 1;
        m_lastSeq = std::max(m_lastSeq, seq);
    }

    // A slot may delete the client or any subscription, or change what they subscribe to.
    const QPointer<CommandClient> client(m_client.q);
    QList<QPointer<EventSubscription>> receivers;
    receivers.reserve(m_subscriptions.size());
    for (EventSubscription *subscription : std::as_const(m_subscriptions))
        receivers.append(subscription);
    const auto isLive = [](EventSubscription *subscription) {
        return subscription && !EventSubscriptionPrivate::get(subscription)->live.isEmpty();
    };

    if (missed > 0) {
        qCDebug(lcClient) << missed << "events missed before seq" << seq;
        Q_EMIT client->eventsMissed(missed);
        for (const QPointer<EventSubscription> &subscription : std::as_const(receivers)) {
            if (!client)
                return;
            if (isLive(subscription))
                Q_EMIT subscription->eventsMissed(missed);
        }
    }
    if (!client)
        return;
    Q_EMIT client->eventReceived(name, data, seq);
    for (const QPointer<EventSubscription> &subscription : std::as_const(receivers)) {
        if (!client)
            return;
        if (!isLive(subscription))
            continue;
        const QStringList &entries = EventSubscriptionPrivate::get(subscription)->live;
        if (std::any_of(entries.cbegin(), entries.cend(), [&name](const QString &entry) {
                return ClientProtocol::entryMatches(entry, name);
            }))
            Q_EMIT subscription->eventReceived(name, data, seq);
    }
}

bool ClientSubscriptions::isConnected() const
{
    return m_client.state == CommandClient::Connected;
}

} // namespace CommandBridge
