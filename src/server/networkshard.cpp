// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "networkshard_p.h"

#include "handoff_p.h"
#include "httpserveradapter_p.h"
#include "logging_p.h"
#include "requestadmission_p.h"
#include "websocketbridge_p.h"

#include <QtHttpServer/QHttpServer>
#include <QtNetwork/QTcpSocket>

#include <fcntl.h>
#include <unistd.h>

namespace CommandBridge {

NetworkShard::NetworkShard(const Shared &shared, QObject *parent)
    : QObject(parent)
    , m_http(std::make_unique<QHttpServer>())
    , m_router(new ConnectionRouter(m_http.get()))
    , m_rest(std::make_unique<RestRoutes>(shared.registry, shared.sessions))
    , m_mcp(std::make_unique<McpRoutes>(shared.registry, shared.mcpSessions))
    , m_webSockets(
          std::make_unique<WebSocketBridge>(shared.registry, shared.sessions, shared.admission))
{
    // This thread runs an event loop: commands handed to the registry's thread leave in batches.
    HandOff::current()->setDefersWakeUps(true);
    const RequestAdmission *admission = shared.admission;
    m_router->setAdmission(
        [admission](const HttpRequestHead &head) { return admission->admit(head); });
    m_router->setConnectionCounter(shared.openConnections);
    connect(m_router, &ConnectionRouter::webSocketRequested, m_webSockets.get(),
            &WebSocketBridge::handleUpgrade);
    m_rest->setHealthSource(shared.health);
    m_rest->setInFlightCounter(shared.restInFlight);
    m_rest->install(*m_http);
    m_mcp->setInFlightCounter(shared.restInFlight);
    m_mcp->install(*m_http);
    connect(m_webSockets.get(), &WebSocketBridge::allClosed, this, &NetworkShard::allClosed);
}

NetworkShard::~NetworkShard() = default;

bool NetworkShard::listen(const QHostAddress &address, quint16 port)
{
    return m_router->listen(address, port) && serveHttp();
}

bool NetworkShard::listenAlongside(qintptr descriptor)
{
    const int duplicate = ::fcntl(int(descriptor), F_DUPFD_CLOEXEC, 0);
    if (duplicate < 0) {
        qCWarning(lcRouter) << "cannot share the listening socket:" << qt_error_string(errno);
        return false;
    }
    if (!m_router->setSocketDescriptor(duplicate)) {
        ::close(duplicate);
        return false;
    }
    return serveHttp();
}

bool NetworkShard::serveHttp()
{
    if (HttpServerAdapter::bind(*m_http, m_router))
        return true;
    m_router->close();
    return false;
}

void NetworkShard::setOptions(const ServerOptions &options)
{
    m_router->setHandshakeTimeout(options.handshakeTimeout);
    m_router->setHttpLimits({options.outgoingHighWater, options.httpIdleTimeout});
    m_router->setMaxConnections(options.maxConnections);
    m_router->setTls(options.tls);
    m_rest->setOptions(options);
    m_mcp->setOptions(options);
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
    m_mcp->shutdown();
    m_webSockets->shutdown();
}

void NetworkShard::flush()
{
    const QList<QTcpSocket *> sockets = m_http->findChildren<QTcpSocket *>();
    for (QTcpSocket *socket : sockets)
        socket->flush();
}

} // namespace CommandBridge
