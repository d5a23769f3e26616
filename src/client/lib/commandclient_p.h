// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "clientsubscriptions_p.h"
#include "commandclient.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace CommandBridge {

/// The connection, its calls and the reconnect loop of a CommandClient.
class CommandClientPrivate
{
public:
    explicit CommandClientPrivate(CommandClient *client);

    static CommandClientPrivate *get(CommandClient *client) { return client->d.get(); }

    CommandCall *run(const QString &name, const QJsonObject &args, int timeoutMs);
    void cancel(CommandCall *call);

    void open(const QUrl &target);
    void onTextMessage(const QString &text);
    void onHello(const QJsonObject &message);
    void onResult(const QJsonObject &message);
    void onError(const QJsonObject &message);
    void becomeConnected();
    /// The socket closed or never opened: fail the calls, then reconnect or stop.
    void onSocketGone(const QString &reason, bool retry);
    void scheduleReconnect();
    void send(const QString &message);
    void sendCommand(CommandCall *call);
    /// Ends every unfinished call as Disconnected.
    void failUnfinished(const QString &reason);

    void setState(CommandClient::State newState);
    void setSessionId(const QString &id);
    void setErrorString(const QString &text);
    void updateTicker();

    CommandClient *const q;
    QUrl url;
    /// url() as it was at connectToServer(): reconnects go there even if url() changed since.
    QUrl activeUrl;
    QString token;
    CommandClient::State state = CommandClient::Disconnected;
    QString sessionId;
    CommandListModel *model;
    EventListModel *eventModel;
    bool autoReconnect = true;
    QString errorString;

    /// The socket of the current attempt; replaced on every attempt so that a late signal of
    /// an abandoned one cannot be mistaken for the current connection's.
    QPointer<QWebSocket> socket;
    /// hello said auth_required and the `auth` message is out.
    bool authPending = false;
    QTimer helloTimer;
    QTimer reconnectTimer;
    int backoffMs = 0;
    /// Emits elapsedMsChanged() on running calls so QML displays tick.
    QTimer ticker;

    QList<CommandCall *> calls;
    /// Sent and waiting for their result, by wire id.
    QHash<int, CommandCall *> inFlight;
    /// Run while Connecting: sent once hello arrives.
    QList<CommandCall *> pending;
    int nextId = 1;

    /// hello listed the "events" feature: list_events is understood.
    bool serverHasEvents = false;
    ClientSubscriptions subscriptions;
};

} // namespace CommandBridge
