// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// REST routes of CommandBridgeServer (spec sections 1, 5, 6, 8 and 9), through real HTTP with
// QNetworkAccessManager against the demo commands on 127.0.0.1, port 0.

#include "democommands.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <algorithm>
#include <memory>

using namespace CommandBridge;

// Readable QCOMPARE failures for JSON (found by argument-dependent lookup).
char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

char *toString(const QJsonArray &array)
{
    return qstrdup(QJsonDocument(array).toJson(QJsonDocument::Compact).constData());
}

namespace {

constexpr int replyTimeoutMs = 10000;

/// Parses a JSON object written in a test table; an invalid literal is a bug in the test.
QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

/// \a expected with every string "*" replaced by the value at the same place in \a actual when
/// that is a non-empty string: for valijson's wording of schema problems, which is not ours.
QJsonValue withWildcards(const QJsonValue &expected, const QJsonValue &actual)
{
    if (expected.isString() && expected.toString() == QLatin1String("*")) {
        if (actual.isString() && !actual.toString().isEmpty())
            return actual;
        return expected;
    }
    if (expected.isObject() && actual.isObject()) {
        QJsonObject result = expected.toObject();
        const QJsonObject other = actual.toObject();
        for (auto it = result.begin(); it != result.end(); ++it)
            it.value() = withWildcards(it.value(), other.value(it.key()));
        return result;
    }
    if (expected.isArray() && actual.isArray()) {
        QJsonArray result = expected.toArray();
        const QJsonArray other = actual.toArray();
        for (qsizetype i = 0; i < result.size() && i < other.size(); ++i)
            result[i] = withWildcards(result.at(i), other.at(i));
        return result;
    }
    return expected;
}

/// The media type of a Content-Type value, without parameters.
QByteArray mediaTypeOf(const QByteArray &contentType)
{
    const qsizetype semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.left(semicolon)).trimmed().toLower();
}

struct HttpResponse
{
    bool finished = false;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    /// 0 when no HTTP response arrived.
    int status = 0;
    /// Content-Type without parameters.
    QByteArray mediaType;
    QByteArray body;

    bool bodyIsObject() const { return QJsonDocument::fromJson(body).isObject(); }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

/// Waits (on the reply's signal, bounded) until \a reply finished.
bool waitForFinished(QNetworkReply *reply, int timeoutMs = replyTimeoutMs)
{
    if (reply->isFinished())
        return true;
    QSignalSpy finished(reply, &QNetworkReply::finished);
    return finished.wait(timeoutMs) || reply->isFinished();
}

HttpResponse responseOf(QNetworkReply *reply, const QByteArray &bodyAlreadyRead = QByteArray())
{
    HttpResponse response;
    response.finished = reply->isFinished();
    response.error = reply->error();
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.mediaType = mediaTypeOf(reply->rawHeader("Content-Type"));
    response.body = bodyAlreadyRead + reply->readAll();
    return response;
}

struct ServerSentEvent
{
    QByteArray event;
    QJsonObject data;
};

/// Splits a text/event-stream body into its events; \a complete says whether it ended with a
/// whole event and every event had a JSON object as data.
QList<ServerSentEvent> parseEventStream(const QByteArray &body, bool *complete)
{
    QList<ServerSentEvent> events;
    *complete = body.isEmpty() || body.endsWith("\n\n");
    const QList<QByteArray> blocks = body.split('\n');
    ServerSentEvent current;
    QByteArray data;
    bool inEvent = false;
    for (const QByteArray &rawLine : blocks) {
        const QByteArray line = rawLine.endsWith('\r') ? rawLine.chopped(1) : rawLine;
        if (line.isEmpty()) {
            if (inEvent) {
                QJsonParseError error;
                const QJsonDocument document = QJsonDocument::fromJson(data, &error);
                if (error.error != QJsonParseError::NoError || !document.isObject())
                    *complete = false;
                current.data = document.object();
                events.append(current);
            }
            current = ServerSentEvent();
            data.clear();
            inEvent = false;
            continue;
        }
        if (line.startsWith(':'))
            continue;
        inEvent = true;
        const qsizetype colon = line.indexOf(':');
        const QByteArray field = colon < 0 ? line : line.left(colon);
        QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
        if (value.startsWith(' '))
            value.remove(0, 1);
        if (field == "event")
            current.event = value;
        else if (field == "data")
            data += data.isEmpty() ? value : "\n" + value;
    }
    return events;
}

/// One raw HTTP request on a thread of its own, read until the server closes the connection or
/// ends a chunked body (at most a minute).
class StreamReader : public QThread
{
public:
    StreamReader(quint16 port, const QByteArray &request)
        : m_port(port)
        , m_request(request)
    {
        start();
    }
    ~StreamReader() override { wait(); }

    /// Everything received; call it once isFinished().
    QByteArray received() const { return m_received; }

protected:
    void run() override
    {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_port);
        if (!socket.waitForConnected(replyTimeoutMs))
            return;
        socket.write(m_request);
        const QDeadlineTimer deadline(std::chrono::minutes(1));
        while (!m_received.endsWith("\r\n0\r\n\r\n") &&
               socket.waitForReadyRead(int(deadline.remainingTime())))
            m_received += socket.readAll();
        m_received += socket.readAll();
    }

private:
    const quint16 m_port;
    const QByteArray m_request;
    QByteArray m_received;
};

/// The body after a response head \a head: \a raw itself, or its chunks joined when chunked.
QByteArray dechunked(const QByteArray &raw, const QByteArray &head)
{
    if (!head.toLower().contains("\r\ntransfer-encoding: chunked"))
        return raw;
    QByteArray body;
    qsizetype at = 0;
    while (at < raw.size()) {
        const qsizetype lineEnd = raw.indexOf("\r\n", at);
        if (lineEnd < 0)
            break;
        const qsizetype size = raw.mid(at, lineEnd - at).toLongLong(nullptr, 16);
        if (size <= 0)
            break;
        body += raw.mid(lineEnd + 2, size);
        at = lineEnd + 2 + size + 2;
    }
    return body;
}

QStringList namesOf(const QJsonArray &commands)
{
    QStringList names;
    for (const QJsonValue &command : commands)
        names.append(command.toObject().value(QLatin1String("name")).toString());
    return names;
}

} // namespace

class RestRoutesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void listCommandsDescribesEveryDemoCommand();
    void runReturnsArgsAsTheHandlerSawThem_data();
    void runReturnsArgsAsTheHandlerSawThem();
    void runCountReturnsItsResult();
    void emptyBodyMeansEmptyArgs();
    void runHashOnTheWorkerPool();
    void errorsHaveTheirStatusAndJsonBody_data();
    void errorsHaveTheirStatusAndJsonBody();
    void schemaViolationListsEveryLeafProblem_data();
    void schemaViolationListsEveryLeafProblem();
    void bodyOverTheLimitIsRefusedWith413_data();
    void bodyOverTheLimitIsRefusedWith413();
    void bodyAtTheLimitIsAccepted();
    void restRequestsOverTheInFlightLimitAreBusy();
    void healthCountsConnectionsSessionsAndCommands();
    void streamSendsProgressEventsThenOneResult();
    void streamReaderThatKeepsUpReceivesEveryProgress_data();
    void streamReaderThatKeepsUpReceivesEveryProgress();
    void streamReaderThatPausesGetsTheNewestProgress_data();
    void streamReaderThatPausesGetsTheNewestProgress();
    void streamErrorsBeforeStartAreAnsweredAsPlainJson_data();
    void streamErrorsBeforeStartAreAnsweredAsPlainJson();
    void streamClientDisconnectCancelsTheCommand();
    void plainClientDisconnectCancelsTheCommand();
    void historyCommandsKeepStatePerSession();
    void historyKeepsItsNewestTurnsOnly();
    void shutdownAnswersOpenRequestsWithShuttingDown();

private:
    void startServer(const ServerOptions &options = ServerOptions());
    QUrl url(const QString &pathAndQuery) const;
    QNetworkReply *send(const QByteArray &verb, const QString &pathAndQuery,
                        const QByteArray &body = QByteArray(),
                        const QByteArray &sessionId = QByteArray());
    HttpResponse call(const QByteArray &verb, const QString &pathAndQuery,
                      const QByteArray &body = QByteArray(),
                      const QByteArray &sessionId = QByteArray());

    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<CommandBridgeServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
};

void RestRoutesTest::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    Demo::registerDemoCommands(*m_registry);
    QCOMPARE(m_registry->commandNames().size(), 8);
    startServer();
}

void RestRoutesTest::cleanup()
{
    m_network.reset();
    m_server.reset();
    m_registry.reset();
}

void RestRoutesTest::startServer(const ServerOptions &options)
{
    m_server.reset();
    m_network = std::make_unique<QNetworkAccessManager>();
    m_server = std::make_unique<CommandBridgeServer>(m_registry.get());
    m_server->setOptions(options);
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    QVERIFY(m_server->serverPort() != 0);
}

QUrl RestRoutesTest::url(const QString &pathAndQuery) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort()) + pathAndQuery);
}

/// Sends a request; a null \a sessionId sends no X-Session-Id header.
QNetworkReply *RestRoutesTest::send(const QByteArray &verb, const QString &pathAndQuery,
                                    const QByteArray &body, const QByteArray &sessionId)
{
    QNetworkRequest request(url(pathAndQuery));
    if (!sessionId.isNull())
        request.setRawHeader("X-Session-Id", sessionId);
    if (verb == "POST") {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        return m_network->post(request, body);
    }
    if (verb == "GET")
        return m_network->get(request);
    return m_network->sendCustomRequest(request, verb, body);
}

HttpResponse RestRoutesTest::call(const QByteArray &verb, const QString &pathAndQuery,
                                  const QByteArray &body, const QByteArray &sessionId)
{
    QNetworkReply *reply = send(verb, pathAndQuery, body, sessionId);
    waitForFinished(reply);
    const HttpResponse response = responseOf(reply);
    reply->deleteLater();
    return response;
}

void RestRoutesTest::listCommandsDescribesEveryDemoCommand()
{
    const HttpResponse response = call("GET", QStringLiteral("/api/v1/commands"));
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QVERIFY2(response.bodyIsObject(), response.body.constData());

    const QJsonObject body = response.json();
    QCOMPARE(body.keys(), QStringList{QStringLiteral("commands")});
    const QJsonArray commands = body.value(QLatin1String("commands")).toArray();
    QCOMPARE(namesOf(commands),
             (QStringList{QStringLiteral("broadcast"), QStringLiteral("compact"),
                          QStringLiteral("count"), QStringLiteral("echo"), QStringLiteral("fail"),
                          QStringLiteral("hash"), QStringLiteral("history.add"),
                          QStringLiteral("history.list")}));
    for (const QJsonValue &value : commands) {
        const QJsonObject command = value.toObject();
        const QString name = command.value(QLatin1String("name")).toString();
        QCOMPARE(command.keys(),
                 (QStringList{QStringLiteral("args_schema"), QStringLiteral("description"),
                              QStringLiteral("name"), QStringLiteral("timeout_ms")}));
        QVERIFY2(!command.value(QLatin1String("description")).toString().isEmpty(),
                 qPrintable(name));
        QVERIFY2(command.value(QLatin1String("args_schema")).isObject(), qPrintable(name));
        QVERIFY2(command.value(QLatin1String("timeout_ms")).toInteger() > 0, qPrintable(name));
    }
    // count's default timeout is 10 minutes (issue), and the wire shows what the registry holds.
    QCOMPARE(commands.at(2).toObject().value(QLatin1String("timeout_ms")).toInteger(), 600000);
    QCOMPARE(commands, m_registry->describeCommands());
}

void RestRoutesTest::runReturnsArgsAsTheHandlerSawThem_data()
{
    QTest::addColumn<QByteArray>("sessionId");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("expectedResult");

    QTest::newRow("no session, empty body") << QByteArray() << QByteArray() << QByteArray("{}");
    QTest::newRow("no session, args")
        << QByteArray() << QByteArray(R"({"a":1,"b":["x"]})") << QByteArray(R"({"a":1,"b":["x"]})");
    QTest::newRow("session injected into empty body")
        << QByteArray("client-1") << QByteArray() << QByteArray(R"({"session_id":"client-1"})");
    QTest::newRow("session injected into args") << QByteArray("A.b_c-9") << QByteArray(R"({"a":1})")
                                                << QByteArray(R"({"a":1,"session_id":"A.b_c-9"})");
    QTest::newRow("matching session_id kept")
        << QByteArray("s1") << QByteArray(R"({"session_id":"s1","n":2})")
        << QByteArray(R"({"session_id":"s1","n":2})");
    const QByteArray longest(128, 'z');
    QTest::newRow("128-character session id")
        << longest << QByteArray("{}") << QByteArray(R"({"session_id":")" + longest + R"("})");
}

void RestRoutesTest::runReturnsArgsAsTheHandlerSawThem()
{
    QFETCH(QByteArray, sessionId);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, expectedResult);

    const HttpResponse response =
        call("POST", QStringLiteral("/api/v1/commands/echo"), body, sessionId);
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"command":"echo","success":true,"result":)" + expectedResult + "}"));
}

void RestRoutesTest::runCountReturnsItsResult()
{
    const HttpResponse response =
        call("POST", QStringLiteral("/api/v1/commands/count"), R"({"to":3,"interval_ms":1})");
    QVERIFY(response.finished);
    QCOMPARE(response.error, QNetworkReply::NoError);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"command":"count","success":true,"result":{"counted":3}})"));
    QCOMPARE(m_server->inFlightCount(), 0);
}

void RestRoutesTest::emptyBodyMeansEmptyArgs()
{
    // count's defaults: to 10, interval_ms 100, so about a second.
    const HttpResponse response = call("POST", QStringLiteral("/api/v1/commands/count"));
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"command":"count","success":true,"result":{"counted":10}})"));
}

void RestRoutesTest::runHashOnTheWorkerPool()
{
    QByteArray block(2 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(i % 256);
    const QString sha256 =
        QString::fromLatin1(QCryptographicHash::hash(block, QCryptographicHash::Sha256).toHex());

    const HttpResponse response =
        call("POST", QStringLiteral("/api/v1/commands/hash"), R"({"mebibytes":2})");
    QVERIFY(response.finished);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QJsonObject expected = object(R"({"command":"hash","success":true})");
    expected.insert(QStringLiteral("result"),
                    QJsonObject{{QStringLiteral("sha256"), sha256},
                                {QStringLiteral("bytes"), 2 * 1024 * 1024}});
    QCOMPARE(response.json(), expected);
}

void RestRoutesTest::errorsHaveTheirStatusAndJsonBody_data()
{
    QTest::addColumn<QByteArray>("verb");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("sessionId");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expected");

    const QString echo = QStringLiteral("/api/v1/commands/echo");
    const QByteArray none;
    const QByteArray badSessionBody =
        R"({"command":"echo","success":false,"result":{"code":"bad_message",)"
        R"("message":"X-Session-Id must match [A-Za-z0-9._-]{1,128}"}})";
    const QByteArray badTimeoutBody =
        R"({"command":"count","success":false,"result":{"code":"bad_message",)"
        R"("message":"\"timeout_ms\" must be an integer of at least 1"}})";
    const auto wrongMethodBody = [](const char *method, const char *path) -> QByteArray {
        return QByteArray(R"({"success":false,"result":{"code":"method_not_allowed",)") +
               R"("message":"Method )" + method + " is not allowed on " + path + R"("}})";
    };

    QTest::newRow("unknown command")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/nope") << none << QByteArray("{}")
        << 404
        << QByteArray(R"({"command":"nope","success":false,"result":)"
                      R"({"code":"unknown_command","message":"Unknown command: nope"}})");
    QTest::newRow("body not JSON")
        << QByteArray("POST") << echo << none << QByteArray(R"({"a":)") << 400
        << QByteArray(R"({"command":"echo","success":false,"result":)"
                      R"({"code":"bad_message","message":"Body is not valid JSON"}})");
    QTest::newRow("body an array")
        << QByteArray("POST") << echo << none << QByteArray("[1,2]") << 400
        << QByteArray(R"({"command":"echo","success":false,"result":)"
                      R"({"code":"invalid_args","message":"Args must be a JSON object"}})");
    QTest::newRow("X-Session-Id with a space") << QByteArray("POST") << echo << QByteArray("bad id")
                                               << QByteArray("{}") << 400 << badSessionBody;
    QTest::newRow("X-Session-Id with a slash") << QByteArray("POST") << echo << QByteArray("a/b")
                                               << QByteArray("{}") << 400 << badSessionBody;
    QTest::newRow("X-Session-Id of 129 characters")
        << QByteArray("POST") << echo << QByteArray(129, 'a') << QByteArray("{}") << 400
        << badSessionBody;
    QTest::newRow("session mismatch")
        << QByteArray("POST") << echo << QByteArray("s1") << QByteArray(R"({"session_id":"s2"})")
        << 400
        << QByteArray(
               R"({"command":"echo","success":false,"result":{"code":"session_mismatch",)"
               R"("message":"args.session_id does not match the session of this request"}})");
    QTest::newRow("history.add without session")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/history.add") << none
        << QByteArray(R"({"text":"hi"})") << 400
        << QByteArray(R"({"command":"history.add","success":false,"result":{"code":"no_session",)"
                      R"("message":"Command history.add needs a session: send X-Session-Id"}})");
    QTest::newRow("history.list without session")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/history.list") << none
        << QByteArray() << 400
        << QByteArray(R"({"command":"history.list","success":false,"result":{"code":"no_session",)"
                      R"("message":"Command history.list needs a session: send X-Session-Id"}})");
    QTest::newRow("handler fails with not_found")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/fail") << none
        << QByteArray(R"({"code":"not_found","message":"No such thing"})") << 404
        << QByteArray(R"({"command":"fail","success":false,"result":)"
                      R"({"code":"not_found","message":"No such thing"}})");
    QTest::newRow("handler fails with conflict")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/fail") << none
        << QByteArray(R"({"code":"conflict","message":"Already there"})") << 409
        << QByteArray(R"({"command":"fail","success":false,"result":)"
                      R"({"code":"conflict","message":"Already there"}})");
    QTest::newRow("handler fails with failed")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/fail") << none << QByteArray()
        << 500
        << QByteArray(R"({"command":"fail","success":false,"result":)"
                      R"({"code":"failed","message":"Command failed"}})");
    QTest::newRow("handler fails with an unmapped code")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/fail") << none
        << QByteArray(R"({"code":"out_of_paper","message":"Printer empty"})") << 500
        << QByteArray(R"({"command":"fail","success":false,"result":)"
                      R"({"code":"out_of_paper","message":"Printer empty"}})");
    QTest::newRow("timeout")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/count?timeout_ms=50") << none
        << QByteArray(R"({"to":1000,"interval_ms":1000})") << 504
        << QByteArray(R"({"command":"count","success":false,"result":)"
                      R"({"code":"timeout","message":"Command timed out after 50 ms"}})");
    QTest::newRow("timeout_ms not a number")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/count?timeout_ms=abc") << none
        << QByteArray(R"({"to":1})") << 400 << badTimeoutBody;
    QTest::newRow("timeout_ms zero")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/count?timeout_ms=0") << none
        << QByteArray(R"({"to":1})") << 400 << badTimeoutBody;
    QTest::newRow("timeout_ms negative")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/count?timeout_ms=-5") << none
        << QByteArray(R"({"to":1})") << 400 << badTimeoutBody;
    QTest::newRow("timeout_ms fractional")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/count?timeout_ms=1.5") << none
        << QByteArray(R"({"to":1})") << 400 << badTimeoutBody;
    QTest::newRow("unknown path")
        << QByteArray("GET") << QStringLiteral("/api/v1/nothing") << none << QByteArray() << 404
        << QByteArray(R"({"success":false,"result":)"
                      R"({"code":"not_found","message":"No route for GET /api/v1/nothing"}})");
    QTest::newRow("root path")
        << QByteArray("GET") << QStringLiteral("/") << none << QByteArray() << 404
        << QByteArray(
               R"({"success":false,"result":{"code":"not_found","message":"No route for GET /"}})");
    QTest::newRow("path below a command")
        << QByteArray("POST") << QStringLiteral("/api/v1/commands/echo/extra") << none
        << QByteArray("{}") << 404
        << QByteArray(R"({"success":false,"result":{"code":"not_found",)"
                      R"("message":"No route for POST /api/v1/commands/echo/extra"}})");
    QTest::newRow("DELETE on the command list")
        << QByteArray("DELETE") << QStringLiteral("/api/v1/commands") << none << QByteArray() << 405
        << wrongMethodBody("DELETE", "/api/v1/commands");
    QTest::newRow("POST on health")
        << QByteArray("POST") << QStringLiteral("/api/v1/health") << none << QByteArray("{}") << 405
        << wrongMethodBody("POST", "/api/v1/health");
    QTest::newRow("GET on a command") << QByteArray("GET") << echo << none << QByteArray() << 405
                                      << wrongMethodBody("GET", "/api/v1/commands/echo");
    QTest::newRow("PUT on a command") << QByteArray("PUT") << echo << none << QByteArray("{}")
                                      << 405 << wrongMethodBody("PUT", "/api/v1/commands/echo");
    QTest::newRow("GET on a stream")
        << QByteArray("GET") << QStringLiteral("/api/v1/commands/count/stream") << none
        << QByteArray() << 405 << wrongMethodBody("GET", "/api/v1/commands/count/stream");
}

void RestRoutesTest::errorsHaveTheirStatusAndJsonBody()
{
    QFETCH(QByteArray, verb);
    QFETCH(QString, path);
    QFETCH(QByteArray, sessionId);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);

    const HttpResponse response = call(verb, path, body, sessionId);
    QVERIFY(response.finished);
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QVERIFY2(response.bodyIsObject(), response.body.constData());
    QCOMPARE(response.json(), object(expected));
    // Failed, timed-out and refused requests leave nothing running.
    QTRY_COMPARE(m_server->inFlightCount(), 0);
}

void RestRoutesTest::schemaViolationListsEveryLeafProblem_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QByteArray>("sessionId");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QStringList>("paths");

    const QByteArray none;
    const QString count = QStringLiteral("count");
    QTest::newRow("count to below minimum")
        << count << none << QByteArray(R"({"to":0})") << QStringList{QStringLiteral("/to")};
    QTest::newRow("count to above maximum")
        << count << none << QByteArray(R"({"to":1000001})") << QStringList{QStringLiteral("/to")};
    QTest::newRow("count to not an integer")
        << count << none << QByteArray(R"({"to":"ten"})") << QStringList{QStringLiteral("/to")};
    QTest::newRow("count two bad properties")
        << count << none << QByteArray(R"({"to":0,"interval_ms":-1})")
        << QStringList{QStringLiteral("/interval_ms"), QStringLiteral("/to")};
    QTest::newRow("hash mebibytes above maximum")
        << QStringLiteral("hash") << none << QByteArray(R"({"mebibytes":1025})")
        << QStringList{QStringLiteral("/mebibytes")};
    QTest::newRow("history.add empty text")
        << QStringLiteral("history.add") << QByteArray("h1") << QByteArray(R"({"text":""})")
        << QStringList{QStringLiteral("/text")};
    QTest::newRow("history.add text missing") << QStringLiteral("history.add") << QByteArray("h1")
                                              << QByteArray("{}") << QStringList{QString()};
    QTest::newRow("compact keep_recent negative")
        << QStringLiteral("compact") << QByteArray("h1") << QByteArray(R"({"keep_recent":-1})")
        << QStringList{QStringLiteral("/keep_recent")};
}

void RestRoutesTest::schemaViolationListsEveryLeafProblem()
{
    QFETCH(QString, command);
    QFETCH(QByteArray, sessionId);
    QFETCH(QByteArray, body);
    QFETCH(QStringList, paths);

    const HttpResponse response =
        call("POST", QStringLiteral("/api/v1/commands/") + command, body, sessionId);
    QVERIFY(response.finished);
    QCOMPARE(response.status, 400);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    const QJsonObject actual = response.json();

    // One {path, message} entry per leaf problem, whatever valijson's wording.
    QJsonArray details;
    QStringList actualPaths;
    const QJsonArray actualDetails =
        actual.value(QLatin1String("result")).toObject().value(QLatin1String("details")).toArray();
    for (const QJsonValue &detail : actualDetails)
        actualPaths.append(detail.toObject().value(QLatin1String("path")).toString());
    std::sort(actualPaths.begin(), actualPaths.end());
    QCOMPARE(actualPaths, paths);
    for (qsizetype i = 0; i < actualDetails.size(); ++i) {
        details.append(
            QJsonObject{{QStringLiteral("path"),
                         actualDetails.at(i).toObject().value(QLatin1String("path")).toString()},
                        {QStringLiteral("message"), QStringLiteral("*")}});
    }
    QJsonObject expected = object(R"({"success":false,"result":{"code":"invalid_args"}})");
    expected.insert(QStringLiteral("command"), command);
    QJsonObject result = expected.value(QLatin1String("result")).toObject();
    result.insert(QStringLiteral("message"),
                  QString(QStringLiteral("Args do not match the schema of ") + command));
    result.insert(QStringLiteral("details"), details);
    expected.insert(QStringLiteral("result"), result);
    QCOMPARE(actual, withWildcards(expected, actual).toObject());
}

void RestRoutesTest::bodyOverTheLimitIsRefusedWith413_data()
{
    QTest::addColumn<bool>("afterAnotherRequest");

    QTest::newRow("first request of the connection") << false;
    QTest::newRow("after a request on the same connection") << true;
}

void RestRoutesTest::bodyOverTheLimitIsRefusedWith413()
{
    QFETCH(bool, afterAnotherRequest);

    ServerOptions options;
    options.maxMessageBytes = 64;
    startServer(options);

    if (afterAnotherRequest) {
        const HttpResponse first = call("POST", QStringLiteral("/api/v1/commands/echo"), "{}");
        QCOMPARE(first.status, 200);
    }
    const QByteArray body = R"({"text":")" + QByteArray(200, 'x') + R"("})";
    const HttpResponse response = call("POST", QStringLiteral("/api/v1/commands/echo"), body);
    QVERIFY(response.finished);
    QCOMPARE(response.status, 413);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    // Spec section 9: a run's body always names the command, whichever layer refuses it.
    QCOMPARE(response.json(),
             object(R"({"command":"echo","success":false,"result":)"
                    R"({"code":"payload_too_large","message":"Body is larger than 64 bytes"}})"));
    QCOMPARE(m_server->inFlightCount(), 0);
}

void RestRoutesTest::bodyAtTheLimitIsAccepted()
{
    ServerOptions options;
    options.maxMessageBytes = 64;
    startServer(options);

    const QByteArray prefix = R"({"t":")";
    const QByteArray body = prefix + QByteArray(64 - prefix.size() - 2, 'x') + R"("})";
    QCOMPARE(body.size(), 64);
    const HttpResponse response = call("POST", QStringLiteral("/api/v1/commands/echo"), body);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json(), object(R"({"command":"echo","success":true,"result":)" + body + "}"));
}

void RestRoutesTest::restRequestsOverTheInFlightLimitAreBusy()
{
    ServerOptions options;
    options.maxRestInFlight = 1;
    startServer(options);

    QPointer<QNetworkReply> slow =
        send("POST", QStringLiteral("/api/v1/commands/count"), R"({"to":1000,"interval_ms":1000})");
    QTRY_COMPARE(m_server->inFlightCount(), 1);

    const HttpResponse busy = call("POST", QStringLiteral("/api/v1/commands/echo"), "{}");
    QVERIFY(busy.finished);
    QCOMPARE(busy.status, 503);
    QCOMPARE(busy.mediaType, QByteArray("application/json"));
    QCOMPARE(
        busy.json(),
        object(R"json({"command":"echo","success":false,"result":)json"
               R"json({"code":"busy","message":"Too many commands in flight (limit 1)"}})json"));
    QVERIFY(!slow->isFinished());
    QCOMPARE(m_server->inFlightCount(), 1);

    slow->abort();
    QTRY_COMPARE(m_server->inFlightCount(), 0);
    const HttpResponse afterwards = call("POST", QStringLiteral("/api/v1/commands/echo"), "{}");
    QCOMPARE(afterwards.status, 200);
    QCOMPARE(afterwards.json(), object(R"({"command":"echo","success":true,"result":{}})"));
}

void RestRoutesTest::healthCountsConnectionsSessionsAndCommands()
{
    const auto health = [this] {
        const HttpResponse response = call("GET", QStringLiteral("/api/v1/health"));
        if (response.status != 200 || response.mediaType != "application/json")
            qWarning("health answered %d %s", response.status, response.body.constData());
        return response.json();
    };
    const auto countsOf = [](const QJsonObject &health) {
        return QJsonObject{
            {QStringLiteral("status"), health.value(QLatin1String("status"))},
            {QStringLiteral("connections"), health.value(QLatin1String("connections"))},
            {QStringLiteral("sessions"), health.value(QLatin1String("sessions"))},
            {QStringLiteral("in_flight"), health.value(QLatin1String("in_flight"))}};
    };
    const auto expectedCounts = [](int connections, int sessions, int inFlight) {
        return QJsonObject{{QStringLiteral("status"), QStringLiteral("ok")},
                           {QStringLiteral("connections"), connections},
                           {QStringLiteral("sessions"), sessions},
                           {QStringLiteral("in_flight"), inFlight}};
    };

    // "connections" counts WebSocket connections; REST requests are not counted
    // (docs/protocol.md, health).
    const QJsonObject first = health();
    QCOMPARE(first.keys(), (QStringList{QStringLiteral("connections"), QStringLiteral("in_flight"),
                                        QStringLiteral("sessions"), QStringLiteral("status"),
                                        QStringLiteral("uptime_ms")}));
    QVERIFY(first.value(QLatin1String("uptime_ms")).isDouble());
    QVERIFY(first.value(QLatin1String("uptime_ms")).toDouble() >= 0);
    QCOMPARE(countsOf(first), expectedCounts(0, 0, 0));

    // A REST request with X-Session-Id creates its session.
    QCOMPARE(call("POST", QStringLiteral("/api/v1/commands/echo"), "{}", "health-rest").status,
             200);
    QCOMPARE(countsOf(health()), expectedCounts(0, 1, 0));

    QWebSocket socket;
    QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
    socket.open(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?session=health-ws").arg(m_server->serverPort())));
    QTRY_COMPARE(messages.size(), 1); // hello
    QCOMPARE(m_server->connectionCount(), 1);
    QCOMPARE(countsOf(health()), expectedCounts(1, 2, 0));

    // A REST command running counts as in flight.
    QPointer<QNetworkReply> running =
        send("POST", QStringLiteral("/api/v1/commands/count"), R"({"to":1000,"interval_ms":1000})");
    QTRY_COMPARE(m_server->inFlightCount(), 1);
    const QJsonObject busy = health();
    QCOMPARE(countsOf(busy), expectedCounts(1, 2, 1));
    QVERIFY(busy.value(QLatin1String("uptime_ms")).toDouble() >=
            first.value(QLatin1String("uptime_ms")).toDouble());

    running->abort();
    QTRY_COMPARE(m_server->inFlightCount(), 0);
    socket.close();
    QTRY_COMPARE(m_server->connectionCount(), 0);
    // Sessions outlive their connections for the idle time.
    QCOMPARE(countsOf(health()), expectedCounts(0, 2, 0));
}

void RestRoutesTest::streamSendsProgressEventsThenOneResult()
{
    QPointer<QNetworkReply> reply = send("POST", QStringLiteral("/api/v1/commands/count/stream"),
                                         R"({"to":4,"interval_ms":100})");
    QByteArray body;
    connect(reply, &QNetworkReply::readyRead, this, [&body, reply] { body += reply->readAll(); });

    // Streamed: the first event arrives while the command still runs.
    QTRY_VERIFY(body.contains("event: progress"));
    QVERIFY(!reply->isFinished());
    QCOMPARE(m_server->inFlightCount(), 1);
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(mediaTypeOf(reply->rawHeader("Content-Type")), QByteArray("text/event-stream"));

    // The stream ends by itself after the result.
    QVERIFY(waitForFinished(reply));
    body += reply->readAll();
    QCOMPARE(reply->error(), QNetworkReply::NoError);

    bool complete = false;
    const QList<ServerSentEvent> events = parseEventStream(body, &complete);
    QVERIFY2(complete, body.constData());
    QCOMPARE(events.size(), 5);
    double lastPercent = 0;
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(events.at(i).event, QByteArray("progress"));
        QCOMPARE(events.at(i).data,
                 QJsonObject({{QStringLiteral("type"), QStringLiteral("command_progress")},
                              {QStringLiteral("command"), QStringLiteral("count")},
                              {QStringLiteral("message"), QStringLiteral("step %1/4").arg(i + 1)},
                              {QStringLiteral("percent"), 25 * (i + 1)}}));
        const double percent = events.at(i).data.value(QLatin1String("percent")).toDouble();
        QVERIFY(percent >= lastPercent);
        lastPercent = percent;
    }
    QCOMPARE(events.at(4).event, QByteArray("result"));
    QCOMPARE(events.at(4).data, object(R"({"type":"command_result","command":"count",)"
                                       R"("success":true,"result":{"counted":4}})"));
    QTRY_COMPARE(m_server->inFlightCount(), 0);
}

void RestRoutesTest::streamReaderThatKeepsUpReceivesEveryProgress_data()
{
    QTest::addColumn<int>("networkThreads");
    QTest::newRow("no network thread") << 0;
    QTest::newRow("one network thread") << 1;
    QTest::newRow("two network threads") << 2;
}

void RestRoutesTest::streamReaderThatKeepsUpReceivesEveryProgress()
{
    QFETCH(int, networkThreads);
    ServerOptions options;
    options.networkThreads = networkThreads;
    // A small mark, so that every batch a network thread writes in one pass crosses it.
    options.outgoingHighWater = 16 * 1024;
    startServer(options);

    // Steps as fast as the handler's event loop turns: a network thread receives them in batches
    // and writes each in one pass, past the high-water mark, yet the reader keeps up, so none may
    // be coalesced.
    constexpr int steps = 20000;
    const QByteArray args =
        QByteArray(R"({"to":)") + QByteArray::number(steps) + R"(,"interval_ms":0})";
    // The reader has a thread of its own, as a client process would, so it never waits for the
    // handler's thread.
    StreamReader reader(m_server->serverPort(),
                        "POST /api/v1/commands/count/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: " +
                            QByteArray::number(args.size()) + "\r\n\r\n" + args);
    // The handler's thread runs its event loop without pauses (QTRY_ sleeps between passes).
    QEventLoop loop;
    connect(&reader, &QThread::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(std::chrono::minutes(1), &loop, &QEventLoop::quit);
    if (!reader.isFinished())
        loop.exec();
    QVERIFY(reader.isFinished());
    const QByteArray received = reader.received();
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    QVERIFY2(received.startsWith("HTTP/1.1 200 ") && headEnd > 0, received.left(200).constData());
    const QByteArray body = dechunked(received.mid(headEnd + 4), received.left(headEnd));

    bool complete = false;
    const QList<ServerSentEvent> events = parseEventStream(body, &complete);
    QVERIFY(complete);
    QCOMPARE(events.size(), steps + 1);
    for (int i = 0; i < steps; ++i) {
        const QString expected = QStringLiteral("step %1/%2").arg(i + 1).arg(steps);
        const QString message = events.at(i).data.value(QLatin1String("message")).toString();
        QVERIFY2(events.at(i).event == "progress" && message == expected,
                 qPrintable(QStringLiteral("event %1 is %2 %3")
                                .arg(i)
                                .arg(QString::fromLatin1(events.at(i).event), message)));
    }
    QCOMPARE(events.last().event, QByteArray("result"));
}

void RestRoutesTest::streamReaderThatPausesGetsTheNewestProgress_data()
{
    QTest::addColumn<int>("networkThreads");
    QTest::newRow("no network thread") << 0;
    QTest::newRow("one network thread") << 1;
}

void RestRoutesTest::streamReaderThatPausesGetsTheNewestProgress()
{
    QFETCH(int, networkThreads);
    ServerOptions options;
    options.networkThreads = networkThreads;
    options.outgoingHighWater = 16 * 1024;
    startServer(options);

    // About 13 MB of events, more than the kernel's buffers take (about 5 MB here): the rest is
    // coalesced while the reader pauses.
    constexpr int steps = 100000;
    const QByteArray args =
        QByteArray(R"({"to":)") + QByteArray::number(steps) + R"(,"interval_ms":0})";
    QTcpSocket reader;
    reader.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    reader.setReadBufferSize(4096);
    reader.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(reader.waitForConnected(replyTimeoutMs));
    reader.write("POST /api/v1/commands/count/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 "Content-Length: " +
                 QByteArray::number(args.size()) + "\r\n\r\n" + args);
    QTRY_COMPARE(m_server->inFlightCount(), 1);
    // The result is on its way once the command is no longer in flight.
    QTRY_COMPARE_WITH_TIMEOUT(m_server->inFlightCount(), 0, 60000);

    reader.setReadBufferSize(0);
    QByteArray received;
    const auto streamEnded = [&] {
        received += reader.readAll();
        return reader.state() != QAbstractSocket::ConnectedState ||
               received.endsWith("\r\n0\r\n\r\n");
    };
    QTRY_VERIFY_WITH_TIMEOUT(streamEnded(), 60000);
    received += reader.readAll();
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    QVERIFY2(received.startsWith("HTTP/1.1 200 ") && headEnd > 0, received.left(200).constData());
    bool complete = false;
    const QList<ServerSentEvent> events =
        parseEventStream(dechunked(received.mid(headEnd + 4), received.left(headEnd)), &complete);
    QVERIFY(complete);

    qInfo() << "a paused reader received" << events.size() - 1 << "of" << steps << "steps";
    QVERIFY2(events.size() > 1 && events.size() < steps,
             qPrintable(QString::number(events.size())));
    int lastStep = 0;
    for (qsizetype i = 0; i + 1 < events.size(); ++i) {
        QCOMPARE(events.at(i).event, QByteArray("progress"));
        const QString message = events.at(i).data.value(QLatin1String("message")).toString();
        const int step =
            message.section(QLatin1Char(' '), 1).section(QLatin1Char('/'), 0, 0).toInt();
        QVERIFY2(step > lastStep, qPrintable(message));
        lastStep = step;
    }
    // Coalescing keeps the newest: the last step comes, then the result.
    QCOMPARE(lastStep, steps);
    QCOMPARE(events.last().event, QByteArray("result"));
    QCOMPARE(events.last().data.value(QLatin1String("success")), QJsonValue(true));
}

void RestRoutesTest::streamErrorsBeforeStartAreAnsweredAsPlainJson_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QByteArray>("sessionId");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("unknown command")
        << QStringLiteral("nope") << QByteArray() << QByteArray("{}") << 404
        << QByteArray(R"({"command":"nope","success":false,"result":)"
                      R"({"code":"unknown_command","message":"Unknown command: nope"}})");
    QTest::newRow("bad args")
        << QStringLiteral("count") << QByteArray() << QByteArray("[]") << 400
        << QByteArray(R"({"command":"count","success":false,"result":)"
                      R"({"code":"invalid_args","message":"Args must be a JSON object"}})");
    QTest::newRow("body not JSON")
        << QStringLiteral("count") << QByteArray() << QByteArray("{") << 400
        << QByteArray(R"({"command":"count","success":false,"result":)"
                      R"({"code":"bad_message","message":"Body is not valid JSON"}})");
    QTest::newRow("no session")
        << QStringLiteral("compact") << QByteArray() << QByteArray("{}") << 400
        << QByteArray(R"({"command":"compact","success":false,"result":{"code":"no_session",)"
                      R"("message":"Command compact needs a session: send X-Session-Id"}})");
    QTest::newRow("session mismatch")
        << QStringLiteral("echo") << QByteArray("s1") << QByteArray(R"({"session_id":"s2"})") << 400
        << QByteArray(
               R"({"command":"echo","success":false,"result":{"code":"session_mismatch",)"
               R"("message":"args.session_id does not match the session of this request"}})");
}

void RestRoutesTest::streamErrorsBeforeStartAreAnsweredAsPlainJson()
{
    QFETCH(QString, command);
    QFETCH(QByteArray, sessionId);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QByteArray, expected);

    const HttpResponse response =
        call("POST", QStringLiteral("/api/v1/commands/%1/stream").arg(command), body, sessionId);
    QVERIFY(response.finished);
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QCOMPARE(response.json(), object(expected));
    QCOMPARE(m_server->inFlightCount(), 0);
}

void RestRoutesTest::streamClientDisconnectCancelsTheCommand()
{
    // 1000 steps of 100 ms: only a cancel ends it within the test's limits.
    QPointer<QNetworkReply> reply = send("POST", QStringLiteral("/api/v1/commands/count/stream"),
                                         R"({"to":1000,"interval_ms":100})");
    QByteArray body;
    connect(reply, &QNetworkReply::readyRead, this, [&body, reply] { body += reply->readAll(); });
    QTRY_VERIFY(body.contains("event: progress"));
    QCOMPARE(m_server->inFlightCount(), 1);

    reply->abort();
    QTRY_COMPARE(m_server->inFlightCount(), 0);
    // The server is still fine.
    QCOMPARE(call("GET", QStringLiteral("/api/v1/health")).status, 200);
}

void RestRoutesTest::plainClientDisconnectCancelsTheCommand()
{
    QPointer<QNetworkReply> reply =
        send("POST", QStringLiteral("/api/v1/commands/count"), R"({"to":1000,"interval_ms":100})");
    QTRY_COMPARE(m_server->inFlightCount(), 1);

    reply->abort();
    QTRY_COMPARE(m_server->inFlightCount(), 0);
    // Nothing was written to the gone client: the server still answers.
    const HttpResponse health = call("GET", QStringLiteral("/api/v1/health"));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value(QLatin1String("in_flight")).toInt(), 0);
    const HttpResponse echo = call("POST", QStringLiteral("/api/v1/commands/echo"), "{}");
    QCOMPARE(echo.status, 200);
}

void RestRoutesTest::historyKeepsItsNewestTurnsOnly()
{
    for (int i = 1; i <= Demo::maxHistoryTurns + 5; ++i) {
        const HttpResponse added = call("POST", QStringLiteral("/api/v1/commands/history.add"),
                                        R"({"text":")" + QByteArray::number(i) + R"("})", "long");
        QCOMPARE(
            added.json().value(QLatin1String("result")).toObject().value(QLatin1String("turns")),
            QJsonValue(std::min<int>(i, Demo::maxHistoryTurns)));
    }
    const QJsonArray turns =
        call("POST", QStringLiteral("/api/v1/commands/history.list"), "{}", "long")
            .json()
            .value(QLatin1String("result"))
            .toObject()
            .value(QLatin1String("turns"))
            .toArray();
    QCOMPARE(turns.size(), Demo::maxHistoryTurns);
    QCOMPARE(turns.first().toObject().value(QLatin1String("text")),
             QJsonValue(QStringLiteral("6")));
    QCOMPARE(turns.last().toObject().value(QLatin1String("text")),
             QJsonValue(QString::number(Demo::maxHistoryTurns + 5)));
}

void RestRoutesTest::historyCommandsKeepStatePerSession()
{
    const auto run = [this](const char *command, const QByteArray &body,
                            const QByteArray &session) {
        const HttpResponse response = call(
            "POST", QStringLiteral("/api/v1/commands/") + QLatin1String(command), body, session);
        if (response.status != 200)
            qWarning("%s answered %d %s", command, response.status, response.body.constData());
        return response.json();
    };
    const auto success = [](const char *command, const QByteArray &result) {
        return object(QByteArray(R"({"command":")") + command + R"(","success":true,"result":)" +
                      result + "}");
    };

    QCOMPARE(run("history.add", R"({"text":"one"})", "alice"),
             success("history.add", R"({"turns":1})"));
    QCOMPARE(run("history.add", R"({"text":"two"})", "alice"),
             success("history.add", R"({"turns":2})"));
    QCOMPARE(run("history.add", R"({"text":"three"})", "alice"),
             success("history.add", R"({"turns":3})"));
    QCOMPARE(run("history.add", R"({"text":"other"})", "bob"),
             success("history.add", R"({"turns":1})"));
    QCOMPARE(
        run("history.list", QByteArray(), "alice"),
        success("history.list", R"({"turns":[{"text":"one"},{"text":"two"},{"text":"three"}]})"));
    QCOMPARE(run("history.list", "{}", "carol"), success("history.list", R"({"turns":[]})"));

    QCOMPARE(run("compact", R"({"keep_recent":1})", "alice"),
             success("compact", R"({"compacted":true,"turns_compacted":2,"turns_after":2})"));
    const QJsonArray turns = run("history.list", "{}", "alice")
                                 .value(QLatin1String("result"))
                                 .toObject()
                                 .value(QLatin1String("turns"))
                                 .toArray();
    QCOMPARE(turns.size(), 2);
    QVERIFY(!turns.at(0).toObject().value(QLatin1String("text")).toString().isEmpty());
    QCOMPARE(turns.at(1).toObject(), object(R"({"text":"three"})"));

    // Nothing beyond keep_recent (default 2) to compact.
    QCOMPARE(run("compact", QByteArray(), "alice"),
             success("compact", R"({"compacted":false,"turns_compacted":0,"turns_after":2})"));
    QCOMPARE(run("history.list", "{}", "bob"),
             success("history.list", R"({"turns":[{"text":"other"}]})"));
}

void RestRoutesTest::shutdownAnswersOpenRequestsWithShuttingDown()
{
    QPointer<QNetworkReply> plain =
        send("POST", QStringLiteral("/api/v1/commands/count"), R"({"to":1000,"interval_ms":100})");
    QPointer<QNetworkReply> stream = send("POST", QStringLiteral("/api/v1/commands/count/stream"),
                                          R"({"to":1000,"interval_ms":100})");
    QByteArray streamBody;
    connect(stream, &QNetworkReply::readyRead, this,
            [&streamBody, stream] { streamBody += stream->readAll(); });
    QTRY_COMPARE(m_server->inFlightCount(), 2);
    QTRY_VERIFY(streamBody.contains("event: progress"));

    QSignalSpy finished(m_server.get(), &CommandBridgeServer::shutdownFinished);
    m_server->shutdown();

    QVERIFY(waitForFinished(plain));
    const HttpResponse response = responseOf(plain);
    QCOMPARE(response.status, 503);
    QCOMPARE(response.mediaType, QByteArray("application/json"));
    QCOMPARE(response.json(),
             object(R"({"command":"count","success":false,"result":)"
                    R"({"code":"shutting_down","message":"Server is shutting down"}})"));

    // A stream already under way ends with its shutting_down result.
    QVERIFY(waitForFinished(stream));
    streamBody += stream->readAll();
    bool complete = false;
    const QList<ServerSentEvent> events = parseEventStream(streamBody, &complete);
    QVERIFY2(complete, streamBody.constData());
    QVERIFY(!events.isEmpty());
    QCOMPARE(events.constLast().event, QByteArray("result"));
    QCOMPARE(events.constLast().data,
             object(R"({"type":"command_result","command":"count","success":false,)"
                    R"("result":{"code":"shutting_down","message":"Server is shutting down"}})"));
    for (qsizetype i = 0; i + 1 < events.size(); ++i)
        QCOMPARE(events.at(i).event, QByteArray("progress"));

    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(m_server->inFlightCount(), 0);
    // No new connections once shut down.
    const HttpResponse refused = call("GET", QStringLiteral("/api/v1/health"));
    QVERIFY(refused.finished);
    QCOMPARE(refused.status, 0);
    QVERIFY(refused.error != QNetworkReply::NoError);
}

QTEST_MAIN(RestRoutesTest)
#include "tst_restroutes.moc"
