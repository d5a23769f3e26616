// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "outgoingqueue_p.h"

#include <QtNetwork/QSslSocket>

namespace CommandBridge {

qint64 unsentBytes(const QTcpSocket *socket)
{
    const auto *ssl = qobject_cast<const QSslSocket *>(socket);
    return socket->bytesToWrite() + (ssl ? ssl->encryptedBytesToWrite() : 0);
}

void sendNow(QTcpSocket *socket)
{
    // QSslSocket::flush() hides QAbstractSocket::flush(): it encrypts, then sends.
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        ssl->flush();
    else
        socket->flush();
}

void whenBytesLeave(QTcpSocket *socket, QObject *context, const std::function<void()> &written)
{
    if (auto *ssl = qobject_cast<QSslSocket *>(socket))
        QObject::connect(ssl, &QSslSocket::encryptedBytesWritten, context, written);
    else
        QObject::connect(socket, &QTcpSocket::bytesWritten, context, written);
}

OutgoingQueue::OutgoingQueue(Writer writer, Backlog backlog, qint64 highWater, Sender send)
    : m_writer(std::move(writer))
    , m_backlog(std::move(backlog))
    , m_highWater(highWater)
    , m_send(std::move(send))
{}

bool OutgoingQueue::transportFull()
{
    if (m_backlog() < m_highWater)
        return false;
    if (!m_send || m_stalled || m_sending)
        return true;
    m_sending = true;
    m_send();
    m_sending = false;
    m_stalled = m_backlog() >= m_highWater;
    return m_stalled;
}

void OutgoingQueue::pushProgress(const void *key, const QByteArray &message)
{
    if (Waiting *waiting = m_waitingProgress.value(key)) {
        m_waitingBytes += message.size() - waiting->message.size();
        waiting->message = message;
        return;
    }
    if (m_waiting.empty() && !transportFull()) {
        m_writer(message);
        return;
    }
    enqueue(message, key);
}

void OutgoingQueue::pushEvent(const QString &replacementKey, const QByteArray &message)
{
    if (const auto waiting = m_waitingEvents.find(replacementKey);
        waiting != m_waitingEvents.end()) {
        // Removed and queued anew, not replaced in place: `seq` must keep rising on the wire.
        m_waitingBytes -= waiting->second->message.size();
        m_waiting.erase(waiting->second);
        m_waitingEvents.erase(waiting);
    } else if (m_waiting.empty() && !transportFull()) {
        m_writer(message);
        return;
    }
    enqueue(message, nullptr);
    m_waiting.back().eventKey = replacementKey;
    m_waitingEvents.emplace(replacementKey, std::prev(m_waiting.end()));
}

void OutgoingQueue::push(const QByteArray &message, const void *finishedKey)
{
    if (finishedKey)
        m_waitingProgress.remove(finishedKey);
    if (m_waiting.empty() && !transportFull()) {
        m_writer(message);
        return;
    }
    enqueue(message, nullptr);
}

void OutgoingQueue::enqueue(const QByteArray &message, const void *progressKey)
{
    m_waiting.push_back(Waiting{message, progressKey, QString()});
    m_waitingBytes += message.size();
    if (progressKey)
        m_waitingProgress.insert(progressKey, &m_waiting.back());
}

void OutgoingQueue::flush()
{
    m_stalled = false;
    // Called back from inside m_send: what waits is written once it returned, in order.
    if (m_sending)
        return;
    while (!m_waiting.empty() && !transportFull()) {
        Waiting &front = m_waiting.front();
        if (front.progressKey && m_waitingProgress.value(front.progressKey) == &front)
            m_waitingProgress.remove(front.progressKey);
        if (!front.eventKey.isNull())
            m_waitingEvents.erase(front.eventKey);
        const QByteArray message = std::move(front.message);
        m_waitingBytes -= message.size();
        m_waiting.pop_front();
        m_writer(message);
    }
}

} // namespace CommandBridge
