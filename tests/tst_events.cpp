// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Events (spec section 10) through the real wire: declaration and discovery, subscribe and
// unsubscribe with every bad input, delivery with seq, session scope, order against results, and
// the event stream (Server-Sent Events).

#include "democommands.h"
#include "rawhttpclient.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace Qt::StringLiterals;

namespace {

QJsonObject subscribeMessage(const QJsonValue &id, const QJsonValue &events,
                             const QString &type = u"subscribe"_s)
{
    QJsonObject message{{u"type"_s, type}, {u"id"_s, id}};
    if (!events.isUndefined())
        message.insert(u"events"_s, events);
    return message;
}

QList<QJsonObject> eventsOf(const WsClient &client, const QString &name = QString())
{
    QList<QJsonObject> events;
    for (const QJsonObject &message : client.messages()) {
        if (message.value(u"type"_s) == u"event"_s &&
            (name.isEmpty() || message.value(u"event"_s) == name))
            events.append(message);
    }
    return events;
}

int indexOf(const WsClient &client, const QString &type, const QJsonValue &id)
{
    const QList<QJsonObject> messages = client.messages();
    for (int i = 0; i < messages.size(); ++i) {
        if (messages.at(i).value(u"type"_s) == type && messages.at(i).value(u"id"_s) == id)
            return i;
    }
    return -1;
}

int networkThreadsFromEnvironment()
{
    return qEnvironmentVariableIntValue("COMMANDBRIDGE_TEST_NETWORK_THREADS");
}

} // namespace

class tst_Events : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void helloListsTheEventsFeature();
    void listEventsDescribesEveryDeclaredEvent();
    void restListsEvents();
    void registryRefusesBadDeclarations();
    void subscribeBadInput_data();
    void subscribeBadInput();
    void subscribeAnswersTheWholeSortedList();
    void unsubscribeRemovesAndIgnoresUnknownEntries();
    void deliveryFollowsTheSubscription();
    void sessionEventsStayInTheirSession();
    void publishingRefusesWhatIsNotDeclared();
    void eventPublishedBeforeTheResultArrivesFirst_data();
    void eventPublishedBeforeTheResultArrivesFirst();
    void historyChangesAreSessionEvents();
    void sessionEventFromACommandNeedsItsSession();
    void statsArriveWhileSubscribed();
    void eventStreamDeliversServerSentEvents();
    void eventStreamRefusesUnknownEvents_data();
    void eventStreamRefusesUnknownEvents();
    void eventStreamKeepsAliveAndEndsAtShutdown();
    void eventStreamAcceptsTheTokenInItsUrl();

private:
    void startServer();
    std::unique_ptr<WsClient> connectClient(const QString &sessionId = QString());
    QJsonObject subscribe(WsClient &client, const QJsonValue &id, const QStringList &events);

    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<CommandBridgeServer> m_server;
    ServerOptions m_options;
};

void tst_Events::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    Demo::registerDemoCommands(*m_registry);
    const auto publishThenSucceed = [](CommandContext &context) {
        const int count = context.args().value(u"count"_s).toInt(1);
        // The text names the request, so a test can tell whose notice it is.
        const QString text = u"request %1"_s.arg(context.requestId().toInteger());
        for (int n = 1; n <= count; ++n)
            context.publishEvent(u"notice"_s, QJsonObject{{u"text"_s, text}, {u"n"_s, n}});
        context.succeed(QJsonObject{{u"published"_s, count}});
    };
    const char *countSchema =
        R"({"type": "object", "properties": {"count": {"type": "integer", "minimum": 1}}})";
    QVERIFY(CommandBuilder(u"publish_here"_s)
                .args(countSchema)
                .mode(ExecutionMode::Synchronous)
                .thread(HandlerThread::Network)
                .handler(publishThenSucceed)
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(u"publish_on_app"_s)
                .args(countSchema)
                .mode(ExecutionMode::EventLoop)
                .thread(HandlerThread::Registry)
                .handler(publishThenSucceed)
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(u"publish_on_worker"_s)
                .args(countSchema)
                .mode(ExecutionMode::WorkerPool)
                .handler(publishThenSucceed)
                .registerIn(*m_registry));
    QVERIFY(CommandBuilder(u"publish_session_event"_s)
                .mode(ExecutionMode::Synchronous)
                .handler([](CommandContext &context) {
                    context.succeed(
                        context.publishEvent(u"history.changed"_s, QJsonObject{{u"turns"_s, 7}}));
                })
                .registerIn(*m_registry));
    m_options = ServerOptions();
    m_options.networkThreads = networkThreadsFromEnvironment();
}

void tst_Events::cleanup()
{
    m_server.reset();
    m_registry.reset();
}

void tst_Events::startServer()
{
    m_server = std::make_unique<CommandBridgeServer>(m_registry.get());
    Demo::publishStats(*m_registry, *m_server);
    m_server->setOptions(m_options);
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
}

std::unique_ptr<WsClient> tst_Events::connectClient(const QString &sessionId)
{
    auto client = std::make_unique<WsClient>();
    const QUrl url(u"ws://127.0.0.1:%1/ws"_s.arg(m_server->serverPort()));
    if (sessionId.isEmpty())
        client->open(url);
    else
        client->open(url, sessionId);
    if (!client->waitForConnected() || client->waitForHello().isEmpty())
        return nullptr;
    return client;
}

QJsonObject tst_Events::subscribe(WsClient &client, const QJsonValue &id, const QStringList &events)
{
    client.sendJson(subscribeMessage(id, QJsonArray::fromStringList(events)));
    return client.waitForType(u"subscribed"_s, id);
}

void tst_Events::helloListsTheEventsFeature()
{
    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    QCOMPARE(client->waitForHello().value(u"features"_s), QJsonValue(QJsonArray{u"events"_s}));
}

void tst_Events::listEventsDescribesEveryDeclaredEvent()
{
    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    client->sendJson(QJsonObject{{u"type"_s, u"list_events"_s}, {u"id"_s, 3}});
    const QJsonObject answer = client->waitForType(u"events"_s, 3);
    const QJsonArray events = answer.value(u"events"_s).toArray();
    QStringList names;
    for (const QJsonValue &event : events)
        names.append(event.toObject().value(u"name"_s).toString());
    QCOMPARE(names, (QStringList{u"history.changed"_s, u"notice"_s, u"stats"_s}));
    const QJsonObject history = events.at(0).toObject();
    QCOMPARE(history.value(u"scope"_s).toString(), u"session"_s);
    QVERIFY(!history.value(u"description"_s).toString().isEmpty());
    QCOMPARE(history.value(u"data_schema"_s)
                 .toObject()
                 .value(u"required"_s)
                 .toArray()
                 .first()
                 .toString(),
             u"turns"_s);
    QCOMPARE(events.at(1).toObject().value(u"scope"_s).toString(), u"global"_s);
    QCOMPARE(answer.keys(), (QStringList{u"events"_s, u"id"_s, u"type"_s}));
}

void tst_Events::restListsEvents()
{
    startServer();
    RawHttpClient http(m_server->serverPort());
    http.send("GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(http.responses().size(), 1);
    const HttpResponse &response = http.responses().first();
    QCOMPARE(response.status, 200);
    QCOMPARE(response.mediaType(), QByteArray("application/json"));
    QCOMPARE(response.json().value(u"events"_s).toArray(), m_registry->describeEvents());

    http.send("DELETE /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(http.responses().size(), 2);
    QCOMPARE(http.responses().at(1).status, 405);
}

void tst_Events::registryRefusesBadDeclarations()
{
    QVERIFY(!m_registry->registerEvent(EventDescriptor{u"notice"_s, {}, {}, EventScope::Global}));
    QCOMPARE(m_registry->errorString(), u"Event \"notice\" is already registered"_s);
    QVERIFY(!m_registry->registerEvent(EventDescriptor{u"bad name"_s, {}, {}, EventScope::Global}));
    QVERIFY(m_registry->errorString().startsWith(u"Invalid event name \"bad name\""_s));
    QVERIFY(!m_registry->registerEvent(
        EventDescriptor{u"typed"_s, {}, QJsonObject{{u"type"_s, 7}}, EventScope::Global}));
    QVERIFY(m_registry->errorString().startsWith(u"Event \"typed\" has an invalid schema"_s));
    QVERIFY(!m_registry->containsEvent(u"typed"_s));
    QVERIFY(m_registry->registerEvent(EventDescriptor{u"typed"_s, {}, {}, EventScope::Global}));
    QVERIFY(m_registry->errorString().isEmpty());
}

void tst_Events::subscribeBadInput_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("text");

    const QString shape = u"\"events\" must be a non-empty array of event names"_s;
    QTest::newRow("events missing")
        << subscribeMessage(7, QJsonValue::Undefined) << u"bad_message"_s << shape;
    QTest::newRow("not an array") << subscribeMessage(7, u"notice"_s) << u"bad_message"_s << shape;
    QTest::newRow("object") << subscribeMessage(7, QJsonObject{{u"notice"_s, true}})
                            << u"bad_message"_s << shape;
    QTest::newRow("empty") << subscribeMessage(7, QJsonArray()) << u"bad_message"_s << shape;
    QTest::newRow("number") << subscribeMessage(7, QJsonArray{1}) << u"bad_message"_s << shape;
    QTest::newRow("null entry") << subscribeMessage(7, QJsonArray{QJsonValue::Null})
                                << u"bad_message"_s << shape;
    QTest::newRow("empty string") << subscribeMessage(7, QJsonArray{u""_s}) << u"bad_message"_s
                                  << shape;
    QTest::newRow("a valid name and a number")
        << subscribeMessage(7, QJsonArray{u"notice"_s, 2}) << u"bad_message"_s << shape;
    QTest::newRow("undeclared") << subscribeMessage(7, QJsonArray{u"nope"_s}) << u"unknown_event"_s
                                << u"Unknown event \"nope\""_s;
    QTest::newRow("declared and undeclared")
        << subscribeMessage(7, QJsonArray{u"notice"_s, u"stats.x"_s}) << u"unknown_event"_s
        << u"Unknown event \"stats.x\""_s;
    QTest::newRow("unsubscribe, not an array")
        << subscribeMessage(7, 5, u"unsubscribe"_s) << u"bad_message"_s << shape;
    QTest::newRow("unsubscribe, empty")
        << subscribeMessage(7, QJsonArray(), u"unsubscribe"_s) << u"bad_message"_s << shape;
    QJsonArray tooMany;
    for (int i = 0; i < 257; ++i)
        tooMany.append(u"p%1.*"_s.arg(i));
    QTest::newRow("more entries than a connection may hold")
        << subscribeMessage(7, tooMany) << u"bad_message"_s
        << u"Too many subscriptions (limit 256)"_s;
}

void tst_Events::subscribeBadInput()
{
    QFETCH(QJsonObject, message);
    QFETCH(QString, code);
    QFETCH(QString, text);

    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    QCOMPARE(subscribe(*client, u"first"_s, {u"stats"_s}).value(u"events"_s),
             QJsonValue(QJsonArray{u"stats"_s}));
    client->sendJson(message);
    const QJsonObject error = client->waitForType(u"error"_s, 7);
    QCOMPARE(error,
             (QJsonObject{
                 {u"type"_s, u"error"_s}, {u"id"_s, 7}, {u"code"_s, code}, {u"message"_s, text}}));
    // Nothing changed, and the connection goes on.
    QCOMPARE(subscribe(*client, u"again"_s, {u"stats"_s}).value(u"events"_s),
             QJsonValue(QJsonArray{u"stats"_s}));
    QVERIFY(client->isConnected());
}

void tst_Events::subscribeAnswersTheWholeSortedList()
{
    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    QCOMPARE(subscribe(*client, 1, {u"stats"_s, u"history.*"_s}),
             (QJsonObject{{u"type"_s, u"subscribed"_s},
                          {u"id"_s, 1},
                          {u"events"_s, QJsonArray{u"history.*"_s, u"stats"_s}}}));
    // Twice the same entry is the same as once; a pattern may match nothing declared yet.
    QCOMPARE(
        subscribe(*client, 2, {u"notice"_s, u"stats"_s, u"later.*"_s, u"*"_s}).value(u"events"_s),
        QJsonValue(QJsonArray{u"*"_s, u"history.*"_s, u"later.*"_s, u"notice"_s, u"stats"_s}));
}

void tst_Events::unsubscribeRemovesAndIgnoresUnknownEntries()
{
    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    client->sendJson(subscribeMessage(1, QJsonArray{u"notice"_s}, u"unsubscribe"_s));
    QCOMPARE(
        client->waitForType(u"unsubscribed"_s, 1),
        (QJsonObject{{u"type"_s, u"unsubscribed"_s}, {u"id"_s, 1}, {u"events"_s, QJsonArray()}}));
    subscribe(*client, 2, {u"notice"_s, u"stats"_s});
    client->sendJson(
        subscribeMessage(3, QJsonArray{u"notice"_s, u"nope"_s, u"x.*"_s}, u"unsubscribe"_s));
    QCOMPARE(client->waitForType(u"unsubscribed"_s, 3).value(u"events"_s),
             QJsonValue(QJsonArray{u"stats"_s}));

    QVERIFY(!m_registry->hasEventSubscribers(u"notice"_s));
    QVERIFY(m_registry->publishEvent(u"notice"_s, {{u"text"_s, u"unheard"_s}, {u"n"_s, 1}}));
    QVERIFY(client->roundTrip(u"barrier"_s));
    QVERIFY(eventsOf(*client).isEmpty());
}

void tst_Events::deliveryFollowsTheSubscription()
{
    startServer();
    const auto exact = connectClient();
    const auto prefix = connectClient();
    const auto all = connectClient();
    const auto none = connectClient();
    QVERIFY(exact && prefix && all && none);
    subscribe(*exact, 1, {u"notice"_s});
    subscribe(*prefix, 1, {u"history.*"_s});
    subscribe(*all, 1, {u"*"_s});
    QVERIFY(m_registry->hasEventSubscribers(u"notice"_s));
    QVERIFY(m_registry->hasEventSubscribers(u"history.changed"_s));

    constexpr int notices = 50;
    for (int n = 1; n <= notices; ++n)
        QVERIFY(m_registry->publishEvent(u"notice"_s, {{u"text"_s, u"hello"_s}, {u"n"_s, n}}));

    QTRY_COMPARE(eventsOf(*exact).size(), notices);
    QTRY_COMPARE(eventsOf(*all).size(), notices);
    for (int n = 1; n <= notices; ++n) {
        const QJsonObject expected{{u"type"_s, u"event"_s},
                                   {u"event"_s, u"notice"_s},
                                   {u"seq"_s, n},
                                   {u"data"_s, QJsonObject{{u"text"_s, u"hello"_s}, {u"n"_s, n}}}};
        QCOMPARE(eventsOf(*exact).at(n - 1), expected);
        QCOMPARE(eventsOf(*all).at(n - 1), expected);
    }
    QVERIFY(prefix->roundTrip(u"barrier"_s));
    QVERIFY(none->roundTrip(u"barrier"_s));
    QVERIFY(eventsOf(*prefix).isEmpty());
    QVERIFY(eventsOf(*none).isEmpty());
}

void tst_Events::sessionEventsStayInTheirSession()
{
    startServer();
    const auto alice = connectClient(u"alice"_s);
    const auto aliceAgain = connectClient(u"alice"_s);
    const auto bob = connectClient(u"bob"_s);
    QVERIFY(alice && aliceAgain && bob);
    for (WsClient *client : {alice.get(), aliceAgain.get(), bob.get()})
        subscribe(*client, 1, {u"*"_s});

    QVERIFY(m_registry->publishSessionEvent(u"alice"_s, u"history.changed"_s, {{u"turns"_s, 4}}));
    const QJsonObject expected{{u"type"_s, u"event"_s},
                               {u"event"_s, u"history.changed"_s},
                               {u"seq"_s, 1},
                               {u"data"_s, QJsonObject{{u"turns"_s, 4}}}};
    QTRY_COMPARE(eventsOf(*alice).size(), 1);
    QTRY_COMPARE(eventsOf(*aliceAgain).size(), 1);
    QCOMPARE(eventsOf(*alice).first(), expected);
    QCOMPARE(eventsOf(*aliceAgain).first(), expected);
    QVERIFY(bob->roundTrip(u"barrier"_s));
    QVERIFY(eventsOf(*bob).isEmpty());
}

void tst_Events::publishingRefusesWhatIsNotDeclared()
{
    startServer();
    const auto client = connectClient(u"s1"_s);
    QVERIFY(client);
    subscribe(*client, 1, {u"*"_s});
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"no event.*undeclared.*declared"_s));
    QVERIFY(!m_registry->publishEvent(u"undeclared"_s, {}));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"history.changed.*session event"_s));
    QVERIFY(!m_registry->publishEvent(u"history.changed"_s, {{u"turns"_s, 1}}));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"notice.*global event"_s));
    QVERIFY(
        !m_registry->publishSessionEvent(u"s1"_s, u"notice"_s, {{u"text"_s, u"x"_s}, {u"n"_s, 1}}));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"history.changed.*needs a session"_s));
    QVERIFY(!m_registry->publishSessionEvent(QString(), u"history.changed"_s, {{u"turns"_s, 1}}));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"notice.*does not match its schema"_s));
    QVERIFY(!m_registry->publishEvent(u"notice"_s, {{u"text"_s, 5}}));
    QVERIFY(client->roundTrip(u"barrier"_s));
    QVERIFY(eventsOf(*client).isEmpty());
}

void tst_Events::eventPublishedBeforeTheResultArrivesFirst_data()
{
    QTest::addColumn<QString>("command");
    QTest::newRow("handler on the request's thread") << u"publish_here"_s;
    QTest::newRow("handler on the app's thread") << u"publish_on_app"_s;
    QTest::newRow("handler on a worker") << u"publish_on_worker"_s;
}

void tst_Events::eventPublishedBeforeTheResultArrivesFirst()
{
    QFETCH(QString, command);
    startServer();
    const auto client = connectClient();
    const auto watcher = connectClient();
    QVERIFY(client && watcher);
    subscribe(*client, 1, {u"notice"_s});
    subscribe(*watcher, 1, {u"notice"_s});

    constexpr int rounds = 20;
    constexpr int perCommand = 5;
    for (int round = 0; round < rounds; ++round)
        client->sendJson(commandMessage(round, command, QJsonObject{{u"count"_s, perCommand}}));
    for (int round = 0; round < rounds; ++round)
        QVERIFY(!client->waitForType(u"command_result"_s, round).isEmpty());

    // Each command's notices come before its result, in the order published; seq counts them all.
    const QList<QJsonObject> messages = client->messages();
    for (int round = 0; round < rounds; ++round) {
        const QString text = u"request %1"_s.arg(round);
        const int result = indexOf(*client, u"command_result"_s, round);
        QList<int> published;
        for (int i = 0; i < messages.size(); ++i) {
            const QJsonObject data = messages.at(i).value(u"data"_s).toObject();
            if (messages.at(i).value(u"type"_s) == u"event"_s && data.value(u"text"_s) == text) {
                QVERIFY2(i < result, qPrintable(text + u": a notice after the result"_s));
                published.append(data.value(u"n"_s).toInt());
            }
        }
        QCOMPARE(published, (QList<int>{1, 2, 3, 4, 5}));
    }
    const QList<QJsonObject> events = eventsOf(*client);
    QCOMPARE(events.size(), rounds * perCommand);
    for (int i = 0; i < events.size(); ++i)
        QCOMPARE(events.at(i).value(u"seq"_s).toInt(), i + 1);
    QTRY_COMPARE(eventsOf(*watcher).size(), rounds * perCommand);
}

void tst_Events::historyChangesAreSessionEvents()
{
    startServer();
    const auto writer = connectClient(u"writer"_s);
    const auto other = connectClient(u"other"_s);
    QVERIFY(writer && other);
    subscribe(*writer, 1, {u"history.*"_s});
    subscribe(*other, 1, {u"history.changed"_s});

    for (int turn = 1; turn <= 3; ++turn)
        writer->sendJson(commandMessage(u"add%1"_s.arg(turn), u"history.add"_s,
                                        QJsonObject{{u"text"_s, u"turn %1"_s.arg(turn)}}));
    writer->sendJson(
        commandMessage(u"compact"_s, u"compact"_s, QJsonObject{{u"keep_recent"_s, 1}}));
    QVERIFY(!writer->waitForType(u"command_result"_s, u"compact"_s).isEmpty());

    const QList<QJsonObject> events = eventsOf(*writer, u"history.changed"_s);
    QCOMPARE(events.size(), 4);
    const QList<int> turns{1, 2, 3, 2};
    for (int i = 0; i < 4; ++i)
        QCOMPARE(events.at(i).value(u"data"_s).toObject(),
                 (QJsonObject{{u"turns"_s, turns.at(i)}}));
    for (int turn = 1; turn <= 3; ++turn) {
        QVERIFY(indexOf(*writer, u"command_result"_s, u"add%1"_s.arg(turn)) >
                writer->messages().indexOf(events.at(turn - 1)));
    }
    QVERIFY(other->roundTrip(u"barrier"_s));
    QVERIFY(eventsOf(*other).isEmpty());
}

void tst_Events::sessionEventFromACommandNeedsItsSession()
{
    startServer();
    const auto client = connectClient(u"mine"_s);
    QVERIFY(client);
    subscribe(*client, 1, {u"history.changed"_s});
    client->sendJson(commandMessage(2, u"publish_session_event"_s, QJsonObject()));
    QCOMPARE(client->waitForType(u"command_result"_s, 2).value(u"result"_s), QJsonValue(true));
    const QList<QJsonObject> events = eventsOf(*client, u"history.changed"_s);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().value(u"data"_s).toObject(), (QJsonObject{{u"turns"_s, 7}}));

    // A REST call without X-Session-Id runs without a session: a session event has nowhere to go.
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(u"not published: .*history.changed.* is a session "
                                            "event and the command runs without a session"_s));
    RawHttpClient http(m_server->serverPort());
    http.send("POST /api/v1/commands/publish_session_event HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    QTRY_COMPARE(http.responses().size(), 1);
    QCOMPARE(http.responses().first().status, 200);
    QCOMPARE(http.responses().first().json().value(u"result"_s), QJsonValue(false));
    QVERIFY(client->roundTrip(u"barrier"_s));
    QCOMPARE(eventsOf(*client, u"history.changed"_s).size(), 1);
}

void tst_Events::statsArriveWhileSubscribed()
{
    startServer();
    const auto client = connectClient();
    QVERIFY(client);
    QVERIFY(!m_registry->hasEventSubscribers(u"stats"_s));
    subscribe(*client, 1, {u"stats"_s});
    QTRY_VERIFY_WITH_TIMEOUT(!eventsOf(*client, u"stats"_s).isEmpty(), 5000);
    const QJsonObject data = eventsOf(*client, u"stats"_s).first().value(u"data"_s).toObject();
    QCOMPARE(data.keys(), (QStringList{u"connections"_s, u"in_flight"_s, u"sessions"_s}));
    QCOMPARE(data.value(u"connections"_s).toInt(), 1);
    QCOMPARE(data.value(u"in_flight"_s).toInt(), 0);
}

void tst_Events::eventStreamDeliversServerSentEvents()
{
    startServer();
    RawHttpClient stream(m_server->serverPort());
    stream.send("GET /api/v1/events/stream?events=notice,history.* HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\nX-Session-Id: reader\r\n\r\n");
    QTRY_VERIFY(m_registry->hasEventSubscribers(u"notice"_s));
    QVERIFY(m_registry->publishEvent(u"notice"_s, {{u"text"_s, u"one"_s}, {u"n"_s, 1}}));
    QVERIFY(m_registry->publishSessionEvent(u"someone"_s, u"history.changed"_s, {{u"turns"_s, 9}}));
    QVERIFY(m_registry->publishSessionEvent(u"reader"_s, u"history.changed"_s, {{u"turns"_s, 2}}));
    QVERIFY(m_registry->publishEvent(
        u"stats"_s, {{u"connections"_s, 0}, {u"sessions"_s, 0}, {u"in_flight"_s, 0}}));
    const QByteArray first =
        "event: notice\nid: 1\ndata: "
        R"({"data":{"n":1,"text":"one"},"event":"notice","seq":1,"type":"event"})"
        "\n\n";
    const QByteArray second =
        "event: history.changed\nid: 2\ndata: "
        R"({"data":{"turns":2},"event":"history.changed","seq":2,"type":"event"})"
        "\n\n";
    QTRY_VERIFY(stream.received().contains(second));
    const QByteArray received = stream.received();
    QVERIFY(received.startsWith("HTTP/1.1 200"));
    QVERIFY(received.toLower().contains("content-type: text/event-stream"));
    const qsizetype body = received.indexOf("\r\n\r\n") + 4;
    QVERIFY(received.indexOf(first, body) > 0);
    QVERIFY(received.indexOf(first) < received.indexOf(second));
    QVERIFY(!received.contains("turns\":9"));
    QVERIFY(!received.contains("event: stats"));
}

void tst_Events::eventStreamRefusesUnknownEvents_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("undeclared") << QByteArray("/api/v1/events/stream?events=notice,nope") << 404
                                << u"unknown_event"_s << u"Unknown event \"nope\""_s;
    const QString shape = u"\"events\" must be a comma-separated list of event names"_s;
    QTest::newRow("no events") << QByteArray("/api/v1/events/stream") << 400 << u"bad_message"_s
                               << shape;
    QTest::newRow("empty entry") << QByteArray("/api/v1/events/stream?events=notice,,stats") << 400
                                 << u"bad_message"_s << shape;
    QTest::newRow("bad session") << QByteArray("/api/v1/events/stream?events=notice&session=a%20b")
                                 << 400 << u"bad_message"_s
                                 << u"The session must match [A-Za-z0-9._-]{1,128}"_s;
}

void tst_Events::eventStreamRefusesUnknownEvents()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, message);

    startServer();
    RawHttpClient http(m_server->serverPort());
    http.send("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(http.responses().size(), 1);
    QCOMPARE(http.responses().first().status, status);
    QCOMPARE(http.responses().first().json(),
             (QJsonObject{{u"success"_s, false},
                          {u"result"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}}));
    QVERIFY(!m_registry->hasEventSubscribers(u"notice"_s));
}

void tst_Events::eventStreamKeepsAliveAndEndsAtShutdown()
{
    m_options.eventStreamKeepAlive = std::chrono::milliseconds(50);
    startServer();
    RawHttpClient stream(m_server->serverPort());
    stream.send("GET /api/v1/events/stream?events=* HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(stream.received().count(": keepalive\n\n") >= 2);

    QSignalSpy finished(m_server.get(), &CommandBridgeServer::shutdownFinished);
    m_server->shutdown();
    QTRY_VERIFY(stream.received().endsWith(": server shutting down\n\n") ||
                stream.received().endsWith(": server shutting down\n\n\r\n0\r\n\r\n"));
    QTRY_VERIFY(finished.size() == 1 || stream.isDisconnected());
}

void tst_Events::eventStreamAcceptsTheTokenInItsUrl()
{
    m_options.token = u"s3cret"_s;
    startServer();
    RawHttpClient refused(m_server->serverPort());
    refused.send("GET /api/v1/events/stream?events=notice HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(refused.responses().size(), 1);
    QCOMPARE(refused.responses().first().status, 401);
    RawHttpClient wrong(m_server->serverPort());
    wrong.send("GET /api/v1/events/stream?events=notice&token=nope HTTP/1.1\r\n"
               "Host: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(wrong.responses().size(), 1);
    QCOMPARE(wrong.responses().first().status, 401);
    // Only the event stream takes a token from its URL.
    RawHttpClient list(m_server->serverPort());
    list.send("GET /api/v1/events?token=s3cret HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QTRY_COMPARE(list.responses().size(), 1);
    QCOMPARE(list.responses().first().status, 401);

    RawHttpClient stream(m_server->serverPort());
    stream.send("GET /api/v1/events/stream?events=notice&token=s3cret HTTP/1.1\r\n"
                "Host: 127.0.0.1\r\n\r\n");
    QTRY_VERIFY(m_registry->hasEventSubscribers(u"notice"_s));
    QVERIFY(m_registry->publishEvent(u"notice"_s, {{u"text"_s, u"t"_s}, {u"n"_s, 1}}));
    QTRY_VERIFY(stream.received().contains("event: notice\nid: 1\n"));
}

QTEST_GUILESS_MAIN(tst_Events)
#include "tst_events.moc"
