// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// CommandClient's events: EventSubscription against a real server (subscribe, receive,
// unsubscribe, errors, sharing entries, session scope, renewal after a dropped connection and
// after a server restart, a slow reader's gaps), and against a scripted server that sends the
// `seq` values it is told to.

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandclient.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QUuid>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <memory>

using namespace CommandBridge;

// Readable QCOMPARE failures for JSON objects.
namespace QTest {
template <> inline char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}
} // namespace QTest

namespace {

/// The events the wire tests declare.
void declareEvents(CommandRegistry &registry)
{
    const QJsonObject anyObject{{QStringLiteral("type"), QStringLiteral("object")}};
    for (const auto &[name, scope] : {
             std::pair{QStringLiteral("notice"), EventScope::Global},
             std::pair{QStringLiteral("job.started"), EventScope::Global},
             std::pair{QStringLiteral("job.finished"), EventScope::Global},
             std::pair{QStringLiteral("session.note"), EventScope::Session},
         }) {
        const bool declared = registry.registerEvent(
            EventDescriptor{name, QStringLiteral("Test event ") + name, anyObject, scope});
        if (!declared)
            qFatal("Cannot declare %s: %s", qPrintable(name), qPrintable(registry.errorString()));
    }
}

QStringList declaredEventNames()
{
    return {QStringLiteral("job.finished"), QStringLiteral("job.started"), QStringLiteral("notice"),
            QStringLiteral("session.note")};
}

QJsonObject numbered(int n)
{
    return QJsonObject{{QStringLiteral("n"), n}};
}

/// Forwards TCP connections to the server. It can stop passing the server's bytes on (the
/// client then looks like one that does not read: the server's queue for it fills up) and
/// resume, or cut every connection at once like a network drop.
class Proxy : public QObject
{
    Q_OBJECT

public:
    explicit Proxy(quint16 backendPort)
        : m_backendPort(backendPort)
    {
        connect(&m_listener, &QTcpServer::newConnection, this, &Proxy::forward);
    }

    bool listen() { return m_listener.listen(QHostAddress::LocalHost, 0); }
    quint16 port() const { return m_listener.serverPort(); }

    /// While paused, the server's bytes stay in the proxy's small buffer and the kernel's.
    void pause() { m_paused = true; }
    void resume()
    {
        m_paused = false;
        for (const auto &[client, backend] : std::as_const(m_pairs)) {
            if (client && backend)
                client->write(backend->readAll());
        }
    }

    void dropAll()
    {
        for (const auto &[client, backend] : std::exchange(m_pairs, {})) {
            if (client)
                client->abort();
            if (backend)
                backend->abort();
        }
    }

private:
    void forward()
    {
        while (QTcpSocket *client = m_listener.nextPendingConnection()) {
            auto *backend = new QTcpSocket(client);
            // Bounded, so that a paused proxy stops reading and the server sees a slow client.
            backend->setReadBufferSize(64 * 1024);
            connect(client, &QTcpSocket::readyRead, backend,
                    [client, backend] { backend->write(client->readAll()); });
            connect(backend, &QTcpSocket::readyRead, client, [this, client, backend] {
                if (!m_paused)
                    client->write(backend->readAll());
            });
            connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
            connect(backend, &QTcpSocket::disconnected, client, &QTcpSocket::abort);
            backend->connectToHost(QHostAddress::LocalHost, m_backendPort);
            m_pairs.emplaceBack(client, backend);
        }
    }

    quint16 m_backendPort;
    QTcpServer m_listener;
    bool m_paused = false;
    QList<std::pair<QPointer<QTcpSocket>, QPointer<QTcpSocket>>> m_pairs;
};

QJsonObject parse(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

/// A WebSocket server that speaks just enough protocol v1 for a client to connect and subscribe:
/// hello with the "events" feature, empty command and event lists, and `subscribed` for every
/// `subscribe`. The test sends the events itself, with whatever `seq` it wants.
class ScriptedServer : public QObject
{
    Q_OBJECT

public:
    ScriptedServer()
    {
        connect(&m_server, &QWebSocketServer::newConnection, this, &ScriptedServer::accept);
    }

    bool listen(quint16 port = 0) { return m_server.listen(QHostAddress::LocalHost, port); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_server.serverPort()));
    }

    /// Connections accepted so far (a reconnect makes a new one).
    int connectionCount() const { return m_connectionCount; }
    /// The `subscribe` messages received on every connection, in order.
    QList<QJsonObject> subscribes() const { return m_subscribes; }

    void sendEvent(const QString &name, qint64 seq, const QJsonObject &data = QJsonObject())
    {
        send(QJsonObject{{QStringLiteral("type"), QStringLiteral("event")},
                         {QStringLiteral("event"), name},
                         {QStringLiteral("seq"), seq},
                         {QStringLiteral("data"), data}});
    }

    /// While held, `subscribe` messages are recorded but not answered; releasing answers them.
    void holdAnswers(bool hold)
    {
        m_holding = hold;
        if (!hold) {
            for (const QJsonObject &message : std::exchange(m_held, {}))
                answer(message);
        }
    }

    /// Drops the current connection without a close frame.
    void drop()
    {
        if (m_socket)
            m_socket->abort();
    }

private:
    void accept()
    {
        while (QWebSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            m_socket = socket;
            ++m_connectionCount;
            connect(socket, &QWebSocket::textMessageReceived, this,
                    [this](const QString &text) { answer(parse(text)); });
            connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("hello")},
                             {QStringLiteral("protocol"), 1},
                             {QStringLiteral("server"), QStringLiteral("scripted")},
                             {QStringLiteral("session_id"), QStringLiteral("s1")},
                             {QStringLiteral("auth_required"), false},
                             {QStringLiteral("features"), QJsonArray{QStringLiteral("events")}}});
        }
    }

    void answer(const QJsonObject &message)
    {
        const QString type = message.value(QStringLiteral("type")).toString();
        const QJsonValue id = message.value(QStringLiteral("id"));
        if (type == QStringLiteral("list_commands")) {
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("commands")},
                             {QStringLiteral("id"), id},
                             {QStringLiteral("commands"), QJsonArray()}});
        } else if (type == QStringLiteral("list_events")) {
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("events")},
                             {QStringLiteral("id"), id},
                             {QStringLiteral("events"), QJsonArray()}});
        } else if (type == QStringLiteral("subscribe")) {
            if (m_holding) {
                m_held.append(message);
                return;
            }
            m_subscribes.append(message);
            send(QJsonObject{{QStringLiteral("type"), QStringLiteral("subscribed")},
                             {QStringLiteral("id"), id},
                             {QStringLiteral("events"), message.value(QStringLiteral("events"))}});
        }
    }

    void send(const QJsonObject &message)
    {
        if (m_socket)
            m_socket->sendTextMessage(
                QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    }

    QWebSocketServer m_server{QStringLiteral("scripted"), QWebSocketServer::NonSecureMode};
    QPointer<QWebSocket> m_socket;
    int m_connectionCount = 0;
    QList<QJsonObject> m_subscribes;
    bool m_holding = false;
    QList<QJsonObject> m_held;
};

/// A server with the test events declared, on 127.0.0.1. Built on the public API only: this
/// test links the shared server library, whose private classes stay out of its way.
class EventServer
{
public:
    EventServer() { declareEvents(m_registry); }

    /// Listens on \a port (0: any free one).
    [[nodiscard]] bool listen(quint16 port = 0)
    {
        return m_server.listen(QHostAddress::LocalHost, port);
    }
    CommandRegistry *registry() { return &m_registry; }
    CommandBridgeServer *server() { return &m_server; }
    QUrl webSocketUrl() const { return m_server.webSocketUrl(); }

private:
    // The registry outlives the server, as CommandBridgeServer requires.
    CommandRegistry m_registry;
    CommandBridgeServer m_server{&m_registry};
};

/// How long a test waits for a reconnect: the first retry comes after 250 ms, later ones slower.
constexpr int reconnectTimeoutMs = 10000;

bool waitForState(const CommandClient &client, CommandClient::State state, int timeoutMs = 5000)
{
    return QTest::qWaitFor([&] { return client.state() == state; }, timeoutMs);
}

/// What a subscription reported, in order: "event NAME SEQ" and "missed COUNT".
class Recorder : public QObject
{
    Q_OBJECT

public:
    explicit Recorder(QObject *source)
    {
        if (auto *subscription = qobject_cast<EventSubscription *>(source)) {
            connect(subscription, &EventSubscription::eventReceived, this, &Recorder::onEvent);
            connect(subscription, &EventSubscription::eventsMissed, this, &Recorder::onMissed);
        } else if (auto *client = qobject_cast<CommandClient *>(source)) {
            connect(client, &CommandClient::eventReceived, this, &Recorder::onEvent);
            connect(client, &CommandClient::eventsMissed, this, &Recorder::onMissed);
        }
    }

    QStringList log;
    QList<QJsonObject> data;

private:
    void onEvent(const QString &name, const QJsonObject &eventData, qint64 seq)
    {
        log.append(QStringLiteral("event %1 %2").arg(name).arg(seq));
        data.append(eventData);
    }
    void onMissed(qint64 count) { log.append(QStringLiteral("missed %1").arg(count)); }
};

} // namespace

class tst_CommandClientEvents : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    // Against the real server
    void eventModelListsTheDeclaredEvents();
    void subscriptionBecomesActiveThenReceivesInOrder();
    void prefixAndWildcardEntriesMatch();
    void deletingTheSubscriptionUnsubscribes();
    void subscriptionsShareEntries();
    void unknownEventFailsAndChangesNothing();
    void emptyEntryFailsWithBadMessage();
    void subscriptionMadeBeforeConnectingSubscribesAtHello();
    void sessionEventsReachOnlyTheirSession();
    void droppedConnectionRenewsSubscriptions();
    void serverRestartRenewsSubscriptions();
    void slowReaderIsToldWhatItMissedAndGetsTheNewest();

    // Against a scripted server
    void gapsInSeqAreReportedBeforeTheNextEvent();
    void seqStartsOverAfterAReconnect();
    void changingEventsKeepsDeliveringTheEntriesKept();
    void subscriptionOutlivingItsClientIsLeftWithoutOne();

private:
    /// A server with the test events declared, listening on port 0 (or \a port); null if it
    /// cannot listen.
    static std::unique_ptr<EventServer> startServer(quint16 port = 0);
    /// Connects m_client to m_server (or \a url) and waits for hello and the event list.
    bool connectClient(const QUrl &url = QUrl());
    /// Publishes the global `job.finished` and waits until \a client received it: every event
    /// published before it from this thread has arrived by then.
    static bool sync(CommandRegistry *registry, CommandClient *client);

    std::unique_ptr<EventServer> m_server;
    std::unique_ptr<CommandClient> m_client;
};

std::unique_ptr<EventServer> tst_CommandClientEvents::startServer(quint16 port)
{
    auto server = std::make_unique<EventServer>();
    return server->listen(port) ? std::move(server) : nullptr;
}

void tst_CommandClientEvents::init()
{
    m_server = startServer();
    QVERIFY(m_server);
    m_client = std::make_unique<CommandClient>();
}

void tst_CommandClientEvents::cleanup()
{
    m_client.reset();
    m_server.reset();
}

bool tst_CommandClientEvents::connectClient(const QUrl &url)
{
    m_client->setUrl(url.isEmpty() ? m_server->webSocketUrl() : url);
    m_client->connectToServer();
    return waitForState(*m_client, CommandClient::Connected) &&
           QTest::qWaitFor([this] { return m_client->events()->rowCount() > 0; });
}

bool tst_CommandClientEvents::sync(CommandRegistry *registry, CommandClient *client)
{
    EventSubscription marker(client, {QStringLiteral("job.finished")});
    if (!QTest::qWaitFor([&marker] { return marker.isActive(); }))
        return false;
    const QJsonObject token{{QStringLiteral("sync"), QUuid::createUuid().toString()}};
    bool arrived = false;
    QObject::connect(&marker, &EventSubscription::eventReceived, &marker,
                     [&](const QString &, const QJsonObject &data) { arrived |= data == token; });
    return registry->publishEvent(QStringLiteral("job.finished"), token) &&
           QTest::qWaitFor([&arrived] { return arrived; });
}

void tst_CommandClientEvents::eventModelListsTheDeclaredEvents()
{
    QVERIFY(connectClient());
    EventListModel *model = m_client->events();
    QCOMPARE(model->names(), declaredEventNames());
    QCOMPARE(model->property("count").toInt(), declaredEventNames().size());
    const QVariantMap note = model->get(model->indexOf(QStringLiteral("session.note")));
    QCOMPARE(note.value(QStringLiteral("scope")).toString(), QStringLiteral("session"));
    QCOMPARE(note.value(QStringLiteral("description")).toString(),
             QStringLiteral("Test event session.note"));
    QCOMPARE(note.value(QStringLiteral("dataSchema")).toMap().value(QStringLiteral("type")),
             QVariant(QStringLiteral("object")));
    QCOMPARE(model->data(model->index(model->indexOf(QStringLiteral("notice"))),
                         EventListModel::ScopeRole),
             QVariant(QStringLiteral("global")));
    QCOMPARE(model->indexOf(QStringLiteral("nope")), -1);
    QVERIFY(model->get(model->rowCount()).isEmpty());
}

void tst_CommandClientEvents::subscriptionBecomesActiveThenReceivesInOrder()
{
    QVERIFY(connectClient());
    EventSubscription *notices = m_client->subscribe({QStringLiteral("notice")});
    QCOMPARE(notices->parent(), m_client.get());
    QCOMPARE(notices->client(), m_client.get());
    QSignalSpy activeSpy(notices, &EventSubscription::activeChanged);
    QSignalSpy subscriptionsSpy(m_client.get(), &CommandClient::subscriptionsChanged);
    Recorder recorder(notices);
    Recorder fromClient(m_client.get());
    QVERIFY(!notices->isActive());

    QTRY_VERIFY(notices->isActive());
    QCOMPARE(activeSpy.count(), 1);
    QCOMPARE(subscriptionsSpy.count(), 1);
    QCOMPARE(m_client->subscriptions(), QStringList{QStringLiteral("notice")});
    QVERIFY(notices->errorCode().isEmpty());

    for (int n = 1; n <= 3; ++n)
        QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(n)));
    const QStringList expected{QStringLiteral("event notice 1"), QStringLiteral("event notice 2"),
                               QStringLiteral("event notice 3")};
    QTRY_COMPARE(recorder.log, expected);
    QCOMPARE(fromClient.log, expected);
    QCOMPARE(recorder.data, (QList<QJsonObject>{numbered(1), numbered(2), numbered(3)}));
}

void tst_CommandClientEvents::prefixAndWildcardEntriesMatch()
{
    QVERIFY(connectClient());
    EventSubscription jobs(m_client.get(), {QStringLiteral("job.*")});
    EventSubscription all(m_client.get(), {QStringLiteral("*")});
    EventSubscription both(m_client.get(), {QStringLiteral("notice"), QStringLiteral("*")});
    Recorder fromJobs(&jobs);
    Recorder fromAll(&all);
    Recorder fromBoth(&both);
    QTRY_VERIFY(jobs.isActive() && all.isActive() && both.isActive());
    QCOMPARE(m_client->subscriptions(),
             (QStringList{QStringLiteral("*"), QStringLiteral("job.*"), QStringLiteral("notice")}));

    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("job.started"), numbered(1)));
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(2)));
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("job.finished"), numbered(3)));
    const QStringList everything{QStringLiteral("event job.started 1"),
                                 QStringLiteral("event notice 2"),
                                 QStringLiteral("event job.finished 3")};
    QTRY_COMPARE(fromAll.log, everything);
    // Matched by two entries, delivered once.
    QCOMPARE(fromBoth.log, everything);
    QCOMPARE(fromJobs.log, (QStringList{QStringLiteral("event job.started 1"),
                                        QStringLiteral("event job.finished 3")}));
}

void tst_CommandClientEvents::deletingTheSubscriptionUnsubscribes()
{
    QVERIFY(connectClient());
    auto notices = std::make_unique<EventSubscription>(
        m_client.get(), QStringList{QStringLiteral("notice"), QStringLiteral("job.started")});
    QTRY_VERIFY(notices->isActive());
    Recorder fromClient(m_client.get());

    notices.reset();
    QTRY_VERIFY(m_client->subscriptions().isEmpty());
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(1)));
    QVERIFY(sync(m_server->registry(), m_client.get()));
    QCOMPARE(fromClient.log, QStringList{QStringLiteral("event job.finished 1")});
}

void tst_CommandClientEvents::subscriptionsShareEntries()
{
    QVERIFY(connectClient());
    auto first =
        std::make_unique<EventSubscription>(m_client.get(), QStringList{QStringLiteral("notice")});
    EventSubscription second(m_client.get(),
                             {QStringLiteral("notice"), QStringLiteral("job.started")});
    Recorder fromSecond(&second);
    QTRY_VERIFY(first->isActive() && second.isActive());
    QCOMPARE(m_client->subscriptions(),
             (QStringList{QStringLiteral("job.started"), QStringLiteral("notice")}));
    QSignalSpy subscriptionsSpy(m_client.get(), &CommandClient::subscriptionsChanged);

    // The other one still needs `notice`: it stays on the connection.
    first.reset();
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(1)));
    QTRY_COMPARE(fromSecond.log, QStringList{QStringLiteral("event notice 1")});
    QTRY_COMPARE(m_client->subscriptions(),
                 (QStringList{QStringLiteral("job.started"), QStringLiteral("notice")}));

    second.setEvents({QStringLiteral("job.started")});
    QTRY_COMPARE(m_client->subscriptions(), QStringList{QStringLiteral("job.started")});
    QVERIFY(second.isActive());
    second.setEvents({});
    QVERIFY(!second.isActive());
    QTRY_VERIFY(m_client->subscriptions().isEmpty());
    // Only the two unsubscribes changed the list: dropping the first subscription sent nothing.
    QCOMPARE(subscriptionsSpy.count(), 2);
}

void tst_CommandClientEvents::unknownEventFailsAndChangesNothing()
{
    QVERIFY(connectClient());
    EventSubscription notices(m_client.get(), {QStringLiteral("notice")});
    QTRY_VERIFY(notices.isActive());

    EventSubscription bad(m_client.get(),
                          {QStringLiteral("job.started"), QStringLiteral("no.such.event")});
    QSignalSpy errorSpy(&bad, &EventSubscription::errorChanged);
    QTRY_COMPARE(errorSpy.count(), 1);
    QCOMPARE(bad.errorCode(), QStringLiteral("unknown_event"));
    QVERIFY2(bad.errorString().contains(QStringLiteral("no.such.event")),
             qPrintable(bad.errorString()));
    QVERIFY(!bad.isActive());
    QCOMPARE(m_client->subscriptions(), QStringList{QStringLiteral("notice")});
    QVERIFY(notices.isActive());
    QCOMPARE(m_client->state(), CommandClient::Connected);

    // The failed one receives nothing, also for its declared entry.
    Recorder fromBad(&bad);
    Recorder fromNotices(&notices);
    EventSubscription jobs(m_client.get(), {QStringLiteral("job.started")});
    QTRY_VERIFY(jobs.isActive());
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("job.started"), numbered(1)));
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(2)));
    QTRY_COMPARE(fromNotices.log, QStringList{QStringLiteral("event notice 2")});
    QVERIFY(fromBad.log.isEmpty());

    // A new list clears the error and subscribes.
    bad.setEvents({QStringLiteral("job.started")});
    QCOMPARE(errorSpy.count(), 2);
    QVERIFY(bad.errorCode().isEmpty());
    QTRY_VERIFY(bad.isActive());
}

void tst_CommandClientEvents::emptyEntryFailsWithBadMessage()
{
    QVERIFY(connectClient());
    EventSubscription bad(m_client.get(), {QStringLiteral("notice"), QString()});
    QTRY_COMPARE(bad.errorCode(), QStringLiteral("bad_message"));
    QVERIFY(!bad.errorString().isEmpty());
    QVERIFY(!bad.isActive());
    QVERIFY(m_client->subscriptions().isEmpty());
    QCOMPARE(m_client->state(), CommandClient::Connected);
}

void tst_CommandClientEvents::subscriptionMadeBeforeConnectingSubscribesAtHello()
{
    EventSubscription notices(m_client.get(), {QStringLiteral("notice")});
    QVERIFY(!notices.isActive());
    QVERIFY(connectClient());
    QTRY_VERIFY(notices.isActive());
    QCOMPARE(m_client->subscriptions(), QStringList{QStringLiteral("notice")});

    m_client->disconnectFromServer();
    QVERIFY(!notices.isActive());
    QVERIFY(m_client->subscriptions().isEmpty());
    QCOMPARE(notices.client(), m_client.get());
    QCOMPARE(notices.events(), QStringList{QStringLiteral("notice")});
}

void tst_CommandClientEvents::sessionEventsReachOnlyTheirSession()
{
    QVERIFY(connectClient());
    CommandClient other;
    other.setUrl(m_server->webSocketUrl());
    other.connectToServer();
    QVERIFY(waitForState(other, CommandClient::Connected));
    EventSubscription mine(m_client.get(), {QStringLiteral("session.note")});
    EventSubscription theirs(&other, {QStringLiteral("session.note")});
    Recorder fromMine(&mine);
    Recorder fromTheirs(&theirs);
    QTRY_VERIFY(mine.isActive() && theirs.isActive());

    QVERIFY(m_server->registry()->publishSessionEvent(m_client->sessionId(),
                                                      QStringLiteral("session.note"), numbered(1)));
    QTRY_COMPARE(fromMine.log, QStringList{QStringLiteral("event session.note 1")});
    QVERIFY(sync(m_server->registry(), &other));
    QVERIFY(fromTheirs.log.isEmpty());
}

void tst_CommandClientEvents::droppedConnectionRenewsSubscriptions()
{
    Proxy proxy(m_server->server()->serverPort());
    QVERIFY(proxy.listen());
    QUrl url = m_server->webSocketUrl();
    url.setPort(proxy.port());
    QVERIFY(connectClient(url));
    const QString session = m_client->sessionId();
    EventSubscription notices(m_client.get(), {QStringLiteral("notice")});
    EventSubscription jobs(m_client.get(), {QStringLiteral("job.*")});
    Recorder recorder(&notices);
    QTRY_VERIFY(notices.isActive() && jobs.isActive());
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(1)));
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(2)));
    QTRY_COMPARE(recorder.log.size(), 2);

    proxy.dropAll();
    QTRY_COMPARE(m_client->state(), CommandClient::Reconnecting);
    QVERIFY(!notices.isActive());
    QVERIFY(!jobs.isActive());
    QVERIFY(m_client->subscriptions().isEmpty());

    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), CommandClient::Connected, reconnectTimeoutMs);
    QCOMPARE(m_client->sessionId(), session);
    QTRY_VERIFY(notices.isActive() && jobs.isActive());
    QCOMPARE(m_client->subscriptions(),
             (QStringList{QStringLiteral("job.*"), QStringLiteral("notice")}));
    // The new connection's seq starts at 1 again: no gap is reported.
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(3)));
    QTRY_COMPARE(recorder.log,
                 (QStringList{QStringLiteral("event notice 1"), QStringLiteral("event notice 2"),
                              QStringLiteral("event notice 1")}));
    QCOMPARE(recorder.data.constLast(), numbered(3));
}

void tst_CommandClientEvents::serverRestartRenewsSubscriptions()
{
    QVERIFY(connectClient());
    const quint16 port = m_server->server()->serverPort();
    EventSubscription notices(m_client.get(), {QStringLiteral("notice")});
    Recorder recorder(&notices);
    QTRY_VERIFY(notices.isActive());

    QSignalSpy shutdownSpy(m_server->server(), &CommandBridgeServer::shutdownFinished);
    m_server->server()->shutdown();
    QTRY_COMPARE(shutdownSpy.count(), 1);
    m_server.reset();
    QTRY_COMPARE(m_client->state(), CommandClient::Reconnecting);
    QVERIFY(!notices.isActive());

    m_server = startServer(port);
    QVERIFY(m_server);
    QTRY_COMPARE_WITH_TIMEOUT(m_client->state(), CommandClient::Connected, reconnectTimeoutMs);
    QTRY_VERIFY(notices.isActive());
    QCOMPARE(m_client->subscriptions(), QStringList{QStringLiteral("notice")});
    QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), numbered(7)));
    QTRY_COMPARE(recorder.log, QStringList{QStringLiteral("event notice 1")});
    QCOMPARE(recorder.data.constLast(), numbered(7));
}

void tst_CommandClientEvents::slowReaderIsToldWhatItMissedAndGetsTheNewest()
{
    // About 10 MB of notices: more than the kernel's socket buffers and the server's high-water
    // mark hold, so the server has to coalesce.
    constexpr int published = 10000;
    const QString padding(1000, QLatin1Char('x'));
    const auto notice = [&padding](int n) {
        return QJsonObject{{QStringLiteral("n"), n}, {QStringLiteral("padding"), padding}};
    };
    Proxy proxy(m_server->server()->serverPort());
    QVERIFY(proxy.listen());
    QUrl url = m_server->webSocketUrl();
    url.setPort(proxy.port());
    QVERIFY(connectClient(url));
    EventSubscription notices(m_client.get(), {QStringLiteral("notice")});
    QTRY_VERIFY(notices.isActive());
    qint64 received = 0;
    qint64 missed = 0;
    qint64 lastSeq = 0;
    bool ordered = true;
    QJsonObject last;
    connect(&notices, &EventSubscription::eventReceived, this,
            [&](const QString &, const QJsonObject &data, qint64 seq) {
                ++received;
                ordered = ordered && seq > lastSeq;
                lastSeq = seq;
                last = data;
            });
    connect(&notices, &EventSubscription::eventsMissed, this,
            [&missed](qint64 count) { missed += count; });

    proxy.pause();
    for (int n = 1; n <= published; ++n)
        QVERIFY(m_server->registry()->publishEvent(QStringLiteral("notice"), notice(n)));
    proxy.resume();

    QTRY_COMPARE_WITH_TIMEOUT(last, notice(published), 30000);
    QVERIFY(ordered);
    QVERIFY2(missed > 0, "the server coalesced nothing: the client was not slow enough");
    QCOMPARE(received + missed, lastSeq);
    QCOMPARE(m_client->state(), CommandClient::Connected);
}

void tst_CommandClientEvents::gapsInSeqAreReportedBeforeTheNextEvent()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    CommandClient client;
    client.setUrl(server.url());
    EventSubscription subscription(&client, {QStringLiteral("notice")});
    Recorder fromSubscription(&subscription);
    Recorder fromClient(&client);
    client.connectToServer();
    QTRY_VERIFY(subscription.isActive());

    for (const qint64 seq : {1, 2, 5, 6, 9})
        server.sendEvent(QStringLiteral("notice"), seq, QJsonObject{{QStringLiteral("n"), seq}});
    const QStringList expected{
        QStringLiteral("event notice 1"), QStringLiteral("event notice 2"),
        QStringLiteral("missed 2"),       QStringLiteral("event notice 5"),
        QStringLiteral("event notice 6"), QStringLiteral("missed 2"),
        QStringLiteral("event notice 9"),
    };
    QTRY_COMPARE(fromSubscription.log, expected);
    QCOMPARE(fromClient.log, expected);
    QCOMPARE(fromSubscription.data.constLast(), (QJsonObject{{QStringLiteral("n"), 9}}));
}

void tst_CommandClientEvents::seqStartsOverAfterAReconnect()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    CommandClient client;
    client.setUrl(server.url());
    EventSubscription subscription(&client, {QStringLiteral("notice")});
    Recorder recorder(&subscription);
    client.connectToServer();
    QTRY_VERIFY(subscription.isActive());
    server.sendEvent(QStringLiteral("notice"), 1);
    server.sendEvent(QStringLiteral("notice"), 2);
    QTRY_COMPARE(recorder.log.size(), 2);

    server.drop();
    QTRY_COMPARE(client.state(), CommandClient::Reconnecting);
    QVERIFY(!subscription.isActive());
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), CommandClient::Connected, reconnectTimeoutMs);
    QTRY_VERIFY(subscription.isActive());
    QCOMPARE(server.connectionCount(), 2);
    QCOMPARE(server.subscribes().size(), 2);

    // The new connection counts from 1 again: no gap. A jump on it is one.
    server.sendEvent(QStringLiteral("notice"), 1);
    server.sendEvent(QStringLiteral("notice"), 3);
    QTRY_COMPARE(recorder.log,
                 (QStringList{QStringLiteral("event notice 1"), QStringLiteral("event notice 2"),
                              QStringLiteral("event notice 1"), QStringLiteral("missed 1"),
                              QStringLiteral("event notice 3")}));
}

void tst_CommandClientEvents::changingEventsKeepsDeliveringTheEntriesKept()
{
    ScriptedServer server;
    QVERIFY(server.listen());
    CommandClient client;
    client.setUrl(server.url());
    EventSubscription subscription(&client, {QStringLiteral("a"), QStringLiteral("b")});
    Recorder recorder(&subscription);
    client.connectToServer();
    QTRY_VERIFY(subscription.isActive());

    server.holdAnswers(true);
    QSignalSpy activeSpy(&subscription, &EventSubscription::activeChanged);
    subscription.setEvents({QStringLiteral("b"), QStringLiteral("c")});
    QCOMPARE(activeSpy.count(), 1);
    QVERIFY(!subscription.isActive());
    // Before the server confirmed the change: `b` was confirmed and is kept, `a` is gone and
    // `c` is not confirmed yet.
    server.sendEvent(QStringLiteral("a"), 1);
    server.sendEvent(QStringLiteral("b"), 2);
    server.sendEvent(QStringLiteral("c"), 3);
    QTRY_COMPARE(recorder.log, QStringList{QStringLiteral("event b 2")});

    server.holdAnswers(false);
    QTRY_VERIFY(subscription.isActive());
    server.sendEvent(QStringLiteral("c"), 4);
    QTRY_COMPARE(recorder.log,
                 (QStringList{QStringLiteral("event b 2"), QStringLiteral("event c 4")}));
}

void tst_CommandClientEvents::subscriptionOutlivingItsClientIsLeftWithoutOne()
{
    auto client = std::make_unique<CommandClient>();
    EventSubscription attached(client.get(), {QStringLiteral("notice")});
    EventSubscription empty(client.get(), {});
    QPointer<EventSubscription> child = client->subscribe({QStringLiteral("notice")});
    QCOMPARE(child->parent(), client.get());

    client.reset();
    QVERIFY(child.isNull());
    QCOMPARE(attached.client(), nullptr);
    QCOMPARE(empty.client(), nullptr);
    empty.setEvents({QStringLiteral("notice")});
    attached.setEvents({QStringLiteral("other")});
    QVERIFY(!attached.isActive());
    QVERIFY(!empty.isActive());
}

QTEST_MAIN(tst_CommandClientEvents)
#include "tst_commandclientevents.moc"
