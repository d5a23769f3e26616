// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "websocketbridge_p.h"

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>
#include <CommandBridge/version.h>

#include "clientframesocket_p.h"
#include "commandregistry_p.h"
#include "logging_p.h"
#include "messageencoder_p.h"
#include "protocol_p.h"
#include "requestadmission_p.h"
#include "sessionstore_p.h"

#include <QtCore/QTimer>
#include <QtCore/QTimerEvent>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QTcpSocket>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

namespace CommandBridge {

namespace {

QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char('/') + QString::number(port);
}

/// Close code for a client that never authenticated or sent a wrong token (spec section 7).
constexpr int closeCodeUnauthorized = 4001;
/// After a close frame that a stalled client will never read, the socket is dropped this late.
constexpr std::chrono::seconds closeGrace{1};

} // namespace

WebSocketConnection::WebSocketConnection(QWebSocket *socket, ClientFrameSocket *frames,
                                         const QString &sessionId, bool authenticated,
                                         WebSocketBridge *bridge)
    : QObject(bridge)
    , m_bridge(bridge)
    , m_socket(socket)
    , m_frames(frames)
    , m_sessionId(sessionId)
    , m_outgoing(
          [socket](const QByteArray &message) {
              socket->sendTextMessage(QString::fromUtf8(message));
          },
          [this] {
              const QTcpSocket *connection = transport();
              return connection ? unsentBytes(connection) : m_socket->bytesToWrite();
          },
          bridge->options().outgoingHighWater,
          // Events published in slices, one per pass of the event loop, can pile up in the
          // socket's buffer before it writes: that says nothing about the client, so the buffer
          // goes to the network before anything waits or coalesces.
          [this] {
              if (QTcpSocket *connection = transport())
                  sendNow(connection);
              else
                  m_socket->flush();
          })
    , m_authenticated(authenticated)
{
    const ServerOptions &options = bridge->options();
    m_socket->setParent(this);
    const auto maxBytes = quint64(options.maxMessageBytes);
    m_socket->setMaxAllowedIncomingMessageSize(maxBytes);
    m_socket->setMaxAllowedIncomingFrameSize(maxBytes);
    // One frame per message: QWebSocket splits longer ones every 512 KiB by bytes, possibly inside
    // a UTF-8 character, which Qt 6.4 receivers refuse with close 1007.
    m_socket->setOutgoingFrameSize(QWebSocket::maxOutgoingFrameSize());
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { receive(text.toUtf8()); });
    connect(m_socket, &QWebSocket::binaryMessageReceived, this,
            &WebSocketConnection::receiveBinary);
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketConnection::onDisconnected);
    const auto written = [this] {
        m_outgoing.flush();
        checkBacklog();
    };
    if (QTcpSocket *connection = transport())
        whenBytesLeave(connection, this, written);
    else
        connect(m_socket, &QWebSocket::bytesWritten, this, written);

    if (m_authenticated)
        acquireSession();
    else
        m_authDeadline.start(int(options.authTimeout.count()), this);

    send(Encoder::hello(HelloInfo{
        QStringLiteral("CommandBridge/" COMMANDBRIDGE_VERSION_STRING),
        m_sessionId,
        !m_authenticated,
        options.maxMessageBytes,
        options.maxInFlight,
        bridge->registry()->maxTimeout(),
    }));
}

WebSocketConnection::~WebSocketConnection()
{
    m_closed = true;
    // Finishes every command, so none reports to this sink afterwards.
    abortAll(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
    if (m_session)
        m_bridge->sessions()->release(m_session);
}

void WebSocketConnection::receive(const QByteArray &utf8)
{
    DecodeResult decoded = decodeClientMessage(utf8);
    if (!m_authenticated) {
        receiveBeforeAuth(decoded);
        return;
    }
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        send(Encoder::error(error->code, error->message, error->id));
        return;
    }
    ClientMessage &message = std::get<ClientMessage>(decoded);
    switch (message.type) {
    case ClientMessage::Type::Command:
        runCommand(std::move(message));
        break;
    case ClientMessage::Type::Cancel:
        cancelCommand(message);
        break;
    case ClientMessage::Type::ListCommands:
        send(Encoder::commands(message.id, m_bridge->registry()->describeCommands()));
        break;
    case ClientMessage::Type::Ping:
        send(Encoder::pong(message.id));
        break;
    case ClientMessage::Type::ListEvents:
        send(Encoder::events(message.id, m_bridge->registry()->describeEvents()));
        break;
    case ClientMessage::Type::Subscribe:
        subscribe(message);
        break;
    case ClientMessage::Type::Unsubscribe:
        unsubscribe(message);
        break;
    case ClientMessage::Type::Auth:
        authenticate(message);
        break;
    }
}

void WebSocketConnection::receiveBinary(const QByteArray &message)
{
    if (m_frames && m_frames->isFragmentedText()) {
        // Text, handed on as binary so that a character split between two of its frames passes;
        // it must be UTF-8 as a whole, as a text message QWebSocket checks must be.
        if (!message.isValidUtf8()) {
            qCDebug(lcAccess) << "closing the WebSocket of" << m_socket->peerAddress()
                              << "rule framing: a fragmented text message is not UTF-8";
            closeWith(ErrorCode::Cancelled, QStringLiteral("Invalid UTF-8 code encountered."),
                      QWebSocketProtocol::CloseCodeWrongDatatype);
            return;
        }
        receive(message);
        return;
    }
    if (!m_authenticated) {
        receiveBeforeAuth(DecodeError{});
        return;
    }
    send(Encoder::error(ErrorCode::BadMessage,
                        QStringLiteral("Messages must be JSON in text frames"),
                        QJsonValue::Undefined));
}

void WebSocketConnection::receiveBeforeAuth(const DecodeResult &decoded)
{
    const auto *message = std::get_if<ClientMessage>(&decoded);
    if (message && message->type == ClientMessage::Type::Auth) {
        authenticate(*message);
        return;
    }
    const QJsonValue id = message ? message->id : std::get<DecodeError>(decoded).id;
    qCInfo(lcAccess) << "WebSocket client" << m_socket->peerAddress()
                     << "sent a message before authenticating; closing";
    const QString reason = QStringLiteral("Authenticate first");
    send(Encoder::error(ErrorCode::Unauthorized, reason, id));
    closeWith(ErrorCode::Unauthorized, reason, closeCodeUnauthorized);
}

void WebSocketConnection::authenticate(const ClientMessage &message)
{
    const RequestAdmission *admission = m_bridge->admission();
    const bool success = !admission->tokenRequired() || admission->isValidToken(message.token);
    send(Encoder::authResult(success));
    if (!success) {
        qCInfo(lcAccess) << "WebSocket client" << m_socket->peerAddress()
                         << "sent a wrong token in its auth message; closing";
        closeWith(ErrorCode::Unauthorized, QStringLiteral("Wrong token"), closeCodeUnauthorized);
        return;
    }
    m_authenticated = true;
    m_authDeadline.stop();
    acquireSession();
}

void WebSocketConnection::acquireSession()
{
    // Only authenticated clients make the store keep a session.
    if (!m_session)
        m_session = m_bridge->sessions()->acquire(m_sessionId);
}

void WebSocketConnection::runCommand(ClientMessage &&message)
{
    const std::optional<RequestIdKey> key =
        message.id.isUndefined() ? std::nullopt : std::optional(requestIdKey(message.id));
    if (key && m_byId.contains(*key)) {
        send(Encoder::result(message.id, message.command,
                             CommandResult::failure(ErrorCode::DuplicateId,
                                                    QStringLiteral("A command with this id is "
                                                                   "already running"))));
        return;
    }
    const int limit = m_bridge->options().maxInFlight;
    if (m_running.size() >= limit) {
        qCDebug(lcAccess) << "refused command" << message.command << "from"
                          << m_socket->peerAddress() << "rule in-flight, limit" << limit;
        send(Encoder::result(
            message.id, message.command,
            CommandResult::failure(
                ErrorCode::Busy,
                QStringLiteral("Too many commands in flight (limit %1)").arg(limit))));
        return;
    }

    CommandInvocation invocation;
    invocation.command = std::move(message.command);
    invocation.args = std::move(message.args);
    invocation.requestId = std::move(message.id);
    invocation.session = m_session;
    invocation.timeout = message.timeout;
    const RunningCommand command(
        CommandRegistryPrivate::get(m_bridge->registry())->prepare(std::move(invocation)));

    m_running.insert(command);
    if (key)
        m_byId.insert(*key, command);
    command.start(this);
}

void WebSocketConnection::commandProgressed(const RunningCommand &command,
                                            const CommandProgress &progress)
{
    if (m_closed)
        return;
    m_outgoing.pushProgress(command.run(),
                            Encoder::progress(command.requestId(), command.command(), progress));
    checkBacklog();
}

void WebSocketConnection::commandFinished(const RunningCommand &command,
                                          const CommandResult &result)
{
    m_running.remove(command);
    if (!command.requestId().isUndefined())
        m_byId.remove(requestIdKey(command.requestId()));
    if (m_closed)
        return;
    m_outgoing.push(Encoder::result(command.requestId(), command.command(), result), command.run());
    checkBacklog();
}

void WebSocketConnection::cancelCommand(const ClientMessage &message)
{
    const RunningCommand command = m_byId.value(requestIdKey(message.id));
    if (command.isNull()) {
        send(Encoder::error(
            ErrorCode::UnknownId,
            QStringLiteral("No command with id %1 is running").arg(describeRequestId(message.id)),
            message.id));
        return;
    }
    command.cancel();
}

void WebSocketConnection::subscribe(const ClientMessage &message)
{
    if (!m_events)
        m_events = std::make_unique<ConnectionSubscription>(
            m_bridge->registry(), static_cast<EventSubscriber *>(this), m_sessionId);
    if (const auto refusal = m_events->subscribe(message.events)) {
        send(Encoder::error(refusal->code, refusal->message, message.id));
        return;
    }
    send(Encoder::subscriptions(true, message.id, m_events->entries()));
}

void WebSocketConnection::unsubscribe(const ClientMessage &message)
{
    if (m_events)
        m_events->unsubscribe(message.events);
    send(Encoder::subscriptions(false, message.id, m_events ? m_events->entries() : QStringList()));
}

void WebSocketConnection::eventPublished(const PublishedEvent &event)
{
    if (m_closed || m_closing)
        return;
    m_outgoing.pushEvent(event.replacementKey,
                         Encoder::event(event.name, m_events->nextSeq(), event.data));
    checkBacklog();
}

void WebSocketConnection::abortAll(ErrorCode code, const QString &message)
{
    const QSet<RunningCommand> running = m_running;
    for (const RunningCommand &command : running)
        command.abort(code, message);
}

void WebSocketConnection::closeWith(ErrorCode code, const QString &message, int closeCode)
{
    if (m_closing)
        return;
    m_closing = true;
    m_slowClientDeadline.stop();
    abortAll(code, message);
    m_outgoing.flush();
    m_socket->close(QWebSocketProtocol::CloseCode(closeCode), message);
    // A client that does not read never answers the close frame. Its connection is aborted, not
    // the socket QWebSocket reads, whose abort() only closes.
    QTimer::singleShot(closeGrace, m_socket, [this] {
        if (QTcpSocket *connection = transport())
            connection->abort();
        else
            m_socket->abort();
    });
}

void WebSocketConnection::send(const QJsonObject &message)
{
    send(Encoder::toJson(message));
}

void WebSocketConnection::send(const QByteArray &message)
{
    if (m_closed)
        return;
    m_outgoing.push(message);
    checkBacklog();
}

void WebSocketConnection::checkBacklog()
{
    if (m_closing)
        return;
    const bool overHardLimit = m_outgoing.unsentBytes() > m_bridge->options().outgoingHardLimit;
    if (overHardLimit && !m_slowClientDeadline.isActive())
        m_slowClientDeadline.start(int(m_bridge->options().slowClientTimeout.count()), this);
    else if (!overHardLimit)
        m_slowClientDeadline.stop();
}

void WebSocketConnection::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_slowClientDeadline.timerId()) {
        m_slowClientDeadline.stop();
        qCInfo(lcWebSocket) << "disconnecting a client that stopped reading"
                            << m_socket->peerAddress();
        closeWith(ErrorCode::Cancelled, QStringLiteral("Client too slow"),
                  QWebSocketProtocol::CloseCodePolicyViolated);
    } else if (event->timerId() == m_authDeadline.timerId()) {
        m_authDeadline.stop();
        qCInfo(lcAccess) << "WebSocket client" << m_socket->peerAddress()
                         << "did not authenticate in time; closing";
        closeWith(ErrorCode::Unauthorized, QStringLiteral("No authentication in time"),
                  closeCodeUnauthorized);
    } else {
        QObject::timerEvent(event);
    }
}

QTcpSocket *WebSocketConnection::transport() const
{
    return m_frames ? m_frames->transport() : nullptr;
}

void WebSocketConnection::onDisconnected()
{
    // QWebSocket closes a connection whose message or frame is over the limit itself.
    if (!m_closing && m_socket->closeCode() == QWebSocketProtocol::CloseCodeTooMuchData) {
        qCDebug(lcAccess) << "closed the WebSocket of" << m_socket->peerAddress()
                          << "rule size: a message over" << m_bridge->options().maxMessageBytes
                          << "bytes";
    }
    m_closed = true;
    abortAll(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
    Q_EMIT closed(this);
    deleteLater();
}

WebSocketBridge::WebSocketBridge(CommandRegistry *registry, SessionStore *sessions,
                                 const RequestAdmission *admission, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_sessions(sessions)
    , m_admission(admission)
    , m_server(std::make_unique<QWebSocketServer>(
          QStringLiteral("CommandBridge/" COMMANDBRIDGE_VERSION_STRING),
          QWebSocketServer::NonSecureMode))
{
    connect(m_server.get(), &QWebSocketServer::newConnection, this,
            &WebSocketBridge::acceptConnections);
}

WebSocketBridge::~WebSocketBridge()
{
    // Closed connections awaiting their deleteLater too: each releases its session through the
    // bridge, which must still be whole, not the QObject left for ~QObject to delete children.
    const QList<WebSocketConnection *> connections =
        findChildren<WebSocketConnection *>(Qt::FindDirectChildrenOnly);
    for (WebSocketConnection *connection : connections)
        delete connection;
}

void WebSocketBridge::handleUpgrade(ClientFrameSocket *socket)
{
    m_server->setHandshakeTimeout(m_options.handshakeTimeout);
    // Until the handshake completes, when the QWebSocket takes it, the bridge owns the socket.
    socket->setParent(this);
    // A socket whose handshake failed is gone without telling: drop such entries as they pile up.
    if (m_upgrading.size() >= m_upgradingPurgeAt) {
        m_upgrading.removeIf([](const auto &entry) { return entry.value().isNull(); });
        m_upgradingPurgeAt = std::max<qsizetype>(64, 2 * m_upgrading.size());
    }
    m_upgrading.insert(peerKey(socket->peerAddress(), socket->peerPort()), socket);
    m_server->handleConnection(socket);
}

void WebSocketBridge::acceptConnections()
{
    while (QWebSocket *socket = m_server->nextPendingConnection()) {
        if (m_shuttingDown) {
            socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                          QStringLiteral("Server is shutting down"));
            socket->deleteLater();
            continue;
        }
        const QUrlQuery query(socket->requestUrl());
        const bool authenticated = m_admission->isAuthenticatedUpgrade(
            socket->request().rawHeader("Authorization"), query);
        QString sessionId = query.queryItemValue(QStringLiteral("session"));
        if (sessionId.isEmpty())
            sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        // QWebSocket hides the socket it took over; the peer tells which one it was.
        const QPointer<ClientFrameSocket> frames =
            m_upgrading.take(peerKey(socket->peerAddress(), socket->peerPort()));
        auto *connection = new WebSocketConnection(socket, frames, sessionId, authenticated, this);
        m_connections.insert(connection);
        m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
        connect(connection, &WebSocketConnection::closed, this,
                [this](WebSocketConnection *closed) {
                    m_connections.remove(closed);
                    m_connectionCount.store(int(m_connections.size()), std::memory_order_relaxed);
                    if (m_shuttingDown && m_connections.isEmpty())
                        Q_EMIT allClosed();
                });
    }
}

void WebSocketBridge::shutdown()
{
    m_shuttingDown = true;
    if (m_connections.isEmpty()) {
        Q_EMIT allClosed();
        return;
    }
    const QSet<WebSocketConnection *> connections = m_connections;
    for (WebSocketConnection *connection : connections)
        connection->closeWith(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"),
                              QWebSocketProtocol::CloseCodeGoingAway);
}

} // namespace CommandBridge
