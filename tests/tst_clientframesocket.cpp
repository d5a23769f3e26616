// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// What QWebSocket reads of a client, frame by frame on a raw connection: text messages whose
// fragments split UTF-8 characters pass whole, invalid UTF-8 still closes with 1007, an unmasked
// frame closes with 1002, and the size limits answer as before.

#include "bridgefixture.h"
#include "rawwebsocket.h"

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;

namespace {

constexpr qint64 largeMessageLimit = 4 * 1024 * 1024;

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// A `quick` command, which answers with its args, carrying \a text.
QByteArray echoCommand(const QString &text)
{
    return toJson(
        QJsonObject{{QStringLiteral("type"), QStringLiteral("command")},
                    {QStringLiteral("id"), 1},
                    {QStringLiteral("command"), QStringLiteral("quick")},
                    {QStringLiteral("args"), QJsonObject{{QStringLiteral("text"), text}}}});
}

/// One, two, three and four bytes in UTF-8: "a", "é", "€", "😀".
QString mixedText(qsizetype utf8Bytes)
{
    const QString pattern = QStringLiteral("a\u00e9\u20ac") + QString::fromUcs4(U"\U0001F600");
    return pattern.repeated(utf8Bytes / 10);
}

/// The length of the UTF-8 sequence a lead byte starts; 0 for a continuation byte.
int sequenceLength(char byte)
{
    const auto lead = quint8(byte);
    return lead < 0x80 ? 1 : lead < 0xC0 ? 0 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

/// Fragment ends for \a utf8, each \a offset bytes into a character \a length bytes long, with
/// fragments of varied sizes (one byte to 128 KiB, so every length encoding occurs).
QList<qsizetype> cutsInside(const QByteArray &utf8, int length, int offset)
{
    QRandomGenerator random(quint32(length * 10 + offset));
    QList<qsizetype> cuts;
    qsizetype next = random.bounded(1, 4096);
    for (qsizetype i = 0; i + length < utf8.size(); ++i) {
        if (i < next || sequenceLength(utf8.at(i)) != length)
            continue;
        cuts.append(i + offset);
        next = i + offset + random.bounded(1, 128 * 1024);
    }
    return cuts;
}

} // namespace

class tst_ClientFrameSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void textSplitInsideCharactersIsEchoed_data();
    void textSplitInsideCharactersIsEchoed();
    void textSplitAtEveryByteIsEchoed();
    void controlFramesBetweenFragmentsAreAnswered();
    void fragmentedAuthenticationIsAccepted();
    void invalidUtf8AcrossFragmentsClosesWith1007_data();
    void invalidUtf8AcrossFragmentsClosesWith1007();
    void invalidUtf8InOneFrameClosesWith1007();
    void fragmentedBinaryIsABadMessage();
    void unmaskedFrameClosesWith1002_data();
    void unmaskedFrameClosesWith1002();
    void fragmentedMessageLimitCountsBytes();
    void fragmentedMessageOverTheLimitClosesWith1009();

private:
    /// Listens and opens m_client.
    [[nodiscard]] bool open();

    std::unique_ptr<BridgeFixture> m_fixture;
    std::unique_ptr<RawWebSocket> m_client;
};

void tst_ClientFrameSocket::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().maxMessageBytes = largeMessageLimit;
    m_client = std::make_unique<RawWebSocket>();
}

void tst_ClientFrameSocket::cleanup()
{
    m_client.reset();
    m_fixture.reset();
}

bool tst_ClientFrameSocket::open()
{
    return m_fixture->listen() && m_client->open(m_fixture->server()->serverPort());
}

void tst_ClientFrameSocket::textSplitInsideCharactersIsEchoed_data()
{
    QTest::addColumn<int>("length");
    QTest::addColumn<int>("offset");

    for (int length = 2; length <= 4; ++length) {
        for (int offset = 1; offset < length; ++offset) {
            QTest::addRow("%d bytes into a %d-byte character", offset, length) << length << offset;
        }
    }
}

void tst_ClientFrameSocket::textSplitInsideCharactersIsEchoed()
{
    QFETCH(int, length);
    QFETCH(int, offset);
    QVERIFY(open());
    const QString text = mixedText(1024 * 1024);
    const QByteArray message = echoCommand(text);
    const QList<qsizetype> cuts = cutsInside(message, length, offset);
    QVERIFY2(cuts.size() > 10, qPrintable(QString::number(cuts.size())));

    m_client->sendFragmented(RawWebSocket::Text, message, cuts);
    const QJsonObject result = m_client->waitForJson(1, 30000);
    QCOMPARE(result.value(QStringLiteral("type")).toString(), QStringLiteral("command_result"));
    QCOMPARE(result.value(QStringLiteral("success")), QJsonValue(true));
    QVERIFY(result.value(QStringLiteral("result"))
                .toObject()
                .value(QStringLiteral("text"))
                .toString() == text);
    QVERIFY(!m_client->isDisconnected());
}

void tst_ClientFrameSocket::textSplitAtEveryByteIsEchoed()
{
    QVERIFY(open());
    const QString text = mixedText(200);
    const QByteArray message = echoCommand(text);
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < message.size(); ++i)
        cuts.append(i);

    m_client->sendFragmented(RawWebSocket::Text, message, cuts);
    const QJsonObject result = m_client->waitForJson(1);
    QCOMPARE(result.value(QStringLiteral("result")).toObject().value(QStringLiteral("text")),
             QJsonValue(text));
}

void tst_ClientFrameSocket::controlFramesBetweenFragmentsAreAnswered()
{
    QVERIFY(open());
    const QString text = mixedText(100);
    const QByteArray message = echoCommand(text);
    const qsizetype cut = message.indexOf("\xf0\x9f\x98\x80") + 2; // inside the first emoji

    m_client->sendFrame(RawWebSocket::Text, message.left(cut), false);
    m_client->sendFrame(RawWebSocket::Ping, "between");
    m_client->sendFrame(RawWebSocket::Continuation, message.mid(cut));

    const std::optional<RawWebSocket::Message> pong = m_client->waitForMessage(1);
    QVERIFY(pong);
    QCOMPARE(pong->opcode, quint8(RawWebSocket::Pong));
    QCOMPARE(pong->payload, QByteArray("between"));
    QCOMPARE(m_client->waitForJson(2)
                 .value(QStringLiteral("result"))
                 .toObject()
                 .value(QStringLiteral("text")),
             QJsonValue(text));
}

void tst_ClientFrameSocket::fragmentedAuthenticationIsAccepted()
{
    const QString token = QStringLiteral("t\u00f8ken-\u20ac");
    m_fixture->options().token = token;
    QVERIFY(open());
    const QByteArray auth = toJson(QJsonObject{{QStringLiteral("type"), QStringLiteral("auth")},
                                               {QStringLiteral("token"), token}});
    m_client->sendFragmented(RawWebSocket::Text, auth, {auth.indexOf("\xc3\xb8") + 1});
    QCOMPARE(m_client->waitForJson(1),
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("auth_result")},
                          {QStringLiteral("success"), true}}));
}

void tst_ClientFrameSocket::invalidUtf8AcrossFragmentsClosesWith1007_data()
{
    QTest::addColumn<QByteArray>("bad");
    QTest::addColumn<int>("cutAt");

    // Each inside a ping, which would be answered if the message passed.
    QTest::newRow("an incomplete character") << QByteArray("\xe2\x82") << 1;
    QTest::newRow("a byte no character starts with") << QByteArray("ab\xff") << 2;
    QTest::newRow("an overlong encoding") << QByteArray("\xc0\xaf") << 1;
    QTest::newRow("a surrogate") << QByteArray("\xed\xa0\x80") << 2;
    QTest::newRow("a stray continuation byte") << QByteArray("\xc3\xa9\xa9") << 1;
}

void tst_ClientFrameSocket::invalidUtf8AcrossFragmentsClosesWith1007()
{
    QFETCH(QByteArray, bad);
    QFETCH(int, cutAt);
    QVERIFY(open());
    const QByteArray ping = R"({"type":"ping","id":")" + bad + R"("})";
    m_client->sendFragmented(RawWebSocket::Text, ping, {ping.indexOf(bad) + cutAt});

    QVERIFY(m_client->waitForClosed());
    QCOMPARE(m_client->closeCode(), 1007);
    QCOMPARE(m_client->messages().size(), 2); // hello and the close frame
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_ClientFrameSocket::invalidUtf8InOneFrameClosesWith1007()
{
    QVERIFY(open());
    m_client->sendFrame(RawWebSocket::Text, R"({"type":"ping","id":"ab)"
                                            "\xe2\x82"
                                            R"("})");
    QVERIFY(m_client->waitForClosed());
    QCOMPARE(m_client->closeCode(), 1007);
    QCOMPARE(m_client->messages().size(), 2);
}

void tst_ClientFrameSocket::fragmentedBinaryIsABadMessage()
{
    QVERIFY(open());
    const QByteArray ping = R"({"type":"ping","id":2})";
    m_client->sendFragmented(RawWebSocket::Binary, ping, {5, 10});
    const QJsonObject error = m_client->waitForJson(1);
    QCOMPARE(error.value(QStringLiteral("type")).toString(), QStringLiteral("error"));
    QCOMPARE(error.value(QStringLiteral("code")).toString(), QStringLiteral("bad_message"));

    // The next text message is text again.
    m_client->sendFragmented(RawWebSocket::Text, ping, {5});
    QCOMPARE(
        m_client->waitForJson(2),
        (QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")}, {QStringLiteral("id"), 2}}));
}

void tst_ClientFrameSocket::unmaskedFrameClosesWith1002_data()
{
    QTest::addColumn<int>("fragmentsBefore");
    QTest::addColumn<int>("opcode");

    QTest::newRow("text") << 0 << int(RawWebSocket::Text);
    QTest::newRow("binary") << 0 << int(RawWebSocket::Binary);
    QTest::newRow("ping") << 0 << int(RawWebSocket::Ping);
    QTest::newRow("close") << 0 << int(RawWebSocket::Close);
    QTest::newRow("continuation after a masked fragment") << 1 << int(RawWebSocket::Continuation);
}

void tst_ClientFrameSocket::unmaskedFrameClosesWith1002()
{
    QFETCH(int, fragmentsBefore);
    QFETCH(int, opcode);
    QVERIFY(open());
    const QByteArray ping = R"({"type":"ping","id":3})";
    // A masked ping first: answered, so the connection worked until the unmasked frame.
    m_client->sendFrame(RawWebSocket::Text, ping);
    QCOMPARE(m_client->waitForJson(1).value(QStringLiteral("type")).toString(),
             QStringLiteral("pong"));

    if (fragmentsBefore > 0)
        m_client->sendFrame(RawWebSocket::Text, ping.left(5), false);
    const QByteArray payload =
        opcode == RawWebSocket::Close ? QByteArray("\x03\xe8", 2) : ping.mid(fragmentsBefore * 5);
    m_client->sendFrame(quint8(opcode), payload, true, false);
    // Whatever follows is not read either.
    m_client->sendFrame(RawWebSocket::Text, ping);

    QVERIFY(m_client->waitForClosed());
    QCOMPARE(m_client->closeCode(), 1002);
    QCOMPARE(m_client->closeReason(), QByteArray("Client frames must be masked"));
    QCOMPARE(m_client->messages().size(), 3); // hello, pong and the close frame
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_ClientFrameSocket::fragmentedMessageLimitCountsBytes()
{
    // 3000 bytes of UTF-8 but 1000 UTF-16 code units: the limit is in bytes, as for one frame.
    m_fixture->options().maxMessageBytes = 2048;
    QVERIFY(open());
    const QByteArray message = echoCommand(QString(1000, QChar(0x20ac)));
    m_client->sendFragmented(RawWebSocket::Text, message, {1001, 2002});
    QVERIFY(m_client->waitForClosed());
    QCOMPARE(m_client->closeCode(), 1009);

    m_client = std::make_unique<RawWebSocket>();
    QVERIFY(m_client->open(m_fixture->server()->serverPort()));
    const QString text(600, QChar(0x20ac));
    m_client->sendFragmented(RawWebSocket::Text, echoCommand(text), {1001});
    QCOMPARE(m_client->waitForJson(1)
                 .value(QStringLiteral("result"))
                 .toObject()
                 .value(QStringLiteral("text")),
             QJsonValue(text));
}

void tst_ClientFrameSocket::fragmentedMessageOverTheLimitClosesWith1009()
{
    m_fixture->options().maxMessageBytes = 1024;
    QVERIFY(open());
    const QByteArray message = echoCommand(QString(2000, QLatin1Char('x')));
    m_client->sendFragmented(RawWebSocket::Text, message, {500, 1000, 1500});
    QVERIFY(m_client->waitForClosed());
    QCOMPARE(m_client->closeCode(), 1009);
    QCOMPARE(m_client->closeReason(), QByteArray("Received message is too big."));
    QCOMPARE(m_client->messages().size(), 2);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList());
}

QTEST_GUILESS_MAIN(tst_ClientFrameSocket)
#include "tst_clientframesocket.moc"
