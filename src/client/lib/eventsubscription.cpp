// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "eventsubscription.h"

#include "commandclient.h"
#include "commandclient_p.h"
#include "eventsubscription_p.h"

namespace CommandBridge {

EventSubscriptionPrivate::EventSubscriptionPrivate(EventSubscription *subscription)
    : q(subscription)
{}

void EventSubscriptionPrivate::setStage(Stage newStage)
{
    const bool wasActive = stage == Stage::Active;
    stage = newStage;
    if (wasActive != (newStage == Stage::Active))
        Q_EMIT q->activeChanged();
}

void EventSubscriptionPrivate::setError(const QString &code, const QString &text)
{
    if (errorCode == code && errorString == text)
        return;
    errorCode = code;
    errorString = text;
    Q_EMIT q->errorChanged();
}

void EventSubscriptionPrivate::resubscribe()
{
    setError(QString(), QString());
    if (!client)
        return;
    ClientSubscriptions &subscriptions = CommandClientPrivate::get(client)->subscriptions;
    if (events.isEmpty())
        subscriptions.detach(q);
    else
        subscriptions.attach(q);
}

EventSubscription::EventSubscription(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<EventSubscriptionPrivate>(this))
{}

EventSubscription::EventSubscription(CommandClient *client, const QStringList &events,
                                     QObject *parent)
    : EventSubscription(parent)
{
    d->client = client;
    d->events = events;
    d->resubscribe();
}

EventSubscription::~EventSubscription()
{
    // Nothing may react to a half-destroyed subscription.
    blockSignals(true);
    if (d->client)
        CommandClientPrivate::get(d->client)->subscriptions.detach(this);
}

CommandClient *EventSubscription::client() const
{
    return d->client;
}

void EventSubscription::setClient(CommandClient *client)
{
    if (d->client == client)
        return;
    if (d->client)
        CommandClientPrivate::get(d->client)->subscriptions.detach(this);
    d->client = client;
    d->resubscribe();
    Q_EMIT clientChanged();
}

QStringList EventSubscription::events() const
{
    return d->events;
}

void EventSubscription::setEvents(const QStringList &events)
{
    if (d->events == events)
        return;
    d->events = events;
    d->resubscribe();
    Q_EMIT eventsChanged();
}

bool EventSubscription::isActive() const
{
    return d->stage == EventSubscriptionPrivate::Stage::Active;
}

QString EventSubscription::errorCode() const
{
    return d->errorCode;
}

QString EventSubscription::errorString() const
{
    return d->errorString;
}

} // namespace CommandBridge
