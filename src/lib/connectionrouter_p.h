#pragma once

#include "httprequestgate_p.h"
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

/// Hands accepted sockets to QHttpServer, which only takes them from a QTcpServer. It never
/// listens, so it keeps its own queue: QTcpServer's warns when used without a socket of its own.
class HttpHandoff : public QTcpServer
{
    Q_OBJECT

public:
    using QTcpServer::QTcpServer;
    /// Gives \a socket to QHttpServer, behind a gate that admits each later request too.
    void handOver(QTcpSocket *socket, const HttpRequestGate::Admission &admission);

    bool hasPendingConnections() const override { return !m_pending.isEmpty(); }
    QTcpSocket *nextPendingConnection() override;

private:
    QList<QTcpSocket *> m_pending;
};

/// The listening socket of the bridge, and the router of each network thread. Reads each new
/// connection's first request head without consuming it, asks the admission function whether it may
/// go on, then hands WebSocket upgrades to webSocketRequested() and every other request to the HTTP
/// server through httpHandoff().
class ConnectionRouter : public QTcpServer
{
    Q_OBJECT

public:
    using Admission = HttpRequestGate::Admission;

    explicit ConnectionRouter(QObject *parent = nullptr);

    void setAdmission(Admission admission) { m_admission = std::move(admission); }
    void setHandshakeTimeout(std::chrono::milliseconds timeout) { m_handshakeTimeout = timeout; }
    void setMaxConnections(int maxConnections) { m_maxConnections = maxConnections; }
    /// With a configuration, every connection speaks TLS first (https:// and wss://).
    void setTls(const std::optional<QSslConfiguration> &tls) { m_tls = tls; }
    HttpHandoff *httpHandoff() const { return m_httpHandoff; }
    /// Routers serving one port on several threads share one count of open connections.
    void setConnectionCounter(std::shared_ptr<std::atomic<int>> counter)
    {
        m_openConnections = std::move(counter);
    }
    /// Accepted sockets go to \a distributor instead of being served here; it hands each one,
    /// with its overCapacity verdict, to the adopt() of some router, on that router's thread.
    void setDistributor(std::function<void(qintptr, bool)> distributor)
    {
        m_distributor = std::move(distributor);
    }
    /// Serves the accepted socket \a socketDescriptor, already counted as open when accepted, on
    /// this router's thread; \a overCapacity refuses it with 503.
    void adopt(qintptr socketDescriptor, bool overCapacity);

    /// Writes \a refusal as a JSON error response, then closes \a socket after a bounded drain so
    /// the client can read the answer.
    static void refuse(QTcpSocket *socket, const Refusal &refusal);

Q_SIGNALS:
    /// An admitted upgrade to /ws; the receiver takes the socket, its handshake still unread.
    void webSocketRequested(QTcpSocket *socket);

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    void readHead(QTcpSocket *socket);

    Admission m_admission;
    std::function<void(qintptr, bool)> m_distributor;
    HttpHandoff *m_httpHandoff;
    std::chrono::milliseconds m_handshakeTimeout{std::chrono::seconds(10)};
    std::optional<QSslConfiguration> m_tls;
    int m_maxConnections = 1024;
    std::shared_ptr<std::atomic<int>> m_openConnections = std::make_shared<std::atomic<int>>(0);
};

} // namespace CommandBridge
