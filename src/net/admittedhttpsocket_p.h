// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "httprequestframer_p.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtNetwork/QTcpSocket>

#include <chrono>
#include <deque>
#include <functional>
#include <optional>

namespace CommandBridge {

/// What QHttpServer reads instead of a client's connection. It alone reads the connection: it
/// frames the byte stream (HttpRequestFramer: heads and Content-Length bodies), asks admission
/// about every request on it, not only the first, and passes on only what was admitted, so a
/// request that was refused, or a body over the limit, never reaches QHttpServer. What QHttpServer
/// writes goes straight to the connection.
///
/// It passes one request at a time: the next one once the answer to the one before has been
/// written and the connection's unsent bytes are below the high-water mark. So answers keep the
/// order of the requests (HTTP/1.1 pipelining), a refusal follows the answers before it, and a
/// client that sends requests without reading answers costs bounded memory. It closes the
/// connection after answering a request that asked for it (`Connection: close`, HTTP/1.0), and
/// when no request has been under way for the idle timeout.
///
/// Owns the connection (its child). Lives and is used on the connection's thread.
class AdmittedHttpSocket : public QTcpSocket
{
    Q_OBJECT

public:
    using Admission = HttpRequestFramer::Admission;

    struct Limits
    {
        /// Unsent bytes to the client above which no further request is passed on.
        qint64 highWater = 256 * 1024;
        /// How long a connection with no request under way stays open.
        std::chrono::milliseconds idleTimeout{std::chrono::seconds(30)};
    };

    /// \a transport is connected and its first request head already buffered.
    AdmittedHttpSocket(QTcpSocket *transport, Admission admission, Limits limits,
                       QObject *parent = nullptr);
    ~AdmittedHttpSocket() override;

    /// The live socket of this thread whose client is \a address and \a port, or null.
    static AdmittedHttpSocket *forPeer(const QHostAddress &address, quint16 port);

    /// Call once QHttpServer has taken this socket: admits what the connection buffered so far.
    void startReading() { admitArrivals(); }

    /// The client's connection; null once it is gone. Use it for what leaves towards the client
    /// (with TLS, only it knows the encrypted bytes still unsent).
    QTcpSocket *transport() const { return m_transport; }

    /// While it lives, what is written to \a socket is gathered and then handed to the connection
    /// in one write: Qt 6.4's responder writes an answer in about fifteen pieces, each of which
    /// would otherwise pass through the connection and the answer reader on its own. Only around
    /// an answer written whole, with nothing touching transport() meanwhile.
    class WriteBatch
    {
    public:
        explicit WriteBatch(AdmittedHttpSocket *socket)
            : m_socket(socket)
        {
            m_socket->m_batching = true;
        }
        ~WriteBatch() { m_socket->endBatch(); }
        Q_DISABLE_COPY_MOVE(WriteBatch)

    private:
        AdmittedHttpSocket *const m_socket;
    };

    qint64 bytesAvailable() const override;
    qint64 bytesToWrite() const override;
    bool canReadLine() const override;
    void disconnectFromHost() override;
    void close() override;

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 readLineData(char *data, qint64 maxSize) override;
    qint64 skipData(qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 size) override;
    void timerEvent(QTimerEvent *event) override;

private:
    /// An admitted request not yet passed on whole.
    struct HeldRequest
    {
        QByteArray bytes;
        bool complete = false;
        bool started = false;
        bool closeAfterAnswer = false;
        bool expectsContinue = false;
    };

    /// Where the answer being written stands; fed with every byte QHttpServer writes.
    struct AnswerReader
    {
        enum class State { Head, Body, ChunkSize, ChunkData, ChunkEnd, UntilClose };
        State state = State::Head;
        QByteArray line;
        qint64 remaining = 0;
    };

    void admitArrivals();
    void endBatch();
    void frame(QByteArray fresh);
    void release();
    void readAnswer(QByteArrayView bytes);
    void answerWritten();
    void updateIdleTimer();
    void transportGone();

    QPointer<QTcpSocket> m_transport;
    HttpRequestFramer m_framer;
    Limits m_limits;
    /// Passed on, not yet read by QHttpServer.
    QByteArray m_admitted;
    std::deque<HeldRequest> m_held;
    qint64 m_heldBytes = 0;
    /// Requests passed on, and whether each asked to close after its answer, oldest first.
    std::deque<bool> m_awaitingAnswer;
    AnswerReader m_answer;
    bool m_closing = false;
    /// Inside a WriteBatch: what was written, not yet handed to the connection.
    bool m_batching = false;
    QByteArray m_batch;
    QBasicTimer m_idleTimer;
    QElapsedTimer m_idleSince;
    bool m_idle = false;
};

} // namespace CommandBridge
