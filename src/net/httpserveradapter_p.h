// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QtGlobal>
#include <QtHttpServer/QHttpServerResponder>

#include <functional>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QObject;
class QTcpServer;
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

class AdmittedHttpSocket;

/// Everything that differs between the QHttpServer of Qt 6.4 and that of Qt 6.8, and nothing
/// else: the REST front end and the shards use these, never a version check of their own.
/// docs/architecture.md says which difference each covers and when it can go.
namespace HttpServerAdapter {

#if QT_VERSION >= QT_VERSION_CHECK(6, 8, 0)
/// How a route handler takes its responder: 6.8 passes a reference to move from.
using ResponderArgument = QHttpServerResponder &;
#else
using ResponderArgument = QHttpServerResponder &&;
#endif

/// Whether QHttpServer answers `Expect: 100-continue` itself (6.8); for 6.4 the gate does.
inline constexpr bool answersExpectContinue = QT_VERSION >= QT_VERSION_CHECK(6, 8, 0);

using MissingHandler =
    std::function<void(const QHttpServerRequest &request, QHttpServerResponder &responder)>;

/// Makes \a http serve the connections that \a server, already listening, hands out.
[[nodiscard]] bool bind(QHttpServer &http, QTcpServer *server);

/// Answers the requests no route takes; \a context owns the handler.
void setMissingHandler(QHttpServer &http, QObject *context, MissingHandler handler);

/// The connection \a request came in on, or null once it is gone. Call it in the route handler.
AdmittedHttpSocket *connectionOf(const QHttpServerRequest &request,
                                 QHttpServerResponder &responder);

/// Sends a complete response: \a body of \a contentType with \a status and one more header,
/// \a name: \a value (MCP's session id).
void writeWithHeader(QHttpServerResponder &responder, int status, const QByteArray &contentType,
                     const QByteArray &body, const QByteArray &name, const QByteArray &value);

/// Starts a 200 response whose body follows in pieces (Server-Sent Events): chunked on 6.8; on 6.4,
/// which has no chunked writer, without a length, so the closed connection ends it.
void beginStream(QHttpServerResponder &responder, const QByteArray &contentType);
/// Sends one piece of the body.
void writeStream(QHttpServerResponder &responder, const QByteArray &piece);
/// Sends \a lastPiece (not empty) and ends the body; \a transport is the client's connection,
/// which 6.4 has to close for that.
void endStream(QHttpServerResponder &responder, const QByteArray &lastPiece, QTcpSocket *transport);

} // namespace HttpServerAdapter
} // namespace CommandBridge
