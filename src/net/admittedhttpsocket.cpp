// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "admittedhttpsocket_p.h"

#include "httprefusal_p.h"
#include "httpserveradapter_p.h"
#include "outgoingqueue_p.h"

#include <QtCore/QHash>
#include <QtCore/QTimerEvent>

#include <cstring>
#include <utility>

namespace CommandBridge {
namespace {

using Peer = std::pair<QHostAddress, quint16>;

/// Bytes of admitted requests held back at most; beyond, the client waits.
constexpr qint64 maxHeldBytes = 1024 * 1024;

/// The value, up to the next CR, of the first field of an answer's \a head (status line and
/// fields, each ending with CRLF) whose name is \a lowerCaseName, in any case.
std::optional<QByteArrayView> answerField(QByteArrayView head, QByteArrayView lowerCaseName)
{
    for (qsizetype newline = head.indexOf('\n'); newline >= 0;
         newline = head.indexOf('\n', newline + 1)) {
        if (newline == 0 || head.at(newline - 1) != '\r')
            continue;
        const QByteArrayView rest = head.sliced(newline + 1);
        if (rest.size() > lowerCaseName.size() && rest.at(lowerCaseName.size()) == ':' &&
            rest.first(lowerCaseName.size()).compare(lowerCaseName, Qt::CaseInsensitive) == 0) {
            const QByteArrayView value = rest.sliced(lowerCaseName.size() + 1);
            const qsizetype end = value.indexOf('\r');
            return end < 0 ? value : value.first(end);
        }
    }
    return std::nullopt;
}

/// Sockets live and die on one thread, so each thread keeps its own.
QHash<Peer, AdmittedHttpSocket *> &socketsByPeer()
{
    thread_local QHash<Peer, AdmittedHttpSocket *> sockets;
    return sockets;
}

} // namespace

AdmittedHttpSocket::AdmittedHttpSocket(QTcpSocket *transport, Admission admission, Limits limits,
                                       QObject *parent)
    : QTcpSocket(parent)
    , m_transport(transport)
    , m_framer(std::move(admission))
    , m_limits(limits)
{
    transport->setParent(this);
    transport->setReadBufferSize(maxHeldBytes);
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
    whenBytesLeave(transport, this, [this] {
        if (!m_held.empty())
            release();
    });
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
    return m_batch.size() + (m_transport ? m_transport->bytesToWrite() : 0);
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
    if (!m_transport)
        return -1;
    if (m_batching) {
        m_batch.append(data, size);
        return size;
    }
    const qint64 written = m_transport->write(data, size);
    if (written > 0)
        readAnswer(QByteArrayView(data, written));
    return written;
}

void AdmittedHttpSocket::endBatch()
{
    m_batching = false;
    if (m_batch.isEmpty())
        return;
    const qint64 written = m_transport ? m_transport->write(m_batch) : -1;
    if (written > 0)
        readAnswer(QByteArrayView(m_batch).first(written));
    // Kept allocated for the next answer on this connection.
    m_batch.resize(0);
}

void AdmittedHttpSocket::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_idleTimer.timerId())
        return QTcpSocket::timerEvent(event);
    m_idleTimer.stop();
    if (!m_idle)
        return; // busy now: armed again when it turns idle
    const qint64 left = m_limits.idleTimeout.count() - m_idleSince.elapsed();
    if (left > 0) {
        m_idleTimer.start(int(left), this);
        return;
    }
    m_closing = true;
    if (m_transport)
        m_transport->disconnectFromHost();
}

void AdmittedHttpSocket::admitArrivals()
{
    if (!m_transport)
        return;
    if (m_framer.refusal() || m_closing) {
        m_transport->readAll();
        return;
    }
    // Past the limit the bytes stay with the connection (whose buffer is as small), and TCP
    // makes the client wait; release() reads on.
    if (m_heldBytes >= maxHeldBytes)
        return;
    frame(m_transport->readAll());
    release();
}

void AdmittedHttpSocket::frame(QByteArray fresh)
{
    m_framer.frame(std::move(fresh), [this](HttpRequestFramer::Piece &&piece) {
        m_heldBytes += piece.bytes.size();
        if (!piece.head) {
            HeldRequest &request = m_held.back();
            request.bytes += piece.bytes;
            request.complete = piece.endsRequest;
            return;
        }
        HeldRequest request;
        request.bytes = std::move(piece.bytes);
        request.complete = piece.endsRequest;
        request.closeAfterAnswer = piece.head->wantsClose();
        // For any request with a body, whether or not some of it came with the head (a matter
        // of timing), as when heads were passed on alone.
        request.expectsContinue =
            piece.head->expectsContinue() && piece.head->contentLength().value_or(0) > 0;
        m_held.push_back(std::move(request));
    });
}

void AdmittedHttpSocket::release()
{
    if (!m_transport)
        return;
    bool passed = false;
    while (!m_held.empty() && !m_closing) {
        HeldRequest &next = m_held.front();
        if (!next.started) {
            if (!m_awaitingAnswer.empty() || unsentBytes(m_transport) >= m_limits.highWater)
                break;
            next.started = true;
            m_awaitingAnswer.push_back(next.closeAfterAnswer);
            if (next.expectsContinue && !HttpServerAdapter::answersExpectContinue)
                m_transport->write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (!next.bytes.isEmpty()) {
            m_heldBytes -= next.bytes.size();
            m_admitted += std::exchange(next.bytes, QByteArray());
            passed = true;
        }
        if (!next.complete)
            break;
        m_held.pop_front();
    }
    if (m_framer.refusal() && m_held.empty() && m_awaitingAnswer.empty() && !m_closing) {
        // After the answers to the requests before it, in order.
        m_closing = true;
        refuseConnection(m_transport, *m_framer.refusal());
    }
    updateIdleTimer();
    if (passed)
        Q_EMIT readyRead();
    if (!m_closing && m_heldBytes < maxHeldBytes && m_transport->bytesAvailable() > 0)
        QMetaObject::invokeMethod(this, &AdmittedHttpSocket::admitArrivals, Qt::QueuedConnection);
}

void AdmittedHttpSocket::readAnswer(QByteArrayView bytes)
{
    using State = AnswerReader::State;
    AnswerReader &answer = m_answer;
    // Takes bytes up to and including the next CRLF into answer.line; false if none came yet.
    const auto takeLine = [&answer, &bytes] {
        const qsizetype newline = bytes.indexOf('\n');
        if (newline < 0) {
            answer.line += bytes;
            bytes = QByteArrayView();
            return false;
        }
        answer.line += bytes.first(newline + 1);
        bytes = bytes.sliced(newline + 1);
        return true;
    };
    while (!bytes.isEmpty()) {
        switch (answer.state) {
        case State::Head: {
            // The head ends with the first empty line: at the start, or after a CRLF.
            QByteArrayView head;
            if (answer.line.isEmpty() && bytes.startsWith("\r\n")) {
                head = bytes.first(2);
            } else if (const qsizetype end = indexOfHeadEnd(bytes);
                       answer.line.isEmpty() && end >= 0) {
                head = bytes.first(end + 4); // the usual answer: its head in one write
            } else {
                // A head across writes: gathered, and searched again where the new bytes meet.
                const qsizetype seen = answer.line.size();
                answer.line += bytes;
                qsizetype headLength = answer.line.startsWith("\r\n") ? 2 : -1;
                if (headLength < 0) {
                    const qsizetype at = indexOfHeadEnd(answer.line, seen - 3);
                    headLength = at < 0 ? -1 : at + 4;
                }
                if (headLength < 0)
                    return;
                answer.line.truncate(headLength);
                head = answer.line;
                bytes = bytes.sliced(headLength - seen);
            }
            if (answer.line.isEmpty())
                bytes = bytes.sliced(head.size());
            const int status = head.size() > 9
                                   ? head.sliced(9, std::min<qsizetype>(3, head.size() - 9)).toInt()
                                   : 0;
            const std::optional<QByteArrayView> length = answerField(head, "content-length");
            const qint64 bodyLength = length ? length->trimmed().toLongLong() : 0;
            const bool chunked = !length && answerField(head, "transfer-encoding");
            answer.line.resize(0);
            if (status >= 100 && status < 200)
                break; // 100 Continue: the answer follows
            if (length) {
                answer.remaining = bodyLength;
                answer.state = State::Body;
                if (answer.remaining == 0) {
                    answer.state = State::Head;
                    answerWritten();
                }
            } else if (chunked) {
                answer.state = State::ChunkSize;
            } else if (status == 204 || status == 304) {
                answerWritten();
            } else {
                answer.state = State::UntilClose; // the connection's end is the answer's
            }
            break;
        }
        case State::Body: {
            const qint64 taken = std::min<qint64>(answer.remaining, bytes.size());
            answer.remaining -= taken;
            bytes = bytes.sliced(taken);
            if (answer.remaining == 0) {
                answer.state = State::Head;
                answerWritten();
            }
            break;
        }
        case State::ChunkSize: {
            if (!takeLine())
                return;
            const qint64 size =
                std::exchange(answer.line, QByteArray()).trimmed().toLongLong(nullptr, 16);
            answer.remaining = size + 2; // and its CRLF
            answer.state = size == 0 ? State::ChunkEnd : State::ChunkData;
            break;
        }
        case State::ChunkData: {
            const qint64 taken = std::min<qint64>(answer.remaining, bytes.size());
            answer.remaining -= taken;
            bytes = bytes.sliced(taken);
            if (answer.remaining == 0)
                answer.state = State::ChunkSize;
            break;
        }
        case State::ChunkEnd: {
            if (!takeLine())
                return;
            // Trailer fields until an empty line.
            if (std::exchange(answer.line, QByteArray()) == "\r\n") {
                answer.state = State::Head;
                answerWritten();
            }
            break;
        }
        case State::UntilClose:
            return;
        }
    }
}

void AdmittedHttpSocket::answerWritten()
{
    if (m_awaitingAnswer.empty())
        return;
    const bool closeAfter = m_awaitingAnswer.front();
    m_awaitingAnswer.pop_front();
    if (closeAfter) {
        m_closing = true;
        m_held.clear();
        m_heldBytes = 0;
        updateIdleTimer();
        if (m_transport)
            m_transport->disconnectFromHost();
        return;
    }
    // Passing on the next request is for later: QHttpServer is still inside the write that
    // finished this answer. Usually there is none yet (the client awaited this answer), and
    // then nothing is posted.
    if (!m_held.empty() || m_framer.refusal() || (m_transport && m_transport->bytesAvailable() > 0))
        QMetaObject::invokeMethod(this, &AdmittedHttpSocket::release, Qt::QueuedConnection);
    else
        updateIdleTimer();
}

void AdmittedHttpSocket::updateIdleTimer()
{
    const bool idle = m_held.empty() && m_awaitingAnswer.empty() && !m_framer.isInsideRequest() &&
                      !m_closing && !m_framer.refusal();
    // The timer is not stopped and started for every request (each is a call into the event
    // dispatcher): it runs on while busy, and when it fires checks how long it has been idle.
    if (idle && !m_idle) {
        m_idleSince.start();
        if (!m_idleTimer.isActive())
            m_idleTimer.start(int(m_limits.idleTimeout.count()), this);
    }
    m_idle = idle;
}

void AdmittedHttpSocket::transportGone()
{
    m_idleTimer.stop();
    if (state() == QAbstractSocket::UnconnectedState)
        return;
    setSocketState(QAbstractSocket::UnconnectedState);
    Q_EMIT disconnected();
}

} // namespace CommandBridge
