// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Protocol v1 over a real WebSocket on 127.0.0.1: hello, commands, progress, errors, cancel,
// duplicate ids, timeouts, busy, limits, disconnects, concurrency and shutdown.

#include "bridgefixture.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

const QJsonValue noId(QJsonValue::Undefined);

QJsonObject parse(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

QJsonObject cancelMessage(const QJsonValue &id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("cancel")},
                       {QStringLiteral("id"), id}};
}

QJsonObject withId(QJsonObject message, const QJsonValue &id)
{
    if (!id.isUndefined())
        message.insert(QStringLiteral("id"), id);
    return message;
}

QJsonObject progressMessage(const QJsonValue &id, const QString &command, const QString &text,
                            double percent)
{
    return withId(QJsonObject{{QStringLiteral("type"), QStringLiteral("command_progress")},
                              {QStringLiteral("command"), command},
                              {QStringLiteral("message"), text},
                              {QStringLiteral("percent"), percent}},
                  id);
}

QJsonObject successMessage(const QJsonValue &id, const QString &command, const QJsonValue &result)
{
    return withId(QJsonObject{{QStringLiteral("type"), QStringLiteral("command_result")},
                              {QStringLiteral("command"), command},
                              {QStringLiteral("success"), true},
                              {QStringLiteral("result"), result}},
                  id);
}

QJsonObject failureMessage(const QJsonValue &id, const QString &command, const QString &code,
                           const QString &text)
{
    return withId(
        QJsonObject{{QStringLiteral("type"), QStringLiteral("command_result")},
                    {QStringLiteral("command"), command},
                    {QStringLiteral("success"), false},
                    {QStringLiteral("result"), QJsonObject{{QStringLiteral("code"), code},
                                                           {QStringLiteral("message"), text}}}},
        id);
}

QJsonObject errorMessage(const QString &code, const QString &text, const QJsonValue &id = noId)
{
    return withId(QJsonObject{{QStringLiteral("type"), QStringLiteral("error")},
                              {QStringLiteral("code"), code},
                              {QStringLiteral("message"), text}},
                  id);
}

/// invalid_args details carry validator wording; keep the paths, check each message is text.
QJsonObject withoutDetailMessages(QJsonObject message, bool *detailMessagesOk)
{
    *detailMessagesOk = true;
    QJsonObject result = message.value(QStringLiteral("result")).toObject();
    if (!result.contains(QStringLiteral("details")))
        return message;
    QList<QJsonObject> details;
    const QJsonArray original = result.value(QStringLiteral("details")).toArray();
    for (const QJsonValue &value : original) {
        QJsonObject detail = value.toObject();
        const QJsonValue text = detail.take(QStringLiteral("message"));
        if (!text.isString() || text.toString().isEmpty())
            *detailMessagesOk = false;
        details.append(detail);
    }
    // Order of details is not part of the protocol.
    std::sort(details.begin(), details.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(QStringLiteral("path")).toString() <
               b.value(QStringLiteral("path")).toString();
    });
    QJsonArray sorted;
    for (const QJsonObject &detail : std::as_const(details))
        sorted.append(detail);
    result.insert(QStringLiteral("details"), sorted);
    message.insert(QStringLiteral("result"), result);
    return message;
}

QJsonObject slowArgs(int steps, int intervalMs)
{
    return QJsonObject{{QStringLiteral("steps"), steps},
                       {QStringLiteral("interval_ms"), intervalMs}};
}

QJsonObject poolArgs(int steps, int holdAfter = 0, bool ignoreCancel = false)
{
    return QJsonObject{{QStringLiteral("steps"), steps},
                       {QStringLiteral("hold_after"), holdAfter},
                       {QStringLiteral("ignore_cancel"), ignoreCancel}};
}

int indexOf(const QList<QJsonObject> &messages, const QJsonObject &message)
{
    return int(messages.indexOf(message));
}

} // namespace

class tst_WebSocketBridge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void helloComesFirstWithExactFields();
    void helloReflectsServerOptions();
    void commandReachesHandler();
    void progressIsStreamedInOrderBeforeResult();
    void sessionIdIsInjectedIntoArgs();
    void unknownCommandFailsWithUnknownCommand();
    void badInputGetsItsCodeAndKeepsConnection_data();
    void badInputGetsItsCodeAndKeepsConnection();
    void cancelFinishesWithCancelled();
    void nothingFollowsTheCancelledResult();
    void cancelOfFinishedCommandFailsWithUnknownId();
    void duplicateIdFailsWhileFirstContinues();
    void timeoutMsFailsWithTimeout();
    void timeoutIsCappedByMaxTimeout();
    void moreThanMaxInFlightIsBusy();
    void oversizedMessageClosesWith1009();
    void disconnectCancelsRunningCommands();
    void concurrentCommandsInterleave();
    void quickCommandIsNotHeldBehindSlowOne();
    void workerPoolReportsProgressAcrossThreads();
    void pingIsAnsweredWhileWorkerPoolCommandRuns();
    void listCommandsReturnsEveryCommand();
    void commandsWithoutIdWork();
    void integerAndStringIdsAreDistinct();
    void shutdownFinishesCommandsAndClosesWith1001();

private:
    /// Opens \a client on the fixture's server and waits for its hello.
    [[nodiscard]] bool open(WsClient &client, const QString &sessionId = QString());
    QString sessionIdOf(WsClient &client);

    std::unique_ptr<BridgeFixture> m_fixture;
};

void tst_WebSocketBridge::initTestCase()
{
    qRegisterMetaType<CommandResult>();
    qRegisterMetaType<CommandProgress>();
}

void tst_WebSocketBridge::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
}

void tst_WebSocketBridge::cleanup()
{
    m_fixture.reset();
}

bool tst_WebSocketBridge::open(WsClient &client, const QString &sessionId)
{
    client.open(m_fixture->webSocketUrl(sessionId));
    return client.waitForConnected() && !client.waitForHello().isEmpty();
}

QString tst_WebSocketBridge::sessionIdOf(WsClient &client)
{
    return client.waitForHello().value(QStringLiteral("session_id")).toString();
}

void tst_WebSocketBridge::helloComesFirstWithExactFields()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonObject hello = client.waitForMessage(0);
    const QString sessionId = hello.value(QStringLiteral("session_id")).toString();
    QCOMPARE(hello, parse(R"({"type":"hello","protocol":1,"server":"CommandBridge/0.1.0",)"
                          R"("session_id":")" +
                          sessionId.toUtf8() +
                          R"(","auth_required":false,"limits":{"max_message_bytes":1048576,)"
                          R"("max_in_flight":32,"max_timeout_ms":600000},"features":["events"]})"));
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
                       "[0-9a-fA-F]{12}$"));
    QVERIFY2(uuid.match(sessionId).hasMatch(), qPrintable(sessionId));

    QVERIFY(client.roundTrip(QStringLiteral("p")));
    QCOMPARE(client.messagesFor(QStringLiteral("hello"), noId).size(), 1);
    QCOMPARE(client.messageCount(), 2);
}

void tst_WebSocketBridge::helloReflectsServerOptions()
{
    m_fixture->options().maxInFlight = 5;
    m_fixture->options().maxMessageBytes = 4096;
    m_fixture->registry()->setMaxTimeout(30s);
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    QCOMPARE(client.waitForHello().value(QStringLiteral("limits")).toObject(),
             parse(R"({"max_message_bytes":4096,"max_in_flight":5,"max_timeout_ms":30000})"));
}

void tst_WebSocketBridge::commandReachesHandler()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    const QString sessionId = sessionIdOf(client);

    client.sendJson(commandMessage(QStringLiteral("q1"), QStringLiteral("quick"),
                                   parse(R"({"a":[1,"two"],"b":{"c":null}})")));
    QJsonObject expectedArgs = parse(R"({"a":[1,"two"],"b":{"c":null}})");
    expectedArgs.insert(QStringLiteral("session_id"), sessionId);
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("q1")),
             successMessage(QStringLiteral("q1"), QStringLiteral("quick"), expectedArgs));
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList{QStringLiteral("quick")});
    QCOMPARE(client.messagesFor(QStringLiteral("q1")).size(), 1);
}

void tst_WebSocketBridge::progressIsStreamedInOrderBeforeResult()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonValue id(QStringLiteral("s1"));
    const QString slow = QStringLiteral("slow");
    client.sendJson(commandMessage(id, slow, slowArgs(4, 10)));
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), id).isEmpty());
    QCOMPARE(client.messagesFor(id),
             (QList<QJsonObject>{progressMessage(id, slow, QStringLiteral("step 1/4"), 25),
                                 progressMessage(id, slow, QStringLiteral("step 2/4"), 50),
                                 progressMessage(id, slow, QStringLiteral("step 3/4"), 75),
                                 progressMessage(id, slow, QStringLiteral("step 4/4"), 100),
                                 successMessage(id, slow, parse(R"({"steps":4})"))}));
    // Nothing about it after the result.
    QVERIFY(client.roundTrip(QStringLiteral("after")));
    QCOMPARE(client.messagesFor(id).size(), 5);
}

void tst_WebSocketBridge::sessionIdIsInjectedIntoArgs()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    const QString sessionId = sessionIdOf(client);
    QVERIFY(!sessionId.isEmpty());
    const QJsonObject injected{{QStringLiteral("session_id"), sessionId}};

    client.sendJson(commandMessage(1, QStringLiteral("quick")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 1),
             successMessage(1, QStringLiteral("quick"), injected));

    client.sendJson(commandMessage(2, QStringLiteral("quick"), QJsonValue(QJsonValue::Null)));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 2),
             successMessage(2, QStringLiteral("quick"), injected));

    client.sendJson(commandMessage(3, QStringLiteral("quick"), injected));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 3),
             successMessage(3, QStringLiteral("quick"), injected));

    // The handler reads the same session from its context.
    client.sendJson(commandMessage(4, QStringLiteral("needs_session")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 4),
             successMessage(4, QStringLiteral("needs_session"), injected));
}

void tst_WebSocketBridge::unknownCommandFailsWithUnknownCommand()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("c2"), QStringLiteral("nope")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("c2")),
             parse(R"({"type":"command_result","id":"c2","command":"nope","success":false,)"
                   R"("result":{"code":"unknown_command","message":"Unknown command: nope"}})"));
    QVERIFY(m_fixture->probe().startedCommands().isEmpty());
}

void tst_WebSocketBridge::badInputGetsItsCodeAndKeepsConnection_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QJsonObject>("reply");

    const QString badMessage = QStringLiteral("bad_message");
    const QString badId =
        QStringLiteral("\"id\" must be a string of 1 to 128 characters or an integer");
    const QString badCommand = QStringLiteral("\"command\" must be a string");
    const QString badTimeout = QStringLiteral("\"timeout_ms\" must be an integer of at least 1");
    const QByteArray quickWithId(R"({"type":"command","command":"quick","id":)");
    const QByteArray quickWithTimeout(
        R"({"type":"command","command":"quick","id":"t","timeout_ms":)");

    // bad_message: not JSON, not an object, type missing or not a string.
    QTest::newRow("not JSON") << QByteArray(R"({"type":"ping")")
                              << errorMessage(badMessage,
                                              QStringLiteral("Message is not valid JSON"));
    QTest::newRow("plain text") << QByteArray("ping")
                                << errorMessage(badMessage,
                                                QStringLiteral("Message is not valid JSON"));
    QTest::newRow("array") << QByteArray(R"([{"type":"ping"}])")
                           << errorMessage(badMessage,
                                           QStringLiteral("Message must be a JSON object"));
    QTest::newRow("string") << QByteArray(R"("ping")")
                            << errorMessage(badMessage,
                                            QStringLiteral("Message must be a JSON object"));
    QTest::newRow("number") << QByteArray("7")
                            << errorMessage(badMessage,
                                            QStringLiteral("Message must be a JSON object"));
    QTest::newRow("type missing") << QByteArray(R"({"command":"quick"})")
                                  << errorMessage(badMessage,
                                                  QStringLiteral("Message has no \"type\""));
    QTest::newRow("type not a string")
        << QByteArray(R"({"type":1})")
        << errorMessage(badMessage, QStringLiteral("\"type\" must be a string"));

    // unknown_type keeps a valid id.
    QTest::newRow("unknown type") << QByteArray(R"({"type":"bogus","id":"t1"})")
                                  << errorMessage(QStringLiteral("unknown_type"),
                                                  QStringLiteral("Unknown message type: bogus"),
                                                  QStringLiteral("t1"));

    // Invalid ids: no id in the reply.
    QTest::newRow("id 1.5") << QByteArray(quickWithId + "1.5}") << errorMessage(badMessage, badId);
    QTest::newRow("id true") << QByteArray(quickWithId + "true}")
                             << errorMessage(badMessage, badId);
    QTest::newRow("id null") << QByteArray(quickWithId + "null}")
                             << errorMessage(badMessage, badId);
    QTest::newRow("id object") << QByteArray(quickWithId + R"({"a":1}})")
                               << errorMessage(badMessage, badId);
    QTest::newRow("id array") << QByteArray(quickWithId + "[1]}")
                              << errorMessage(badMessage, badId);
    QTest::newRow("id empty string")
        << QByteArray(quickWithId + R"(""})") << errorMessage(badMessage, badId);
    QTest::newRow("id 129 characters")
        << QByteArray(quickWithId + '"' + QByteArray(129, 'i') + "\"}")
        << errorMessage(badMessage, badId);
    QTest::newRow("id 2^60") << QByteArray(quickWithId + "1152921504606846976}")
                             << errorMessage(badMessage, badId);
    QTest::newRow("ping id float")
        << QByteArray(R"({"type":"ping","id":0.5})") << errorMessage(badMessage, badId);

    // command missing or not a string: id kept when valid.
    QTest::newRow("command missing") << QByteArray(R"({"type":"command","id":"c"})")
                                     << errorMessage(badMessage, badCommand, QStringLiteral("c"));
    QTest::newRow("command not a string") << QByteArray(R"({"type":"command","id":2,"command":7})")
                                          << errorMessage(badMessage, badCommand, 2);
    QTest::newRow("command missing, no id")
        << QByteArray(R"({"type":"command"})") << errorMessage(badMessage, badCommand);

    // timeout_ms must be an integer >= 1.
    QTest::newRow("timeout_ms 0") << QByteArray(quickWithTimeout + "0}")
                                  << errorMessage(badMessage, badTimeout, QStringLiteral("t"));
    QTest::newRow("timeout_ms -1") << QByteArray(quickWithTimeout + "-1}")
                                   << errorMessage(badMessage, badTimeout, QStringLiteral("t"));
    QTest::newRow("timeout_ms 1.5") << QByteArray(quickWithTimeout + "1.5}")
                                    << errorMessage(badMessage, badTimeout, QStringLiteral("t"));
    QTest::newRow("timeout_ms string") << QByteArray(quickWithTimeout + R"("5"})")
                                       << errorMessage(badMessage, badTimeout, QStringLiteral("t"));

    // cancel. The message writes the id as JSON, so 1 and "1" read differently.
    QTest::newRow("cancel without id")
        << QByteArray(R"({"type":"cancel"})")
        << errorMessage(badMessage, QStringLiteral("\"cancel\" needs an \"id\""));
    QTest::newRow("cancel unknown integer id")
        << QByteArray(R"({"type":"cancel","id":5})")
        << errorMessage(QStringLiteral("unknown_id"),
                        QStringLiteral("No command with id 5 is running"), 5);
    QTest::newRow("cancel unknown string id")
        << QByteArray(R"({"type":"cancel","id":"ghost"})")
        << errorMessage(QStringLiteral("unknown_id"),
                        QStringLiteral("No command with id \"ghost\" is running"),
                        QStringLiteral("ghost"));

    // Requests that are valid messages fail as their command_result.
    QTest::newRow("unknown command")
        << QByteArray(R"({"type":"command","id":"u","command":"nope"})")
        << failureMessage(QStringLiteral("u"), QStringLiteral("nope"),
                          QStringLiteral("unknown_command"),
                          QStringLiteral("Unknown command: nope"));
    QTest::newRow("args an array")
        << QByteArray(R"({"type":"command","id":"a","command":"quick","args":[1]})")
        << failureMessage(QStringLiteral("a"), QStringLiteral("quick"),
                          QStringLiteral("invalid_args"),
                          QStringLiteral("Args must be a JSON object"));
    QTest::newRow("args a string")
        << QByteArray(R"({"type":"command","id":"a","command":"quick","args":"x"})")
        << failureMessage(QStringLiteral("a"), QStringLiteral("quick"),
                          QStringLiteral("invalid_args"),
                          QStringLiteral("Args must be a JSON object"));
    QTest::newRow("args against schema")
        << QByteArray(
               R"({"type":"command","id":"v","command":"strict","args":{"n":0,"s":"toolong"}})")
        << parse(
               R"({"type":"command_result","id":"v","command":"strict","success":false,)"
               R"("result":{"code":"invalid_args","message":"Args do not match the schema of strict",)"
               R"("details":[{"path":"/n"},{"path":"/s"}]}})");
    QTest::newRow("required arg missing")
        << QByteArray(R"({"type":"command","id":"v","command":"strict","args":{}})")
        << parse(
               R"({"type":"command_result","id":"v","command":"strict","success":false,)"
               R"("result":{"code":"invalid_args","message":"Args do not match the schema of strict",)"
               R"("details":[{"path":""}]}})");
    QTest::newRow("session mismatch")
        << QByteArray(
               R"({"type":"command","id":"m","command":"quick","args":{"session_id":"other"}})")
        << failureMessage(
               QStringLiteral("m"), QStringLiteral("quick"), QStringLiteral("session_mismatch"),
               QStringLiteral("args.session_id does not match the session of this request"));
    QTest::newRow("handler code") << QByteArray(
                                         R"({"type":"command","id":"f","command":"failing"})")
                                  << failureMessage(QStringLiteral("f"), QStringLiteral("failing"),
                                                    QStringLiteral("not_found"),
                                                    QStringLiteral("No such thing"));
    QTest::newRow("handler throws")
        << QByteArray(R"({"type":"command","id":"x","command":"throws"})")
        << failureMessage(QStringLiteral("x"), QStringLiteral("throws"), QStringLiteral("internal"),
                          QStringLiteral("Handler threw: boom"));
    QTest::newRow("handler without result")
        << QByteArray(R"({"type":"command","id":"r","command":"nores"})")
        << failureMessage(QStringLiteral("r"), QStringLiteral("nores"), QStringLiteral("internal"),
                          QStringLiteral("Handler returned without a result"));
}

void tst_WebSocketBridge::badInputGetsItsCodeAndKeepsConnection()
{
    QFETCH(QByteArray, input);
    QFETCH(QJsonObject, reply);

    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    const int before = client.messageCount();

    client.sendText(input);
    bool detailMessagesOk = false;
    QCOMPARE(withoutDetailMessages(client.waitForMessage(before), &detailMessagesOk), reply);
    QVERIFY2(detailMessagesOk, "every invalid_args detail needs a message");

    // Exactly one reply, and the connection stays usable.
    QVERIFY(client.roundTrip(QStringLiteral("still-open")));
    QCOMPARE(client.messageCount(), before + 2);
    QVERIFY(!client.isDisconnected());
}

void tst_WebSocketBridge::cancelFinishesWithCancelled()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonValue id(QStringLiteral("c"));
    client.sendJson(commandMessage(id, QStringLiteral("slow"), slowArgs(1000, 10)));
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), id).isEmpty());
    client.sendJson(cancelMessage(id));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), id),
             failureMessage(id, QStringLiteral("slow"), QStringLiteral("cancelled"),
                            QStringLiteral("Command cancelled")));
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);

    // The result is the last word about the request.
    QVERIFY(client.roundTrip(QStringLiteral("after")));
    const QList<QJsonObject> messages = client.messagesFor(id);
    QCOMPARE(messages.last().value(QStringLiteral("type")), QStringLiteral("command_result"));
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), id).size(), 1);
    for (qsizetype i = 0; i + 1 < messages.size(); ++i)
        QCOMPARE(messages.at(i).value(QStringLiteral("type")), QStringLiteral("command_progress"));
}

void tst_WebSocketBridge::nothingFollowsTheCancelledResult()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    // A worker handler that ignores the cancel and keeps reporting, then succeeds.
    const QJsonValue id(QStringLiteral("p"));
    client.sendJson(commandMessage(id, QStringLiteral("pool"), poolArgs(5, 1, true)));
    const QJsonObject first = client.waitForType(QStringLiteral("command_progress"), id);
    QCOMPARE(first, progressMessage(id, QStringLiteral("pool"), QStringLiteral("step 1/5"), 20));
    client.sendJson(cancelMessage(id));
    const QJsonObject cancelled =
        failureMessage(id, QStringLiteral("pool"), QStringLiteral("cancelled"),
                       QStringLiteral("Command cancelled"));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), id), cancelled);

    m_fixture->probe().releaseGate();
    QTRY_COMPARE(m_fixture->probe().poolReturned.load(), 1);
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);
    QVERIFY(client.roundTrip(QStringLiteral("after")));
    QCOMPARE(client.messagesFor(id), (QList<QJsonObject>{first, cancelled}));
}

void tst_WebSocketBridge::cancelOfFinishedCommandFailsWithUnknownId()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("done"), QStringLiteral("quick")));
    QVERIFY(
        !client.waitForType(QStringLiteral("command_result"), QStringLiteral("done")).isEmpty());
    client.sendJson(cancelMessage(QStringLiteral("done")));
    QCOMPARE(client.waitForType(QStringLiteral("error"), QStringLiteral("done")),
             errorMessage(QStringLiteral("unknown_id"),
                          QStringLiteral("No command with id \"done\" is running"),
                          QStringLiteral("done")));
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), QStringLiteral("done")).size(),
             1);
}

void tst_WebSocketBridge::duplicateIdFailsWhileFirstContinues()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonValue id(QStringLiteral("d"));
    client.sendJson(commandMessage(id, QStringLiteral("pool"), poolArgs(2, 1)));
    const QJsonObject step1 =
        progressMessage(id, QStringLiteral("pool"), QStringLiteral("step 1/2"), 50);
    QCOMPARE(client.waitForType(QStringLiteral("command_progress"), id), step1);

    // The first is held at the gate: it is certainly still running.
    client.sendJson(commandMessage(id, QStringLiteral("quick")));
    const QJsonObject duplicate =
        failureMessage(id, QStringLiteral("quick"), QStringLiteral("duplicate_id"),
                       QStringLiteral("A command with this id is already running"));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), id), duplicate);
    QVERIFY(!m_fixture->probe().startedCommands().contains(QStringLiteral("quick")));

    m_fixture->probe().releaseGate();
    QTRY_COMPARE(client.messagesFor(QStringLiteral("command_result"), id).size(), 2);
    const QJsonObject step2 =
        progressMessage(id, QStringLiteral("pool"), QStringLiteral("step 2/2"), 100);
    const QJsonObject success = successMessage(id, QStringLiteral("pool"), parse(R"({"steps":2})"));
    QCOMPARE(client.messagesFor(id), (QList<QJsonObject>{step1, duplicate, step2, success}));

    // Once finished, the id may be used again.
    client.sendJson(commandMessage(id, QStringLiteral("quick"), QJsonObject()));
    QTRY_COMPARE(client.messagesFor(QStringLiteral("command_result"), id).size(), 3);
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), id)
                 .last()
                 .value(QStringLiteral("success")),
             QJsonValue(true));
}

void tst_WebSocketBridge::timeoutMsFailsWithTimeout()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    QJsonObject message = commandMessage(QStringLiteral("t"), QStringLiteral("never"));
    message.insert(QStringLiteral("timeout_ms"), 50);
    client.sendJson(message);
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("t")),
             failureMessage(QStringLiteral("t"), QStringLiteral("never"), QStringLiteral("timeout"),
                            QStringLiteral("Command timed out after 50 ms")));
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);
    QVERIFY(client.roundTrip(QStringLiteral("after")));
    QCOMPARE(client.messagesFor(QStringLiteral("t")).size(), 1);
}

void tst_WebSocketBridge::timeoutIsCappedByMaxTimeout()
{
    m_fixture->registry()->setMaxTimeout(100ms);
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    QCOMPARE(client.waitForHello()
                 .value(QStringLiteral("limits"))
                 .toObject()
                 .value(QStringLiteral("max_timeout_ms")),
             QJsonValue(100));

    // `never` defaults to 50 s; a request for an hour is capped too.
    client.sendJson(commandMessage(1, QStringLiteral("never")));
    QJsonObject longer = commandMessage(2, QStringLiteral("never"));
    longer.insert(QStringLiteral("timeout_ms"), 3600000);
    client.sendJson(longer);
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 1),
             failureMessage(1, QStringLiteral("never"), QStringLiteral("timeout"),
                            QStringLiteral("Command timed out after 100 ms")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 2),
             failureMessage(2, QStringLiteral("never"), QStringLiteral("timeout"),
                            QStringLiteral("Command timed out after 100 ms")));
}

void tst_WebSocketBridge::moreThanMaxInFlightIsBusy()
{
    m_fixture->options().maxInFlight = 2;
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    QCOMPARE(client.waitForHello()
                 .value(QStringLiteral("limits"))
                 .toObject()
                 .value(QStringLiteral("max_in_flight")),
             QJsonValue(2));

    client.sendJson(commandMessage(QStringLiteral("a"), QStringLiteral("never")));
    client.sendJson(commandMessage(QStringLiteral("b"), QStringLiteral("never")));
    client.sendJson(commandMessage(QStringLiteral("c"), QStringLiteral("never")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("c")),
             failureMessage(QStringLiteral("c"), QStringLiteral("never"), QStringLiteral("busy"),
                            QStringLiteral("Too many commands in flight (limit 2)")));
    QCOMPARE(m_fixture->probe().startedCommands().count(QStringLiteral("never")), 2);
    QVERIFY(client.messagesFor(QStringLiteral("a")).isEmpty());
    QVERIFY(client.messagesFor(QStringLiteral("b")).isEmpty());

    // A finished command frees its slot.
    client.sendJson(cancelMessage(QStringLiteral("a")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("a")),
             failureMessage(QStringLiteral("a"), QStringLiteral("never"),
                            QStringLiteral("cancelled"), QStringLiteral("Command cancelled")));
    client.sendJson(commandMessage(QStringLiteral("d"), QStringLiteral("never")));
    QVERIFY(client.roundTrip(QStringLiteral("sync")));
    QVERIFY(client.messagesFor(QStringLiteral("d")).isEmpty());
    client.sendJson(cancelMessage(QStringLiteral("d")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("d")),
             failureMessage(QStringLiteral("d"), QStringLiteral("never"),
                            QStringLiteral("cancelled"), QStringLiteral("Command cancelled")));
    QCOMPARE(m_fixture->probe().startedCommands().count(QStringLiteral("never")), 3);
}

void tst_WebSocketBridge::oversizedMessageClosesWith1009()
{
    m_fixture->options().maxMessageBytes = 1024;
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    // Under the limit: fine.
    const QString padding(800, QLatin1Char('x'));
    client.sendJson(commandMessage(QStringLiteral("small"), QStringLiteral("quick"),
                                   QJsonObject{{QStringLiteral("pad"), padding}}));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("small"))
                 .value(QStringLiteral("success")),
             QJsonValue(true));

    client.sendJson(
        commandMessage(QStringLiteral("big"), QStringLiteral("quick"),
                       QJsonObject{{QStringLiteral("pad"), QString(2048, QLatin1Char('x'))}}));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QVERIFY(client.messagesFor(QStringLiteral("big")).isEmpty());
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList{QStringLiteral("quick")});
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_WebSocketBridge::disconnectCancelsRunningCommands()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 1);

    client.sendJson(commandMessage(1, QStringLiteral("never")));
    client.sendJson(commandMessage(2, QStringLiteral("slow"), slowArgs(1000, 10)));
    client.sendJson(commandMessage(3, QStringLiteral("pool"), poolArgs(3, 1)));
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), 2).isEmpty());
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), 3).isEmpty());
    QCOMPARE(m_fixture->registry()->inFlightCount(), 3);
    QCOMPARE(m_fixture->server()->inFlightCount(), 3);

    client.close();
    QVERIFY(client.waitForDisconnected());
    // No work is left running for nobody.
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 2);
    QTRY_COMPARE(m_fixture->probe().poolCancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->probe().poolReturned.load(), 1);
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 0);
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_WebSocketBridge::concurrentCommandsInterleave()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("a"), QStringLiteral("slow"), slowArgs(5, 20)));
    client.sendJson(commandMessage(QStringLiteral("b"), QStringLiteral("slow"), slowArgs(5, 20)));
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), QStringLiteral("a")).isEmpty());
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), QStringLiteral("b")).isEmpty());

    const QList<QJsonObject> all = client.messages();
    const QList<QJsonObject> a = client.messagesFor(QStringLiteral("a"));
    const QList<QJsonObject> b = client.messagesFor(QStringLiteral("b"));
    QCOMPARE(a.size(), 6);
    QCOMPARE(b.size(), 6);
    QCOMPARE(a.last(),
             successMessage(QStringLiteral("a"), QStringLiteral("slow"), parse(R"({"steps":5})")));
    QCOMPARE(b.last(),
             successMessage(QStringLiteral("b"), QStringLiteral("slow"), parse(R"({"steps":5})")));
    // b reported while a was still running: they ran side by side, not one after the other.
    QVERIFY(indexOf(all, b.first()) < indexOf(all, a.last()));
    QVERIFY(indexOf(all, a.first()) < indexOf(all, b.last()));
}

void tst_WebSocketBridge::quickCommandIsNotHeldBehindSlowOne()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("s"), QStringLiteral("slow"), slowArgs(3, 300)));
    client.sendJson(commandMessage(QStringLiteral("q"), QStringLiteral("quick")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("q"))
                 .value(QStringLiteral("success")),
             QJsonValue(true));
    QVERIFY(client.messagesFor(QStringLiteral("command_result"), QStringLiteral("s")).isEmpty());
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), QStringLiteral("s")).isEmpty());
}

void tst_WebSocketBridge::workerPoolReportsProgressAcrossThreads()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonValue id(QStringLiteral("w"));
    const QString pool = QStringLiteral("pool");
    client.sendJson(commandMessage(id, pool, poolArgs(4)));
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), id).isEmpty());
    QCOMPARE(client.messagesFor(id),
             (QList<QJsonObject>{progressMessage(id, pool, QStringLiteral("step 1/4"), 25),
                                 progressMessage(id, pool, QStringLiteral("step 2/4"), 50),
                                 progressMessage(id, pool, QStringLiteral("step 3/4"), 75),
                                 progressMessage(id, pool, QStringLiteral("step 4/4"), 100),
                                 successMessage(id, pool, parse(R"({"steps":4})"))}));
    const QSet<QThread *> threads = m_fixture->probe().poolThreads();
    QCOMPARE(threads.size(), 1);
    QVERIFY(!threads.contains(QThread::currentThread()));
    QVERIFY(!threads.contains(m_fixture->server()->thread()));
}

void tst_WebSocketBridge::pingIsAnsweredWhileWorkerPoolCommandRuns()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    const QJsonValue id(QStringLiteral("w"));
    client.sendJson(commandMessage(id, QStringLiteral("pool"), poolArgs(2, 1)));
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), id).isEmpty());
    // The worker is busy (held at the gate); the socket thread is not.
    QVERIFY(client.roundTrip(QStringLiteral("ping-1")));
    QVERIFY(client.messagesFor(QStringLiteral("command_result"), id).isEmpty());
    client.sendJson(QJsonObject{{QStringLiteral("type"), QStringLiteral("list_commands")},
                                {QStringLiteral("id"), QStringLiteral("list")}});
    QVERIFY(!client.waitForType(QStringLiteral("commands"), QStringLiteral("list")).isEmpty());
    QVERIFY(client.messagesFor(QStringLiteral("command_result"), id).isEmpty());

    m_fixture->probe().releaseGate();
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), id),
             successMessage(id, QStringLiteral("pool"), parse(R"({"steps":2})")));
}

void tst_WebSocketBridge::listCommandsReturnsEveryCommand()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendText(QByteArray(R"({"type":"list_commands","id":7})"));
    const QJsonObject reply = client.waitForType(QStringLiteral("commands"), 7);
    QCOMPARE(reply.keys(), (QStringList{QStringLiteral("commands"), QStringLiteral("id"),
                                        QStringLiteral("type")}));
    QCOMPARE(reply.value(QStringLiteral("id")), QJsonValue(7));
    QCOMPARE(reply.value(QStringLiteral("commands")).toArray(),
             m_fixture->registry()->describeCommands());

    const QJsonArray commands = reply.value(QStringLiteral("commands")).toArray();
    QStringList names;
    for (const QJsonValue &value : commands) {
        const QJsonObject entry = value.toObject();
        const QString name = entry.value(QStringLiteral("name")).toString();
        names.append(name);
        QCOMPARE(entry.value(QStringLiteral("description")).toString(),
                 BridgeFixture::descriptionOf(name));
        QCOMPARE(entry.value(QStringLiteral("timeout_ms")),
                 QJsonValue(qint64(BridgeFixture::defaultTimeoutOf(name).count())));
        QVERIFY(entry.value(QStringLiteral("args_schema")).isObject());
        if (name == QStringLiteral("strict")) {
            const QJsonObject schema = entry.value(QStringLiteral("args_schema")).toObject();
            QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
            properties.remove(QStringLiteral("session_id"));
            QCOMPARE(properties,
                     BridgeFixture::strictSchema().value(QStringLiteral("properties")).toObject());
            QCOMPARE(schema.value(QStringLiteral("required")),
                     BridgeFixture::strictSchema().value(QStringLiteral("required")));
        }
    }
    QCOMPARE(names, BridgeFixture::commandNames());

    client.sendText(QByteArray(R"({"type":"list_commands"})"));
    QCOMPARE(
        client.waitForType(QStringLiteral("commands"), noId),
        (QJsonObject{{QStringLiteral("type"), QStringLiteral("commands")},
                     {QStringLiteral("commands"), m_fixture->registry()->describeCommands()}}));
}

void tst_WebSocketBridge::commandsWithoutIdWork()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));
    const QString sessionId = sessionIdOf(client);

    client.sendJson(commandMessage(noId, QStringLiteral("slow"), slowArgs(2, 10)));
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), noId).isEmpty());
    const QString slow = QStringLiteral("slow");
    QList<QJsonObject> withoutId = client.messagesFor(noId);
    withoutId.removeFirst(); // hello
    QCOMPARE(withoutId,
             (QList<QJsonObject>{progressMessage(noId, slow, QStringLiteral("step 1/2"), 50),
                                 progressMessage(noId, slow, QStringLiteral("step 2/2"), 100),
                                 successMessage(noId, slow, parse(R"({"steps":2})"))}));

    client.sendText(QByteArray(R"({"type":"ping"})"));
    QCOMPARE(client.waitForType(QStringLiteral("pong"), noId),
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")}}));

    // Two id-less commands at once do not count as duplicates.
    client.sendJson(commandMessage(noId, QStringLiteral("never")));
    client.sendJson(commandMessage(noId, QStringLiteral("quick")));
    QTRY_COMPARE(client.messagesFor(QStringLiteral("command_result"), noId).size(), 2);
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), noId).last(),
             successMessage(noId, QStringLiteral("quick"),
                            QJsonObject{{QStringLiteral("session_id"), sessionId}}));
}

void tst_WebSocketBridge::integerAndStringIdsAreDistinct()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(1, QStringLiteral("never")));
    client.sendJson(commandMessage(QStringLiteral("1"), QStringLiteral("never")));
    QVERIFY(client.roundTrip(QStringLiteral("sync")));
    QVERIFY(client.messagesFor(1).isEmpty());
    QVERIFY(client.messagesFor(QStringLiteral("1")).isEmpty());
    QCOMPARE(m_fixture->probe().startedCommands().count(QStringLiteral("never")), 2);

    client.sendJson(cancelMessage(1));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), 1),
             failureMessage(1, QStringLiteral("never"), QStringLiteral("cancelled"),
                            QStringLiteral("Command cancelled")));
    QVERIFY(client.roundTrip(QStringLiteral("sync2")));
    QVERIFY(client.messagesFor(QStringLiteral("1")).isEmpty());

    client.sendJson(cancelMessage(QStringLiteral("1")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("1")),
             failureMessage(QStringLiteral("1"), QStringLiteral("never"),
                            QStringLiteral("cancelled"), QStringLiteral("Command cancelled")));
    // On the wire, the integer id stays an integer.
    QVERIFY(client.messagesFor(1).first().value(QStringLiteral("id")).isDouble());
    QVERIFY(client.messagesFor(QStringLiteral("1")).first().value(QStringLiteral("id")).isString());
}

void tst_WebSocketBridge::shutdownFinishesCommandsAndClosesWith1001()
{
    QVERIFY(m_fixture->listen());
    WsClient client;
    QVERIFY(open(client));

    client.sendJson(commandMessage(QStringLiteral("n"), QStringLiteral("never")));
    client.sendJson(
        commandMessage(QStringLiteral("s"), QStringLiteral("slow"), slowArgs(1000, 10)));
    QVERIFY(!client.waitForType(QStringLiteral("command_progress"), QStringLiteral("s")).isEmpty());

    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("n")),
             failureMessage(QStringLiteral("n"), QStringLiteral("never"),
                            QStringLiteral("shutting_down"),
                            QStringLiteral("Server is shutting down")));
    QCOMPARE(client.waitForType(QStringLiteral("command_result"), QStringLiteral("s")),
             failureMessage(QStringLiteral("s"), QStringLiteral("slow"),
                            QStringLiteral("shutting_down"),
                            QStringLiteral("Server is shutting down")));
    QVERIFY(client.waitForDisconnected());
    QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 2);
    QCOMPARE(m_fixture->registry()->inFlightCount(), 0);
    QCOMPARE(client.messagesFor(QStringLiteral("command_result"), QStringLiteral("s")).size(), 1);
    QCOMPARE(client.messages().last().value(QStringLiteral("type")),
             QStringLiteral("command_result"));

    // No new connections.
    WsClient late;
    late.open(m_fixture->webSocketUrl());
    QVERIFY(!late.waitForConnected());
}

QTEST_GUILESS_MAIN(tst_WebSocketBridge)
#include "tst_websocketbridge.moc"
