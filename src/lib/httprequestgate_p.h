#pragma once

#include "requestadmission_p.h"

#include <QtCore/QObject>

#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

/// Stands between a kept-alive HTTP connection and QHttpServer. It frames the byte stream itself
/// (heads and Content-Length bodies) before QHttpServer reads it, so every request on the
/// connection, not only the first, passes admission, and a body over the limit is refused before
/// QHttpServer buffers it. A child of its socket.
class HttpRequestGate : public QObject
{
public:
    using Admission = std::function<std::optional<Refusal>(const HttpRequestHead &head)>;

    /// Call before QHttpServer connects to \a socket: the gate must see each read first.
    HttpRequestGate(QTcpSocket *socket, Admission admission);
    /// Call after QHttpServer connected: from then on the gate learns what it left unread.
    void watchReads();

private:
    void beforeRead();
    void frame(QByteArray fresh);

    QTcpSocket *m_socket;
    Admission m_admission;
    /// Bytes at the front of the socket's buffer that were framed already.
    qint64 m_framedUnread = 0;
    QByteArray m_partialHead;
    qint64 m_bodyRemaining = 0;
    bool m_refused = false;
};

} // namespace CommandBridge
