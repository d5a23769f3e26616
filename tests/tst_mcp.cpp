// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// MCP over Streamable HTTP (spec section 11) through raw HTTP/1.1: what the official SDK client
// (tests/node/mcp) never sends or tolerates silently. Exact statuses and bodies of malformed
// JSON-RPC, the session header, notifications, tool results and errors, the guards REST has,
// progress as Server-Sent Events, and cancelling a call from another connection.

#include "bridgefixture.h"
#include "rawhttpclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/version.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtNetwork/QHostAddress>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>
#include <optional>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

// Readable QCOMPARE failures for JSON (found by argument-dependent lookup).
char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

namespace {

/// Time every wait may take before a test fails; the server answers in milliseconds.
constexpr int waitMs = 10000;
constexpr int parseError = -32700;
constexpr int invalidRequest = -32600;
constexpr int methodNotFound = -32601;
constexpr int invalidParams = -32602;
constexpr int serverUnavailable = -32000;
const QByteArray theToken = QByteArrayLiteral("mcp-Token_1");
const QByteArray bothTypes = QByteArrayLiteral("application/json, text/event-stream");
const QString newestVersion = QStringLiteral("2025-11-25");

using Headers = QList<QPair<QByteArray, QByteArray>>;

QJsonObject parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

/// A JSON-RPC request (or, without \a id, a notification) as the body of a POST /mcp.
QByteArray rpc(const QJsonValue &id, const QString &method, const QJsonObject &params = {})
{
    QJsonObject message{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                        {QStringLiteral("method"), method}};
    if (!id.isUndefined())
        message.insert(QStringLiteral("id"), id);
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    return compact(message);
}

QByteArray notification(const QString &method, const QJsonObject &params = {})
{
    return rpc(QJsonValue::Undefined, method, params);
}

QByteArray toolCall(const QJsonValue &id, const QString &name, const QJsonObject &arguments = {},
                    const QJsonValue &progressToken = QJsonValue::Undefined)
{
    QJsonObject params{{QStringLiteral("name"), name}, {QStringLiteral("arguments"), arguments}};
    if (!progressToken.isUndefined()) {
        params.insert(QStringLiteral("_meta"),
                      QJsonObject{{QStringLiteral("progressToken"), progressToken}});
    }
    return rpc(id, QStringLiteral("tools/call"), params);
}

QByteArray cancelled(const QJsonValue &requestId)
{
    return notification(QStringLiteral("notifications/cancelled"),
                        QJsonObject{{QStringLiteral("requestId"), requestId},
                                    {QStringLiteral("reason"), QStringLiteral("the test")}});
}

QJsonObject rpcResult(const QJsonValue &id, const QJsonObject &result)
{
    return QJsonObject{{QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
                       {QStringLiteral("id"), id},
                       {QStringLiteral("result"), result}};
}

QJsonObject rpcError(const QJsonValue &id, int code, const QString &message)
{
    return QJsonObject{
        {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
        {QStringLiteral("id"), id},
        {QStringLiteral("error"),
         QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

/// A tools/call result: \a structured as compact JSON text on success, else the message.
QJsonObject toolResult(const QJsonObject &structured, bool isError)
{
    const QString text = isError ? structured.value(QStringLiteral("message")).toString()
                                 : QString::fromUtf8(compact(structured));
    return QJsonObject{
        {QStringLiteral("content"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                {QStringLiteral("text"), text}}}},
        {QStringLiteral("structuredContent"), structured},
        {QStringLiteral("isError"), isError},
    };
}

/// The REST error body of a request refused before MCP sees it (docs/protocol.md section 3).
QJsonObject refusal(const QString &code, const QString &message)
{
    return QJsonObject{
        {QStringLiteral("success"), false},
        {QStringLiteral("result"),
         QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
}

/// An HTTP/1.1 request to /mcp. Host is 127.0.0.1:PORT unless \a headers name one ("" leaves it
/// out); a body gets its Content-Type and Content-Length.
QByteArray request(quint16 port, const QByteArray &method, const QByteArray &body,
                   const Headers &headers = {})
{
    QByteArray out = method + " /mcp HTTP/1.1\r\n";
    bool hostGiven = false;
    for (const auto &[name, value] : headers) {
        if (name.compare("Host", Qt::CaseInsensitive) == 0) {
            hostGiven = true;
            if (value.isEmpty())
                continue;
        }
        out += name + ": " + value + "\r\n";
    }
    if (!hostGiven)
        out += "Host: 127.0.0.1:" + QByteArray::number(port) + "\r\n";
    if (method == "POST") {
        out +=
            "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
            "\r\n";
    }
    return out + "\r\n" + body;
}

Headers sessionHeaders(const QByteArray &sessionId, const QByteArray &accept = bothTypes)
{
    Headers headers{{"Accept", accept}};
    if (!sessionId.isNull())
        headers.append({"Mcp-Session-Id", sessionId});
    return headers;
}

/// The bytes of a response without a Content-Length (a stream) once it ended: de-chunked when
/// it is chunked (Qt 6.8), else all bytes up to the server's close (Qt 6.4, which has no chunked
/// writer). Nothing while it goes on.
std::optional<QByteArray> streamedBody(const RawHttpClient &client)
{
    const QByteArray received = client.received();
    const qsizetype headEnd = received.indexOf("\r\n\r\n");
    if (headEnd < 0)
        return std::nullopt;
    const QByteArray head = received.left(headEnd).toLower();
    QByteArray rest = received.mid(headEnd + 4);
    if (!head.contains("\r\ntransfer-encoding: chunked")) {
        if (!client.isDisconnected())
            return std::nullopt;
        return rest;
    }
    QByteArray body;
    for (;;) {
        const qsizetype lineEnd = rest.indexOf("\r\n");
        if (lineEnd < 0)
            return std::nullopt;
        bool ok = false;
        const qsizetype size = rest.left(lineEnd).toLongLong(&ok, 16);
        if (!ok || rest.size() < lineEnd + 2 + size + 2)
            return std::nullopt;
        if (size == 0)
            return body;
        body += rest.mid(lineEnd + 2, size);
        rest.remove(0, lineEnd + 2 + size + 2);
    }
}

struct ServerSentEvent
{
    QByteArray event;
    QJsonObject data;
};

/// The events of a text/event-stream body, and its comment lines.
QList<ServerSentEvent> eventsOf(const QByteArray &body, QList<QByteArray> *comments = nullptr)
{
    QList<ServerSentEvent> events;
    const QList<QByteArray> blocks = body.split('\n');
    ServerSentEvent current;
    bool inEvent = false;
    for (const QByteArray &line : blocks) {
        if (line.isEmpty()) {
            if (inEvent)
                events.append(current);
            current = ServerSentEvent();
            inEvent = false;
        } else if (line.startsWith(':')) {
            if (comments)
                comments->append(line);
        } else if (line.startsWith("event: ")) {
            current.event = line.mid(7);
            inEvent = true;
        } else if (line.startsWith("data: ")) {
            current.data = parse(line.mid(6));
            inEvent = true;
        }
    }
    return events;
}

} // namespace

class tst_Mcp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // JSON-RPC framing.
    void malformedMessageIsAJsonRpcError_data();
    void malformedMessageIsAJsonRpcError();
    void unknownMethodIsMethodNotFound();
    void pingAnswersAnEmptyResult();
    void notificationsAndResponsesGet202WithNoBody_data();
    void notificationsAndResponsesGet202WithNoBody();

    // Sessions.
    void initializeNegotiatesTheProtocolVersion_data();
    void initializeNegotiatesTheProtocolVersion();
    void initializeOpensABridgeSession();
    void requestAfterInitializeNeedsAKnownSession_data();
    void requestAfterInitializeNeedsAKnownSession();
    void deleteEndsTheSession();
    void deleteCancelsTheSessionsCalls();
    void getIsMethodNotAllowed_data();
    void getIsMethodNotAllowed();
    void sessionLimitDropsIdleSessions_data();
    void sessionLimitDropsIdleSessions();

    // Tools.
    void toolsListHasOneToolPerCommand();
    void inputSchemaIsAlwaysAnObjectSchema();
    void toolsCallAnswersWithTheResult_data();
    void toolsCallAnswersWithTheResult();
    void nonObjectResultIsWrappedInStructuredContent_data();
    void nonObjectResultIsWrappedInStructuredContent();
    void toolsCallWithoutAKnownToolIsInvalidParams_data();
    void toolsCallWithoutAKnownToolIsInvalidParams();
    void toolCallsCountTowardTheRestInFlightLimit();

    // Progress and cancel.
    void progressIsAStreamOnlyWhenAskedFor_data();
    void progressIsAStreamOnlyWhenAskedFor();
    void cancelFromAnotherConnectionStopsTheCall_data();
    void cancelFromAnotherConnectionStopsTheCall();
    void cancelNeedsTheCallsSessionAndId();
    void shutdownAnswersRunningCallsWithAToolError_data();
    void shutdownAnswersRunningCallsWithAToolError();
    void serverGoingAwayEndsItsCalls();

    // The guards REST has.
    void refusedRequestGetsRestStatusAndBody_data();
    void refusedRequestGetsRestStatusAndBody();
    void requestWithTheTokenIsServed();

private:
    quint16 port() const { return m_fixture->server()->serverPort(); }
    void listen();
    /// Sends \a bytes on a new connection and waits for one response.
    HttpResponse exchange(const QByteArray &bytes);
    HttpResponse post(const QByteArray &body, const Headers &headers);
    /// A new MCP session's id, or an empty one (after a failed check) when initialize failed.
    QByteArray initialize(const Headers &headers = {});

    std::unique_ptr<BridgeFixture> m_fixture;
};

void tst_Mcp::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
}

void tst_Mcp::cleanup()
{
    m_fixture.reset();
}

void tst_Mcp::listen()
{
    QVERIFY2(m_fixture->listen(), qPrintable(m_fixture->server()->errorString()));
}

HttpResponse tst_Mcp::exchange(const QByteArray &bytes)
{
    RawHttpClient client(port());
    client.send(bytes);
    if (!QTest::qWaitFor([&client] { return !client.responses().isEmpty(); }, waitMs)) {
        qWarning("No response to: %s", bytes.constData());
        return HttpResponse();
    }
    return client.responses().constFirst();
}

HttpResponse tst_Mcp::post(const QByteArray &body, const Headers &headers)
{
    return exchange(request(port(), "POST", body, headers));
}

QByteArray tst_Mcp::initialize(const Headers &headers)
{
    const HttpResponse response =
        post(rpc(0, QStringLiteral("initialize"),
                 QJsonObject{{QStringLiteral("protocolVersion"), newestVersion},
                             {QStringLiteral("capabilities"), QJsonObject()},
                             {QStringLiteral("clientInfo"),
                              QJsonObject{{QStringLiteral("name"), QStringLiteral("tst_mcp")},
                                          {QStringLiteral("version"), QStringLiteral("1")}}}}),
             Headers{{"Accept", bothTypes}} + headers);
    if (response.status != 200) {
        qWarning("initialize answered %d: %s", response.status, response.body.constData());
        return QByteArray();
    }
    return response.headers.value("mcp-session-id");
}

void tst_Mcp::malformedMessageIsAJsonRpcError_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonObject>("answer");

    const QJsonValue null(QJsonValue::Null);
    const QString notJson = QStringLiteral("Parse error: the body is not JSON");
    const QString notObject = QStringLiteral("A message must be an object");
    const QString badVersion = QStringLiteral("\"jsonrpc\" must be \"2.0\"");
    const QString badId = QStringLiteral("\"id\" must be a string or an integer");
    const QString noMethod = QStringLiteral("\"method\" is missing");
    const QString badMethod = QStringLiteral("\"method\" must be a non-empty string");
    const QString badParams = QStringLiteral("\"params\" must be an object");

    QTest::newRow("not JSON") << QByteArray("{\"jsonrpc\":") << 400
                              << rpcError(null, parseError, notJson);
    QTest::newRow("empty body") << QByteArray() << 400 << rpcError(null, parseError, notJson);
    QTest::newRow("batch") << QByteArray(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])") << 400
                           << rpcError(null, invalidRequest,
                                       QStringLiteral("Batches are not supported"));
    QTest::newRow("string") << QByteArray(R"("ping")") << 400
                            << rpcError(null, invalidRequest, notObject);
    QTest::newRow("number") << QByteArray("1") << 400 << rpcError(null, invalidRequest, notObject);
    QTest::newRow("null") << QByteArray("null") << 400 << rpcError(null, invalidRequest, notObject);
    QTest::newRow("jsonrpc missing") << QByteArray(R"({"id":1,"method":"ping"})") << 400
                                     << rpcError(1, invalidRequest, badVersion);
    QTest::newRow("jsonrpc 1.0") << QByteArray(R"({"jsonrpc":"1.0","id":"a","method":"ping"})")
                                 << 400
                                 << rpcError(QStringLiteral("a"), invalidRequest, badVersion);
    QTest::newRow("jsonrpc a number") << QByteArray(R"({"jsonrpc":2.0,"id":1,"method":"ping"})")
                                      << 400 << rpcError(1, invalidRequest, badVersion);
    QTest::newRow("id a boolean") << QByteArray(R"({"jsonrpc":"2.0","id":true,"method":"ping"})")
                                  << 400 << rpcError(null, invalidRequest, badId);
    QTest::newRow("id an object") << QByteArray(R"({"jsonrpc":"2.0","id":{},"method":"ping"})")
                                  << 400 << rpcError(null, invalidRequest, badId);
    QTest::newRow("id a fraction") << QByteArray(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})")
                                   << 400 << rpcError(null, invalidRequest, badId);
    QTest::newRow("id null") << QByteArray(R"({"jsonrpc":"2.0","id":null,"method":"ping"})") << 400
                             << rpcError(null, invalidRequest, badId);
    QTest::newRow("id too large for a double")
        << QByteArray(R"({"jsonrpc":"2.0","id":9007199254740993,"method":"ping"})") << 400
        << rpcError(null, invalidRequest, badId);
    QTest::newRow("method missing") << QByteArray(R"({"jsonrpc":"2.0","id":1})") << 400
                                    << rpcError(1, invalidRequest, noMethod);
    QTest::newRow("method missing in a notification")
        << QByteArray(R"({"jsonrpc":"2.0"})") << 400 << rpcError(null, invalidRequest, noMethod);
    QTest::newRow("method a number") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":7})") << 400
                                     << rpcError(1, invalidRequest, badMethod);
    QTest::newRow("method empty") << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":""})") << 400
                                  << rpcError(1, invalidRequest, badMethod);
    QTest::newRow("params an array")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":[1]})") << 400
        << rpcError(1, invalidRequest, badParams);
    QTest::newRow("params a string")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"tools/list","params":"x"})") << 400
        << rpcError(1, invalidRequest, badParams);
}

/// Checked before the session: these are answered whatever the headers.
void tst_Mcp::malformedMessageIsAJsonRpcError()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QJsonObject, answer);
    listen();

    const HttpResponse response = post(body, {{"Accept", bothTypes}});
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), answer);
    QCOMPARE(m_fixture->server()->sessionCount(), 0);
}

void tst_Mcp::unknownMethodIsMethodNotFound()
{
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        post(rpc(7, QStringLiteral("resources/list")), sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json(),
             rpcError(7, methodNotFound, QStringLiteral("Unknown method: resources/list")));
}

void tst_Mcp::pingAnswersAnEmptyResult()
{
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        post(rpc(QStringLiteral("p-1"), QStringLiteral("ping")), sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.body, QByteArray(R"({"id":"p-1","jsonrpc":"2.0","result":{}})"));
}

void tst_Mcp::notificationsAndResponsesGet202WithNoBody_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("notifications/initialized")
        << notification(QStringLiteral("notifications/initialized"));
    QTest::newRow("notifications/cancelled of no call") << cancelled(99);
    QTest::newRow("notifications/cancelled without requestId")
        << notification(QStringLiteral("notifications/cancelled"));
    QTest::newRow("an unknown notification")
        << notification(QStringLiteral("notifications/roots/list_changed"));
    QTest::newRow("a result from the client")
        << QByteArray(R"({"jsonrpc":"2.0","id":5,"result":{}})");
    QTest::newRow("an error from the client")
        << QByteArray(R"({"jsonrpc":"2.0","id":"x","error":{"code":-1,"message":"no"}})");
}

void tst_Mcp::notificationsAndResponsesGet202WithNoBody()
{
    QFETCH(QByteArray, body);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response = post(body, sessionHeaders(session));
    QCOMPARE(response.status, 202);
    QCOMPARE(response.body, QByteArray());
}

void tst_Mcp::initializeNegotiatesTheProtocolVersion_data()
{
    QTest::addColumn<QJsonValue>("asked");
    QTest::addColumn<QString>("answered");

    QTest::newRow("2025-11-25") << QJsonValue(QStringLiteral("2025-11-25")) << newestVersion;
    QTest::newRow("2025-06-18") << QJsonValue(QStringLiteral("2025-06-18"))
                                << QStringLiteral("2025-06-18");
    QTest::newRow("2025-03-26") << QJsonValue(QStringLiteral("2025-03-26"))
                                << QStringLiteral("2025-03-26");
    QTest::newRow("a future version") << QJsonValue(QStringLiteral("2099-01-01")) << newestVersion;
    QTest::newRow("an older version") << QJsonValue(QStringLiteral("2024-11-05")) << newestVersion;
    QTest::newRow("none") << QJsonValue(QJsonValue::Undefined) << newestVersion;
    QTest::newRow("not a string") << QJsonValue(20250618) << newestVersion;
}

void tst_Mcp::initializeNegotiatesTheProtocolVersion()
{
    QFETCH(QJsonValue, asked);
    QFETCH(QString, answered);
    listen();

    QJsonObject params{{QStringLiteral("capabilities"), QJsonObject()}};
    if (!asked.isUndefined())
        params.insert(QStringLiteral("protocolVersion"), asked);
    const HttpResponse response = post(
        rpc(QStringLiteral("init"), QStringLiteral("initialize"), params), {{"Accept", bothTypes}});
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    const QJsonObject capabilities{
        {QStringLiteral("tools"), QJsonObject{{QStringLiteral("listChanged"), false}}}};
    const QJsonObject serverInfo{
        {QStringLiteral("name"), QStringLiteral("CommandBridge")},
        {QStringLiteral("version"), QStringLiteral(COMMANDBRIDGE_VERSION_STRING)}};
    QCOMPARE(response.json(), rpcResult(QStringLiteral("init"),
                                        QJsonObject{{QStringLiteral("protocolVersion"), answered},
                                                    {QStringLiteral("capabilities"), capabilities},
                                                    {QStringLiteral("serverInfo"), serverInfo}}));
}

void tst_Mcp::initializeOpensABridgeSession()
{
    listen();
    const QByteArray first = initialize();
    const QByteArray second = initialize();
    static const QRegularExpression sessionIdPattern(QStringLiteral("^[A-Za-z0-9._-]{1,128}$"));
    QVERIFY2(sessionIdPattern.match(QString::fromLatin1(first)).hasMatch(), first.constData());
    QVERIFY(!second.isEmpty());
    QVERIFY(first != second);
    QCOMPARE(m_fixture->server()->sessionCount(), 2);

    // A command that needs a session gets the MCP session; one sent in the args must match it.
    HttpResponse response =
        post(toolCall(1, QStringLiteral("needs_session")), sessionHeaders(first));
    QCOMPARE(response.json(), rpcResult(1, toolResult(QJsonObject{{QStringLiteral("session_id"),
                                                                   QString::fromLatin1(first)}},
                                                      false)));
    response =
        post(toolCall(2, QStringLiteral("needs_session"),
                      QJsonObject{{QStringLiteral("session_id"), QString::fromLatin1(second)}}),
             sessionHeaders(first));
    QCOMPARE(response.json(),
             rpcResult(2, toolResult(QJsonObject{{QStringLiteral("code"),
                                                  QStringLiteral("session_mismatch")},
                                                 {QStringLiteral("message"),
                                                  QStringLiteral("args.session_id does not match "
                                                                 "the session of this request")}},
                                     true)));

    // Session state is per MCP session.
    response = post(toolCall(3, QStringLiteral("session_set"),
                             QJsonObject{{QStringLiteral("key"), QStringLiteral("k")},
                                         {QStringLiteral("value"), 42}}),
                    sessionHeaders(first));
    QCOMPARE(response.status, 200);
    const auto valueIn = [this](const QByteArray &session) {
        return post(toolCall(4, QStringLiteral("session_get"),
                             QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}}),
                    sessionHeaders(session))
            .json()
            .value(QStringLiteral("result"))
            .toObject()
            .value(QStringLiteral("structuredContent"))
            .toObject()
            .value(QStringLiteral("value"));
    };
    QCOMPARE(valueIn(first), QJsonValue(42));
    QCOMPARE(valueIn(second), QJsonValue(QJsonValue::Undefined));
}

void tst_Mcp::requestAfterInitializeNeedsAKnownSession_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("session");
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonObject>("answer");

    const QString missing = QStringLiteral("Mcp-Session-Id is required after initialize");
    const QString unknown = QStringLiteral("Unknown MCP session: nope");
    const QJsonValue null(QJsonValue::Null);
    const QByteArray none;
    const QByteArray list = rpc(1, QStringLiteral("tools/list"));
    const QByteArray call = toolCall(QStringLiteral("c"), QStringLiteral("quick"));
    const QByteArray ping = rpc(2, QStringLiteral("ping"));
    const QByteArray initialized = notification(QStringLiteral("notifications/initialized"));

    QTest::newRow("tools/list without")
        << list << none << 400 << rpcError(1, invalidRequest, missing);
    QTest::newRow("tools/call without")
        << call << none << 400 << rpcError(QStringLiteral("c"), invalidRequest, missing);
    QTest::newRow("ping without") << ping << none << 400 << rpcError(2, invalidRequest, missing);
    QTest::newRow("notification without")
        << initialized << none << 400 << rpcError(null, invalidRequest, missing);
    QTest::newRow("empty") << list << QByteArray("") << 400 << rpcError(1, invalidRequest, missing);
    QTest::newRow("tools/list unknown")
        << list << QByteArray("nope") << 404 << rpcError(1, invalidRequest, unknown);
    QTest::newRow("tools/call unknown") << call << QByteArray("nope") << 404
                                        << rpcError(QStringLiteral("c"), invalidRequest, unknown);
    QTest::newRow("notification unknown")
        << initialized << QByteArray("nope") << 404 << rpcError(null, invalidRequest, unknown);
}

void tst_Mcp::requestAfterInitializeNeedsAKnownSession()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, session);
    QFETCH(int, status);
    QFETCH(QJsonObject, answer);
    listen();
    QVERIFY(!initialize().isEmpty());

    const HttpResponse response = post(body, sessionHeaders(session));
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), answer);
    QVERIFY(m_fixture->probe().startedCommands().isEmpty());
}

void tst_Mcp::deleteEndsTheSession()
{
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    const QJsonValue null(QJsonValue::Null);

    HttpResponse response = exchange(request(port(), "DELETE", QByteArray()));
    QCOMPARE(response.status, 400);
    QCOMPARE(response.json(),
             rpcError(null, invalidRequest, QStringLiteral("Mcp-Session-Id is required")));

    response = exchange(request(port(), "DELETE", QByteArray(), {{"Mcp-Session-Id", "nope"}}));
    QCOMPARE(response.status, 404);
    QCOMPARE(response.json(),
             rpcError(null, invalidRequest, QStringLiteral("Unknown MCP session: nope")));

    response = exchange(request(port(), "DELETE", QByteArray(), {{"Mcp-Session-Id", session}}));
    QCOMPARE(response.status, 204);
    QCOMPARE(response.body, QByteArray());

    const QString gone = QStringLiteral("Unknown MCP session: ") + QString::fromLatin1(session);
    response = post(rpc(1, QStringLiteral("tools/list")), sessionHeaders(session));
    QCOMPARE(response.status, 404);
    QCOMPARE(response.json(), rpcError(1, invalidRequest, gone));
    response = exchange(request(port(), "DELETE", QByteArray(), {{"Mcp-Session-Id", session}}));
    QCOMPARE(response.status, 404);
    QCOMPARE(response.json(), rpcError(null, invalidRequest, gone));
}

void tst_Mcp::deleteCancelsTheSessionsCalls()
{
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    RawHttpClient call(port());
    call.send(
        request(port(), "POST", toolCall(1, QStringLiteral("never")), sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));

    const HttpResponse response =
        exchange(request(port(), "DELETE", QByteArray(), {{"Mcp-Session-Id", session}}));
    QCOMPARE(response.status, 204);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->probe().cancelObserved.load(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 0, waitMs);
    QTRY_VERIFY_WITH_TIMEOUT(call.isDisconnected(), waitMs);
    QCOMPARE(call.received(), QByteArray());
}

void tst_Mcp::getIsMethodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");

    QTest::newRow("GET") << QByteArray("GET");
    QTest::newRow("PUT") << QByteArray("PUT");
    QTest::newRow("PATCH") << QByteArray("PATCH");
}

void tst_Mcp::getIsMethodNotAllowed()
{
    QFETCH(QByteArray, method);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        exchange(request(port(), method, QByteArray(),
                         {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session}}));
    QCOMPARE(response.status, 405);
    QCOMPARE(
        response.json(),
        refusal(
            QStringLiteral("method_not_allowed"),
            QStringLiteral("Method %1 is not allowed on /mcp").arg(QString::fromLatin1(method))));
}

void tst_Mcp::sessionLimitDropsIdleSessions_data()
{
    QTest::addColumn<int>("idleMs");
    QTest::addColumn<bool>("refused");

    QTest::newRow("none idle: the next initialize is refused") << 3600000 << true;
    QTest::newRow("all idle: they go for the next one") << 0 << false;
}

void tst_Mcp::sessionLimitDropsIdleSessions()
{
    QFETCH(int, idleMs);
    QFETCH(bool, refused);
    constexpr int limit = 1024;
    m_fixture->options().sessionIdleTime = std::chrono::milliseconds(idleMs);
    listen();

    // One kept-alive connection, the initialize requests pipelined: answered one after the other.
    RawHttpClient client(port());
    const QByteArray initializeRequest =
        request(port(), "POST",
                rpc(0, QStringLiteral("initialize"),
                    QJsonObject{{QStringLiteral("protocolVersion"), newestVersion}}),
                {{"Accept", bothTypes}});
    client.send(initializeRequest.repeated(limit));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), limit, 6 * waitMs);
    for (const HttpResponse &response : client.responses())
        QCOMPARE(response.status, 200);
    const QByteArray first = client.responses().constFirst().headers.value("mcp-session-id");
    const QByteArray last = client.responses().constLast().headers.value("mcp-session-id");
    QCOMPARE(m_fixture->server()->sessionCount(), limit);

    // The newest is in use, so it stays whatever the idle time.
    QCOMPARE(post(rpc(1, QStringLiteral("ping")), sessionHeaders(last)).status, 200);
    client.send(initializeRequest);
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), limit + 1, waitMs);
    const HttpResponse next = client.responses().constLast();
    if (refused) {
        QCOMPARE(next.status, 503);
        QCOMPARE(next.json(), rpcError(0, serverUnavailable,
                                       QStringLiteral("Too many MCP sessions (limit 1024)")));
        QCOMPARE(post(rpc(1, QStringLiteral("ping")), sessionHeaders(first)).status, 200);
    } else {
        QCOMPARE(next.status, 200);
        QCOMPARE(post(rpc(1, QStringLiteral("ping")), sessionHeaders(first)).status, 404);
    }
}

void tst_Mcp::toolsListHasOneToolPerCommand()
{
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        post(rpc(3, QStringLiteral("tools/list")), sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QJsonArray expected;
    for (const QJsonValue &value : m_fixture->registry()->describeCommands()) {
        const QJsonObject command = value.toObject();
        expected.append(QJsonObject{
            {QStringLiteral("name"), command.value(QStringLiteral("name"))},
            {QStringLiteral("description"), command.value(QStringLiteral("description"))},
            {QStringLiteral("inputSchema"), command.value(QStringLiteral("args_schema"))}});
    }
    QCOMPARE(expected.size(), BridgeFixture::commandNames().size());
    QCOMPARE(response.json(), rpcResult(3, QJsonObject{{QStringLiteral("tools"), expected}}));

    QJsonObject strict = BridgeFixture::strictSchema();
    QJsonObject properties = strict.value(QStringLiteral("properties")).toObject();
    properties.insert(QStringLiteral("session_id"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}});
    strict.insert(QStringLiteral("properties"), properties);
    for (const QJsonValue &tool : response.json()
                                      .value(QStringLiteral("result"))
                                      .toObject()
                                      .value(QStringLiteral("tools"))
                                      .toArray()) {
        if (tool[QStringLiteral("name")] == QStringLiteral("strict"))
            QCOMPARE(tool[QStringLiteral("inputSchema")].toObject(), strict);
    }
}

/// MCP clients require `"type": "object"` at the top of every inputSchema (the official SDK
/// refuses the whole tools/list otherwise); args are objects whatever the schema says.
void tst_Mcp::inputSchemaIsAlwaysAnObjectSchema()
{
    CommandDescriptor untyped;
    untyped.name = QStringLiteral("untyped");
    untyped.description = QStringLiteral("A schema without a type");
    untyped.argsSchema = QJsonObject{
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("n"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")}}}}},
        {QStringLiteral("required"), QJsonArray{QStringLiteral("n")}}};
    untyped.handler = [](CommandContext &context) {
        context.succeed(context.args());
    };
    QVERIFY2(m_fixture->registry()->registerCommand(untyped),
             qPrintable(m_fixture->registry()->errorString()));
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        post(rpc(3, QStringLiteral("tools/list")), sessionHeaders(session));
    QCOMPARE(response.status, 200);
    const QJsonArray tools =
        response.json()[QStringLiteral("result")][QStringLiteral("tools")].toArray();
    QCOMPARE(tools.size(), BridgeFixture::commandNames().size() + 1);
    for (const QJsonValue &tool : tools) {
        QCOMPARE(tool[QStringLiteral("inputSchema")][QStringLiteral("type")],
                 QJsonValue(QStringLiteral("object")));
    }

    const HttpResponse called =
        post(toolCall(4, QStringLiteral("untyped"), QJsonObject{{QStringLiteral("n"), 1}}),
             sessionHeaders(session));
    QCOMPARE(called.json(), rpcResult(4, toolResult(QJsonObject{{QStringLiteral("n"), 1},
                                                                {QStringLiteral("session_id"),
                                                                 QString::fromLatin1(session)}},
                                                    false)));
}

void tst_Mcp::toolsCallAnswersWithTheResult_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QJsonObject>("structured");
    QTest::addColumn<bool>("isError");

    // "{session}" stands for the MCP session id.
    QTest::newRow("success") << QByteArray(R"({"name":"quick","arguments":{"a":[1,"x"],"b":{}}})")
                             << parse(R"({"a":[1,"x"],"b":{},"session_id":"{session}"})") << false;
    QTest::newRow("success without arguments")
        << QByteArray(R"({"name":"quick"})") << parse(R"({"session_id":"{session}"})") << false;
    QTest::newRow("success with null arguments")
        << QByteArray(R"({"name":"quick","arguments":null})")
        << parse(R"({"session_id":"{session}"})") << false;
    QTest::newRow("success after steps") << QByteArray(R"({"name":"slow","arguments":{"steps":2}})")
                                         << parse(R"({"steps":2})") << false;
    QTest::newRow("failure") << QByteArray(R"({"name":"failing","arguments":{}})")
                             << parse(R"({"code":"not_found","message":"No such thing"})") << true;
    QTest::newRow("invalid arguments")
        << QByteArray(R"({"name":"strict","arguments":{"n":11,"s":"toolong","x":1}})")
        << parse(R"({"code":"invalid_args","message":"Args do not match the schema of strict",
                     "details":[{"path":"/n","message":"*"},{"path":"/s","message":"*"},
                                {"path":"","message":"*"}]})")
        << true;
    QTest::newRow("arguments not an object")
        << QByteArray(R"({"name":"quick","arguments":[1]})")
        << parse(R"({"code":"invalid_args","message":"Args must be a JSON object"})") << true;
    QTest::newRow("a handler that throws") << QByteArray(R"({"name":"throws"})")
                                           << parse(R"({"code":"internal","message":"*"})") << true;
}

void tst_Mcp::toolsCallAnswersWithTheResult()
{
    QFETCH(QByteArray, params);
    QFETCH(QJsonObject, structured);
    QFETCH(bool, isError);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());
    structured = parse(compact(structured).replace("{session}", session));

    const QByteArray body =
        R"({"jsonrpc":"2.0","id":11,"method":"tools/call","params":)" + params + "}";
    const HttpResponse response = post(body, sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QJsonObject answer = response.json();
    const QJsonObject result = answer.value(QStringLiteral("result")).toObject();
    const QJsonObject actual = result.value(QStringLiteral("structuredContent")).toObject();

    // "*" stands for wording that is not ours (valijson's, the exception's).
    if (structured.value(QStringLiteral("message")) == QStringLiteral("*"))
        structured.insert(QStringLiteral("message"), actual.value(QStringLiteral("message")));
    if (structured.contains(QStringLiteral("details"))) {
        QJsonArray details = structured.value(QStringLiteral("details")).toArray();
        const QJsonArray actualDetails = actual.value(QStringLiteral("details")).toArray();
        QCOMPARE(actualDetails.size(), details.size());
        for (qsizetype i = 0; i < details.size(); ++i) {
            QJsonObject detail = details.at(i).toObject();
            const QString message = actualDetails.at(i)[QStringLiteral("message")].toString();
            QVERIFY(!message.isEmpty());
            detail.insert(QStringLiteral("message"), message);
            details[i] = detail;
        }
        structured.insert(QStringLiteral("details"), details);
    }
    QCOMPARE(answer, rpcResult(11, toolResult(structured, isError)));
    if (!isError) {
        // The text is the compact JSON of the result, byte for byte.
        QCOMPARE(result[QStringLiteral("content")][0][QStringLiteral("text")].toString().toUtf8(),
                 compact(actual));
    }
    QCOMPARE(m_fixture->server()->inFlightCount(), 0);
}

void tst_Mcp::nonObjectResultIsWrappedInStructuredContent_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("text");

    QTest::newRow("number") << QJsonValue(42) << QByteArray("42");
    QTest::newRow("string") << QJsonValue(QStringLiteral("hi")) << QByteArray(R"("hi")");
    QTest::newRow("array") << QJsonValue(QJsonArray{1, QStringLiteral("x")})
                           << QByteArray(R"([1,"x"])");
    QTest::newRow("boolean") << QJsonValue(false) << QByteArray("false");
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << QByteArray("null");
}

/// structuredContent is an object in MCP: any other result comes as {"result": value}, and the
/// text is the value itself.
void tst_Mcp::nonObjectResultIsWrappedInStructuredContent()
{
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, text);
    CommandDescriptor constant;
    constant.name = QStringLiteral("constant");
    constant.handler = [value](CommandContext &context) {
        context.succeed(value);
    };
    QVERIFY(m_fixture->registry()->registerCommand(constant));
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const HttpResponse response =
        post(toolCall(1, QStringLiteral("constant")), sessionHeaders(session));
    const QJsonObject result{
        {QStringLiteral("content"),
         QJsonArray{QJsonObject{{QStringLiteral("type"), QStringLiteral("text")},
                                {QStringLiteral("text"), QString::fromUtf8(text)}}}},
        {QStringLiteral("structuredContent"), QJsonObject{{QStringLiteral("result"), value}}},
        {QStringLiteral("isError"), false},
    };
    QCOMPARE(response.json(), rpcResult(1, result));
}

void tst_Mcp::toolsCallWithoutAKnownToolIsInvalidParams_data()
{
    QTest::addColumn<QByteArray>("params");
    QTest::addColumn<QString>("message");

    const QString needsName = QStringLiteral("tools/call needs a string \"name\"");
    QTest::newRow("no params") << QByteArray("{}") << needsName;
    QTest::newRow("no name") << QByteArray(R"({"arguments":{}})") << needsName;
    QTest::newRow("name a number") << QByteArray(R"({"name":5})") << needsName;
    QTest::newRow("unknown tool") << QByteArray(R"({"name":"nope","arguments":{}})")
                                  << QStringLiteral("Unknown tool: nope");
}

void tst_Mcp::toolsCallWithoutAKnownToolIsInvalidParams()
{
    QFETCH(QByteArray, params);
    QFETCH(QString, message);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    const QByteArray body =
        R"({"jsonrpc":"2.0","id":"t","method":"tools/call","params":)" + params + "}";
    const HttpResponse response = post(body, sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json(), rpcError(QStringLiteral("t"), invalidParams, message));
    QVERIFY(m_fixture->probe().startedCommands().isEmpty());
}

void tst_Mcp::toolCallsCountTowardTheRestInFlightLimit()
{
    m_fixture->options().maxRestInFlight = 1;
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    RawHttpClient running(port());
    running.send(
        request(port(), "POST", toolCall(1, QStringLiteral("never")), sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);

    HttpResponse response = post(toolCall(2, QStringLiteral("quick")), sessionHeaders(session));
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json(), rpcError(2, serverUnavailable,
                                       QStringLiteral("Too many commands in flight (limit 1)")));
    response = exchange("POST /api/v1/commands/quick HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Content-Length: 2\r\n\r\n{}");
    QCOMPARE(response.status, 503);

    running.close();
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 0, waitMs);
    // The slot is free again once the call's connection is gone.
    QTRY_VERIFY_WITH_TIMEOUT(post(toolCall(3, QStringLiteral("quick")), sessionHeaders(session))
                                 .json()
                                 .contains(QStringLiteral("result")),
                             waitMs);
}

void tst_Mcp::progressIsAStreamOnlyWhenAskedFor_data()
{
    QTest::addColumn<QJsonValue>("token");
    QTest::addColumn<QByteArray>("accept");
    QTest::addColumn<bool>("stream");

    const QJsonValue none(QJsonValue::Undefined);
    QTest::newRow("string token, both types")
        << QJsonValue(QStringLiteral("tok")) << bothTypes << true;
    QTest::newRow("integer token, only the stream type")
        << QJsonValue(7) << QByteArray("text/event-stream") << true;
    QTest::newRow("no token") << none << bothTypes << false;
    QTest::newRow("token, JSON only")
        << QJsonValue(QStringLiteral("tok")) << QByteArray("application/json") << false;
    QTest::newRow("token, no Accept") << QJsonValue(QStringLiteral("tok")) << QByteArray() << false;
    QTest::newRow("token not a string or number")
        << QJsonValue(QJsonObject()) << bothTypes << false;
}

void tst_Mcp::progressIsAStreamOnlyWhenAskedFor()
{
    QFETCH(QJsonValue, token);
    QFETCH(QByteArray, accept);
    QFETCH(bool, stream);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    Headers headers{{"Mcp-Session-Id", session}};
    if (!accept.isEmpty())
        headers.append({"Accept", accept});
    RawHttpClient client(port());
    client.send(request(
        port(), "POST",
        toolCall(5, QStringLiteral("slow"),
                 QJsonObject{{QStringLiteral("steps"), 4}, {QStringLiteral("interval_ms"), 5}},
                 token),
        headers));
    QTRY_VERIFY_WITH_TIMEOUT(!client.responses().isEmpty(), waitMs);
    const HttpResponse response = client.responses().constFirst();
    QCOMPARE(response.status, 200);
    const QJsonObject answer =
        rpcResult(5, toolResult(QJsonObject{{QStringLiteral("steps"), 4}}, false));
    if (!stream) {
        QCOMPARE(response.mediaType(), QByteArray("application/json"));
        QCOMPARE(response.json(), answer);
        return;
    }

    QCOMPARE(response.mediaType(), QByteArray("text/event-stream"));
    std::optional<QByteArray> body;
    QTRY_VERIFY_WITH_TIMEOUT((body = streamedBody(client)).has_value(), waitMs);
    const QList<ServerSentEvent> events = eventsOf(*body);
    QCOMPARE(events.size(), 5);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(events.at(i).event, QByteArray("message"));
        const QJsonObject progress{
            {QStringLiteral("jsonrpc"), QStringLiteral("2.0")},
            {QStringLiteral("method"), QStringLiteral("notifications/progress")},
            {QStringLiteral("params"),
             QJsonObject{{QStringLiteral("progressToken"), token},
                         {QStringLiteral("progress"), 25 * (i + 1)},
                         {QStringLiteral("total"), 100},
                         {QStringLiteral("message"), QStringLiteral("step %1/4").arg(i + 1)}}}};
        QCOMPARE(events.at(i).data, progress);
    }
    QCOMPARE(events.at(4).event, QByteArray("message"));
    QCOMPARE(events.at(4).data, answer);
}

void tst_Mcp::cancelFromAnotherConnectionStopsTheCall_data()
{
    QTest::addColumn<bool>("stream");

    QTest::newRow("plain JSON call") << false;
    QTest::newRow("streamed call") << true;
}

/// No response follows a cancelled request (MCP): the plain call's connection closes with
/// nothing sent; the streamed call's stream ends with a comment and no response.
void tst_Mcp::cancelFromAnotherConnectionStopsTheCall()
{
    QFETCH(bool, stream);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    RawHttpClient call(port());
    call.send(request(port(), "POST",
                      toolCall(1, QStringLiteral("never"), {},
                               stream ? QJsonValue(QStringLiteral("p")) : QJsonValue::Undefined),
                      sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));
    if (stream)
        QTRY_COMPARE_WITH_TIMEOUT(call.responses().size(), 1, waitMs);

    const HttpResponse accepted = post(cancelled(1), sessionHeaders(session));
    QCOMPARE(accepted.status, 202);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->probe().cancelObserved.load(), 1, waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 0, waitMs);

    if (!stream) {
        QTRY_VERIFY_WITH_TIMEOUT(call.isDisconnected(), waitMs);
        QCOMPARE(call.received(), QByteArray());
        return;
    }
    QCOMPARE(call.responses().constFirst().status, 200);
    QCOMPARE(call.responses().constFirst().mediaType(), QByteArray("text/event-stream"));
    std::optional<QByteArray> body;
    QTRY_VERIFY_WITH_TIMEOUT((body = streamedBody(call)).has_value(), waitMs);
    QList<QByteArray> comments;
    QCOMPARE(eventsOf(*body, &comments).size(), 0);
    QCOMPARE(comments, QList<QByteArray>{": cancelled"});
}

/// A cancel names a request of its own session: the same id in another session, or the id as
/// a string instead of a number, is another request.
void tst_Mcp::cancelNeedsTheCallsSessionAndId()
{
    listen();
    const QByteArray session = initialize();
    const QByteArray other = initialize();
    QVERIFY(!session.isEmpty() && !other.isEmpty());

    RawHttpClient numbered(port());
    numbered.send(
        request(port(), "POST", toolCall(1, QStringLiteral("never")), sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));
    RawHttpClient named(port());
    named.send(request(port(), "POST", toolCall(QStringLiteral("1"), QStringLiteral("never")),
                       sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 2, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never"), 2));

    QCOMPARE(post(cancelled(QStringLiteral("1")), sessionHeaders(other)).status, 202);
    QCOMPARE(post(cancelled(1), sessionHeaders(other)).status, 202);
    QCOMPARE(post(cancelled(1), sessionHeaders(session)).status, 202);
    QTRY_VERIFY_WITH_TIMEOUT(numbered.isDisconnected(), waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QVERIFY(named.isConnected());

    QCOMPARE(post(cancelled(QStringLiteral("1")), sessionHeaders(session)).status, 202);
    QTRY_VERIFY_WITH_TIMEOUT(named.isDisconnected(), waitMs);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 0, waitMs);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 2);
}

void tst_Mcp::shutdownAnswersRunningCallsWithAToolError_data()
{
    QTest::addColumn<bool>("stream");

    QTest::newRow("plain JSON call") << false;
    QTest::newRow("streamed call") << true;
}

/// A running call gets its response, a tool error `shutting_down`: MCP wants one for every
/// request that was not cancelled.
void tst_Mcp::shutdownAnswersRunningCallsWithAToolError()
{
    QFETCH(bool, stream);
    listen();
    const QByteArray session = initialize();
    QVERIFY(!session.isEmpty());

    RawHttpClient call(port());
    call.send(request(port(), "POST",
                      toolCall(1, QStringLiteral("never"), {},
                               stream ? QJsonValue(QStringLiteral("p")) : QJsonValue::Undefined),
                      sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->inFlightCount(), 1, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));
    if (stream)
        QTRY_COMPARE_WITH_TIMEOUT(call.responses().size(), 1, waitMs);

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    const QJsonObject answer = rpcResult(
        1, toolResult(
               QJsonObject{{QStringLiteral("code"), QStringLiteral("shutting_down")},
                           {QStringLiteral("message"), QStringLiteral("Server is shutting down")}},
               true));
    if (stream) {
        std::optional<QByteArray> body;
        QTRY_VERIFY_WITH_TIMEOUT((body = streamedBody(call)).has_value(), waitMs);
        const QList<ServerSentEvent> events = eventsOf(*body);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.constFirst().data, answer);
    } else {
        QTRY_COMPARE_WITH_TIMEOUT(call.responses().size(), 1, waitMs);
        QCOMPARE(call.responses().constFirst().status, 200);
        QCOMPARE(call.responses().constFirst().json(), answer);
    }
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QCOMPARE(m_fixture->server()->inFlightCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, waitMs);
}

/// A call's sink dies with the server: its command must not outlive it (nor wait for its
/// timeout to call into it).
void tst_Mcp::serverGoingAwayEndsItsCalls()
{
    auto server = std::make_unique<CommandBridgeServer>(m_fixture->registry());
    server->setOptions(m_fixture->options());
    QVERIFY(server->listen(QHostAddress::LocalHost, 0));
    const quint16 serverPort = server->serverPort();

    RawHttpClient client(serverPort);
    client.send(request(serverPort, "POST",
                        rpc(0, QStringLiteral("initialize"),
                            QJsonObject{{QStringLiteral("protocolVersion"), newestVersion}}),
                        {{"Accept", bothTypes}}));
    QTRY_COMPARE_WITH_TIMEOUT(client.responses().size(), 1, waitMs);
    const QByteArray session = client.responses().constFirst().headers.value("mcp-session-id");
    QVERIFY(!session.isEmpty());
    client.send(
        request(serverPort, "POST", toolCall(1, QStringLiteral("never")), sessionHeaders(session)));
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->registry()->inFlightCount(), 1, waitMs);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));

    server.reset();
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->probe().cancelObserved.load(), 1, waitMs);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
}

void tst_Mcp::refusedRequestGetsRestStatusAndBody_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<Headers>("headers");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonObject>("answer");

    const QString token = QString::fromUtf8(theToken);
    const QByteArray ping = rpc(1, QStringLiteral("ping"));
    const QJsonObject unauthorized =
        refusal(QStringLiteral("unauthorized"), QStringLiteral("Missing or wrong bearer token"));
    const auto forbidden = [](const QString &what, const QString &value) {
        return refusal(QStringLiteral("forbidden"),
                       QStringLiteral("%1 \"%2\" is not allowed").arg(what, value));
    };

    QTest::newRow("no token") << token << Headers{} << ping << 401 << unauthorized;
    QTest::newRow("a wrong token")
        << token << Headers{{"Authorization", "Bearer wrong"}} << ping << 401 << unauthorized;
    QTest::newRow("a foreign Origin")
        << QString() << Headers{{"Origin", "http://evil.example"}} << ping << 403
        << forbidden(QStringLiteral("Origin"), QStringLiteral("http://evil.example"));
    QTest::newRow("a foreign Origin with the token")
        << token
        << Headers{{"Origin", "http://evil.example"}, {"Authorization", "Bearer " + theToken}}
        << ping << 403
        << forbidden(QStringLiteral("Origin"), QStringLiteral("http://evil.example"));
    QTest::newRow("a foreign Host")
        << QString() << Headers{{"Host", "evil.example"}} << ping << 403
        << forbidden(QStringLiteral("Host"), QStringLiteral("evil.example"));
    QTest::newRow("no Host") << QString() << Headers{{"Host", ""}} << ping << 403
                             << forbidden(QStringLiteral("Host"), QString());
    QTest::newRow("a body over the limit")
        << QString() << Headers{}
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"ping",)") + R"("params":{"pad":")" +
               QByteArray(1024, 'x') + "\"}}"
        << 413
        << refusal(QStringLiteral("payload_too_large"),
                   QStringLiteral("Body is larger than 1024 bytes"));
}

void tst_Mcp::refusedRequestGetsRestStatusAndBody()
{
    QFETCH(QString, token);
    QFETCH(Headers, headers);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QJsonObject, answer);
    m_fixture->options().token = token;
    m_fixture->options().maxMessageBytes = 1024;
    listen();

    const HttpResponse response = post(body, headers);
    QCOMPARE(response.status, status);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json(), answer);
    QCOMPARE(m_fixture->server()->sessionCount(), 0);
}

void tst_Mcp::requestWithTheTokenIsServed()
{
    m_fixture->options().token = QString::fromUtf8(theToken);
    m_fixture->options().allowedOrigins = {QStringLiteral("http://localhost:5173")};
    listen();
    const Headers withToken{{"Authorization", "Bearer " + theToken}};
    const QByteArray session = initialize(withToken + Headers{{"Origin", "http://localhost:5173"}});
    QVERIFY(!session.isEmpty());

    HttpResponse response =
        post(toolCall(1, QStringLiteral("quick")), sessionHeaders(session) + withToken);
    QCOMPARE(response.status, 200);
    QCOMPARE(response.json()[QStringLiteral("result")][QStringLiteral("isError")],
             QJsonValue(false));
    response = post(toolCall(1, QStringLiteral("quick")), sessionHeaders(session));
    QCOMPARE(response.status, 401);
    response = exchange(request(port(), "DELETE", QByteArray(), {{"Mcp-Session-Id", session}}));
    QCOMPARE(response.status, 401);
    response = exchange(
        request(port(), "DELETE", QByteArray(), Headers{{"Mcp-Session-Id", session}} + withToken));
    QCOMPARE(response.status, 204);
}

QTEST_GUILESS_MAIN(tst_Mcp)
#include "tst_mcp.moc"
