#pragma once

#include <QtCore/QtGlobal>
#include <QtWebSockets/QWebSocket>

namespace CommandBridge {

/// QWebSocket's error signal: `error` up to Qt 6.4, `errorOccurred` from 6.5 on, where the old name
/// is deprecated. The only Qt version difference the client has; it goes with Qt 6.4.
inline constexpr auto webSocketErrorSignal =
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    &QWebSocket::errorOccurred;
#else
    qOverload<QAbstractSocket::SocketError>(&QWebSocket::error);
#endif

} // namespace CommandBridge
