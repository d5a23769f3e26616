// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// CommandClient against a real server: connection and command list, every call state, session
// rejoin after a dropped connection, and reconnect after a server restart on the same port.

#include "bridgefixture.h"

#include <CommandBridge/commandclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QTranslator>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;

namespace {

/// Forwards TCP connections to the server and can cut them all at once, like a network drop:
/// the server sees its sockets close without a close frame while its sessions stay.
class DroppingProxy : public QObject
{
    Q_OBJECT

public:
    explicit DroppingProxy(quint16 backendPort)
        : m_backendPort(backendPort)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, &DroppingProxy::forward);
    }

    bool listen() { return m_listener.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_listener.serverPort(); }

    void dropAll()
    {
        const QList<QPointer<QTcpSocket>> sockets = std::exchange(m_sockets, {});
        for (const QPointer<QTcpSocket> &socket : sockets) {
            if (socket)
                socket->abort();
        }
    }

private:
    void forward()
    {
        while (QTcpSocket *client = m_listener.nextPendingConnection()) {
            auto *backend = new QTcpSocket(client);
            connect(client, &QTcpSocket::readyRead, backend,
                    [client, backend] { backend->write(client->readAll()); });
            connect(backend, &QTcpSocket::readyRead, client,
                    [client, backend] { client->write(backend->readAll()); });
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            connect(backend, &QTcpSocket::disconnected, client, &QTcpSocket::abort);
            backend->connectToHost(QHostAddress::LocalHost, m_backendPort);
            m_sockets << client << backend;
        }
    }

    quint16 m_backendPort;
    QTcpServer m_listener;
    QList<QPointer<QTcpSocket>> m_sockets;
};

/// How long a test waits for a reconnect: the first retry comes after 250 ms, later ones slower.
constexpr int reconnectTimeoutMs = 10000;

bool waitForState(const CommandClient &client, CommandClient::State state, int timeoutMs = 5000)
{
    return QTest::qWaitFor([&] { return client.state() == state; }, timeoutMs);
}

bool waitFinished(const CommandCall *call, int timeoutMs = 5000)
{
    return QTest::qWaitFor([call] { return !call->isRunning(); }, timeoutMs);
}

} // namespace

class tst_CommandClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void connectsWithSessionAndFillsCommandModel();
    void commandModelRowsDescribeCommands();
    void commandReportsProgressThenSucceeds();
    void concurrentCallsEndWithTheirOwnResults();
    void largeMultiByteTextTravelsBothWays();
    void failuresCarryTheServersCode_data();
    void failuresCarryTheServersCode();
    void invalidArgsCarryDetails();
    void cancelEndsCancelled();
    void cancelBeforeHelloEndsCancelledWithoutSending();
    void timeoutFailsWithTimeout();
    void callsMadeWhileConnectingAreSentAfterHello();
    void runWhileDisconnectedEndsDisconnected();
    void textsGoThroughTheInstalledTranslator();
    void callsAreChildrenOfTheClient();
    void clearFinishedDeletesOnlyFinishedCalls();
    void deletingRunningCallCancelsItOnServer();
    void failedFirstConnectDoesNotRetry();
    void tokenIsSentAtTheUpgrade();
    void wrongTokenFailsToConnect();
    void tokenRefusedOnReconnectStopsRetrying();
    void droppedConnectionEndsCallsAndRejoinsSession();
    void disconnectFromServerEndsCallsAndForgetsSession();
    void serverRestartOnSamePortReconnects();

private:
    /// Connects m_client to m_fixture (or \a url) and waits for hello.
    bool connectClient(const QUrl &url = QUrl());

    std::unique_ptr<BridgeFixture> m_fixture;
    std::unique_ptr<CommandClient> m_client;
};

void tst_CommandClient::init()
{
    m_fixture = std::make_unique<BridgeFixture>();
    QVERIFY(m_fixture->listen());
    m_client = std::make_unique<CommandClient>();
}

void tst_CommandClient::cleanup()
{
    m_client.reset();
    m_fixture.reset();
}

bool tst_CommandClient::connectClient(const QUrl &url)
{
    m_client->setUrl(url.isEmpty() ? m_fixture->webSocketUrl() : url);
    m_client->connectToServer();
    return waitForState(*m_client, CommandClient::Connected);
}

void tst_CommandClient::connectsWithSessionAndFillsCommandModel()
{
    QSignalSpy connectedSpy(m_client.get(), &CommandClient::connected);
    QSignalSpy stateSpy(m_client.get(), &CommandClient::stateChanged);
    QCOMPARE(m_client->state(), CommandClient::Disconnected);

    m_client->setUrl(m_fixture->webSocketUrl());
    m_client->connectToServer();
    QCOMPARE(m_client->state(), CommandClient::Connecting);

    QTRY_COMPARE(connectedSpy.count(), 1);
    QCOMPARE(m_client->state(), CommandClient::Connected);
    QCOMPARE(stateSpy.count(), 2);
    QVERIFY(!m_client->sessionId().isEmpty());
    QVERIFY(m_client->errorString().isEmpty());
    QTRY_COMPARE(m_client->commands()->rowCount(), BridgeFixture::commandNames().size());
    QCOMPARE(m_client->commands()->property("count").toInt(), BridgeFixture::commandNames().size());
}

void tst_CommandClient::commandModelRowsDescribeCommands()
{
    QVERIFY(connectClient());
    CommandListModel *model = m_client->commands();
    QTRY_COMPARE(model->rowCount(), BridgeFixture::commandNames().size());

    const int row = model->indexOf(QStringLiteral("strict"));
    QVERIFY(row >= 0);
    QCOMPARE(model->indexOf(QStringLiteral("nope")), -1);
    const QVariantMap strict = model->get(row);
    QCOMPARE(strict.value(QStringLiteral("name")).toString(), QStringLiteral("strict"));
    QCOMPARE(strict.value(QStringLiteral("description")).toString(),
             BridgeFixture::descriptionOf(QStringLiteral("strict")));
    QCOMPARE(strict.value(QStringLiteral("timeoutMs")).toInt(), 70000);
    const QVariantMap schema = strict.value(QStringLiteral("argsSchema")).toMap();
    QVERIFY(schema.value(QStringLiteral("properties")).toMap().contains(QStringLiteral("n")));
    QCOMPARE(schema.value(QStringLiteral("required")).toList(), QVariantList{QStringLiteral("n")});

    const QModelIndex index = model->index(row);
    QCOMPARE(model->data(index, CommandListModel::NameRole).toString(), QStringLiteral("strict"));
    QCOMPARE(model->roleNames().value(CommandListModel::ArgsSchemaRole),
             QByteArrayLiteral("argsSchema"));
    QVERIFY(model->get(model->rowCount()).isEmpty());
}

void tst_CommandClient::commandReportsProgressThenSucceeds()
{
    QVERIFY(connectClient());
    CommandCall *call =
        m_client->run(QStringLiteral("slow"), QJsonObject{{QStringLiteral("steps"), 4}});
    QVERIFY(call);
    QCOMPARE(call->command(), QStringLiteral("slow"));
    QCOMPARE(call->state(), CommandCall::Running);
    QCOMPARE(call->progress(), -1.0);
    QVector<double> seen;
    connect(call, &CommandCall::progressChanged, this,
            [call, &seen] { seen.append(call->progress()); });
    QSignalSpy finishedSpy(call, &CommandCall::finished);

    QTRY_COMPARE(finishedSpy.count(), 1);
    QCOMPARE(call->state(), CommandCall::Succeeded);
    QCOMPARE(call->result(), QJsonValue(QJsonObject{{QStringLiteral("steps"), 4}}));
    QCOMPARE(seen, (QVector<double>{25, 50, 75, 100}));
    QCOMPARE(call->message(), QStringLiteral("step 4/4"));
    QVERIFY(call->errorCode().isEmpty());
    QVERIFY(call->elapsedMs() >= 0);
}

void tst_CommandClient::concurrentCallsEndWithTheirOwnResults()
{
    QVERIFY(connectClient());
    CommandCall *slow =
        m_client->run(QStringLiteral("slow"), QJsonObject{{QStringLiteral("steps"), 5}});
    CommandCall *quick =
        m_client->run(QStringLiteral("quick"), QJsonObject{{QStringLiteral("x"), 1}});
    QVERIFY(slow->requestId() != quick->requestId());

    QVERIFY(waitFinished(slow));
    QVERIFY(waitFinished(quick));
    QCOMPARE(slow->result().toObject().value(QStringLiteral("steps")).toInt(), 5);
    QCOMPARE(quick->result().toObject().value(QStringLiteral("x")).toInt(), 1);
    QCOMPARE(m_client->calls(), (QList<CommandCall *>{slow, quick}));
}

void tst_CommandClient::largeMultiByteTextTravelsBothWays()
{
    // 1 MiB of one- to four-byte UTF-8 characters: more than QWebSocket's 512 KiB frames, which
    // would split a character between two of them.
    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().maxMessageBytes = 4 * 1024 * 1024;
    QVERIFY(m_fixture->listen());
    const QString pattern = QStringLiteral("a\u00e9\u20ac") + QString::fromUcs4(U"\U0001F600");
    const QString text = pattern.repeated(104858);
    QCOMPARE(text.toUtf8().size(), 1048580);
    QVERIFY(connectClient());
    CommandCall *call =
        m_client->run(QStringLiteral("quick"), QJsonObject{{QStringLiteral("text"), text}});
    QVERIFY(waitFinished(call));
    QVERIFY2(call->state() == CommandCall::Succeeded, qPrintable(call->errorMessage()));
    QCOMPARE(call->result().toObject().value(QStringLiteral("text")).toString(), text);
    QCOMPARE(m_client->state(), CommandClient::Connected);
}

void tst_CommandClient::failuresCarryTheServersCode_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");

    QTest::newRow("unknown command")
        << QStringLiteral("nope") << QJsonObject() << QStringLiteral("unknown_command")
        << QStringLiteral("Unknown command: nope");
    QTest::newRow("handler failure")
        << QStringLiteral("failing") << QJsonObject() << QStringLiteral("not_found")
        << QStringLiteral("No such thing");
    QTest::newRow("handler throws")
        << QStringLiteral("throws") << QJsonObject() << QStringLiteral("internal") << QString();
}

void tst_CommandClient::failuresCarryTheServersCode()
{
    QFETCH(QString, command);
    QFETCH(QJsonObject, args);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QVERIFY(connectClient());

    CommandCall *call = m_client->run(command, args);
    QSignalSpy finishedSpy(call, &CommandCall::finished);
    QTRY_COMPARE(finishedSpy.count(), 1);
    QCOMPARE(call->state(), CommandCall::Failed);
    QCOMPARE(call->errorCode(), code);
    if (message.isEmpty())
        QVERIFY(!call->errorMessage().isEmpty());
    else
        QCOMPARE(call->errorMessage(), message);
    QVERIFY(call->result().isUndefined());
}

void tst_CommandClient::invalidArgsCarryDetails()
{
    QVERIFY(connectClient());
    CommandCall *call = m_client->run(
        QStringLiteral("strict"),
        QVariantMap{{QStringLiteral("n"), 99}, {QStringLiteral("s"), QStringLiteral("toolong")}});

    QVERIFY(waitFinished(call));
    QCOMPARE(call->state(), CommandCall::Failed);
    QCOMPARE(call->errorCode(), QStringLiteral("invalid_args"));
    QStringList paths;
    for (const QJsonValue &detail : call->errorDetails()) {
        paths.append(detail.toObject().value(QStringLiteral("path")).toString());
        QVERIFY(!detail.toObject().value(QStringLiteral("message")).toString().isEmpty());
    }
    paths.sort();
    QCOMPARE(paths, (QStringList{QStringLiteral("/n"), QStringLiteral("/s")}));
}

void tst_CommandClient::cancelEndsCancelled()
{
    QVERIFY(connectClient());
    CommandCall *call = m_client->run(QStringLiteral("never"));
    QSignalSpy finishedSpy(call, &CommandCall::finished);
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);

    call->cancel();
    QTRY_COMPARE(finishedSpy.count(), 1);
    QCOMPARE(call->state(), CommandCall::Cancelled);
    QCOMPARE(call->errorCode(), QStringLiteral("cancelled"));
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);

    call->cancel();
    QCOMPARE(finishedSpy.count(), 1);
    QCOMPARE(m_client->state(), CommandClient::Connected);
}

void tst_CommandClient::cancelBeforeHelloEndsCancelledWithoutSending()
{
    m_client->setUrl(m_fixture->webSocketUrl());
    m_client->connectToServer();
    CommandCall *call = m_client->run(QStringLiteral("quick"));
    QSignalSpy finishedSpy(call, &CommandCall::finished);

    call->cancel();
    QCOMPARE(finishedSpy.count(), 1);
    QCOMPARE(call->state(), CommandCall::Cancelled);
    QCOMPARE(call->errorCode(), QStringLiteral("cancelled"));

    CommandCall *after = m_client->run(QStringLiteral("quick"));
    QVERIFY(waitFinished(after));
    QCOMPARE(after->state(), CommandCall::Succeeded);
    QCOMPARE(m_fixture->probe().startedCommands(), QStringList{QStringLiteral("quick")});
}

void tst_CommandClient::timeoutFailsWithTimeout()
{
    QVERIFY(connectClient());
    CommandCall *call = m_client->run(QStringLiteral("never"), QVariantMap(), 50);

    QVERIFY(waitFinished(call));
    QCOMPARE(call->state(), CommandCall::Failed);
    QCOMPARE(call->errorCode(), QStringLiteral("timeout"));
    QVERIFY(!call->errorMessage().isEmpty());
}

void tst_CommandClient::callsMadeWhileConnectingAreSentAfterHello()
{
    m_client->setUrl(m_fixture->webSocketUrl());
    m_client->connectToServer();
    QCOMPARE(m_client->state(), CommandClient::Connecting);
    CommandCall *call = m_client->run(QStringLiteral("needs_session"));

    QVERIFY(waitFinished(call));
    QCOMPARE(call->state(), CommandCall::Succeeded);
    QCOMPARE(call->result().toObject().value(QStringLiteral("session_id")).toString(),
             m_client->sessionId());
}

void tst_CommandClient::runWhileDisconnectedEndsDisconnected()
{
    CommandCall *call = m_client->run(QStringLiteral("quick"));
    QSignalSpy finishedSpy(call, &CommandCall::finished);
    QCOMPARE(call->state(), CommandCall::Running);

    QTRY_COMPARE(finishedSpy.count(), 1);
    QCOMPARE(call->state(), CommandCall::Disconnected);
    QCOMPARE(call->errorCode(), QStringLiteral("disconnected"));
    QVERIFY(!call->errorMessage().isEmpty());
}

void tst_CommandClient::textsGoThroughTheInstalledTranslator()
{
    // The catalogue the library carries for apps to load (English: no translation in it).
    QTranslator catalogue;
    QVERIFY(catalogue.load(QLocale(QLocale::English), QStringLiteral("commandbridge_client"),
                           QStringLiteral("_"), QStringLiteral(":/i18n")));

    /// Marks every text of the client's context, as a real catalogue would translate it.
    class MarkingTranslator : public QTranslator
    {
    public:
        bool isEmpty() const override { return false; }
        QString translate(const char *context, const char *sourceText, const char *,
                          int) const override
        {
            if (qstrcmp(context, "CommandBridge::CommandClient") != 0)
                return QString();
            return QStringLiteral("[marked] ") + QString::fromUtf8(sourceText);
        }
    } marking;
    QCoreApplication::installTranslator(&marking);
    CommandCall *call = m_client->run(QStringLiteral("quick"));
    QSignalSpy finishedSpy(call, &CommandCall::finished);
    QTRY_COMPARE(finishedSpy.count(), 1);
    QCoreApplication::removeTranslator(&marking);
    QCOMPARE(call->errorMessage(), QStringLiteral("[marked] Not connected to the server"));
}

void tst_CommandClient::callsAreChildrenOfTheClient()
{
    CommandCall *call = m_client->run(QStringLiteral("quick"));
    // The JavaScript garbage collector never deletes an object that has a parent.
    QCOMPARE(call->parent(), m_client.get());
}

void tst_CommandClient::clearFinishedDeletesOnlyFinishedCalls()
{
    QVERIFY(connectClient());
    QPointer<CommandCall> done = m_client->run(QStringLiteral("quick"));
    QPointer<CommandCall> running = m_client->run(QStringLiteral("never"));
    QVERIFY(waitFinished(done));
    QSignalSpy callsSpy(m_client.get(), &CommandClient::callsChanged);

    m_client->clearFinished();
    QCOMPARE(callsSpy.count(), 1);
    QCOMPARE(m_client->calls(), QList<CommandCall *>{running.data()});
    QTRY_VERIFY(done.isNull());
    QVERIFY(!running.isNull());
}

void tst_CommandClient::deletingRunningCallCancelsItOnServer()
{
    QVERIFY(connectClient());
    CommandCall *call = m_client->run(QStringLiteral("never"));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);
    QSignalSpy callsSpy(m_client.get(), &CommandClient::callsChanged);

    delete call;
    QCOMPARE(callsSpy.count(), 1);
    QVERIFY(m_client->calls().isEmpty());
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 0);
    QCOMPARE(m_client->state(), CommandClient::Connected);
}

void tst_CommandClient::failedFirstConnectDoesNotRetry()
{
    const QUrl url = m_fixture->webSocketUrl();
    m_fixture.reset();
    QSignalSpy stateSpy(m_client.get(), &CommandClient::stateChanged);

    m_client->setUrl(url);
    m_client->connectToServer();
    QTRY_COMPARE(m_client->state(), CommandClient::Disconnected);
    QVERIFY(!m_client->errorString().isEmpty());
    QCOMPARE(stateSpy.count(), 2);
}

void tst_CommandClient::tokenIsSentAtTheUpgrade()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().token = QStringLiteral("s3cret");
    QVERIFY(m_fixture->listen());

    m_client->setToken(QStringLiteral("s3cret"));
    QVERIFY(connectClient());
    CommandCall *call = m_client->run(QStringLiteral("quick"));
    QVERIFY(waitFinished(call));
    QCOMPARE(call->state(), CommandCall::Succeeded);
}

void tst_CommandClient::wrongTokenFailsToConnect()
{
    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().token = QStringLiteral("s3cret");
    QVERIFY(m_fixture->listen());

    m_client->setToken(QStringLiteral("wrong"));
    m_client->setUrl(m_fixture->webSocketUrl());
    m_client->connectToServer();
    QTRY_COMPARE(m_client->state(), CommandClient::Disconnected);
    QVERIFY2(m_client->errorString().contains(QStringLiteral("token")),
             qPrintable(m_client->errorString()));
    QVERIFY(m_client->sessionId().isEmpty());
}

void tst_CommandClient::tokenRefusedOnReconnectStopsRetrying()
{
    QVERIFY(connectClient());
    const quint16 port = m_fixture->server()->serverPort();
    m_fixture.reset();
    QTRY_COMPARE(m_client->state(), CommandClient::Reconnecting);

    m_fixture = std::make_unique<BridgeFixture>();
    m_fixture->options().token = QStringLiteral("s3cret");
    m_fixture->server()->setOptions(m_fixture->options());
    QVERIFY(m_fixture->server()->listen(QHostAddress::LocalHost, port));
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), CommandClient::Disconnected, reconnectTimeoutMs);
    QVERIFY2(m_client->errorString().contains(QStringLiteral("token")),
             qPrintable(m_client->errorString()));
    QVERIFY(m_client->sessionId().isEmpty());
}

void tst_CommandClient::droppedConnectionEndsCallsAndRejoinsSession()
{
    DroppingProxy proxy(m_fixture->server()->serverPort());
    QVERIFY(proxy.listen());
    QUrl url = m_fixture->webSocketUrl();
    url.setPort(proxy.port());
    QVERIFY(connectClient(url));
    const QString session = m_client->sessionId();

    CommandCall *stored = m_client->run(
        QStringLiteral("session_set"),
        QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}, {QStringLiteral("value"), 42}});
    QVERIFY(waitFinished(stored));
    QCOMPARE(stored->state(), CommandCall::Succeeded);
    CommandCall *running = m_client->run(QStringLiteral("never"));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);
    QSignalSpy disconnectedSpy(m_client.get(), &CommandClient::disconnected);
    QSignalSpy connectedSpy(m_client.get(), &CommandClient::connected);
    QSignalSpy finishedSpy(running, &CommandCall::finished);

    proxy.dropAll();
    QTRY_COMPARE(finishedSpy.count(), 1);
    QCOMPARE(running->state(), CommandCall::Disconnected);
    QCOMPARE(running->errorCode(), QStringLiteral("disconnected"));
    QVERIFY(running->errorMessage().contains(QStringLiteral("lost")));
    QCOMPARE(disconnectedSpy.count(), 1);
    QCOMPARE(m_client->state(), CommandClient::Reconnecting);
    QCOMPARE(m_client->sessionId(), session);
    // The server cancels the work of a closed connection.
    QTRY_COMPARE(m_fixture->probe().cancelObserved.load(), 1);

    QTRY_COMPARE_WITH_TIMEOUT(connectedSpy.count(), 1, reconnectTimeoutMs);
    QCOMPARE(m_client->state(), CommandClient::Connected);
    QCOMPARE(m_client->sessionId(), session);
    CommandCall *read = m_client->run(QStringLiteral("session_get"),
                                      QJsonObject{{QStringLiteral("key"), QStringLiteral("k")}});
    QVERIFY(waitFinished(read));
    QCOMPARE(read->result().toObject().value(QStringLiteral("value")).toInt(), 42);
}

void tst_CommandClient::disconnectFromServerEndsCallsAndForgetsSession()
{
    QVERIFY(connectClient());
    CommandCall *running = m_client->run(QStringLiteral("never"));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);
    QSignalSpy disconnectedSpy(m_client.get(), &CommandClient::disconnected);

    m_client->disconnectFromServer();
    QCOMPARE(running->state(), CommandCall::Disconnected);
    QCOMPARE(running->errorCode(), QStringLiteral("disconnected"));
    QCOMPARE(m_client->state(), CommandClient::Disconnected);
    QVERIFY(m_client->sessionId().isEmpty());
    QCOMPARE(disconnectedSpy.count(), 1);

    QTRY_COMPARE(m_fixture->server()->connectionCount(), 0);
    QCOMPARE(m_fixture->server()->inFlightCount(), 0);
    QCOMPARE(m_client->state(), CommandClient::Disconnected);
}

void tst_CommandClient::serverRestartOnSamePortReconnects()
{
    QVERIFY(connectClient());
    const QString session = m_client->sessionId();
    const quint16 port = m_fixture->server()->serverPort();
    CommandCall *running = m_client->run(QStringLiteral("never"));
    QTRY_COMPARE(m_fixture->server()->inFlightCount(), 1);

    QSignalSpy shutdownSpy(m_fixture->server(), &CommandBridgeServer::shutdownFinished);
    m_fixture->server()->shutdown();
    QVERIFY(waitFinished(running));
    QCOMPARE(running->state(), CommandCall::Failed);
    QCOMPARE(running->errorCode(), QStringLiteral("shutting_down"));
    QTRY_COMPARE(shutdownSpy.count(), 1);
    m_fixture.reset();
    QTRY_COMPARE(m_client->state(), CommandClient::Reconnecting);
    // Attempts keep failing while nothing listens.
    QTRY_VERIFY_WITH_TIMEOUT(
        m_client->errorString().contains(QStringLiteral("refused"), Qt::CaseInsensitive),
        reconnectTimeoutMs);

    m_fixture = std::make_unique<BridgeFixture>();
    QVERIFY2(m_fixture->server()->listen(QHostAddress::LocalHost, port),
             qPrintable(m_fixture->server()->errorString()));
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), CommandClient::Connected, reconnectTimeoutMs);
    QCOMPARE(m_client->sessionId(), session);
    QTRY_COMPARE(m_client->commands()->rowCount(), BridgeFixture::commandNames().size());
    CommandCall *call = m_client->run(QStringLiteral("needs_session"));
    QVERIFY(waitFinished(call));
    QCOMPARE(call->result().toObject().value(QStringLiteral("session_id")).toString(), session);
}

QTEST_MAIN(tst_CommandClient)
#include "tst_commandclient.moc"
