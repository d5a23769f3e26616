#pragma once

#include "requestadmission_p.h"

#include <QtCore/QPointer>
#include <QtNetwork/QTcpSocket>

#include <functional>
#include <optional>

namespace CommandBridge {

/// What QHttpServer reads instead of a client's connection. It alone reads the connection: it
/// frames the byte stream (heads and Content-Length bodies), asks admission about every request on
/// it, not only the first, and passes on only what was admitted, so a request that was refused,
/// or a body over the limit, never reaches QHttpServer. What QHttpServer writes goes straight to
/// the connection. Owns the connection (its child). Lives and is used on the connection's thread.
class AdmittedHttpSocket : public QTcpSocket
{
    Q_OBJECT

public:
    using Admission = std::function<std::optional<Refusal>(const HttpRequestHead &head)>;

    /// \a transport is connected and its first request head already buffered.
    AdmittedHttpSocket(QTcpSocket *transport, Admission admission, QObject *parent = nullptr);
    ~AdmittedHttpSocket() override;

    /// The client's connection; null once it is gone. Use it for what leaves towards the client
    /// (with TLS, only it knows the encrypted bytes still unsent).
    QTcpSocket *transport() const { return m_transport; }
    /// The live socket of this thread whose client is \a address and \a port, or null.
    static AdmittedHttpSocket *forPeer(const QHostAddress &address, quint16 port);

    /// Call once QHttpServer has taken this socket: admits what the connection buffered so far.
    void startReading() { admitArrivals(); }

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

private:
    void admitArrivals();
    void transportGone();

    QPointer<QTcpSocket> m_transport;
    Admission m_admission;
    /// Admitted bytes QHttpServer has not read yet.
    QByteArray m_admitted;
    QByteArray m_partialHead;
    qint64 m_bodyRemaining = 0;
    bool m_refused = false;
};

} // namespace CommandBridge
