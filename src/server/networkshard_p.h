// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include "connectionrouter_p.h"
#include "mcproutes_p.h"
#include "restroutes_p.h"

#include <QtCore/QObject>
#include <QtNetwork/QHostAddress>

#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QHttpServer;
QT_END_NAMESPACE

namespace CommandBridge {

class CommandRegistry;
class RequestAdmission;
class SessionStore;
class WebSocketBridge;

/// Everything that serves sockets on one thread: a connection router, the REST routes on their
/// QHttpServer and the WebSocket bridge. A server has one on its own thread, or one on each of its
/// network threads; they share the registry, the sessions, the admission rules and the counters
/// behind the server-wide limits. Create, use and delete it on its own thread.
class NetworkShard : public QObject
{
    Q_OBJECT

public:
    struct Shared
    {
        CommandRegistry *registry = nullptr;
        SessionStore *sessions = nullptr;
        const RequestAdmission *admission = nullptr;
        RestRoutes::HealthSource health;
        std::shared_ptr<std::atomic<int>> openConnections;
        std::shared_ptr<std::atomic<int>> restInFlight;
        std::shared_ptr<McpSessions> mcpSessions;
    };

    explicit NetworkShard(const Shared &shared, QObject *parent = nullptr);
    ~NetworkShard() override;

    void setOptions(const ServerOptions &options);
    ConnectionRouter *router() const { return m_router; }

    /// Listens on \a address and \a port (0: any free port); the router's errorString() says why
    /// not.
    bool listen(const QHostAddress &address, quint16 port);
    /// Serves the listening socket \a descriptor that another shard listens on, from a duplicate:
    /// whichever shard's router is woken accepts, and the distributor spreads the connections.
    bool listenAlongside(qintptr descriptor);
    /// Open WebSocket connections; any thread may ask.
    int connectionCount() const;

    /// Ends running commands and closes the sockets (spec section 6); allClosed() follows.
    void shutdown();
    /// Pushes what is written to the sockets towards the kernel.
    void flush();

Q_SIGNALS:
    void allClosed();

private:
    bool serveHttp();

    // Declared in dependency order: the front ends go before the sockets they use.
    std::unique_ptr<QHttpServer> m_http;
    /// A child of m_http, which serves the HTTP connections it hands out.
    ConnectionRouter *m_router;
    std::unique_ptr<RestRoutes> m_rest;
    std::unique_ptr<McpRoutes> m_mcp;
    std::unique_ptr<WebSocketBridge> m_webSockets;
};

} // namespace CommandBridge
