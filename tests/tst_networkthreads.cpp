// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Sockets on network threads (ServerOptions::networkThreads): handlers run where their descriptor
// says, connections spread over the threads, and the protocol's guarantees hold unchanged.

#include "bridgefixture.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

constexpr int networkThreadCount = 2;

QString threadName()
{
    QThread *thread = QThread::currentThread();
    if (thread == QCoreApplication::instance()->thread())
        return QStringLiteral("main");
    return thread->objectName().isEmpty() ? QStringLiteral("unnamed") : thread->objectName();
}

/// A command that answers with the name of the thread its handler ran on.
CommandDescriptor whereCommand(const QString &name, ExecutionMode mode, HandlerThread thread)
{
    CommandDescriptor descriptor;
    descriptor.name = name;
    descriptor.description = QStringLiteral("Tells the thread its handler runs on");
    descriptor.mode = mode;
    descriptor.thread = thread;
    descriptor.handler = [mode](CommandContext &context) {
        const QJsonObject result{{QStringLiteral("thread"), threadName()}};
        if (mode == ExecutionMode::EventLoop) {
            // A timer parented to the context: only valid on the context's own thread.
            QTimer::singleShot(1, &context, [&context, result] { context.succeed(result); });
            return;
        }
        context.succeed(result);
    };
    return descriptor;
}

} // namespace

class tst_NetworkThreads : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void handlersRunWhereTheirDescriptorSays_data();
    void handlersRunWhereTheirDescriptorSays();
    void connectionsAreSpreadOverTheNetworkThreads();
    void registryThreadHandlerStreamsProgressInOrder();
    void registryThreadHandlerIsCancelled();
    void disconnectStopsRegistryThreadHandler();
    void restRunsOnNetworkThreads();
    void healthCountsConnectionsOfEveryThread();
    void shutdownAnswersCommandsOnEveryThread();

private:
    QString threadOf(WsClient &client, const QString &command, int id);

    std::unique_ptr<BridgeFixture> m_fixture;
};

void tst_NetworkThreads::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    CommandRegistry *registry = m_fixture->registry();
    QVERIFY(registry->registerCommand(whereCommand(
        QStringLiteral("where_sync"), ExecutionMode::Synchronous, HandlerThread::Registry)));
    QVERIFY(registry->registerCommand(whereCommand(
        QStringLiteral("where_loop"), ExecutionMode::EventLoop, HandlerThread::Registry)));
    QVERIFY(registry->registerCommand(whereCommand(
        QStringLiteral("where_net"), ExecutionMode::Synchronous, HandlerThread::Network)));
    QVERIFY(registry->registerCommand(whereCommand(
        QStringLiteral("where_net_loop"), ExecutionMode::EventLoop, HandlerThread::Network)));
    QVERIFY(registry->registerCommand(whereCommand(
        QStringLiteral("where_pool"), ExecutionMode::WorkerPool, HandlerThread::Network)));
    m_fixture->options().networkThreads = networkThreadCount;
    QVERIFY(m_fixture->listen());
}

void tst_NetworkThreads::cleanup()
{
    m_fixture.reset();
}

QString tst_NetworkThreads::threadOf(WsClient &client, const QString &command, int id)
{
    client.sendJson(commandMessage(id, command));
    const QJsonObject result = client.waitForType(QStringLiteral("command_result"), id);
    if (!result.value(QStringLiteral("success")).toBool())
        return QStringLiteral("failed: ") + QString::fromUtf8(QJsonDocument(result).toJson());
    return result.value(QStringLiteral("result"))[QStringLiteral("thread")].toString();
}

void tst_NetworkThreads::handlersRunWhereTheirDescriptorSays_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("expectedThread");

    QTest::newRow("synchronous, registry thread") << "where_sync"
                                                  << "main";
    QTest::newRow("event loop, registry thread") << "where_loop"
                                                 << "main";
    QTest::newRow("synchronous, network thread") << "where_net"
                                                 << "CommandBridge network";
    QTest::newRow("event loop, network thread") << "where_net_loop"
                                                << "CommandBridge network";
    QTest::newRow("worker pool") << "where_pool"
                                 << "unnamed";
}

void tst_NetworkThreads::handlersRunWhereTheirDescriptorSays()
{
    QFETCH(QString, command);
    QFETCH(QString, expectedThread);

    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected());
    const QString thread = threadOf(client, command, 1);
    if (expectedThread == QLatin1String("unnamed")) {
        QVERIFY2(thread != QLatin1String("main") &&
                     !thread.startsWith(QLatin1String("CommandBridge network")),
                 qPrintable(thread));
    } else {
        QVERIFY2(thread.startsWith(expectedThread), qPrintable(thread));
    }
}

void tst_NetworkThreads::connectionsAreSpreadOverTheNetworkThreads()
{
    std::vector<std::unique_ptr<WsClient>> clients;
    QSet<QString> threads;
    for (int i = 0; i < 2 * networkThreadCount; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        clients.back()->open(m_fixture->webSocketUrl());
        QVERIFY(clients.back()->waitForConnected());
        threads.insert(threadOf(*clients.back(), QStringLiteral("where_net"), i));
    }
    QCOMPARE(threads.size(), networkThreadCount);
    for (const QString &thread : threads)
        QVERIFY2(thread.startsWith(QLatin1String("CommandBridge network")), qPrintable(thread));
}

void tst_NetworkThreads::registryThreadHandlerStreamsProgressInOrder()
{
    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected());
    client.sendJson(
        commandMessage(QStringLiteral("s"), QStringLiteral("slow"),
                       {{QStringLiteral("steps"), 20}, {QStringLiteral("interval_ms"), 1}}));
    const QJsonObject result =
        client.waitForType(QStringLiteral("command_result"), QStringLiteral("s"));
    QCOMPARE(result.value(QStringLiteral("result")).toObject(),
             (QJsonObject{{QStringLiteral("steps"), 20}}));
    const QList<QJsonObject> progress =
        client.messagesFor(QStringLiteral("command_progress"), QStringLiteral("s"));
    QCOMPARE(progress.size(), 20);
    for (int i = 0; i < progress.size(); ++i) {
        QCOMPARE(progress.at(i).value(QStringLiteral("message")).toString(),
                 QStringLiteral("step %1/20").arg(i + 1));
    }
    // The result is the last message about the request.
    QCOMPARE(client.messagesFor(QStringLiteral("s")).last(), result);
}

void tst_NetworkThreads::registryThreadHandlerIsCancelled()
{
    WsClient client;
    client.open(m_fixture->webSocketUrl());
    QVERIFY(client.waitForConnected());
    client.sendJson(commandMessage(QStringLiteral("n"), QStringLiteral("never")));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));
    client.sendJson(QJsonObject{{QStringLiteral("type"), QStringLiteral("cancel")},
                                {QStringLiteral("id"), QStringLiteral("n")}});
    const QJsonObject result =
        client.waitForType(QStringLiteral("command_result"), QStringLiteral("n"));
    QCOMPARE(result.value(QStringLiteral("result"))[QStringLiteral("code")].toString(),
             QStringLiteral("cancelled"));
    // The handler on the main thread hears of it through its own context.
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 0);
}

void tst_NetworkThreads::disconnectStopsRegistryThreadHandler()
{
    auto client = std::make_unique<WsClient>();
    client->open(m_fixture->webSocketUrl());
    QVERIFY(client->waitForConnected());
    client->sendJson(commandMessage(1, QStringLiteral("never")));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);
    QVERIFY(m_fixture->probe().waitForHandlers(QStringLiteral("never")));
    client.reset();
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 0);
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_NetworkThreads::restRunsOnNetworkThreads()
{
    QNetworkAccessManager network;
    for (const QString &command : {QStringLiteral("where_sync"), QStringLiteral("where_net")}) {
        QUrl url = m_fixture->server()->httpUrl();
        url.setPath(QStringLiteral("/api/v1/commands/") + command);
        QNetworkRequest request(url);
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        std::unique_ptr<QNetworkReply> reply(network.post(request, QByteArray("{}")));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QVERIFY(finished.wait(defaultWaitMs));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
        const QString thread =
            body.value(QStringLiteral("result"))[QStringLiteral("thread")].toString();
        QVERIFY2(thread.startsWith(command == QLatin1String("where_sync")
                                       ? QLatin1String("main")
                                       : QLatin1String("CommandBridge network")),
                 qPrintable(thread));
    }
}

void tst_NetworkThreads::healthCountsConnectionsOfEveryThread()
{
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        clients.back()->open(m_fixture->webSocketUrl());
        QVERIFY(clients.back()->waitForConnected());
        QVERIFY(clients.back()->roundTrip(i));
    }
    QCOMPARE(m_fixture->server()->connectionCount(), 3);
    QCOMPARE(m_fixture->server()->sessionCount(), 3);
    clients.clear();
    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
}

void tst_NetworkThreads::shutdownAnswersCommandsOnEveryThread()
{
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 2 * networkThreadCount; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        clients.back()->open(m_fixture->webSocketUrl());
        QVERIFY(clients.back()->waitForConnected());
        clients.back()->sendJson(commandMessage(i, QStringLiteral("never")));
    }
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 2 * networkThreadCount);
    QSignalSpy finished(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    QVERIFY(finished.wait(defaultWaitMs));
    for (int i = 0; i < int(clients.size()); ++i) {
        const QJsonObject result = clients[i]->waitForType(QStringLiteral("command_result"), i);
        QCOMPARE(result.value(QStringLiteral("result"))[QStringLiteral("code")].toString(),
                 QStringLiteral("shutting_down"));
        QVERIFY(clients[i]->waitForDisconnected());
        QCOMPARE(clients[i]->closeCode(), int(QWebSocketProtocol::CloseCodeGoingAway));
    }
}

QTEST_MAIN(tst_NetworkThreads)
#include "tst_networkthreads.moc"
