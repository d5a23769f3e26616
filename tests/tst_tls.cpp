// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// ServerOptions::tls: https:// and wss:// on the one port, with a throwaway self-signed
// certificate that `openssl` makes at test time (nothing secret is kept in the repository).

#include "bridgefixture.h"
#include "rawwebsocket.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

const QByteArray theToken = QByteArrayLiteral("tls-Token_7");
constexpr int waitMs = 10000;

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

} // namespace

class tst_Tls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void serverUrlsUseSecureSchemes();
    void restRoundTripOverHttps_data();
    void restRoundTripOverHttps();
    void restClientThatDoesNotTrustTheCertificateFails();
    void webSocketRoundTripOverWss_data();
    void webSocketRoundTripOverWss();
    void wssClientThatDoesNotTrustTheCertificateFails();
    void framesOverWssAreCheckedAsOverWs();
    void plainHttpToTheTlsPortIsRefused_data();
    void plainHttpToTheTlsPortIsRefused();
    void plainWebSocketClientToTheTlsPortNeverConnects();
    void refusalIsReadableOverTls_data();
    void refusalIsReadableOverTls();
    void connectionBeyondTheLimitGets503OverTls();
    void connectionWithoutTlsHandshakeIsDropped();
    void tlsConnectionWithoutRequestIsDropped();

private:
    quint16 port() const { return m_fixture->server()->serverPort(); }
    void listen(const QString &token = QString());
    /// The errors of our self-signed certificate, which a client that knows it may ignore.
    QList<QSslError> expectedSslErrors() const;
    /// An encrypted raw connection that trusts our certificate.
    std::unique_ptr<QSslSocket> connectEncrypted();

    QTemporaryDir m_dir;
    QSslCertificate m_certificate;
    QSslKey m_key;
    std::unique_ptr<BridgeFixture> m_fixture;
};

void tst_Tls::initTestCase()
{
    QVERIFY2(QSslSocket::supportsSsl(),
             "Qt has no TLS backend here (install OpenSSL 3 for Qt's openssl plugin)");
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QVERIFY2(!openssl.isEmpty(), "the `openssl` command is needed: install the openssl package");
    QVERIFY(m_dir.isValid());

    const QString certificatePath = m_dir.filePath(QStringLiteral("certificate.pem"));
    const QString keyPath = m_dir.filePath(QStringLiteral("key.pem"));
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(openssl,
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                   QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"),
                   QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
                   QStringLiteral("-keyout"), keyPath, QStringLiteral("-out"), certificatePath});
    QVERIFY2(process.waitForFinished(60000), qPrintable(process.errorString()));
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             process.readAll().constData());

    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(certificatePath);
    QCOMPARE(certificates.size(), 1);
    m_certificate = certificates.constFirst();
    QFile keyFile(keyPath);
    QVERIFY(keyFile.open(QIODevice::ReadOnly));
    m_key = QSslKey(&keyFile, QSsl::Rsa, QSsl::Pem, QSsl::PrivateKey);
    QVERIFY(!m_key.isNull());
}

void tst_Tls::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(m_certificate);
    tls.setPrivateKey(m_key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_fixture->options().tls = tls;
}

void tst_Tls::cleanup()
{
    m_fixture.reset();
}

void tst_Tls::listen(const QString &token)
{
    m_fixture->options().token = token;
    QVERIFY2(m_fixture->listen(), qPrintable(m_fixture->server()->errorString()));
}

QList<QSslError> tst_Tls::expectedSslErrors() const
{
    return {QSslError(QSslError::SelfSignedCertificate, m_certificate)};
}

std::unique_ptr<QSslSocket> tst_Tls::connectEncrypted()
{
    auto socket = std::make_unique<QSslSocket>();
    socket->ignoreSslErrors(expectedSslErrors());
    socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port());
    return socket;
}

void tst_Tls::serverUrlsUseSecureSchemes()
{
    listen();
    QCOMPARE(m_fixture->server()->httpUrl(),
             QUrl(QStringLiteral("https://127.0.0.1:%1").arg(port())));
    QCOMPARE(m_fixture->server()->webSocketUrl(),
             QUrl(QStringLiteral("wss://127.0.0.1:%1/ws").arg(port())));
}

void tst_Tls::restRoundTripOverHttps_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("sendBearer");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("requestBody");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("responseBody");

    const QString token = QString::fromUtf8(theToken);
    QTest::newRow("GET health") << QString() << false << QStringLiteral("/api/v1/health")
                                << QByteArray() << 200 << QByteArray();
    QTest::newRow("POST run") << QString() << false << QStringLiteral("/api/v1/commands/quick")
                              << QByteArray(R"({"x":1})") << 200
                              << QByteArray(
                                     R"({"command":"quick","success":true,"result":{"x":1}})");
    QTest::newRow("POST run with the bearer")
        << token << true << QStringLiteral("/api/v1/commands/quick") << QByteArray(R"({"y":2})")
        << 200 << QByteArray(R"({"command":"quick","success":true,"result":{"y":2}})");
    QTest::newRow("POST run without the bearer")
        << token << false << QStringLiteral("/api/v1/commands/quick") << QByteArray("{}") << 401
        << QByteArray(R"({"command":"quick","success":false,"result":{"code":"unauthorized",)"
                      R"("message":"Missing or wrong bearer token"}})");
}

void tst_Tls::restRoundTripOverHttps()
{
    QFETCH(QString, token);
    QFETCH(bool, sendBearer);
    QFETCH(QString, path);
    QFETCH(QByteArray, requestBody);
    QFETCH(int, status);
    QFETCH(QByteArray, responseBody);
    listen(token);

    QUrl url = m_fixture->server()->httpUrl();
    QCOMPARE(url.scheme(), QStringLiteral("https"));
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (sendBearer)
        request.setRawHeader("Authorization", "Bearer " + theToken);

    QNetworkAccessManager manager;
    QNetworkReply *reply =
        requestBody.isEmpty() ? manager.get(request) : manager.post(request, requestBody);
    QList<QSslError> reported;
    connect(reply, &QNetworkReply::sslErrors, this,
            [&reported](const QList<QSslError> &errors) { reported += errors; });
    // Trust exactly this certificate's self-signedness, nothing else.
    reply->ignoreSslErrors(expectedSslErrors());
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, waitMs);

    QVERIFY2(reply->error() == QNetworkReply::NoError ||
                 reply->error() == QNetworkReply::AuthenticationRequiredError,
             qPrintable(reply->errorString()));
    QCOMPARE(reported, expectedSslErrors());
    QCOMPARE(reply->sslConfiguration().peerCertificate(), m_certificate);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
    QCOMPARE(reply->header(QNetworkRequest::ContentTypeHeader).toByteArray(),
             QByteArray("application/json"));
    const QJsonObject body = parse(reply->readAll());
    if (responseBody.isEmpty())
        QCOMPARE(body.value(QStringLiteral("status")), QJsonValue(QStringLiteral("ok")));
    else
        QCOMPARE(body, parse(responseBody));
    reply->deleteLater();
}

void tst_Tls::restClientThatDoesNotTrustTheCertificateFails()
{
    listen();
    QUrl url = m_fixture->server()->httpUrl();
    url.setPath(QStringLiteral("/api/v1/health"));
    QNetworkAccessManager manager;
    std::unique_ptr<QNetworkReply> reply(manager.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, waitMs);

    QCOMPARE(reply->error(), QNetworkReply::SslHandshakeFailedError);
    QVERIFY(reply->readAll().isEmpty());
}

void tst_Tls::webSocketRoundTripOverWss_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("query");
    QTest::addColumn<QByteArray>("authorization");

    const QString token = QString::fromUtf8(theToken);
    QTest::newRow("no token") << QString() << QString() << QByteArray();
    QTest::newRow("bearer header") << token << QString() << QByteArray("Bearer " + theToken);
    QTest::newRow("query token") << token
                                 << QString(QStringLiteral("token=") + QString::fromUtf8(theToken))
                                 << QByteArray();
}

void tst_Tls::webSocketRoundTripOverWss()
{
    QFETCH(QString, token);
    QFETCH(QString, query);
    QFETCH(QByteArray, authorization);
    listen(token);

    QUrl url = m_fixture->server()->webSocketUrl();
    QCOMPARE(url.scheme(), QStringLiteral("wss"));
    url.setQuery(query);
    QNetworkRequest request(url);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);

    WsClient client;
    QList<QSslError> reported;
    connect(client.socket(), &QWebSocket::sslErrors, this,
            [&reported](const QList<QSslError> &errors) { reported += errors; });
    client.socket()->ignoreSslErrors(expectedSslErrors());
    client.socket()->open(request);
    QVERIFY(client.waitForConnected(waitMs));
    QCOMPARE(reported, expectedSslErrors());
    QCOMPARE(client.socket()->sslConfiguration().peerCertificate(), m_certificate);

    const QJsonObject hello = client.waitForHello(waitMs);
    QCOMPARE(hello.value(QStringLiteral("type")), QJsonValue(QStringLiteral("hello")));
    QCOMPARE(hello.value(QStringLiteral("auth_required")), QJsonValue(false));
    QVERIFY(client.roundTrip(QStringLiteral("p"), waitMs));

    client.sendJson(commandMessage(
        QStringLiteral("s"), QStringLiteral("slow"),
        QJsonObject{{QStringLiteral("steps"), 2}, {QStringLiteral("interval_ms"), 10}}));
    const QJsonObject result =
        client.waitForType(QStringLiteral("command_result"), QStringLiteral("s"), waitMs);
    QCOMPARE(result, parse(R"({"type":"command_result","id":"s","command":"slow","success":true,)"
                           R"("result":{"steps":2}})"));
    const QList<QJsonObject> progress =
        client.messagesFor(QStringLiteral("command_progress"), QStringLiteral("s"));
    QCOMPARE(progress.size(), 2);
    QCOMPARE(progress.constLast().value(QStringLiteral("percent")), QJsonValue(100));
}

void tst_Tls::wssClientThatDoesNotTrustTheCertificateFails()
{
    listen();
    WsClient client;
    client.open(m_fixture->server()->webSocketUrl());
    QVERIFY(!client.waitForConnected(waitMs));
    QVERIFY(!client.wasConnected());
    QCOMPARE(client.messageCount(), 0);
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_Tls::framesOverWssAreCheckedAsOverWs()
{
    listen();
    std::unique_ptr<QSslSocket> socket = connectEncrypted();
    QVERIFY(QTest::qWaitFor([&socket] { return socket->isEncrypted(); }, waitMs));
    RawWebSocket client(std::move(socket));
    QVERIFY(client.open(port()));

    // A text message whose fragments split a character passes whole.
    const QByteArray ping = "{\"type\":\"ping\",\"id\":\"\xe2\x82\xac\"}";
    client.sendFragmented(RawWebSocket::Text, ping, {ping.indexOf('\xe2') + 1});
    QCOMPARE(client.waitForJson(1, waitMs).value(QStringLiteral("id")),
             QJsonValue(QStringLiteral("\u20ac")));

    // An unmasked frame closes the connection with 1002.
    client.sendFrame(RawWebSocket::Text, ping, true, false);
    QVERIFY(client.waitForClosed(waitMs));
    QCOMPARE(client.closeCode(), 1002);
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_Tls::plainHttpToTheTlsPortIsRefused_data()
{
    QTest::addColumn<QByteArray>("request");

    QTest::newRow("REST request") << QByteArray("GET /api/v1/health HTTP/1.1\r\n"
                                                "Host: 127.0.0.1:{port}\r\n\r\n");
    QTest::newRow("WebSocket upgrade")
        << QByteArray("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n");
}

void tst_Tls::plainHttpToTheTlsPortIsRefused()
{
    QFETCH(QByteArray, request);
    listen();

    QTcpSocket plain;
    QByteArray received;
    connect(&plain, &QTcpSocket::readyRead, this, [&] { received += plain.readAll(); });
    plain.connectToHost(QHostAddress::LocalHost, port());
    plain.write(request.replace("{port}", QByteArray::number(port())));

    // Closed because the bytes are not TLS, well before the 10 s head deadline.
    QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::UnconnectedState, 5000);
    QVERIFY2(!received.startsWith("HTTP/"), received.constData());
    QCOMPARE(m_fixture->server()->connectionCount(), 0);

    // The server goes on serving TLS clients.
    WsClient client;
    client.socket()->ignoreSslErrors(expectedSslErrors());
    client.open(m_fixture->server()->webSocketUrl());
    QVERIFY(client.waitForConnected(waitMs));
    QVERIFY(client.roundTrip(1, waitMs));
}

void tst_Tls::plainWebSocketClientToTheTlsPortNeverConnects()
{
    listen();
    QUrl url = m_fixture->server()->webSocketUrl();
    url.setScheme(QStringLiteral("ws"));
    WsClient client;
    client.open(url);
    QVERIFY(!client.waitForConnected(waitMs));
    QVERIFY(!client.wasConnected());
    QCOMPARE(client.messageCount(), 0);
    QCOMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_Tls::refusalIsReadableOverTls_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QByteArray>("statusLine");
    QTest::addColumn<QByteArray>("body");

    const QByteArray host = "Host: 127.0.0.1:{port}\r\n";
    const QByteArray upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                               "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                               "Sec-WebSocket-Version: 13\r\n";
    const QByteArray unauthorized =
        R"({"success":false,"result":{"code":"unauthorized","message":"Missing or wrong bearer token"}})";

    QTest::newRow("REST without the bearer")
        << QByteArray("GET /api/v1/commands HTTP/1.1\r\n" + host + "\r\n")
        << QByteArray("HTTP/1.1 401") << unauthorized;
    QTest::newRow("upgrade with a wrong bearer")
        << QByteArray("GET /ws HTTP/1.1\r\n" + host + upgrade + "Authorization: Bearer x\r\n\r\n")
        << QByteArray("HTTP/1.1 401") << unauthorized;
    QTest::newRow("REST from a foreign origin")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\n" + host +
                      "Origin: https://evil.example\r\n\r\n")
        << QByteArray("HTTP/1.1 403")
        << QByteArray(R"({"success":false,"result":{"code":"forbidden",)"
                      R"("message":"Origin \"https://evil.example\" is not allowed"}})");
    QTest::newRow("REST with a foreign Host")
        << QByteArray("GET /api/v1/health HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        << QByteArray("HTTP/1.1 403")
        << QByteArray(R"({"success":false,"result":{"code":"forbidden",)"
                      R"("message":"Host \"evil.example\" is not allowed"}})");
}

void tst_Tls::refusalIsReadableOverTls()
{
    QFETCH(QByteArray, request);
    QFETCH(QByteArray, statusLine);
    QFETCH(QByteArray, body);
    listen(QString::fromUtf8(theToken));

    std::unique_ptr<QSslSocket> client = connectEncrypted();
    QByteArray received;
    connect(client.get(), &QSslSocket::readyRead, this, [&] { received += client->readAll(); });
    client->write(request.replace("{port}", QByteArray::number(port())));

    QTRY_COMPARE_WITH_TIMEOUT(client->state(), QAbstractSocket::UnconnectedState, waitMs);
    QVERIFY2(received.startsWith(statusLine), received.constData());
    const qsizetype bodyStart = received.indexOf("\r\n\r\n");
    QVERIFY(bodyStart > 0);
    QCOMPARE(parse(received.mid(bodyStart + 4)), parse(body));
}

void tst_Tls::connectionBeyondTheLimitGets503OverTls()
{
    m_fixture->options().maxConnections = 1;
    listen();

    // The one slot: a kept-alive encrypted connection that was served.
    const QByteArray health =
        "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port()) + "\r\n\r\n";
    std::unique_ptr<QSslSocket> holder = connectEncrypted();
    QByteArray held;
    connect(holder.get(), &QSslSocket::readyRead, this, [&] { held += holder->readAll(); });
    holder->write(health);
    QTRY_VERIFY_WITH_TIMEOUT(held.startsWith("HTTP/1.1 200"), waitMs);

    // One more: the refusal is encrypted too, so the client can read it.
    std::unique_ptr<QSslSocket> extra = connectEncrypted();
    QSignalSpy encrypted(extra.get(), &QSslSocket::encrypted);
    QByteArray refused;
    connect(extra.get(), &QSslSocket::readyRead, this, [&] { refused += extra->readAll(); });
    QTRY_COMPARE_WITH_TIMEOUT(extra->state(), QAbstractSocket::UnconnectedState, waitMs);
    QCOMPARE(encrypted.size(), 1);
    QVERIFY2(refused.startsWith("HTTP/1.1 503"), refused.constData());
    const qsizetype bodyStart = refused.indexOf("\r\n\r\n");
    QVERIFY(bodyStart > 0);
    QVERIFY(refused.left(bodyStart).toLower().contains("content-type: application/json"));
    QCOMPARE(parse(refused.mid(bodyStart + 4)),
             parse(R"json({"success":false,"result":{"code":"busy",)json"
                   R"json("message":"Too many connections (limit 1)"}})json"));

    // The slot holder is still served.
    held.clear();
    holder->write(health);
    QTRY_VERIFY_WITH_TIMEOUT(held.startsWith("HTTP/1.1 200"), waitMs);
}

void tst_Tls::connectionWithoutTlsHandshakeIsDropped()
{
    constexpr auto deadline = 300ms;
    m_fixture->options().handshakeTimeout = deadline;
    listen();

    QTcpSocket idle;
    QByteArray received;
    connect(&idle, &QTcpSocket::readyRead, this, [&] { received += idle.readAll(); });
    idle.connectToHost(QHostAddress::LocalHost, port());
    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::ConnectedState, waitMs);
    QElapsedTimer elapsed;
    elapsed.start();

    QTRY_COMPARE_WITH_TIMEOUT(idle.state(), QAbstractSocket::UnconnectedState, waitMs);
    QVERIFY2(elapsed.elapsed() >= deadline.count() * 2 / 3,
             qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(received, QByteArray());
}

void tst_Tls::tlsConnectionWithoutRequestIsDropped()
{
    // Long enough for the TLS handshake itself on a slow (sanitizer) build.
    constexpr auto deadline = 1000ms;
    m_fixture->options().handshakeTimeout = deadline;
    listen();

    std::unique_ptr<QSslSocket> silent = connectEncrypted();
    QSignalSpy encrypted(silent.get(), &QSslSocket::encrypted);
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE_WITH_TIMEOUT(encrypted.size(), 1, waitMs);

    QTRY_COMPARE_WITH_TIMEOUT(silent->state(), QAbstractSocket::UnconnectedState, waitMs);
    QVERIFY2(elapsed.elapsed() >= deadline.count() * 2 / 3,
             qPrintable(QString::number(elapsed.elapsed())));
    QCOMPARE(silent->readAll(), QByteArray());
}

QTEST_MAIN(tst_Tls)
#include "tst_tls.moc"
