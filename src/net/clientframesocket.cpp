// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "clientframesocket_p.h"

#include "logging_p.h"

#include <algorithm>
#include <cstring>

namespace CommandBridge {
namespace {

/// RFC 6455 section 7.4.1: protocol error.
constexpr quint16 closeCodeProtocolError = 1002;

/// An unmasked close frame (the server's) with \a code and \a reason.
QByteArray closeFrame(quint16 code, QByteArrayView reason)
{
    QByteArray frame;
    frame.reserve(4 + reason.size());
    frame.append(char(0x88)).append(char(2 + reason.size()));
    frame.append(char(code >> 8)).append(char(code & 0xFF)).append(reason);
    return frame;
}

/// Gives back the read buffer \a device keeps once it has emptied (16 KiB, kept for the next
/// read): an idle connection has no use for it. setOpenMode() drops it when the device stops
/// being readable for a moment; it is protected, hence the helper class.
void releaseReadBuffer(QIODevice *device)
{
    struct OpenModeSetter : QIODevice
    {
        using QIODevice::setOpenMode;
    };
    const QIODevice::OpenMode mode = device->openMode();
    (device->*&OpenModeSetter::setOpenMode)(QIODevice::WriteOnly);
    (device->*&OpenModeSetter::setOpenMode)(mode);
}

} // namespace

ClientFrameSocket::ClientFrameSocket(QTcpSocket *transport, qint64 headLength, QObject *parent)
    : QTcpSocket(parent)
    , m_transport(transport)
    , m_head(transport->read(headLength))
{
    transport->setParent(this);
    // The request is served from m_head; unless frames followed it, the connection's buffer is
    // empty now and can go before QWebSocketServer's peek allocates this socket's.
    if (transport->bytesAvailable() == 0)
        releaseReadBuffer(transport);
    setPeerAddress(transport->peerAddress());
    setPeerPort(transport->peerPort());
    setLocalAddress(transport->localAddress());
    setLocalPort(transport->localPort());
    setSocketState(QAbstractSocket::ConnectedState);
    // Unbuffered: each read of QWebSocket's goes through readData() into its own buffer.
    setOpenMode(QIODevice::ReadWrite | QIODevice::Unbuffered);
    connect(transport, &QTcpSocket::readyRead, this, &QTcpSocket::readyRead);
    connect(transport, &QAbstractSocket::stateChanged, this, &ClientFrameSocket::relayState);
    connect(transport, &QAbstractSocket::errorOccurred, this,
            [this](QAbstractSocket::SocketError error) {
                setSocketError(error);
                setErrorString(m_transport ? m_transport->errorString() : QString());
                Q_EMIT errorOccurred(error);
            });
}

ClientFrameSocket::~ClientFrameSocket()
{
    if (m_transport)
        m_transport->disconnect(this);
}

qint64 ClientFrameSocket::bytesAvailable() const
{
    // What QWebSocketServer peeked of the upgrade request is buffered here. The frames show only
    // once it has read the request: its peek must not take them past the guard.
    qint64 available = QIODevice::bytesAvailable();
    if (!m_head.isEmpty())
        available += m_head.size();
    else if (m_transport && !m_guard.hasFailed())
        available += m_transport->bytesAvailable();
    return available;
}

qint64 ClientFrameSocket::bytesToWrite() const
{
    return m_transport ? m_transport->bytesToWrite() : 0;
}

void ClientFrameSocket::disconnectFromHost()
{
    if (m_transport)
        m_transport->disconnectFromHost();
}

void ClientFrameSocket::close()
{
    // QWebSocket flushes before it closes: its flush() reaches only this socket.
    if (m_transport) {
        m_transport->flush();
        m_transport->close();
    }
    QIODevice::close();
}

qint64 ClientFrameSocket::readData(char *data, qint64 maxSize)
{
    if (!m_transport || m_guard.hasFailed())
        return -1;
    if (!m_head.isEmpty()) {
        const qint64 taken = std::min<qint64>(maxSize, m_head.size());
        std::memcpy(data, m_head.constData(), size_t(taken));
        if (taken == m_head.size())
            m_head.clear();
        else
            m_head.remove(0, taken);
        return taken;
    }
    const qint64 read = m_transport->read(data, maxSize);
    if (read <= 0)
        return read;
    const qint64 passed = m_guard.pass(data, read);
    if (m_guard.hasFailed())
        refuseUnmaskedFrame();
    return passed;
}

qint64 ClientFrameSocket::writeData(const char *data, qint64 size)
{
    if (!m_transport)
        return -1;
    // After the close frame nothing may follow (RFC 6455 section 5.5.1).
    if (m_guard.hasFailed())
        return size;
    if (!m_requestAnswered) {
        // QWebSocketServer answers the upgrade request once it has read it all: the buffer its
        // peek left behind can go.
        m_requestAnswered = true;
        if (m_head.isEmpty() && QIODevice::bytesAvailable() == 0)
            releaseReadBuffer(this);
    }
    return m_transport->write(data, size);
}

void ClientFrameSocket::relayState(QAbstractSocket::SocketState state)
{
    setSocketState(state);
    Q_EMIT stateChanged(state);
    if (state == QAbstractSocket::UnconnectedState)
        Q_EMIT disconnected();
}

void ClientFrameSocket::refuseUnmaskedFrame()
{
    qCDebug(lcAccess) << "closing the WebSocket of" << peerAddress()
                      << "rule framing: an unmasked client frame";
    m_transport->write(closeFrame(closeCodeProtocolError, "Client frames must be masked"));
    // Not from inside QWebSocket's read; the connection closes once the close frame is sent.
    QMetaObject::invokeMethod(m_transport, &QAbstractSocket::disconnectFromHost,
                              Qt::QueuedConnection);
}

} // namespace CommandBridge
