// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// A WebSocket client written frame by frame, for what QWebSocket never sends: fragments cut
// inside a UTF-8 character, unmasked frames, control frames between fragments.

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtNetwork/QTcpSocket>

#include <memory>
#include <optional>

namespace CommandBridgeTest {

/// One client connection: sends the upgrade request and frames exactly as told, and reads the
/// server's frames, reassembling fragmented messages.
class RawWebSocket
{
public:
    /// RFC 6455 section 5.2.
    enum Opcode : quint8 {
        Continuation = 0x0,
        Text = 0x1,
        Binary = 0x2,
        Close = 0x8,
        Ping = 0x9,
        Pong = 0xA,
    };

    /// A message or control frame from the server, fragments joined.
    struct Message
    {
        quint8 opcode = 0;
        QByteArray payload;
    };

    /// Over a plain connection of its own.
    RawWebSocket();
    /// Over \a connected, already connected (and encrypted, for TLS).
    explicit RawWebSocket(std::unique_ptr<QTcpSocket> connected);

    /// Upgrades to /ws on 127.0.0.1:\a port (connecting first when plain); true once the 101 and
    /// the server's hello came.
    [[nodiscard]] bool open(quint16 port);

    /// The bytes of one client frame, masked with \a maskKey (4 bytes), or unmasked when it is
    /// null.
    static QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool final,
                                  const char *maskKey);

    /// One frame: masked with a random key unless \a masked is false.
    void sendFrame(quint8 opcode, const QByteArray &payload, bool final = true, bool masked = true);
    /// \a payload as one message of \a opcode in fragments that end at each offset of \a cuts
    /// (ascending, inside the payload).
    void sendFragmented(quint8 opcode, const QByteArray &payload, const QList<qsizetype> &cuts);

    /// Everything the server sent so far, in order (the first is hello).
    const QList<Message> &messages() const { return m_messages; }
    /// The message at \a index (0-based, control frames counted), waiting for it; nullopt when
    /// none came in time.
    std::optional<Message> waitForMessage(qsizetype index, int timeoutMs = 10000);
    /// The text message at \a index as a JSON object; empty when it is not one or none came.
    QJsonObject waitForJson(qsizetype index, int timeoutMs = 10000);
    /// Waits for the server's close frame and the end of the connection.
    [[nodiscard]] bool waitForClosed(int timeoutMs = 10000);
    /// The close code and reason the server sent; -1 before a close frame came.
    int closeCode() const { return m_closeCode; }
    QByteArray closeReason() const { return m_closeReason; }
    bool isDisconnected() const { return m_socket->state() == QAbstractSocket::UnconnectedState; }

private:
    void readFrames();

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    bool m_upgraded = false;
    QList<Message> m_messages;
    Message m_partial;
    int m_closeCode = -1;
    QByteArray m_closeReason;
};

} // namespace CommandBridgeTest
