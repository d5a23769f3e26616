// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "commandclient.h"

#include "clientlogging_p.h"
#include "clientprotocol_p.h"
#include "commandcall_p.h"
#include "commandclient_p.h"
#include "websocketcompat_p.h"

#include <QtCore/QJsonArray>
#include <QtNetwork/QNetworkRequest>
#include <QtWebSockets/QWebSocket>

#include <algorithm>

using namespace std::chrono_literals;

namespace CommandBridge {

namespace Key = Protocol::Key;
namespace Type = Protocol::Type;
namespace Code = ClientProtocol::Code;

namespace {

constexpr int firstBackoffMs = 250;
constexpr int maxBackoffMs = 5000;
/// An attempt that has no hello by then is given up: a silent peer must not leave the client
/// Connecting for the minutes a TCP timeout takes.
constexpr auto helloTimeout = 10s;
/// How often running calls announce a new elapsedMs().
constexpr auto tickInterval = 200ms;

QString describeClose(const QWebSocket *socket)
{
    const QString reason = socket->closeReason();
    if (!reason.isEmpty())
        return CommandClient::tr("Closed by the server (%1: %2)")
            .arg(QString::number(socket->closeCode()), reason);
    if (!socket->errorString().isEmpty() && socket->error() != QAbstractSocket::UnknownSocketError)
        return socket->errorString();
    return CommandClient::tr("The connection was closed");
}

/// What the user reads when the server refused the upgrade with \a httpStatus.
QString describeRefusal(int httpStatus, const QString &fallback)
{
    switch (httpStatus) {
    case 401:
        return CommandClient::tr("The server refused the token (HTTP 401)");
    case 403:
        return CommandClient::tr("The server refused this host or origin (HTTP 403)");
    case 400:
        return CommandClient::tr(
            "The server refused the request (HTTP 400): is the session id valid?");
    default:
        return fallback;
    }
}

} // namespace

CommandClientPrivate::CommandClientPrivate(CommandClient *client)
    : q(client)
    , url(QStringLiteral("ws://127.0.0.1:8080/ws"))
    , model(new CommandListModel(client))
    , eventModel(new EventListModel(client))
    , subscriptions(*this)
{
    reconnectTimer.setSingleShot(true);
    QObject::connect(&reconnectTimer, &QTimer::timeout, q, [this] {
        if (state == CommandClient::Reconnecting && !socket)
            open(ClientProtocol::withSession(activeUrl, sessionId));
    });
    helloTimer.setSingleShot(true);
    helloTimer.setInterval(helloTimeout);
    QObject::connect(&helloTimer, &QTimer::timeout, q, [this] {
        onSocketGone(CommandClient::tr("The server did not say hello in time"), true);
    });
    ticker.setInterval(tickInterval);
    QObject::connect(&ticker, &QTimer::timeout, q, [this] {
        for (CommandCall *call : std::as_const(calls)) {
            if (call->isRunning())
                Q_EMIT call->elapsedMsChanged();
        }
        updateTicker();
    });
}

void CommandClientPrivate::open(const QUrl &target)
{
    auto *webSocket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    // One frame per message: QWebSocket splits longer ones every 512 KiB by bytes, possibly inside
    // a UTF-8 character, which Qt 6.4's QWebSocket on the server refuses with close 1007.
    webSocket->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
    socket = webSocket;
    authPending = false;
    QObject::connect(webSocket, &QWebSocket::textMessageReceived, q,
                     [this, webSocket](const QString &text) {
                         if (webSocket == socket)
                             onTextMessage(text);
                     });
    QObject::connect(webSocket, &QWebSocket::disconnected, q, [this, webSocket] {
        if (webSocket == socket)
            onSocketGone(describeClose(webSocket), true);
    });
    // A refused or failed handshake reports an error without disconnected(); an error on an
    // open connection is followed by disconnected(), which carries the close reason.
    QObject::connect(
        webSocket, webSocketErrorSignal, q, [this, webSocket](QAbstractSocket::SocketError) {
            if (webSocket != socket || webSocket->state() == QAbstractSocket::ConnectedState)
                return;
            const int status = refusedUpgradeStatus(webSocket);
            // A wrong token stays wrong: retrying would only hammer the server.
            onSocketGone(describeRefusal(status, webSocket->errorString()), status != 401);
        });

    QNetworkRequest request(target);
    if (!token.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"),
                             QByteArrayLiteral("Bearer ") + token.toUtf8());
    qCDebug(lcClient) << "Connecting to" << target.toString(QUrl::RemoveUserInfo);
    helloTimer.start();
    webSocket->open(request);
}

void CommandClientPrivate::onTextMessage(const QString &text)
{
    const std::optional<QJsonObject> message = ClientProtocol::decode(text);
    if (!message) {
        qCWarning(lcClient) << "Ignoring a server message that is not a JSON object";
        return;
    }
    const QString type = message->value(Key::type).toString();
    if (type == Type::commandProgress) {
        const std::optional<int> id = ClientProtocol::integerId(*message);
        CommandCall *call = id ? inFlight.value(*id) : nullptr;
        if (!call)
            return;
        const QJsonValue percent = message->value(Key::percent);
        CommandCallPrivate::get(call)->applyProgress(
            message->value(Key::message).toString(),
            percent.isDouble() ? std::optional<double>(percent.toDouble()) : std::nullopt);
    } else if (type == Type::commandResult) {
        onResult(*message);
    } else if (type == Type::commands) {
        model->setCommands(message->value(Key::commands).toArray());
    } else if (subscriptions.handleMessage(type, *message)) {
        return;
    } else if (type == Type::events) {
        eventModel->setEvents(message->value(Key::events).toArray());
    } else if (type == Type::hello) {
        onHello(*message);
    } else if (type == Type::authResult) {
        if (authPending && message->value(Key::success).toBool())
            becomeConnected();
        else
            setErrorString(CommandClient::tr("The server refused the token"));
    } else if (type == Type::error) {
        onError(*message);
    } else if (type != Type::pong) {
        qCDebug(lcClient) << "Ignoring a server message of type" << type;
    }
}

void CommandClientPrivate::onHello(const QJsonObject &message)
{
    helloTimer.stop();
    setSessionId(message.value(Key::sessionId).toString());
    serverHasEvents =
        message.value(Key::features).toArray().contains(QJsonValue(Protocol::Feature::events));
    if (!message.value(Key::authRequired).toBool()) {
        becomeConnected();
        return;
    }
    if (token.isEmpty()) {
        onSocketGone(CommandClient::tr("The server requires a token"), false);
        return;
    }
    authPending = true;
    send(ClientProtocol::encodeAuth(token));
}

void CommandClientPrivate::becomeConnected()
{
    authPending = false;
    backoffMs = 0;
    setErrorString(QString());
    setState(CommandClient::Connected);
    send(ClientProtocol::encodeListCommands(nextId++));
    if (serverHasEvents)
        send(ClientProtocol::encodeListEvents(nextId++));
    else
        eventModel->setEvents(QJsonArray());
    const QList<CommandCall *> waiting = std::exchange(pending, {});
    for (CommandCall *call : waiting)
        sendCommand(call);
    subscriptions.connectionReady();
    Q_EMIT q->connected();
}

void CommandClientPrivate::onResult(const QJsonObject &message)
{
    const std::optional<int> id = ClientProtocol::integerId(message);
    CommandCall *call = id ? inFlight.take(*id) : nullptr;
    if (!call) {
        qCDebug(lcClient) << "Ignoring a result for no running call";
        return;
    }
    CommandCallPrivate *callPrivate = CommandCallPrivate::get(call);
    if (message.value(Key::success).toBool()) {
        callPrivate->succeed(message.value(Key::result));
        return;
    }
    const QJsonObject error = message.value(Key::result).toObject();
    const QString code = error.value(Key::code).toString();
    callPrivate->fail(code == Code::cancelled ? CommandCall::Cancelled : CommandCall::Failed, code,
                      error.value(Key::message).toString(), error.value(Key::details).toArray());
}

void CommandClientPrivate::onError(const QJsonObject &message)
{
    const QString code = message.value(Key::code).toString();
    const QString text = message.value(Key::message).toString();
    // unknown_id answers a cancel that crossed the result: the result already ended the call.
    if (code == Code::unknownId)
        return;
    const std::optional<int> id = ClientProtocol::integerId(message);
    if (id && subscriptions.handleError(*id, code, text))
        return;
    if (CommandCall *call = id ? inFlight.take(*id) : nullptr) {
        CommandCallPrivate::get(call)->fail(CommandCall::Failed, code, text);
        return;
    }
    qCWarning(lcClient) << "Server error" << code << text;
    if (code == Code::unauthorized)
        setErrorString(text);
}

void CommandClientPrivate::onSocketGone(const QString &reason, bool retry)
{
    helloTimer.stop();
    QWebSocket *webSocket = socket.data();
    socket.clear();
    bool refused = false;
    if (webSocket) {
        refused = webSocket->closeCode() == ClientProtocol::closeCodeUnauthorized;
        webSocket->disconnect(q);
        if (webSocket->state() != QAbstractSocket::UnconnectedState)
            webSocket->abort();
        webSocket->deleteLater();
    }
    authPending = false;

    const bool wasConnected = state == CommandClient::Connected;
    qCInfo(lcClient) << "Connection gone:" << reason;
    setErrorString(reason);
    if (retry && !refused && autoReconnect &&
        (wasConnected || state == CommandClient::Reconnecting)) {
        setState(CommandClient::Reconnecting);
        scheduleReconnect();
    } else {
        reconnectTimer.stop();
        setState(CommandClient::Disconnected);
        setSessionId(QString());
    }
    subscriptions.connectionLost();
    failUnfinished(wasConnected
                       ? CommandClient::tr("The connection to the server was lost: %1").arg(reason)
                       : CommandClient::tr("Could not connect to the server: %1").arg(reason));
    if (wasConnected)
        Q_EMIT q->disconnected();
}

void CommandClientPrivate::scheduleReconnect()
{
    backoffMs = backoffMs == 0 ? firstBackoffMs : std::min(backoffMs * 2, maxBackoffMs);
    qCDebug(lcClient) << "Reconnecting in" << backoffMs << "ms";
    reconnectTimer.start(backoffMs);
}

void CommandClientPrivate::send(const QString &message)
{
    if (socket)
        socket->sendTextMessage(message);
}

void CommandClientPrivate::sendCommand(CommandCall *call)
{
    CommandCallPrivate *callPrivate = CommandCallPrivate::get(call);
    inFlight.insert(callPrivate->requestId, call);
    send(ClientProtocol::encodeCommand(callPrivate->requestId, callPrivate->command,
                                       callPrivate->args, callPrivate->timeoutMs));
}

void CommandClientPrivate::failUnfinished(const QString &reason)
{
    QList<CommandCall *> unfinished = std::exchange(pending, {});
    unfinished += inFlight.values();
    inFlight.clear();
    std::sort(unfinished.begin(), unfinished.end(),
              [](CommandCall *a, CommandCall *b) { return a->requestId() < b->requestId(); });
    for (CommandCall *call : std::as_const(unfinished))
        CommandCallPrivate::get(call)->fail(CommandCall::Disconnected, Code::disconnected, reason);
}

CommandCall *CommandClientPrivate::run(const QString &name, const QJsonObject &args, int timeoutMs)
{
    CommandCall *call = CommandCallPrivate::create(q, nextId++, name, args, timeoutMs);
    QObject::connect(call, &CommandCall::finished, q, [this] { updateTicker(); });
    QObject::connect(call, &QObject::destroyed, q, [this](QObject *object) {
        // Compared as QObject pointers: the call is no longer a CommandCall by now.
        const auto isGone = [object](const CommandCall *call) {
            return call == object;
        };
        pending.removeIf(isGone);
        // Nobody is left to see its result: stop the work on the server.
        for (auto it = inFlight.begin(); it != inFlight.end();) {
            if (isGone(it.value())) {
                send(ClientProtocol::encodeCancel(it.key()));
                it = inFlight.erase(it);
            } else {
                ++it;
            }
        }
        if (calls.removeIf(isGone) > 0)
            Q_EMIT q->callsChanged();
    });
    calls.append(call);
    Q_EMIT q->callsChanged();

    switch (state) {
    case CommandClient::Connected:
        sendCommand(call);
        break;
    case CommandClient::Connecting:
        pending.append(call);
        break;
    case CommandClient::Disconnected:
    case CommandClient::Reconnecting:
        QMetaObject::invokeMethod(
            call,
            [call] {
                CommandCallPrivate::get(call)->fail(
                    CommandCall::Disconnected, Code::disconnected,
                    CommandClient::tr("Not connected to the server"));
            },
            Qt::QueuedConnection);
        break;
    }
    updateTicker();
    return call;
}

void CommandClientPrivate::cancel(CommandCall *call)
{
    CommandCallPrivate *callPrivate = CommandCallPrivate::get(call);
    if (inFlight.value(callPrivate->requestId) == call) {
        if (!callPrivate->cancelSent) {
            callPrivate->cancelSent = true;
            send(ClientProtocol::encodeCancel(callPrivate->requestId));
        }
        return;
    }
    pending.removeAll(call);
    callPrivate->fail(CommandCall::Cancelled, Code::cancelled,
                      CommandClient::tr("Cancelled before it was sent"));
}

void CommandClientPrivate::setState(CommandClient::State newState)
{
    if (state == newState)
        return;
    state = newState;
    Q_EMIT q->stateChanged();
}

void CommandClientPrivate::setSessionId(const QString &id)
{
    if (sessionId == id)
        return;
    sessionId = id;
    Q_EMIT q->sessionIdChanged();
}

void CommandClientPrivate::setErrorString(const QString &text)
{
    if (errorString == text)
        return;
    errorString = text;
    Q_EMIT q->errorStringChanged();
}

void CommandClientPrivate::updateTicker()
{
    const bool anyRunning = std::any_of(calls.cbegin(), calls.cend(),
                                        [](const CommandCall *call) { return call->isRunning(); });
    if (anyRunning && !ticker.isActive())
        ticker.start();
    else if (!anyRunning)
        ticker.stop();
}

CommandClient::CommandClient(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<CommandClientPrivate>(this))
{}

CommandClient::~CommandClient()
{
    d->reconnectTimer.stop();
    d->helloTimer.stop();
    d->ticker.stop();
    d->subscriptions.release();
    const QList<CommandCall *> calls = std::exchange(d->calls, {});
    d->pending.clear();
    d->inFlight.clear();
    for (CommandCall *call : calls) {
        call->disconnect(this);
        delete call;
    }
    if (QWebSocket *webSocket = d->socket.data()) {
        webSocket->disconnect(this);
        webSocket->close();
        webSocket->flush();
    }
}

QUrl CommandClient::url() const
{
    return d->url;
}

void CommandClient::setUrl(const QUrl &url)
{
    if (d->url == url)
        return;
    d->url = url;
    Q_EMIT urlChanged();
}

QString CommandClient::token() const
{
    return d->token;
}

void CommandClient::setToken(const QString &token)
{
    if (d->token == token)
        return;
    d->token = token;
    Q_EMIT tokenChanged();
}

CommandClient::State CommandClient::state() const
{
    return d->state;
}

QString CommandClient::sessionId() const
{
    return d->sessionId;
}

CommandListModel *CommandClient::commands() const
{
    return d->model;
}

EventListModel *CommandClient::events() const
{
    return d->eventModel;
}

QStringList CommandClient::subscriptions() const
{
    return d->subscriptions.serverEntries();
}

QList<CommandCall *> CommandClient::calls() const
{
    return d->calls;
}

bool CommandClient::autoReconnect() const
{
    return d->autoReconnect;
}

void CommandClient::setAutoReconnect(bool enabled)
{
    if (d->autoReconnect == enabled)
        return;
    d->autoReconnect = enabled;
    if (!enabled && d->state == Reconnecting && !d->socket) {
        d->reconnectTimer.stop();
        d->setState(Disconnected);
        d->setSessionId(QString());
    }
    Q_EMIT autoReconnectChanged();
}

QString CommandClient::errorString() const
{
    return d->errorString;
}

void CommandClient::connectToServer()
{
    if (d->state == Reconnecting && !d->socket) {
        d->reconnectTimer.stop();
        d->open(ClientProtocol::withSession(d->activeUrl, d->sessionId));
        return;
    }
    if (d->state != Disconnected)
        return;
    d->backoffMs = 0;
    d->activeUrl = d->url;
    d->setState(Connecting);
    d->open(d->activeUrl);
}

void CommandClient::disconnectFromServer()
{
    d->reconnectTimer.stop();
    d->helloTimer.stop();
    if (QWebSocket *webSocket = d->socket.data()) {
        d->socket.clear();
        webSocket->disconnect(this);
        if (webSocket->state() == QAbstractSocket::ConnectedState) {
            // Deleted once the close handshake is done, so the server sees a clean close.
            connect(webSocket, &QWebSocket::disconnected, webSocket, &QObject::deleteLater);
            webSocket->close();
        } else {
            webSocket->abort();
            webSocket->deleteLater();
        }
    }
    const bool wasConnected = d->state == Connected;
    d->authPending = false;
    d->setState(Disconnected);
    d->setSessionId(QString());
    d->subscriptions.connectionLost();
    d->failUnfinished(tr("Disconnected from the server"));
    if (wasConnected)
        Q_EMIT disconnected();
}

CommandCall *CommandClient::run(const QString &name, const QVariantMap &args, int timeoutMs)
{
    return d->run(name, QJsonObject::fromVariantMap(args), timeoutMs);
}

CommandCall *CommandClient::run(const QString &name, const QJsonObject &args, int timeoutMs)
{
    return d->run(name, args, timeoutMs);
}

EventSubscription *CommandClient::subscribe(const QStringList &events)
{
    return new EventSubscription(this, events, this);
}

void CommandClient::clearFinished()
{
    const QList<CommandCall *> all = d->calls;
    bool removed = false;
    for (CommandCall *call : all) {
        if (call->isRunning())
            continue;
        d->calls.removeOne(call);
        call->disconnect(this);
        call->deleteLater();
        removed = true;
    }
    if (removed)
        Q_EMIT callsChanged();
}

} // namespace CommandBridge
