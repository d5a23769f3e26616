// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "httpserveradapter_p.h"

#include "admittedhttpsocket_p.h"

#include <QtCore/QPointer>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtNetwork/QTcpServer>

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
#include <QtNetwork/QHttpHeaders>
#include <QtNetwork/QSslConfiguration>
#endif

namespace CommandBridge::HttpServerAdapter {

bool bind(QHttpServer &http, QTcpServer *server)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // Each 6.8 request carries a QSslConfiguration; the first one made loads the TLS backend and
    // the system's certificates, which takes about a second: here, not in the first request.
    QSslConfiguration warmUp;
    Q_UNUSED(warmUp)
    return http.bind(server);
#else
    http.bind(server);
    return server->isListening();
#endif
}

void setMissingHandler(QHttpServer &http, QObject *context, MissingHandler handler)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    http.setMissingHandler(context,
                           [handler = std::move(handler)](const QHttpServerRequest &request,
                                                          QHttpServerResponder &responder) {
                               handler(request, responder);
                           });
#else
    // 6.4 keeps the handler for good, so the context's lifetime guards it instead.
    http.setMissingHandler([context = QPointer<QObject>(context),
                            handler = std::move(handler)](const QHttpServerRequest &request,
                                                          QHttpServerResponder &&responder) {
        if (context)
            handler(request, responder);
    });
#endif
}

AdmittedHttpSocket *connectionOf(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    // 6.8's responder does not tell its socket; the request names its peer, unique per connection.
    Q_UNUSED(responder)
    return AdmittedHttpSocket::forPeer(request.remoteAddress(), request.remotePort());
#else
    Q_UNUSED(request)
    return qobject_cast<AdmittedHttpSocket *>(responder.socket());
#endif
}

void writeWithHeader(QHttpServerResponder &responder, int status, const QByteArray &contentType,
                     const QByteArray &body, const QByteArray &name, const QByteArray &value)
{
    const auto code = QHttpServerResponder::StatusCode(status);
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    QHttpHeaders headers;
    headers.append(QHttpHeaders::WellKnownHeader::ContentType, contentType);
    headers.append(name, value);
    responder.write(body, headers, code);
#else
    // 6.4 takes extra headers only as an initializer list, or one by one like this.
    responder.writeStatusLine(code);
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader(name, value);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    responder.writeBody(body);
#endif
}

void beginStream(QHttpServerResponder &responder, const QByteArray &contentType)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    QHttpHeaders headers;
    headers.append(QHttpHeaders::WellKnownHeader::ContentType, contentType);
    headers.append(QHttpHeaders::WellKnownHeader::CacheControl, "no-cache");
    responder.writeBeginChunked(headers);
#else
    responder.writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    responder.writeHeaders(
        {{"Content-Type", contentType}, {"Cache-Control", "no-cache"}, {"Connection", "close"}});
    // Qt 6.4 sends the blank line that ends the headers with the first body bytes: send it now.
    responder.writeBody(QByteArray());
#endif
}

void writeStream(QHttpServerResponder &responder, const QByteArray &piece)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    responder.writeChunk(piece);
#else
    responder.writeBody(piece);
#endif
}

void endStream(QHttpServerResponder &responder, const QByteArray &lastPiece, QTcpSocket *transport)
{
#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
    Q_UNUSED(transport)
    responder.writeEndChunked(lastPiece);
#else
    responder.writeBody(lastPiece);
    if (transport)
        transport->disconnectFromHost();
#endif
}

} // namespace CommandBridge::HttpServerAdapter
