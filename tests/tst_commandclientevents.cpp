// CommandClient's events: EventSubscription against a real server (subscribe, receive,
// unsubscribe, errors, sharing entries, renewal after a dropped connection and after a server
// restart), and `seq` gap reporting against a scripted server that sends the gaps itself.

#include <CommandBridge/commandclient.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <memory>

using namespace CommandBridge;

namespace {

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
    void gapsInSeqAreReportedBeforeTheNextEvent();
    void seqStartsOverAfterAReconnect();
    void changingEventsKeepsDeliveringTheEntriesKept();
    void subscriptionOutlivingItsClientIsLeftWithoutOne();
};

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
