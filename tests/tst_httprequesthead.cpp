// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The router's HTTP request-head parser, without sockets: what it accepts, refuses and keeps.

#include "httprequesthead_p.h"

#include <QtCore/QUrl>
#include <QtTest/QTest>

using namespace CommandBridge;

Q_DECLARE_METATYPE(ParsedRequestHead::Status)

class tst_HttpRequestHead : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parsesAHead();
    void status_data();
    void status();
    void moreFieldsThanQHttpServerKeepsAreMalformed();
    void pathMatchesQUrl_data();
    void pathMatchesQUrl();
    void webSocketUpgradeIsRecognised_data();
    void webSocketUpgradeIsRecognised();
    void headEndIsTheFirstBlankLine();
};

void tst_HttpRequestHead::parsesAHead()
{
    const QByteArray buffer = "POST /api/v1/commands/echo?timeout_ms=5 HTTP/1.1\r\n"
                              "Host: 127.0.0.1:8080\r\n"
                              "Content-Type:application/json\r\n"
                              "X-Empty:\r\n"
                              "Content-Length:  16 \r\n\r\n"
                              R"({"text":"hello"})";
    const ParsedRequestHead parsed = parseRequestHead(buffer, 16 * 1024);
    QCOMPARE(parsed.status, ParsedRequestHead::Status::Complete);
    QCOMPARE(parsed.head.method, QByteArray("POST"));
    QCOMPARE(parsed.head.target, QByteArray("/api/v1/commands/echo?timeout_ms=5"));
    QCOMPARE(parsed.head.length, buffer.indexOf("\r\n\r\n") + 4);
    const QList<QPair<QByteArray, QByteArray>> headers = {
        {"host", "127.0.0.1:8080"},
        {"content-type", "application/json"},
        {"x-empty", ""},
        {"content-length", "16"},
    };
    QCOMPARE(parsed.head.headers, headers);
    QCOMPARE(parsed.head.contentLength(), std::optional<qint64>(16));
    QCOMPARE(parsed.head.path(), QStringLiteral("/api/v1/commands/echo"));
    QCOMPARE(parsed.head.header("host"), QByteArray("127.0.0.1:8080"));
    QVERIFY(!parsed.head.isWebSocketUpgrade());
}

void tst_HttpRequestHead::status_data()
{
    QTest::addColumn<QByteArray>("buffer");
    QTest::addColumn<ParsedRequestHead::Status>("status");

    using Status = ParsedRequestHead::Status;
    QTest::newRow("request line only") << QByteArray("GET / HTTP/1.1\r\n\r\n") << Status::Complete;
    QTest::newRow("HTTP/1.0") << QByteArray("GET /x HTTP/1.0\r\nA: b\r\n\r\n") << Status::Complete;
    QTest::newRow("no blank line yet")
        << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n") << Status::Incomplete;
    QTest::newRow("empty") << QByteArray() << Status::Incomplete;
    QTest::newRow("too large") << QByteArray("GET /" + QByteArray(70, 'a')) << Status::TooLarge;
    QTest::newRow("complete but too large")
        << QByteArray("GET /" + QByteArray(60, 'a') + " HTTP/1.1\r\n\r\n") << Status::TooLarge;
    QTest::newRow("two words") << QByteArray("GET /\r\n\r\n") << Status::Malformed;
    QTest::newRow("four words") << QByteArray("GET / x HTTP/1.1\r\n\r\n") << Status::Malformed;
    QTest::newRow("double space") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << Status::Malformed;
    QTest::newRow("no method") << QByteArray(" / HTTP/1.1\r\n\r\n") << Status::Malformed;
    QTest::newRow("target not a path") << QByteArray("GET x HTTP/1.1\r\n\r\n") << Status::Malformed;
    QTest::newRow("HTTP/2") << QByteArray("GET / HTTP/2\r\n\r\n") << Status::Malformed;
    QTest::newRow("header without colon")
        << QByteArray("GET / HTTP/1.1\r\nHost\r\n\r\n") << Status::Malformed;
    QTest::newRow("header without name")
        << QByteArray("GET / HTTP/1.1\r\n: x\r\n\r\n") << Status::Malformed;
    QTest::newRow("bare newline before the end")
        << QByteArray("GET / HTTP/1.1\n\r\n\r\n") << Status::Malformed;
    QTest::newRow("garbage") << QByteArray("\x16\x03\x01\x02\r\n\r\n") << Status::Malformed;
    // Heads another parser could frame differently (request smuggling): all refused.
    QTest::newRow("obs-fold") << QByteArray(
                                     "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n")
                              << Status::Malformed;
    QTest::newRow("obs-fold with a colon")
        << QByteArray("GET / HTTP/1.1\r\nA: b\r\n\tContent-Length: 5\r\n\r\n") << Status::Malformed;
    QTest::newRow("space before colon")
        << QByteArray("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n") << Status::Malformed;
    QTest::newRow("space in a name")
        << QByteArray("GET / HTTP/1.1\r\nContent Length: 5\r\n\r\n") << Status::Malformed;
    QTest::newRow("control in a value")
        << QByteArray("GET / HTTP/1.1\r\nA: b\x01c\r\n\r\n") << Status::Malformed;
    QTest::newRow("bare CR in a value")
        << QByteArray("GET / HTTP/1.1\r\nA: b\rContent-Length: 5\r\n\r\n") << Status::Malformed;
    QTest::newRow("bare LF between fields")
        << QByteArray("GET / HTTP/1.1\r\nA: b\nContent-Length: 5\r\n\r\n") << Status::Malformed;
    QTest::newRow("two equal Content-Lengths")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\n")
        << Status::Malformed;
    QTest::newRow("two different Content-Lengths")
        << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 30\r\n\r\n")
        << Status::Malformed;
    QTest::newRow("two Hosts")
        << QByteArray("GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n")
        << Status::Malformed;
    QTest::newRow("method not a token")
        << QByteArray("G(T / HTTP/1.1\r\n\r\n") << Status::Malformed;
    QTest::newRow("HTTP/1.2") << QByteArray("GET / HTTP/1.2\r\n\r\n") << Status::Malformed;
    QTest::newRow("control in the target")
        << QByteArray("GET /a\x7f HTTP/1.1\r\n\r\n") << Status::Malformed;
    // A path to us, a host and a path to QHttpServer's URL parser (found by tst_framingagreement).
    QTest::newRow("target starting with two slashes")
        << QByteArray("GET //api/v1/health HTTP/1.1\r\n\r\n") << Status::Malformed;
}

void tst_HttpRequestHead::status()
{
    QFETCH(QByteArray, buffer);
    QFETCH(ParsedRequestHead::Status, status);
    QCOMPARE(parseRequestHead(buffer, 64).status, status);
}

void tst_HttpRequestHead::moreFieldsThanQHttpServerKeepsAreMalformed()
{
    const auto withFields = [](qsizetype count) -> QByteArray {
        return "GET / HTTP/1.1\r\n" + QByteArray("A: b\r\n").repeated(count) + "\r\n";
    };
    QCOMPARE(parseRequestHead(withFields(maxHeaderFields), 16 * 1024).status,
             ParsedRequestHead::Status::Complete);
    QCOMPARE(parseRequestHead(withFields(maxHeaderFields + 1), 16 * 1024).status,
             ParsedRequestHead::Status::Malformed);
}

void tst_HttpRequestHead::pathMatchesQUrl_data()
{
    QTest::addColumn<QByteArray>("target");
    for (const char *target :
         {"/", "/api/v1/commands/echo", "/a-b_c.d~e/F9", "/./..//x", "/ws?session=abc",
          "/api/v1/commands/ec%68o", "/a#frag", "/caf%C3%A9", "/a b", "/%2F", "/a+b", "/a:b@c"}) {
        QTest::newRow(target) << QByteArray(target);
    }
}

void tst_HttpRequestHead::pathMatchesQUrl()
{
    QFETCH(QByteArray, target);
    HttpRequestHead head;
    head.target = target;
    QCOMPARE(head.path(), QUrl(QString::fromUtf8(target)).path());
}

void tst_HttpRequestHead::webSocketUpgradeIsRecognised_data()
{
    QTest::addColumn<QByteArray>("upgrade");
    QTest::addColumn<QByteArray>("connection");
    QTest::addColumn<bool>("isUpgrade");
    QTest::newRow("plain") << QByteArray("websocket") << QByteArray("Upgrade") << true;
    QTest::newRow("case and lists")
        << QByteArray("h2c, WebSocket") << QByteArray("keep-alive ,upgrade") << true;
    QTest::newRow("no upgrade header") << QByteArray() << QByteArray("Upgrade") << false;
    QTest::newRow("no connection header") << QByteArray("websocket") << QByteArray() << false;
    QTest::newRow("token inside a word")
        << QByteArray("websockets") << QByteArray("Upgrade") << false;
    QTest::newRow("empty items") << QByteArray(",,websocket,") << QByteArray(", upgrade") << true;
    QTest::newRow("other protocol") << QByteArray("h2c") << QByteArray("Upgrade") << false;
}

void tst_HttpRequestHead::webSocketUpgradeIsRecognised()
{
    QFETCH(QByteArray, upgrade);
    QFETCH(QByteArray, connection);
    QFETCH(bool, isUpgrade);
    HttpRequestHead head;
    if (!upgrade.isNull())
        head.headers.append({"upgrade", upgrade});
    if (!connection.isNull())
        head.headers.append({"connection", connection});
    QCOMPARE(head.isWebSocketUpgrade(), isUpgrade);
}

void tst_HttpRequestHead::headEndIsTheFirstBlankLine()
{
    // Every start and every cut of these agrees with QByteArrayView::indexOf.
    const QList<QByteArray> buffers = {
        "",
        "\r\n\r\n",
        "GET / HTTP/1.1\r\nA: b\r\n\r\nbody\r\n\r\n",
        "\n\r\n\r\r\n\r\n",
        "A: b\n\r\n\r\nx",
        "\r\r\n\n\r\n\r",
    };
    for (const QByteArray &buffer : buffers) {
        for (qsizetype cut = 0; cut <= buffer.size(); ++cut) {
            const QByteArrayView bytes = QByteArrayView(buffer).first(cut);
            for (qsizetype from = -1; from <= cut + 1; ++from) {
                QCOMPARE(indexOfHeadEnd(bytes, from),
                         bytes.indexOf("\r\n\r\n", std::max<qsizetype>(from, 0)));
            }
        }
    }
}

QTEST_GUILESS_MAIN(tst_HttpRequestHead)
#include "tst_httprequesthead.moc"
