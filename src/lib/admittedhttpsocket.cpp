#include "admittedhttpsocket_p.h"

#include "httprefusal_p.h"

#include <QtCore/QHash>

#include <cstring>
#include <utility>

namespace CommandBridge {
namespace {

using Peer = std::pair<QHostAddress, quint16>;

/// Sockets live and die on one thread, so each thread keeps its own.
QHash<Peer, AdmittedHttpSocket *> &socketsByPeer()
{
    thread_local QHash<Peer, AdmittedHttpSocket *> sockets;
    return sockets;
}

} // namespace

AdmittedHttpSocket::AdmittedHttpSocket(QTcpSocket *transport, Admission admission, QObject *parent)
    : QTcpSocket(parent)
    , m_transport(transport)
    , m_admission(std::move(admission))
{
    transport->setParent(this);
    setPeerAddress(transport->peerAddress());
    setPeerPort(transport->peerPort());
    setLocalAddress(transport->localAddress());
    setLocalPort(transport->localPort());
    setSocketState(QAbstractSocket::ConnectedState);
    setOpenMode(QIODevice::ReadWrite);
    connect(transport, &QTcpSocket::readyRead, this, &AdmittedHttpSocket::admitArrivals);
    connect(transport, &QTcpSocket::bytesWritten, this, &AdmittedHttpSocket::bytesWritten);
    connect(transport, &QTcpSocket::disconnected, this, &AdmittedHttpSocket::transportGone);
    connect(transport, &QObject::destroyed, this, &AdmittedHttpSocket::transportGone);
    socketsByPeer().insert(Peer(peerAddress(), peerPort()), this);
}

AdmittedHttpSocket::~AdmittedHttpSocket()
{
    const Peer peer(peerAddress(), peerPort());
    // A new connection from the same port may have registered while this one was closing.
    if (socketsByPeer().value(peer) == this)
        socketsByPeer().remove(peer);
    if (m_transport)
        m_transport->disconnect(this);
}

AdmittedHttpSocket *AdmittedHttpSocket::forPeer(const QHostAddress &address, quint16 port)
{
    return socketsByPeer().value(Peer(address, port));
}

qint64 AdmittedHttpSocket::bytesAvailable() const
{
    return QIODevice::bytesAvailable() + m_admitted.size();
}

qint64 AdmittedHttpSocket::bytesToWrite() const
{
    return m_transport ? m_transport->bytesToWrite() : 0;
}

bool AdmittedHttpSocket::canReadLine() const
{
    return QIODevice::canReadLine() || m_admitted.contains('\n');
}

void AdmittedHttpSocket::disconnectFromHost()
{
    if (m_transport)
        m_transport->disconnectFromHost();
}

void AdmittedHttpSocket::close()
{
    if (m_transport)
        m_transport->close();
    QIODevice::close();
}

qint64 AdmittedHttpSocket::readData(char *data, qint64 maxSize)
{
    if (m_admitted.isEmpty())
        return state() == QAbstractSocket::ConnectedState ? 0 : -1;
    const qint64 taken = std::min<qint64>(maxSize, m_admitted.size());
    std::memcpy(data, m_admitted.constData(), size_t(taken));
    m_admitted.remove(0, taken);
    return taken;
}

qint64 AdmittedHttpSocket::readLineData(char *data, qint64 maxSize)
{
    const qsizetype newline = m_admitted.indexOf('\n');
    const qint64 lineLength = newline < 0 ? m_admitted.size() : newline + 1;
    return readData(data, std::min(maxSize, lineLength));
}

qint64 AdmittedHttpSocket::skipData(qint64 maxSize)
{
    const qint64 skipped = std::min<qint64>(maxSize, m_admitted.size());
    m_admitted.remove(0, skipped);
    return skipped;
}

qint64 AdmittedHttpSocket::writeData(const char *data, qint64 size)
{
    return m_transport ? m_transport->write(data, size) : -1;
}

void AdmittedHttpSocket::admitArrivals()
{
    if (m_refused || !m_transport)
        return;
    QByteArray fresh = m_transport->readAll();
    const qsizetype admittedBefore = m_admitted.size();
    while (!fresh.isEmpty() && !m_refused) {
        if (m_bodyRemaining > 0) {
            const qint64 taken = std::min<qint64>(m_bodyRemaining, fresh.size());
            m_admitted += fresh.left(taken);
            m_bodyRemaining -= taken;
            fresh.remove(0, taken);
            continue;
        }
        m_partialHead += fresh;
        fresh.clear();
        const ParsedRequestHead parsed = parseRequestHead(m_partialHead, maxRequestHeadBytes);
        if (parsed.status == ParsedRequestHead::Status::Incomplete)
            break;
        const std::optional<Refusal> refusal =
            parsed.status == ParsedRequestHead::Status::Complete
                ? m_admission(parsed.head)
                : std::optional<Refusal>(unreadableHeadRefusal(parsed.status));
        if (refusal) {
            m_refused = true;
            m_partialHead.clear();
            refuseConnection(m_transport, *refusal);
            break;
        }
        m_admitted += m_partialHead.left(parsed.head.length);
        m_bodyRemaining = parsed.head.contentLength().value_or(0);
        fresh = m_partialHead.mid(parsed.head.length);
        m_partialHead.clear();
    }
    if (m_admitted.size() > admittedBefore)
        Q_EMIT readyRead();
}

void AdmittedHttpSocket::transportGone()
{
    if (state() == QAbstractSocket::UnconnectedState)
        return;
    setSocketState(QAbstractSocket::UnconnectedState);
    Q_EMIT disconnected();
}

} // namespace CommandBridge
