// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Building command descriptors: every field, the args schema from JSON text, and the refusals.

#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace CommandBridge;
using namespace std::chrono_literals;

namespace {

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void echo(CommandContext &context)
{
    context.succeed(context.args());
}

/// Runs \a command with \a args through \a registry and returns its one result.
CommandResult run(CommandRegistry &registry, const QString &command, const QJsonObject &args)
{
    CommandInvocation invocation;
    invocation.command = command;
    invocation.args = args;
    CommandContext *context = registry.createCommand(invocation);
    QSignalSpy finished(context, &CommandContext::finished);
    context->start();
    if (!QTest::qWaitFor([&finished] { return finished.count() > 0; }, 5000))
        return CommandResult::failure(QStringLiteral("test"), QStringLiteral("no result"));
    return finished.at(0).at(0).value<CommandResult>();
}

} // namespace

class tst_CommandBuilder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everySetterReachesTheDescriptor();
    void unsetFieldsKeepTheDescriptorDefaults();
    void jsonArgsBecomeExactlyThatSchema();
    void objectArgsAreKeptAsGiven();
    void builtCommandRegistersAndRuns();
    void malformedJsonArgsAreRefused_data();
    void malformedJsonArgsAreRefused();
    void firstProblemIsKept();
    void registryRefusalIsReported_data();
    void registryRefusalIsReported();
    void copiesAreIndependent();
};

void tst_CommandBuilder::everySetterReachesTheDescriptor()
{
    const CommandDescriptor descriptor = CommandBuilder(QStringLiteral("history.add"))
                                             .description(QStringLiteral("Appends a turn"))
                                             .args(R"({"type": "object"})")
                                             .defaultTimeout(90s)
                                             .mode(ExecutionMode::WorkerPool)
                                             .thread(HandlerThread::Network)
                                             .requiresSession()
                                             .handler(echo)
                                             .build();

    QCOMPARE(descriptor.name, QStringLiteral("history.add"));
    QCOMPARE(descriptor.description, QStringLiteral("Appends a turn"));
    QCOMPARE(compact(descriptor.argsSchema), QByteArray(R"({"type":"object"})"));
    QCOMPARE(descriptor.defaultTimeout, std::chrono::milliseconds(90s));
    QCOMPARE(descriptor.mode, ExecutionMode::WorkerPool);
    QCOMPARE(descriptor.thread, HandlerThread::Network);
    QCOMPARE(descriptor.requiresSession, true);
    QVERIFY(descriptor.handler);
}

void tst_CommandBuilder::unsetFieldsKeepTheDescriptorDefaults()
{
    const CommandDescriptor built = CommandBuilder(QStringLiteral("plain")).build();
    const CommandDescriptor defaults;

    QCOMPARE(built.name, QStringLiteral("plain"));
    QCOMPARE(built.description, defaults.description);
    QCOMPARE(built.argsSchema, defaults.argsSchema);
    QCOMPARE(built.defaultTimeout, defaults.defaultTimeout);
    QCOMPARE(built.mode, defaults.mode);
    QCOMPARE(built.thread, defaults.thread);
    QCOMPARE(built.requiresSession, defaults.requiresSession);
    QVERIFY(!built.handler);
    QVERIFY(CommandBuilder(QStringLiteral("plain")).isValid());
    QCOMPARE(CommandBuilder(QStringLiteral("plain")).errorString(), QString());
}

void tst_CommandBuilder::jsonArgsBecomeExactlyThatSchema()
{
    const CommandDescriptor descriptor = CommandBuilder(QStringLiteral("count"))
                                             .args(R"({
        "type": "object",
        "properties": {
            "to": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 10},
            "label": {"type": "string", "pattern": "^[a-z]+$"}
        },
        "required": ["to"],
        "additionalProperties": false
    })")
                                             .build();

    // QJsonObject keeps its keys sorted, so the compact form is fixed.
    QCOMPARE(compact(descriptor.argsSchema),
             QByteArray(R"({"additionalProperties":false,"properties":{)"
                        R"("label":{"pattern":"^[a-z]+$","type":"string"},)"
                        R"("to":{"default":10,"maximum":1000000,"minimum":1,"type":"integer"}},)"
                        R"("required":["to"],"type":"object"})"));
}

void tst_CommandBuilder::objectArgsAreKeptAsGiven()
{
    const QJsonObject schema{{QStringLiteral("type"), QStringLiteral("object")},
                             {QStringLiteral("required"), QJsonArray{QStringLiteral("n")}}};

    QCOMPARE(CommandBuilder(QStringLiteral("n")).args(schema).build().argsSchema, schema);
}

void tst_CommandBuilder::builtCommandRegistersAndRuns()
{
    CommandRegistry registry;
    CommandBuilder builder = CommandBuilder(QStringLiteral("echo"))
                                 .description(QStringLiteral("Answers its args"))
                                 .args(R"({"type": "object",
                                           "properties": {"n": {"type": "integer", "minimum": 1}},
                                           "required": ["n"]})")
                                 .mode(ExecutionMode::Synchronous)
                                 .handler(echo);

    QVERIFY2(builder.registerIn(registry), qPrintable(builder.errorString()));
    QVERIFY(registry.contains(QStringLiteral("echo")));
    QCOMPARE(builder.errorString(), QString());

    const CommandResult answered =
        run(registry, QStringLiteral("echo"), QJsonObject{{QStringLiteral("n"), 3}});
    QVERIFY2(answered.isSuccess(), qPrintable(answered.errorMessage()));
    QCOMPARE(answered.value().toObject().value(QStringLiteral("n")).toInt(), 3);

    // The schema is in force: a wrong arg never reaches the handler.
    const CommandResult refused =
        run(registry, QStringLiteral("echo"), QJsonObject{{QStringLiteral("n"), 0}});
    QVERIFY(!refused.isSuccess());
    QCOMPARE(refused.errorCode(), QStringLiteral("invalid_args"));
}

void tst_CommandBuilder::malformedJsonArgsAreRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // a regular expression: Qt's parser words its own part

    const QString notJson =
        QStringLiteral(R"(^Command "bad": args schema is not valid JSON: .+ at offset \d+$)");
    const QString notObject =
        QStringLiteral(R"(^Command "bad": args schema is not a JSON object$)");
    QTest::newRow("unterminated object") << QByteArray(R"({"type": "object")") << notJson;
    QTest::newRow("trailing comma") << QByteArray(R"({"type": "object",})") << notJson;
    QTest::newRow("single quotes") << QByteArray("{'type': 'object'}") << notJson;
    QTest::newRow("comment") << QByteArray(R"({"type": "object"} // any object)") << notJson;
    QTest::newRow("empty") << QByteArray("") << notJson;
    QTest::newRow("array") << QByteArray(R"([{"type": "object"}])") << notObject;
    // Qt 6.4 refuses a scalar document as JSON; later versions read it, then it is no object.
    QTest::newRow("string") << QByteArray(R"("object")")
                            << QStringLiteral("%1|%2").arg(notJson, notObject);
}

void tst_CommandBuilder::malformedJsonArgsAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);

    CommandBuilder builder = CommandBuilder(QStringLiteral("bad")).args(json).handler(echo);

    QVERIFY(!builder.isValid());
    const QRegularExpression expected(error);
    QVERIFY2(expected.match(builder.errorString()).hasMatch(), qPrintable(builder.errorString()));
    // Never an accept-anything command: the built descriptor cannot be registered either.
    QVERIFY(!builder.build().handler);
    CommandRegistry registry;
    QVERIFY(!registry.registerCommand(builder.build()));
    const QString reason = builder.errorString();
    QVERIFY(!builder.registerIn(registry));
    QCOMPARE(builder.errorString(), reason);
    QVERIFY(!registry.contains(QStringLiteral("bad")));
}

void tst_CommandBuilder::firstProblemIsKept()
{
    CommandBuilder builder = CommandBuilder(QStringLiteral("bad"))
                                 .args("[]")
                                 .args(R"({"type": "object"})")
                                 .handler(echo);

    QVERIFY(!builder.isValid());
    QCOMPARE(builder.errorString(),
             QStringLiteral("Command \"bad\": args schema is not a JSON object"));
}

void tst_CommandBuilder::registryRefusalIsReported_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QString>("error");

    QTest::newRow("duplicate name") << QStringLiteral("taken") << QByteArray("{}")
                                    << QStringLiteral("Command \"taken\" is already registered");
    QTest::newRow("malformed name")
        << QStringLiteral("no spaces") << QByteArray("{}")
        << QStringLiteral("Invalid command name \"no spaces\": use 1 to 128 of [A-Za-z0-9._-]");
    QTest::newRow("invalid JSON Schema")
        << QStringLiteral("pattern") << QByteArray(R"({"properties": {"a": {"pattern": "("}}})")
        << QStringLiteral("Command \"pattern\" has an invalid schema: ");
}

void tst_CommandBuilder::registryRefusalIsReported()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, schema);
    QFETCH(QString, error);

    CommandRegistry registry;
    QVERIFY(CommandBuilder(QStringLiteral("taken")).handler(echo).registerIn(registry));
    CommandBuilder builder = CommandBuilder(name).args(schema).handler(echo);

    QVERIFY(builder.isValid());
    QVERIFY(!builder.registerIn(registry));
    QVERIFY2(builder.errorString().startsWith(error), qPrintable(builder.errorString()));
    QCOMPARE(builder.errorString(), registry.errorString());
}

void tst_CommandBuilder::copiesAreIndependent()
{
    const CommandBuilder base =
        CommandBuilder(QStringLiteral("base")).mode(ExecutionMode::Synchronous).handler(echo);
    CommandBuilder copy = base;
    copy.description(QStringLiteral("changed")).args("[]");

    QVERIFY(base.isValid());
    QCOMPARE(base.build().description, QString());
    QVERIFY(!copy.isValid());
    QCOMPARE(copy.build().description, QStringLiteral("changed"));
    QCOMPARE(copy.build().mode, ExecutionMode::Synchronous);

    CommandBuilder moved = std::move(copy);
    QVERIFY(!moved.isValid());
    copy = base;
    QVERIFY(copy.isValid());
}

QTEST_GUILESS_MAIN(tst_CommandBuilder)
#include "tst_commandbuilder.moc"
