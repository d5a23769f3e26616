#include "networkshard_p.h"

#include "requestadmission_p.h"
#include "websocketbridge_p.h"

#include <QtCore/QLoggingCategory>
#include <QtHttpServer/QHttpServer>
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
// Network threads build their shards one after the other, so the filter swap does not race.
void bindQuietly(QHttpServer &http, QTcpServer *handoff)
{
    previousFilter = QLoggingCategory::installFilter(withoutHttpServerWarnings);
    http.bind(handoff);
    QLoggingCategory::installFilter(previousFilter);
    previousFilter = nullptr;
}

} // namespace

NetworkShard::NetworkShard(const Shared &shared, QObject *parent)
    : QObject(parent)
    , m_router(std::make_unique<ConnectionRouter>())
    , m_http(std::make_unique<QHttpServer>())
    , m_rest(std::make_unique<RestRoutes>(shared.registry, shared.sessions))
    , m_webSockets(
          std::make_unique<WebSocketBridge>(shared.registry, shared.sessions, shared.admission))
{
    const RequestAdmission *admission = shared.admission;
    m_router->setAdmission(
        [admission](const HttpRequestHead &head) { return admission->admit(head); });
    m_router->setConnectionCounter(shared.openConnections);
    connect(m_router.get(), &ConnectionRouter::webSocketRequested, m_webSockets.get(),
            &WebSocketBridge::handleUpgrade);
    bindQuietly(*m_http, m_router->httpHandoff());
    m_rest->setHealthSource(shared.health);
    m_rest->setInFlightCounter(shared.restInFlight);
    m_rest->install(*m_http);
    connect(m_webSockets.get(), &WebSocketBridge::allClosed, this, &NetworkShard::allClosed);
}

NetworkShard::~NetworkShard() = default;

void NetworkShard::setOptions(const ServerOptions &options)
{
    m_router->setHandshakeTimeout(options.handshakeTimeout);
    m_router->setMaxConnections(options.maxConnections);
    m_router->setTls(options.tls);
    m_rest->setOptions(options);
    m_webSockets->setOptions(options);
}

int NetworkShard::connectionCount() const
{
    return m_webSockets->connectionCount();
}

void NetworkShard::shutdown()
{
    m_router->close();
    m_rest->shutdown();
    m_webSockets->shutdown();
}

void NetworkShard::flush()
{
    const QList<QTcpSocket *> sockets =
        m_router->findChildren<QTcpSocket *>() + m_http->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->flush();
}

} // namespace CommandBridge
