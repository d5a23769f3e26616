// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "admittedhttpsocket_p.h"
#include "clientframesocket_p.h"
#include "requestadmission_p.h"

#include <QtCore/QString>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

/// The listening socket of the bridge, and the router of each network thread. Reads each new
/// connection's first request head without consuming it, asks the admission function whether it may
/// go on, then hands WebSocket upgrades, behind a ClientFrameSocket, to webSocketRequested() and
/// every other connection, behind an AdmittedHttpSocket, to the QHttpServer bound to this server:
/// through addPendingConnection(), the way QTcpServer offers its connections to whoever serves
/// them.
class ConnectionRouter : public QTcpServer
{
    Q_OBJECT

public:
    using Admission = AdmittedHttpSocket::Admission;

    using QTcpServer::QTcpServer;

    void setAdmission(Admission admission) { m_admission = std::move(admission); }
    void setHandshakeTimeout(std::chrono::milliseconds timeout) { m_handshakeTimeout = timeout; }
    /// For the HTTP connections accepted from now on.
    void setHttpLimits(const AdmittedHttpSocket::Limits &limits) { m_httpLimits = limits; }
    void setMaxConnections(int maxConnections) { m_maxConnections = maxConnections; }
    /// With a configuration, every connection speaks TLS first (https:// and wss://).
    void setTls(const std::optional<QSslConfiguration> &tls) { m_tls = tls; }
    /// Routers serving one port on several threads share one count of open connections.
    void setConnectionCounter(std::shared_ptr<std::atomic<int>> counter)
    {
        m_openConnections = std::move(counter);
    }
    /// Accepted sockets go to \a distributor instead of being served here; it hands each one,
    /// with its overCapacity verdict, to the adopt() of some router, on that router's thread.
    /// Called on the thread of whichever router accepted the socket.
    void setDistributor(std::function<void(qintptr, bool)> distributor)
    {
        m_distributor = std::move(distributor);
    }
    /// Serves the accepted socket \a socketDescriptor, already counted as open when accepted, on
    /// this router's thread; \a overCapacity refuses it with 503.
    void adopt(qintptr socketDescriptor, bool overCapacity);

Q_SIGNALS:
    /// An admitted upgrade to /ws; the receiver takes the socket, its handshake still unread.
    void webSocketRequested(CommandBridge::ClientFrameSocket *socket);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void readHead(QTcpSocket *socket);

    Admission m_admission;
    std::function<void(qintptr, bool)> m_distributor;
    std::chrono::milliseconds m_handshakeTimeout{std::chrono::seconds(10)};
    AdmittedHttpSocket::Limits m_httpLimits;
    std::optional<QSslConfiguration> m_tls;
    int m_maxConnections = 1024;
    std::shared_ptr<std::atomic<int>> m_openConnections = std::make_shared<std::atomic<int>>(0);
};

} // namespace CommandBridge
