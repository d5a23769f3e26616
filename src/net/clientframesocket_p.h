// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "clientframeguard_p.h"

#include <QtCore/QPointer>
#include <QtNetwork/QTcpSocket>

namespace CommandBridge {

/// What QWebSocketServer and QWebSocket read instead of a client's connection: its upgrade request,
/// then its frames as a ClientFrameGuard passes them. Reads go straight through to the
/// connection, into QWebSocket's own buffers (no copy of ours), and writes straight to it.
///
/// When the guard finds an unmasked frame, it sends the close frame 1002 itself, hands nothing
/// more on, drops what QWebSocket writes afterwards (its own close frame for the read it sees
/// fail) and closes the connection once that frame has gone.
///
/// Once the upgrade request is answered, the read buffers that held it are given back: an idle
/// connection keeps none (QIODevice would keep 16 KiB in each of the two).
///
/// bytesWritten() is not relayed: follow transport() for what leaves. abort() is QAbstractSocket's
/// and not virtual: here it only closes; abort transport() to drop the connection at once.
///
/// Owns the connection (its child). Lives and is used on the connection's thread.
class ClientFrameSocket : public QTcpSocket
{
    Q_OBJECT

public:
    /// \a transport is connected and holds the upgrade request, whose head is \a headLength
    /// bytes long; what follows it are frames.
    ClientFrameSocket(QTcpSocket *transport, qint64 headLength, QObject *parent = nullptr);
    ~ClientFrameSocket() override;

    /// The client's connection; null once it is gone. Use it for what leaves towards the client
    /// (with TLS, only it knows the encrypted bytes still unsent, and signals when they leave).
    QTcpSocket *transport() const { return m_transport; }
    /// Whether the binary message QWebSocket is delivering was sent as text in several frames
    /// (see ClientFrameGuard): its receiver treats it as text, not yet checked to be UTF-8.
    bool isFragmentedText() const { return m_guard.isFragmentedText(); }

    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    void disconnectFromHost() override;
    void close() override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;

private:
    void relayState(QAbstractSocket::SocketState state);
    void refuseUnmaskedFrame();

    QPointer<QTcpSocket> m_transport;
    /// What QWebSocketServer has still to read of the upgrade request, taken from the connection.
    QByteArray m_head;
    ClientFrameGuard m_guard;
    bool m_requestAnswered = false;
};

} // namespace CommandBridge
