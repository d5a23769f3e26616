// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// AdmittedHttpSocket, the socket QHttpServer reads on Qt 6.4 and 6.8, over a real loopback
// connection and without QHttpServer (the test reads requests and writes answers as it would):
// what it lets through and when, what it refuses, when it closes, and that it behaves as the
// QIODevice both QHttpServer versions read (readAll, readLine, peek, transactions).

#include "admittedhttpsocket_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QPointer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;

namespace {

const QByteArray health = "GET /api/v1/health HTTP/1.1\r\nHost: localhost\r\n\r\n";
const QByteArray echo = "POST /api/v1/commands/echo HTTP/1.1\r\nHost: localhost\r\n"
                        "Content-Length: 8\r\n\r\n{\"a\":1}\n";
const QByteArray okAnswer = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            "Content-Length: 2\r\n\r\n{}";

/// Refuses requests whose path is /forbidden, as RequestAdmission would.
std::optional<Refusal> admitAllButForbidden(const HttpRequestHead &head)
{
    if (head.path() == QLatin1String("/forbidden"))
        return Refusal(Refusal::Rule::Host, 403, QStringLiteral("forbidden"),
                       QStringLiteral("Not here"));
    return std::nullopt;
}

} // namespace

class tst_AdmittedHttpSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void passesOneRequestAtATimeInOrder();
    void framesBodiesSoABodyIsNeverReadAsAHead();
    void chunkedAnswerEndsWithItsLastChunk();
    void interimContinueIsNotTheAnswer();
    void closesAfterAnsweringWhatEndsTheConnection_data();
    void closesAfterAnsweringWhatEndsTheConnection();
    void closesWhenIdle();
    void readsLinePeeksAndRollsBackLikeASocket();
    void refusedRequestNeverReachesTheReaderAndIsAnswered();
    void writesGoToTheClient();
    void clientDisconnectIsReported();
    void isFoundByItsPeer();

private:
    /// Connects a client and wraps the server side of the connection.
    void connectPair(const AdmittedHttpSocket::Limits &limits = AdmittedHttpSocket::Limits());
    /// Waits for \a request to be passed on whole, and reads it.
    void expectRequest(const QByteArray &request);

    QTcpServer m_server;
    std::unique_ptr<QTcpSocket> m_client;
    QPointer<AdmittedHttpSocket> m_socket;
};

void tst_AdmittedHttpSocket::init()
{
    QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
    connectPair();
}

void tst_AdmittedHttpSocket::cleanup()
{
    delete m_socket.data();
    m_client.reset();
    m_server.close();
}

void tst_AdmittedHttpSocket::expectRequest(const QByteArray &request)
{
    QTRY_COMPARE(m_socket->bytesAvailable(), qint64(request.size()));
    QCOMPARE(m_socket->readAll(), request);
}

void tst_AdmittedHttpSocket::connectPair(const AdmittedHttpSocket::Limits &limits)
{
    m_client = std::make_unique<QTcpSocket>();
    m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
    QVERIFY(m_server.waitForNewConnection(5000));
    QTcpSocket *transport = m_server.nextPendingConnection();
    QVERIFY(transport);
    m_socket = new AdmittedHttpSocket(transport, admitAllButForbidden, limits);
    QCOMPARE(m_socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_socket->peerPort(), transport->peerPort());
    m_socket->startReading();
}

void tst_AdmittedHttpSocket::passesOneRequestAtATimeInOrder()
{
    QSignalSpy readyRead(m_socket.data(), &QIODevice::readyRead);
    m_client->write(health + echo + health);
    expectRequest(health);
    QVERIFY(readyRead.count() >= 1);
    // The next request, in the same segment, waits for the answer to this one.
    QCOMPARE(m_socket->bytesAvailable(), 0);
    m_socket->write(okAnswer.left(10));
    m_socket->write(okAnswer.mid(10));
    expectRequest(echo);
    m_socket->write(okAnswer);
    expectRequest(health);
    QTRY_COMPARE(m_client->bytesAvailable(), qint64(2 * okAnswer.size()));
}

void tst_AdmittedHttpSocket::framesBodiesSoABodyIsNeverReadAsAHead()
{
    // A body that looks like a refused request is body, and passes; the head after it is checked.
    const QByteArray body = "GET /forbidden HTTP/1.1\r\n\r\n";
    const QByteArray post = "POST /api/v1/commands/echo HTTP/1.1\r\nHost: localhost\r\n"
                            "Content-Length: " +
                            QByteArray::number(body.size()) + "\r\n\r\n" + body;
    m_client->write(post.left(20));
    QTRY_COMPARE(m_client->bytesToWrite(), qint64(0));
    m_client->write(post.mid(20) + health);
    expectRequest(post);
    m_socket->write(okAnswer);
    expectRequest(health);
}

void tst_AdmittedHttpSocket::chunkedAnswerEndsWithItsLastChunk()
{
    m_client->write(health + echo);
    expectRequest(health);
    m_socket->write("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n");
    m_socket->write("5\r\nhello\r\n");
    m_socket->write("a\r\n0123456789\r\n0\r");
    // A finished answer passes the next request on in a queued call: run any.
    QCoreApplication::processEvents();
    QCOMPARE(m_socket->bytesAvailable(), 0);
    m_socket->write("\n\r\n");
    expectRequest(echo);
}

void tst_AdmittedHttpSocket::interimContinueIsNotTheAnswer()
{
    m_client->write(echo + health);
    expectRequest(echo);
    m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
    QCoreApplication::processEvents();
    QCOMPARE(m_socket->bytesAvailable(), 0);
    m_socket->write(okAnswer);
    expectRequest(health);
}

void tst_AdmittedHttpSocket::closesAfterAnsweringWhatEndsTheConnection_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<bool>("closes");
    QTest::newRow("HTTP/1.1") << health << false;
    QTest::newRow("Connection: close")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0") << QByteArray("GET /api/v1/health HTTP/1.0\r\n\r\n") << true;
    QTest::newRow("HTTP/1.0 keep-alive")
        << QByteArray("GET /api/v1/health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n") << false;
    // QHttpServer closes after a request it takes for a WebSocket upgrade, which it recognises by
    // "upgrade" anywhere in Connection (found by tst_framingagreement).
    QTest::newRow("WebSocket upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        << true;
    QTest::newRow("upgrade in a later Connection field")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nConnection: keep-alive\r\n"
                      "Connection: upgrade\r\n\r\n")
        << true;
    QTest::newRow("upgrade inside a Connection word")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nConnection: noupgrade\r\n\r\n") << true;
}

void tst_AdmittedHttpSocket::closesAfterAnsweringWhatEndsTheConnection()
{
    QFETCH(QByteArray, request);
    QFETCH(bool, closes);
    m_client->write(request + health);
    expectRequest(request);
    m_socket->write(okAnswer);
    if (closes) {
        QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
        QCOMPARE(m_client->readAll(), okAnswer);
        QCOMPARE(m_socket->bytesAvailable(), 0);
    } else {
        expectRequest(health);
        QCOMPARE(m_client->state(), QAbstractSocket::ConnectedState);
    }
}

void tst_AdmittedHttpSocket::closesWhenIdle()
{
    delete m_socket.data();
    connectPair({256 * 1024, std::chrono::milliseconds(200)});
    m_client->write(health);
    expectRequest(health);
    // Not idle while an answer is awaited: outlast the timeout twice to show it does not fire.
    QTest::qWait(400);
    QCOMPARE(m_client->state(), QAbstractSocket::ConnectedState);
    m_socket->write(okAnswer);
    QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_client->readAll(), okAnswer);
}

void tst_AdmittedHttpSocket::readsLinePeeksAndRollsBackLikeASocket()
{
    m_client->write(echo);
    QTRY_COMPARE(m_socket->bytesAvailable(), qint64(echo.size()));
    QVERIFY(m_socket->canReadLine());
    QCOMPARE(m_socket->peek(4), QByteArray("POST"));

    // Qt 6.8's QHttpServer reads a request inside a transaction.
    m_socket->startTransaction();
    QCOMPARE(m_socket->readLine(), QByteArray("POST /api/v1/commands/echo HTTP/1.1\r\n"));
    m_socket->rollbackTransaction();
    QCOMPARE(m_socket->bytesAvailable(), qint64(echo.size()));

    QByteArray lines;
    while (m_socket->canReadLine())
        lines += m_socket->readLine();
    QCOMPARE(lines, echo);
    QVERIFY(m_socket->atEnd());
}

void tst_AdmittedHttpSocket::refusedRequestNeverReachesTheReaderAndIsAnswered()
{
    m_client->write(health + "GET /forbidden HTTP/1.1\r\nHost: localhost\r\n\r\n" + health);
    expectRequest(health);
    // The refusal waits for the answer before it.
    m_socket->write(okAnswer);
    QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
    const QByteArray received = m_client->readAll();
    QVERIFY2(received.startsWith(QByteArray(okAnswer + "HTTP/1.1 403 Forbidden\r\n")),
             received.constData());
    QVERIFY(received.contains("Connection: close\r\n"));
    QVERIFY(received.endsWith(
        R"({"result":{"code":"forbidden","message":"Not here"},"success":false})"));
    // Nothing after the refused request was passed on.
    QCOMPARE(m_socket->bytesAvailable(), 0);
}

void tst_AdmittedHttpSocket::writesGoToTheClient()
{
    QSignalSpy written(m_socket.data(), &QIODevice::bytesWritten);
    QCOMPARE(m_socket->write("HTTP/1.1 204 No Content\r\n\r\n"), qint64(27));
    QTRY_COMPARE(m_client->bytesAvailable(), qint64(27));
    QCOMPARE(m_client->readAll(), QByteArray("HTTP/1.1 204 No Content\r\n\r\n"));
    QTRY_VERIFY(written.count() >= 1);
    QCOMPARE(m_socket->bytesToWrite(), 0);
}

void tst_AdmittedHttpSocket::clientDisconnectIsReported()
{
    QSignalSpy disconnected(m_socket.data(), &QAbstractSocket::disconnected);
    m_client->disconnectFromHost();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(m_socket->state(), QAbstractSocket::UnconnectedState);
    char byte = 0;
    QCOMPARE(m_socket->read(&byte, 1), qint64(-1));
}

void tst_AdmittedHttpSocket::isFoundByItsPeer()
{
    QCOMPARE(AdmittedHttpSocket::forPeer(m_socket->peerAddress(), m_socket->peerPort()),
             m_socket.data());
    QCOMPARE(
        AdmittedHttpSocket::forPeer(m_socket->peerAddress(), quint16(m_socket->peerPort() + 1)),
        nullptr);
    const QHostAddress address = m_socket->peerAddress();
    const quint16 port = m_socket->peerPort();
    delete m_socket.data();
    QCOMPARE(AdmittedHttpSocket::forPeer(address, port), nullptr);
}

QTEST_GUILESS_MAIN(tst_AdmittedHttpSocket)
#include "tst_admittedhttpsocket.moc"
