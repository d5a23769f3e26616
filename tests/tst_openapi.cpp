// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The OpenAPI document (spec section 12) through the real wire: its paths and operationIds, a
// command's parameters, body and responses, the security scheme with a token, commands
// registered after the start, and the draft 7 to 2020-12 schema rewrites. The npm validator and a
// client that reads only the document are in tests/node/openapi.

#include "democommands.h"
#include "openapi_p.h"
#include "rawhttpclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSet>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace Qt::StringLiterals;

// Readable QCOMPARE failures for JSON (found by argument-dependent lookup).
char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

namespace {

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

constexpr const char *referencesSchema = R"({
    "type": "object",
    "definitions": {
        "name": {"type": "string"},
        "pair": {"type": "array", "items": [{"$ref": "#/definitions/name"}, {"type": "integer"}]}
    },
    "properties": {
        "first": {"$ref": "#/definitions/name"},
        "second": {"$ref": "#/definitions/pair/items/0"},
        "pair": {"$ref": "#/definitions/pair"}
    }
})";

QJsonObject refTo(const QString &target)
{
    return QJsonObject{{u"$ref"_s, target}};
}

QJsonValue resolve(const QJsonValue &root, const QString &pointer)
{
    QJsonValue node = root;
    const QStringList tokens = pointer.split(u'/', Qt::SkipEmptyParts);
    for (QString token : tokens) {
        token.replace(u"~1"_s, u"/"_s).replace(u"~0"_s, u"~"_s);
        node = node.isArray() ? node.toArray().at(token.toInt()) : node.toObject().value(token);
    }
    return node;
}

/// Every "$ref" in \a value, with where it is.
void collectReferences(const QJsonValue &value, const QString &at,
                       QList<std::pair<QString, QString>> &references)
{
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            collectReferences(array.at(i), at + u'/' + QString::number(i), references);
        return;
    }
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.key() == u"$ref"_s && it.value().isString())
            references.append({at, it.value().toString()});
        else
            collectReferences(it.value(), at + u'/' + it.key(), references);
    }
}

QStringList operationIds(const QJsonObject &document)
{
    QStringList ids;
    const QJsonObject paths = document.value(u"paths"_s).toObject();
    for (const QJsonValue &item : paths) {
        const QJsonObject operations = item.toObject();
        for (const QJsonValue &operation : operations)
            ids.append(operation.toObject().value(u"operationId"_s).toString());
    }
    return ids;
}

ServerOptions withToken(const QString &token)
{
    ServerOptions options;
    options.token = token;
    return options;
}

QJsonObject operationAt(const QJsonObject &document, const QString &path,
                        const QString &method = u"post"_s)
{
    return document.value(u"paths"_s).toObject().value(path).toObject().value(method).toObject();
}

} // namespace

class tst_OpenApi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void documentIsOpenApi31OfThisServer();
    void everyCommandHasItsOwnPathsAndOperationIds();
    void commandOperationTellsParametersBodyAndResponses();
    void fixedRoutesAreDescribed();
    void commandRegisteredAfterTheStartAppears();
    void operationIdsStayUniqueWhenNamesCollide();
    void everyReferenceResolves();
    void withoutTokenThereIsNoSecurity();
    void tokenAddsTheBearerSchemeAndIsRequired();
    void otherMethodsAreNotAllowed_data();
    void otherMethodsAreNotAllowed();
    void draft7SchemasAreRewrittenFor2020_data();
    void draft7SchemasAreRewrittenFor2020();

private:
    void startServer(const ServerOptions &options = ServerOptions(),
                     const QHostAddress &address = QHostAddress::LocalHost);
    QJsonObject fetchDocument(const QByteArray &extraHeaders = QByteArray());
    HttpResponse get(const QByteArray &request);

    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<CommandBridgeServer> m_server;
};

void tst_OpenApi::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    Demo::registerDemoCommands(*m_registry);
}

void tst_OpenApi::cleanup()
{
    m_server.reset();
    m_registry.reset();
}

void tst_OpenApi::startServer(const ServerOptions &options, const QHostAddress &address)
{
    m_server = std::make_unique<CommandBridgeServer>(m_registry.get());
    m_server->setOptions(options);
    QVERIFY2(m_server->listen(address, 0), qPrintable(m_server->errorString()));
}

HttpResponse tst_OpenApi::get(const QByteArray &request)
{
    RawHttpClient http(m_server->serverPort());
    http.send(request);
    [&] {
        QTRY_COMPARE(http.responses().size(), 1);
    }();
    return http.responses().value(0);
}

QJsonObject tst_OpenApi::fetchDocument(const QByteArray &extraHeaders)
{
    const HttpResponse response =
        get("GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1:" +
            QByteArray::number(m_server->serverPort()) + "\r\n" + extraHeaders + "\r\n");
    if (response.status != 200 || response.mediaType() != "application/json")
        qWarning() << "openapi.json answered" << response.status << response.body;
    return response.json();
}

void tst_OpenApi::documentIsOpenApi31OfThisServer()
{
    startServer();
    const QJsonObject document = fetchDocument();
    QCOMPARE(document.value(u"openapi"_s).toString(), u"3.1.0"_s);
    QCOMPARE(document.value(u"info"_s).toObject().value(u"title"_s).toString(), u"CommandBridge"_s);
    QCOMPARE(document.value(u"info"_s).toObject().value(u"version"_s).toString(),
             QStringLiteral(EXPECTED_VERSION));
    // The address the client used, so a generated client calls it.
    QCOMPARE(document.value(u"servers"_s).toArray(),
             (QJsonArray{
                 QJsonObject{{u"url"_s, u"http://127.0.0.1:%1"_s.arg(m_server->serverPort())}}}));
    const HttpResponse named = get("GET /api/v1/openapi.json HTTP/1.1\r\nHost: localhost:" +
                                   QByteArray::number(m_server->serverPort()) + "\r\n\r\n");
    QCOMPARE(named.json().value(u"servers"_s).toArray(),
             (QJsonArray{
                 QJsonObject{{u"url"_s, u"http://localhost:%1"_s.arg(m_server->serverPort())}}}));

    // Without a usable Host header (possible off loopback, where Host is not checked): the
    // document's own location.
    m_server.reset();
    startServer(withToken(u"secret"_s), QHostAddress::Any);
    for (const QByteArray &host : {QByteArray(), QByteArray("Host: a b\r\n")}) {
        const HttpResponse bare = get("GET /api/v1/openapi.json HTTP/1.0\r\n" + host +
                                      "Authorization: Bearer secret\r\n\r\n");
        QCOMPARE(bare.status, 200);
        QCOMPARE(bare.json().value(u"servers"_s).toArray(),
                 (QJsonArray{QJsonObject{{u"url"_s, u"/"_s}}}));
    }
}

void tst_OpenApi::everyCommandHasItsOwnPathsAndOperationIds()
{
    startServer();
    const QJsonObject document = fetchDocument();
    const QJsonObject paths = document.value(u"paths"_s).toObject();
    QStringList expectedPaths{u"/api/v1/commands"_s, u"/api/v1/events"_s,
                              u"/api/v1/events/stream"_s, u"/api/v1/health"_s,
                              u"/api/v1/openapi.json"_s};
    QStringList expectedIds{u"list_commands"_s, u"list_events"_s, u"subscribe_events"_s,
                            u"get_health"_s, u"get_openapi"_s};
    const QStringList names = m_registry->commandNames();
    QCOMPARE(names.size(), 8);
    for (const QString &name : names) {
        QString identifier = name;
        identifier.replace(u'.', u'_');
        expectedPaths << u"/api/v1/commands/"_s + name << u"/api/v1/commands/%1/stream"_s.arg(name);
        expectedIds << u"run_"_s + identifier << u"stream_"_s + identifier;
        QCOMPARE(
            operationAt(document, u"/api/v1/commands/"_s + name).value(u"operationId"_s).toString(),
            u"run_"_s + identifier);
        QCOMPARE(operationAt(document, u"/api/v1/commands/%1/stream"_s.arg(name))
                     .value(u"operationId"_s)
                     .toString(),
                 u"stream_"_s + identifier);
        // Only POST on a command's paths.
        QCOMPARE(paths.value(u"/api/v1/commands/"_s + name).toObject().keys(),
                 QStringList{u"post"_s});
    }
    QStringList keys = paths.keys();
    keys.sort();
    expectedPaths.sort();
    QCOMPARE(keys, expectedPaths);
    QStringList ids = operationIds(document);
    ids.sort();
    expectedIds.sort();
    QCOMPARE(ids, expectedIds);
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
}

void tst_OpenApi::commandOperationTellsParametersBodyAndResponses()
{
    startServer();
    const QJsonObject document = fetchDocument();
    const QJsonObject run = operationAt(document, u"/api/v1/commands/history.add"_s);
    QCOMPARE(run.value(u"tags"_s).toArray(), QJsonArray{u"commands"_s});
    QVERIFY(run.value(u"description"_s)
                .toString()
                .startsWith(u"Appends a turn to the session's history"_s));
    // history.add needs a session: its X-Session-Id is required; echo's is not.
    QCOMPARE(run.value(u"parameters"_s).toArray(),
             (QJsonArray{refTo(u"#/components/parameters/session_id_required"_s),
                         refTo(u"#/components/parameters/timeout_ms"_s)}));
    QCOMPARE(
        operationAt(document, u"/api/v1/commands/echo"_s).value(u"parameters"_s).toArray().first(),
        refTo(u"#/components/parameters/session_id"_s));
    const QJsonObject components = document.value(u"components"_s).toObject();
    const QJsonObject parameters = components.value(u"parameters"_s).toObject();
    QCOMPARE(parameters.value(u"session_id_required"_s).toObject().value(u"name"_s).toString(),
             u"X-Session-Id"_s);
    QCOMPARE(parameters.value(u"session_id_required"_s).toObject().value(u"in"_s).toString(),
             u"header"_s);
    QCOMPARE(parameters.value(u"session_id_required"_s).toObject().value(u"required"_s), true);
    QCOMPARE(parameters.value(u"session_id"_s).toObject().value(u"required"_s), false);
    QCOMPARE(parameters.value(u"session_id"_s).toObject().value(u"schema"_s).toObject(),
             object(R"({"type":"string","pattern":"^[A-Za-z0-9._-]{1,128}$"})"));
    const QJsonObject timeout = parameters.value(u"timeout_ms"_s).toObject();
    QCOMPARE(timeout.value(u"in"_s).toString(), u"query"_s);
    QCOMPARE(timeout.value(u"required"_s), false);
    QCOMPARE(timeout.value(u"schema"_s).toObject(),
             object(R"({"type":"integer","format":"int64","minimum":1})"));

    // The body: the args schema as the registry holds it (nothing to rewrite in this one).
    QCOMPARE(run.value(u"requestBody"_s).toObject().value(u"required"_s), false);
    QCOMPARE(run.value(u"requestBody"_s)
                 .toObject()
                 .value(u"content"_s)
                 .toObject()
                 .value(u"application/json"_s)
                 .toObject()
                 .value(u"schema"_s)
                 .toObject(),
             refTo(u"#/components/schemas/history_add_args"_s));
    const QJsonArray described = m_registry->describeCommands();
    for (const QJsonValue &command : described) {
        if (command.toObject().value(u"name"_s) == u"history.add"_s) {
            QCOMPARE(components.value(u"schemas"_s).toObject().value(u"history_add_args"_s),
                     command.toObject().value(u"args_schema"_s));
        }
    }

    // Responses: the envelope, and every error status of a command (no 401 without a token).
    const QJsonObject responses = run.value(u"responses"_s).toObject();
    QCOMPARE(responses.keys(),
             (QStringList{u"200"_s, u"400"_s, u"403"_s, u"404"_s, u"409"_s, u"411"_s, u"413"_s,
                          u"431"_s, u"500"_s, u"503"_s, u"504"_s}));
    QCOMPARE(resolve(responses.value(u"200"_s), u"/content/application~1json/schema"_s),
             refTo(u"#/components/schemas/Success"_s));
    QCOMPARE(responses.value(u"400"_s).toObject(), refTo(u"#/components/responses/BadRequest"_s));
    const QJsonObject schemas = components.value(u"schemas"_s).toObject();
    QCOMPARE(schemas.value(u"Success"_s).toObject().value(u"required"_s).toArray(),
             (QJsonArray{u"command"_s, u"success"_s, u"result"_s}));
    QCOMPARE(resolve(schemas, u"/Failure/properties/result"_s).toObject(),
             refTo(u"#/components/schemas/Error"_s));
    QCOMPARE(resolve(schemas, u"/Error/required"_s).toArray(),
             (QJsonArray{u"code"_s, u"message"_s}));

    // The stream variant: the same inputs, and an event stream on success.
    const QJsonObject stream = operationAt(document, u"/api/v1/commands/history.add/stream"_s);
    QCOMPARE(stream.value(u"parameters"_s), run.value(u"parameters"_s));
    QCOMPARE(stream.value(u"requestBody"_s), run.value(u"requestBody"_s));
    QCOMPARE(resolve(stream, u"/responses/200/content"_s).toObject().keys(),
             QStringList{u"text/event-stream"_s});
    QCOMPARE(stream.value(u"responses"_s).toObject().keys(), responses.keys());
}

void tst_OpenApi::fixedRoutesAreDescribed()
{
    startServer();
    const QJsonObject document = fetchDocument();
    QCOMPARE(resolve(operationAt(document, u"/api/v1/commands"_s, u"get"_s),
                     u"/responses/200/content/application~1json/schema"_s),
             refTo(u"#/components/schemas/CommandList"_s));
    QCOMPARE(resolve(operationAt(document, u"/api/v1/events"_s, u"get"_s),
                     u"/responses/200/content/application~1json/schema"_s),
             refTo(u"#/components/schemas/EventList"_s));
    QCOMPARE(
        resolve(document, u"/components/schemas/Health/required"_s).toArray(),
        (QJsonArray{u"status"_s, u"connections"_s, u"sessions"_s, u"in_flight"_s, u"uptime_ms"_s}));

    const QJsonObject stream = operationAt(document, u"/api/v1/events/stream"_s, u"get"_s);
    const QJsonArray parameters = stream.value(u"parameters"_s).toArray();
    QCOMPARE(parameters.size(), 3);
    QCOMPARE(parameters.at(0).toObject().value(u"name"_s).toString(), u"events"_s);
    QCOMPARE(parameters.at(0).toObject().value(u"required"_s), true);
    // The declared events are named, with their scope.
    const QString description = parameters.at(0).toObject().value(u"description"_s).toString();
    QVERIFY2(description.contains(u"history.changed (session), notice (global), stats (global)"_s),
             qPrintable(description));
    QCOMPARE(parameters.at(1).toObject().value(u"name"_s).toString(), u"session"_s);
    QCOMPARE(parameters.at(1).toObject().value(u"in"_s).toString(), u"query"_s);
    QCOMPARE(parameters.at(2).toObject().value(u"name"_s).toString(), u"X-Session-Id"_s);
    QCOMPARE(stream.value(u"responses"_s).toObject().keys(),
             (QStringList{u"200"_s, u"400"_s, u"403"_s, u"404"_s, u"431"_s, u"503"_s}));
    QCOMPARE(resolve(stream, u"/responses/200/content"_s).toObject().keys(),
             QStringList{u"text/event-stream"_s});
}

void tst_OpenApi::commandRegisteredAfterTheStartAppears()
{
    startServer();
    QVERIFY(!fetchDocument().value(u"paths"_s).toObject().contains(u"/api/v1/commands/later"_s));
    QVERIFY(CommandBuilder(u"later"_s)
                .description(u"Registered while serving"_s)
                .args(R"({"type":"object","properties":{"n":{"type":"integer"}}})")
                .mode(ExecutionMode::Synchronous)
                .handler([](CommandContext &context) { context.succeed(QJsonObject()); })
                .registerIn(*m_registry));
    const QJsonObject document = fetchDocument();
    QCOMPARE(operationAt(document, u"/api/v1/commands/later"_s).value(u"operationId"_s).toString(),
             u"run_later"_s);
    QCOMPARE(resolve(document, u"/components/schemas/later_args/properties/n"_s).toObject(),
             object(R"({"type":"integer"})"));
}

void tst_OpenApi::operationIdsStayUniqueWhenNamesCollide()
{
    for (const QString &name : {u"a.b"_s, u"a_b"_s, u"a-b"_s, u"a_b_2"_s}) {
        QVERIFY(CommandBuilder(name)
                    .mode(ExecutionMode::Synchronous)
                    .handler([](CommandContext &context) { context.succeed(QJsonObject()); })
                    .registerIn(*m_registry));
    }
    startServer();
    const QJsonObject document = fetchDocument();
    // In name order ('-' < '.' < '_'), each takes the first identifier still free.
    const QList<std::pair<QString, QString>> expected{{u"a-b"_s, u"a_b"_s},
                                                      {u"a.b"_s, u"a_b_2"_s},
                                                      {u"a_b"_s, u"a_b_3"_s},
                                                      {u"a_b_2"_s, u"a_b_2_2"_s}};
    for (const auto &[name, identifier] : expected) {
        QCOMPARE(
            operationAt(document, u"/api/v1/commands/"_s + name).value(u"operationId"_s).toString(),
            u"run_"_s + identifier);
        QCOMPARE(operationAt(document, u"/api/v1/commands/%1/stream"_s.arg(name))
                     .value(u"operationId"_s)
                     .toString(),
                 u"stream_"_s + identifier);
        QCOMPARE(resolve(operationAt(document, u"/api/v1/commands/"_s + name),
                         u"/requestBody/content/application~1json/schema/$ref"_s)
                     .toString(),
                 u"#/components/schemas/%1_args"_s.arg(identifier));
    }
    const QStringList ids = operationIds(document);
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
    // The same document each time.
    QCOMPARE(fetchDocument(), document);
}

void tst_OpenApi::everyReferenceResolves()
{
    // Definitions, and references into them and into a tuple: each moves in the document.
    QVERIFY(CommandBuilder(u"refs.demo"_s)
                .args(referencesSchema)
                .mode(ExecutionMode::Synchronous)
                .handler([](CommandContext &context) { context.succeed(QJsonObject()); })
                .registerIn(*m_registry));
    startServer(withToken(u"secret"_s));
    const QJsonObject document = fetchDocument("Authorization: Bearer secret\r\n");
    QList<std::pair<QString, QString>> references;
    collectReferences(document, QString(), references);
    QVERIFY(references.size() > 50);
    for (const auto &[at, reference] : std::as_const(references)) {
        QVERIFY2(reference.startsWith(u"#/"_s), qPrintable(at));
        QVERIFY2(!resolve(document, reference.mid(1)).isUndefined(),
                 qPrintable(at + u" -> "_s + reference));
    }
    QCOMPARE(resolve(document, u"/components/schemas/refs_demo_args/properties/second/$ref"_s),
             u"#/components/schemas/refs_demo_args/$defs/pair/prefixItems/0"_s);
}

void tst_OpenApi::withoutTokenThereIsNoSecurity()
{
    startServer();
    const QJsonObject document = fetchDocument();
    QVERIFY(!document.contains(u"security"_s));
    QVERIFY(!document.value(u"components"_s).toObject().contains(u"securitySchemes"_s));
    QVERIFY(!operationAt(document, u"/api/v1/health"_s, u"get"_s).contains(u"security"_s));
    QVERIFY(!operationAt(document, u"/api/v1/commands/echo"_s)
                 .value(u"responses"_s)
                 .toObject()
                 .contains(u"401"_s));
}

void tst_OpenApi::tokenAddsTheBearerSchemeAndIsRequired()
{
    startServer(withToken(u"secret"_s));
    const HttpResponse refused =
        get("GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QCOMPARE(refused.status, 401);
    QCOMPARE(refused.json().value(u"result"_s).toObject().value(u"code"_s).toString(),
             u"unauthorized"_s);
    const HttpResponse wrong = get("GET /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Authorization: Bearer nope\r\n\r\n");
    QCOMPARE(wrong.status, 401);

    const QJsonObject document = fetchDocument("Authorization: Bearer secret\r\n");
    QCOMPARE(document.value(u"security"_s).toArray(),
             (QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}}}));
    const QJsonObject schemes = resolve(document, u"/components/securitySchemes"_s).toObject();
    QCOMPARE(schemes.keys(), (QStringList{u"bearer"_s, u"token_query"_s}));
    QCOMPARE(schemes.value(u"bearer"_s).toObject().value(u"type"_s).toString(), u"http"_s);
    QCOMPARE(schemes.value(u"bearer"_s).toObject().value(u"scheme"_s).toString(), u"bearer"_s);
    QCOMPARE(schemes.value(u"token_query"_s).toObject().value(u"in"_s).toString(), u"query"_s);
    QCOMPARE(schemes.value(u"token_query"_s).toObject().value(u"name"_s).toString(), u"token"_s);
    // Health needs none; the event stream also takes ?token=.
    QCOMPARE(operationAt(document, u"/api/v1/health"_s, u"get"_s).value(u"security"_s).toArray(),
             QJsonArray());
    QVERIFY(!operationAt(document, u"/api/v1/health"_s, u"get"_s)
                 .value(u"responses"_s)
                 .toObject()
                 .contains(u"401"_s));
    QCOMPARE(
        operationAt(document, u"/api/v1/events/stream"_s, u"get"_s).value(u"security"_s).toArray(),
        (QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}},
                    QJsonObject{{u"token_query"_s, QJsonArray()}}}));
    QCOMPARE(resolve(operationAt(document, u"/api/v1/commands/echo"_s), u"/responses/401"_s),
             refTo(u"#/components/responses/Unauthorized"_s));
}

void tst_OpenApi::otherMethodsAreNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::newRow("POST") << QByteArray("POST");
    QTest::newRow("DELETE") << QByteArray("DELETE");
    QTest::newRow("PUT") << QByteArray("PUT");
}

void tst_OpenApi::otherMethodsAreNotAllowed()
{
    QFETCH(QByteArray, method);
    startServer();
    const HttpResponse response =
        get(method + " /api/v1/openapi.json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Length: 0\r\n\r\n");
    QCOMPARE(response.status, 405);
    QCOMPARE(response.json(),
             object(R"({"success":false,"result":{"code":"method_not_allowed","message":"Method )" +
                    method + R"( is not allowed on /api/v1/openapi.json"}})"));
}

void tst_OpenApi::draft7SchemasAreRewrittenFor2020_data()
{
    QTest::addColumn<QByteArray>("draft7");
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("plain schema unchanged")
        << QByteArray(R"({"type":"object","properties":{"a":{"type":"integer","minimum":1}},
                         "required":["a"],"additionalProperties":false})")
        << QByteArray(R"({"type":"object","properties":{"a":{"type":"integer","minimum":1}},
                         "required":["a"],"additionalProperties":false})");
    QTest::newRow("$schema and $id go")
        // Not a raw string: Qt 6.4's moc reads "//" in one as a comment.
        << QByteArray("{\"$schema\":\"http://json-schema.org/draft-07/schema#\","
                      "\"$id\":\"http://example.com/args\",\"type\":\"object\"}")
        << QByteArray(R"({"type":"object"})");
    QTest::newRow("definitions become $defs, references follow")
        << QByteArray(R"({"definitions":{"n":{"type":"integer"}},
                         "properties":{"a":{"$ref":"#/definitions/n"}}})")
        << QByteArray(R"({"$defs":{"n":{"type":"integer"}},
                         "properties":{"a":{"$ref":"#/components/schemas/x/$defs/n"}}})");
    QTest::newRow("siblings of $ref go, definitions stay")
        << QByteArray(R"({"$ref":"#/definitions/n","type":"string","properties":{},
                         "definitions":{"n":{"type":"integer"}}})")
        << QByteArray(R"({"$ref":"#/components/schemas/x/$defs/n",
                         "$defs":{"n":{"type":"integer"}}})");
    QTest::newRow("reference to the root")
        << QByteArray(R"({"properties":{"a":{"$ref":"#"}}})")
        << QByteArray(R"({"properties":{"a":{"$ref":"#/components/schemas/x"}}})");
    QTest::newRow("tuple items become prefixItems, additionalItems items")
        << QByteArray(R"({"items":[{"type":"string"},{"$ref":"#/items/0"}],
                         "additionalItems":false})")
        << QByteArray(R"({"prefixItems":[{"type":"string"},
                         {"$ref":"#/components/schemas/x/prefixItems/0"}],"items":false})");
    QTest::newRow("additionalItems without a tuple is ignored by draft 7")
        << QByteArray(R"({"items":{"type":"string"},"additionalItems":false})")
        << QByteArray(R"({"items":{"type":"string"}})");
    QTest::newRow("dependencies split by kind")
        << QByteArray(R"({"dependencies":{"a":["b"],"c":{"required":["d"]}},
                         "properties":{"e":{"$ref":"#/dependencies/c"}}})")
        << QByteArray(R"({"dependentRequired":{"a":["b"]},
                         "dependentSchemas":{"c":{"required":["d"]}},
                         "properties":{"e":{"$ref":"#/components/schemas/x/dependentSchemas/c"}}})");
    QTest::newRow("nested schemas everywhere")
        << QByteArray(R"({"allOf":[{"not":{"$ref":"#/definitions/n"}}],
                         "if":{"$ref":"#/definitions/n"},"then":{},"else":false,
                         "patternProperties":{"^x":{"$ref":"#/definitions/n"}},
                         "definitions":{"n":{"items":{"$ref":"#/definitions/m"}},"m":{}}})")
        << QByteArray(R"({"allOf":[{"not":{"$ref":"#/components/schemas/x/$defs/n"}}],
                         "if":{"$ref":"#/components/schemas/x/$defs/n"},"then":{},"else":false,
                         "patternProperties":{"^x":{"$ref":"#/components/schemas/x/$defs/n"}},
                         "$defs":{"n":{"items":{"$ref":"#/components/schemas/x/$defs/m"}},"m":{}}})");
    QTest::newRow("values are not schemas")
        << QByteArray(R"({"default":{"definitions":{},"$ref":"#/a"},"enum":[{"items":[]}],
                         "const":{"$schema":1},"examples":[{"dependencies":{}}]})")
        << QByteArray(R"({"default":{"definitions":{},"$ref":"#/a"},"enum":[{"items":[]}],
                         "const":{"$schema":1},"examples":[{"dependencies":{}}]})");
    QTest::newRow("reference into a value keeps its path")
        << QByteArray(R"({"definitions":{"n":{"default":{"items":[1]}}},
                         "properties":{"a":{"$ref":"#/definitions/n/default/items"}}})")
        << QByteArray(R"({"$defs":{"n":{"default":{"items":[1]}}},
                         "properties":{"a":{"$ref":"#/components/schemas/x/$defs/n/default/items"}}})");
    QTest::newRow("escaped and non-Latin-1 names")
        << QByteArray(R"({"definitions":{"a/b":{},"ü":{}},
                         "properties":{"p":{"$ref":"#/definitions/a~1b"},"q":{"$ref":"#/definitions/ü"}}})")
        << QByteArray(R"({"$defs":{"a/b":{},"ü":{}},
                         "properties":{"p":{"$ref":"#/components/schemas/x/$defs/a~1b"},
                                       "q":{"$ref":"#/components/schemas/x/$defs/ü"}}})");
    QTest::newRow("$defs next to definitions keeps both")
        << QByteArray(R"({"definitions":{"a":{}},"$defs":{"b":{}},
                         "properties":{"p":{"$ref":"#/definitions/a"},"q":{"$ref":"#/$defs/b"}}})")
        << QByteArray(R"({"definitions":{"a":{}},"$defs":{"b":{}},
                         "properties":{"p":{"$ref":"#/components/schemas/x/definitions/a"},
                                       "q":{"$ref":"#/components/schemas/x/$defs/b"}}})");
    QTest::newRow("boolean schema") << QByteArray("true") << QByteArray("true");
}

void tst_OpenApi::draft7SchemasAreRewrittenFor2020()
{
    QFETCH(QByteArray, draft7);
    QFETCH(QByteArray, expected);
    const auto parse = [](const QByteArray &json) {
        return QJsonDocument::fromJson("[" + json + "]").array().first();
    };
    QVERIFY(!parse(draft7).isUndefined());
    QVERIFY(!parse(expected).isUndefined());
    const QJsonValue converted = OpenApi::schemaAt(parse(draft7), u"/components/schemas/x"_s);
    QVERIFY2(converted == parse(expected),
             QJsonDocument(QJsonArray{converted}).toJson(QJsonDocument::Compact).constData());
}

QTEST_GUILESS_MAIN(tst_OpenApi)
#include "tst_openapi.moc"
