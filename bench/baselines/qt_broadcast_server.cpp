// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-bench-qt-broadcast: the limit of event fan-out on Qt's WebSocket transport. A bare
// QWebSocketServer that answers `subscribe` and, on the `broadcast` command, builds each notice's
// JSON once and sends those same bytes to every subscribed connection, 1000 notices per pass of
// the event loop as the bridge's broadcast publishes them. No schema, matching or queue.
#include "benchserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>

namespace {

constexpr qint64 slice = 1000;

class Broadcaster
{
public:
    void subscribe(QWebSocket *socket) { m_subscribers.append(socket); }
    void remove(QWebSocket *socket) { m_subscribers.removeAll(socket); }

    /// Sends notices 1..repeat (each `seq` the count of notices sent so far, which is every
    /// subscriber's own count while all subscribed before the first), then answers \a requester.
    void broadcast(QWebSocket *requester, const QJsonValue &id, const QString &text, qint64 repeat)
    {
        publish(QPointer<QWebSocket>(requester), id, text, 1, repeat);
    }

private:
    void publish(const QPointer<QWebSocket> &requester, const QJsonValue &id, const QString &text,
                 qint64 first, qint64 repeat)
    {
        const qint64 last = std::min(repeat, first + slice - 1);
        for (qint64 n = first; n <= last; ++n) {
            const QJsonObject data{{QStringLiteral("text"), text}, {QStringLiteral("n"), n}};
            const QString message =
                QStringLiteral("{\"data\":") +
                QString::fromUtf8(QJsonDocument(data).toJson(QJsonDocument::Compact)) +
                QStringLiteral(",\"event\":\"notice\",\"seq\":") + QString::number(++m_seq) +
                QStringLiteral(",\"type\":\"event\"}");
            for (QWebSocket *socket : std::as_const(m_subscribers))
                socket->sendTextMessage(message);
        }
        if (last < repeat) {
            QTimer::singleShot(0, [this, requester, id, text, last, repeat] {
                publish(requester, id, text, last + 1, repeat);
            });
            return;
        }
        if (requester) {
            const QJsonObject result{
                {QStringLiteral("type"), QStringLiteral("command_result")},
                {QStringLiteral("id"), id},
                {QStringLiteral("command"), QStringLiteral("broadcast")},
                {QStringLiteral("success"), true},
                {QStringLiteral("result"), QJsonObject{{QStringLiteral("published"), repeat}}}};
            requester->sendTextMessage(
                QString::fromUtf8(QJsonDocument(result).toJson(QJsonDocument::Compact)));
        }
    }

    QList<QWebSocket *> m_subscribers;
    qint64 m_seq = 0;
};

void answer(QWebSocket *socket, const QJsonObject &message)
{
    socket->sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port =
        BenchServer::portOption(app, QStringLiteral("Raw QWebSocketServer event fan-out baseline"));
    BenchServer::quitOnTerminationSignals(app);

    Broadcaster broadcaster;
    QWebSocketServer server(QStringLiteral("cb-bench-qt-broadcast"),
                            QWebSocketServer::NonSecureMode);
    server.setMaxPendingConnections(1024);
    if (!server.listen(QHostAddress::LocalHost, port))
        qFatal("listen: %s", qPrintable(server.errorString()));
    QObject::connect(&server, &QWebSocketServer::newConnection, &server, [&] {
        while (QWebSocket *socket = server.nextPendingConnection()) {
            QObject::connect(
                socket, &QWebSocket::textMessageReceived, socket,
                [socket, &broadcaster](const QString &text) {
                    const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
                    const QString type = message.value(QStringLiteral("type")).toString();
                    const QJsonValue id = message.value(QStringLiteral("id"));
                    if (type == QLatin1String("subscribe")) {
                        broadcaster.subscribe(socket);
                        answer(socket,
                               {{QStringLiteral("type"), QStringLiteral("subscribed")},
                                {QStringLiteral("id"), id},
                                {QStringLiteral("events"), QJsonArray{QStringLiteral("notice")}}});
                    } else if (type == QLatin1String("command") &&
                               message.value(QStringLiteral("command")) ==
                                   QLatin1String("broadcast")) {
                        const QJsonObject args = message.value(QStringLiteral("args")).toObject();
                        broadcaster.broadcast(socket, id,
                                              args.value(QStringLiteral("text")).toString(),
                                              args.value(QStringLiteral("repeat")).toInteger(1));
                    }
                });
            QObject::connect(socket, &QWebSocket::disconnected, socket, [socket, &broadcaster] {
                broadcaster.remove(socket);
                socket->deleteLater();
            });
        }
    });
    BenchServer::announcePort(server.serverPort());
    return app.exec();
}
