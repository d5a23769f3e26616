// AdmittedHttpSocket, the socket QHttpServer reads on Qt 6.4 and 6.8, over a real loopback
// connection and without QHttpServer: what it lets through, what it refuses, and that it behaves
// as the QIODevice both QHttpServer versions read (readAll, readLine, peek, transactions).

#include "admittedhttpsocket_p.h"

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

/// Refuses requests whose path is /forbidden, as RequestAdmission would.
std::optional<Refusal> admitAllButForbidden(const HttpRequestHead &head)
{
    if (head.path() == QLatin1String("/forbidden"))
        return Refusal(403, QStringLiteral("forbidden"), QStringLiteral("Not here"));
    return std::nullopt;
}

} // namespace

class tst_AdmittedHttpSocket : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void passesAdmittedRequestsWhole();
    void framesBodiesSoABodyIsNeverReadAsAHead();
    void readsLinePeeksAndRollsBackLikeASocket();
    void refusedRequestNeverReachesTheReaderAndIsAnswered();
    void writesGoToTheClient();
    void clientDisconnectIsReported();
    void isFoundByItsPeer();

private:
    /// Connects a client and wraps the server side of the connection.
    void connectPair();

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

void tst_AdmittedHttpSocket::connectPair()
{
    m_client = std::make_unique<QTcpSocket>();
    m_client->connectToHost(QHostAddress::LocalHost, m_server.serverPort());
    QVERIFY(m_server.waitForNewConnection(5000));
    QTcpSocket *transport = m_server.nextPendingConnection();
    QVERIFY(transport);
    m_socket = new AdmittedHttpSocket(transport, admitAllButForbidden);
    QCOMPARE(m_socket->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_socket->peerPort(), transport->peerPort());
    m_socket->startReading();
}

void tst_AdmittedHttpSocket::passesAdmittedRequestsWhole()
{
    QSignalSpy readyRead(m_socket.data(), &QIODevice::readyRead);
    m_client->write(health + echo);
    QTRY_COMPARE(m_socket->bytesAvailable(), qint64(health.size() + echo.size()));
    QVERIFY(readyRead.count() >= 1);
    QCOMPARE(m_socket->readAll(), health + echo);
    QCOMPARE(m_socket->bytesAvailable(), 0);
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
    QTRY_COMPARE(m_socket->bytesAvailable(), qint64(post.size() + health.size()));
    QCOMPARE(m_socket->readAll(), post + health);
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
    QTRY_VERIFY(m_client->bytesAvailable() > 0);
    QTRY_VERIFY(m_client->peek(1024).contains("\r\n\r\n{"));
    const QByteArray answer = m_client->readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 403 Forbidden\r\n"), answer.constData());
    QVERIFY(answer.contains("Connection: close\r\n"));
    QVERIFY(
        answer.endsWith(R"({"result":{"code":"forbidden","message":"Not here"},"success":false})"));
    // Only what came before the refusal was passed on.
    QCOMPARE(m_socket->readAll(), health);
    QTRY_COMPARE(m_client->state(), QAbstractSocket::UnconnectedState);
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
