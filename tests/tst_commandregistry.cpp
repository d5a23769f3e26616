// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Registering commands, describing them and preparing runs, without sockets.

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <optional>

using namespace CommandBridge;
using namespace std::chrono_literals;

namespace QTest {
template <> inline char *toString(const QJsonValue &value)
{
    if (value.isUndefined())
        return qstrdup("undefined");
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return qstrdup(json.mid(1, json.size() - 2).constData());
}
template <> inline char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}
} // namespace QTest

namespace {

QJsonObject parse(const char *json)
{
    return QJsonDocument::fromJson(QByteArray(json)).object();
}

QJsonObject strictSchema()
{
    return parse(
        R"({"type":"object","properties":{"n":{"type":"integer","minimum":1,"maximum":10},)"
        R"("s":{"type":"string","maxLength":5}},"required":["n"],)"
        R"("additionalProperties":false})");
}

QJsonObject defaultsSchema()
{
    return parse(R"({"type":"object","properties":{"to":{"type":"integer","default":10},)"
                 R"("label":{"type":"string","default":"x"}}})");
}

CommandDescriptor descriptor(const QString &name, ExecutionMode mode = ExecutionMode::Synchronous,
                             const QJsonObject &schema = QJsonObject())
{
    CommandDescriptor d;
    d.name = name;
    d.description = QStringLiteral("The ") + name + QStringLiteral(" command");
    d.mode = mode;
    d.argsSchema = schema;
    d.handler = [](CommandContext &context) {
        context.succeed(context.args());
    };
    return d;
}

/// Starts \a context and returns its one result, or nothing when none came in time.
std::optional<CommandResult> runToResult(CommandContext *context)
{
    QSignalSpy finished(context, &CommandContext::finished);
    context->start();
    if (!QTest::qWaitFor([&finished] { return finished.count() > 0; }, 5000))
        return std::nullopt;
    return finished.at(0).at(0).value<CommandResult>();
}

QStringList detailPaths(const QJsonValue &details)
{
    QStringList paths;
    const QJsonArray entries = details.toArray();
    for (const QJsonValue &entry : entries)
        paths.append(entry.toObject().value(QStringLiteral("path")).toString());
    std::sort(paths.begin(), paths.end());
    return paths;
}

} // namespace

class tst_CommandRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void registeredCommandIsListed();
    void duplicateNameFails();
    void invalidDescriptorFails_data();
    void invalidDescriptorFails();
    void describeCommandsHasSpecShape();
    void requestIsPrepared_data();
    void requestIsPrepared();
    void invalidArgsDetailEveryLeafProblem_data();
    void invalidArgsDetailEveryLeafProblem();
    void formatOnArgsObjectPasses();
    void contextCarriesRequest();
    void timeoutIsCappedByMaxTimeout_data();
    void timeoutIsCappedByMaxTimeout();
    void inFlightCountsRunningCommands();
    void commandStartedOnlyForValidRequests();

private:
    std::unique_ptr<CommandRegistry> m_registry;
};

void tst_CommandRegistry::initTestCase()
{
    qRegisterMetaType<CommandResult>();
    qRegisterMetaType<CommandProgress>();
}

void tst_CommandRegistry::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    QVERIFY(m_registry->registerCommand(descriptor(QStringLiteral("echo"))));
    QVERIFY(m_registry->registerCommand(
        descriptor(QStringLiteral("strict"), ExecutionMode::Synchronous, strictSchema())));
    QVERIFY(m_registry->registerCommand(
        descriptor(QStringLiteral("defaults"), ExecutionMode::Synchronous, defaultsSchema())));
    CommandDescriptor needs = descriptor(QStringLiteral("needs_session"));
    needs.requiresSession = true;
    QVERIFY(m_registry->registerCommand(needs));
    CommandDescriptor never = descriptor(QStringLiteral("never"), ExecutionMode::EventLoop);
    never.handler = [](CommandContext &) {
    };
    never.defaultTimeout = 30s;
    QVERIFY(m_registry->registerCommand(never));
}

void tst_CommandRegistry::cleanup()
{
    m_registry.reset();
}

void tst_CommandRegistry::registeredCommandIsListed()
{
    QVERIFY(m_registry->contains(QStringLiteral("echo")));
    QVERIFY(!m_registry->contains(QStringLiteral("nope")));
    QStringList names = m_registry->commandNames();
    std::sort(names.begin(), names.end());
    QCOMPARE(names, (QStringList{QStringLiteral("defaults"), QStringLiteral("echo"),
                                 QStringLiteral("needs_session"), QStringLiteral("never"),
                                 QStringLiteral("strict")}));
}

void tst_CommandRegistry::duplicateNameFails()
{
    CommandDescriptor again = descriptor(QStringLiteral("echo"));
    again.description = QStringLiteral("A second echo");
    QVERIFY(!m_registry->registerCommand(again));
    QVERIFY2(m_registry->errorString().contains(QStringLiteral("echo")),
             qPrintable(m_registry->errorString()));
    // The first registration is unchanged.
    const QJsonArray described = m_registry->describeCommands();
    const auto echo = std::find_if(described.begin(), described.end(), [](const QJsonValue &entry) {
        return entry.toObject().value(QStringLiteral("name")) == QStringLiteral("echo");
    });
    QVERIFY(echo != described.end());
    QCOMPARE(echo->toObject().value(QStringLiteral("description")).toString(),
             QStringLiteral("The echo command"));
}

void tst_CommandRegistry::invalidDescriptorFails_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<bool>("hasHandler");

    QTest::newRow("missing handler") << QStringLiteral("nohandler") << QJsonObject() << false;
    QTest::newRow("empty name") << QString() << QJsonObject() << true;
    QTest::newRow("schema type unknown")
        << QStringLiteral("badschema1") << parse(R"({"type":"nonsense"})") << true;
    QTest::newRow("schema type a number")
        << QStringLiteral("badschema2") << parse(R"({"type":5})") << true;
    QTest::newRow("schema properties not an object")
        << QStringLiteral("badschema3") << parse(R"({"type":"object","properties":5})") << true;
    QTest::newRow("schema required not an array")
        << QStringLiteral("badschema4")
        << parse(R"({"type":"object","properties":{"n":{"type":"integer"}},"required":"n"})")
        << true;
}

void tst_CommandRegistry::invalidDescriptorFails()
{
    QFETCH(QString, name);
    QFETCH(QJsonObject, schema);
    QFETCH(bool, hasHandler);

    CommandDescriptor d = descriptor(name, ExecutionMode::Synchronous, schema);
    if (!hasHandler)
        d.handler = nullptr;
    const QStringList before = m_registry->commandNames();
    QVERIFY(!m_registry->registerCommand(d));
    QVERIFY(!m_registry->errorString().isEmpty());
    QVERIFY(!m_registry->contains(name));
    QCOMPARE(m_registry->commandNames(), before);
}

void tst_CommandRegistry::describeCommandsHasSpecShape()
{
    const QJsonArray described = m_registry->describeCommands();
    QCOMPARE(described.size(), 5);
    QStringList names;
    for (const QJsonValue &value : described) {
        QVERIFY(value.isObject());
        const QJsonObject entry = value.toObject();
        QStringList keys = entry.keys();
        QCOMPARE(keys, (QStringList{QStringLiteral("args_schema"), QStringLiteral("description"),
                                    QStringLiteral("name"), QStringLiteral("timeout_ms")}));
        const QString name = entry.value(QStringLiteral("name")).toString();
        names.append(name);
        QCOMPARE(entry.value(QStringLiteral("description")).toString(),
                 QStringLiteral("The ") + name + QStringLiteral(" command"));
        QVERIFY(entry.value(QStringLiteral("args_schema")).isObject());
        const QJsonValue timeout = entry.value(QStringLiteral("timeout_ms"));
        QVERIFY(timeout.isDouble());
        QCOMPARE(timeout.toInteger(), name == QStringLiteral("never") ? 30000 : 60000);
    }
    // Sorted by name.
    QCOMPARE(names, (QStringList{QStringLiteral("defaults"), QStringLiteral("echo"),
                                 QStringLiteral("needs_session"), QStringLiteral("never"),
                                 QStringLiteral("strict")}));

    // The app's schema is what list_commands shows (plus, at most, the optional session_id).
    const QJsonObject strict =
        described.at(4).toObject().value(QStringLiteral("args_schema")).toObject();
    const QJsonObject expected = strictSchema();
    QCOMPARE(strict.value(QStringLiteral("type")), expected.value(QStringLiteral("type")));
    QCOMPARE(strict.value(QStringLiteral("required")), expected.value(QStringLiteral("required")));
    QCOMPARE(strict.value(QStringLiteral("additionalProperties")),
             expected.value(QStringLiteral("additionalProperties")));
    QJsonObject properties = strict.value(QStringLiteral("properties")).toObject();
    const QJsonValue sessionProperty = properties.take(QStringLiteral("session_id"));
    QVERIFY(sessionProperty.isUndefined() ||
            sessionProperty.toObject().value(QStringLiteral("type")) == QStringLiteral("string"));
    QCOMPARE(properties, expected.value(QStringLiteral("properties")).toObject());
}

void tst_CommandRegistry::requestIsPrepared_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonValue>("args");
    QTest::addColumn<QString>("session"); // empty: none
    QTest::addColumn<QString>("code");    // empty: success
    QTest::addColumn<QString>("message");
    QTest::addColumn<QJsonValue>("value"); // the success value the handler echoed

    const QJsonValue none(QJsonValue::Undefined);
    const QString invalidArgs = QStringLiteral("invalid_args");
    const QString notObject = QStringLiteral("Args must be a JSON object");

    QTest::newRow("unknown command")
        << QStringLiteral("nope") << QJsonValue(QJsonObject()) << QStringLiteral("s1")
        << QStringLiteral("unknown_command") << QStringLiteral("Unknown command: nope") << none;
    QTest::newRow("args an array") << QStringLiteral("echo") << QJsonValue(QJsonArray{1})
                                   << QStringLiteral("s1") << invalidArgs << notObject << none;
    QTest::newRow("args a string") << QStringLiteral("echo") << QJsonValue(QStringLiteral("x"))
                                   << QString() << invalidArgs << notObject << none;
    QTest::newRow("args a number")
        << QStringLiteral("echo") << QJsonValue(5) << QString() << invalidArgs << notObject << none;
    QTest::newRow("args false") << QStringLiteral("echo") << QJsonValue(false) << QString()
                                << invalidArgs << notObject << none;
    QTest::newRow("args absent means {}") << QStringLiteral("echo") << none << QString()
                                          << QString() << QString() << QJsonValue(QJsonObject());
    QTest::newRow("args null means {}")
        << QStringLiteral("echo") << QJsonValue(QJsonValue::Null) << QString() << QString()
        << QString() << QJsonValue(QJsonObject());
    QTest::newRow("session injected")
        << QStringLiteral("echo") << QJsonValue(parse(R"({"a":1})")) << QStringLiteral("s1")
        << QString() << QString() << QJsonValue(parse(R"({"a":1,"session_id":"s1"})"));
    QTest::newRow("session injected into absent args")
        << QStringLiteral("echo") << none << QStringLiteral("s1") << QString() << QString()
        << QJsonValue(parse(R"({"session_id":"s1"})"));
    QTest::newRow("same session_id accepted")
        << QStringLiteral("echo") << QJsonValue(parse(R"({"session_id":"s1"})"))
        << QStringLiteral("s1") << QString() << QString()
        << QJsonValue(parse(R"({"session_id":"s1"})"));
    QTest::newRow("session mismatch")
        << QStringLiteral("echo") << QJsonValue(parse(R"({"session_id":"other"})"))
        << QStringLiteral("s1") << QStringLiteral("session_mismatch")
        << QStringLiteral("args.session_id does not match the session of this request") << none;
    QTest::newRow("no session") << QStringLiteral("needs_session") << QJsonValue(QJsonObject())
                                << QString() << QStringLiteral("no_session")
                                << QStringLiteral(
                                       "Command needs_session needs a session: send X-Session-Id")
                                << none;
    QTest::newRow("needs session, has one")
        << QStringLiteral("needs_session") << QJsonValue(QJsonObject()) << QStringLiteral("s1")
        << QString() << QString() << QJsonValue(parse(R"({"session_id":"s1"})"));
    // Injection happens before validation: additionalProperties false still accepts session_id.
    QTest::newRow("strict, valid, session injected")
        << QStringLiteral("strict") << QJsonValue(parse(R"({"n":3,"s":"abc"})"))
        << QStringLiteral("s1") << QString() << QString()
        << QJsonValue(parse(R"({"n":3,"s":"abc","session_id":"s1"})"));
    QTest::newRow("strict, valid, no session")
        << QStringLiteral("strict") << QJsonValue(parse(R"({"n":10})")) << QString() << QString()
        << QString() << QJsonValue(parse(R"({"n":10})"));
    QTest::newRow("defaults applied")
        << QStringLiteral("defaults") << QJsonValue(QJsonObject()) << QString() << QString()
        << QString() << QJsonValue(parse(R"({"to":10,"label":"x"})"));
    QTest::newRow("defaults do not replace given values")
        << QStringLiteral("defaults") << QJsonValue(parse(R"({"to":3})")) << QStringLiteral("s1")
        << QString() << QString() << QJsonValue(parse(R"({"to":3,"label":"x","session_id":"s1"})"));
}

void tst_CommandRegistry::requestIsPrepared()
{
    QFETCH(QString, command);
    QFETCH(QJsonValue, args);
    QFETCH(QString, session);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QFETCH(QJsonValue, value);

    CommandInvocation invocation;
    invocation.command = command;
    invocation.args = args;
    invocation.requestId = QJsonValue(QStringLiteral("r1"));
    if (!session.isEmpty())
        invocation.session = std::make_shared<Session>(session);

    CommandContext *context = m_registry->createCommand(invocation);
    QVERIFY(context);
    const std::optional<CommandResult> result = runToResult(context);
    QVERIFY2(result, "no result");
    if (code.isEmpty()) {
        QVERIFY2(result->isSuccess(),
                 qPrintable(result->errorCode() + QStringLiteral(": ") + result->errorMessage()));
        QCOMPARE(result->value(), value);
    } else {
        QVERIFY(!result->isSuccess());
        QCOMPARE(result->errorCode(), code);
        QCOMPARE(result->errorMessage(), message);
        QVERIFY(result->errorDetails().isUndefined());
    }
}

void tst_CommandRegistry::invalidArgsDetailEveryLeafProblem_data()
{
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QStringList>("paths"); // sorted

    QTest::newRow("n too small") << parse(R"({"n":0})") << QStringList{QStringLiteral("/n")};
    QTest::newRow("n too large") << parse(R"({"n":11})") << QStringList{QStringLiteral("/n")};
    QTest::newRow("n a string") << parse(R"({"n":"3"})") << QStringList{QStringLiteral("/n")};
    QTest::newRow("n a fraction") << parse(R"({"n":1.5})") << QStringList{QStringLiteral("/n")};
    QTest::newRow("s too long") << parse(R"({"n":1,"s":"toolong"})")
                                << QStringList{QStringLiteral("/s")};
    QTest::newRow("n and s") << parse(R"({"n":0,"s":"toolong"})")
                             << QStringList{QStringLiteral("/n"), QStringLiteral("/s")};
    QTest::newRow("n missing") << QJsonObject() << QStringList{QString()};
    QTest::newRow("n missing and s wrong type")
        << parse(R"({"s":5})") << QStringList{QString(), QStringLiteral("/s")};
    QTest::newRow("unknown property") << parse(R"({"n":1,"x":true})") << QStringList{QString()};
    QTest::newRow("session_id not a string")
        << parse(R"({"n":1,"session_id":5})") << QStringList{QStringLiteral("/session_id")};
}

void tst_CommandRegistry::formatOnArgsObjectPasses()
{
    // "format" applies to strings only, as the spec says. (valijson 1.0, Debian 12, threw when it
    // met an object, found by the fuzzer; the bridge checks formats itself, the same with every
    // valijson.)
    CommandDescriptor dated;
    dated.name = QStringLiteral("dated");
    dated.description = QStringLiteral("Has a format on the args object");
    dated.argsSchema = parse(R"({"type":"object","format":"date-time"})");
    dated.mode = ExecutionMode::Synchronous;
    dated.handler = [](CommandContext &context) {
        context.succeed();
    };
    QVERIFY2(m_registry->registerCommand(dated), qPrintable(m_registry->errorString()));

    CommandInvocation invocation;
    invocation.command = QStringLiteral("dated");
    invocation.args = parse(R"({"when":"2026-12-02T17:50:00Z"})");
    const std::optional<CommandResult> result = runToResult(m_registry->createCommand(invocation));
    QVERIFY2(result, "no result");
    QVERIFY2(result->isSuccess(), qPrintable(result->errorMessage()));
}

void tst_CommandRegistry::invalidArgsDetailEveryLeafProblem()
{
    QFETCH(QJsonObject, args);
    QFETCH(QStringList, paths);

    CommandInvocation invocation;
    invocation.command = QStringLiteral("strict");
    invocation.args = args;
    const std::optional<CommandResult> result = runToResult(m_registry->createCommand(invocation));
    QVERIFY2(result, "no result");
    QVERIFY(!result->isSuccess());
    QCOMPARE(result->errorCode(), QStringLiteral("invalid_args"));
    QCOMPARE(result->errorMessage(), QStringLiteral("Args do not match the schema of strict"));
    QVERIFY(result->errorDetails().isArray());
    const QJsonArray details = result->errorDetails().toArray();
    for (const QJsonValue &detail : details) {
        QVERIFY(detail.isObject());
        QCOMPARE(detail.toObject().keys(),
                 (QStringList{QStringLiteral("message"), QStringLiteral("path")}));
        QVERIFY(detail.toObject().value(QStringLiteral("path")).isString());
        QVERIFY(!detail.toObject().value(QStringLiteral("message")).toString().isEmpty());
    }
    QCOMPARE(detailPaths(details), paths);
}

void tst_CommandRegistry::contextCarriesRequest()
{
    CommandInvocation invocation;
    invocation.command = QStringLiteral("never");
    invocation.args = parse(R"({"a":[1,2]})");
    invocation.requestId = QJsonValue(42);
    invocation.session = std::make_shared<Session>(QStringLiteral("sess"));
    invocation.timeout = 1234ms;

    QPointer<CommandContext> context = m_registry->createCommand(invocation);
    QVERIFY(context);
    QCOMPARE(context->parent(), m_registry.get());
    QCOMPARE(context->command(), QStringLiteral("never"));
    QCOMPARE(context->args(), parse(R"({"a":[1,2],"session_id":"sess"})"));
    QCOMPARE(context->requestId(), QJsonValue(42));
    QCOMPARE(context->sessionId(), QStringLiteral("sess"));
    QCOMPARE(context->session(), invocation.session);
    QCOMPARE(context->timeout(), 1234ms);
    QVERIFY(!context->isCancelled());
    QVERIFY(!context->isFinished());

    invocation.session.reset();
    invocation.requestId = QJsonValue(QJsonValue::Undefined);
    QPointer<CommandContext> anonymous = m_registry->createCommand(invocation);
    QVERIFY(anonymous);
    QCOMPARE(anonymous->sessionId(), QString());
    QVERIFY(!anonymous->session());
    QVERIFY(anonymous->requestId().isUndefined());
    QCOMPARE(anonymous->args(), parse(R"({"a":[1,2]})"));
}

void tst_CommandRegistry::timeoutIsCappedByMaxTimeout_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<qint64>("maxTimeoutMs"); // 0: leave the default
    QTest::addColumn<qint64>("requestedMs");  // 0: none
    QTest::addColumn<qint64>("expectedMs");

    QTest::newRow("command default")
        << QStringLiteral("never") << qint64(0) << qint64(0) << qint64(30000);
    QTest::newRow("descriptor default is one minute")
        << QStringLiteral("echo") << qint64(0) << qint64(0) << qint64(60000);
    QTest::newRow("requested") << QStringLiteral("never") << qint64(0) << qint64(2500)
                               << qint64(2500);
    QTest::newRow("requested above default max (10 min)")
        << QStringLiteral("never") << qint64(0) << qint64(3600000) << qint64(600000);
    QTest::newRow("requested above max")
        << QStringLiteral("never") << qint64(5000) << qint64(6000) << qint64(5000);
    QTest::newRow("default above max")
        << QStringLiteral("never") << qint64(5000) << qint64(0) << qint64(5000);
    QTest::newRow("requested below max")
        << QStringLiteral("never") << qint64(5000) << qint64(100) << qint64(100);
}

void tst_CommandRegistry::timeoutIsCappedByMaxTimeout()
{
    QFETCH(QString, command);
    QFETCH(qint64, maxTimeoutMs);
    QFETCH(qint64, requestedMs);
    QFETCH(qint64, expectedMs);

    QCOMPARE(m_registry->maxTimeout(), std::chrono::milliseconds(600000));
    if (maxTimeoutMs > 0) {
        m_registry->setMaxTimeout(std::chrono::milliseconds(maxTimeoutMs));
        QCOMPARE(m_registry->maxTimeout(), std::chrono::milliseconds(maxTimeoutMs));
    }
    CommandInvocation invocation;
    invocation.command = command;
    if (requestedMs > 0)
        invocation.timeout = std::chrono::milliseconds(requestedMs);
    CommandContext *context = m_registry->createCommand(invocation);
    QVERIFY(context);
    QCOMPARE(qint64(context->timeout().count()), expectedMs);
}

void tst_CommandRegistry::inFlightCountsRunningCommands()
{
    QCOMPARE(m_registry->inFlightCount(), 0);
    CommandInvocation invocation;
    invocation.command = QStringLiteral("never");

    QPointer<CommandContext> first = m_registry->createCommand(invocation);
    QPointer<CommandContext> second = m_registry->createCommand(invocation);
    QCOMPARE(m_registry->inFlightCount(), 0); // created is not started
    first->start();
    QCOMPARE(m_registry->inFlightCount(), 1);
    second->start();
    QCOMPARE(m_registry->inFlightCount(), 2);

    // A rejected request never counts.
    CommandInvocation unknown;
    unknown.command = QStringLiteral("nope");
    QVERIFY(runToResult(m_registry->createCommand(unknown)));
    QCOMPARE(m_registry->inFlightCount(), 2);

    // A synchronous command is done when start() returns.
    CommandInvocation echo;
    echo.command = QStringLiteral("echo");
    QVERIFY(runToResult(m_registry->createCommand(echo)));
    QCOMPARE(m_registry->inFlightCount(), 2);

    first->cancel();
    QTRY_COMPARE(m_registry->inFlightCount(), 1);
    second->abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    QTRY_COMPARE(m_registry->inFlightCount(), 0);
    QTRY_VERIFY(!first && !second);
    QCOMPARE(m_registry->inFlightCount(), 0);
}

void tst_CommandRegistry::commandStartedOnlyForValidRequests()
{
    QSignalSpy started(m_registry.get(), &CommandRegistry::commandStarted);

    CommandInvocation invalid;
    invalid.command = QStringLiteral("strict");
    invalid.args = parse(R"({"n":0})");
    QVERIFY(runToResult(m_registry->createCommand(invalid)));
    CommandInvocation unknown;
    unknown.command = QStringLiteral("nope");
    QVERIFY(runToResult(m_registry->createCommand(unknown)));
    QCOMPARE(started.count(), 0);

    CommandInvocation valid;
    valid.command = QStringLiteral("strict");
    valid.args = parse(R"({"n":1})");
    CommandContext *context = m_registry->createCommand(valid);
    QVERIFY(runToResult(context));
    QCOMPARE(started.count(), 1);
}

QTEST_GUILESS_MAIN(tst_CommandRegistry)
#include "tst_commandregistry.moc"
