// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QRegularExpression>
#include <QtCore/QtGlobal>
#include <QtWebSockets/QWebSocket>

namespace CommandBridge {

/// QWebSocket's error signal: `error` up to Qt 6.4, `errorOccurred` from 6.5 on, where the old name
/// is deprecated.
inline constexpr auto webSocketErrorSignal =
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    &QWebSocket::errorOccurred;
#else
    qOverload<QAbstractSocket::SocketError>(&QWebSocket::error);
#endif

/// The HTTP status with which a server refused \a socket's upgrade, or 0. QWebSocket says it only
/// in its error text: "status code: 401" in Qt 6.4; from Qt 6.6 a 401 instead starts its
/// authentication support, which ends with a text about WWW-Authenticate or authentication.
inline int refusedUpgradeStatus(const QWebSocket *socket)
{
    static const QRegularExpression status(QStringLiteral("status code: (\\d{3})"));
    const QString error = socket->errorString();
    const QRegularExpressionMatch match = status.match(error);
    if (match.hasMatch())
        return match.captured(1).toInt();
#if QT_VERSION >= QT_VERSION_CHECK(6, 6, 0)
    if (error.contains(QLatin1String("WWW-Authenticate")) ||
        error.contains(QLatin1String("requires authentication")))
        return 401;
#endif
    return 0;
}

} // namespace CommandBridge
