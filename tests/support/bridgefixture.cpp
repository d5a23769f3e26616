// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "bridgefixture.h"

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/session.h>

#include <QtCore/QDeadlineTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QMutexLocker>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtTest/QTest>

#include <map>
#include <stdexcept>

using namespace std::chrono_literals;
using CommandBridge::CommandContext;
using CommandBridge::CommandDescriptor;
using CommandBridge::ExecutionMode;

namespace CommandBridgeTest {

namespace {

// Longest a handler may wait at the gate, so a forgotten release cannot hang a test run.
constexpr auto maxGateWait = 10s;

QJsonObject integerProperty(int minimum, int maximum, int defaultValue)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")},
                       {QStringLiteral("minimum"), minimum},
                       {QStringLiteral("maximum"), maximum},
                       {QStringLiteral("default"), defaultValue}};
}

QJsonObject objectSchema(const QJsonObject &properties, const QStringList &required = QStringList())
{
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"), properties}};
    if (!required.isEmpty())
        schema.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return schema;
}

struct CommandInfo
{
    QString description;
    std::chrono::milliseconds defaultTimeout;
};

const std::map<QString, CommandInfo> &commandInfos()
{
    static const std::map<QString, CommandInfo> infos = {
        {QStringLiteral("quick"), {QStringLiteral("Echoes its args at once"), 5s}},
        {QStringLiteral("slow"), {QStringLiteral("Counts steps on a timer"), 30s}},
        {QStringLiteral("pool"), {QStringLiteral("Counts steps on the worker pool"), 40s}},
        {QStringLiteral("never"), {QStringLiteral("Never finishes"), 50s}},
        {QStringLiteral("throws"), {QStringLiteral("Throws an exception"), 60s}},
        {QStringLiteral("nores"), {QStringLiteral("Returns without a result"), 60s}},
        {QStringLiteral("failing"), {QStringLiteral("Fails with not_found"), 60s}},
        {QStringLiteral("needs_session"), {QStringLiteral("Needs a session"), 60s}},
        {QStringLiteral("strict"), {QStringLiteral("Has a strict schema"), 70s}},
        {QStringLiteral("session_set"), {QStringLiteral("Stores a value in the session"), 60s}},
        {QStringLiteral("session_get"), {QStringLiteral("Reads a value of the session"), 60s}},
    };
    return infos;
}

} // namespace

void HandlerProbe::recordStart(const QString &command)
{
    QMutexLocker locker(&m_mutex);
    m_started.append(command);
}

QStringList HandlerProbe::startedCommands() const
{
    QMutexLocker locker(&m_mutex);
    return m_started;
}

bool HandlerProbe::waitForHandlers(const QString &command, int count) const
{
    return QTest::qWaitFor([&] { return startedCommands().count(command) >= count; }, 5000);
}

void HandlerProbe::recordPoolThread(QThread *thread)
{
    QMutexLocker locker(&m_mutex);
    m_poolThreads.insert(thread);
}

QSet<QThread *> HandlerProbe::poolThreads() const
{
    QMutexLocker locker(&m_mutex);
    return m_poolThreads;
}

void HandlerProbe::releaseGate()
{
    QMutexLocker locker(&m_mutex);
    m_gateOpen = true;
    m_gateOpened.wakeAll();
}

bool HandlerProbe::waitAtGate(const std::function<bool()> &stop)
{
    const QDeadlineTimer deadline(maxGateWait);
    QMutexLocker locker(&m_mutex);
    while (!m_gateOpen && !stop() && !deadline.hasExpired())
        m_gateOpened.wait(&m_mutex, QDeadlineTimer(10ms));
    return m_gateOpen;
}

BridgeFixture::BridgeFixture()
    : m_probe(std::make_shared<HandlerProbe>())
    , m_registry(std::make_unique<CommandBridge::CommandRegistry>())
    , m_server(std::make_unique<CommandBridge::CommandBridgeServer>(m_registry.get()))
{
    // CTest runs the wire suites a second time with the sockets on network threads.
    m_options.networkThreads = qEnvironmentVariableIntValue("COMMANDBRIDGE_TEST_NETWORK_THREADS");
    registerCommands();
}

BridgeFixture::~BridgeFixture()
{
    m_probe->releaseGate();
    m_server.reset();
    m_registry->workerPool()->waitForDone(int(std::chrono::milliseconds(maxGateWait).count()));
    m_registry.reset();
}

bool BridgeFixture::listen()
{
    m_server->setOptions(m_options);
    return m_server->listen(QHostAddress::LocalHost, 0);
}

QUrl BridgeFixture::webSocketUrl(const QString &sessionId) const
{
    QUrl url;
    url.setScheme(QStringLiteral("ws"));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(m_server->serverPort());
    url.setPath(QStringLiteral("/ws"));
    if (!sessionId.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("session"),
                           QString::fromLatin1(QUrl::toPercentEncoding(sessionId)));
        url.setQuery(query);
    }
    return url;
}

QStringList BridgeFixture::commandNames()
{
    QStringList names;
    for (const auto &[name, info] : commandInfos())
        names.append(name);
    return names;
}

QString BridgeFixture::descriptionOf(const QString &name)
{
    const auto found = commandInfos().find(name);
    return found == commandInfos().end() ? QString() : found->second.description;
}

std::chrono::milliseconds BridgeFixture::defaultTimeoutOf(const QString &name)
{
    const auto found = commandInfos().find(name);
    return found == commandInfos().end() ? 0ms : found->second.defaultTimeout;
}

QJsonObject BridgeFixture::strictSchema()
{
    QJsonObject schema = objectSchema(
        QJsonObject{
            {QStringLiteral("n"), QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")},
                                              {QStringLiteral("minimum"), 1},
                                              {QStringLiteral("maximum"), 10}}},
            {QStringLiteral("s"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                              {QStringLiteral("maxLength"), 5}}}},
        {QStringLiteral("n")});
    schema.insert(QStringLiteral("additionalProperties"), false);
    return schema;
}

void BridgeFixture::registerCommands()
{
    const std::shared_ptr<HandlerProbe> probe = m_probe;
    std::vector<CommandDescriptor> descriptors;

    const auto describe = [](const QString &name, ExecutionMode mode, const QJsonObject &schema,
                             CommandDescriptor::Handler handler) {
        CommandDescriptor descriptor;
        descriptor.name = name;
        descriptor.description = descriptionOf(name);
        descriptor.defaultTimeout = defaultTimeoutOf(name);
        descriptor.mode = mode;
        descriptor.argsSchema = schema;
        descriptor.handler = std::move(handler);
        return descriptor;
    };

    descriptors.push_back(describe(QStringLiteral("quick"), ExecutionMode::Synchronous,
                                   QJsonObject(), [probe](CommandContext &context) {
                                       probe->recordStart(context.command());
                                       context.succeed(context.args());
                                   }));

    descriptors.push_back(describe(
        QStringLiteral("slow"), ExecutionMode::EventLoop,
        objectSchema(QJsonObject{{QStringLiteral("steps"), integerProperty(1, 1000, 3)},
                                 {QStringLiteral("interval_ms"), integerProperty(0, 60000, 10)}}),
        [probe](CommandContext &context) {
            probe->recordStart(context.command());
            const int steps = context.args().value(QStringLiteral("steps")).toInt(3);
            const int interval = context.args().value(QStringLiteral("interval_ms")).toInt(10);
            auto *timer = new QTimer(&context);
            timer->setInterval(interval);
            auto step = std::make_shared<int>(0);
            QObject::connect(timer, &QTimer::timeout, &context, [&context, timer, step, steps] {
                ++*step;
                context.reportProgress(QStringLiteral("step %1/%2").arg(*step).arg(steps),
                                       100.0 * *step / steps);
                if (*step >= steps) {
                    timer->stop();
                    context.succeed(QJsonObject{{QStringLiteral("steps"), steps}});
                }
            });
            QObject::connect(&context, &CommandContext::cancelRequested, timer, [probe, timer] {
                ++probe->cancelObserved;
                timer->stop();
            });
            timer->start();
        }));

    descriptors.push_back(describe(
        QStringLiteral("pool"), ExecutionMode::WorkerPool,
        objectSchema(QJsonObject{{QStringLiteral("steps"), integerProperty(1, 1000, 3)},
                                 {QStringLiteral("step_ms"), integerProperty(0, 1000, 0)},
                                 {QStringLiteral("hold_after"), integerProperty(0, 1000, 0)},
                                 {QStringLiteral("ignore_cancel"),
                                  QJsonObject{{QStringLiteral("type"), QStringLiteral("boolean")},
                                              {QStringLiteral("default"), false}}}}),
        [probe](CommandContext &context) {
            ++probe->poolStarted;
            probe->recordStart(context.command());
            probe->recordPoolThread(QThread::currentThread());
            struct Returned
            {
                HandlerProbe &probe;
                ~Returned() { ++probe.poolReturned; }
            } returned{*probe};

            const QJsonObject args = context.args();
            const int steps = args.value(QStringLiteral("steps")).toInt(3);
            const int stepMs = args.value(QStringLiteral("step_ms")).toInt(0);
            const int holdAfter = args.value(QStringLiteral("hold_after")).toInt(0);
            const bool ignoreCancel = args.value(QStringLiteral("ignore_cancel")).toBool(false);
            const auto cancelled = [&context, ignoreCancel] {
                return !ignoreCancel && context.isCancelled();
            };
            for (int i = 1; i <= steps; ++i) {
                if (cancelled()) {
                    ++probe->poolCancelObserved;
                    return;
                }
                context.reportProgress(QStringLiteral("step %1/%2").arg(i).arg(steps),
                                       100.0 * i / steps);
                if (i == holdAfter)
                    probe->waitAtGate(cancelled);
                if (stepMs > 0)
                    QThread::msleep(stepMs);
            }
            if (cancelled()) {
                ++probe->poolCancelObserved;
                return;
            }
            context.succeed(QJsonObject{{QStringLiteral("steps"), steps}});
        }));

    descriptors.push_back(describe(QStringLiteral("never"), ExecutionMode::EventLoop, QJsonObject(),
                                   [probe](CommandContext &context) {
                                       probe->recordStart(context.command());
                                       QObject::connect(&context, &CommandContext::cancelRequested,
                                                        &context,
                                                        [probe] { ++probe->cancelObserved; });
                                   }));

    descriptors.push_back(describe(QStringLiteral("throws"), ExecutionMode::Synchronous,
                                   QJsonObject(), [probe](CommandContext &context) {
                                       probe->recordStart(context.command());
                                       throw std::runtime_error("boom");
                                   }));

    descriptors.push_back(
        describe(QStringLiteral("nores"), ExecutionMode::Synchronous, QJsonObject(),
                 [probe](CommandContext &context) { probe->recordStart(context.command()); }));

    descriptors.push_back(describe(QStringLiteral("failing"), ExecutionMode::Synchronous,
                                   QJsonObject(), [probe](CommandContext &context) {
                                       probe->recordStart(context.command());
                                       context.fail(QStringLiteral("not_found"),
                                                    QStringLiteral("No such thing"));
                                   }));

    CommandDescriptor needsSession = describe(
        QStringLiteral("needs_session"), ExecutionMode::Synchronous, QJsonObject(),
        [probe](CommandContext &context) {
            probe->recordStart(context.command());
            context.succeed(QJsonObject{{QStringLiteral("session_id"), context.sessionId()}});
        });
    needsSession.requiresSession = true;
    descriptors.push_back(needsSession);

    descriptors.push_back(describe(QStringLiteral("strict"), ExecutionMode::Synchronous,
                                   strictSchema(), [probe](CommandContext &context) {
                                       probe->recordStart(context.command());
                                       context.succeed(context.args());
                                   }));

    const QJsonObject keyProperty{{QStringLiteral("type"), QStringLiteral("string")},
                                  {QStringLiteral("minLength"), 1}};
    CommandDescriptor sessionSet = describe(
        QStringLiteral("session_set"), ExecutionMode::Synchronous,
        objectSchema(QJsonObject{{QStringLiteral("key"), keyProperty},
                                 {QStringLiteral("value"), QJsonObject()}},
                     {QStringLiteral("key"), QStringLiteral("value")}),
        [probe](CommandContext &context) {
            probe->recordStart(context.command());
            const QString key = context.args().value(QStringLiteral("key")).toString();
            context.session()->setValue(key, context.args().value(QStringLiteral("value")));
            context.succeed(QJsonObject{{QStringLiteral("stored"), key}});
        });
    sessionSet.requiresSession = true;
    descriptors.push_back(sessionSet);

    CommandDescriptor sessionGet = describe(
        QStringLiteral("session_get"), ExecutionMode::Synchronous,
        objectSchema(QJsonObject{{QStringLiteral("key"), keyProperty}}, {QStringLiteral("key")}),
        [probe](CommandContext &context) {
            probe->recordStart(context.command());
            const QString key = context.args().value(QStringLiteral("key")).toString();
            QJsonObject result{{QStringLiteral("key"), key}};
            const QJsonValue value = context.session()->value(key);
            if (!value.isUndefined())
                result.insert(QStringLiteral("value"), value);
            context.succeed(result);
        });
    sessionGet.requiresSession = true;
    descriptors.push_back(sessionGet);

    for (const CommandDescriptor &descriptor : descriptors) {
        if (!m_registry->registerCommand(descriptor)) {
            qFatal("BridgeFixture: cannot register %s: %s", qPrintable(descriptor.name),
                   qPrintable(m_registry->errorString()));
        }
    }
}

} // namespace CommandBridgeTest
