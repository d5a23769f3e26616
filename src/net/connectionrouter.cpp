// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "connectionrouter_p.h"

#include "httprefusal_p.h"
#include "logging_p.h"

#include <QtCore/QTimer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

namespace CommandBridge {
namespace {

const char *const pendingHeadName = "commandbridge_pending_head";

/// A socket that counts its connection while it lives. Its own destructor, not a `destroyed`
/// connection (QWebSocket disconnects every signal of the socket it takes over) nor a child
/// object (which would cost every idle connection a QObject).
template <typename Socket> class CountedSocket : public Socket
{
public:
    CountedSocket(std::shared_ptr<std::atomic<int>> counter, QObject *parent)
        : Socket(parent)
        , m_counter(std::move(counter))
    {}
    ~CountedSocket() override { m_counter->fetch_sub(1, std::memory_order_relaxed); }

private:
    const std::shared_ptr<std::atomic<int>> m_counter;
};

} // namespace

void ConnectionRouter::incomingConnection(qintptr socketDescriptor)
{
    // Counted in the order of acceptance, before a network thread adopts it.
    const bool overCapacity =
        m_openConnections->fetch_add(1, std::memory_order_relaxed) >= m_maxConnections;
    if (m_distributor)
        m_distributor(socketDescriptor, overCapacity);
    else
        adopt(socketDescriptor, overCapacity);
}

void ConnectionRouter::adopt(qintptr socketDescriptor, bool overCapacity)
{
    QTcpSocket *socket = nullptr;
    if (m_tls)
        socket = new CountedSocket<QSslSocket>(m_openConnections, this);
    else
        socket = new CountedSocket<QTcpSocket>(m_openConnections, this);
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcRouter) << "cannot adopt socket:" << socket->errorString();
        delete socket;
        return;
    }
    // Progress is many small writes: without this each burst can wait for a delayed ACK.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    const auto refuseOverCapacity = [this, socket] {
        refuseConnection(socket,
                         {Refusal::Rule::Capacity, 503, errorCodeString(ErrorCode::Busy),
                          QStringLiteral("Too many connections (limit %1)").arg(m_maxConnections)});
    };
    if (auto *sslSocket = qobject_cast<QSslSocket *>(socket)) {
        sslSocket->setSslConfiguration(*m_tls);
        connect(sslSocket, &QSslSocket::sslErrors, sslSocket, [sslSocket] { sslSocket->abort(); });
        // Even a refusal has to be encrypted for the client to read it.
        if (overCapacity)
            connect(sslSocket, &QSslSocket::encrypted, this, refuseOverCapacity);
        sslSocket->startServerEncryption();
    } else if (overCapacity) {
        refuseOverCapacity();
        return;
    }

    // Lives while the head is awaited; deleting it ends both the wait and the deadline.
    auto *pendingHead = new QTimer(socket);
    pendingHead->setObjectName(QLatin1String(pendingHeadName));
    pendingHead->setSingleShot(true);
    connect(pendingHead, &QTimer::timeout, socket, [socket] {
        qCDebug(lcRouter) << "no request head in time from" << socket->peerAddress();
        socket->abort();
    });
    pendingHead->start(m_handshakeTimeout);
    if (overCapacity) // a TLS client, refused once encrypted
        return;
    connect(socket, &QTcpSocket::readyRead, pendingHead, [this, socket] { readHead(socket); });
    connect(socket, &QTcpSocket::disconnected, pendingHead, [socket] { socket->deleteLater(); });
}

void ConnectionRouter::readHead(QTcpSocket *socket)
{
    const ParsedRequestHead parsed =
        parseRequestHead(socket->peek(maxRequestHeadBytes + 1), maxRequestHeadBytes);
    if (parsed.status == ParsedRequestHead::Status::Incomplete)
        return;

    // From here on the socket belongs to whoever takes it.
    delete socket->findChild<QTimer *>(QLatin1String(pendingHeadName), Qt::FindDirectChildrenOnly);

    std::optional<Refusal> refusal = parsed.status == ParsedRequestHead::Status::Complete
                                         ? m_admission(parsed.head)
                                         : unreadableHeadRefusal(parsed.status);
    if (refusal) {
        refuseConnection(socket, *refusal);
        return;
    }
    if (parsed.head.isWebSocketUpgrade()) {
        Q_EMIT webSocketRequested(new ClientFrameSocket(socket, parsed.head.length, this));
        return;
    }
    auto *connection = new AdmittedHttpSocket(socket, m_admission, m_httpLimits, this);
    // The QHttpServer bound to this server takes the connection before this returns.
    addPendingConnection(connection);
    connection->startReading();
}

} // namespace CommandBridge
