// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-bench-qt-echo-hop: the text echo of cb-bench-qt-echo with the sockets on a network thread
// and each message passed to the main thread and back by queued calls before it is sent. The
// least that bare Qt pays for the placement of `bridge-app` (handlers on the GUI thread, sockets
// off it): two thread hops per message and nothing else.
#include "benchserver.h"

#include <QPointer>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port = BenchServer::portOption(
        app, QStringLiteral("QWebSocketServer text echo through the main thread baseline"));
    BenchServer::quitOnTerminationSignals(app);

    QThread network;
    network.start();
    QObject onNetwork;
    onNetwork.moveToThread(&network);
    std::unique_ptr<QWebSocketServer> server;
    quint16 listening = 0;
    QMetaObject::invokeMethod(
        &onNetwork,
        [&] {
            server = std::make_unique<QWebSocketServer>(QStringLiteral("cb-bench-qt-echo-hop"),
                                                        QWebSocketServer::NonSecureMode);
            server->setMaxPendingConnections(1024);
            if (!server->listen(QHostAddress::LocalHost, port))
                qFatal("listen: %s", qPrintable(server->errorString()));
            listening = server->serverPort();
            QObject::connect(server.get(), &QWebSocketServer::newConnection, server.get(), [&] {
                while (QWebSocket *socket = server->nextPendingConnection()) {
                    QObject::connect(
                        socket, &QWebSocket::textMessageReceived, socket,
                        [&app, &onNetwork, socket](const QString &message) {
                            QMetaObject::invokeMethod(
                                &app,
                                [&onNetwork, socket = QPointer<QWebSocket>(socket), message] {
                                    // The handler's turn on the main thread; the network thread
                                    // sends the answer unless the socket closed meanwhile.
                                    QMetaObject::invokeMethod(
                                        &onNetwork,
                                        [socket, message] {
                                            if (socket)
                                                socket->sendTextMessage(message);
                                        },
                                        Qt::QueuedConnection);
                                },
                                Qt::QueuedConnection);
                        });
                    QObject::connect(socket, &QWebSocket::disconnected, socket,
                                     &QObject::deleteLater);
                }
            });
        },
        Qt::BlockingQueuedConnection);
    BenchServer::announcePort(listening);
    const int status = app.exec();
    QMetaObject::invokeMethod(
        &onNetwork, [&] { server.reset(); }, Qt::BlockingQueuedConnection);
    network.quit();
    network.wait();
    return status;
}
