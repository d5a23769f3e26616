// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "eventsubscription.h"

#include <QtCore/QPointer>

namespace CommandBridge {

/// The state of an EventSubscription, moved along by its client's ClientSubscriptions.
class EventSubscriptionPrivate
{
public:
    enum class Stage {
        Detached, ///< No client or no events: nothing counted.
        Waiting,  ///< Counted; the client is not connected, the subscribe goes out at hello.
        Pending,  ///< `subscribe` sent as requestId; waiting for `subscribed`.
        Active,   ///< Confirmed on the current connection.
        Failed,   ///< The server refused it: nothing counted until events or client change.
    };

    explicit EventSubscriptionPrivate(EventSubscription *subscription);

    static EventSubscriptionPrivate *get(EventSubscription *subscription)
    {
        return subscription->d.get();
    }

    /// Moves to \a newStage, announcing a change of isActive().
    void setStage(Stage newStage);
    void setError(const QString &code, const QString &text);
    /// Hands the current client and events to the client's tally again.
    void resubscribe();

    EventSubscription *const q;
    /// Guarded: a client destroyed first leaves it null (see ClientSubscriptions::release()).
    QPointer<CommandClient> client;
    QStringList events;
    Stage stage = Stage::Detached;
    /// The entries the client counts for this subscription (events without duplicates).
    QStringList counted;
    /// The counted entries the server confirmed on this connection: events matching them are
    /// delivered, also while a change of events() waits for its answer.
    QStringList live;
    /// Wire id of the `subscribe` in flight while Pending.
    int requestId = 0;
    QString errorCode;
    QString errorString;
};

} // namespace CommandBridge
