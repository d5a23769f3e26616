// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// One TCP connection speaking raw HTTP/1.1, for the tests that need what QNetworkAccessManager
// hides: exact bytes, pipelining, missing headers, refused connections.

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtNetwork/QTcpSocket>

namespace CommandBridgeTest {

/// A parsed response: status line, headers and Content-Length body.
struct HttpResponse
{
    /// -1 when the status line is not HTTP/1.x.
    int status = 0;
    /// Lower-case names.
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;

    /// The Content-Type without parameters, lower case.
    QByteArray mediaType() const;
    QJsonObject json() const;
};

/// Writes what it is given and parses the responses in order. After a 101 the rest of the stream
/// is WebSocket frames and stays unparsed.
class RawHttpClient
{
public:
    enum class Connect { Now, Later };

    explicit RawHttpClient(quint16 port, Connect when = Connect::Now);

    void connectToServer();
    /// Bytes written before the connection is up wait in the socket and leave on connect.
    void send(const QByteArray &bytes);
    void close() { m_socket.abort(); }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    bool isDisconnected() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }
    QTcpSocket &socket() { return m_socket; }
    const QList<HttpResponse> &responses() const { return m_responses; }
    /// Every byte received, parsed or not.
    QByteArray received() const { return m_received; }
    /// Bytes received after the last complete response.
    QByteArray pending() const { return m_buffer; }

private:
    void parse();

    quint16 m_port;
    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_received;
    QList<HttpResponse> m_responses;
    bool m_upgraded = false;
};

} // namespace CommandBridgeTest
