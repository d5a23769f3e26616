// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Bounded soak (issue 3): 100 WebSocket clients run random commands, cancels, pings, abrupt
// disconnects and reconnects against one server for COMMANDBRIDGE_SOAK_SECONDS (default 30); the
// seed it prints, given back in COMMANDBRIDGE_SOAK_SEED, repeats its random choices (not its
// timing). Then: every command on a connection that stayed open got exactly one result (and none
// got two anywhere), the server answers a final ping, nothing is left in flight and resident memory
// is back near where it started.

#include "bridgefixture.h"
#include "processmemory.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

using namespace CommandBridge;
using namespace CommandBridgeTest;

namespace {

constexpr int clientCount = 100;
constexpr int defaultSoakSeconds = 30;
/// A client keeps fewer commands open than the server's max_in_flight (32), so `busy` is a bug.
constexpr int maxOutstanding = 24;
/// The driver acts this many times per tick of its timer.
constexpr int actionsPerTick = 20;
constexpr int tickMs = 10;
/// Longest the end phase may wait for the last results and pongs.
constexpr int drainTimeoutMs = 30000;
/// Problems kept for the failure message.
constexpr int maxProblemsKept = 20;

using CommandBridgeTest::procStatusKiB;

/// Bytes malloc has handed out and not yet got back (glibc), in KiB; -1 where unknown. Unlike the
/// resident size it does not count memory the allocator keeps for reuse.
qint64 heapInUseKiB()
{
#if defined(__GLIBC__) && !defined(COMMANDBRIDGE_TEST_ASAN)
    const struct mallinfo2 info = mallinfo2();
    return qint64((info.uordblks + info.hblkhd) / 1024);
#else
    return -1;
#endif
}

QString mebibytes(qint64 kib)
{
    return QString::number(double(kib) / 1024.0, 'f', 2) + QStringLiteral(" MiB");
}

int soakSeconds()
{
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("COMMANDBRIDGE_SOAK_SECONDS", &ok);
    return ok && seconds > 0 ? std::min(seconds, 3600) : defaultSoakSeconds;
}

/// Runs the event loop for \a ms without the sleeps of QTest::qWait's polling, or until \a done.
void runEventLoop(int ms, const std::function<bool()> &done = nullptr)
{
    if (done && done())
        return;
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    QTimer poll;
    if (done) {
        QObject::connect(&poll, &QTimer::timeout, &loop, [&loop, &done] {
            if (done())
                loop.quit();
        });
        poll.start(10);
    }
    loop.exec();
}

/// What the whole run saw, for the report and the verdict.
struct SoakStats
{
    int connections = 0;
    int aborts = 0;
    int clientCloses = 0;
    int rejoinedSessions = 0;
    int commands = 0;
    QMap<QString, int> commandsByName;
    int results = 0;
    QMap<QString, int> resultsByOutcome;
    int progress = 0;
    int cancels = 0;
    int unknownIdCancels = 0;
    int pings = 0;
    int pongs = 0;
    int problemCount = 0;
    QStringList problems;

    void problem(const QString &text)
    {
        if (++problemCount <= maxProblemsKept)
            problems.append(text);
    }
};

/// One command a client sent, and what came back for it.
struct SentCommand
{
    QString command;
    QJsonObject args;
    bool hasTimeout = false;
    bool cancelSent = false;
    int results = 0;
    int progress = 0;
    double lastPercent = -1.0;
    QJsonObject result;
};

/// One connection's lifetime: a reconnect is a new SoakClient. It checks every message against
/// spec section 4 as it arrives and records violations in the shared stats.
class SoakClient : public QObject
{
public:
    SoakClient(int slot, SoakStats &stats)
        : m_slot(slot)
        , m_stats(stats)
    {
        connect(&m_socket, &QWebSocket::connected, this, [this] { m_connected = true; });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            if (!m_leaving) {
                m_stats.problem(QStringLiteral("client %1: the server dropped the connection "
                                               "(close code %2)")
                                    .arg(m_slot)
                                    .arg(int(m_socket.closeCode())));
            }
            m_gone = true;
        });
        connect(&m_socket, &QWebSocket::textMessageReceived, this, &SoakClient::receive);
    }

    ~SoakClient() override
    {
        m_socket.disconnect(this);
        m_socket.abort();
    }

    void open(const QUrl &url, const QString &sessionId)
    {
        QUrl withSession = url;
        if (!sessionId.isEmpty())
            withSession.setQuery(QStringLiteral("session=") + sessionId);
        m_socket.open(withSession);
    }

    bool isReady() const { return m_connected && !m_gone && !m_sessionId.isEmpty(); }
    bool isGone() const { return m_gone; }
    QString sessionId() const { return m_sessionId; }
    int outstanding() const { return int(m_outstanding.size()); }
    bool allAnswered() const { return m_outstanding.isEmpty() && m_pongs == m_pings; }

    void sendCommand(const QString &command, const QJsonObject &args, int timeoutMs)
    {
        const qint64 id = m_nextId++;
        QJsonObject message{{QStringLiteral("type"), QStringLiteral("command")},
                            {QStringLiteral("id"), id},
                            {QStringLiteral("command"), command},
                            {QStringLiteral("args"), args}};
        if (timeoutMs > 0)
            message.insert(QStringLiteral("timeout_ms"), timeoutMs);
        SentCommand sent;
        sent.command = command;
        sent.args = args;
        sent.hasTimeout = timeoutMs > 0;
        m_sent.insert(id, sent);
        m_outstanding.insert(id);
        ++m_stats.commands;
        ++m_stats.commandsByName[command];
        send(message);
    }

    /// Cancels one of the commands still waiting for a result, or an id never used.
    void cancelSomething(QRandomGenerator &random)
    {
        qint64 id = 0;
        if (!m_outstanding.isEmpty() && random.bounded(10) < 9) {
            auto it = m_outstanding.cbegin();
            std::advance(it, random.bounded(int(m_outstanding.size())));
            id = *it;
            m_sent[id].cancelSent = true;
        } else {
            id = -m_nextId;
            m_unknownCancels.insert(id);
            ++m_stats.unknownIdCancels;
        }
        ++m_stats.cancels;
        send(QJsonObject{{QStringLiteral("type"), QStringLiteral("cancel")},
                         {QStringLiteral("id"), id}});
    }

    void cancelNewest()
    {
        const qint64 id = m_nextId - 1;
        m_sent[id].cancelSent = true;
        ++m_stats.cancels;
        send(QJsonObject{{QStringLiteral("type"), QStringLiteral("cancel")},
                         {QStringLiteral("id"), id}});
    }

    void cancelAllOutstanding()
    {
        for (const qint64 id : std::as_const(m_outstanding)) {
            m_sent[id].cancelSent = true;
            ++m_stats.cancels;
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("cancel")},
                             {QStringLiteral("id"), id}});
        }
    }

    void ping()
    {
        ++m_pings;
        ++m_stats.pings;
        send(QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")},
                         {QStringLiteral("id"), QStringLiteral("ping-%1").arg(m_pings)}});
    }

    /// Leaves on purpose: abruptly (abort) or with a close handshake.
    void leave(bool abruptly)
    {
        m_leaving = true;
        if (abruptly)
            m_socket.abort();
        else
            m_socket.close();
    }

    /// Checks what a connection must have got by now: at most one result per command, and when
    /// it stayed open to the end, exactly one.
    void verify(bool stayedOpen)
    {
        for (auto it = m_sent.cbegin(); it != m_sent.cend(); ++it) {
            const SentCommand &sent = it.value();
            if (sent.results > 1 || (stayedOpen && sent.results != 1)) {
                m_stats.problem(QStringLiteral("client %1: command %2 (%3) got %4 results")
                                    .arg(m_slot)
                                    .arg(it.key())
                                    .arg(sent.command)
                                    .arg(sent.results));
            }
        }
        if (stayedOpen && m_pongs != m_pings) {
            m_stats.problem(QStringLiteral("client %1: %2 pings, %3 pongs")
                                .arg(m_slot)
                                .arg(m_pings)
                                .arg(m_pongs));
        }
    }

private:
    void send(const QJsonObject &message)
    {
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    }

    void problem(const QString &text, const QJsonObject &message)
    {
        m_stats.problem(QStringLiteral("client %1: %2: %3")
                            .arg(m_slot)
                            .arg(text, QString::fromUtf8(
                                           QJsonDocument(message).toJson(QJsonDocument::Compact))));
    }

    void receive(const QString &text)
    {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        const QString type = message.value(QStringLiteral("type")).toString();
        const QJsonValue id = message.value(QStringLiteral("id"));
        if (type == QStringLiteral("hello")) {
            m_sessionId = message.value(QStringLiteral("session_id")).toString();
        } else if (type == QStringLiteral("pong")) {
            ++m_pongs;
            ++m_stats.pongs;
        } else if (type == QStringLiteral("command_progress")) {
            receiveProgress(id, message);
        } else if (type == QStringLiteral("command_result")) {
            receiveResult(id, message);
        } else if (type == QStringLiteral("error")) {
            const qint64 key = id.toInteger(0);
            const bool cancelledKnown = m_sent.contains(key) && m_sent.value(key).cancelSent;
            if (message.value(QStringLiteral("code")) != QStringLiteral("unknown_id") ||
                !(cancelledKnown || m_unknownCancels.contains(key))) {
                problem(QStringLiteral("unexpected error"), message);
            }
        } else {
            problem(QStringLiteral("unexpected message"), message);
        }
    }

    void receiveProgress(const QJsonValue &id, const QJsonObject &message)
    {
        ++m_stats.progress;
        auto it = m_sent.find(id.toInteger(0));
        if (it == m_sent.end()) {
            problem(QStringLiteral("progress for an unknown id"), message);
            return;
        }
        SentCommand &sent = *it;
        ++sent.progress;
        if (sent.results > 0)
            problem(QStringLiteral("progress after the result"), message);
        const double percent = message.value(QStringLiteral("percent")).toDouble(-1.0);
        if (percent < sent.lastPercent)
            problem(QStringLiteral("percent went down"), message);
        sent.lastPercent = std::max(sent.lastPercent, percent);
        const int steps = sent.args.value(QStringLiteral("steps")).toInt();
        if (message.value(QStringLiteral("message")) !=
            QStringLiteral("step %1/%2").arg(sent.progress).arg(steps)) {
            problem(QStringLiteral("progress out of order or lost (expected step %1/%2)")
                        .arg(sent.progress)
                        .arg(steps),
                    message);
        }
    }

    void receiveResult(const QJsonValue &id, const QJsonObject &message)
    {
        ++m_stats.results;
        auto it = m_sent.find(id.toInteger(0));
        if (it == m_sent.end()) {
            problem(QStringLiteral("result for an unknown id"), message);
            return;
        }
        SentCommand &sent = *it;
        ++sent.results;
        sent.result = message;
        m_outstanding.remove(it.key());
        if (sent.results > 1) {
            problem(QStringLiteral("second result"), message);
            return;
        }
        if (message.value(QStringLiteral("command")) != sent.command)
            problem(QStringLiteral("result names another command"), message);

        const QJsonObject result = message.value(QStringLiteral("result")).toObject();
        if (message.value(QStringLiteral("success")).toBool()) {
            ++m_stats.resultsByOutcome[QStringLiteral("success")];
            checkSuccess(sent, result, message);
            return;
        }
        const QString code = result.value(QStringLiteral("code")).toString();
        ++m_stats.resultsByOutcome[code];
        const bool expected = (code == QStringLiteral("cancelled") && sent.cancelSent) ||
                              (code == QStringLiteral("timeout") && sent.hasTimeout);
        if (!expected)
            problem(QStringLiteral("unexpected failure"), message);
    }

    void checkSuccess(const SentCommand &sent, const QJsonObject &result,
                      const QJsonObject &message)
    {
        if (sent.command == QStringLiteral("quick")) {
            // quick echoes its args as the handler saw them: with the session injected.
            QJsonObject expected = sent.args;
            expected.insert(QStringLiteral("session_id"), m_sessionId);
            if (result != expected)
                problem(QStringLiteral("quick echoed something else"), message);
            return;
        }
        if (sent.command == QStringLiteral("never")) {
            problem(QStringLiteral("never succeeded"), message);
            return;
        }
        const int steps = sent.args.value(QStringLiteral("steps")).toInt();
        if (result != QJsonObject{{QStringLiteral("steps"), steps}})
            problem(QStringLiteral("wrong result"), message);
        // The client keeps up: every progress message arrived, the last at 100 percent.
        if (sent.progress != steps || sent.lastPercent != 100.0) {
            problem(QStringLiteral("%1 of %2 progress messages before the result")
                        .arg(sent.progress)
                        .arg(steps),
                    message);
        }
    }

    const int m_slot;
    SoakStats &m_stats;
    QWebSocket m_socket;
    QString m_sessionId;
    bool m_connected = false;
    bool m_gone = false;
    bool m_leaving = false;
    qint64 m_nextId = 1;
    QHash<qint64, SentCommand> m_sent;
    QSet<qint64> m_outstanding;
    QSet<qint64> m_unknownCancels;
    int m_pings = 0;
    int m_pongs = 0;
};

} // namespace

class tst_Soak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manyClientsDoingRandomThingsLeaveNoTrace();

private:
    void act(int slot);
    void connectSlot(int slot, const QString &sessionId);
    /// Retires a connection that is gone: checks it and frees it.
    void retire(int slot, bool stayedOpen);

    std::unique_ptr<BridgeFixture> m_fixture;
    SoakStats m_stats;
    QRandomGenerator m_random;
    std::vector<std::unique_ptr<SoakClient>> m_clients;
    /// When an emptied slot reconnects (ms on m_clock), and to which session.
    std::vector<qint64> m_reconnectAt;
    std::vector<QString> m_reconnectSession;
    QElapsedTimer m_clock;
};

void tst_Soak::connectSlot(int slot, const QString &sessionId)
{
    m_clients[slot] = std::make_unique<SoakClient>(slot, m_stats);
    m_clients[slot]->open(m_fixture->webSocketUrl(), sessionId);
    ++m_stats.connections;
    if (!sessionId.isEmpty())
        ++m_stats.rejoinedSessions;
}

void tst_Soak::retire(int slot, bool stayedOpen)
{
    m_clients[slot]->verify(stayedOpen);
    m_clients[slot].reset();
}

void tst_Soak::act(int slot)
{
    SoakClient *client = m_clients[slot].get();
    if (!client) {
        if (m_clock.elapsed() >= m_reconnectAt[slot])
            connectSlot(slot, m_reconnectSession[slot]);
        return;
    }
    if (client->isGone()) {
        // Dropped by the server, which is a problem already recorded; start over.
        retire(slot, false);
        connectSlot(slot, QString());
        return;
    }
    if (!client->isReady())
        return;

    const int roll = m_random.bounded(100);
    if (roll < 45) {
        if (client->outstanding() >= maxOutstanding)
            return;
        const int pick = m_random.bounded(100);
        QString command;
        QJsonObject args;
        int timeoutMs = 0;
        if (pick < 40) {
            command = QStringLiteral("quick");
            args = QJsonObject{{QStringLiteral("n"), m_random.bounded(1000000)}};
        } else if (pick < 72) {
            command = QStringLiteral("slow");
            args = QJsonObject{{QStringLiteral("steps"), 1 + m_random.bounded(5)},
                               {QStringLiteral("interval_ms"), m_random.bounded(21)}};
        } else if (pick < 85) {
            command = QStringLiteral("pool");
            args = QJsonObject{{QStringLiteral("steps"), 1 + m_random.bounded(3)},
                               {QStringLiteral("step_ms"), m_random.bounded(3)}};
        } else {
            command = QStringLiteral("never");
        }
        const int timeoutChance = command == QStringLiteral("never") ? 60 : 20;
        if (m_random.bounded(100) < timeoutChance)
            timeoutMs = 20 + m_random.bounded(480);
        client->sendCommand(command, args, timeoutMs);
        // Cancels that race the result.
        if (m_random.bounded(10) == 0)
            client->cancelNewest();
    } else if (roll < 65) {
        client->cancelSomething(m_random);
    } else if (roll < 75) {
        client->ping();
    } else if (roll < 78) {
        const bool abruptly = roll < 77;
        if (abruptly)
            ++m_stats.aborts;
        else
            ++m_stats.clientCloses;
        const QString sessionId = client->sessionId();
        client->leave(abruptly);
        retire(slot, false);
        m_reconnectAt[slot] = m_clock.elapsed() + m_random.bounded(200);
        m_reconnectSession[slot] = m_random.bounded(2) == 0 ? sessionId : QString();
    }
}

void tst_Soak::manyClientsDoingRandomThingsLeaveNoTrace()
{
    const int seconds = soakSeconds();
    bool seedGiven = false;
    const quint32 givenSeed = qEnvironmentVariable("COMMANDBRIDGE_SOAK_SEED").toUInt(&seedGiven);
    const quint32 seed = seedGiven ? givenSeed : QRandomGenerator::global()->generate();
    m_random.seed(seed);
    qInfo() << "soak:" << clientCount << "clients for" << seconds
            << "s, COMMANDBRIDGE_SOAK_SEED=" << seed;

    m_fixture = std::make_unique<BridgeFixture>();
    QVERIFY(m_fixture->listen());
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    const qint64 residentAtStart = procStatusKiB("VmRSS");
    const qint64 heapAtStart = heapInUseKiB();
    QVERIFY(residentAtStart > 0);

    m_clients.resize(clientCount);
    m_reconnectAt.assign(clientCount, 0);
    m_reconnectSession.assign(clientCount, QString());
    m_clock.start();
    for (int slot = 0; slot < clientCount; ++slot)
        connectSlot(slot, QString());

    // The load: a bounded number of actions per tick, for a bounded time.
    QTimer driver;
    connect(&driver, &QTimer::timeout, this, [this] {
        for (int i = 0; i < actionsPerTick; ++i)
            act(m_random.bounded(clientCount));
    });
    int peakConnections = 0;
    QTimer sampler;
    connect(&sampler, &QTimer::timeout, this, [&] {
        peakConnections = std::max(peakConnections, m_fixture->server()->connectionCount());
    });
    driver.start(tickMs);
    sampler.start(100);
    runEventLoop(seconds * 1000);
    driver.stop();
    sampler.stop();
    const qint64 loadMs = m_clock.elapsed();
    const qint64 residentAfterLoad = procStatusKiB("VmRSS");

    // Every connection still open cancels what it still waits for, then pings once more.
    QList<SoakClient *> open;
    for (int slot = 0; slot < clientCount; ++slot) {
        SoakClient *client = m_clients[slot].get();
        if (!client)
            continue;
        if (!client->isReady()) {
            // Still connecting: nothing was sent on it yet. (A dropped one is recorded.)
            runEventLoop(defaultWaitMs, [client] { return client->isReady() || client->isGone(); });
            if (!client->isReady()) {
                retire(slot, false);
                continue;
            }
        }
        client->cancelAllOutstanding();
        client->ping();
        open.append(client);
    }
    const auto allAnswered = [&open] {
        return std::all_of(open.cbegin(), open.cend(),
                           [](const SoakClient *client) { return client->allAnswered(); });
    };
    runEventLoop(drainTimeoutMs, allAnswered);
    QVERIFY2(allAnswered(), "results or pongs are missing after the drain");

    // A brand-new client is served too.
    {
        WsClient late;
        late.open(m_fixture->webSocketUrl());
        QVERIFY(late.waitForConnected());
        QVERIFY(late.roundTrip(QStringLiteral("final")));
    }

    for (int slot = 0; slot < clientCount; ++slot) {
        if (m_clients[slot]) {
            m_clients[slot]->leave(false);
            retire(slot, true);
        }
    }
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);
    QTRY_COMPARE(m_fixture->probe().poolReturned.load(), m_fixture->probe().poolStarted.load());
    QVERIFY(m_fixture->registry()->workerPool()->waitForDone(defaultWaitMs));
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QTest::qWait(0);
    const qint64 residentAtEnd = procStatusKiB("VmRSS");
    const qint64 peak = procStatusKiB("VmHWM");
    const qint64 heapAtEnd = heapInUseKiB();

    qInfo().noquote() << "soak:" << loadMs << "ms of load," << m_stats.connections
                      << "connections (" << m_stats.aborts << "aborted," << m_stats.clientCloses
                      << "closed by the client," << m_stats.rejoinedSessions
                      << "rejoined their session), peak" << peakConnections << "open";
    qInfo().noquote() << "soak:" << m_stats.commands << "commands" << m_stats.commandsByName << ","
                      << m_stats.results << "results" << m_stats.resultsByOutcome << ","
                      << m_stats.progress << "progress," << m_stats.cancels << "cancels ("
                      << m_stats.unknownIdCancels << "of unknown ids)," << m_stats.pings << "pings,"
                      << m_stats.pongs << "pongs," << m_fixture->server()->sessionCount()
                      << "sessions kept";
    qInfo().noquote() << "soak: resident at start" << mebibytes(residentAtStart) << "after the load"
                      << mebibytes(residentAfterLoad) << "at the end" << mebibytes(residentAtEnd)
                      << "(" << mebibytes(residentAtEnd - residentAtStart) << "more), peak"
                      << mebibytes(peak);
    if (heapAtStart >= 0) {
        qInfo().noquote() << "soak: heap in use at start" << mebibytes(heapAtStart) << "at the end"
                          << mebibytes(heapAtEnd) << "(sessions outlive their connections for"
                          << "ServerOptions::sessionIdleTime)";
    }

    QVERIFY2(m_stats.problemCount == 0,
             qPrintable(QStringLiteral("%1 problems, first ones:\n").arg(m_stats.problemCount) +
                        m_stats.problems.join(QLatin1Char('\n'))));
    QVERIFY(m_stats.commands > 0);
    QVERIFY(m_stats.aborts > 0);
    if (residentSizeIsMeaningful) {
        QVERIFY2(residentAtEnd - residentAtStart < 32 * 1024,
                 qPrintable(QStringLiteral("resident memory is ") +
                            mebibytes(residentAtEnd - residentAtStart) +
                            QStringLiteral(" above its start")));
    } else {
        qInfo("resident memory not checked under AddressSanitizer");
    }
    m_fixture.reset();
}

QTEST_GUILESS_MAIN(tst_Soak)
#include "tst_soak.moc"
