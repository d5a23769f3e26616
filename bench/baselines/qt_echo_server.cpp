// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-bench-qt-echo: a bare QWebSocketServer echoing every text message verbatim, the upper bound
// of what the Qt WebSocket transport can do on one thread.
#include "benchserver.h"

#include <QWebSocket>
#include <QWebSocketServer>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port =
        BenchServer::portOption(app, QStringLiteral("Raw QWebSocketServer text echo baseline"));
    BenchServer::quitOnTerminationSignals(app);

    QWebSocketServer server(QStringLiteral("cb-bench-qt-echo"), QWebSocketServer::NonSecureMode);
    server.setMaxPendingConnections(1024);
    if (!server.listen(QHostAddress::LocalHost, port))
        qFatal("listen: %s", qPrintable(server.errorString()));
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            QObject::connect(
                socket, &QWebSocket::textMessageReceived, socket,
                [socket](const QString &message) { socket->sendTextMessage(message); });
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    BenchServer::announcePort(server.serverPort());
    return app.exec();
}
