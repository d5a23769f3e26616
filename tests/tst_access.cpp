// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Spec section 7 over real sockets: the bearer token, the Origin policy and the Host policy, for
// WebSocket upgrades, WebSocket messages and REST requests. Every refusal is checked with its
// HTTP status or close code and its JSON error code; every way in is checked to work.

#include "bridgefixture.h"
#include "rawhttpclient.h"
#include "websocketcompat_p.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

const QByteArray theToken = QByteArrayLiteral("s3cret-Token_1");
/// A token whose query form needs percent-encoding.
const QByteArray awkwardToken = QByteArrayLiteral("p+q/r=s &x");
/// Time every wait may take before a test fails; the server answers in milliseconds.
constexpr int waitMs = 10000;

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

QByteArray withPort(QByteArray bytes, quint16 port)
{
    return bytes.replace("{port}", QByteArray::number(port));
}

/// The JSON error body of a refused request (docs/protocol.md section 3).
QByteArray refusalBody(const QByteArray &code, const QByteArray &message,
                       const QByteArray &command = QByteArray())
{
    QJsonObject body{{QStringLiteral("success"), false},
                     {QStringLiteral("result"),
                      QJsonObject{{QStringLiteral("code"), QString::fromUtf8(code)},
                                  {QStringLiteral("message"), QString::fromUtf8(message)}}}};
    if (!command.isEmpty())
        body.insert(QStringLiteral("command"), QString::fromUtf8(command));
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray unauthorizedBody(const QByteArray &command = QByteArray())
{
    return refusalBody("unauthorized", "Missing or wrong bearer token", command);
}

QByteArray forbiddenHostBody(const QByteArray &host)
{
    return refusalBody("forbidden", "Host \"" + host + "\" is not allowed");
}

QByteArray forbiddenOriginBody(const QByteArray &origin, const QByteArray &command = QByteArray())
{
    return refusalBody("forbidden", "Origin \"" + origin + "\" is not allowed", command);
}

/// A request as a raw client writes it. "{port}" stands for the server's port; the Host header
/// is "127.0.0.1:{port}" unless replaced or removed.
class RawRequest
{
public:
    static RawRequest get(const QByteArray &target) { return RawRequest("GET", target); }
    static RawRequest post(const QByteArray &target, const QByteArray &body = "{}")
    {
        RawRequest request("POST", target);
        request.m_body = body;
        request.m_hasBody = true;
        return request;
    }
    /// An upgrade to WebSocket with RFC 6455's example key.
    static RawRequest upgrade(const QByteArray &target = "/ws")
    {
        RawRequest request("GET", target);
        request.m_upgrade = true;
        return request;
    }

    RawRequest host(const QByteArray &host) const
    {
        RawRequest copy = *this;
        copy.m_host = host;
        copy.m_hasHost = true;
        return copy;
    }
    RawRequest withoutHost() const
    {
        RawRequest copy = *this;
        copy.m_hasHost = false;
        return copy;
    }
    RawRequest header(const QByteArray &name, const QByteArray &value) const
    {
        RawRequest copy = *this;
        copy.m_headers.append({name, value});
        return copy;
    }
    RawRequest origin(const QByteArray &origin) const { return header("Origin", origin); }
    RawRequest authorization(const QByteArray &value) const
    {
        return header("Authorization", value);
    }
    RawRequest bearer(const QByteArray &token) const
    {
        return authorization(QByteArray("Bearer " + token));
    }

    /// The bytes, "{port}" still in them.
    QByteArray bytes() const
    {
        QByteArray out = m_method + ' ' + m_target + " HTTP/1.1\r\n";
        if (m_hasHost)
            out += "Host: " + m_host + "\r\n";
        if (m_upgrade) {
            out += "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
        }
        for (const auto &[name, value] : m_headers)
            out += name + ": " + value + "\r\n";
        if (m_hasBody) {
            out += "Content-Type: application/json\r\nContent-Length: " +
                   QByteArray::number(m_body.size()) + "\r\n";
        }
        out += "\r\n" + m_body;
        return out;
    }

private:
    RawRequest(const QByteArray &method, const QByteArray &target)
        : m_method(method)
        , m_target(target)
    {}

    QByteArray m_method;
    QByteArray m_target;
    QByteArray m_host = "127.0.0.1:{port}";
    bool m_hasHost = true;
    bool m_upgrade = false;
    bool m_hasBody = false;
    QByteArray m_body;
    QList<QPair<QByteArray, QByteArray>> m_headers;
};

QNetworkRequest upgradeRequest(const QUrl &url, const QByteArray &origin,
                               const QByteArray &authorization)
{
    QNetworkRequest request(url);
    // QWebSocket sends an Origin header only when given one.
    if (!origin.isEmpty())
        request.setRawHeader("Origin", origin);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    return request;
}

QJsonObject authMessage(const QByteArray &token)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("auth")},
                       {QStringLiteral("token"), QString::fromUtf8(token)}};
}

QJsonObject unauthorizedError(const QJsonValue &id = QJsonValue(QJsonValue::Undefined))
{
    QJsonObject error{{QStringLiteral("type"), QStringLiteral("error")},
                      {QStringLiteral("code"), QStringLiteral("unauthorized")},
                      {QStringLiteral("message"), QStringLiteral("Authenticate first")}};
    if (!id.isUndefined())
        error.insert(QStringLiteral("id"), id);
    return error;
}

QJsonObject authResult(bool success)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("auth_result")},
                       {QStringLiteral("success"), success}};
}

} // namespace

class tst_Access : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // Refused before any front end sees the request.
    void refusedRequestGetsStatusAndJsonError_data();
    void refusedRequestGetsStatusAndJsonError();
    void refusedWebSocketClientNeverConnects_data();
    void refusedWebSocketClientNeverConnects();
    void everyKeptAliveRequestPassesAdmission_data();
    void everyKeptAliveRequestPassesAdmission();
    void smuggledRequestIsRefusedAndNeverRuns_data();
    void smuggledRequestIsRefusedAndNeverRuns();

    // Admitted.
    void admittedRequestIsServed_data();
    void admittedRequestIsServed();
    void admittedWebSocketClientRunsCommands_data();
    void admittedWebSocketClientRunsCommands();
    void healthNeedsNoTokenAndShowsCountsOnly();

    // WebSocket clients that did not authenticate at the upgrade.
    void anythingButRightAuthFirstClosesWith4001_data();
    void anythingButRightAuthFirstClosesWith4001();
    void noAuthWithinTheDeadlineClosesWith4001();

    // Where the server listens.
    void nonLoopbackListenNeedsAToken();
    void nonLoopbackServerChecksTokenButNotHost();

private:
    quint16 port() const { return m_fixture->server()->serverPort(); }
    void listen(const QString &token, const QStringList &allowedOrigins = QStringList());

    std::unique_ptr<BridgeFixture> m_fixture;
};

void tst_Access::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
}

void tst_Access::cleanup()
{
    m_fixture.reset();
}

void tst_Access::listen(const QString &token, const QStringList &allowedOrigins)
{
    m_fixture->options().token = token;
    m_fixture->options().allowedOrigins = allowedOrigins;
    QVERIFY2(m_fixture->listen(), qPrintable(m_fixture->server()->errorString()));
}

void tst_Access::refusedRequestGetsStatusAndJsonError_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QStringList>("allowedOrigins");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    const QString token = QString::fromUtf8(theToken);
    const QStringList none;
    const QStringList devServer{QStringLiteral("http://localhost:5173")};
    const RawRequest list = RawRequest::get("/api/v1/commands");
    const RawRequest run = RawRequest::post("/api/v1/commands/quick", R"({"a":1})");
    const RawRequest health = RawRequest::get("/api/v1/health");
    const RawRequest upgrade = RawRequest::upgrade();

    // Bearer token over REST.
    QTest::newRow("REST without a token")
        << token << none << list.bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with a wrong token")
        << token << none << list.bearer("wrong").bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with a prefix of the token")
        << token << none << list.bearer(theToken.left(6)).bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with the token and more")
        << token << none << list.bearer(theToken + "x").bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with the token in another case")
        << token << none << list.bearer(theToken.toUpper()).bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with an empty bearer")
        << token << none << list.authorization("Bearer ").bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with the bare token")
        << token << none << list.authorization(theToken).bytes() << 401 << unauthorizedBody();
    QTest::newRow("REST with Basic credentials")
        << token << none << list.authorization("Basic " + theToken.toBase64()).bytes() << 401
        << unauthorizedBody();
    QTest::newRow("REST with the token in the query only")
        << token << none << RawRequest::get("/api/v1/commands?token=" + theToken).bytes() << 401
        << unauthorizedBody();
    QTest::newRow("REST run without a token names the command")
        << token << none << run.bytes() << 401 << unauthorizedBody("quick");
    QTest::newRow("REST stream without a token names the command")
        << token << none << RawRequest::post("/api/v1/commands/slow/stream").bytes() << 401
        << unauthorizedBody("slow");
    QTest::newRow("REST unknown path without a token")
        << token << none << RawRequest::get("/api/v1/nowhere").bytes() << 401 << unauthorizedBody();

    // Bearer token at the WebSocket upgrade: a wrong one is refused there.
    QTest::newRow("upgrade with a wrong bearer")
        << token << none << upgrade.bearer("wrong").bytes() << 401 << unauthorizedBody();
    QTest::newRow("upgrade with a prefix of the token as bearer")
        << token << none << upgrade.bearer(theToken.left(6)).bytes() << 401 << unauthorizedBody();
    QTest::newRow("upgrade with a wrong query token")
        << token << none << RawRequest::upgrade("/ws?token=wrong").bytes() << 401
        << unauthorizedBody();
    QTest::newRow("upgrade with the token and more in the query")
        << token << none << RawRequest::upgrade("/ws?token=" + theToken + "x").bytes() << 401
        << unauthorizedBody();

    // Origin: neither the server's own nor allow-listed.
    QTest::newRow("REST from a foreign origin")
        << QString() << none << list.origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("REST from the server's host on another port")
        << QString() << none << list.origin("http://127.0.0.1:1").bytes() << 403
        << forbiddenOriginBody("http://127.0.0.1:1");
    QTest::newRow("REST from another loopback name than the Host")
        << QString() << none << list.origin("http://localhost:{port}").bytes() << 403
        << forbiddenOriginBody("http://localhost:{port}");
    QTest::newRow("REST from the null origin")
        << QString() << none << list.origin("null").bytes() << 403 << forbiddenOriginBody("null");
    QTest::newRow("REST from a foreign origin with the right token")
        << token << none << list.bearer(theToken).origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("REST run from a foreign origin names the command")
        << QString() << none << run.origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example", "quick");
    QTest::newRow("REST from an origin missing from the allow-list")
        << QString() << devServer << list.origin("http://localhost:5174").bytes() << 403
        << forbiddenOriginBody("http://localhost:5174");
    QTest::newRow("REST from an allow-listed origin with another scheme")
        << QString() << devServer << list.origin("https://localhost:5173").bytes() << 403
        << forbiddenOriginBody("https://localhost:5173");
    QTest::newRow("health from a foreign origin")
        << token << none << health.origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("upgrade from a foreign origin")
        << QString() << none << upgrade.origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("upgrade from a foreign origin with the right bearer")
        << token << none << upgrade.bearer(theToken).origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("upgrade from a foreign origin with the right query token")
        << token << none
        << RawRequest::upgrade("/ws?token=" + theToken).origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("upgrade from an origin missing from the allow-list")
        << QString() << devServer << upgrade.origin("http://localhost:5174").bytes() << 403
        << forbiddenOriginBody("http://localhost:5174");

    // Host, while bound to loopback (DNS rebinding).
    QTest::newRow("REST with a foreign Host")
        << QString() << none << list.host("evil.example").bytes() << 403
        << forbiddenHostBody("evil.example");
    QTest::newRow("REST with a foreign Host and the port")
        << QString() << none << list.host("evil.example:{port}").bytes() << 403
        << forbiddenHostBody("evil.example:{port}");
    QTest::newRow("REST rebound: foreign Host with its own Origin")
        << QString() << none
        << list.host("evil.example:{port}").origin("http://evil.example:{port}").bytes() << 403
        << forbiddenHostBody("evil.example:{port}");
    QTest::newRow("REST with a name that starts like 127.0.0.1")
        << QString() << none << list.host("127.0.0.1.evil.example").bytes() << 403
        << forbiddenHostBody("127.0.0.1.evil.example");
    QTest::newRow("REST with a name that starts like localhost")
        << QString() << none << list.host("localhost.evil.example:{port}").bytes() << 403
        << forbiddenHostBody("localhost.evil.example:{port}");
    QTest::newRow("REST with a name after [::1]")
        << QString() << none << list.host("[::1]evil.example").bytes() << 403
        << forbiddenHostBody("[::1]evil.example");
    QTest::newRow("REST with a host where the port goes")
        << QString() << none << list.host("localhost:evil.com").bytes() << 403
        << forbiddenHostBody("localhost:evil.com");
    QTest::newRow("REST with userinfo after the port")
        << QString() << none << list.host("localhost:80@evil.com").bytes() << 403
        << forbiddenHostBody("localhost:80@evil.com");
    QTest::newRow("REST with a host after [::1]'s port")
        << QString() << none << list.host("[::1]:evil.com").bytes() << 403
        << forbiddenHostBody("[::1]:evil.com");
    QTest::newRow("REST without a Host")
        << QString() << none << list.withoutHost().bytes() << 403 << forbiddenHostBody("");
    QTest::newRow("health with a foreign Host")
        << token << none << health.host("evil.example").bytes() << 403
        << forbiddenHostBody("evil.example");
    QTest::newRow("foreign Host is refused before the token is asked for")
        << token << none << list.host("evil.example").bytes() << 403
        << forbiddenHostBody("evil.example");
    QTest::newRow("REST with a foreign Host and the right token")
        << token << none << list.host("evil.example").bearer(theToken).bytes() << 403
        << forbiddenHostBody("evil.example");
    QTest::newRow("upgrade with a foreign Host")
        << QString() << none << upgrade.host("evil.example:{port}").bytes() << 403
        << forbiddenHostBody("evil.example:{port}");
    QTest::newRow("upgrade rebound: foreign Host with its own Origin")
        << QString() << none
        << upgrade.host("evil.example:{port}").origin("http://evil.example:{port}").bytes() << 403
        << forbiddenHostBody("evil.example:{port}");
    QTest::newRow("upgrade without a Host")
        << QString() << none << upgrade.withoutHost().bytes() << 403 << forbiddenHostBody("");
}

void tst_Access::refusedRequestGetsStatusAndJsonError()
{
    QFETCH(QString, token);
    QFETCH(QStringList, allowedOrigins);
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    listen(token, allowedOrigins);

    RawHttpClient client(port());
    client.send(withPort(request, port()));

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), parse(withPort(body, port())));
    // The refusal ends the connection, and nothing reached a front end.
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QCOMPARE(client.responses().size(), 1);
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
}

void tst_Access::refusedWebSocketClientNeverConnects_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<int>("status");

    const QString token = QString::fromUtf8(theToken);
    QTest::newRow("wrong bearer") << token << QString() << QByteArray() << QByteArray("Bearer x")
                                  << 401;
    QTest::newRow("wrong query token")
        << token << QStringLiteral("token=x") << QByteArray() << QByteArray() << 401;
    QTest::newRow("foreign origin")
        << QString() << QString() << QByteArray("http://evil.example") << QByteArray() << 403;
    QTest::newRow("foreign origin with the right bearer")
        << token << QString() << QByteArray("http://evil.example")
        << QByteArray("Bearer " + theToken) << 403;
}

void tst_Access::refusedWebSocketClientNeverConnects()
{
    QFETCH(QString, token);
    QFETCH(QString, query);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    listen(token);

    QUrl url = m_fixture->webSocketUrl();
    url.setQuery(query);
    WsClient client;
    client.socket()->open(upgradeRequest(url, origin, authorization));

    QVERIFY(!client.waitForConnected(waitMs));
    QVERIFY(client.hasError());
    QVERIFY(!client.wasConnected());
    QVERIFY2(CommandBridge::refusedUpgradeStatus(client.socket()) == status,
             qPrintable(client.socket()->errorString()));
    QCOMPARE(client.messageCount(), 0);
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_Access::everyKeptAliveRequestPassesAdmission_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    const RawRequest list = RawRequest::get("/api/v1/commands").bearer(theToken);
    const RawRequest run =
        RawRequest::post("/api/v1/commands/quick", R"({"first":true})").bearer(theToken);
    const RawRequest health = RawRequest::get("/api/v1/health");

    QTest::newRow("then no token")
        << list.bytes() << RawRequest::get("/api/v1/commands").bytes() << 401 << unauthorizedBody();
    QTest::newRow("then a wrong token")
        << list.bytes() << RawRequest::get("/api/v1/commands").bearer("wrong").bytes() << 401
        << unauthorizedBody();
    QTest::newRow("after a body, then no token")
        << run.bytes() << RawRequest::post("/api/v1/commands/quick").bytes() << 401
        << unauthorizedBody("quick");
    QTest::newRow("after health, then no token")
        << health.bytes() << RawRequest::get("/api/v1/commands").bytes() << 401
        << unauthorizedBody();
    QTest::newRow("then a foreign origin")
        << list.bytes() << list.origin("http://evil.example").bytes() << 403
        << forbiddenOriginBody("http://evil.example");
    QTest::newRow("then a foreign Host") << list.bytes() << list.host("evil.example").bytes() << 403
                                         << forbiddenHostBody("evil.example");
}

void tst_Access::everyKeptAliveRequestPassesAdmission()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    listen(QString::fromUtf8(theToken));

    RawHttpClient client(port());
    client.send(withPort(first, port()));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    QCOMPARE(client.responses().at(0).status, 200);
    const QStringList startedByFirst = m_fixture->probe().startedCommands();

    client.send(withPort(second, port()));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 2, waitMs);
    const HttpResponse response = client.responses().at(1);
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), parse(withPort(body, port())));
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QCOMPARE(m_fixture->probe().startedCommands(), startedByFirst);
}

void tst_Access::smuggledRequestIsRefusedAndNeverRuns_data()
{
    QTest::addColumn<QByteArray>("before");
    QTest::addColumn<QByteArray>("smuggling");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");

    // The request another parser could see inside the smuggling one's body: no token, foreign Host.
    const QByteArray hidden = "POST /api/v1/commands/quick HTTP/1.1\r\nHost: evil.example\r\n"
                              "Content-Length: 2\r\n\r\n{}";
    const QByteArray head = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n";
    const QByteArray length = "Content-Length: " + QByteArray::number(hidden.size()) + "\r\n";
    const QByteArray chunked =
        QByteArray::number(hidden.size(), 16) + "\r\n" + hidden + "\r\n0\r\n\r\n";
    const QByteArray malformed = refusalBody("bad_message", "Malformed HTTP request");
    const QByteArray health = RawRequest::get("/api/v1/health").bytes();

    for (const QByteArray &before : {QByteArray(), health}) {
        const QByteArray where = before.isEmpty() ? " first" : " after a request";
        QTest::addRow("101 header fields%s", where.constData())
            << before << head + QByteArray("X-F: v\r\n").repeated(100) + length + "\r\n" + hidden
            << 400 << malformed;
        QTest::addRow("empty Transfer-Encoding, then chunked%s", where.constData())
            << before << head + "Transfer-Encoding:\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
            << 411 << refusalBody("bad_message", "Request bodies need a Content-Length");
        QTest::addRow("obs-folded Transfer-Encoding%s", where.constData())
            << before << head + "Transfer-Encoding:\r\n chunked\r\n\r\n" + chunked << 400
            << malformed;
        QTest::addRow("two Content-Lengths%s", where.constData())
            << before << head + "Content-Length: 0\r\n" + length + "\r\n" + hidden << 400
            << malformed;
        QTest::addRow("space before the colon%s", where.constData())
            << before << head + "Content-Length : 0\r\n" + length + "\r\n" + hidden << 400
            << malformed;
        // The target is a path to the gate, a host and a path to QHttpServer's URL parser.
        QTest::addRow("target starting with two slashes%s", where.constData())
            << before
            << QByteArray("POST //evil.example/api/v1/commands/quick HTTP/1.1\r\n"
                          "Host: 127.0.0.1:{port}\r\nContent-Length: 2\r\n\r\n{}")
            << 400 << malformed;
    }
}

void tst_Access::smuggledRequestIsRefusedAndNeverRuns()
{
    QFETCH(QByteArray, before);
    QFETCH(QByteArray, smuggling);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    listen(QString::fromUtf8(theToken));

    RawHttpClient client(port());
    const int answered = before.isEmpty() ? 0 : 1;
    if (!before.isEmpty()) {
        client.send(withPort(before, port()));
        QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    }
    client.send(withPort(smuggling, port()));
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QCOMPARE(client.responses().size(), answered + 1);
    const HttpResponse response = client.responses().at(answered);
    QCOMPARE(response.status, status);
    QCOMPARE(response.json(), parse(body));
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
}

void tst_Access::admittedRequestIsServed_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QStringList>("allowedOrigins");
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("bodyKey");

    const QString token = QString::fromUtf8(theToken);
    const QStringList none;
    const QStringList devServers{QStringLiteral("http://localhost:5173"),
                                 QStringLiteral("https://app.example")};
    const RawRequest list = RawRequest::get("/api/v1/commands");
    const RawRequest run = RawRequest::post("/api/v1/commands/quick", R"({"a":1})");
    const RawRequest upgrade = RawRequest::upgrade();
    const QString commands = QStringLiteral("commands");
    const QString success = QStringLiteral("success");

    // Token.
    QTest::newRow("REST without a token configured")
        << QString() << none << list.bytes() << 200 << commands;
    QTest::newRow("REST ignores a bearer when no token is configured")
        << QString() << none << list.bearer("anything").bytes() << 200 << commands;
    QTest::newRow("REST list with the bearer")
        << token << none << list.bearer(theToken).bytes() << 200 << commands;
    QTest::newRow("REST run with the bearer")
        << token << none << run.bearer(theToken).bytes() << 200 << success;
    QTest::newRow("REST bearer scheme in lower case")
        << token << none << list.authorization("bearer " + theToken).bytes() << 200 << commands;
    QTest::newRow("REST health without a token")
        << token << none << RawRequest::get("/api/v1/health").bytes() << 200
        << QStringLiteral("status");
    QTest::newRow("upgrade with the bearer")
        << token << none << upgrade.bearer(theToken).bytes() << 101 << QString();
    QTest::newRow("upgrade with the query token")
        << token << none << RawRequest::upgrade("/ws?token=" + theToken).bytes() << 101
        << QString();
    QTest::newRow("upgrade without a token, to authenticate by message")
        << token << none << upgrade.bytes() << 101 << QString();

    // Origin.
    QTest::newRow("REST from the server's own origin")
        << QString() << none << list.origin("http://127.0.0.1:{port}").bytes() << 200 << commands;
    QTest::newRow("REST from the server's own https origin")
        << QString() << none << list.origin("https://127.0.0.1:{port}").bytes() << 200 << commands;
    QTest::newRow("REST from the own origin under localhost")
        << QString() << none
        << list.host("localhost:{port}").origin("http://localhost:{port}").bytes() << 200
        << commands;
    QTest::newRow("REST run from an allow-listed origin")
        << token << devServers << run.bearer(theToken).origin("http://localhost:5173").bytes()
        << 200 << success;
    QTest::newRow("REST from the second allow-listed origin")
        << QString() << devServers << list.origin("https://app.example").bytes() << 200 << commands;
    QTest::newRow("REST without an origin while an allow-list is set")
        << QString() << devServers << list.bytes() << 200 << commands;
    QTest::newRow("upgrade from the server's own origin")
        << QString() << none << upgrade.origin("http://127.0.0.1:{port}").bytes() << 101
        << QString();
    QTest::newRow("upgrade from an allow-listed origin")
        << token << devServers << upgrade.bearer(theToken).origin("http://localhost:5173").bytes()
        << 101 << QString();

    // Host.
    const QList<QByteArray> loopbackHosts{
        "127.0.0.1", "127.0.0.1:{port}", "localhost",       "localhost:{port}",
        "[::1]",     "[::1]:{port}",     "LocalHost:{port}"};
    for (const QByteArray &host : loopbackHosts) {
        QTest::addRow("REST with Host %s", host.constData())
            << QString() << none << list.host(host).bytes() << 200 << commands;
        QTest::addRow("upgrade with Host %s", host.constData())
            << QString() << none << upgrade.host(host).bytes() << 101 << QString();
    }
    QTest::newRow("REST with Host [::1] and its own origin")
        << QString() << none << list.host("[::1]:{port}").origin("http://[::1]:{port}").bytes()
        << 200 << commands;
}

void tst_Access::admittedRequestIsServed()
{
    QFETCH(QString, token);
    QFETCH(QStringList, allowedOrigins);
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, bodyKey);
    listen(token, allowedOrigins);

    RawHttpClient client(port());
    client.send(withPort(request, port()));

    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, status);
    if (status == 101) {
        QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->connectionCount(), 1, waitMs);
        return;
    }
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    const QJsonObject json = response.json();
    QVERIFY2(json.contains(bodyKey), response.body.constData());
    if (bodyKey == QLatin1String("success"))
        QCOMPARE(json.value(bodyKey), QJsonValue(true));
    // Kept alive: the connection stays open for the next request.
    QVERIFY(!client.isDisconnected());
}

void tst_Access::admittedWebSocketClientRunsCommands_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QStringList>("allowedOrigins");
    QTest::addColumn<QString>("urlHost");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("authToken");
    QTest::addColumn<bool>("authRequired");

    const QString token = QString::fromUtf8(theToken);
    const QString ip = QStringLiteral("127.0.0.1");
    const QStringList none;
    const QStringList devServer{QStringLiteral("http://localhost:5173")};
    const QByteArray noHeader;
    const QByteArray bearer = "Bearer " + theToken;

    QTest::newRow("no token configured")
        << QString() << none << ip << QString() << noHeader << noHeader << noHeader << false;
    QTest::newRow("no token configured, auth message answered anyway")
        << QString() << none << ip << QString() << noHeader << noHeader << QByteArray("any")
        << false;
    QTest::newRow("bearer header")
        << token << none << ip << QString() << noHeader << bearer << noHeader << false;
    QTest::newRow("bearer scheme in lower case")
        << token << none << ip << QString() << noHeader << QByteArray("bearer " + theToken)
        << noHeader << false;
    QTest::newRow("query token") << token << none << ip
                                 << QString(QStringLiteral("token=") + QString::fromUtf8(theToken))
                                 << noHeader << noHeader << noHeader << false;
    QTest::newRow("percent-encoded query token")
        << QString::fromUtf8(awkwardToken) << none << ip
        << QString(QStringLiteral("token=") +
                   QString::fromLatin1(QUrl::toPercentEncoding(QString::fromUtf8(awkwardToken))))
        << noHeader << noHeader << noHeader << false;
    QTest::newRow("query token with a session")
        << token << none << ip
        << QString(QStringLiteral("session=s1&token=") + QString::fromUtf8(theToken)) << noHeader
        << noHeader << noHeader << false;
    QTest::newRow("auth message first")
        << token << none << ip << QString() << noHeader << noHeader << theToken << true;
    QTest::newRow("own origin") << QString() << none << ip << QString()
                                << QByteArray("http://127.0.0.1:{port}") << noHeader << noHeader
                                << false;
    QTest::newRow("own origin under localhost")
        << QString() << none << QStringLiteral("localhost") << QString()
        << QByteArray("http://localhost:{port}") << noHeader << noHeader << false;
    QTest::newRow("allow-listed origin with the bearer")
        << token << devServer << ip << QString() << QByteArray("http://localhost:5173") << bearer
        << noHeader << false;
    QTest::newRow("allow-listed origin, auth message first")
        << token << devServer << ip << QString() << QByteArray("http://localhost:5173") << noHeader
        << theToken << true;
    QTest::newRow("no origin while an allow-list is set")
        << QString() << devServer << ip << QString() << noHeader << noHeader << noHeader << false;
}

void tst_Access::admittedWebSocketClientRunsCommands()
{
    QFETCH(QString, token);
    QFETCH(QStringList, allowedOrigins);
    QFETCH(QString, urlHost);
    QFETCH(QString, query);
    QFETCH(QByteArray, origin);
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, authToken);
    QFETCH(bool, authRequired);
    // Short, so that the command below outlives it: an authenticated client has no deadline.
    constexpr auto authDeadline = 800ms;
    m_fixture->options().authTimeout = authDeadline;
    listen(token, allowedOrigins);

    QUrl url = m_fixture->webSocketUrl();
    url.setHost(urlHost);
    url.setQuery(query);
    WsClient client;
    client.socket()->open(upgradeRequest(url, withPort(origin, port()), authorization));
    QVERIFY(client.waitForConnected(waitMs));
    const QJsonObject hello = client.waitForHello(waitMs);
    QCOMPARE(hello.value(QStringLiteral("type")), QJsonValue(QStringLiteral("hello")));
    QCOMPARE(hello.value(QStringLiteral("auth_required")), QJsonValue(authRequired));

    if (!authToken.isEmpty()) {
        client.sendJson(authMessage(authToken));
        QCOMPARE(client.waitForType(QStringLiteral("auth_result")), authResult(true));
    }
    QVERIFY(client.roundTrip(1, waitMs));
    // Three steps that together take longer than the auth deadline.
    const int stepMs = int(authDeadline.count()) / 3 + 50;
    client.sendJson(QJsonObject{
        {QStringLiteral("type"), QStringLiteral("command")},
        {QStringLiteral("id"), QStringLiteral("s")},
        {QStringLiteral("command"), QStringLiteral("slow")},
        {QStringLiteral("args"),
         QJsonObject{{QStringLiteral("steps"), 3}, {QStringLiteral("interval_ms"), stepMs}}}});
    const QJsonObject result =
        client.waitForType(QStringLiteral("command_result"), QStringLiteral("s"), waitMs);
    QCOMPARE(result.value(QStringLiteral("success")), QJsonValue(true));
    QVERIFY(client.isConnected());
    QVERIFY(!client.isDisconnected());
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
}

void tst_Access::healthNeedsNoTokenAndShowsCountsOnly()
{
    listen(QString::fromUtf8(theToken));
    WsClient webSocket;
    webSocket.socket()->open(
        upgradeRequest(m_fixture->webSocketUrl(), QByteArray(), "Bearer " + theToken));
    QVERIFY(webSocket.waitForConnected(waitMs));
    QVERIFY(!webSocket.waitForHello(waitMs).isEmpty());

    RawHttpClient client(port());
    client.send(withPort(RawRequest::get("/api/v1/health").bytes(), port()));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 200);
    const QJsonObject health = response.json();
    QStringList keys = health.keys();
    keys.sort();
    QCOMPARE(keys, (QStringList{QStringLiteral("connections"), QStringLiteral("in_flight"),
                                QStringLiteral("sessions"), QStringLiteral("status"),
                                QStringLiteral("uptime_ms")}));
    QCOMPARE(health.value(QStringLiteral("status")), QJsonValue(QStringLiteral("ok")));
    QCOMPARE(health.value(QStringLiteral("connections")), QJsonValue(1));
    QCOMPARE(health.value(QStringLiteral("sessions")), QJsonValue(1));
    QCOMPARE(health.value(QStringLiteral("in_flight")), QJsonValue(0));
    QVERIFY(health.value(QStringLiteral("uptime_ms")).isDouble());
}

void tst_Access::anythingButRightAuthFirstClosesWith4001_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<bool>("binary");
    QTest::addColumn<QJsonObject>("reply");

    QTest::newRow("ping") << QByteArray(R"({"type":"ping","id":1})") << false
                          << unauthorizedError(1);
    QTest::newRow("command") << QByteArray(R"({"type":"command","id":"c","command":"quick"})")
                             << false << unauthorizedError(QStringLiteral("c"));
    QTest::newRow("command without id")
        << QByteArray(R"({"type":"command","command":"quick"})") << false << unauthorizedError();
    QTest::newRow("list_commands")
        << QByteArray(R"({"type":"list_commands"})") << false << unauthorizedError();
    QTest::newRow("cancel") << QByteArray(R"({"type":"cancel","id":"c"})") << false
                            << unauthorizedError(QStringLiteral("c"));
    QTest::newRow("unknown type") << QByteArray(R"({"type":"hack"})") << false
                                  << unauthorizedError();
    QTest::newRow("not JSON") << QByteArray("let me in") << false << unauthorizedError();
    QTest::newRow("binary frame") << QByteArray(R"({"type":"auth","token":"s3cret-Token_1"})")
                                  << true << unauthorizedError();
    QTest::newRow("auth with a wrong token")
        << QByteArray(R"({"type":"auth","token":"wrong"})") << false << authResult(false);
    QTest::newRow("auth with a prefix of the token")
        << QByteArray(R"({"type":"auth","token":"s3cret"})") << false << authResult(false);
    QTest::newRow("auth with the token in another case")
        << QByteArray(R"({"type":"auth","token":"S3CRET-TOKEN_1"})") << false << authResult(false);
    QTest::newRow("auth with an empty token")
        << QByteArray(R"({"type":"auth","token":""})") << false << authResult(false);
}

void tst_Access::anythingButRightAuthFirstClosesWith4001()
{
    QFETCH(QByteArray, first);
    QFETCH(bool, binary);
    QFETCH(QJsonObject, reply);
    listen(QString::fromUtf8(theToken));

    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected(waitMs));
    QCOMPARE(client.waitForHello(waitMs).value(QStringLiteral("auth_required")), QJsonValue(true));
    if (binary)
        client.socket()->sendBinaryMessage(first);
    else
        client.sendText(first);

    QCOMPARE(client.waitForMessage(1, waitMs), reply);
    QVERIFY(client.waitForDisconnected(waitMs));
    QCOMPARE(int(client.closeCode()), 4001);
    QCOMPARE(client.messageCount(), 2);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->connectionCount(), 0, waitMs);
}

void tst_Access::noAuthWithinTheDeadlineClosesWith4001()
{
    constexpr auto deadline = 300ms;
    m_fixture->options().authTimeout = deadline;
    listen(QString::fromUtf8(theToken));

    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected(waitMs));
    QElapsedTimer elapsed;
    elapsed.start();
    QCOMPARE(client.waitForHello(waitMs).value(QStringLiteral("auth_required")), QJsonValue(true));

    QVERIFY(client.waitForDisconnected(waitMs));
    QCOMPARE(int(client.closeCode()), 4001);
    // Closed by the deadline, not at once.
    QVERIFY2(elapsed.elapsed() >= deadline.count() * 2 / 3,
             qPrintable(QString::number(elapsed.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->connectionCount(), 0, waitMs);
}

void tst_Access::nonLoopbackListenNeedsAToken()
{
    CommandBridgeServer *server = m_fixture->server();
    QVERIFY(!server->listen(QHostAddress::Any, 0));
    QVERIFY(!server->isListening());
    QVERIFY(!server->errorString().isEmpty());
    QVERIFY(!server->listen(QHostAddress::AnyIPv4, 0));
    QVERIFY(!server->isListening());

    ServerOptions options = server->options();
    options.token = QString::fromUtf8(theToken);
    server->setOptions(options);
    QVERIFY2(server->listen(QHostAddress::AnyIPv4, 0), qPrintable(server->errorString()));
    QVERIFY(server->isListening());
}

void tst_Access::nonLoopbackServerChecksTokenButNotHost()
{
    CommandBridgeServer *server = m_fixture->server();
    ServerOptions options = server->options();
    options.token = QString::fromUtf8(theToken);
    server->setOptions(options);
    QVERIFY2(server->listen(QHostAddress::AnyIPv4, 0), qPrintable(server->errorString()));

    // Reached by a LAN name, which loopback would refuse.
    const RawRequest list = RawRequest::get("/api/v1/commands").host("192.0.2.7:{port}");
    RawHttpClient allowed(port());
    allowed.send(withPort(list.bearer(theToken).bytes(), port()));
    QTRY_COMPARE_WITH_TIMEOUT(allowed.responses().size(), 1, waitMs);
    QCOMPARE(allowed.responses().constFirst().status, 200);

    RawHttpClient refused(port());
    refused.send(withPort(list.bytes(), port()));
    QTRY_COMPARE_WITH_TIMEOUT(refused.responses().size(), 1, waitMs);
    QCOMPARE(refused.responses().constFirst().status, 401);
    QCOMPARE(refused.responses().constFirst().json(), parse(unauthorizedBody()));
}

QTEST_MAIN(tst_Access)
#include "tst_access.moc"
