// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The command-bridge-server executable, run as a user runs it: its options, the line it prints
// once listening, a WebSocket session against it, and its graceful stop on SIGTERM/SIGINT.

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrl>
#include <QtCore/QUuid>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <csignal>
#include <memory>

#include <signal.h>
#include <sys/types.h>

char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}

namespace {

constexpr int processTimeoutMs = 10000;

QString serverPath()
{
    return QStringLiteral(DEMO_SERVER_PATH);
}

QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("Test JSON is not an object: %s", json.constData());
    return document.object();
}

/// A WebSocket client that keeps every message it receives, parsed.
class Client
{
public:
    Client()
    {
        QObject::connect(&socket, &QWebSocket::textMessageReceived, &socket,
                         [this](const QString &text) {
                             messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
                         });
    }

    void send(const QByteArray &json) { socket.sendTextMessage(QString::fromUtf8(json)); }
    /// Index of the first message at or after \a from with this type and id, or -1.
    qsizetype find(const QString &type, const QJsonValue &id, qsizetype from = 0) const
    {
        for (qsizetype i = from; i < messages.size(); ++i) {
            if (messages.at(i).value(QLatin1String("type")).toString() == type &&
                messages.at(i).value(QLatin1String("id")) == id)
                return i;
        }
        return -1;
    }

    QWebSocket socket;
    QList<QJsonObject> messages;
};

} // namespace

class DemoServerTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void cleanup();

    void informationalOptionsExitZero_data();
    void informationalOptionsExitZero();
    void badOptionExitsNonZeroAndSaysWhy_data();
    void badOptionExitsNonZeroAndSaysWhy();
    void webSocketClientSeesHello();
    void countStreamsProgressThenOneResult();
    void cancelEndsALongCount();
    void cancelledCommandLeftNoEffect();
    void listEventsNamesTheDemoEvents();
    void counterIsExposedWithoutGlue();
    void broadcastPublishesNoticesBeforeItsResult();
    void broadcastRefusesBadArgsAndPublishesNothing_data();
    void broadcastRefusesBadArgsAndPublishesNothing();
    void terminationSignalShutsDownGracefully_data();
    void terminationSignalShutsDownGracefully();

private:
    void startServer();
    void connectClient(Client &client);
    /// Starts the server and connects \a client; false (the test failed) if either did not work.
    [[nodiscard]] bool serveAndConnect(Client &client);
    void subscribeToNotices(Client &client);
    /// serveAndConnect(), then subscribes \a client to notice events.
    [[nodiscard]] bool serveToNoticeSubscriber(Client &client);

    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    quint16 m_port = 0;
};

void DemoServerTest::cleanup()
{
    // Every test ends with the operator's stop (SIGTERM), which must end the server cleanly: a
    // crash on the way out (a sanitizer's report, say) fails the test instead of being killed.
    const std::unique_ptr<QProcess> process = std::move(m_process);
    m_stdout.clear();
    m_port = 0;
    if (process && process->state() != QProcess::NotRunning) {
        ::kill(static_cast<pid_t>(process->processId()), SIGTERM);
        if (!process->waitForFinished(processTimeoutMs)) {
            process->kill();
            process->waitForFinished(processTimeoutMs);
            QFAIL("the server did not stop on SIGTERM");
        }
        QVERIFY2(process->exitStatus() == QProcess::NormalExit && process->exitCode() == 0,
                 process->readAllStandardError().constData());
    } else if (process) {
        QVERIFY2(process->exitStatus() == QProcess::NormalExit,
                 process->readAllStandardError().constData());
    }
}

/// Starts the server on a free port and reads the port from its "listening on" line.
void DemoServerTest::startServer()
{
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(serverPath());
    m_process->setArguments({QStringLiteral("--port"), QStringLiteral("0")});
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this,
            [this] { m_stdout += m_process->readAllStandardOutput(); });
    m_process->start();

    const QRegularExpression listening(
        QStringLiteral(R"(listening on http://127\.0\.0\.1:(\d+)\b[^\n]*\n)"));
    QTRY_VERIFY_WITH_TIMEOUT(listening.match(QString::fromUtf8(m_stdout)).hasMatch() ||
                                 m_process->state() == QProcess::NotRunning,
                             processTimeoutMs);
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_stdout));
    QVERIFY2(match.hasMatch(), m_stdout.constData());
    m_port = match.captured(1).toUShort();
    QVERIFY(m_port != 0);
    // The same line names the WebSocket URL.
    QVERIFY2(match.captured(0).contains(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)),
             qPrintable(match.captured(0)));
}

void DemoServerTest::connectClient(Client &client)
{
    client.socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)));
    QTRY_COMPARE_WITH_TIMEOUT(client.messages.size(), 1, processTimeoutMs);
    QCOMPARE(client.messages.constFirst().value(QLatin1String("type")).toString(),
             QStringLiteral("hello"));
}

bool DemoServerTest::serveAndConnect(Client &client)
{
    startServer();
    if (QTest::currentTestFailed())
        return false;
    connectClient(client);
    return !QTest::currentTestFailed();
}

void DemoServerTest::subscribeToNotices(Client &client)
{
    client.send(R"({"type":"subscribe","id":"sub","events":["notice"]})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("subscribed"), QStringLiteral("sub")) >= 0,
                             processTimeoutMs);
    QCOMPARE(client.messages.constLast(),
             object(R"({"type":"subscribed","id":"sub","events":["notice"]})"));
}

bool DemoServerTest::serveToNoticeSubscriber(Client &client)
{
    if (!serveAndConnect(client))
        return false;
    subscribeToNotices(client);
    return !QTest::currentTestFailed();
}

void DemoServerTest::informationalOptionsExitZero_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("expectedOutput");

    QTest::newRow("--help") << QStringLiteral("--help") << QStringLiteral("--max-message-bytes");
    QTest::newRow("--version") << QStringLiteral("--version") << QStringLiteral("0.1.0");
}

void DemoServerTest::informationalOptionsExitZero()
{
    QFETCH(QString, option);
    QFETCH(QString, expectedOutput);

    m_process = std::make_unique<QProcess>();
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    m_process->start(serverPath(), {option});
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, processTimeoutMs);
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
    const QString output = QString::fromUtf8(m_process->readAllStandardOutput());
    QVERIFY2(output.contains(expectedOutput), qPrintable(output));
    QVERIFY(!output.contains(QLatin1String("listening on")));
}

void DemoServerTest::badOptionExitsNonZeroAndSaysWhy_data()
{
    QTest::addColumn<QStringList>("arguments");

    QTest::newRow("port not a number")
        << QStringList{QStringLiteral("--port"), QStringLiteral("abc")};
    QTest::newRow("port too large")
        << QStringList{QStringLiteral("--port"), QStringLiteral("70000")};
    QTest::newRow("port negative") << QStringList{QStringLiteral("--port"), QStringLiteral("-1")};
    QTest::newRow("port without value") << QStringList{QStringLiteral("--port")};
    QTest::newRow("max-in-flight not a number")
        << QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--max-in-flight"), QStringLiteral("many")};
    QTest::newRow("max-message-bytes not a number")
        << QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--max-message-bytes"), QStringLiteral("1MB")};
    QTest::newRow("session-idle-minutes not a number")
        << QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                       QStringLiteral("--session-idle-minutes"), QStringLiteral("soon")};
    QTest::newRow("host not an address")
        << QStringList{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--host"),
                       QStringLiteral("not an address")};
    QTest::newRow("network-threads not a number")
        << QStringList{QStringLiteral("--network-threads"), QStringLiteral("two")};
    QTest::newRow("network-threads negative")
        << QStringList{QStringLiteral("--network-threads"), QStringLiteral("-1")};
    QTest::newRow("network-threads too many")
        << QStringList{QStringLiteral("--network-threads"), QStringLiteral("65")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--no-such-option")};
}

void DemoServerTest::badOptionExitsNonZeroAndSaysWhy()
{
    QFETCH(QStringList, arguments);

    m_process = std::make_unique<QProcess>();
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    m_process->start(serverPath(), arguments);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, processTimeoutMs);
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QVERIFY(m_process->exitCode() != 0);
    QVERIFY(!m_process->readAllStandardError().trimmed().isEmpty());
    QVERIFY(!m_process->readAllStandardOutput().contains("listening on"));
}

void DemoServerTest::webSocketClientSeesHello()
{
    Client client;
    if (!serveAndConnect(client))
        return;

    const QJsonObject hello = client.messages.constFirst();
    const QString sessionId = hello.value(QLatin1String("session_id")).toString();
    QVERIFY2(!QUuid::fromString(sessionId).isNull(), qPrintable(sessionId));
    QJsonObject expected = object(
        R"({"type":"hello","protocol":1,"server":"CommandBridge/0.1.0","auth_required":false,)"
        R"("limits":{"max_message_bytes":1048576,"max_in_flight":32,"max_timeout_ms":600000},)"
        R"("features":["events"]})");
    expected.insert(QStringLiteral("session_id"), sessionId);
    QCOMPARE(hello, expected);
}

void DemoServerTest::countStreamsProgressThenOneResult()
{
    Client client;
    if (!serveAndConnect(client))
        return;

    client.send(
        R"({"type":"command","id":"c1","command":"count","args":{"to":4,"interval_ms":20}})");
    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_result"), QStringLiteral("c1")) >= 0, processTimeoutMs);
    const QList<QJsonObject> replies = client.messages.mid(1);
    QCOMPARE(replies.size(), 5);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(replies.at(i),
                 QJsonObject({{QStringLiteral("type"), QStringLiteral("command_progress")},
                              {QStringLiteral("id"), QStringLiteral("c1")},
                              {QStringLiteral("command"), QStringLiteral("count")},
                              {QStringLiteral("message"), QStringLiteral("step %1/4").arg(i + 1)},
                              {QStringLiteral("percent"), 25 * (i + 1)}}));
    }
    QCOMPARE(replies.at(4), object(R"({"type":"command_result","id":"c1","command":"count",)"
                                   R"("success":true,"result":{"counted":4}})"));
}

void DemoServerTest::cancelEndsALongCount()
{
    Client client;
    if (!serveAndConnect(client))
        return;

    client.send(
        R"({"type":"command","id":"long","command":"count","args":{"to":1000,"interval_ms":50}})");
    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_progress"), QStringLiteral("long")) >= 0,
        processTimeoutMs);
    client.send(R"({"type":"cancel","id":"long"})");

    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_result"), QStringLiteral("long")) >= 0,
        processTimeoutMs);
    const qsizetype result = client.find(QStringLiteral("command_result"), QStringLiteral("long"));
    QCOMPARE(client.messages.at(result),
             object(R"({"type":"command_result","id":"long","command":"count","success":false,)"
                    R"("result":{"code":"cancelled","message":"Command cancelled"}})"));

    // Nothing about the command follows its result: the next message is the pong.
    client.send(R"({"type":"ping","id":"after"})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("pong"), QStringLiteral("after")) >= 0,
                             processTimeoutMs);
    QCOMPARE(client.messages.size(), result + 2);
    QCOMPARE(client.messages.constLast(), object(R"({"type":"pong","id":"after"})"));
}

void DemoServerTest::cancelledCommandLeftNoEffect()
{
    // The rule: a command whose result says cancelled did not apply its effect; one that applied
    // it says so. history.add runs on the app's thread, its request on a network thread, and each
    // cancel is sent with its command, so they meet in every order.
    Client client;
    if (!serveAndConnect(client))
        return;

    constexpr int attempts = 20;
    for (int i = 0; i < attempts; ++i) {
        const QByteArray id = "add" + QByteArray::number(i);
        client.send(R"({"type":"command","id":")" + id +
                    R"(","command":"history.add","args":{"text":")" + id + R"("}})");
        client.send(R"({"type":"cancel","id":")" + id + R"("})");
    }
    client.send(R"({"type":"command","id":"list","command":"history.list"})");
    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_result"), QStringLiteral("list")) >= 0,
        processTimeoutMs);
    QStringList stored;
    const QJsonArray turns =
        client.messages.at(client.find(QStringLiteral("command_result"), QStringLiteral("list")))
            .value(QLatin1String("result"))
            .toObject()
            .value(QLatin1String("turns"))
            .toArray();
    for (const QJsonValue &turn : turns)
        stored.append(turn.toObject().value(QLatin1String("text")).toString());
    int cancelled = 0;
    for (int i = 0; i < attempts; ++i) {
        const QString id = QStringLiteral("add%1").arg(i);
        const qsizetype at = client.find(QStringLiteral("command_result"), id);
        QVERIFY2(at >= 0, qPrintable(id));
        const bool success = client.messages.at(at).value(QLatin1String("success")).toBool();
        cancelled += success ? 0 : 1;
        QVERIFY2(stored.contains(id) == success, qPrintable(id));
    }
    qInfo() << cancelled << "of" << attempts << "commands were cancelled in time";
}

void DemoServerTest::listEventsNamesTheDemoEvents()
{
    Client client;
    if (!serveAndConnect(client))
        return;

    client.send(R"({"type":"list_events","id":"le"})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("events"), QStringLiteral("le")) >= 0,
                             processTimeoutMs);
    const QJsonArray events = client.messages.constLast().value(QLatin1String("events")).toArray();
    QStringList described;
    for (const QJsonValue &event : events) {
        const QJsonObject description = event.toObject();
        described.append(description.value(QLatin1String("name")).toString() + u' ' +
                         description.value(QLatin1String("scope")).toString());
    }
    QCOMPARE(described,
             (QStringList{QStringLiteral("counter.labelChanged global"),
                          QStringLiteral("counter.overflowed global"),
                          QStringLiteral("counter.valueChanged global"),
                          QStringLiteral("history.changed session"),
                          QStringLiteral("notice global"), QStringLiteral("stats global")}));
}

void DemoServerTest::counterIsExposedWithoutGlue()
{
    Client client;
    if (!serveAndConnect(client))
        return;
    const auto answer = [&client](const QByteArray &request, const QString &id) {
        client.send(request);
        const auto found = [&] {
            return client.find(QStringLiteral("command_result"), id);
        };
        if (!QTest::qWaitFor([&] { return found() >= 0; }, processTimeoutMs))
            return QJsonObject();
        return client.messages.at(found()).value(QLatin1String("result")).toObject();
    };

    client.send(R"({"type":"list_commands","id":"lc"})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("commands"), QStringLiteral("lc")) >= 0,
                             processTimeoutMs);
    QJsonObject increment;
    QStringList counterCommands;
    for (const QJsonValue &command :
         client.messages.constLast().value(QLatin1String("commands")).toArray()) {
        const QString name = command[QLatin1String("name")].toString();
        if (name.startsWith(QLatin1String("counter.")))
            counterCommands.append(name);
        if (name == QLatin1String("counter.increment"))
            increment = command[QLatin1String("args_schema")].toObject();
    }
    QCOMPARE(counterCommands,
             (QStringList{QStringLiteral("counter.get"), QStringLiteral("counter.increment"),
                          QStringLiteral("counter.reset"), QStringLiteral("counter.set")}));
    QCOMPARE(increment.value(QLatin1String("required")).toArray(),
             QJsonArray{QStringLiteral("by")});
    QCOMPARE(increment[QLatin1String("properties")][QLatin1String("by")].toObject(),
             object(R"({"type":"integer","minimum":-2147483648,"maximum":2147483647})"));

    client.send(R"({"type":"subscribe","id":"sub","events":["counter.*"]})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("subscribed"), QStringLiteral("sub")) >= 0,
                             processTimeoutMs);
    const qsizetype subscribed = client.messages.size();
    QCOMPARE(answer(R"({"type":"command","id":"i","command":"counter.increment",)"
                    R"("args":{"by":1000001}})",
                    QStringLiteral("i")),
             object(R"({"value":1000001})"));
    const QList<QJsonObject> replies = client.messages.mid(subscribed);
    QCOMPARE(replies.size(), 3);
    QCOMPARE(replies.at(0), object(R"({"type":"event","event":"counter.valueChanged","seq":1,)"
                                   R"("data":{"value":1000001}})"));
    QCOMPARE(replies.at(1), object(R"({"type":"event","event":"counter.overflowed","seq":2,)"
                                   R"("data":{"limit":1000000}})"));

    QCOMPARE(answer(R"({"type":"command","id":"big","command":"counter.increment",)"
                    R"("args":{"by":2147483648}})",
                    QStringLiteral("big"))
                 .value(QLatin1String("code"))
                 .toString(),
             QStringLiteral("invalid_args"));
    QCOMPARE(answer(R"({"type":"command","id":"s","command":"counter.set",)"
                    R"("args":{"label":"clicks"}})",
                    QStringLiteral("s")),
             object(R"({"value":1000001,"label":"clicks"})"));
    QCOMPARE(
        answer(R"({"type":"command","id":"r","command":"counter.reset"})", QStringLiteral("r")),
        QJsonObject());
    QCOMPARE(answer(R"({"type":"command","id":"g","command":"counter.get"})", QStringLiteral("g")),
             object(R"({"value":0,"label":"clicks"})"));
}

void DemoServerTest::broadcastPublishesNoticesBeforeItsResult()
{
    Client client;
    if (!serveToNoticeSubscriber(client))
        return;
    const qsizetype subscribed = client.messages.size();

    client.send(
        R"({"type":"command","id":"b","command":"broadcast","args":{"text":"hi","repeat":5}})");
    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_result"), QStringLiteral("b")) >= 0, processTimeoutMs);
    const QList<QJsonObject> replies = client.messages.mid(subscribed);
    QCOMPARE(replies.size(), 6);
    for (int n = 1; n <= 5; ++n) {
        QCOMPARE(replies.at(n - 1),
                 QJsonObject({{QStringLiteral("type"), QStringLiteral("event")},
                              {QStringLiteral("event"), QStringLiteral("notice")},
                              {QStringLiteral("seq"), n},
                              {QStringLiteral("data"),
                               QJsonObject{{QStringLiteral("text"), QStringLiteral("hi")},
                                           {QStringLiteral("n"), n}}}}));
    }
    QCOMPARE(replies.at(5), object(R"({"type":"command_result","id":"b","command":"broadcast",)"
                                   R"("success":true,"result":{"published":5}})"));
}

void DemoServerTest::broadcastRefusesBadArgsAndPublishesNothing_data()
{
    QTest::addColumn<QByteArray>("args");
    QTest::addColumn<QString>("path");

    QTest::newRow("text missing") << QByteArray(R"({"repeat":2})") << QString();
    QTest::newRow("text empty") << QByteArray(R"({"text":""})") << QStringLiteral("/text");
    QTest::newRow("text 10001 characters")
        << QByteArray(R"({"text":")" + QByteArray(10001, 'x') + R"("})") << QStringLiteral("/text");
    QTest::newRow("repeat 0") << QByteArray(R"({"text":"hi","repeat":0})")
                              << QStringLiteral("/repeat");
    QTest::newRow("repeat 1000001")
        << QByteArray(R"({"text":"hi","repeat":1000001})") << QStringLiteral("/repeat");
    QTest::newRow("repeat a string")
        << QByteArray(R"({"text":"hi","repeat":"x"})") << QStringLiteral("/repeat");
}

void DemoServerTest::broadcastRefusesBadArgsAndPublishesNothing()
{
    QFETCH(QByteArray, args);
    QFETCH(QString, path);

    Client client;
    if (!serveToNoticeSubscriber(client))
        return;
    const qsizetype subscribed = client.messages.size();

    client.send(R"({"type":"command","id":"bad","command":"broadcast","args":)" + args + '}');
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("command_result"), QStringLiteral("bad")) >=
                                 0,
                             processTimeoutMs);
    QCOMPARE(client.messages.size(), subscribed + 1);
    const QJsonObject reply = client.messages.constLast();
    QCOMPARE(reply.value(QLatin1String("success")), QJsonValue(false));
    const QJsonObject result = reply.value(QLatin1String("result")).toObject();
    QCOMPARE(result.value(QLatin1String("code")).toString(), QStringLiteral("invalid_args"));
    QCOMPARE(result.value(QLatin1String("message")).toString(),
             QStringLiteral("Args do not match the schema of broadcast"));
    QStringList paths;
    for (const QJsonValue &detail : result.value(QLatin1String("details")).toArray())
        paths.append(detail.toObject().value(QLatin1String("path")).toString());
    QVERIFY2(paths.contains(path), qPrintable(paths.join(u',')));

    // No notice was published: the pong follows the result directly.
    client.send(R"({"type":"ping","id":"after"})");
    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("pong"), QStringLiteral("after")) >= 0,
                             processTimeoutMs);
    QCOMPARE(client.messages.size(), subscribed + 2);
}

void DemoServerTest::terminationSignalShutsDownGracefully_data()
{
    QTest::addColumn<int>("signalNumber");

    QTest::newRow("SIGTERM") << int(SIGTERM);
    QTest::newRow("SIGINT") << int(SIGINT);
}

void DemoServerTest::terminationSignalShutsDownGracefully()
{
    QFETCH(int, signalNumber);

    Client client;
    if (!serveAndConnect(client))
        return;
    QSignalSpy disconnected(&client.socket, &QWebSocket::disconnected);

    client.send(
        R"({"type":"command","id":"run","command":"count","args":{"to":1000,"interval_ms":50}})");
    QTRY_VERIFY_WITH_TIMEOUT(
        client.find(QStringLiteral("command_progress"), QStringLiteral("run")) >= 0,
        processTimeoutMs);

    // A REST command in flight too, seen running through health.
    QNetworkAccessManager network;
    const QString base = QStringLiteral("http://127.0.0.1:%1").arg(m_port);
    QNetworkRequest runRequest(QUrl(base + QStringLiteral("/api/v1/commands/count")));
    runRequest.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    QNetworkReply *rest = network.post(runRequest, R"({"to":1000,"interval_ms":50})");
    int inFlight = 0;
    for (int attempt = 0; attempt < 100 && inFlight != 2; ++attempt) {
        QNetworkReply *health =
            network.get(QNetworkRequest(QUrl(base + QStringLiteral("/api/v1/health"))));
        QSignalSpy healthFinished(health, &QNetworkReply::finished);
        QVERIFY(healthFinished.wait(processTimeoutMs));
        inFlight = QJsonDocument::fromJson(health->readAll())
                       .object()
                       .value(QLatin1String("in_flight"))
                       .toInt();
        health->deleteLater();
    }
    QCOMPARE(inFlight, 2);
    QVERIFY(!rest->isFinished());

    QSignalSpy finished(m_process.get(), &QProcess::finished);
    QCOMPARE(::kill(static_cast<pid_t>(m_process->processId()), signalNumber), 0);

    QTRY_VERIFY_WITH_TIMEOUT(client.find(QStringLiteral("command_result"), QStringLiteral("run")) >=
                                 0,
                             processTimeoutMs);
    QCOMPARE(
        client.messages.at(client.find(QStringLiteral("command_result"), QStringLiteral("run"))),
        object(R"({"type":"command_result","id":"run","command":"count","success":false,)"
               R"("result":{"code":"shutting_down","message":"Server is shutting down"}})"));
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, processTimeoutMs);
    QCOMPARE(client.socket.closeCode(), QWebSocketProtocol::CloseCodeGoingAway);

    QTRY_VERIFY_WITH_TIMEOUT(rest->isFinished(), processTimeoutMs);
    QCOMPARE(rest->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 503);
    QCOMPARE(QJsonDocument::fromJson(rest->readAll()).object(),
             object(R"({"command":"count","success":false,"result":)"
                    R"({"code":"shutting_down","message":"Server is shutting down"}})"));

    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, processTimeoutMs);
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_process->exitCode(), 0);
}

QTEST_MAIN(DemoServerTest)
#include "tst_demoserver.moc"
