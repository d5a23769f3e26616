// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QSet>
#include <QtCore/QStringList>

namespace CommandBridge {

class CommandClientPrivate;
class EventSubscription;

/// The event subscriptions of one CommandClient: which EventSubscription needs which entry, the
/// entry list the server last confirmed, and where each incoming `event` goes.
///
/// Every subscription sends its own `subscribe` (so an `unknown_event` answer belongs to exactly
/// one of them), while `unsubscribe` names only the entries whose count drops to zero: an entry
/// another subscription still needs is never taken off the connection. The server handles a
/// connection's messages in order, so a `subscribe` and an `unsubscribe` of the same entry sent
/// one after the other leave it as the last one said.
class ClientSubscriptions
{
public:
    explicit ClientSubscriptions(CommandClientPrivate &client);

    /// (Re)starts \a subscription with its current events: counts them, uncounts what it held
    /// before, and when connected sends its `subscribe` and `unsubscribe`s the entries no longer
    /// needed.
    void attach(EventSubscription *subscription);
    /// Stops \a subscription: uncounts its entries and unsubscribes those nobody else needs.
    void detach(EventSubscription *subscription);

    /// The connection is ready (after hello and auth): every subscription subscribes again and
    /// `seq` starts over.
    void connectionReady();
    /// The connection is gone: subscriptions wait for the next one; the server forgot them.
    void connectionLost();
    /// The client is being destroyed: every subscription is left without a client, silently.
    void release();

    /// Handles `subscribed`, `unsubscribed` and `event`; false for any other \a type.
    bool handleMessage(const QString &type, const QJsonObject &message);
    /// Handles an `error` answering a `subscribe` or `unsubscribe`; false if \a id is neither.
    bool handleError(int id, const QString &code, const QString &text);

    /// The connection's entries as the server last listed them, sorted; empty while none.
    QStringList serverEntries() const { return m_serverEntries; }

private:
    void sendSubscribe(EventSubscription *subscription);
    void sendUnsubscribe(const QStringList &entries);
    /// Counts \a entries once more.
    void count(const QStringList &entries);
    /// Uncounts \a entries; returns those nobody counts any more.
    QStringList uncount(const QStringList &entries);
    void setServerEntries(const QStringList &entries);
    void deliver(const QJsonObject &message);
    bool isConnected() const;

    CommandClientPrivate &m_client;
    /// In the order they were attached.
    QList<EventSubscription *> m_subscriptions;
    QHash<QString, int> m_counts;
    /// Ids of `subscribe` and `unsubscribe` messages not answered yet.
    QSet<int> m_outstanding;
    QStringList m_serverEntries;
    /// `seq` of the last event on this connection; 0 before the first.
    qint64 m_lastSeq = 0;
};

} // namespace CommandBridge
