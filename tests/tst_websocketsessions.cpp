// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Sessions over the real wire: shared by connections, kept across reconnects, fresh without
// ?session=, refused when malformed, dropped after the idle time.

#include "bridgefixture.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

QJsonObject successMessage(const QJsonValue &id, const QString &command, const QJsonObject &result)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("command_result")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("command"), command},
                       {QStringLiteral("success"), true},
                       {QStringLiteral("result"), result}};
}

/// An HTTP response as read from a raw socket.
struct RawResponse
{
    QByteArray statusLine;
    QByteArray head;
    QByteArray body;
};

} // namespace

class tst_WebSocketSessions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void connectionsWithSameSessionShareState();
    void sessionIsKeptAcrossReconnect();
    void connectionWithoutSessionGetsFreshSession();
    void invalidSessionIsRefusedAtHandshake_data();
    void invalidSessionIsRefusedAtHandshake();
    void invalidSessionGetsHttp400_data();
    void invalidSessionGetsHttp400();
    void sessionIsDroppedAfterIdleTimeOnceAllConnectionsLeft();

private:
    [[nodiscard]] bool open(WsClient &client, const QString &sessionId = QString());
    /// Runs session_set on \a client; true when it succeeded.
    [[nodiscard]] bool store(WsClient &client, const QString &key, const QJsonValue &value);
    /// Runs session_get on \a client; its result, or an empty object.
    QJsonObject load(WsClient &client, const QString &key);
    /// Sends \a request on a raw TCP connection and reads the response head (and body).
    RawResponse rawRequest(const QByteArray &request);

    std::unique_ptr<BridgeFixture> m_fixture;
    int m_nextId = 1;
};

void tst_WebSocketSessions::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_nextId = 1;
}

void tst_WebSocketSessions::cleanup()
{
    m_fixture.reset();
}

bool tst_WebSocketSessions::open(WsClient &client, const QString &sessionId)
{
    client.open(m_fixture->webSocketUrl(sessionId));
    return client.waitForConnected() && !client.waitForHello().isEmpty();
}

bool tst_WebSocketSessions::store(WsClient &client, const QString &key, const QJsonValue &value)
{
    const int id = m_nextId++;
    client.sendJson(commandMessage(
        id, QStringLiteral("session_set"),
        QJsonObject{{QStringLiteral("key"), key}, {QStringLiteral("value"), value}}));
    return client.waitForType(QStringLiteral("command_result"), id) ==
           successMessage(id, QStringLiteral("session_set"),
                          QJsonObject{{QStringLiteral("stored"), key}});
}

QJsonObject tst_WebSocketSessions::load(WsClient &client, const QString &key)
{
    const int id = m_nextId++;
    client.sendJson(commandMessage(id, QStringLiteral("session_get"),
                                   QJsonObject{{QStringLiteral("key"), key}}));
    const QJsonObject reply = client.waitForType(QStringLiteral("command_result"), id);
    if (reply.value(QStringLiteral("success")) != QJsonValue(true))
        return QJsonObject();
    return reply.value(QStringLiteral("result")).toObject();
}

RawResponse tst_WebSocketSessions::rawRequest(const QByteArray &request)
{
    RawResponse response;
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_fixture->server()->serverPort());
    if (!socket.waitForConnected(defaultWaitMs))
        return response;
    socket.write(request);

    QByteArray received;
    const auto headEnd = [&received] {
        return received.indexOf("\r\n\r\n");
    };
    const auto readMore = [&] {
        received += socket.readAll();
        return socket.state() != QAbstractSocket::ConnectedState;
    };
    (void)QTest::qWaitFor([&] { return readMore() || headEnd() >= 0; }, defaultWaitMs);
    if (headEnd() < 0)
        return response;
    response.head = received.left(headEnd() + 2);
    response.statusLine = response.head.left(response.head.indexOf("\r\n"));

    static const QRegularExpression contentLength(
        QStringLiteral("(?im)^content-length:\\s*(\\d+)\\s*$"));
    const QRegularExpressionMatch match = contentLength.match(QString::fromLatin1(response.head));
    const qsizetype bodyStart = headEnd() + 4;
    if (match.hasMatch()) {
        const qsizetype length = match.captured(1).toLongLong();
        (void)QTest::qWaitFor([&] { return readMore() || received.size() >= bodyStart + length; },
                              defaultWaitMs);
        response.body = received.mid(bodyStart, length);
    }
    socket.abort();
    return response;
}

void tst_WebSocketSessions::connectionsWithSameSessionShareState()
{
    QVERIFY(m_fixture->listen());
    WsClient first;
    WsClient second;
    QVERIFY(open(first, QStringLiteral("shared-1")));
    QVERIFY(open(second, QStringLiteral("shared-1")));
    QCOMPARE(first.waitForHello().value(QStringLiteral("session_id")).toString(),
             QStringLiteral("shared-1"));
    QCOMPARE(second.waitForHello().value(QStringLiteral("session_id")).toString(),
             QStringLiteral("shared-1"));
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 2);
    QCOMPARE(m_fixture->server()->sessionCount(), 1);

    const QJsonObject value{{QStringLiteral("n"), 42}};
    QVERIFY(store(first, QStringLiteral("k"), value));
    QCOMPARE(load(second, QStringLiteral("k")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("k")},
                          {QStringLiteral("value"), value}}));

    QVERIFY(store(second, QStringLiteral("k2"), QStringLiteral("from second")));
    QCOMPARE(load(first, QStringLiteral("k2")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("k2")},
                          {QStringLiteral("value"), QStringLiteral("from second")}}));

    // Both connections' commands get the same injected session id.
    first.sendJson(commandMessage(QStringLiteral("e"), QStringLiteral("quick"), QJsonObject()));
    second.sendJson(commandMessage(QStringLiteral("e"), QStringLiteral("quick"), QJsonObject()));
    const QJsonObject echoed =
        successMessage(QStringLiteral("e"), QStringLiteral("quick"),
                       QJsonObject{{QStringLiteral("session_id"), QStringLiteral("shared-1")}});
    QCOMPARE(first.waitForType(QStringLiteral("command_result"), QStringLiteral("e")), echoed);
    QCOMPARE(second.waitForType(QStringLiteral("command_result"), QStringLiteral("e")), echoed);
}

void tst_WebSocketSessions::sessionIsKeptAcrossReconnect()
{
    QVERIFY(m_fixture->listen());
    {
        WsClient client;
        QVERIFY(open(client, QStringLiteral("keep.me_1")));
        QVERIFY(store(client, QStringLiteral("draft"), QStringLiteral("hello")));
        client.close();
        QVERIFY(client.waitForDisconnected());
    }
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
    QCOMPARE(m_fixture->server()->sessionCount(), 1);

    WsClient again;
    QVERIFY(open(again, QStringLiteral("keep.me_1")));
    QCOMPARE(again.waitForHello().value(QStringLiteral("session_id")).toString(),
             QStringLiteral("keep.me_1"));
    QCOMPARE(load(again, QStringLiteral("draft")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("draft")},
                          {QStringLiteral("value"), QStringLiteral("hello")}}));
    QCOMPARE(m_fixture->server()->sessionCount(), 1);
}

void tst_WebSocketSessions::connectionWithoutSessionGetsFreshSession()
{
    QVERIFY(m_fixture->listen());
    WsClient first;
    WsClient second;
    QVERIFY(open(first));
    QVERIFY(open(second));
    const QString firstId = first.waitForHello().value(QStringLiteral("session_id")).toString();
    const QString secondId = second.waitForHello().value(QStringLiteral("session_id")).toString();
    QVERIFY(!firstId.isEmpty());
    QVERIFY(!secondId.isEmpty());
    QVERIFY(firstId != secondId);
    QCOMPARE(m_fixture->server()->sessionCount(), 2);

    QVERIFY(store(first, QStringLiteral("k"), 1));
    QCOMPARE(load(second, QStringLiteral("k")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}}));

    // The generated id can be joined like any other.
    WsClient joined;
    QVERIFY(open(joined, firstId));
    QCOMPARE(
        load(joined, QStringLiteral("k")),
        (QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}, {QStringLiteral("value"), 1}}));
    QCOMPARE(m_fixture->server()->sessionCount(), 2);
}

void tst_WebSocketSessions::invalidSessionIsRefusedAtHandshake_data()
{
    QTest::addColumn<QString>("sessionId");

    QTest::newRow("space and exclamation mark") << QStringLiteral("bad id!");
    QTest::newRow("129 characters") << QString(129, QLatin1Char('s'));
    QTest::newRow("slash") << QStringLiteral("a/b");
    QTest::newRow("non-ascii") << QStringLiteral("caf\u00e9");
}

void tst_WebSocketSessions::invalidSessionIsRefusedAtHandshake()
{
    QFETCH(QString, sessionId);

    QVERIFY(m_fixture->listen());
    WsClient client;
    client.open(m_fixture->webSocketUrl(sessionId));
    QVERIFY(!client.waitForConnected());
    QVERIFY(!client.wasConnected());
    QVERIFY(client.hasError() || client.isDisconnected());
    QVERIFY(client.messages().isEmpty());
    QCOMPARE(m_fixture->server()->sessionCount(), 0);

    // The server is still fine for a good id.
    WsClient good;
    QVERIFY(open(good, QStringLiteral("good")));
}

void tst_WebSocketSessions::invalidSessionGetsHttp400_data()
{
    QTest::addColumn<QByteArray>("query");
    QTest::addColumn<QByteArray>("status");

    QTest::newRow("valid (control)") << QByteArray("session=good-1") << QByteArray("101");
    QTest::newRow("space and exclamation mark")
        << QByteArray("session=bad%20id%21") << QByteArray("400");
    QTest::newRow("129 characters")
        << QByteArray(QByteArray("session=") + QByteArray(129, 'x')) << QByteArray("400");
    QTest::newRow("slash") << QByteArray("session=a%2Fb") << QByteArray("400");
}

void tst_WebSocketSessions::invalidSessionGetsHttp400()
{
    QFETCH(QByteArray, query);
    QFETCH(QByteArray, status);

    QVERIFY(m_fixture->listen());
    const QByteArray host = "127.0.0.1:" + QByteArray::number(m_fixture->server()->serverPort());
    const RawResponse response = rawRequest("GET /ws?" + query +
                                            " HTTP/1.1\r\n"
                                            "Host: " +
                                            host +
                                            "\r\n"
                                            "Upgrade: websocket\r\n"
                                            "Connection: Upgrade\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                            "Sec-WebSocket-Version: 13\r\n"
                                            "\r\n");
    QVERIFY2(response.statusLine.startsWith(QByteArray("HTTP/1.1 " + status)),
             response.statusLine.constData());
    if (status == "400") {
        // A JSON error body, never an empty one.
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QVERIFY2(!body.isEmpty(), response.body.constData());
        QCOMPARE(body.value(QStringLiteral("success")), QJsonValue(false));
        QCOMPARE(body.value(QStringLiteral("result")).toObject().value(QStringLiteral("code")),
                 QJsonValue(QStringLiteral("bad_message")));
        QCOMPARE(m_fixture->server()->sessionCount(), 0);
    }
}

void tst_WebSocketSessions::sessionIsDroppedAfterIdleTimeOnceAllConnectionsLeft()
{
    m_fixture->options().sessionIdleTime = 100ms;
    QVERIFY(m_fixture->listen());

    WsClient first;
    WsClient second;
    WsClient witness;
    QVERIFY(open(first, QStringLiteral("idle-1")));
    QVERIFY(open(second, QStringLiteral("idle-1")));
    QVERIFY(open(witness, QStringLiteral("witness")));
    QCOMPARE(m_fixture->server()->sessionCount(), 2);
    QVERIFY(store(first, QStringLiteral("k"), QStringLiteral("v")));

    // One of two connections leaves: the session stays. The witness session, left alone, is
    // dropped after the idle time, which proves that much time has passed.
    first.close();
    QVERIFY(first.waitForDisconnected());
    witness.close();
    QVERIFY(witness.waitForDisconnected());
    QTRY_COMPARE(m_fixture->server()->sessionCount(), 1);
    QCOMPARE(load(second, QStringLiteral("k")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("k")},
                          {QStringLiteral("value"), QStringLiteral("v")}}));

    // The last connection leaves: dropped after the idle time.
    second.close();
    QVERIFY(second.waitForDisconnected());
    QTRY_COMPARE(m_fixture->server()->sessionCount(), 0);

    WsClient later;
    QVERIFY(open(later, QStringLiteral("idle-1")));
    QCOMPARE(load(later, QStringLiteral("k")),
             (QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}}));
}

QTEST_GUILESS_MAIN(tst_WebSocketSessions)
#include "tst_websocketsessions.moc"
