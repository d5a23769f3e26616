// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Graceful shutdown (spec section 6, docs/protocol.md section 9) over real sockets:
// CommandBridgeServer::shutdown() ends every running command with shutting_down, closes
// WebSockets with 1001, answers open REST requests with 503, refuses new connections and emits
// shutdownFinished() once.

#include "bridgefixture.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QPointer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <atomic>
#include <memory>
#include <optional>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

const QString shuttingDownText = QStringLiteral("Server is shutting down");

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

/// The command_result a running command gets when the server stops.
QJsonObject shuttingDownResult(const QJsonValue &id, const QString &command)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("command_result")},
                        {QStringLiteral("command"), command},
                        {QStringLiteral("success"), false},
                        {QStringLiteral("result"),
                         QJsonObject{{QStringLiteral("code"), QStringLiteral("shutting_down")},
                                     {QStringLiteral("message"), shuttingDownText}}}};
    if (!id.isUndefined())
        message.insert(QStringLiteral("id"), id);
    return message;
}

/// The REST body of a command the server stopped (no "type": REST bodies carry none).
QJsonObject shuttingDownBody(const QString &command)
{
    QJsonObject body = shuttingDownResult(QJsonValue::Undefined, command);
    body.remove(QStringLiteral("type"));
    return body;
}

/// One HTTP/1.1 response as read off a raw socket.
struct RawResponse
{
    int status = 0;
    /// Lower-case names.
    QMap<QByteArray, QByteArray> headers;
    QByteArray body;
};

/// A raw TCP client on 127.0.0.1: sends bytes as given and reads Content-Length responses, so a
/// test controls exactly when a request head arrives on a connection.
class RawHttpClient
{
public:
    RawHttpClient()
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket,
                         [this] { m_received += m_socket.readAll(); });
    }

    [[nodiscard]] bool connectTo(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        return QTest::qWaitFor(
            [this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, defaultWaitMs);
    }

    void send(const QByteArray &bytes) { m_socket.write(bytes); }

    /// The next complete response; nullopt when none came in time.
    std::optional<RawResponse> nextResponse()
    {
        std::optional<RawResponse> response;
        (void)QTest::qWaitFor([&] { return (response = takeResponse()).has_value(); },
                              defaultWaitMs);
        return response;
    }

    QTcpSocket &socket() { return m_socket; }
    QByteArray received() const { return m_received; }

    /// Stops taking bytes from the kernel beyond a small buffer, like a stalled peer.
    void pause()
    {
        m_socket.disconnect(&m_socket);
        m_received += m_socket.readAll();
        m_socket.setReadBufferSize(16 * 1024);
    }

private:
    std::optional<RawResponse> takeResponse()
    {
        const qsizetype headEnd = m_received.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return std::nullopt;
        RawResponse response;
        const QList<QByteArray> lines = m_received.left(headEnd).split('\n');
        response.status = lines.value(0).split(' ').value(1).toInt();
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const qsizetype colon = lines.at(i).indexOf(':');
            if (colon > 0) {
                response.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                        lines.at(i).mid(colon + 1).trimmed());
            }
        }
        const qsizetype length = response.headers.value("content-length").toLongLong();
        if (m_received.size() < headEnd + 4 + length)
            return std::nullopt;
        response.body = m_received.mid(headEnd + 4, length);
        m_received.remove(0, headEnd + 4 + length);
        return response;
    }

    QTcpSocket m_socket;
    QByteArray m_received;
};

QByteArray runRequest(const QString &command, bool keepAlive)
{
    return "POST /api/v1/commands/" + command.toUtf8() +
           " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: 2\r\nConnection: " +
           (keepAlive ? QByteArray("keep-alive") : QByteArray("close")) + "\r\n\r\n{}";
}

const QByteArray healthRequest = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

QByteArray upgradeRequest()
{
    return "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

} // namespace

class tst_Shutdown : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void runningWebSocketCommandsGetShuttingDownThenClose1001();
    void everyWebSocketClientIsClosedWith1001();
    void openRestRequestGets503ShuttingDown();
    void openRestStreamEndsWithShuttingDownResult();
    void webSocketAndRestAreStoppedTogether();
    void newConnectionsAreRefused();
    void firstRequestOnConnectionAcceptedEarlierGets503_data();
    void firstRequestOnConnectionAcceptedEarlierGets503();
    void runRequestOnKeptAliveConnectionGets503();
    void shutdownFinishedFollowsTheLastClose();
    void shutdownWithoutClientsFinishesAtOnce();
    void clientThatNeverAnswersTheCloseFrameIsClosed();
    void shutdownFinishedComesAfterGraceWhenAClientStopsReading();

private:
    [[nodiscard]] bool open(WsClient &client);
    QNetworkReply *post(const QString &path, const QByteArray &body = "{}");
    QUrl httpUrl(const QString &path) const;

    std::unique_ptr<BridgeFixture> m_fixture;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

void tst_Shutdown::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_network = std::make_unique<QNetworkAccessManager>();
}

void tst_Shutdown::cleanup()
{
    m_network.reset();
    m_fixture.reset();
}

bool tst_Shutdown::open(WsClient &client)
{
    client.open(m_fixture->webSocketUrl());
    return client.waitForConnected() && !client.waitForHello().isEmpty();
}

QUrl tst_Shutdown::httpUrl(const QString &path) const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_fixture->server()->serverPort());
    url.setPath(path);
    return url;
}

QNetworkReply *tst_Shutdown::post(const QString &path, const QByteArray &body)
{
    QNetworkRequest request(httpUrl(path));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    return m_network->post(request, body);
}

void tst_Shutdown::runningWebSocketCommandsGetShuttingDownThenClose1001()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("never"), QStringLiteral("never")));
    client.sendJson(commandMessage(QJsonValue::Undefined, QStringLiteral("never")));
    client.sendJson(commandMessage(
        QStringLiteral("slow"), QStringLiteral("slow"),
        QJsonObject{{QStringLiteral("steps"), 1000}, {QStringLiteral("interval_ms"), 10}}));
    // A worker-pool handler held at the gate until it sees the cancellation.
    client.sendJson(commandMessage(
        7, QStringLiteral("pool"),
        QJsonObject{{QStringLiteral("steps"), 5}, {QStringLiteral("hold_after"), 1}}));
    QVERIFY(
        !client.waitForType(QStringLiteral("command_progress"), QStringLiteral("slow")).isEmpty());
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), 7).isEmpty());
    QCOMPARE(m_fixture->registry()->inFlightCount(), 4);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();

    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QCOMPARE(client.closeReason(), shuttingDownText);
    // Every running command got exactly one result, shutting_down, before the close.
    const QList<std::pair<QJsonValue, QString>> commands{
        {QStringLiteral("never"), QStringLiteral("never")},
        {QJsonValue(QJsonValue::Undefined), QStringLiteral("never")},
        {QStringLiteral("slow"), QStringLiteral("slow")},
        {7, QStringLiteral("pool")}};
    for (const auto &[id, command] : commands) {
        const QList<QJsonObject> results = client.messagesFor(QStringLiteral("command_result"), id);
        QCOMPARE(results.size(), 1);
        QCOMPARE(results.first(), shuttingDownResult(id, command));
        QCOMPARE(client.messagesFor(id).last(), results.first());
    }
    QCOMPARE(client.messages().last().value(QStringLiteral("type")),
             QStringLiteral("command_result"));

    // The handlers were told to stop: nothing runs for nobody.
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 3);
    QTRY_COMPARE(m_fixture->probe().poolReturned.load(), 1);
    QCOMPARE(m_fixture->probe().poolCancelObserved.load(), 1);
}

void tst_Shutdown::everyWebSocketClientIsClosedWith1001()
{
    QVERIFY(m_fixture->listen());
    constexpr int clients = 10;
    std::vector<std::unique_ptr<WsClient>> open;
    for (int i = 0; i < clients; ++i) {
        open.push_back(std::make_unique<WsClient>());
        QVERIFY(this->open(*open.back()));
        if (i % 2 == 0)
            open.back()->sendJson(commandMessage(i, QStringLiteral("never")));
    }
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), clients / 2);
    QCOMPARE(m_fixture->server()->connectionCount(), clients);

    m_fixture->server()->shutdown();
    for (int i = 0; i < clients; ++i) {
        WsClient &client = *open.at(i);
        QVERIFY(client.waitForDisconnected());
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
        const QList<QJsonObject> results = client.messagesFor(QStringLiteral("command_result"), i);
        QCOMPARE(results, i % 2 == 0
                              ? QList<QJsonObject>{shuttingDownResult(i, QStringLiteral("never"))}
                              : QList<QJsonObject>());
    }
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
}

void tst_Shutdown::openRestRequestGets503ShuttingDown()
{
    QVERIFY(m_fixture->listen());
    QPointer<QNetworkReply> reply = post(QStringLiteral("/api/v1/commands/never"));
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 1);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();

    QTRY_VERIFY(reply && reply->isFinished());
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
             QByteArray("application/json"));
    QCOMPARE(parse(reply->readAll()), shuttingDownBody(QStringLiteral("never")));
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 1);
    reply->deleteLater();
}

void tst_Shutdown::openRestStreamEndsWithShuttingDownResult()
{
    QVERIFY(m_fixture->listen());
    QPointer<QNetworkReply> reply =
        post(QStringLiteral("/api/v1/commands/slow/stream"), R"({"steps":1000,"interval_ms":10})");
    QByteArray body;
    connect(reply, &QNetworkReply::readyRead, this, [&body, reply] { body += reply->readAll(); });
    QTRY_VERIFY(body.contains("event: progress"));

    m_fixture->server()->shutdown();
    QTRY_VERIFY(reply && reply->isFinished());
    body += reply->readAll();
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

    // The stream's last event is the result; nothing follows it.
    const QList<QByteArray> events = body.trimmed().split('\n');
    QVERIFY(events.size() >= 4);
    QCOMPARE(events.at(events.size() - 2), QByteArray("event: result"));
    QVERIFY(events.last().startsWith("data: "));
    QCOMPARE(parse(events.last().mid(6)),
             shuttingDownResult(QJsonValue::Undefined, QStringLiteral("slow")));
    QCOMPARE(body.count("event: result"), 1);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
    reply->deleteLater();
}

void tst_Shutdown::webSocketAndRestAreStoppedTogether()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    client.sendJson(commandMessage(1, QStringLiteral("never")));
    QPointer<QNetworkReply> reply = post(QStringLiteral("/api/v1/commands/never"));
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 2);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();

    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), 1),
             QList<QJsonObject>{shuttingDownResult(1, QStringLiteral("never"))});
    QTRY_VERIFY(reply && reply->isFinished());
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QCOMPARE(parse(reply->readAll()), shuttingDownBody(QStringLiteral("never")));
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 2);
    reply->deleteLater();
}

void tst_Shutdown::newConnectionsAreRefused()
{
    QVERIFY(m_fixture->listen());
    const quint16 port = m_fixture->server()->serverPort();
    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(!m_fixture->server()->isListening());

    QTcpSocket tcp;
    tcp.connectToHost(QHostAddress::LocalHost, port);
    QTRY_COMPARE(tcp.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(tcp.error(), QAbstractSocket::ConnectionRefusedError);

    WsClient late;
    late.open(m_fixture->webSocketUrl());
    QVERIFY(!late.waitForConnected());
    QVERIFY(!late.wasConnected());

    QNetworkRequest request(httpUrl(QStringLiteral("/api/v1/health")));
    QPointer<QNetworkReply> reply = m_network->get(request);
    QTRY_VERIFY(reply && reply->isFinished());
    QCOMPARE(reply->error(), QNetworkReply::ConnectionRefusedError);
    reply->deleteLater();
}

void tst_Shutdown::firstRequestOnConnectionAcceptedEarlierGets503_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QJsonObject>("body");

    const QJsonObject refusal{
        {QStringLiteral("success"), false},
        {QStringLiteral("result"),
         QJsonObject{{QStringLiteral("code"), QStringLiteral("shutting_down")},
                     {QStringLiteral("message"), shuttingDownText}}}};
    QJsonObject runRefusal = refusal;
    runRefusal.insert(QStringLiteral("command"), QStringLiteral("quick"));

    QTest::newRow("WebSocket upgrade") << upgradeRequest() << refusal;
    QTest::newRow("run") << runRequest(QStringLiteral("quick"), false) << runRefusal;
    QTest::newRow("health") << healthRequest << refusal;
}

void tst_Shutdown::firstRequestOnConnectionAcceptedEarlierGets503()
{
    QFETCH(QByteArray, request);
    QFETCH(QJsonObject, body);

    QVERIFY(m_fixture->listen());
    RawHttpClient idle;
    QVERIFY(idle.connectTo(m_fixture->server()->serverPort()));
    // Connections are accepted in order: once a later one is answered, the idle one was taken.
    RawHttpClient probe;
    QVERIFY(probe.connectTo(m_fixture->server()->serverPort()));
    probe.send(healthRequest);
    const std::optional<RawResponse> health = probe.nextResponse();
    QVERIFY(health.has_value());
    QCOMPARE(health->status, 200);

    m_fixture->server()->shutdown();
    idle.send(request);
    const std::optional<RawResponse> refused = idle.nextResponse();
    QVERIFY2(refused.has_value(), idle.received().constData());
    QCOMPARE(refused->status, 503);
    QCOMPARE(refused->headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(parse(refused->body), body);
    QTRY_COMPARE(idle.socket().state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
}

void tst_Shutdown::runRequestOnKeptAliveConnectionGets503()
{
    QVERIFY(m_fixture->listen());
    RawHttpClient client;
    QVERIFY(client.connectTo(m_fixture->server()->serverPort()));
    client.send(runRequest(QStringLiteral("quick"), true));
    const std::optional<RawResponse> first = client.nextResponse();
    QVERIFY(first.has_value());
    QCOMPARE(first->status, 200);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList{QStringLiteral("quick")});

    m_fixture->server()->shutdown();
    client.send(runRequest(QStringLiteral("quick"), true));
    const std::optional<RawResponse> second = client.nextResponse();
    QVERIFY2(second.has_value(), client.received().constData());
    QCOMPARE(second->status, 503);
    QCOMPARE(parse(second->body), shuttingDownBody(QStringLiteral("quick")));
    // The handler did not run again.
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList{QStringLiteral("quick")});
}

void tst_Shutdown::shutdownFinishedFollowsTheLastClose()
{
    m_fixture->options().shutdownGrace = 300ms;
    QVERIFY(m_fixture->listen());
    WsClient first;
    WsClient second;
    QVERIFY(open(first));
    QVERIFY(open(second));
    first.sendJson(commandMessage(1, QStringLiteral("never")));
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 1);

    int connectionsAtFinish = -1;
    int inFlightAtFinish = -1;
    connect(m_fixture->server(), &CommandBridgeServer::shutdownFinished, this, [&] {
        connectionsAtFinish = m_fixture->server()->connectionCount();
        inFlightAtFinish = m_fixture->registry()->inFlightCount();
    });
    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    QElapsedTimer elapsed;
    elapsed.start();
    m_fixture->server()->shutdown();
    QTRY_COMPARE(finished.size(), 1);
    // Emitted once the server has closed every WebSocket and ended every command.
    QCOMPARE(connectionsAtFinish, 0);
    QCOMPARE(inFlightAtFinish, 0);
    QVERIFY(first.waitForDisconnected());
    QVERIFY(second.waitForDisconnected());
    QCOMPARE(first.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QCOMPARE(second.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);

    // A second call does nothing, and the grace timer does not emit again.
    m_fixture->server()->shutdown();
    (void)QTest::qWaitFor([&] { return elapsed.elapsed() > 600 || finished.size() > 1; }, 1000);
    QCOMPARE(finished.size(), 1);
}

void tst_Shutdown::shutdownWithoutClientsFinishesAtOnce()
{
    QVERIFY(m_fixture->listen());
    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    QElapsedTimer elapsed;
    elapsed.start();
    m_fixture->server()->shutdown();
    QTRY_COMPARE(finished.size(), 1);
    // Well before the 2 s shutdownGrace.
    QVERIFY2(elapsed.elapsed() < 1000, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(!m_fixture->server()->isListening());
}

void tst_Shutdown::clientThatNeverAnswersTheCloseFrameIsClosed()
{
    QVERIFY(m_fixture->listen());
    // A client that completes the handshake and then speaks no WebSocket at all.
    RawHttpClient silent;
    QVERIFY(silent.connectTo(m_fixture->server()->serverPort()));
    silent.send(upgradeRequest());
    QTRY_VERIFY(silent.received().startsWith("HTTP/1.1 101"));
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 1);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    QTRY_COMPARE(finished.size(), 1);

    // It got the close frame (1001, with the reason) and the server closed the connection.
    QTRY_COMPARE(silent.socket().state(), QAbstractSocket::UnconnectedState);
    QByteArray closeFrame;
    closeFrame.append(char(0x88));
    closeFrame.append(char(2 + shuttingDownText.size()));
    closeFrame.append(char(0x03)).append(char(0xe9)); // 1001
    closeFrame.append(shuttingDownText.toUtf8());
    QVERIFY2(silent.received().endsWith(closeFrame), silent.received().toHex().constData());
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_Shutdown::shutdownFinishedComesAfterGraceWhenAClientStopsReading()
{
    constexpr auto grace = 300ms;
    m_fixture->options().shutdownGrace = grace;
    CommandDescriptor blob;
    blob.name = QStringLiteral("blob");
    blob.description = QStringLiteral("Answers with 8 MiB");
    blob.mode = ExecutionMode::Synchronous;
    auto answered = std::make_shared<std::atomic<int>>(0);
    blob.handler = [answered](CommandContext &context) {
        ++*answered;
        context.succeed(QString(8 * 1024 * 1024, QLatin1Char('x')));
    };
    QVERIFY(m_fixture->registry()->registerCommand(blob));
    QVERIFY(m_fixture->listen());

    RawHttpClient stalled;
    QVERIFY(stalled.connectTo(m_fixture->server()->serverPort()));
    stalled.send(upgradeRequest());
    QTRY_VERIFY(stalled.received().contains("\r\n\r\n"));
    QVERIFY(stalled.received().startsWith("HTTP/1.1 101"));
    stalled.pause();
    // 8 MiB results: one is more than the kernel's socket buffers hold, so the socket cannot
    // flush. Distinct ids: with network threads the handler runs later, while earlier ones are in
    // flight.
    for (int i = 0; i < 4; ++i) {
        const QByteArray command =
            R"({"type":"command","command":"blob","id":)" + QByteArray::number(i) + '}';
        QByteArray frame;
        frame.append(char(0x81)).append(char(0x80 | command.size()));
        frame.append(QByteArray(4, '\0')); // mask key 0: the payload stays as it is
        frame.append(command);
        stalled.send(frame);
    }
    QTRY_COMPARE(answered->load(), 4);
    // With network threads the results are then still on their way to the socket's thread.
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 0);
    // The socket holds more than the kernel takes.
    QTRY_VERIFY(stalled.socket().bytesAvailable() > 0);
    QCOMPARE(m_fixture->server()->connectionCount(), 1);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    QElapsedTimer elapsed;
    elapsed.start();
    m_fixture->server()->shutdown();
    QTRY_COMPARE(finished.size(), 1);
    const qint64 finishedAfter = elapsed.elapsed();
    qInfo() << "shutdownFinished after" << finishedAfter << "ms with a stalled client, grace"
            << grace.count() << "ms";
    QVERIFY2(finishedAfter >= grace.count() - 30,
             qPrintable(QStringLiteral("finished after only %1 ms").arg(finishedAfter)));
    QVERIFY2(finishedAfter < grace.count() + 500,
             qPrintable(QStringLiteral("finished after %1 ms").arg(finishedAfter)));
    // The stalled socket does not outlive the shutdown for long.
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

QTEST_GUILESS_MAIN(tst_Shutdown)
#include "tst_shutdown.moc"
