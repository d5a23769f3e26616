// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// cb-bench-qt-http: QHttpServer with the one route the REST benchmark posts to, parsing the body
// and answering it as JSON: the floor for any QHttpServer-based REST bridge.
#include "benchserver.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port =
        BenchServer::portOption(app, QStringLiteral("Minimal QHttpServer JSON route baseline"));
    BenchServer::quitOnTerminationSignals(app);

    QHttpServer server;
    server.route(QStringLiteral("/api/v1/commands/echo"), QHttpServerRequest::Method::Post,
                 [](const QHttpServerRequest &request) {
                     QJsonParseError error{};
                     const QJsonDocument body = QJsonDocument::fromJson(request.body(), &error);
                     if (error.error != QJsonParseError::NoError || !body.isObject())
                         return QHttpServerResponse(QHttpServerResponse::StatusCode::BadRequest);
                     return QHttpServerResponse(
                         QJsonObject{{QStringLiteral("success"), true},
                                     {QStringLiteral("result"), body.object()}});
                 });
    // A listening QTcpServer bound to the QHttpServer: the one way both Qt 6.4 and 6.8 offer.
    auto *tcp = new QTcpServer(&server);
    if (!tcp->listen(QHostAddress::LocalHost, port))
        qFatal("listen on port %u failed", unsigned(port));
    server.bind(tcp);
    BenchServer::announcePort(tcp->serverPort());
    return app.exec();
}
