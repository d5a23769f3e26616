// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "httprefusal_p.h"

#include "logging_p.h"
#include "messageencoder_p.h"
#include "outgoingqueue_p.h"

#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>

#include <chrono>

#include <sys/socket.h>

namespace CommandBridge {
namespace {

constexpr std::chrono::seconds lingerTime{2};

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

/// A wrong or missing token is an authentication failure (info); any other refusal is routine
/// (debug).
void logRefusal(const QTcpSocket *socket, const Refusal &refusal)
{
    if (refusal.rule == Refusal::Rule::Token)
        qCInfo(lcAccess) << "refused" << refusal << "from" << socket->peerAddress();
    else
        qCDebug(lcAccess) << "refused" << refusal << "from" << socket->peerAddress();
}

} // namespace

Refusal unreadableHeadRefusal(ParsedRequestHead::Status status)
{
    if (status == ParsedRequestHead::Status::TooLarge) {
        return Refusal(Refusal::Rule::Size, 431, errorCodeString(ErrorCode::BadMessage),
                       QStringLiteral("Request head too large"));
    }
    return Refusal(Refusal::Rule::Framing, 400, errorCodeString(ErrorCode::BadMessage),
                   QStringLiteral("Malformed HTTP request"));
}

void refuseConnection(QTcpSocket *socket, const Refusal &refusal)
{
    logRefusal(socket, refusal);
    const QByteArray body =
        Encoder::toJson(Encoder::restErrorBody(refusal.code, refusal.message, refusal.command));
    const QByteArray response =
        "HTTP/1.1 " + QByteArray::number(refusal.status) + ' ' + reasonPhrase(refusal.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
        "\r\nConnection: close\r\n\r\n" + body;
    QObject::disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    // Half-close after the answer and drain what the client still sends: closing with unread
    // input would reset the connection and could destroy the answer before it is read.
    QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket] { socket->readAll(); });
    whenBytesLeave(socket, socket, [socket] {
        if (unsentBytes(socket) == 0)
            ::shutdown(int(socket->socketDescriptor()), SHUT_WR);
    });
    QTimer::singleShot(lingerTime, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->readAll();
    socket->write(response);
}

} // namespace CommandBridge
