// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The one port of CommandBridgeServer, seen by raw TCP clients: how the connection router reads
// the first request of each connection and hands it to the WebSocket or the HTTP server.

#include "democommands.h"
#include "rawhttpclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QMap>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;

char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

namespace {

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

QByteArray healthRequest(quint16 port)
{
    return "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\n\r\n";
}

QByteArray commandsRequest(quint16 port)
{
    return "GET /api/v1/commands HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\n\r\n";
}

QByteArray commandRequest(quint16 port, const QByteArray &command, const QByteArray &body)
{
    return "POST /api/v1/commands/" + command +
           " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QByteArray echoRequest(quint16 port, const QByteArray &body)
{
    return commandRequest(port, "echo", body);
}

/// The key of RFC 6455's example, whose accept value is s3pPLMBiTxaQ9kYGzzhZRbK+xOo=.
QByteArray upgradeRequest(quint16 port, const QByteArray &target)
{
    return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

} // namespace

class ConnectionRouterTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void serverUrlsNameTheListeningPort();
    void pipelinedRequestsGetResponsesInOrder();
    void pipelinedResponsesKeepRequestOrderBehindASlowRun();
    void pipelinedRequestsStayInOrderWithNetworkThreads();
    void validRequestThenRefusedOneGetsBothAnswersInOrder();
    void connectionCloseIsHonoured_data();
    void connectionCloseIsHonoured();
    void idleConnectionIsClosedButNotWhileAnAnswerIsAwaited();
    void expectContinueGetsContinue();
    void slowlySentRequestIsAnswered_data();
    void slowlySentRequestIsAnswered();
    void requestSentWithTheConnectIsAnswered_data();
    void requestSentWithTheConnectIsAnswered();
    void webSocketAndRestShareThePort();
    void upgradeToAnotherPathIsRefusedWith404Json_data();
    void upgradeToAnotherPathIsRefusedWith404Json();
    void malformedUpgradeIsRefusedWithJson_data();
    void malformedUpgradeIsRefusedWithJson();
    void upgradeSessionIsCheckedAtTheHandshake_data();
    void upgradeSessionIsCheckedAtTheHandshake();
    void connectionCountFollowsWebSocketConnections();
    void contentLengthOverTheLimitIsRefusedBeforeTheBody_data();
    void contentLengthOverTheLimitIsRefusedBeforeTheBody();
    void invalidContentLengthIsRefusedWith400_data();
    void invalidContentLengthIsRefusedWith400();
    void incompleteHeadIsDroppedAfterTheHandshakeTimeout_data();
    void incompleteHeadIsDroppedAfterTheHandshakeTimeout();
    void garbageIsRefusedAndTheServerGoesOn_data();
    void garbageIsRefusedAndTheServerGoesOn();

private:
    void startServer(const ServerOptions &options = ServerOptions());
    quint16 port() const { return m_server->serverPort(); }

    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<CommandBridgeServer> m_server;
};

void ConnectionRouterTest::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    Demo::registerDemoCommands(*m_registry);
    startServer();
}

void ConnectionRouterTest::cleanup()
{
    m_server.reset();
    m_registry.reset();
}

void ConnectionRouterTest::startServer(const ServerOptions &options)
{
    m_server.reset();
    m_server = std::make_unique<CommandBridgeServer>(m_registry.get());
    m_server->setOptions(options);
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    QVERIFY(port() != 0);
}

void ConnectionRouterTest::serverUrlsNameTheListeningPort()
{
    QVERIFY(m_server->isListening());
    QCOMPARE(m_server->serverAddress(), QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(m_server->httpUrl(), QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port())));
    QCOMPARE(m_server->webSocketUrl(), QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port())));
}

void ConnectionRouterTest::pipelinedRequestsGetResponsesInOrder()
{
    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    QTRY_VERIFY(client.isConnected());
    client.send(healthRequest(port()) + commandsRequest(port()) + healthRequest(port()));

    QTRY_COMPARE(client.responses().size(), 3);
    for (const HttpResponse &response : client.responses()) {
        QCOMPARE(response.status, 200);
        QCOMPARE(response.mediaType(), QByteArray("application/json"));
    }
    QCOMPARE(client.responses().at(0).json().value(QLatin1String("status")).toString(),
             QStringLiteral("ok"));
    QCOMPARE(client.responses().at(1).json().value(QLatin1String("commands")).toArray().size(), 8);
    QCOMPARE(client.responses().at(2).json().value(QLatin1String("status")).toString(),
             QStringLiteral("ok"));
    QVERIFY(client.pending().isEmpty());
}

void ConnectionRouterTest::pipelinedResponsesKeepRequestOrderBehindASlowRun()
{
    // HTTP/1.1 (RFC 9112, 9.3.2): responses to pipelined requests come in request order, or the
    // client pairs each response with the wrong request.
    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    QTRY_VERIFY(client.isConnected());
    client.send(commandRequest(port(), "count", R"({"to":3,"interval_ms":100})") +
                healthRequest(port()) + echoRequest(port(), R"({"last":true})"));

    QTRY_COMPARE(client.responses().size(), 3);
    QCOMPARE(client.responses().at(0).json(),
             object(R"({"command":"count","success":true,"result":{"counted":3}})"));
    QCOMPARE(client.responses().at(1).json().value(QLatin1String("status")).toString(),
             QStringLiteral("ok"));
    QCOMPARE(client.responses().at(2).json(),
             object(R"({"command":"echo","success":true,"result":{"last":true}})"));
}

void ConnectionRouterTest::pipelinedRequestsStayInOrderWithNetworkThreads()
{
    // Echo runs on the app's thread, health on the network thread: answers are ready out of order.
    ServerOptions options;
    options.networkThreads = 1;
    startServer(options);
    RawHttpClient client(port());
    QByteArray requests;
    for (int i = 0; i < 25; ++i)
        requests +=
            echoRequest(port(), "{\"i\":" + QByteArray::number(i) + "}") + healthRequest(port());
    client.send(requests);

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 50, 10000);
    for (int i = 0; i < 25; ++i) {
        QCOMPARE(client.responses().at(2 * i).json().value(QLatin1String("result")).toObject(),
                 QJsonObject({{QStringLiteral("i"), i}}));
        QCOMPARE(client.responses().at(2 * i + 1).json().value(QLatin1String("status")).toString(),
                 QStringLiteral("ok"));
    }
}

void ConnectionRouterTest::validRequestThenRefusedOneGetsBothAnswersInOrder()
{
    ServerOptions options;
    options.token = QStringLiteral("secret");
    startServer(options);
    RawHttpClient client(port());
    client.send(healthRequest(port()) + commandsRequest(port()));

    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(client.responses().at(0).status, 200);
    QCOMPARE(client.responses().at(1).status, 401);
    QCOMPARE(client.responses()
                 .at(1)
                 .json()
                 .value(QLatin1String("result"))
                 .toObject()
                 .value(QLatin1String("code")),
             QJsonValue(QStringLiteral("unauthorized")));
    QTRY_VERIFY(client.isDisconnected());
}

void ConnectionRouterTest::connectionCloseIsHonoured_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::newRow("Connection: close")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n");
    QTest::newRow("HTTP/1.0") << QByteArray("GET /api/v1/health HTTP/1.0\r\n");
}

void ConnectionRouterTest::connectionCloseIsHonoured()
{
    QFETCH(QByteArray, head);
    RawHttpClient client(port());
    // The request after it is never read.
    client.send(head + "Host: 127.0.0.1:" + QByteArray::number(port()) + "\r\n\r\n" +
                commandsRequest(port()));
    QTRY_VERIFY(client.isDisconnected());
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(client.responses().at(0).status, 200);
    QVERIFY(client.pending().isEmpty());
}

void ConnectionRouterTest::idleConnectionIsClosedButNotWhileAnAnswerIsAwaited()
{
    ServerOptions options;
    options.httpIdleTimeout = std::chrono::milliseconds(300);
    startServer(options);
    RawHttpClient client(port());
    // Three steps of 200 ms: the connection waits longer than the idle time for its answer.
    client.send(commandRequest(port(), "count", R"({"to":3,"interval_ms":200})"));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, 5000);
    QCOMPARE(client.responses().at(0).status, 200);
    QElapsedTimer idle;
    idle.start();
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), 5000);
    // Measured from when this side saw the answer, which a loaded machine delays: a loose bound.
    QVERIFY(idle.elapsed() >= 100);
}

void ConnectionRouterTest::expectContinueGetsContinue()
{
    RawHttpClient client(port());
    client.send(
        "POST /api/v1/commands/echo HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port()) +
        "\r\nExpect: 100-continue\r\nContent-Length: 8\r\n\r\n");
    QTRY_VERIFY(client.received().startsWith("HTTP/1.1 100 Continue\r\n\r\n"));
    client.send(QByteArray(R"({"a":1})") + '\n');
    QTRY_COMPARE(client.responses().size(), 2);
    QCOMPARE(client.responses().at(0).status, 100);
    const HttpResponse answer = client.responses().at(1);
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.json(), object(R"({"command":"echo","success":true,"result":{"a":1}})"));
}

void ConnectionRouterTest::slowlySentRequestIsAnswered_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("expectedBody");

    QTest::newRow("GET, head in pieces") << healthRequest(0) << QByteArray();
    QTest::newRow("POST, head and body in pieces")
        << echoRequest(0, R"({"slow":[1,2,3]})")
        << QByteArray(R"({"command":"echo","success":true,"result":{"slow":[1,2,3]}})");
}

void ConnectionRouterTest::slowlySentRequestIsAnswered()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, expectedBody);
    request.replace("127.0.0.1:0", QByteArray("127.0.0.1:" + QByteArray::number(port())));

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    QTRY_VERIFY(client.isConnected());

    // Three bytes per tick of the event loop: the server sees many partial reads.
    constexpr int bytesPerTick = 3;
    qsizetype written = 0;
    int ticks = 0;
    bool answeredEarly = false;
    QTimer dribble;
    dribble.setInterval(5);
    connect(&dribble, &QTimer::timeout, this, [&] {
        answeredEarly = answeredEarly || !client.responses().isEmpty();
        client.send(request.mid(written, bytesPerTick));
        written += bytesPerTick;
        ++ticks;
        if (written >= request.size())
            dribble.stop();
    });
    dribble.start();

    QTRY_VERIFY_WITH_TIMEOUT(!dribble.isActive(), 10000);
    QVERIFY(ticks > 10);
    QVERIFY(!answeredEarly);
    QTRY_COMPARE(client.responses().size(), 1);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    if (expectedBody.isEmpty())
        QCOMPARE(response.json().value(QLatin1String("status")).toString(), QStringLiteral("ok"));
    else
        QCOMPARE(response.json(), object(expectedBody));
}

void ConnectionRouterTest::requestSentWithTheConnectIsAnswered_data()
{
    QTest::addColumn<QByteArray>("requests");
    QTest::addColumn<int>("responses");

    QTest::newRow("GET") << healthRequest(0) << 1;
    QTest::newRow("POST with body") << echoRequest(0, R"({"early":true})") << 1;
    QTest::newRow("two pipelined") << healthRequest(0) + echoRequest(0, "{}") << 2;
}

void ConnectionRouterTest::requestSentWithTheConnectIsAnswered()
{
    QFETCH(QByteArray, requests);
    QFETCH(int, responses);
    requests.replace("127.0.0.1:0", QByteArray("127.0.0.1:" + QByteArray::number(port())));

    // Written while still connecting: the bytes follow the handshake at once, so they are already
    // buffered when the server first looks at the connection.
    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    client.send(requests);

    QTRY_COMPARE(client.responses().size(), responses);
    for (const HttpResponse &response : client.responses()) {
        QCOMPARE(response.status, 200);
        QCOMPARE(response.mediaType(), QByteArray("application/json"));
    }
    if (requests.startsWith("POST")) {
        QCOMPARE(client.responses().constFirst().json(),
                 object(R"({"command":"echo","success":true,"result":{"early":true}})"));
    }
}

void ConnectionRouterTest::webSocketAndRestShareThePort()
{
    QWebSocket first;
    QWebSocket second;
    QSignalSpy firstMessages(&first, &QWebSocket::textMessageReceived);
    QSignalSpy secondMessages(&second, &QWebSocket::textMessageReceived);
    RawHttpClient rest(port(), RawHttpClient::Connect::Later);

    // All three at once, on the one port.
    first.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(port())));
    rest.connectToServer();
    rest.send(healthRequest(port()));
    second.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?session=shared").arg(port())));

    QTRY_COMPARE(firstMessages.size(), 1);
    QTRY_COMPARE(secondMessages.size(), 1);
    QTRY_COMPARE(rest.responses().size(), 1);
    QCOMPARE(rest.responses().at(0).status, 200);
    const auto hello = [](const QSignalSpy &spy, int index) {
        return QJsonDocument::fromJson(spy.at(index).at(0).toString().toUtf8()).object();
    };
    QCOMPARE(hello(firstMessages, 0).value(QLatin1String("type")).toString(),
             QStringLiteral("hello"));
    QCOMPARE(hello(secondMessages, 0).value(QLatin1String("session_id")).toString(),
             QStringLiteral("shared"));

    // Both keep working side by side.
    first.sendTextMessage(QStringLiteral(R"({"type":"ping","id":1})"));
    second.sendTextMessage(
        QStringLiteral(R"({"type":"command","id":"e","command":"echo","args":{"x":1}})"));
    rest.send(echoRequest(port(), R"({"y":2})"));
    QTRY_COMPARE(firstMessages.size(), 2);
    QTRY_COMPARE(secondMessages.size(), 2);
    QTRY_COMPARE(rest.responses().size(), 2);
    QCOMPARE(hello(firstMessages, 1), object(R"({"type":"pong","id":1})"));
    QCOMPARE(hello(secondMessages, 1),
             object(R"({"type":"command_result","id":"e","command":"echo","success":true,)"
                    R"("result":{"x":1,"session_id":"shared"}})"));
    QCOMPARE(rest.responses().at(1).json(),
             object(R"({"command":"echo","success":true,"result":{"y":2}})"));
}

void ConnectionRouterTest::upgradeToAnotherPathIsRefusedWith404Json_data()
{
    QTest::addColumn<QByteArray>("target");

    QTest::newRow("/other") << QByteArray("/other");
    QTest::newRow("/ws/extra") << QByteArray("/ws/extra");
    QTest::newRow("/wsx") << QByteArray("/wsx");
    QTest::newRow("/") << QByteArray("/");
}

void ConnectionRouterTest::upgradeToAnotherPathIsRefusedWith404Json()
{
    QFETCH(QByteArray, target);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    client.send(upgradeRequest(port(), target));

    QTRY_COMPARE(client.responses().size(), 1);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 404);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QJsonObject expected = object(R"({"success":false,"result":{"code":"not_found"}})");
    expected.insert(QStringLiteral("result"),
                    QJsonObject{{QStringLiteral("code"), QStringLiteral("not_found")},
                                {QStringLiteral("message"),
                                 QString(QStringLiteral("No WebSocket endpoint at ") +
                                         QString::fromLatin1(target))}});
    QCOMPARE(response.json(), expected);
    QCOMPARE(m_server->sessionCount(), 0);
}

void ConnectionRouterTest::malformedUpgradeIsRefusedWithJson_data()
{
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::addColumn<QByteArray>("message");

    const QByteArray version = "A WebSocket upgrade is a GET over HTTP/1.1";
    QTest::newRow("wrong version")
        << QByteArray("Sec-WebSocket-Version: 13") << QByteArray("Sec-WebSocket-Version: 8")
        << QByteArray("Unsupported WebSocket version (13 required)");
    QTest::newRow("no version") << QByteArray("Sec-WebSocket-Version: 13") << QByteArray("X-A: b")
                                << QByteArray("Unsupported WebSocket version (13 required)");
    QTest::newRow("no key") << QByteArray("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==")
                            << QByteArray("X-A: b")
                            << QByteArray("Missing or invalid Sec-WebSocket-Key");
    QTest::newRow("key not 16 bytes")
        << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << QByteArray("c2hvcnQ=")
        << QByteArray("Missing or invalid Sec-WebSocket-Key");
    QTest::newRow("key not base64")
        << QByteArray("dGhlIHNhbXBsZSBub25jZQ==") << QByteArray("!!!!!!!!!!!!!!!!!!!!!!!!")
        << QByteArray("Missing or invalid Sec-WebSocket-Key");
    QTest::newRow("POST") << QByteArray("GET /ws") << QByteArray("POST /ws") << version;
    QTest::newRow("HTTP/1.0") << QByteArray("HTTP/1.1") << QByteArray("HTTP/1.0") << version;
}

void ConnectionRouterTest::malformedUpgradeIsRefusedWithJson()
{
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(QByteArray, message);

    RawHttpClient client(port());
    client.send(upgradeRequest(port(), "/ws").replace(from, to));
    QTRY_COMPARE(client.responses().size(), 1);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 400);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"success":false,"result":{"code":"bad_message","message":")" + message +
                    R"("}})"));
    QTRY_VERIFY(client.isDisconnected());
    QCOMPARE(m_server->connectionCount(), 0);
}

void ConnectionRouterTest::upgradeSessionIsCheckedAtTheHandshake_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<int>("status");

    QTest::newRow("valid") << QByteArray("session=good-1.A_z") << 101;
    QTest::newRow("valid, 128 characters") << "session=" + QByteArray(128, 's') << 101;
    QTest::newRow("space") << QByteArray("session=bad%20id") << 400;
    QTest::newRow("slash") << QByteArray("session=a%2Fb") << 400;
    QTest::newRow("non-ASCII") << QByteArray("session=caf%C3%A9") << 400;
    QTest::newRow("129 characters") << "session=" + QByteArray(129, 's') << 400;
    QTest::newRow("empty") << QByteArray("session=") << 400;
}

void ConnectionRouterTest::upgradeSessionIsCheckedAtTheHandshake()
{
    QFETCH(QByteArray, query);
    QFETCH(int, status);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    client.send(upgradeRequest(port(), "/ws?" + query));

    QTRY_COMPARE(client.responses().size(), 1);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, status);
    if (status == 101) {
        QCOMPARE(response.headers.value("sec-websocket-accept"),
                 QByteArray("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
        // hello follows as a WebSocket frame.
        QTRY_VERIFY(client.pending().contains("\"hello\""));
        return;
    }
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), object(R"({"success":false,"result":{"code":"bad_message",)"
                                     R"("message":"session must match [A-Za-z0-9._-]{1,128}"}})"));
    QCOMPARE(m_server->sessionCount(), 0);
}

void ConnectionRouterTest::connectionCountFollowsWebSocketConnections()
{
    // REST connections are not counted (docs/protocol.md, health), WebSocket ones are.
    RawHttpClient rest(port(), RawHttpClient::Connect::Later);
    rest.connectToServer();
    rest.send(healthRequest(port()));
    QTRY_COMPARE(rest.responses().size(), 1);
    QCOMPARE(rest.responses().constFirst().json().value(QLatin1String("connections")).toInt(), 0);
    QCOMPARE(m_server->connectionCount(), 0);

    QWebSocket first;
    QWebSocket second;
    QSignalSpy firstMessages(&first, &QWebSocket::textMessageReceived);
    QSignalSpy secondMessages(&second, &QWebSocket::textMessageReceived);
    first.open(m_server->webSocketUrl());
    second.open(m_server->webSocketUrl());
    QTRY_COMPARE(firstMessages.size(), 1);
    QTRY_COMPARE(secondMessages.size(), 1);
    QCOMPARE(m_server->connectionCount(), 2);
    rest.send(healthRequest(port()));
    QTRY_COMPARE(rest.responses().size(), 2);
    QCOMPARE(rest.responses().constLast().json().value(QLatin1String("connections")).toInt(), 2);

    // A WebSocket client that leaves no longer counts, whichever way it goes.
    first.close();
    QTRY_COMPARE(m_server->connectionCount(), 1);
    second.abort();
    QTRY_COMPARE(m_server->connectionCount(), 0);
    rest.send(healthRequest(port()));
    QTRY_COMPARE(rest.responses().size(), 3);
    QCOMPARE(rest.responses().constLast().json().value(QLatin1String("connections")).toInt(), 0);
}

void ConnectionRouterTest::contentLengthOverTheLimitIsRefusedBeforeTheBody_data()
{
    QTest::addColumn<qint64>("contentLength");
    QTest::addColumn<bool>("afterAnotherRequest");

    QTest::newRow("one byte over") << qint64(65) << false;
    QTest::newRow("far over") << qint64(100000) << false;
    QTest::newRow("beyond 32 bits") << qint64(10000000000) << false;
    // The limit holds for every request of a keep-alive connection, not only its first.
    QTest::newRow("far over, second request of the connection") << qint64(100000) << true;
}

void ConnectionRouterTest::contentLengthOverTheLimitIsRefusedBeforeTheBody()
{
    QFETCH(qint64, contentLength);
    QFETCH(bool, afterAnotherRequest);

    ServerOptions options;
    options.maxMessageBytes = 64;
    startServer(options);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    if (afterAnotherRequest) {
        client.send(healthRequest(port()));
        QTRY_COMPARE(client.responses().size(), 1);
        QCOMPARE(client.responses().constFirst().status, 200);
    }
    const qsizetype before = client.responses().size();
    // The head only: the body never comes, so only a refusal from Content-Length answers.
    client.send(
        "POST /api/v1/commands/echo HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port()) +
        "\r\nContent-Type: application/json\r\nContent-Length: " +
        QByteArray::number(contentLength) + "\r\n\r\n");

    QTRY_COMPARE(client.responses().size(), before + 1);
    const HttpResponse response = client.responses().constLast();
    QCOMPARE(response.status, 413);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    // Spec section 9: the body of a run names the command, whichever layer refuses it.
    QCOMPARE(response.json(),
             object(R"({"command":"echo","success":false,"result":)"
                    R"({"code":"payload_too_large","message":"Body is larger than 64 bytes"}})"));
    QCOMPARE(m_server->inFlightCount(), 0);

    // At the limit the same request is served.
    RawHttpClient control(port(), RawHttpClient::Connect::Later);
    control.connectToServer();
    const QByteArray prefix = R"({"t":")";
    const QByteArray atLimit = prefix + QByteArray(64 - prefix.size() - 2, 'x') + R"("})";
    control.send(echoRequest(port(), atLimit));
    QTRY_COMPARE(control.responses().size(), 1);
    QCOMPARE(control.responses().constFirst().status, 200);
}

void ConnectionRouterTest::invalidContentLengthIsRefusedWith400_data()
{
    QTest::addColumn<QByteArray>("contentLength");

    QTest::newRow("negative") << QByteArray("-1");
    QTest::newRow("not a number") << QByteArray("abc");
}

void ConnectionRouterTest::invalidContentLengthIsRefusedWith400()
{
    QFETCH(QByteArray, contentLength);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    client.send("POST /api/v1/commands/echo HTTP/1.1\r\nHost: 127.0.0.1:" +
                QByteArray::number(port()) + "\r\nContent-Length: " + contentLength + "\r\n\r\n{}");

    QTRY_COMPARE(client.responses().size(), 1);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 400);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"command":"echo","success":false,"result":)"
                    R"({"code":"bad_message","message":"Invalid Content-Length"}})"));
    QCOMPARE(m_server->inFlightCount(), 0);
}

void ConnectionRouterTest::incompleteHeadIsDroppedAfterTheHandshakeTimeout_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("nothing sent") << QByteArray();
    QTest::newRow("partial request line") << QByteArray("GET /api/v1/hea");
    QTest::newRow("head without its empty line")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QTest::newRow("partial upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
}

void ConnectionRouterTest::incompleteHeadIsDroppedAfterTheHandshakeTimeout()
{
    QFETCH(QByteArray, bytes);

    ServerOptions options;
    options.handshakeTimeout = std::chrono::milliseconds(200);
    startServer(options);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    QTRY_VERIFY(client.isConnected());
    QElapsedTimer elapsed;
    elapsed.start();
    if (!bytes.isEmpty())
        client.send(bytes);

    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), 10000);
    // Dropped by the timeout, not at once.
    QVERIFY2(elapsed.elapsed() >= 150, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(client.responses().isEmpty() || client.responses().constFirst().status == 408);

    // A client that completes its head in time is served.
    RawHttpClient prompt(port(), RawHttpClient::Connect::Later);
    prompt.connectToServer();
    prompt.send(healthRequest(port()));
    QTRY_COMPARE(prompt.responses().size(), 1);
    QCOMPARE(prompt.responses().constFirst().status, 200);
}

void ConnectionRouterTest::garbageIsRefusedAndTheServerGoesOn_data()
{
    QTest::addColumn<QByteArray>("garbage");
    QTest::addColumn<int>("timeoutMs");

    QTest::newRow("binary") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
                                          15)
                            << 5000;
    QTest::newRow("words") << QByteArray("NOT HTTP AT ALL\r\n\r\n") << 5000;
    QTest::newRow("request line without version") << QByteArray("GET /\r\n\r\n") << 5000;
    QTest::newRow("header without colon")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nno colon here\r\n\r\n") << 5000;
    // An endless head must not be buffered for ever; the handshake timeout (10 s) ends it at the
    // latest.
    QTest::newRow("one MiB without a line end") << QByteArray(1024 * 1024, 'A') << 15000;
}

void ConnectionRouterTest::garbageIsRefusedAndTheServerGoesOn()
{
    QFETCH(QByteArray, garbage);
    QFETCH(int, timeoutMs);

    RawHttpClient client(port(), RawHttpClient::Connect::Later);
    client.connectToServer();
    QTRY_VERIFY(client.isConnected());
    client.send(garbage);

    // Either the connection is closed or a 4xx comes back.
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected() || !client.responses().isEmpty(), timeoutMs);
    if (!client.responses().isEmpty()) {
        const int status = client.responses().constFirst().status;
        if (garbage.size() < 1024)
            QCOMPARE(status, 400);
        else
            QVERIFY2(status == 400 || status == 413 || status == 431,
                     qPrintable(QString::number(status)));
    }

    RawHttpClient next(port(), RawHttpClient::Connect::Later);
    next.connectToServer();
    next.send(healthRequest(port()));
    QTRY_COMPARE(next.responses().size(), 1);
    QCOMPARE(next.responses().constFirst().status, 200);
    QCOMPARE(next.responses().constFirst().json().value(QLatin1String("status")).toString(),
             QStringLiteral("ok"));
}

QTEST_MAIN(ConnectionRouterTest)
#include "tst_connectionrouter.moc"
