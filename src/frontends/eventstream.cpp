// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "eventstream_p.h"

#include "admittedhttpsocket_p.h"
#include "httpserveradapter_p.h"
#include "messageencoder_p.h"

#include <QtCore/QTimerEvent>
#include <QtNetwork/QTcpSocket>

namespace CommandBridge {

EventStream::EventStream(CommandRegistry *registry, const QStringList &entries,
                         const QString &sessionId, QHttpServerResponder &&responder,
                         AdmittedHttpSocket *connection, qint64 highWater,
                         std::chrono::milliseconds keepAlive, QObject *parent)
    : QObject(parent)
    , m_socket(connection->transport())
    , m_responder(std::move(responder))
    , m_subscription(registry, this, sessionId)
    , m_events(
          [this](const QByteArray &piece) {
              if (m_responder)
                  HttpServerAdapter::writeStream(*m_responder, piece);
          },
          [this] { return m_socket ? unsentBytes(m_socket) : 0; }, highWater)
{
    HttpServerAdapter::beginStream(*m_responder, "text/event-stream");
    m_subscription.subscribe(entries);
    connect(connection, &QTcpSocket::disconnected, this, &EventStream::clientGone);
    connect(m_socket.data(), &QObject::destroyed, this, &EventStream::clientGone);
    whenBytesLeave(m_socket, this, [this] { m_events.flush(); });
    m_keepAlive.start(int(keepAlive.count()), this);
}

EventStream::~EventStream() = default;

void EventStream::end()
{
    if (m_responder) {
        m_events.flush();
        HttpServerAdapter::endStream(*m_responder, QByteArrayLiteral(": server shutting down\n\n"),
                                     m_socket);
        m_responder.reset();
    }
    deleteLater();
}

void EventStream::eventPublished(const PublishedEvent &event)
{
    if (!m_responder)
        return;
    const quint64 seq = m_subscription.nextSeq();
    m_events.pushEvent(
        event.replacementKey,
        Encoder::streamedEvent(event.name, seq, Encoder::event(event.name, seq, event.data)));
}

void EventStream::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_keepAlive.timerId()) {
        QObject::timerEvent(event);
        return;
    }
    // Not behind waiting events: they say enough once they leave.
    if (m_responder && m_events.waitingBytes() == 0)
        m_events.push(QByteArrayLiteral(": keepalive\n\n"));
}

void EventStream::clientGone()
{
    m_responder.reset();
    m_keepAlive.stop();
    deleteLater();
}

} // namespace CommandBridge
