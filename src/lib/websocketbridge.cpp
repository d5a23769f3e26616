#include "websocketbridge_p.h"

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include "logging_p.h"
#include "messageencoder_p.h"
#include "protocol_p.h"
#include "sessionstore_p.h"

#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

namespace CommandBridge {

WebSocketConnection::WebSocketConnection(QWebSocket *socket, std::shared_ptr<Session> session,
                                         WebSocketBridge *bridge)
    : QObject(bridge)
    , m_bridge(bridge)
    , m_socket(socket)
    , m_session(std::move(session))
{
    m_socket->setParent(this);
    const auto maxBytes = quint64(bridge->options().maxMessageBytes);
    m_socket->setMaxAllowedIncomingMessageSize(maxBytes);
    m_socket->setMaxAllowedIncomingFrameSize(maxBytes);
    connect(m_socket, &QWebSocket::textMessageReceived, this, &WebSocketConnection::receive);
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, [this] {
        send(Encoder::error(ErrorCode::BadMessage,
                            QStringLiteral("Messages must be JSON in text frames"),
                            QJsonValue::Undefined));
    });
    connect(m_socket, &QWebSocket::disconnected, this, &WebSocketConnection::onDisconnected);

    const ServerOptions &options = bridge->options();
    send(Encoder::hello(HelloInfo{
        QStringLiteral("CommandBridge/" COMMANDBRIDGE_VERSION),
        m_session->id(),
        false,
        options.maxMessageBytes,
        options.maxInFlight,
        bridge->registry()->maxTimeout(),
    }));
}

WebSocketConnection::~WebSocketConnection()
{
    m_closed = true;
    abortAll(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
    m_bridge->sessions()->release(m_session);
}

void WebSocketConnection::receive(const QString &text)
{
    const DecodeResult decoded = decodeClientMessage(text.toUtf8());
    if (const auto *error = std::get_if<DecodeError>(&decoded)) {
        send(Encoder::error(error->code, error->message, error->id));
        return;
    }
    const ClientMessage &message = std::get<ClientMessage>(decoded);
    switch (message.type) {
    case ClientMessage::Type::Command:
        runCommand(message);
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
    case ClientMessage::Type::Auth:
        send(Encoder::authResult(true));
        break;
    }
}

void WebSocketConnection::runCommand(const ClientMessage &message)
{
    const bool hasId = !message.id.isUndefined();
    const QString key = hasId ? requestIdKey(message.id) : QString();
    if (hasId && m_byId.contains(key)) {
        send(Encoder::result(message.id, message.command,
                             CommandResult::failure(ErrorCode::DuplicateId,
                                                    QStringLiteral("A command with this id is "
                                                                   "already running"))));
        return;
    }
    const int limit = m_bridge->options().maxInFlight;
    if (m_running.size() >= limit) {
        send(Encoder::result(
            message.id, message.command,
            CommandResult::failure(
                ErrorCode::Busy,
                QStringLiteral("Too many commands in flight (limit %1)").arg(limit))));
        return;
    }

    CommandInvocation invocation;
    invocation.command = message.command;
    invocation.args = message.args;
    invocation.requestId = message.id;
    invocation.session = m_session;
    invocation.timeout = message.timeout;
    CommandContext *context = m_bridge->registry()->createCommand(invocation);

    m_running.insert(context);
    if (hasId)
        m_byId.insert(key, context);
    const QJsonValue id = message.id;
    const QString command = message.command;
    connect(context, &CommandContext::progressed, this,
            [this, id, command](const CommandProgress &progress) {
                send(Encoder::progress(id, command, progress));
            });
    connect(context, &CommandContext::finished, this,
            [this, context, id, key, command](const CommandResult &result) {
                m_running.remove(context);
                if (!key.isEmpty())
                    m_byId.remove(key);
                send(Encoder::result(id, command, result));
            });
    context->start();
}

void WebSocketConnection::cancelCommand(const ClientMessage &message)
{
    CommandContext *context = m_byId.value(requestIdKey(message.id));
    if (!context) {
        send(Encoder::error(
            ErrorCode::UnknownId,
            QStringLiteral("No command with id %1 is running").arg(describeRequestId(message.id)),
            message.id));
        return;
    }
    context->cancel();
}

void WebSocketConnection::abortAll(ErrorCode code, const QString &message)
{
    const QSet<CommandContext *> running = m_running;
    for (CommandContext *context : running)
        context->abort(code, message);
}

void WebSocketConnection::closeWith(ErrorCode code, const QString &message, int closeCode)
{
    abortAll(code, message);
    m_socket->close(QWebSocketProtocol::CloseCode(closeCode), message);
}

void WebSocketConnection::send(const QJsonObject &message)
{
    if (m_closed)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(Encoder::toJson(message)));
}

void WebSocketConnection::onDisconnected()
{
    m_closed = true;
    abortAll(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
    Q_EMIT closed(this);
    deleteLater();
}

WebSocketBridge::WebSocketBridge(CommandRegistry *registry, SessionStore *sessions, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_sessions(sessions)
    , m_server(std::make_unique<QWebSocketServer>(
          QStringLiteral("CommandBridge/" COMMANDBRIDGE_VERSION), QWebSocketServer::NonSecureMode))
{
    connect(m_server.get(), &QWebSocketServer::newConnection, this,
            &WebSocketBridge::acceptConnections);
}

WebSocketBridge::~WebSocketBridge()
{
    const QSet<WebSocketConnection *> connections = m_connections;
    for (WebSocketConnection *connection : connections)
        delete connection;
}

void WebSocketBridge::handleUpgrade(QTcpSocket *socket)
{
    m_server->setHandshakeTimeout(m_options.handshakeTimeout);
    // Until the handshake completes, when the QWebSocket takes it, the bridge owns the socket.
    socket->setParent(this);
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
        const QString sessionId =
            QUrlQuery(socket->requestUrl()).queryItemValue(QStringLiteral("session"));
        auto *connection = new WebSocketConnection(socket, m_sessions->acquire(sessionId), this);
        m_connections.insert(connection);
        connect(connection, &WebSocketConnection::closed, this,
                [this](WebSocketConnection *closed) {
                    m_connections.remove(closed);
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
