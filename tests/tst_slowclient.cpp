// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Slow clients (spec section 8) over real sockets: a client that stops reading while a handler
// reports 1,000,000 progress updates leaves the server's memory flat and then reads percents that
// never go down and the one result; a client that stays above the hard limit is disconnected; a
// client that keeps up receives every progress message.

#include "bridgefixture.h"
#include "processmemory.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QDeadlineTimer>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtCore/QtEndian>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

#ifdef COMMANDBRIDGE_TEST_ASAN
constexpr int timingSlack = 3;
#else
constexpr int timingSlack = 1;
#endif

constexpr qint64 MiB = 1024 * 1024;
/// What a paused client's socket may hold in user space: it reads nothing beyond this.
constexpr qint64 pausedReadBufferBytes = 16 * 1024;
constexpr int floodUpdates = residentSizeIsMeaningful ? 1000000 : 100000;
/// Results of 1 MiB that a paused client is sent: results are never dropped, and this many do not
/// fit in the kernel's socket buffers (about 4 MiB on loopback), so over 1 MiB stays unsent.
constexpr int blobsOverHardLimit = 16;
/// Longest a flood may take: about 10 s on an idle machine, within the test's CTest TIMEOUT (300
/// s).
constexpr int floodTimeoutMs = 120000;

using CommandBridgeTest::procStatusKiB;

qint64 residentKiB()
{
    return procStatusKiB("VmRSS");
}

/// Resets the process's peak resident size (VmHWM) to its current size, where Linux allows it.
bool resetPeakResident()
{
    QFile clearRefs(QStringLiteral("/proc/self/clear_refs"));
    return clearRefs.open(QIODevice::WriteOnly) && clearRefs.write("5") == 1;
}

QString mebibytes(qint64 kib)
{
    return QString::number(double(kib) / 1024.0, 'f', 2) + QStringLiteral(" MiB");
}

/// A WebSocket client written by hand over a QTcpSocket, so the test decides when bytes leave the
/// kernel: paused, it holds at most a small buffer and reads nothing more, like a stalled peer.
class RawWebSocketClient
{
public:
    RawWebSocketClient()
    {
        QObject::connect(&m_socket, &QTcpSocket::readyRead, &m_socket, [this] {
            if (m_reading)
                readAvailable();
        });
    }

    /// Connects to 127.0.0.1:\a port and completes the handshake for /ws; empty on success,
    /// else what went wrong.
    QString open(quint16 port)
    {
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        if (!QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                             10000)) {
            return QStringLiteral("no TCP connection: ") + m_socket.errorString();
        }
        QByteArray nonce(16, Qt::Uninitialized);
        for (char &byte : nonce)
            byte = char(QRandomGenerator::global()->bounded(256));
        const QByteArray key = nonce.toBase64();
        m_socket.write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) +
                       "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: " +
                       key + "\r\nSec-WebSocket-Version: 13\r\n\r\n");

        QByteArray head;
        const bool complete = QTest::qWaitFor(
            [&] {
                head += m_socket.readAll();
                return head.contains("\r\n\r\n") ||
                       m_socket.state() != QAbstractSocket::ConnectedState;
            },
            10000);
        const qsizetype end = head.indexOf("\r\n\r\n");
        if (!complete || end < 0)
            return QStringLiteral("no handshake response: ") + QString::fromLatin1(head);
        if (!head.startsWith("HTTP/1.1 101"))
            return QStringLiteral("handshake refused: ") + QString::fromLatin1(head);
        const QByteArray accept =
            QCryptographicHash::hash(QByteArray(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"),
                                     QCryptographicHash::Sha1)
                .toBase64();
        if (!head.toLower().contains(QByteArray("sec-websocket-accept: " + accept.toLower())))
            return QStringLiteral("wrong Sec-WebSocket-Accept: ") + QString::fromLatin1(head);
        // Frames sent right behind the response (hello) are already here.
        m_buffer = head.mid(end + 4);
        m_reading = true;
        readAvailable();
        return QString();
    }

    /// Stops taking bytes from the kernel once pausedReadBufferBytes are buffered.
    void pause()
    {
        m_reading = false;
        m_socket.setReadBufferSize(pausedReadBufferBytes);
    }

    void resume()
    {
        m_reading = true;
        m_socket.setReadBufferSize(0);
        readAvailable();
    }

    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else if (payload.size() <= 0xffff) {
            frame.append(char(0x80 | 126));
            frame.append(char(payload.size() >> 8));
            frame.append(char(payload.size() & 0xff));
        } else {
            frame.append(char(0x80 | 127));
            for (int shift = 56; shift >= 0; shift -= 8)
                frame.append(char((quint64(payload.size()) >> shift) & 0xff));
        }
        const quint32 maskKey = QRandomGenerator::global()->generate();
        char mask[4];
        qToBigEndian(maskKey, mask);
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload.at(i) ^ mask[i % 4]));
        m_socket.write(frame);
    }

    void sendJson(const QJsonObject &message)
    {
        sendText(QJsonDocument(message).toJson(QJsonDocument::Compact));
    }

    const QList<QJsonObject> &messages() const { return m_messages; }
    /// The close code of a close frame received, if any.
    std::optional<quint16> closeCode() const { return m_closeCode; }
    /// Set when a frame broke the protocol (e.g. a masked server frame).
    QString protocolError() const { return m_protocolError; }
    bool isDisconnected() const { return m_socket.state() == QAbstractSocket::UnconnectedState; }

    /// The first message of \a type about \a id; empty when none came.
    QJsonObject find(const QString &type, const QJsonValue &id) const
    {
        for (const QJsonObject &message : m_messages) {
            if (message.value(QStringLiteral("type")) == type &&
                message.value(QStringLiteral("id")) == id) {
                return message;
            }
        }
        return QJsonObject();
    }

private:
    void readAvailable()
    {
        m_buffer += m_socket.readAll();
        parseFrames();
    }

    void parseFrames()
    {
        qsizetype offset = 0;
        while (m_buffer.size() - offset >= 2) {
            const auto *data = reinterpret_cast<const uchar *>(m_buffer.constData() + offset);
            const qsizetype available = m_buffer.size() - offset;
            const bool fin = data[0] & 0x80;
            const int opcode = data[0] & 0x0f;
            if (data[1] & 0x80)
                m_protocolError = QStringLiteral("the server masked a frame");
            quint64 length = data[1] & 0x7f;
            qsizetype header = 2;
            if (length == 126) {
                if (available < 4)
                    break;
                length = qFromBigEndian<quint16>(data + 2);
                header = 4;
            } else if (length == 127) {
                if (available < 10)
                    break;
                length = qFromBigEndian<quint64>(data + 2);
                header = 10;
            }
            if (quint64(available - header) < length)
                break;
            const QByteArray payload = m_buffer.mid(offset + header, qsizetype(length));
            offset += header + qsizetype(length);
            handleFrame(fin, opcode, payload);
        }
        m_buffer.remove(0, offset);
    }

    void handleFrame(bool fin, int opcode, const QByteArray &payload)
    {
        switch (opcode) {
        case 0x0: // continuation
        case 0x1: // text
            m_fragments += payload;
            if (fin) {
                const QJsonDocument document = QJsonDocument::fromJson(m_fragments);
                m_messages.append(
                    document.isObject()
                        ? document.object()
                        : QJsonObject{{QStringLiteral("_raw"), QString::fromUtf8(m_fragments)}});
                m_fragments.clear();
            }
            break;
        case 0x8: // close
            m_closeCode =
                payload.size() >= 2 ? qFromBigEndian<quint16>(payload.constData()) : quint16(1005);
            break;
        default:
            break;
        }
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
    QByteArray m_fragments;
    QList<QJsonObject> m_messages;
    std::optional<quint16> m_closeCode;
    QString m_protocolError;
    /// False during the handshake, which open() reads itself, and while paused.
    bool m_reading = false;
};

QJsonObject pingMessage(const QJsonValue &id)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")},
                       {QStringLiteral("id"), id}};
}

QJsonObject floodArgs(int updates)
{
    return QJsonObject{{QStringLiteral("updates"), updates}};
}

QString stepMessage(int step, int updates)
{
    return QStringLiteral("step %1/%2").arg(step).arg(updates);
}

/// Runs the event loop, as a server's exec() does, until \a done (checked every few ms) or
/// \a timeoutMs pass. Unlike QTest::qWaitFor, it never sleeps between passes: a handler on the
/// event loop runs at full speed and a client waiting here reads as fast as the thread can.
bool runEventLoopUntil(const std::function<bool()> &done, int timeoutMs)
{
    if (done())
        return true;
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QTimer poll;
    QObject::connect(&poll, &QTimer::timeout, &loop, [&loop, &done] {
        if (done())
            loop.quit();
    });
    deadline.start(timeoutMs);
    poll.start(5);
    loop.exec();
    return done();
}

/// What one request's messages look like on the wire, checked against spec section 4.
struct RequestTranscript
{
    int progressCount = 0;
    int resultCount = 0;
    bool percentNeverDecreases = true;
    bool stepsIncrease = true;
    bool nothingAfterResult = true;
    QJsonObject lastProgress;
    QJsonObject result;
    QString firstProblem;

    static RequestTranscript of(const QList<QJsonObject> &messages, const QJsonValue &id)
    {
        static const QRegularExpression stepPattern(QStringLiteral("^step (\\d+)/\\d+$"));
        RequestTranscript transcript;
        double lastPercent = -1.0;
        qint64 lastStep = 0;
        for (const QJsonObject &message : messages) {
            if (message.value(QStringLiteral("id")) != id)
                continue;
            const QString type = message.value(QStringLiteral("type")).toString();
            if (transcript.resultCount > 0 && transcript.nothingAfterResult) {
                transcript.nothingAfterResult = false;
                transcript.note(QStringLiteral("%1 after the result").arg(type));
            }
            if (type == QStringLiteral("command_progress")) {
                ++transcript.progressCount;
                const double percent = message.value(QStringLiteral("percent")).toDouble(-1.0);
                if (percent < lastPercent && transcript.percentNeverDecreases) {
                    transcript.percentNeverDecreases = false;
                    transcript.note(QStringLiteral("percent went down from %1 to %2")
                                        .arg(lastPercent)
                                        .arg(percent));
                }
                lastPercent = std::max(lastPercent, percent);
                const auto match =
                    stepPattern.match(message.value(QStringLiteral("message")).toString());
                const qint64 step = match.hasMatch() ? match.captured(1).toLongLong() : -1;
                if (step <= lastStep && transcript.stepsIncrease) {
                    transcript.stepsIncrease = false;
                    transcript.note(
                        QStringLiteral("step %1 after step %2").arg(step).arg(lastStep));
                }
                lastStep = std::max(lastStep, step);
                transcript.lastProgress = message;
            } else if (type == QStringLiteral("command_result")) {
                ++transcript.resultCount;
                transcript.result = message;
            } else {
                transcript.note(QStringLiteral("unexpected message type %1").arg(type));
            }
        }
        return transcript;
    }

private:
    void note(const QString &problem)
    {
        if (firstProblem.isEmpty())
            firstProblem = problem;
    }
};

/// Observed by the test's own handlers; shared with them, so it outlives any of them.
struct FloodProbe
{
    /// Handlers that reported every update they were asked for.
    std::atomic<int> reportedAll{0};
    /// Progress of `flood_pool` that reached the front end (CommandRegistry::commandProgressed).
    std::atomic<int> poolProgressDelivered{0};
    std::atomic<int> blobsSent{0};
};

} // namespace

class tst_SlowClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void pausedClientKeepsServerMemoryFlat_data();
    void pausedClientKeepsServerMemoryFlat();
    void pausedSubscriberGetsTheNewestNoticeInFlatMemory();
    void subscriberThatKeepsUpReceivesEveryNotice();
    void clientAboveHardLimitIsDisconnected();
    void clientBackUnderHardLimitInTimeStaysConnected();
    void clientThatKeepsUpReceivesEveryProgress_data();
    void clientThatKeepsUpReceivesEveryProgress();
    void pipeliningHttpClientThatDoesNotReadIsNotRead();

private:
    /// Adds the test's commands to the fixture's registry (before listen()):
    /// - `flood_loop` (EventLoop): reports `updates` progress messages "step i/updates" at
    ///   100*i/updates percent, `chunk` per tick of a zero-interval timer, then succeeds with
    ///   {"updates": updates}.
    /// - `flood_pool` (WorkerPool): the same from a worker thread in a tight loop; with
    ///   `max_ahead` not 0 it waits while that many of its reports have not yet reached the
    ///   registry's thread.
    /// - `blob` (Synchronous): succeeds with {"data": a string of `bytes` characters}.
    void registerCommands();
    /// Opens \a client on the fixture and waits for its hello.
    [[nodiscard]] bool openRaw(RawWebSocketClient &client);
    /// Declares the Global event `notice`, starts the server, opens \a client and subscribes it.
    [[nodiscard]] bool openSubscribedToNotices(RawWebSocketClient &client);

    std::unique_ptr<BridgeFixture> m_fixture;
    std::shared_ptr<FloodProbe> m_probe;
};

void tst_SlowClient::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_probe = std::make_shared<FloodProbe>();
    registerCommands();
}

void tst_SlowClient::cleanup()
{
    m_fixture.reset();
}

void tst_SlowClient::registerCommands()
{
    const std::shared_ptr<FloodProbe> probe = m_probe;
    const QJsonObject integer{{QStringLiteral("type"), QStringLiteral("integer")},
                              {QStringLiteral("minimum"), 0}};
    const QJsonObject positive{{QStringLiteral("type"), QStringLiteral("integer")},
                               {QStringLiteral("minimum"), 1}};
    const QJsonObject floodSchema{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("updates"), positive},
                                                   {QStringLiteral("chunk"), integer},
                                                   {QStringLiteral("max_ahead"), integer}}},
        {QStringLiteral("required"), QJsonArray{QStringLiteral("updates")}}};

    CommandDescriptor loop;
    loop.name = QStringLiteral("flood_loop");
    loop.description = QStringLiteral("Reports progress in chunks from a zero-interval timer");
    loop.mode = ExecutionMode::EventLoop;
    // With network threads it floods from the socket's thread: on the main thread it would take
    // turns with the test's own client, which then could not keep up.
    loop.thread = HandlerThread::Network;
    loop.defaultTimeout = 10min;
    loop.argsSchema = floodSchema;
    loop.handler = [probe](CommandContext &context) {
        const int updates = context.args().value(QStringLiteral("updates")).toInt();
        const int chunk = std::max(1, context.args().value(QStringLiteral("chunk")).toInt(1000));
        auto *timer = new QTimer(&context);
        timer->setInterval(0);
        auto reported = std::make_shared<int>(0);
        QObject::connect(timer, &QTimer::timeout, &context,
                         [&context, timer, reported, updates, chunk, probe] {
                             const int end = std::min(updates, *reported + chunk);
                             while (*reported < end) {
                                 ++*reported;
                                 context.reportProgress(stepMessage(*reported, updates),
                                                        100.0 * *reported / updates);
                             }
                             if (*reported >= updates) {
                                 timer->stop();
                                 ++probe->reportedAll;
                                 context.succeed(QJsonObject{{QStringLiteral("updates"), updates}});
                             }
                         });
        QObject::connect(&context, &CommandContext::cancelRequested, timer, &QTimer::stop);
        timer->start();
    };
    QVERIFY2(m_fixture->registry()->registerCommand(loop),
             qPrintable(m_fixture->registry()->errorString()));

    CommandDescriptor pool = loop;
    pool.name = QStringLiteral("flood_pool");
    pool.description = QStringLiteral("Reports progress from a worker thread in a tight loop");
    pool.mode = ExecutionMode::WorkerPool;
    pool.handler = [probe](CommandContext &context) {
        const int updates = context.args().value(QStringLiteral("updates")).toInt();
        const int maxAhead = context.args().value(QStringLiteral("max_ahead")).toInt();
        const QDeadlineTimer deadline(60s);
        for (int step = 1; step <= updates; ++step) {
            if (context.isCancelled())
                return;
            context.reportProgress(stepMessage(step, updates), 100.0 * step / updates);
            while (maxAhead > 0 && step - probe->poolProgressDelivered.load() >= maxAhead &&
                   !context.isCancelled() && !deadline.hasExpired()) {
                QThread::usleep(100);
            }
        }
        ++probe->reportedAll;
        context.succeed(QJsonObject{{QStringLiteral("updates"), updates}});
    };
    QVERIFY2(m_fixture->registry()->registerCommand(pool),
             qPrintable(m_fixture->registry()->errorString()));
    // Direct: counted on the thread serving the request, as the front end gets each report.
    QObject::connect(
        m_fixture->registry(), &CommandRegistry::commandProgressed, m_fixture->registry(),
        [probe](const CommandInfo &command) {
            if (command.command == QStringLiteral("flood_pool"))
                ++probe->poolProgressDelivered;
        },
        Qt::DirectConnection);

    CommandDescriptor blob;
    blob.name = QStringLiteral("blob");
    blob.description = QStringLiteral("Answers with a large string");
    blob.mode = ExecutionMode::Synchronous;
    blob.argsSchema = QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"), QJsonObject{{QStringLiteral("bytes"), integer}}}};
    blob.handler = [probe](CommandContext &context) {
        const int bytes = context.args().value(QStringLiteral("bytes")).toInt();
        ++probe->blobsSent;
        context.succeed(QJsonObject{{QStringLiteral("data"), QString(bytes, QLatin1Char('x'))}});
    };
    QVERIFY2(m_fixture->registry()->registerCommand(blob),
             qPrintable(m_fixture->registry()->errorString()));
}

bool tst_SlowClient::openRaw(RawWebSocketClient &client)
{
    const QString error = client.open(m_fixture->server()->serverPort());
    if (!error.isEmpty()) {
        qWarning() << error;
        return false;
    }
    return QTest::qWaitFor(
        [&client] {
            return !client.find(QStringLiteral("hello"), QJsonValue(QJsonValue::Undefined))
                        .isEmpty();
        },
        defaultWaitMs);
}

bool tst_SlowClient::openSubscribedToNotices(RawWebSocketClient &client)
{
    const QString notice = QStringLiteral("notice");
    if (!m_fixture->registry()->registerEvent(
            EventDescriptor{notice, QStringLiteral("A numbered notice"), {}, EventScope::Global}) ||
        !m_fixture->listen() || !openRaw(client)) {
        return false;
    }
    client.sendJson(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribe")},
                                {QStringLiteral("id"), QStringLiteral("s")},
                                {QStringLiteral("events"), QJsonArray{notice}}});
    return QTest::qWaitFor(
        [&client] {
            return !client.find(QStringLiteral("subscribed"), QStringLiteral("s")).isEmpty();
        },
        defaultWaitMs);
}

void tst_SlowClient::pausedClientKeepsServerMemoryFlat_data()
{
    QTest::addColumn<QString>("command");

    QTest::newRow("event loop, chunks from a zero-interval timer") << QStringLiteral("flood_loop");
    QTest::newRow("worker pool, tight loop") << QStringLiteral("flood_pool");
}

void tst_SlowClient::pausedClientKeepsServerMemoryFlat()
{
    QFETCH(QString, command);

    // Protocol v1 defaults: 256 KiB high-water mark, 16 MiB hard limit, 10 s.
    QVERIFY(m_fixture->listen());
    RawWebSocketClient client;
    QVERIFY(openRaw(client));
    client.pause();

    const qint64 before = residentKiB();
    QVERIFY(before > 0);
    const bool peakReset = resetPeakResident();
    qint64 sampledPeak = before;
    QTimer sampler;
    QObject::connect(&sampler, &QTimer::timeout, &sampler,
                     [&sampledPeak] { sampledPeak = std::max(sampledPeak, residentKiB()); });
    sampler.start(5);

    QElapsedTimer elapsed;
    elapsed.start();
    const QString id = QStringLiteral("flood");
    client.sendJson(commandMessage(id, command, floodArgs(floodUpdates)));
    // Replies other than progress are never dropped either.
    constexpr int pings = 100;
    for (int i = 0; i < pings; ++i)
        client.sendJson(pingMessage(i));
    // The result has reached the connection's outgoing queue once the command is no longer in
    // flight.
    QVERIFY(runEventLoopUntil(
        [this] {
            return m_probe->reportedAll.load() == 1 && m_fixture->registry()->inFlightCount() == 0;
        },
        floodTimeoutMs));
    const qint64 reportMs = elapsed.elapsed();
    sampler.stop();
    const qint64 after = residentKiB();
    sampledPeak = std::max(sampledPeak, after);
    const qint64 peak = peakReset ? std::max(procStatusKiB("VmHWM"), sampledPeak) : sampledPeak;

    qInfo().noquote() << command << ":" << floodUpdates << "updates reported in" << reportMs
                      << "ms to a paused client; resident before" << mebibytes(before) << "after"
                      << mebibytes(after) << "growth" << mebibytes(after - before) << "peak growth"
                      << mebibytes(peak - before)
                      << (peakReset ? "(VmHWM)" : "(sampled every 5 ms)");
    if (residentSizeIsMeaningful) {
        QVERIFY2(after - before < 16 * 1024, qPrintable(QStringLiteral("resident memory grew by ") +
                                                        mebibytes(after - before)));
        QVERIFY2(peak - before < 16 * 1024,
                 qPrintable(QStringLiteral("resident memory peaked ") + mebibytes(peak - before) +
                            QStringLiteral(" above its start")));
    } else {
        qInfo("resident memory not checked under AddressSanitizer");
    }
    // Its unsent output never came near the hard limit: the client is still connected.
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
    QVERIFY(client.find(QStringLiteral("command_result"), id).isEmpty());

    elapsed.restart();
    client.resume();
    QVERIFY(runEventLoopUntil(
        [&client, &id] { return !client.find(QStringLiteral("command_result"), id).isEmpty(); },
        60000));
    client.sendJson(pingMessage(QStringLiteral("after")));
    QTRY_VERIFY(!client.find(QStringLiteral("pong"), QStringLiteral("after")).isEmpty());
    const qint64 drainMs = elapsed.elapsed();
    QVERIFY2(client.protocolError().isEmpty(), qPrintable(client.protocolError()));

    QList<QJsonObject> pongs;
    for (const QJsonObject &message : client.messages()) {
        if (message.value(QStringLiteral("type")) == QStringLiteral("pong"))
            pongs.append(message);
    }
    QCOMPARE(pongs.size(), pings + 1);
    for (int i = 0; i < pings; ++i)
        QCOMPARE(pongs.at(i), (QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")},
                                           {QStringLiteral("id"), i}}));

    const RequestTranscript transcript = RequestTranscript::of(client.messages(), id);
    qInfo().noquote() << command << ": the client then read" << transcript.progressCount
                      << "progress messages and the result in" << drainMs << "ms";
    QVERIFY2(transcript.firstProblem.isEmpty(), qPrintable(transcript.firstProblem));
    QVERIFY(transcript.percentNeverDecreases);
    QVERIFY(transcript.stepsIncrease);
    QVERIFY(transcript.nothingAfterResult);
    QCOMPARE(transcript.resultCount, 1);
    QVERIFY(transcript.progressCount >= 1);
    QVERIFY(transcript.progressCount <= floodUpdates);
    // Coalescing keeps the newest: the last progress is the last one reported.
    QCOMPARE(transcript.lastProgress.value(QStringLiteral("message")).toString(),
             stepMessage(floodUpdates, floodUpdates));
    QCOMPARE(transcript.lastProgress.value(QStringLiteral("percent")).toDouble(), 100.0);
    QCOMPARE(transcript.result,
             (QJsonObject{{QStringLiteral("type"), QStringLiteral("command_result")},
                          {QStringLiteral("id"), id},
                          {QStringLiteral("command"), command},
                          {QStringLiteral("success"), true},
                          {QStringLiteral("result"),
                           QJsonObject{{QStringLiteral("updates"), floodUpdates}}}}));
}

void tst_SlowClient::pausedSubscriberGetsTheNewestNoticeInFlatMemory()
{
    const QString notice = QStringLiteral("notice");
    RawWebSocketClient client;
    QVERIFY(openSubscribedToNotices(client));
    client.pause();

    const qint64 before = residentKiB();
    QVERIFY(before > 0);
    const bool peakReset = resetPeakResident();
    QElapsedTimer elapsed;
    elapsed.start();
    // From the app's thread, which returns to its event loop now and then as a GUI thread does.
    for (int n = 1; n <= floodUpdates; ++n) {
        QVERIFY(m_fixture->registry()->publishEvent(
            notice, QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("text"), notice}}));
        if (n % 1000 == 0)
            QCoreApplication::processEvents();
    }
    const qint64 publishMs = elapsed.elapsed();
    // Read before the client resumes: what it then stores of the notices is the test's, not the
    // server's. The peak covers the notices on their way to a network thread, too.
    const qint64 after = residentKiB();
    const qint64 peak = peakReset ? std::max(procStatusKiB("VmHWM"), after) : after;
    qInfo().noquote() << floodUpdates << "notices published in" << publishMs
                      << "ms to a paused subscriber; resident growth" << mebibytes(after - before)
                      << "peak growth" << mebibytes(peak - before);
    if (residentSizeIsMeaningful) {
        QVERIFY2(peak - before < 16 * 1024,
                 qPrintable(QStringLiteral("resident memory peaked ") + mebibytes(peak - before) +
                            QStringLiteral(" above its start")));
    }
    QCOMPARE(m_fixture->server()->connectionCount(), 1);

    client.resume();
    const auto lastArrived = [&] {
        const QList<QJsonObject> &messages = client.messages();
        return !messages.isEmpty() && messages.last()
                                              .value(QStringLiteral("data"))
                                              .toObject()
                                              .value(QStringLiteral("n")) == floodUpdates;
    };
    QVERIFY(runEventLoopUntil(lastArrived, 60000));
    qint64 lastSeq = 0;
    int received = 0;
    for (const QJsonObject &message : client.messages()) {
        if (message.value(QStringLiteral("type")) != QStringLiteral("event"))
            continue;
        ++received;
        const qint64 seq = message.value(QStringLiteral("seq")).toInteger();
        QVERIFY2(seq > lastSeq, "seq must rise");
        // Coalescing keeps the newest: an event's seq is its publication's number.
        QCOMPARE(message.value(QStringLiteral("data")).toObject().value(QStringLiteral("n")),
                 QJsonValue(seq));
        lastSeq = seq;
    }
    QCOMPARE(lastSeq, qint64(floodUpdates));
    QVERIFY(received < floodUpdates);
    qInfo().noquote() << "the subscriber then read" << received << "of" << floodUpdates
                      << "notices, the newest last";
}

void tst_SlowClient::subscriberThatKeepsUpReceivesEveryNotice()
{
    // Published in slices of 1000 per pass of the event loop, as the demo's `broadcast` does: the
    // slices pile up in the socket's buffer before it writes, which must not read as a slow client
    // (before the fix, 43% of such a broadcast reached a reader that kept up).
    constexpr int notices = 20000;
    const QString notice = QStringLiteral("notice");
    RawWebSocketClient client;
    QVERIFY(openSubscribedToNotices(client));

    for (int n = 1; n <= notices; ++n) {
        QVERIFY(m_fixture->registry()->publishEvent(
            notice, QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("text"), notice}}));
        if (n % 1000 == 0)
            QCoreApplication::processEvents();
    }
    const auto lastArrived = [&] {
        const QList<QJsonObject> &messages = client.messages();
        return !messages.isEmpty() && messages.last()
                                              .value(QStringLiteral("data"))
                                              .toObject()
                                              .value(QStringLiteral("n")) == notices;
    };
    QVERIFY(runEventLoopUntil(lastArrived, 60000));
    int expected = 1;
    for (const QJsonObject &message : client.messages()) {
        if (message.value(QStringLiteral("type")) != QStringLiteral("event"))
            continue;
        QCOMPARE(message.value(QStringLiteral("data")).toObject().value(QStringLiteral("n")),
                 QJsonValue(expected));
        QCOMPARE(message.value(QStringLiteral("seq")).toInteger(), qint64(expected));
        ++expected;
    }
    QCOMPARE(expected - 1, notices);
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
}

void tst_SlowClient::clientAboveHardLimitIsDisconnected()
{
    m_fixture->options().outgoingHardLimit = 1 * MiB;
    m_fixture->options().slowClientTimeout = 500ms;
    QVERIFY(m_fixture->listen());
    RawWebSocketClient client;
    QVERIFY(openRaw(client));
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
    client.pause();

    client.sendJson(commandMessage(QStringLiteral("n"), QStringLiteral("never"), QJsonObject()));
    constexpr int blobs = blobsOverHardLimit;
    for (int i = 0; i < blobs; ++i) {
        client.sendJson(commandMessage(i, QStringLiteral("blob"),
                                       QJsonObject{{QStringLiteral("bytes"), int(MiB)}}));
    }
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE(m_probe->blobsSent.load(), blobs);
    QTRY_COMPARE_WITH_TIMEOUT(m_fixture->server()->connectionCount(), 0, 20000);
    const qint64 disconnectedAfter = elapsed.elapsed();
    qInfo() << "client over the 1 MiB hard limit disconnected after" << disconnectedAfter << "ms";
    QVERIFY2(disconnectedAfter >= 450,
             qPrintable(QStringLiteral("disconnected after only %1 ms").arg(disconnectedAfter)));

    // Its running command was cancelled with the connection.
    QTRY_COMPARE(m_fixture->registry()->inFlightCount(), 0);
    QCOMPARE(m_fixture->probe().cancelObserved.load(), 1);

    // Once it reads again, it finds the connection closed.
    client.resume();
    QTRY_VERIFY_WITH_TIMEOUT(client.isDisconnected(), 10000);
    QVERIFY(client.messages().size() < blobs + 2);
}

void tst_SlowClient::clientBackUnderHardLimitInTimeStaysConnected()
{
    constexpr std::chrono::milliseconds slowClientTimeout = 5s * timingSlack;
    m_fixture->options().outgoingHardLimit = 1 * MiB;
    m_fixture->options().slowClientTimeout = slowClientTimeout;
    QVERIFY(m_fixture->listen());
    RawWebSocketClient client;
    QVERIFY(openRaw(client));
    client.pause();

    constexpr int blobs = blobsOverHardLimit;
    for (int i = 0; i < blobs; ++i) {
        client.sendJson(commandMessage(i, QStringLiteral("blob"),
                                       QJsonObject{{QStringLiteral("bytes"), int(MiB)}}));
    }
    QElapsedTimer elapsed;
    elapsed.start();
    QTRY_COMPARE(m_probe->blobsSent.load(), blobs);
    client.resume();
    QTRY_VERIFY_WITH_TIMEOUT(!client.find(QStringLiteral("command_result"), blobs - 1).isEmpty(),
                             20000);
    QVERIFY2(elapsed.elapsed() < slowClientTimeout.count(),
             "the client took too long to catch up for this test to mean anything");

    // Past the time a client may stay over the limit, it is still served.
    (void)QTest::qWaitFor(
        [&] {
            return elapsed.elapsed() > slowClientTimeout.count() + 500 ||
                   m_fixture->server()->connectionCount() == 0;
        },
        int(slowClientTimeout.count()) + 1000);
    QCOMPARE(m_fixture->server()->connectionCount(), 1);
    client.sendJson(pingMessage(QStringLiteral("still here")));
    QTRY_VERIFY(!client.find(QStringLiteral("pong"), QStringLiteral("still here")).isEmpty());
    QVERIFY(!client.closeCode().has_value());
    for (int i = 0; i < blobs; ++i) {
        const RequestTranscript transcript = RequestTranscript::of(client.messages(), i);
        QCOMPARE(transcript.resultCount, 1);
        QCOMPARE(transcript.result.value(QStringLiteral("success")), QJsonValue(true));
        QCOMPARE(transcript.result.value(QStringLiteral("result"))
                     .toObject()
                     .value(QStringLiteral("data"))
                     .toString()
                     .size(),
                 MiB);
    }
}

void tst_SlowClient::pipeliningHttpClientThatDoesNotReadIsNotRead()
{
    // 20,000 pipelined requests whose answers add up to about 40 MB, from a client that reads
    // nothing until it has sent them all: the server stops reading its requests instead of
    // keeping the answers.
    QVERIFY(m_fixture->listen());
    const quint16 port = m_fixture->server()->serverPort();
    const QByteArray request =
        "GET /api/v1/commands HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n\r\n";
    constexpr int requests = residentSizeIsMeaningful ? 20000 : 2000;
    QTcpSocket client;
    client.setReadBufferSize(1);
    client.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(client.waitForConnected(5000));

    const qint64 before = residentKiB();
    client.write(request.repeated(requests));
    // The server has settled once what the client sends stops leaving it (or all has left: the
    // server holds up to 1 MiB of requests back) and its memory stops growing.
    qint64 unsent = -1;
    qint64 resident = before;
    QElapsedTimer sinceChange;
    sinceChange.start();
    QVERIFY(runEventLoopUntil(
        [&] {
            // Under AddressSanitizer resident size drifts by itself: the socket alone tells.
            const qint64 residentNow = residentSizeIsMeaningful ? residentKiB() : resident;
            if (client.bytesToWrite() != unsent || std::abs(residentNow - resident) > 256) {
                unsent = client.bytesToWrite();
                resident = residentNow;
                sinceChange.restart();
            }
            return sinceChange.elapsed() >= 500;
        },
        20000));
    const qint64 growth = residentKiB() - before;
    qInfo().noquote() << "a pipelining client that does not read: resident growth"
                      << mebibytes(growth) << "with" << unsent << "bytes of requests unsent";
    if (residentSizeIsMeaningful)
        QVERIFY2(growth < 16 * 1024, qPrintable(mebibytes(growth)));

    // Nothing is lost: once the client reads, every request is answered, in order.
    client.setReadBufferSize(0);
    QByteArray received;
    int answers = 0;
    const QByteArray statusLine = "HTTP/1.1 200 OK\r\n";
    QVERIFY(runEventLoopUntil(
        [&] {
            received += client.readAll();
            for (qsizetype at = received.indexOf(statusLine); at >= 0;
                 at = received.indexOf(statusLine)) {
                ++answers;
                received.remove(0, at + statusLine.size());
            }
            return answers == requests;
        },
        60000));
}

void tst_SlowClient::clientThatKeepsUpReceivesEveryProgress_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonObject>("pacing");

    QTest::newRow("event loop, 100 per tick of a zero-interval timer")
        << QStringLiteral("flood_loop") << QJsonObject{{QStringLiteral("chunk"), 100}};
    // A worker may outrun the registry's thread, whose pending reports are bounded (1024); this
    // one stays within 100 of it, so every report must reach the client.
    QTest::newRow("worker pool, at most 100 reports ahead of delivery")
        << QStringLiteral("flood_pool") << QJsonObject{{QStringLiteral("max_ahead"), 100}};
}

void tst_SlowClient::clientThatKeepsUpReceivesEveryProgress()
{
    QFETCH(QString, command);
    QFETCH(QJsonObject, pacing);
    constexpr int updates = 10000;

    QVERIFY(m_fixture->listen());
    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected());
    QVERIFY(!client.waitForHello().isEmpty());

    QJsonObject args = pacing;
    args.insert(QStringLiteral("updates"), updates);
    client.sendJson(commandMessage(QStringLiteral("k"), command, args));
    QVERIFY(runEventLoopUntil(
        [&client] {
            return !client.messagesFor(QStringLiteral("command_result"), QStringLiteral("k"))
                        .isEmpty();
        },
        60000));

    const QList<QJsonObject> progress =
        client.messagesFor(QStringLiteral("command_progress"), QStringLiteral("k"));
    QCOMPARE(progress.size(), updates);
    for (int step = 1; step <= updates; ++step) {
        const QJsonObject &message = progress.at(step - 1);
        QCOMPARE(message.value(QStringLiteral("message")).toString(), stepMessage(step, updates));
        QCOMPARE(message.value(QStringLiteral("percent")).toDouble(), 100.0 * step / updates);
    }
    const RequestTranscript transcript =
        RequestTranscript::of(client.messages(), QStringLiteral("k"));
    QVERIFY2(transcript.firstProblem.isEmpty(), qPrintable(transcript.firstProblem));
    QCOMPARE(transcript.resultCount, 1);
    QCOMPARE(transcript.result.value(QStringLiteral("success")), QJsonValue(true));
}

QTEST_GUILESS_MAIN(tst_SlowClient)
#include "tst_slowclient.moc"
