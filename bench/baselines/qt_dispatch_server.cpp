// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-bench-qt-dispatch: the least any Qt JSON command bridge must do per message (parse, look up
// the handler by name, serialize the answer), with nothing else: no schema, sessions or limits.
#include "benchserver.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>

namespace {

using Handler = std::function<void(QWebSocket *, const QJsonValue &id, const QJsonObject &args)>;

void send(QWebSocket *socket, const QJsonObject &message)
{
    socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

QHash<QString, Handler> handlers()
{
    QHash<QString, Handler> table;
    table.insert(QStringLiteral("echo"),
                 [](QWebSocket *socket, const QJsonValue &id, const QJsonObject &args) {
                     send(socket, {{QStringLiteral("type"), QStringLiteral("command_result")},
                                   {QStringLiteral("id"), id},
                                   {QStringLiteral("command"), QStringLiteral("echo")},
                                   {QStringLiteral("success"), true},
                                   {QStringLiteral("result"), args}});
                 });
    table.insert(QStringLiteral("burst"), [](QWebSocket *socket, const QJsonValue &id,
                                             const QJsonObject &args) {
        const int n = args.value(QStringLiteral("n")).toInt();
        for (int i = 1; i <= n; ++i) {
            send(socket, {{QStringLiteral("type"), QStringLiteral("command_progress")},
                          {QStringLiteral("id"), id},
                          {QStringLiteral("command"), QStringLiteral("burst")},
                          {QStringLiteral("message"), QString::number(i)},
                          {QStringLiteral("percent"), 100 * i / n}});
        }
        send(socket, {{QStringLiteral("type"), QStringLiteral("command_result")},
                      {QStringLiteral("id"), id},
                      {QStringLiteral("command"), QStringLiteral("burst")},
                      {QStringLiteral("success"), true},
                      {QStringLiteral("result"), QJsonObject{{QStringLiteral("n"), n}}}});
    });
    return table;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port = BenchServer::portOption(
        app, QStringLiteral("Minimal QWebSocketServer + QJsonDocument command dispatch baseline"));
    BenchServer::quitOnTerminationSignals(app);

    const QHash<QString, Handler> table = handlers();
    QWebSocketServer server(QStringLiteral("cb-bench-qt-dispatch"),
                            QWebSocketServer::NonSecureMode);
    server.setMaxPendingConnections(1024);
    if (!server.listen(QHostAddress::LocalHost, port))
        qFatal("listen: %s", qPrintable(server.errorString()));
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&server, &table] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            QObject::connect(
                socket, &QWebSocket::textMessageReceived, socket,
                [socket, &table](const QString &text) {
                    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
                    if (message.value(QStringLiteral("type")) != QStringLiteral("command"))
                        return;
                    const auto handler =
                        table.constFind(message.value(QStringLiteral("command")).toString());
                    if (handler != table.constEnd())
                        (*handler)(socket, message.value(QStringLiteral("id")),
                                   message.value(QStringLiteral("args")).toObject());
                });
            QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    BenchServer::announcePort(server.serverPort());
    return app.exec();
}
