#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include "commandbridgeserver_p.h"
#include "logging_p.h"
#include "messagedecoder_p.h"
#include "protocol_p.h"

#include <QtNetwork/QTcpSocket>

namespace CommandBridge {

namespace {

QLoggingCategory::CategoryFilter previousFilter = nullptr;

void withoutHttpServerWarnings(QLoggingCategory *category)
{
    if (previousFilter)
        previousFilter(category);
    if (qstrcmp(category->categoryName(), "qt.httpserver") == 0)
        category->setEnabled(QtWarningMsg, false);
}

// QHttpServer warns that the hand-off server "is not listening", which is by design here: it only
// ever receives sockets the router accepted. Silence exactly that call, not the category for good.
void bindQuietly(QHttpServer &http, QTcpServer *handoff)
{
    previousFilter = QLoggingCategory::installFilter(withoutHttpServerWarnings);
    http.bind(handoff);
    QLoggingCategory::installFilter(previousFilter);
    previousFilter = nullptr;
}

} // namespace

CommandBridgeServerPrivate::CommandBridgeServerPrivate(CommandBridgeServer *q,
                                                       CommandRegistry *registry)
    : q(q)
    , registry(registry)
    , sessions(std::make_unique<SessionStore>())
    , router(std::make_unique<ConnectionRouter>())
    , http(std::make_unique<QHttpServer>())
    , rest(std::make_unique<RestRoutes>(registry, sessions.get()))
    , webSockets(std::make_unique<WebSocketBridge>(registry, sessions.get()))
{}

std::optional<Refusal> CommandBridgeServerPrivate::admit(const HttpRequestHead &head) const
{
    if (shuttingDown)
        return Refusal{503, QStringLiteral("shutting_down"),
                       QStringLiteral("Server is shutting down")};

    if (head.isWebSocketUpgrade()) {
        const QString path = head.path();
        if (path != QLatin1String("/ws")) {
            return Refusal{404, QStringLiteral("not_found"),
                           QStringLiteral("No WebSocket endpoint at ") + path};
        }
        const QUrlQuery query = head.query();
        if (query.hasQueryItem(QStringLiteral("session")) &&
            !isValidSessionId(query.queryItemValue(QStringLiteral("session")))) {
            return Refusal{400, QStringLiteral("bad_message"),
                           QStringLiteral("session must match [A-Za-z0-9._-]{1,128}")};
        }
        return std::nullopt;
    }

    const std::optional<qint64> length = head.contentLength();
    if (length && *length < 0)
        return Refusal{400, QStringLiteral("bad_message"),
                       QStringLiteral("Invalid Content-Length")};
    if (length && *length > options.maxMessageBytes) {
        return Refusal{413, QStringLiteral("payload_too_large"),
                       QStringLiteral("Body is larger than %1 bytes").arg(options.maxMessageBytes)};
    }
    return std::nullopt;
}

QJsonObject CommandBridgeServerPrivate::health() const
{
    return QJsonObject{
        {Protocol::Key::status, QStringLiteral("ok")},
        {Protocol::Key::connections, webSockets->connectionCount()},
        {Protocol::Key::sessions, sessions->count()},
        {Protocol::Key::inFlight, registry->inFlightCount()},
        {Protocol::Key::uptimeMs, uptime.elapsed()},
    };
}

void CommandBridgeServerPrivate::finishShutdown()
{
    if (shutdownDone)
        return;
    shutdownDone = true;
    if (shutdownGrace)
        shutdownGrace->stop();
    // REST answers written during shutdown must leave before the embedding app quits its loop.
    const QList<QTcpSocket *> sockets =
        router->findChildren<QTcpSocket *>() + http->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->flush();
    Q_EMIT q->shutdownFinished();
}

CommandBridgeServer::CommandBridgeServer(CommandRegistry *registry, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<CommandBridgeServerPrivate>(this, registry))
{
    d->uptime.start();
    d->router->setAdmission([this](const HttpRequestHead &head) { return d->admit(head); });
    connect(d->router.get(), &ConnectionRouter::webSocketRequested, d->webSockets.get(),
            [this](QTcpSocket *socket) { d->webSockets->handleUpgrade(socket); });
    bindQuietly(*d->http, d->router->httpHandoff());
    d->rest->setHealthSource([this] { return d->health(); });
    d->rest->install(*d->http);
    connect(d->webSockets.get(), &WebSocketBridge::allClosed, this, [this] {
        if (d->shuttingDown)
            d->finishShutdown();
    });
    setOptions(ServerOptions());
}

CommandBridgeServer::~CommandBridgeServer() = default;

void CommandBridgeServer::setOptions(const ServerOptions &options)
{
    d->options = options;
    d->sessions->setIdleTime(options.sessionIdleTime);
    d->router->setHandshakeTimeout(options.handshakeTimeout);
    d->rest->setOptions(options);
    d->webSockets->setOptions(options);
}

ServerOptions CommandBridgeServer::options() const
{
    return d->options;
}

bool CommandBridgeServer::listen(const QHostAddress &address, quint16 port)
{
    if (!d->router->listen(address, port)) {
        d->errorString = d->router->errorString();
        return false;
    }
    d->errorString.clear();
    qCDebug(lcRouter) << "listening on" << httpUrl().toString();
    return true;
}

bool CommandBridgeServer::isListening() const
{
    return d->router->isListening();
}

QString CommandBridgeServer::errorString() const
{
    return d->errorString;
}

quint16 CommandBridgeServer::serverPort() const
{
    return d->router->serverPort();
}

QHostAddress CommandBridgeServer::serverAddress() const
{
    return d->router->serverAddress();
}

QUrl CommandBridgeServer::httpUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(serverAddress().toString());
    url.setPort(serverPort());
    return url;
}

QUrl CommandBridgeServer::webSocketUrl() const
{
    QUrl url = httpUrl();
    url.setScheme(QStringLiteral("ws"));
    url.setPath(QStringLiteral("/ws"));
    return url;
}

int CommandBridgeServer::connectionCount() const
{
    return d->webSockets->connectionCount();
}

int CommandBridgeServer::sessionCount() const
{
    return d->sessions->count();
}

int CommandBridgeServer::inFlightCount() const
{
    return d->registry->inFlightCount();
}

void CommandBridgeServer::shutdown()
{
    if (d->shuttingDown)
        return;
    d->shuttingDown = true;
    d->router->close();
    d->shutdownGrace = std::make_unique<QTimer>();
    d->shutdownGrace->setSingleShot(true);
    connect(d->shutdownGrace.get(), &QTimer::timeout, this, [this] { d->finishShutdown(); });
    d->shutdownGrace->start(d->options.shutdownGrace);
    d->rest->shutdown();
    d->webSockets->shutdown();
}

} // namespace CommandBridge
