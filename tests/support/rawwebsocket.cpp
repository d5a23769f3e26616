// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "rawwebsocket.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>
#include <QtCore/QtEndian>
#include <QtNetwork/QHostAddress>
#include <QtTest/QTest>

namespace CommandBridgeTest {

RawWebSocket::RawWebSocket()
    : RawWebSocket(std::make_unique<QTcpSocket>())
{}

RawWebSocket::RawWebSocket(std::unique_ptr<QTcpSocket> connected)
    : m_socket(std::move(connected))
{
    QObject::connect(m_socket.get(), &QTcpSocket::readyRead, m_socket.get(), [this] {
        m_buffer += m_socket->readAll();
        readFrames();
    });
}

bool RawWebSocket::open(quint16 port)
{
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        m_socket->connectToHost(QHostAddress::LocalHost, port);
    if (!QTest::qWaitFor([this] { return m_socket->state() == QAbstractSocket::ConnectedState; }))
        return false;
    m_socket->write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                    "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    "Sec-WebSocket-Version: 13\r\n\r\n");
    return waitForMessage(0).has_value();
}

QByteArray RawWebSocket::clientFrame(quint8 opcode, const QByteArray &payload, bool final,
                                     const char *maskKey)
{
    QByteArray frame;
    frame.append(char((final ? 0x80 : 0x00) | opcode));
    const char maskBit = maskKey ? char(0x80) : char(0x00);
    if (payload.size() < 126) {
        frame.append(char(maskBit | char(payload.size())));
    } else if (payload.size() <= 0xFFFF) {
        frame.append(char(maskBit | 126));
        char length[2];
        qToBigEndian(quint16(payload.size()), length);
        frame.append(length, 2);
    } else {
        frame.append(char(maskBit | 127));
        char length[8];
        qToBigEndian(quint64(payload.size()), length);
        frame.append(length, 8);
    }
    if (!maskKey)
        return frame.append(payload);
    frame.append(maskKey, 4);
    const qsizetype start = frame.size();
    frame.append(payload);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame[start + i] = char(frame.at(start + i) ^ maskKey[i % 4]);
    return frame;
}

void RawWebSocket::sendFrame(quint8 opcode, const QByteArray &payload, bool final, bool masked)
{
    char key[4];
    qToBigEndian(QRandomGenerator::global()->generate(), key);
    m_socket->write(clientFrame(opcode, payload, final, masked ? key : nullptr));
}

void RawWebSocket::sendFragmented(quint8 opcode, const QByteArray &payload,
                                  const QList<qsizetype> &cuts)
{
    qsizetype start = 0;
    for (const qsizetype cut : cuts) {
        sendFrame(start == 0 ? opcode : quint8(Continuation), payload.mid(start, cut - start),
                  false);
        start = cut;
    }
    sendFrame(start == 0 ? opcode : quint8(Continuation), payload.mid(start));
}

std::optional<RawWebSocket::Message> RawWebSocket::waitForMessage(qsizetype index, int timeoutMs)
{
    if (!QTest::qWaitFor([&] { return m_messages.size() > index; }, timeoutMs))
        return std::nullopt;
    return m_messages.at(index);
}

QJsonObject RawWebSocket::waitForJson(qsizetype index, int timeoutMs)
{
    const std::optional<Message> message = waitForMessage(index, timeoutMs);
    if (!message || message->opcode != Text)
        return {};
    return QJsonDocument::fromJson(message->payload).object();
}

bool RawWebSocket::waitForClosed(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_closeCode >= 0 && isDisconnected(); }, timeoutMs);
}

void RawWebSocket::readFrames()
{
    if (!m_upgraded) {
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0 || !m_buffer.startsWith("HTTP/1.1 101"))
            return;
        m_upgraded = true;
        m_buffer.remove(0, headEnd + 4);
    }
    while (m_buffer.size() >= 2) {
        const auto first = quint8(m_buffer.at(0));
        const auto second = quint8(m_buffer.at(1));
        qsizetype headerSize = 2;
        quint64 length = second & 0x7F;
        if (length == 126) {
            if (m_buffer.size() < 4)
                return;
            length = qFromBigEndian<quint16>(m_buffer.constData() + 2);
            headerSize = 4;
        } else if (length == 127) {
            if (m_buffer.size() < 10)
                return;
            length = qFromBigEndian<quint64>(m_buffer.constData() + 2);
            headerSize = 10;
        }
        if (quint64(m_buffer.size() - headerSize) < length)
            return;
        const QByteArray payload = m_buffer.mid(headerSize, qsizetype(length));
        m_buffer.remove(0, headerSize + qsizetype(length));
        const quint8 opcode = first & 0x0F;
        const bool final = first & 0x80;
        if (opcode >= Close) {
            if (opcode == Close) {
                m_closeCode =
                    payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : 0;
                m_closeReason = payload.mid(2);
            }
            m_messages.append({opcode, payload});
            continue;
        }
        if (opcode != Continuation)
            m_partial = {opcode, QByteArray()};
        m_partial.payload += payload;
        if (final)
            m_messages.append(std::exchange(m_partial, Message()));
    }
}

} // namespace CommandBridgeTest
