#include "connectionrouter_p.h"

#include "logging_p.h"
#include "messageencoder_p.h"
#include "outgoingqueue_p.h"

#include <QtCore/QTimer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

#include <sys/socket.h>

namespace CommandBridge {
namespace {

constexpr qsizetype maxHeadBytes = 16 * 1024;
constexpr std::chrono::seconds lingerTime{2};
const char *const pendingHeadName = "commandbridge_pending_head";

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

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

void HttpHandoff::handOver(QTcpSocket *socket, const HttpRequestGate::Admission &admission)
{
    socket->setParent(this);
    auto *gate = new HttpRequestGate(socket, admission);
    m_pending.append(socket);
    // QHttpServer 6.4 listens to this private signal; only the meta-object system may emit it.
    QMetaObject::invokeMethod(this, "pendingConnectionAvailable", Qt::DirectConnection);
    gate->watchReads();
    // The request's first bytes are already buffered, and buffered bytes raise no new readyRead.
    Q_EMIT socket->readyRead();
}

QTcpSocket *HttpHandoff::nextPendingConnection()
{
    return m_pending.isEmpty() ? nullptr : m_pending.takeFirst();
}

ConnectionRouter::ConnectionRouter(QObject *parent)
    : QTcpServer(parent)
    , m_httpHandoff(new HttpHandoff(this))
{}

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
        refuse(socket, {503, errorCodeString(ErrorCode::Busy),
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
    const ParsedRequestHead parsed = parseRequestHead(socket->peek(maxHeadBytes + 1), maxHeadBytes);
    if (parsed.status == ParsedRequestHead::Status::Incomplete)
        return;

    // From here on the socket belongs to whoever takes it.
    delete socket->findChild<QTimer *>(QLatin1String(pendingHeadName), Qt::FindDirectChildrenOnly);

    if (parsed.status == ParsedRequestHead::Status::TooLarge) {
        refuse(socket, Refusal(431, errorCodeString(ErrorCode::BadMessage),
                               QStringLiteral("Request head too large")));
        return;
    }
    if (parsed.status == ParsedRequestHead::Status::Malformed) {
        refuse(socket, Refusal(400, errorCodeString(ErrorCode::BadMessage),
                               QStringLiteral("Malformed HTTP request")));
        return;
    }
    if (const std::optional<Refusal> refusal = m_admission(parsed.head)) {
        refuse(socket, *refusal);
        return;
    }
    if (parsed.head.isWebSocketUpgrade()) {
        Q_EMIT webSocketRequested(socket);
        return;
    }
    m_httpHandoff->handOver(socket, m_admission);
}

void ConnectionRouter::refuse(QTcpSocket *socket, const Refusal &refusal)
{
    const QByteArray body =
        Encoder::toJson(Encoder::restErrorBody(refusal.code, refusal.message, refusal.command));
    QByteArray response =
        "HTTP/1.1 " + QByteArray::number(refusal.status) + ' ' + reasonPhrase(refusal.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // Half-close after the answer and drain what the client still sends: closing with unread
    // input would reset the connection and could destroy the answer before it is read.
    connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    whenBytesLeave(socket, socket, [socket] {
        if (unsentBytes(socket) == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    });
    QTimer::singleShot(lingerTime, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->readAll();
    socket->write(response);
}

} // namespace CommandBridge
