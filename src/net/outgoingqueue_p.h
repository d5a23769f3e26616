// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QString>

#include <functional>
#include <list>
#include <map>

QT_BEGIN_NAMESPACE
class QObject;
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

/// Bytes \a socket still has to send; with TLS this includes what is encrypted but unsent, which
/// QSslSocket::bytesToWrite() leaves out.
qint64 unsentBytes(const QTcpSocket *socket);
/// Hands what \a socket buffered to the network now, as much as the kernel takes without waiting.
void sendNow(QTcpSocket *socket);
/// Calls \a written, in \a context, whenever \a socket handed bytes to the network (for TLS:
/// encrypted bytes).
void whenBytesLeave(QTcpSocket *socket, QObject *context, const std::function<void()> &written);

/// The single way out to one client (spec section 8). While the transport keeps up, messages pass
/// straight through. Once its unsent bytes reach the high-water mark, and stay there after the
/// transport was told to send them, messages wait here, and a request's waiting progress is
/// replaced by its newest; nothing else is ever dropped or reordered, except that a waiting event
/// gives way to a newer one of its kind. Not thread-safe: used on its connection's thread.
class OutgoingQueue
{
public:
    using Writer = std::function<void(const QByteArray &message)>;
    /// Bytes the transport has accepted but not yet sent.
    using Backlog = std::function<qint64()>;
    /// Makes the transport send its backlog now, as far as the network takes it without waiting.
    using Sender = std::function<void()>;

    /// Without \a send, a backlog at the mark is full. With it, the backlog is sent first: a
    /// socket's buffer grows past the mark while its thread writes many messages in one pass of
    /// its event loop (a batch of progress), which says nothing about the client.
    OutgoingQueue(Writer writer, Backlog backlog, qint64 highWater, Sender send = {});

    /// Progress of the request \a key: may replace that request's progress still waiting here.
    void pushProgress(const void *key, const QByteArray &message);
    /// An event (spec section 10): while it waits, a newer event with the same \a replacementKey
    /// (its name and coalescing key) takes its place at the back of the queue.
    void pushEvent(const QString &replacementKey, const QByteArray &message);
    /// Any other message; \a finishedKey names a request that reports no more progress.
    void push(const QByteArray &message, const void *finishedKey = nullptr);
    /// Hands waiting messages to the transport while it stays below the high-water mark. Call it
    /// whenever the transport sent bytes.
    void flush();

    qint64 waitingBytes() const { return m_waitingBytes; }
    /// Unsent bytes in all: waiting here plus the transport's backlog.
    qint64 unsentBytes() const { return m_waitingBytes + m_backlog(); }

private:
    struct Waiting
    {
        QByteArray message;
        const void *progressKey = nullptr;
        /// Null unless it is an event.
        QString eventKey;
    };

    bool transportFull();
    void enqueue(const QByteArray &message, const void *progressKey);

    Writer m_writer;
    Backlog m_backlog;
    qint64 m_highWater;
    Sender m_send;
    /// The backlog stayed at the mark after sending: the network takes no more until the
    /// transport reports bytes sent (flush()). Until then sending again would only cost a call.
    bool m_stalled = false;
    /// Inside m_send, which may call flush() back: a socket reports the bytes it sent at once.
    bool m_sending = false;
    /// A list: its elements keep their address, and an empty one (every idle connection's)
    /// allocates nothing, unlike a deque.
    std::list<Waiting> m_waiting;
    /// Waiting progress by request.
    QHash<const void *, Waiting *> m_waitingProgress;
    /// Waiting events by replacement key; a map: there are few, and hashing a QString costs more.
    std::map<QString, std::list<Waiting>::iterator> m_waitingEvents;
    qint64 m_waitingBytes = 0;
};

} // namespace CommandBridge
