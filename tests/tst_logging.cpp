// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The commandbridge.* logging categories (docs/logging.md) over real sockets: a refused request
// is logged with the rule that refused it, an authentication failure at info and never with the
// token, a command run at debug with its name, duration and outcome and never its args, and the
// library leaves the process's logging filter alone.

#include "bridgefixture.h"
#include "rawhttpclient.h"
#include "wsclient.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMutex>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;

namespace {

const QByteArray theToken = QByteArrayLiteral("Tok3n-never-logged");
/// Wrong tokens the tests send: they must not be logged either.
const QByteArray wrongToken = QByteArrayLiteral("Wr0ng-never-logged");
/// An arg value no log line may contain.
const QString secretArg = QStringLiteral("arg-never-logged");
constexpr int waitMs = 10000;

struct LogLine
{
    QtMsgType type;
    QString category;
    QString text;
};

/// Every message of a commandbridge.* category, from any thread; the rest goes to QtTest's own
/// handler, so its warnings still count.
class LogRecorder
{
public:
    static LogRecorder &instance()
    {
        static LogRecorder recorder;
        return recorder;
    }

    void install() { m_previous = qInstallMessageHandler(&LogRecorder::handle); }
    void uninstall() { qInstallMessageHandler(m_previous); }

    void clear()
    {
        QMutexLocker locker(&m_mutex);
        m_lines.clear();
    }
    QList<LogLine> lines() const
    {
        QMutexLocker locker(&m_mutex);
        return m_lines;
    }
    /// The first line of \a category that contains every one of \a parts.
    std::optional<LogLine> find(const QString &category, const QStringList &parts) const
    {
        const QList<LogLine> all = lines();
        for (const LogLine &line : all) {
            if (line.category != category)
                continue;
            if (std::all_of(parts.begin(), parts.end(),
                            [&](const QString &part) { return line.text.contains(part); }))
                return line;
        }
        return std::nullopt;
    }
    /// Whether any recorded line contains \a text.
    bool anyContains(const QString &text) const
    {
        const QList<LogLine> all = lines();
        return std::any_of(all.begin(), all.end(),
                           [&](const LogLine &line) { return line.text.contains(text); });
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &text)
    {
        LogRecorder &self = instance();
        const QString category = QString::fromLatin1(context.category);
        if (!category.startsWith(QLatin1String("commandbridge."))) {
            self.m_previous(type, context, text);
            return;
        }
        QMutexLocker locker(&self.m_mutex);
        self.m_lines.append({type, category, text});
    }

    mutable QMutex m_mutex;
    QList<LogLine> m_lines;
    QtMessageHandler m_previous = nullptr;
};

QByteArray withPort(QByteArray bytes, quint16 port)
{
    return bytes.replace("{port}", QByteArray::number(port));
}

} // namespace

class tst_Logging : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void refusedTokenLogsTheRuleAtInfoAndNeverTheToken_data();
    void refusedTokenLogsTheRuleAtInfoAndNeverTheToken();
    void refusalLogsItsRuleAtDebug_data();
    void refusalLogsItsRuleAtDebug();
    void wrongAuthMessageLogsAtInfoWithoutTheToken();
    void oversizedWebSocketMessageLogsRuleSize();
    void commandRunLogsNameDurationAndOutcomeNeverArgs_data();
    void commandRunLogsNameDurationAndOutcomeNeverArgs();
    void commandRunsAreNotLoggedByDefault();
    void libraryLeavesTheLoggingFilterAlone();

private:
    quint16 port() const { return m_fixture->server()->serverPort(); }
    /// Sends \a request (with "{port}") on a new connection and waits for its answer's status.
    int exchange(const QByteArray &request);

    std::unique_ptr<BridgeFixture> m_fixture;
    QLoggingCategory::CategoryFilter m_filterAtStart = nullptr;
};

void tst_Logging::initTestCase()
{
    // The filter installed before the library runs: QLoggingCategory's default one.
    m_filterAtStart = QLoggingCategory::installFilter(nullptr);
    QLoggingCategory::installFilter(m_filterAtStart);

    QLoggingCategory::setFilterRules(
        QStringLiteral("commandbridge.access.debug=true\ncommandbridge.commands.debug=true"));
    LogRecorder::instance().install();
    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().token = QString::fromLatin1(theToken);
    m_fixture->options().maxMessageBytes = 64 * 1024;
    QVERIFY2(m_fixture->listen(), qPrintable(m_fixture->server()->errorString()));
}

void tst_Logging::init()
{
    QLoggingCategory::setFilterRules(
        QStringLiteral("commandbridge.access.debug=true\ncommandbridge.commands.debug=true"));
    LogRecorder::instance().clear();
}

void tst_Logging::cleanupTestCase()
{
    m_fixture.reset();
    LogRecorder::instance().uninstall();
    QLoggingCategory::setFilterRules(QString());
}

int tst_Logging::exchange(const QByteArray &request)
{
    RawHttpClient client(port());
    client.send(withPort(request, port()));
    if (!QTest::qWaitFor([&] { return !client.responses().isEmpty(); }, waitMs))
        return 0;
    return client.responses().constFirst().status;
}

void tst_Logging::refusedTokenLogsTheRuleAtInfoAndNeverTheToken_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("logged");

    QTest::newRow("REST, wrong bearer token")
        << QByteArray("POST /api/v1/commands/quick HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Authorization: Bearer " +
                      wrongToken + "\r\nContent-Length: 2\r\n\r\n{}")
        << QStringLiteral("\"POST /api/v1/commands/quick\"");
    QTest::newRow("REST, no token")
        << QByteArray("GET /api/v1/commands HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
        << QStringLiteral("\"GET /api/v1/commands\"");
    QTest::newRow("event stream, wrong token in the query")
        << QByteArray("GET /api/v1/events/stream?events=*&token=" + wrongToken +
                      " HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n")
        << QStringLiteral("\"GET /api/v1/events/stream\"");
    QTest::newRow("WebSocket upgrade, wrong token in the query")
        << QByteArray("GET /ws?token=" + wrongToken +
                      " HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        << QStringLiteral("\"GET /ws\"");
}

void tst_Logging::refusedTokenLogsTheRuleAtInfoAndNeverTheToken()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, logged);

    QCOMPARE(exchange(request), 401);
    const LogRecorder &log = LogRecorder::instance();
    QTRY_VERIFY_WITH_TIMEOUT(log.find(QStringLiteral("commandbridge.access"),
                                      {QStringLiteral("refused"), logged,
                                       QStringLiteral("rule token"), QStringLiteral("401")}),
                             waitMs);
    QCOMPARE(log.find(QStringLiteral("commandbridge.access"), {QStringLiteral("rule token")})->type,
             QtInfoMsg);
    QVERIFY(!log.anyContains(QString::fromLatin1(wrongToken)));
    QVERIFY(!log.anyContains(QString::fromLatin1(theToken)));
}

void tst_Logging::refusalLogsItsRuleAtDebug_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("rule");

    const QByteArray auth = "Authorization: Bearer " + theToken + "\r\n";
    QTest::newRow("host") << QByteArray("GET /api/v1/commands HTTP/1.1\r\nHost: evil.example\r\n" +
                                        auth + "\r\n")
                          << 403 << QStringLiteral("rule host");
    QTest::newRow("origin") << QByteArray("GET /api/v1/commands HTTP/1.1\r\nHost: 127.0.0.1:{port}"
                                          "\r\nOrigin: http://evil.example\r\n" +
                                          auth + "\r\n")
                            << 403 << QStringLiteral("rule origin");
    QTest::newRow("size") << QByteArray("POST /api/v1/commands/quick HTTP/1.1\r\n"
                                        "Host: 127.0.0.1:{port}\r\n" +
                                        auth + "Content-Length: 99999999\r\n\r\n")
                          << 413 << QStringLiteral("rule size");
    QTest::newRow("framing") << QByteArray("POST /api/v1/commands/quick HTTP/1.1\r\n"
                                           "Host: 127.0.0.1:{port}\r\n" +
                                           auth + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                             << 411 << QStringLiteral("rule framing");
    QTest::newRow("malformed head")
        << QByteArray("GET /api/v1/commands HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                      "Content-Length: 1\r\nContent-Length: 2\r\n\r\n")
        << 400 << QStringLiteral("rule framing");
    QTest::newRow("endpoint") << QByteArray("GET /nope HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n" +
                                            auth +
                                            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                            "Sec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
                              << 404 << QStringLiteral("rule endpoint");
}

void tst_Logging::refusalLogsItsRuleAtDebug()
{
    QFETCH(QByteArray, request);
    QFETCH(int, status);
    QFETCH(QString, rule);

    QCOMPARE(exchange(request), status);
    const LogRecorder &log = LogRecorder::instance();
    QTRY_VERIFY_WITH_TIMEOUT(log.find(QStringLiteral("commandbridge.access"),
                                      {QStringLiteral("refused"), rule, QString::number(status)}),
                             waitMs);
    QCOMPARE(log.find(QStringLiteral("commandbridge.access"), {rule})->type, QtDebugMsg);
    QVERIFY(!log.anyContains(QString::fromLatin1(theToken)));
}

void tst_Logging::wrongAuthMessageLogsAtInfoWithoutTheToken()
{
    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForHello().value(QStringLiteral("auth_required")).toBool());
    client.sendJson({{QStringLiteral("type"), QStringLiteral("auth")},
                     {QStringLiteral("token"), QString::fromLatin1(wrongToken)}});
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);

    const LogRecorder &log = LogRecorder::instance();
    QTRY_VERIFY_WITH_TIMEOUT(
        log.find(QStringLiteral("commandbridge.access"), {QStringLiteral("wrong token")}), waitMs);
    QCOMPARE(
        log.find(QStringLiteral("commandbridge.access"), {QStringLiteral("wrong token")})->type,
        QtInfoMsg);
    QVERIFY(!log.anyContains(QString::fromLatin1(wrongToken)));
    QVERIFY(!log.anyContains(QString::fromLatin1(theToken)));
}

void tst_Logging::oversizedWebSocketMessageLogsRuleSize()
{
    WsClient client;
    QUrl url = m_fixture->webSocketUrl();
    url.setQuery(QStringLiteral("token=") + QString::fromLatin1(theToken));
    client.open(url);
    QVERIFY(!client.waitForHello().value(QStringLiteral("auth_required")).toBool());
    client.sendText(QByteArray(m_fixture->options().maxMessageBytes + 1, 'x'));
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), waitMs);
    QCOMPARE(client.closeCode(), int(QWebSocketProtocol::CloseCodeTooMuchData));

    const LogRecorder &log = LogRecorder::instance();
    QTRY_VERIFY_WITH_TIMEOUT(
        log.find(QStringLiteral("commandbridge.access"), {QStringLiteral("rule size")}), waitMs);
    QCOMPARE(log.find(QStringLiteral("commandbridge.access"), {QStringLiteral("rule size")})->type,
             QtDebugMsg);
    QVERIFY(!log.anyContains(QString::fromLatin1(theToken)));
}

void tst_Logging::commandRunLogsNameDurationAndOutcomeNeverArgs_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("outcome");

    QTest::newRow("success") << QStringLiteral("quick") << QStringLiteral("succeeded after");
    QTest::newRow("failure") << QStringLiteral("failing") << QStringLiteral("failed: not_found");
    QTest::newRow("rejected") << QStringLiteral("strict")
                              << QStringLiteral("rejected: invalid_args");
    QTest::newRow("unknown") << QStringLiteral("no_such_command")
                             << QStringLiteral("rejected: unknown_command");
}

void tst_Logging::commandRunLogsNameDurationAndOutcomeNeverArgs()
{
    QFETCH(QString, command);
    QFETCH(QString, outcome);

    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForHello().value(QStringLiteral("auth_required")).toBool());
    client.sendJson({{QStringLiteral("type"), QStringLiteral("auth")},
                     {QStringLiteral("token"), QString::fromLatin1(theToken)}});
    QVERIFY(client.waitForType(QStringLiteral("auth_result"))
                .value(QStringLiteral("success"))
                .toBool());
    client.sendJson({{QStringLiteral("type"), QStringLiteral("command")},
                     {QStringLiteral("id"), 1},
                     {QStringLiteral("command"), command},
                     {QStringLiteral("args"), QJsonObject{{QStringLiteral("s"), secretArg}}}});
    QVERIFY(!client.waitForType(QStringLiteral("command_result"), 1).isEmpty());

    const LogRecorder &log = LogRecorder::instance();
    QTRY_VERIFY_WITH_TIMEOUT(log.find(QStringLiteral("commandbridge.commands"),
                                      {QLatin1Char('"') + command + QLatin1Char('"'), outcome}),
                             waitMs);
    const LogLine line = *log.find(QStringLiteral("commandbridge.commands"), {command});
    QCOMPARE(line.type, QtDebugMsg);
    QVERIFY2(line.text.contains(QLatin1String(" ms")), qPrintable(line.text));
    QVERIFY(!log.anyContains(secretArg));
    QVERIFY(!log.anyContains(QString::fromLatin1(theToken)));
}

void tst_Logging::commandRunsAreNotLoggedByDefault()
{
    QLoggingCategory::setFilterRules(QString());
    QVERIFY(exchange("POST /api/v1/commands/quick HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                     "Authorization: Bearer " +
                     theToken + "\r\nContent-Length: 2\r\n\r\n{}") == 200);
    QVERIFY(LogRecorder::instance().lines().isEmpty());
}

void tst_Logging::libraryLeavesTheLoggingFilterAlone()
{
    // Every test before this one ran the server; none of its code may have swapped the filter.
    const QLoggingCategory::CategoryFilter current = QLoggingCategory::installFilter(nullptr);
    QLoggingCategory::installFilter(current);
    QVERIFY(current == m_filterAtStart);
}

QTEST_MAIN(tst_Logging)
#include "tst_logging.moc"
