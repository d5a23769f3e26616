// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// ServerOptions::maxConnections and ServerOptions::handshakeTimeout over raw sockets: beyond the
// cap a connection gets HTTP 503 with a JSON body, a closed connection frees its slot, and a
// connection that never completes its request head (or WebSocket upgrade) is dropped.

#include "bridgefixture.h"
#include "rawhttpclient.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <memory>
#include <vector>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

constexpr int waitMs = 10000;

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

QJsonObject tooManyConnections(int limit)
{
    return QJsonObject{
        {QStringLiteral("success"), false},
        {QStringLiteral("result"),
         QJsonObject{{QStringLiteral("code"), QStringLiteral("busy")},
                     {QStringLiteral("message"),
                      QStringLiteral("Too many connections (limit %1)").arg(limit)}}}};
}

QByteArray healthRequest(quint16 port)
{
    return "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\n\r\n";
}

QByteArray slowRunRequest(quint16 port, const QByteArray &args)
{
    return "POST /api/v1/commands/slow HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
           "\r\nContent-Type: application/json\r\nContent-Length: " +
           QByteArray::number(args.size()) + "\r\n\r\n" + args;
}

} // namespace

class tst_ConnectionLimits : public QObject
{
    Q_OBJECT

public:
    /// What holds the slots up to the limit.
    enum class Holder { Rest, WebSocket, Idle };
    Q_ENUM(Holder)

private Q_SLOTS:
    void init();
    void cleanup();

    void connectionBeyondTheLimitGets503_data();
    void connectionBeyondTheLimitGets503();
    void webSocketClientBeyondTheLimitNeverConnects();
    void closingAConnectionFreesASlot_data();
    void closingAConnectionFreesASlot();
    void incompleteHeadIsDroppedAtTheHandshakeTimeout_data();
    void incompleteHeadIsDroppedAtTheHandshakeTimeout();
    void headTrickledPastTheDeadlineIsDropped_data();
    void headTrickledPastTheDeadlineIsDropped();
    void droppedConnectionFreesItsSlot();
    void completedHeadIsNotHeldToTheDeadline();
    void bodyWithoutContentLengthIsRefusedWith411_data();
    void bodyWithoutContentLengthIsRefusedWith411();

private:
    quint16 port() const { return m_fixture->server()->serverPort(); }
    void listen(int maxConnections, std::chrono::milliseconds handshakeTimeout = 10s);
    /// Takes one slot with \a holder; true once the server certainly counts it.
    [[nodiscard]] bool hold(Holder holder);
    /// The status a new connection's health request gets (0: none within the wait). The
    /// connection is closed before returning.
    int statusOfFreshRequest();
    /// Tries fresh requests until one is served. Not a QTRY: a served attempt frees its slot only
    /// once the server sees it closed, so evaluating the attempt again right after would fail.
    [[nodiscard]] bool freshRequestIsServedSoon();

    std::unique_ptr<BridgeFixture> m_fixture;
    std::vector<std::unique_ptr<RawHttpClient>> m_rawHolders;
    std::vector<std::unique_ptr<WsClient>> m_webSocketHolders;
};

void tst_ConnectionLimits::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
}

void tst_ConnectionLimits::cleanup()
{
    m_rawHolders.clear();
    m_webSocketHolders.clear();
    m_fixture.reset();
}

void tst_ConnectionLimits::listen(int maxConnections, std::chrono::milliseconds handshakeTimeout)
{
    m_fixture->options().maxConnections = maxConnections;
    m_fixture->options().handshakeTimeout = handshakeTimeout;
    QVERIFY2(m_fixture->listen(), qPrintable(m_fixture->server()->errorString()));
}

bool tst_ConnectionLimits::hold(Holder holder)
{
    switch (holder) {
    case Holder::Rest: {
        // Served once, then kept alive.
        auto &client = m_rawHolders.emplace_back(std::make_unique<RawHttpClient>(port()));
        client->send(healthRequest(port()));
        return QTest::qWaitFor([&client] { return !client->responses().isEmpty(); }, waitMs) &&
               client->responses().constFirst().status == 200;
    }
    case Holder::WebSocket: {
        auto &client = m_webSocketHolders.emplace_back(std::make_unique<WsClient>());
        client->open(m_fixture->webSocketUrl());
        return client->waitForConnected(waitMs) && !client->waitForHello(waitMs).isEmpty();
    }
    case Holder::Idle: {
        // Connected and silent. The server accepts connections in the order they arrive, so
        // it has accepted this one before any later one.
        auto &client = m_rawHolders.emplace_back(std::make_unique<RawHttpClient>(port()));
        return QTest::qWaitFor([&client] { return client->isConnected(); }, waitMs);
    }
    }
    return false;
}

int tst_ConnectionLimits::statusOfFreshRequest()
{
    RawHttpClient client(port());
    client.send(healthRequest(port()));
    (void)QTest::qWaitFor(
        [&client] { return !client.responses().isEmpty() || client.isDisconnected(); }, waitMs);
    const int status = client.responses().isEmpty() ? 0 : client.responses().constFirst().status;
    client.close();
    return status;
}

bool tst_ConnectionLimits::freshRequestIsServedSoon()
{
    // Each attempt that still finds the slot taken is refused and closed at once.
    return QTest::qWaitFor([this] { return statusOfFreshRequest() == 200; }, waitMs);
}

void tst_ConnectionLimits::connectionBeyondTheLimitGets503_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<Holder>("holder");
    QTest::addColumn<bool>("extraSendsRequest");

    QTest::newRow("1 REST connection") << 1 << Holder::Rest << true;
    QTest::newRow("3 REST connections") << 3 << Holder::Rest << true;
    QTest::newRow("2 WebSockets") << 2 << Holder::WebSocket << true;
    QTest::newRow("2 idle connections") << 2 << Holder::Idle << true;
    QTest::newRow("1 REST connection, extra one silent") << 1 << Holder::Rest << false;
}

void tst_ConnectionLimits::connectionBeyondTheLimitGets503()
{
    QFETCH(int, limit);
    QFETCH(Holder, holder);
    QFETCH(bool, extraSendsRequest);
    listen(limit);
    for (int i = 0; i < limit; ++i)
        QVERIFY2(hold(holder), qPrintable(QStringLiteral("holder %1").arg(i)));

    RawHttpClient extra(port());
    if (extraSendsRequest)
        extra.send(healthRequest(port()));
    QTRY_COMPARE_WITH_TIMEOUT(extra.responses().size(), 1, waitMs);
    const HttpResponse response = extra.responses().constFirst();
    QCOMPARE(response.status, 503);
    QCOMPARE(response.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(response.json(), tooManyConnections(limit));
    QTRY_VERIFY_WITH_TIMEOUT(extra.isDisconnected(), waitMs);

    // Those within the limit are still served.
    for (const auto &client : m_rawHolders) {
        if (holder == Holder::Idle)
            break;
        const qsizetype before = client->responses().size();
        client->send(healthRequest(port()));
        QTRY_COMPARE_WITH_TIMEOUT(client->responses().size(), before + 1, waitMs);
        QCOMPARE(client->responses().constLast().status, 200);
    }
    for (const auto &client : m_webSocketHolders)
        QVERIFY(client->roundTrip(7, waitMs));
    QCOMPARE(m_fixture->server()->connectionCount(), int(m_webSocketHolders.size()));
}

void tst_ConnectionLimits::webSocketClientBeyondTheLimitNeverConnects()
{
    listen(2);
    QVERIFY(hold(Holder::WebSocket));
    QVERIFY(hold(Holder::Rest));

    WsClient extra;
    extra.open(m_fixture->webSocketUrl());
    QVERIFY(!extra.waitForConnected(waitMs));
    QVERIFY(!extra.wasConnected());
    const QString error = extra.socket()->errorString();
    QVERIFY2(error.contains(QLatin1String("503")), qPrintable(error));
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
}

void tst_ConnectionLimits::closingAConnectionFreesASlot_data()
{
    QTest::addColumn<Holder>("holder");

    QTest::newRow("REST connection") << Holder::Rest;
    QTest::newRow("WebSocket") << Holder::WebSocket;
    QTest::newRow("idle connection") << Holder::Idle;
}

void tst_ConnectionLimits::closingAConnectionFreesASlot()
{
    QFETCH(Holder, holder);
    listen(1);
    QVERIFY(hold(holder));
    QCOMPARE(statusOfFreshRequest(), 503);

    if (holder == Holder::WebSocket)
        m_webSocketHolders.front()->close();
    else
        m_rawHolders.front()->close();

    QVERIFY(freshRequestIsServedSoon());
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->connectionCount(), 0, waitMs);
}

void tst_ConnectionLimits::incompleteHeadIsDroppedAtTheHandshakeTimeout_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("nothing") << QByteArray();
    QTest::newRow("half a request line") << QByteArray("GET /api/v1/hea");
    QTest::newRow("REST head without its end")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    QTest::newRow("WebSocket upgrade without its end")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n");
}

void tst_ConnectionLimits::incompleteHeadIsDroppedAtTheHandshakeTimeout()
{
    QFETCH(QByteArray, bytes);
    constexpr auto deadline = 300ms;
    listen(1024, deadline);

    RawHttpClient client(port());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), waitMs);
    QElapsedTimer elapsed;
    elapsed.start();
    if (!bytes.isEmpty())
        client.send(bytes);

    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    // Dropped by the deadline, not at once, and without an answer.
    QVERIFY2(elapsed.elapsed() >= deadline.count() * 2 / 3,
             qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(client.received(), QByteArray());
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_ConnectionLimits::headTrickledPastTheDeadlineIsDropped_data()
{
    QTest::addColumn<QByteArray>("head");

    const QByteArray padding(400, 'a');
    QTest::newRow("REST") << QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                        "X-Padding: " +
                                        padding + "\r\n\r\n");
    QTest::newRow("WebSocket upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\nX-Padding: " +
                      padding + "\r\n\r\n");
}

void tst_ConnectionLimits::headTrickledPastTheDeadlineIsDropped()
{
    QFETCH(QByteArray, head);
    constexpr auto deadline = 300ms;
    listen(1024, deadline);

    RawHttpClient client(port());
    QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), waitMs);
    QElapsedTimer elapsed;
    elapsed.start();
    // One byte every 10 ms: the client is never quiet, but the head would take over 4 s.
    qsizetype written = 0;
    QTimer trickle;
    trickle.setInterval(10);
    connect(&trickle, &QTimer::timeout, this, [&] {
        if (client.isDisconnected() || written >= head.size()) {
            trickle.stop();
            return;
        }
        client.send(head.mid(written++, 1));
    });
    trickle.start();

    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QVERIFY2(written < head.size(), "the whole head went out before the deadline");
    QVERIFY2(elapsed.elapsed() >= deadline.count() * 2 / 3,
             qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(client.received(), QByteArray());
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_ConnectionLimits::droppedConnectionFreesItsSlot()
{
    listen(1, 300ms);
    QVERIFY(hold(Holder::Idle));

    // The silent holder is dropped at its deadline; the slot is then free again.
    QTRY_VERIFY_WITH_TIMEOUT(m_rawHolders.front()->isDisconnected(), waitMs);
    QVERIFY(freshRequestIsServedSoon());
}

void tst_ConnectionLimits::completedHeadIsNotHeldToTheDeadline()
{
    constexpr auto deadline = 300ms;
    listen(1024, deadline);

    // Both take longer than the deadline after their head was complete.
    WsClient webSocket;
    webSocket.open(m_fixture->webSocketUrl());
    QVERIFY(webSocket.waitForConnected(waitMs));
    RawHttpClient rest(port());
    rest.send(slowRunRequest(port(), R"({"steps":3,"interval_ms":200})"));
    webSocket.sendJson(
        QJsonObject{{QStringLiteral("type"), QStringLiteral("command")},
                    {QStringLiteral("id"), 1},
                    {QStringLiteral("command"), QStringLiteral("slow")},
                    {QStringLiteral("args"), QJsonObject{{QStringLiteral("steps"), 3},
                                                         {QStringLiteral("interval_ms"), 200}}}});

    const QJsonObject result = webSocket.waitForType(QStringLiteral("command_result"), 1, waitMs);
    QCOMPARE(result.value(QStringLiteral("success")), QJsonValue(true));
    QVERIFY(webSocket.isConnected());
    QTRY_COMPARE_WITH_TIMEOUT(rest.responses().size(), 1, waitMs);
    QCOMPARE(rest.responses().constFirst().status, 200);
    QCOMPARE(rest.responses().constFirst().json(),
             parse(R"({"command":"slow","success":true,"result":{"steps":3}})"));
    // Kept alive past the deadline, and served again.
    rest.send(healthRequest(port()));
    QTRY_COMPARE_WITH_TIMEOUT(rest.responses().size(), 2, waitMs);
    QCOMPARE(rest.responses().constLast().status, 200);
}

void tst_ConnectionLimits::bodyWithoutContentLengthIsRefusedWith411_data()
{
    QTest::addColumn<bool>("afterAnotherRequest");
    QTest::addColumn<QByteArray>("request");

    const QByteArray chunked = "POST /api/v1/commands/quick HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    const QByteArray both = "POST /api/v1/commands/quick HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                            "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
                            "2\r\n{}\r\n0\r\n\r\n";
    QTest::newRow("chunked, first request") << false << chunked;
    QTest::newRow("chunked, kept-alive request") << true << chunked;
    QTest::newRow("chunked with a Content-Length, first request") << false << both;
    QTest::newRow("chunked with a Content-Length, kept-alive request") << true << both;
}

void tst_ConnectionLimits::bodyWithoutContentLengthIsRefusedWith411()
{
    QFETCH(bool, afterAnotherRequest);
    QFETCH(QByteArray, request);
    listen(1024);

    // Without a length the body limit could only be enforced after buffering the body.
    RawHttpClient client(port());
    if (afterAnotherRequest) {
        client.send(healthRequest(port()));
        QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    }
    const int index = afterAnotherRequest ? 1 : 0;
    client.send(request);
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), index + 1, waitMs);
    const HttpResponse response = client.responses().at(index);
    QCOMPARE(response.status, 411);
    QCOMPARE(response.headers.value("content-type"), QByteArray("application/json"));
    QCOMPARE(response.json(),
             parse(R"({"command":"quick","success":false,"result":{"code":"bad_message",)"
                   R"("message":"Request bodies need a Content-Length"}})"));
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
}

QTEST_MAIN(tst_ConnectionLimits)
#include "tst_connectionlimits.moc"
