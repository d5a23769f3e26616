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
    , webSockets(std::make_unique<WebSocketBridge>(registry, sessions.get(), &admission))
{}

void CommandBridgeServerPrivate::applyPolicy()
{
    const QHostAddress address = router->isListening() ? router->serverAddress() : QHostAddress();
    admission.setPolicy(RequestAdmission::Policy{
        options.token,
        options.allowedOrigins,
        router->isListening() ? address.isLoopback() : true,
        options.maxMessageBytes,
    });
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
    d->router->setAdmission(
        [this](const HttpRequestHead &head) { return d->admission.admit(head); });
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
    d->router->setMaxConnections(options.maxConnections);
    d->router->setTls(options.tls);
    d->applyPolicy();
    d->rest->setOptions(options);
    d->webSockets->setOptions(options);
}

ServerOptions CommandBridgeServer::options() const
{
    return d->options;
}

bool CommandBridgeServer::listen(const QHostAddress &address, quint16 port)
{
    if (!address.isLoopback() && d->options.token.isEmpty()) {
        d->errorString = QStringLiteral("Refusing to listen on the non-loopback address %1 "
                                        "without a token")
                             .arg(address.toString());
        return false;
    }
    if (!d->router->listen(address, port)) {
        d->errorString = d->router->errorString();
        return false;
    }
    d->applyPolicy();
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
    url.setScheme(d->options.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(serverAddress().toString());
    url.setPort(serverPort());
    return url;
}

QUrl CommandBridgeServer::webSocketUrl() const
{
    QUrl url = httpUrl();
    url.setScheme(d->options.tls ? QStringLiteral("wss") : QStringLiteral("ws"));
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
    d->admission.setShuttingDown();
    d->router->close();
    d->shutdownGrace = std::make_unique<QTimer>();
    d->shutdownGrace->setSingleShot(true);
    connect(d->shutdownGrace.get(), &QTimer::timeout, this, [this] { d->finishShutdown(); });
    d->shutdownGrace->start(d->options.shutdownGrace);
    d->rest->shutdown();
    d->webSockets->shutdown();
}

} // namespace CommandBridge
