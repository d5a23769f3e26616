// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Exposed QObjects (spec section 13) through the real wire: the commands, schemas and events
// derived from a meta-object, every mapped type with its bounds, defaults and overloads, get/set,
// exclusion, an object on another thread, and the object's destruction with a call in flight.

#include "rawhttpclient.h"
#include "wsclient.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonArray>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtCore/QTimer>
#include <QtTest/QTest>

#include <atomic>
#include <memory>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace Qt::StringLiterals;

/// An object with a member of every mapped type.
class Probe : public QObject
{
    Q_OBJECT
    Q_PROPERTY(int value READ value WRITE setValue NOTIFY valueChanged)
    Q_PROPERTY(QString label MEMBER m_label NOTIFY labelChanged)
    Q_PROPERTY(Mode mode MEMBER m_mode NOTIFY modeChanged)
    Q_PROPERTY(int fixed READ fixed CONSTANT)
    Q_CLASSINFO("CommandBridge.exclude", "secret, hiddenSignal")

public:
    enum class Mode { Off, Slow, Fast };
    Q_ENUM(Mode)

    int value() const { return m_value; }
    void setValue(int value)
    {
        if (m_value == value)
            return;
        m_value = value;
        Q_EMIT valueChanged(value);
    }
    int fixed() const { return 7; }

    Q_INVOKABLE int add(int a, int b = 2) { return a + b; }
    Q_INVOKABLE qint64 wide(qint64 n) { return n; }
    Q_INVOKABLE uint natural(uint n) { return n; }
    Q_INVOKABLE double half(double x) { return x / 2; }
    Q_INVOKABLE float single(float x) { return x; }
    Q_INVOKABLE bool negate(bool b) { return !b; }
    Q_INVOKABLE QString upper(const QString &text) { return text.toUpper(); }
    Q_INVOKABLE QStringList reversed(const QStringList &items)
    {
        return QStringList(items.crbegin(), items.crend());
    }
    Q_INVOKABLE QJsonObject echoObject(const QJsonObject &object) { return object; }
    Q_INVOKABLE QVariantMap echoMap(const QVariantMap &map) { return map; }
    Q_INVOKABLE QJsonArray echoArray(const QJsonArray &array) { return array; }
    Q_INVOKABLE QVariantList echoList(const QVariantList &list) { return list; }
    Q_INVOKABLE Mode next(Mode mode)
    {
        return mode == Mode::Fast ? Mode::Off : Mode(int(mode) + 1);
    }
    Q_INVOKABLE QString join(const QString &a) { return a; }
    Q_INVOKABLE QString join(const QString &a, const QString &b) { return a + u'+' + b; }
    Q_INVOKABLE QString threadName() const { return QThread::currentThread()->objectName(); }
    Q_INVOKABLE void fire(const QString &what, int times) { Q_EMIT fired(what, times); }
    /// Reports progress now and finishes later, from a timer.
    Q_INVOKABLE void later(int steps, CommandBridge::CommandContext *context)
    {
        context->reportProgress(u"started"_s, 10);
        QTimer::singleShot(1, context, [context, steps] {
            context->succeed(QJsonObject{{u"steps"_s, steps}});
        });
    }
    /// Never finishes on its own.
    Q_INVOKABLE void hold(CommandBridge::CommandContext *context)
    {
        Q_UNUSED(context);
        holding.store(true);
    }
    /// Excluded by the class info: its parameter has no JSON form.
    Q_INVOKABLE void secret(QObject *object) { Q_UNUSED(object); }

    std::atomic<bool> holding{false};

public Q_SLOTS:
    void ping() {}

protected Q_SLOTS:
    void notExposed() {}

Q_SIGNALS:
    void valueChanged(int value);
    void labelChanged();
    void modeChanged();
    void fired(const QString &what, int times);
    void hiddenSignal(QObject *object);

private:
    int m_value = 0;
    QString m_label;
    Mode m_mode = Mode::Off;
};

/// A method whose parameter has no JSON form.
class Unmappable : public QObject
{
    Q_OBJECT
public:
    Q_INVOKABLE void take(QObject *object) { Q_UNUSED(object); }
    Q_INVOKABLE int fine(int n) { return n; }
};

/// A method with an unnamed parameter.
class Unnamed : public QObject
{
    Q_OBJECT
public:
    Q_INVOKABLE void take(int) {}
};

namespace {

QStringList namesOf(const QJsonArray &described)
{
    QStringList names;
    for (const QJsonValue &entry : described)
        names.append(entry.toObject().value(u"name"_s).toString());
    return names;
}

QStringList withPrefix(const QStringList &names, const QString &prefix)
{
    QStringList selected;
    for (const QString &name : names) {
        if (name.startsWith(prefix))
            selected.append(name);
    }
    return selected;
}

QJsonObject integerSchema(qint64 minimum, qint64 maximum)
{
    return QJsonObject{{u"type"_s, u"integer"_s}, {u"minimum"_s, minimum}, {u"maximum"_s, maximum}};
}

} // namespace

class tst_ExposedObject : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void derivesCommandsAndEventsFromTheMetaObject();
    void schemasComeFromTheCppTypes();
    void callsConvertEveryMappedType_data();
    void callsConvertEveryMappedType();
    void restRunsExposedCommands();
    void getAndSetProperties_data();
    void getAndSetProperties();
    void notifyAndPlainSignalsBecomeEvents();
    void typesWithoutJsonFormAreRefusedAtExposure();
    void optionsExcludeMembers();
    void contextMethodsReportProgressAndFinishLater();
    void callsRunOnTheObjectsThread();
    void destroyingTheObjectEndsCallsAndRemovesItsCommands();
    void destroyingAnObjectOnAnotherThreadEndsItsCall();

private:
    void startServer();
    QJsonObject call(const QString &command, const QJsonObject &args = {});
    QJsonObject subscribe(const QStringList &events);

    std::unique_ptr<CommandRegistry> m_registry;
    std::unique_ptr<CommandBridgeServer> m_server;
    std::unique_ptr<WsClient> m_client;
    std::unique_ptr<Probe> m_probe;
    int m_nextId = 1;
};

void tst_ExposedObject::init()
{
    m_registry = std::make_unique<CommandRegistry>();
    m_probe = std::make_unique<Probe>();
    QVERIFY2(m_registry->exposeObject(u"probe"_s, m_probe.get()),
             qPrintable(m_registry->errorString()));
}

void tst_ExposedObject::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_probe.reset();
    m_registry.reset();
}

void tst_ExposedObject::startServer()
{
    m_server = std::make_unique<CommandBridgeServer>(m_registry.get());
    ServerOptions options;
    options.networkThreads = qEnvironmentVariableIntValue("COMMANDBRIDGE_TEST_NETWORK_THREADS");
    m_server->setOptions(options);
    QVERIFY2(m_server->listen(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    m_client = std::make_unique<WsClient>();
    m_client->open(QUrl(u"ws://127.0.0.1:%1/ws"_s.arg(m_server->serverPort())));
    QVERIFY(m_client->waitForConnected());
    QVERIFY(!m_client->waitForHello().isEmpty());
}

QJsonObject tst_ExposedObject::call(const QString &command, const QJsonObject &args)
{
    const int id = m_nextId++;
    m_client->sendJson(QJsonObject{
        {u"type"_s, u"command"_s}, {u"id"_s, id}, {u"command"_s, command}, {u"args"_s, args}});
    return m_client->waitForType(u"command_result"_s, id);
}

QJsonObject tst_ExposedObject::subscribe(const QStringList &events)
{
    const int id = m_nextId++;
    m_client->sendJson(QJsonObject{{u"type"_s, u"subscribe"_s},
                                   {u"id"_s, id},
                                   {u"events"_s, QJsonArray::fromStringList(events)}});
    return m_client->waitForType(u"subscribed"_s, id);
}

void tst_ExposedObject::derivesCommandsAndEventsFromTheMetaObject()
{
    QCOMPARE(withPrefix(m_registry->commandNames(), u"probe."_s),
             (QStringList{u"probe.add"_s,        u"probe.echoArray"_s,  u"probe.echoList"_s,
                          u"probe.echoMap"_s,    u"probe.echoObject"_s, u"probe.fire"_s,
                          u"probe.get"_s,        u"probe.half"_s,       u"probe.hold"_s,
                          u"probe.join"_s,       u"probe.later"_s,      u"probe.natural"_s,
                          u"probe.negate"_s,     u"probe.next"_s,       u"probe.ping"_s,
                          u"probe.reversed"_s,   u"probe.set"_s,        u"probe.single"_s,
                          u"probe.threadName"_s, u"probe.upper"_s,      u"probe.wide"_s}));
    QCOMPARE(namesOf(m_registry->describeEvents()),
             (QStringList{u"probe.fired"_s, u"probe.labelChanged"_s, u"probe.modeChanged"_s,
                          u"probe.valueChanged"_s}));

    startServer();
    m_client->sendJson(QJsonObject{{u"type"_s, u"list_commands"_s}, {u"id"_s, 0}});
    const QJsonArray listed =
        m_client->waitForType(u"commands"_s, 0).value(u"commands"_s).toArray();
    QVERIFY(namesOf(listed).contains(u"probe.add"_s));
}

void tst_ExposedObject::schemasComeFromTheCppTypes()
{
    QJsonObject add;
    QJsonObject notify;
    QJsonObject fired;
    for (const QJsonValue &command : m_registry->describeCommands()) {
        if (command[u"name"_s] == u"probe.add"_s)
            add = command[u"args_schema"_s].toObject();
    }
    for (const QJsonValue &event : m_registry->describeEvents()) {
        if (event[u"name"_s] == u"probe.modeChanged"_s)
            notify = event[u"data_schema"_s].toObject();
        if (event[u"name"_s] == u"probe.fired"_s)
            fired = event[u"data_schema"_s].toObject();
    }
    const QJsonObject intBounds =
        integerSchema(std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
    QCOMPARE(add, (QJsonObject{
                      {u"type"_s, u"object"_s},
                      {u"properties"_s,
                       QJsonObject{{u"a"_s, intBounds},
                                   {u"b"_s, intBounds},
                                   {u"session_id"_s, QJsonObject{{u"type"_s, u"string"_s}}}}},
                      {u"required"_s, QJsonArray{u"a"_s}},
                      {u"additionalProperties"_s, false},
                  }));
    QCOMPARE(notify[u"properties"_s][u"value"_s].toObject(),
             (QJsonObject{{u"type"_s, u"string"_s},
                          {u"enum"_s, QJsonArray{u"Off"_s, u"Slow"_s, u"Fast"_s}}}));
    QCOMPARE(fired[u"required"_s].toArray(), (QJsonArray{u"what"_s, u"times"_s}));
}

void tst_ExposedObject::callsConvertEveryMappedType_data()
{
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonObject>("args");
    // The answer's "value", or the error code when it fails.
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("error");

    const auto ok = [](const char *row, const QString &command, const QJsonObject &args,
                       const QJsonValue &value) {
        QTest::newRow(row) << command << args << value << QString();
    };
    const auto refused = [](const char *row, const QString &command, const QJsonObject &args) {
        QTest::newRow(row) << command << args << QJsonValue(QJsonValue::Undefined)
                           << u"invalid_args"_s;
    };
    ok("int", u"add"_s, {{u"a"_s, 40}, {u"b"_s, 2}}, 42);
    ok("int default", u"add"_s, {{u"a"_s, 40}}, 42);
    ok("int bounds", u"add"_s, {{u"a"_s, qint64(std::numeric_limits<int>::max())}, {u"b"_s, 0}},
       std::numeric_limits<int>::max());
    refused("int above range", u"add"_s, {{u"a"_s, qint64(std::numeric_limits<int>::max()) + 1}});
    refused("int below range", u"add"_s, {{u"a"_s, qint64(std::numeric_limits<int>::min()) - 1}});
    refused("int fraction", u"add"_s, {{u"a"_s, 1.5}});
    refused("int as string", u"add"_s, {{u"a"_s, u"1"_s}});
    refused("required missing", u"add"_s, {{u"b"_s, 1}});
    refused("unknown argument", u"add"_s, {{u"a"_s, 1}, {u"c"_s, 1}});
    ok("qint64", u"wide"_s, {{u"n"_s, -5}}, -5);
    ok("qint64 beyond int", u"wide"_s, {{u"n"_s, qint64(1) << 62}}, qint64(1) << 62);
    ok("qint64 below int", u"wide"_s, {{u"n"_s, -(qint64(1) << 40)}}, -(qint64(1) << 40));
    refused("qint64 fraction beyond int", u"wide"_s, {{u"n"_s, 1099511627776.5}});
    ok("uint", u"natural"_s, {{u"n"_s, 7}}, 7);
    ok("uint top", u"natural"_s, {{u"n"_s, qint64(4294967295)}}, qint64(4294967295));
    refused("uint negative", u"natural"_s, {{u"n"_s, -1}});
    refused("uint above range", u"natural"_s, {{u"n"_s, qint64(4294967296)}});
    ok("double", u"half"_s, {{u"x"_s, 3}}, 1.5);
    ok("float", u"single"_s, {{u"x"_s, 0.5}}, 0.5);
    refused("float out of range", u"single"_s, {{u"x"_s, 1e39}});
    ok("bool", u"negate"_s, {{u"b"_s, true}}, false);
    refused("bool as number", u"negate"_s, {{u"b"_s, 1}});
    ok("string", u"upper"_s, {{u"text"_s, u"abc"_s}}, u"ABC"_s);
    ok("string list", u"reversed"_s, {{u"items"_s, QJsonArray{u"a"_s, u"b"_s}}},
       QJsonArray{u"b"_s, u"a"_s});
    refused("string list of numbers", u"reversed"_s, {{u"items"_s, QJsonArray{1}}});
    const QJsonObject nested{{u"k"_s, QJsonArray{1, u"two"_s, QJsonObject{{u"x"_s, true}}}}};
    ok("json object", u"echoObject"_s, {{u"object"_s, nested}}, nested);
    ok("variant map", u"echoMap"_s, {{u"map"_s, nested}}, nested);
    refused("object as array", u"echoObject"_s, {{u"object"_s, QJsonArray()}});
    const QJsonArray list{1, u"two"_s, QJsonArray{3}};
    ok("json array", u"echoArray"_s, {{u"array"_s, list}}, list);
    ok("variant list", u"echoList"_s, {{u"list"_s, list}}, list);
    ok("enum by key", u"next"_s, {{u"mode"_s, u"Slow"_s}}, u"Fast"_s);
    refused("enum unknown key", u"next"_s, {{u"mode"_s, u"Warp"_s}});
    refused("enum by number", u"next"_s, {{u"mode"_s, 1}});
    ok("overload with most parameters", u"join"_s, {{u"a"_s, u"x"_s}, {u"b"_s, u"y"_s}}, u"x+y"_s);
    refused("overload with fewer parameters", u"join"_s, {{u"a"_s, u"x"_s}});
    QTest::newRow("void slot") << u"ping"_s << QJsonObject() << QJsonValue(QJsonValue::Undefined)
                               << QString();
}

void tst_ExposedObject::callsConvertEveryMappedType()
{
    QFETCH(QString, command);
    QFETCH(QJsonObject, args);
    QFETCH(QJsonValue, value);
    QFETCH(QString, error);
    startServer();
    const QJsonObject answer = call(u"probe."_s + command, args);
    QVERIFY2(answer.value(u"success"_s).toBool() == error.isEmpty(),
             QJsonDocument(answer).toJson(QJsonDocument::Compact).constData());
    const QJsonObject result = answer.value(u"result"_s).toObject();
    if (!error.isEmpty()) {
        QCOMPARE(result.value(u"code"_s).toString(), error);
        return;
    }
    const QJsonObject expected =
        value.isUndefined() ? QJsonObject() : QJsonObject{{u"value"_s, value}};
    QCOMPARE(result, expected);
}

void tst_ExposedObject::restRunsExposedCommands()
{
    startServer();
    RawHttpClient http(m_server->serverPort());
    const QByteArray body = R"({"a": 1, "b": 2})";
    http.send("POST /api/v1/commands/probe.add HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              "Content-Type: application/json\r\nContent-Length: " +
              QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QTRY_COMPARE(http.responses().size(), 1);
    QCOMPARE(http.responses().first().status, 200);
    QCOMPARE(http.responses().first().json().value(u"result"_s).toObject(),
             (QJsonObject{{u"value"_s, 3}}));
}

void tst_ExposedObject::getAndSetProperties_data()
{
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QJsonObject>("properties");
    QTest::addColumn<QString>("error");

    const QJsonObject initial{
        {u"value"_s, 0}, {u"label"_s, QString()}, {u"mode"_s, u"Off"_s}, {u"fixed"_s, 7}};
    QJsonObject changed = initial;
    changed.insert(u"value"_s, 5);
    changed.insert(u"label"_s, u"five"_s);
    changed.insert(u"mode"_s, u"Fast"_s);
    QTest::newRow("nothing") << QJsonObject() << initial << QString();
    QTest::newRow("several") << QJsonObject{{u"value"_s, 5},
                                            {u"label"_s, u"five"_s},
                                            {u"mode"_s, u"Fast"_s}}
                             << changed << QString();
    QTest::newRow("read-only") << QJsonObject{{u"fixed"_s, 8}} << initial << u"invalid_args"_s;
    QTest::newRow("unknown") << QJsonObject{{u"nope"_s, 1}} << initial << u"invalid_args"_s;
    QTest::newRow("out of range, nothing written")
        << QJsonObject{{u"label"_s, u"x"_s}, {u"value"_s, qint64(1) << 40}} << initial
        << u"invalid_args"_s;
    QTest::newRow("enum unknown key")
        << QJsonObject{{u"mode"_s, u"Warp"_s}} << initial << u"invalid_args"_s;
}

void tst_ExposedObject::getAndSetProperties()
{
    QFETCH(QJsonObject, args);
    QFETCH(QJsonObject, properties);
    QFETCH(QString, error);
    startServer();
    const QJsonObject set = call(u"probe.set"_s, args);
    QCOMPARE(set.value(u"success"_s).toBool(), error.isEmpty());
    if (error.isEmpty())
        QCOMPARE(set.value(u"result"_s).toObject(), properties);
    else
        QCOMPARE(set[u"result"_s][u"code"_s].toString(), error);
    QCOMPARE(call(u"probe.get"_s).value(u"result"_s).toObject(), properties);
    QCOMPARE(call(u"probe.get"_s, {{u"value"_s, 1}})[u"result"_s][u"code"_s].toString(),
             u"invalid_args"_s);
}

void tst_ExposedObject::notifyAndPlainSignalsBecomeEvents()
{
    startServer();
    QVERIFY(!subscribe({u"probe.*"_s}).isEmpty());
    const QJsonObject set = call(u"probe.set"_s, {{u"value"_s, 9}, {u"label"_s, u"nine"_s}});
    QVERIFY(set.value(u"success"_s).toBool());
    QJsonObject fired = call(u"probe.fire"_s, {{u"what"_s, u"bell"_s}, {u"times"_s, 3}});
    QVERIFY(fired.value(u"success"_s).toBool());
    // The object's own change, without a command.
    QMetaObject::invokeMethod(m_probe.get(), [probe = m_probe.get()] { probe->setValue(10); });

    QList<QJsonObject> events;
    QTRY_VERIFY([&] {
        events.clear();
        for (const QJsonObject &message : m_client->messages()) {
            if (message.value(u"type"_s) == u"event"_s)
                events.append(message);
        }
        return events.size() == 4;
    }());
    // In the order the class declares the properties.
    QCOMPARE(events.at(0).value(u"event"_s).toString(), u"probe.valueChanged"_s);
    QCOMPARE(events.at(0).value(u"data"_s).toObject(), (QJsonObject{{u"value"_s, 9}}));
    QCOMPARE(events.at(1).value(u"event"_s).toString(), u"probe.labelChanged"_s);
    QCOMPARE(events.at(1).value(u"data"_s).toObject(), (QJsonObject{{u"value"_s, u"nine"_s}}));
    QCOMPARE(events.at(2).value(u"event"_s).toString(), u"probe.fired"_s);
    QCOMPARE(events.at(2).value(u"data"_s).toObject(),
             (QJsonObject{{u"what"_s, u"bell"_s}, {u"times"_s, 3}}));
    QCOMPARE(events.at(3).value(u"data"_s).toObject(), (QJsonObject{{u"value"_s, 10}}));
    // Published before the result of the call that caused them.
    const QList<QJsonObject> messages = m_client->messages();
    QVERIFY(messages.indexOf(events.at(2)) < messages.indexOf(fired));
}

void tst_ExposedObject::typesWithoutJsonFormAreRefusedAtExposure()
{
    const QStringList before = m_registry->commandNames();
    Unmappable unmappable;
    QVERIFY(!m_registry->exposeObject(u"unmappable"_s, &unmappable));
    const QString error = m_registry->errorString();
    QVERIFY2(error.contains(u"take(QObject* object)"_s) && error.contains(u"no JSON form"_s),
             qPrintable(error));
    QCOMPARE(m_registry->commandNames(), before);

    Unnamed unnamed;
    QVERIFY(!m_registry->exposeObject(u"unnamed"_s, &unnamed));
    QVERIFY2(m_registry->errorString().contains(u"has no name"_s),
             qPrintable(m_registry->errorString()));

    QVERIFY(!m_registry->exposeObject(u"probe"_s, &unnamed));
    QVERIFY(m_registry->errorString().contains(u"already exposed"_s));
    QVERIFY(!m_registry->exposeObject(u"bad name"_s, &unnamed));
    QVERIFY(!m_registry->exposeObject(u"null"_s, nullptr));

    ExposeOptions options;
    options.exclude = {u"take"_s};
    QVERIFY2(m_registry->exposeObject(u"unmappable"_s, &unmappable, options),
             qPrintable(m_registry->errorString()));
    QCOMPARE(withPrefix(m_registry->commandNames(), u"unmappable."_s),
             QStringList{u"unmappable.fine"_s});
}

void tst_ExposedObject::optionsExcludeMembers()
{
    Probe other;
    ExposeOptions options;
    options.exclude = {u"upper"_s, u"value"_s, u"fired"_s};
    QVERIFY2(m_registry->exposeObject(u"other"_s, &other, options),
             qPrintable(m_registry->errorString()));
    const QStringList commands = m_registry->commandNames();
    QVERIFY(commands.contains(u"other.add"_s));
    QVERIFY(!commands.contains(u"other.upper"_s));
    QVERIFY(!commands.contains(u"other.secret"_s));
    QVERIFY(!commands.contains(u"other.notExposed"_s));
    QVERIFY(!commands.contains(u"other.deleteLater"_s));
    const QStringList events = withPrefix(namesOf(m_registry->describeEvents()), u"other."_s);
    QCOMPARE(events, (QStringList{u"other.labelChanged"_s, u"other.modeChanged"_s}));

    startServer();
    const QJsonObject got = call(u"other.get"_s);
    QVERIFY(!got[u"result"_s].toObject().contains(u"value"_s));
    QVERIFY(got[u"result"_s].toObject().contains(u"label"_s));
}

void tst_ExposedObject::contextMethodsReportProgressAndFinishLater()
{
    startServer();
    const QJsonObject answer = call(u"probe.later"_s, {{u"steps"_s, 4}});
    QCOMPARE(answer.value(u"result"_s).toObject(), (QJsonObject{{u"steps"_s, 4}}));
    const QList<QJsonObject> progress = m_client->messagesFor(u"command_progress"_s, m_nextId - 1);
    QCOMPARE(progress.size(), 1);
    QCOMPARE(progress.first().value(u"message"_s).toString(), u"started"_s);
}

void tst_ExposedObject::callsRunOnTheObjectsThread()
{
    QThread thread;
    thread.setObjectName(u"probe thread"_s);
    thread.start();
    auto *remote = new Probe;
    remote->moveToThread(&thread);
    QVERIFY2(m_registry->exposeObject(u"remote"_s, remote), qPrintable(m_registry->errorString()));
    startServer();
    QVERIFY(!subscribe({u"remote.valueChanged"_s}).isEmpty());

    QCOMPARE(call(u"remote.threadName"_s)[u"result"_s][u"value"_s].toString(), u"probe thread"_s);
    QCOMPARE(call(u"remote.set"_s, {{u"value"_s, 3}})[u"result"_s][u"value"_s].toInt(), 3);
    QTRY_COMPARE(m_client->messagesFor(u"event"_s, QJsonValue(QJsonValue::Undefined)).size(), 1);
    QCOMPARE(m_client->messagesFor(u"event"_s, QJsonValue(QJsonValue::Undefined))
                 .first()[u"data"_s]
                 .toObject(),
             (QJsonObject{{u"value"_s, 3}}));
    QCOMPARE(call(u"remote.later"_s, {{u"steps"_s, 2}})[u"result"_s][u"steps"_s].toInt(), 2);
    QCOMPARE(call(u"remote.add"_s, {{u"a"_s, 2147483648LL}})[u"result"_s][u"code"_s].toString(),
             u"invalid_args"_s);

    QMetaObject::invokeMethod(remote, &QObject::deleteLater);
    QTRY_VERIFY(!m_registry->contains(u"remote.add"_s));
    thread.quit();
    QVERIFY(thread.wait(defaultWaitMs));
}

void tst_ExposedObject::destroyingTheObjectEndsCallsAndRemovesItsCommands()
{
    startServer();
    const int id = m_nextId++;
    m_client->sendJson(
        QJsonObject{{u"type"_s, u"command"_s}, {u"id"_s, id}, {u"command"_s, u"probe.hold"_s}});
    QTRY_VERIFY(m_probe->holding.load());
    m_probe.reset();

    const QJsonObject answer = m_client->waitForType(u"command_result"_s, id);
    QCOMPARE(answer[u"result"_s][u"code"_s].toString(), u"internal"_s);
    QVERIFY2(answer[u"result"_s][u"message"_s].toString().contains(u"probe was destroyed"_s),
             qPrintable(answer[u"result"_s][u"message"_s].toString()));
    QVERIFY(withPrefix(m_registry->commandNames(), u"probe."_s).isEmpty());
    QVERIFY(!m_registry->containsEvent(u"probe.valueChanged"_s));
    QCOMPARE(call(u"probe.get"_s)[u"result"_s][u"code"_s].toString(), u"unknown_command"_s);

    // The name is free again, also before the registry forgot the old object.
    Probe again;
    QVERIFY2(m_registry->exposeObject(u"probe"_s, &again), qPrintable(m_registry->errorString()));
    QCOMPARE(call(u"probe.add"_s, {{u"a"_s, 1}})[u"result"_s][u"value"_s].toInt(), 3);
}

void tst_ExposedObject::destroyingAnObjectOnAnotherThreadEndsItsCall()
{
    QThread thread;
    thread.start();
    QPointer<Probe> remote = new Probe;
    remote->moveToThread(&thread);
    QVERIFY2(m_registry->exposeObject(u"remote"_s, remote), qPrintable(m_registry->errorString()));
    startServer();
    const int id = m_nextId++;
    m_client->sendJson(
        QJsonObject{{u"type"_s, u"command"_s}, {u"id"_s, id}, {u"command"_s, u"remote.hold"_s}});
    QTRY_VERIFY(remote->holding.load());
    QMetaObject::invokeMethod(remote, &QObject::deleteLater);

    const QJsonObject answer = m_client->waitForType(u"command_result"_s, id);
    QCOMPARE(answer[u"result"_s][u"code"_s].toString(), u"internal"_s);
    QTRY_VERIFY(!m_registry->contains(u"remote.hold"_s));
    thread.quit();
    QVERIFY(thread.wait(defaultWaitMs));
}

QTEST_MAIN(tst_ExposedObject)
#include "tst_exposedobject.moc"
