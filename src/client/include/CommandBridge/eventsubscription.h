// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeclient_export.h>

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <memory>

Q_MOC_INCLUDE("CommandBridge/commandclient.h")

namespace CommandBridge {

class CommandClient;
class EventSubscriptionPrivate;

/// Receives the events that a CommandClient's server publishes and a list of entries asks for.
/// The entries are exact event names, `prefix.*` patterns or `*` for all.
///
/// Subscriptions are declarative: set client() and events() and the subscription follows the
/// connection. It subscribes once the client is connected, becomes active() when the server
/// confirms, goes inactive when the connection drops and subscribes again after every reconnect
/// (events published in between are lost). Changing events() or client() subscribes anew;
/// setting events() empty, clearing client() or deleting the subscription unsubscribes. Several
/// subscriptions share their client's connection: the client counts who needs each entry and
/// sends `unsubscribe` only for entries nobody needs any more.
///
/// A failure (the server declares no event of an exact name: errorCode() `unknown_event`; a
/// malformed entry such as an empty string: `bad_message`) leaves the subscription inactive
/// with nothing subscribed for it; it stays so until events() or client() change.
///
/// Ownership: owned by its parent (or the QML engine when created in QML);
/// CommandClient::subscribe() makes one as a child of the client. It does not own its client; a
/// client destroyed first leaves it with client() null. Threads: use it on its client's thread
/// only.
class COMMANDBRIDGECLIENT_EXPORT EventSubscription : public QObject
{
    Q_OBJECT

    Q_PROPERTY(
        CommandBridge::CommandClient *client READ client WRITE setClient NOTIFY clientChanged)
    Q_PROPERTY(QStringList events READ events WRITE setEvents NOTIFY eventsChanged)
    Q_PROPERTY(bool active READ isActive NOTIFY activeChanged)
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY errorChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorChanged)

public:
    /// A subscription without client or events (set them, as QML does).
    explicit EventSubscription(QObject *parent = nullptr);
    /// A subscription to \a events through \a client, which subscribes as soon as it is
    /// connected (at once if it is).
    EventSubscription(CommandClient *client, const QStringList &events, QObject *parent = nullptr);
    /// Unsubscribes the entries no other subscription of the client needs.
    ~EventSubscription() override;

    /// The client whose connection the subscription uses; null when none (or once it was
    /// destroyed).
    CommandClient *client() const;
    /// Moves the subscription to \a client: unsubscribes from the old client what nobody else
    /// needs, and subscribes anew through \a client (none when null).
    void setClient(CommandClient *client);

    /// The entries to receive events for. Exact names, `prefix.*` or `*`, sent to the server as
    /// they are, in one `subscribe` message, so one undeclared name fails them all.
    QStringList events() const;
    /// Sets events() to \a events and subscribes anew; empty unsubscribes.
    void setEvents(const QStringList &events);

    /// The server confirmed the subscription on the current connection: events arrive.
    bool isActive() const;

    /// The wire code of the last failure (`unknown_event`, `bad_message`, ...); empty while none.
    /// Cleared when events() or client() change.
    QString errorCode() const;
    /// Human-readable text for errorCode(), as the server gave it.
    QString errorString() const;

Q_SIGNALS:
    /// An event matching events() arrived, in the order the server sent it; \a seq counts the
    /// events on this connection (from 1 after every reconnect). Emitted once per event however
    /// many entries match it, for the entries the server confirmed: while a change of events()
    /// waits for its answer, the entries kept from before still deliver.
    void eventReceived(const QString &name, const QJsonObject &data, qint64 seq);
    /// The server left out \a count events on this connection before the next one (it coalesces
    /// events for a client that reads too slowly, newest wins). Emitted on every subscription
    /// that receives events, before that next event: the missing ones may or may not have
    /// matched it.
    void eventsMissed(qint64 count);

    /// client() changed.
    void clientChanged();
    /// events() changed.
    void eventsChanged();
    /// isActive() changed.
    void activeChanged();
    /// errorCode() and errorString() changed.
    void errorChanged();

private:
    friend class EventSubscriptionPrivate;
    std::unique_ptr<EventSubscriptionPrivate> d;
};

} // namespace CommandBridge
