// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include "commandregistry_p.h"
#include "commandrun_p.h"
#include "eventbus_p.h"
#include "exposedobject_p.h"
#include "logging_p.h"
#include "protocol_p.h"
#include "schemavalidator_p.h"

#include <QtCore/QMetaMethod>
#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#include <utility>
#include <vector>

namespace CommandBridge {

CommandRegistryPrivate::Entry::~Entry() = default;

namespace {

QJsonObject withSessionIdProperty(QJsonObject schema)
{
    if (schema.isEmpty())
        schema.insert(QStringLiteral("type"), QStringLiteral("object"));
    // A malformed "properties" stays as it is, for the schema parser to refuse.
    if (schema.contains(QStringLiteral("properties")) &&
        !schema.value(QStringLiteral("properties")).isObject())
        return schema;
    QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    if (!properties.contains(Protocol::Key::sessionId)) {
        properties.insert(Protocol::Key::sessionId,
                          QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}});
        schema.insert(QStringLiteral("properties"), properties);
    }
    return schema;
}

/// The top-level "default" values of \a schema's properties, found once at registration.
std::vector<std::pair<QString, QJsonValue>> propertyDefaults(const QJsonObject &schema)
{
    std::vector<std::pair<QString, QJsonValue>> defaults;
    const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        const QJsonValue defaultValue = it.value().toObject().value(QStringLiteral("default"));
        if (!defaultValue.isUndefined())
            defaults.emplace_back(it.key(), defaultValue);
    }
    return defaults;
}

} // namespace

CommandRegistryPrivate::CommandRegistryPrivate(CommandRegistry *q)
    : q(q)
    , home(HandOff::current())
    , events(std::make_shared<EventBus>())
    , pool(std::make_unique<QThreadPool>())
{
    pool->setObjectName(QStringLiteral("CommandBridge worker pool"));
    // The registry's thread runs an event loop (EventLoop handlers need one).
    home->setDefersWakeUps(true);
}

CommandRegistry::CommandRegistry(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<CommandRegistryPrivate>(this))
{}

CommandRegistry::~CommandRegistry()
{
    // Their objects stay the app's: disconnect from them first.
    d->exposed.clear();
    // Handlers still hold their contexts: stop them, then wait for the workers before the
    // contexts made by createCommand() go with this object.
    while (CommandRun *run = d->handlersHere) {
        d->unlistHere(run);
        run->registryGone();
    }
    const QList<CommandContext *> running = findChildren<CommandContext *>();
    for (CommandContext *context : running)
        context->abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    d->pool->waitForDone();
}

bool CommandRegistry::registerCommand(const CommandDescriptor &descriptor)
{
    return d->addCommand(descriptor, nullptr);
}

bool CommandRegistryPrivate::addCommand(const CommandDescriptor &descriptor,
                                        std::shared_ptr<HandOff> handlerHome)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9._-]{1,128}$"));
    if (!namePattern.match(descriptor.name).hasMatch()) {
        errorString = QStringLiteral("Invalid command name \"%1\": use 1 to 128 of "
                                     "[A-Za-z0-9._-]")
                          .arg(descriptor.name);
        return false;
    }
    if (find(descriptor.name)) {
        errorString = QStringLiteral("Command \"%1\" is already registered").arg(descriptor.name);
        return false;
    }
    if (!descriptor.handler) {
        errorString = QStringLiteral("Command \"%1\" has no handler").arg(descriptor.name);
        return false;
    }
    if (descriptor.defaultTimeout.count() < 1) {
        errorString =
            QStringLiteral("Command \"%1\" needs a positive default timeout").arg(descriptor.name);
        return false;
    }

    auto entry = std::make_shared<Entry>();
    entry->schema = withSessionIdProperty(descriptor.argsSchema);
    entry->defaults = propertyDefaults(entry->schema);
    auto compiled = SchemaValidator::compile(entry->schema);
    if (auto *error = std::get_if<QString>(&compiled)) {
        errorString =
            QStringLiteral("Command \"%1\" has an invalid schema: %2").arg(descriptor.name, *error);
        return false;
    }
    entry->validator = std::move(std::get<std::unique_ptr<SchemaValidator>>(compiled));
    entry->descriptor = std::make_shared<const CommandDescriptor>(descriptor);
    entry->handlerHome = std::move(handlerHome);
    {
        QWriteLocker locker(&lock);
        if (!commands.emplace(descriptor.name, std::move(entry)).second) {
            errorString =
                QStringLiteral("Command \"%1\" is already registered").arg(descriptor.name);
            return false;
        }
    }
    errorString.clear();
    qCDebug(lcRegistry) << "registered" << descriptor.name;
    return true;
}

bool CommandRegistry::exposeObject(const QString &name, QObject *object,
                                   const ExposeOptions &options)
{
    if (QThread::currentThread() != thread())
        qCWarning(lcRegistry) << "exposeObject() called off the registry's thread for" << name;
    const auto found = d->exposed.find(name);
    if (found != d->exposed.end()) {
        if (found->second->isAlive()) {
            d->errorString = QStringLiteral("An object is already exposed as \"%1\"").arg(name);
            return false;
        }
        d->exposed.erase(found);
    }
    auto read = ExposedObject::read(this, name, object, options);
    if (auto *error = std::get_if<QString>(&read)) {
        d->errorString = *error;
        return false;
    }
    auto exposed = std::get<std::unique_ptr<ExposedObject>>(std::move(read));
    if (std::optional<QString> error = exposed->install()) {
        d->errorString = *error;
        return false;
    }
    d->exposed.emplace(name, std::move(exposed));
    d->errorString.clear();
    return true;
}

void CommandRegistryPrivate::forgetExposed(const QString &name, const ExposedObject *exposedObject)
{
    const auto found = exposed.find(name);
    // A newer object exposed under the name meanwhile may have the old one's address.
    if (found != exposed.end() && found->second.get() == exposedObject && !found->second->isAlive())
        exposed.erase(found);
}

bool CommandRegistry::registerEvent(const EventDescriptor &descriptor)
{
    if (std::optional<QString> error = d->events->declare(descriptor)) {
        d->errorString = *error;
        return false;
    }
    d->errorString.clear();
    qCDebug(lcEvents) << "declared" << descriptor.name;
    return true;
}

bool CommandRegistry::containsEvent(const QString &name) const
{
    return d->events->contains(name);
}

QJsonArray CommandRegistry::describeEvents() const
{
    return d->events->describe();
}

bool CommandRegistry::hasEventSubscribers(const QString &event) const
{
    return d->events->hasSubscribers(event);
}

bool CommandRegistry::publishEvent(const QString &event, const QJsonObject &data,
                                   const QString &coalescingKey)
{
    return d->events->publish(event, QString(), data, coalescingKey);
}

bool CommandRegistry::publishSessionEvent(const QString &sessionId, const QString &event,
                                          const QJsonObject &data, const QString &coalescingKey)
{
    if (sessionId.isEmpty()) {
        qCWarning(lcEvents) << "not published:" << event << "needs a session id";
        return false;
    }
    return d->events->publish(event, sessionId, data, coalescingKey);
}

QString CommandRegistry::errorString() const
{
    return d->errorString;
}

void CommandRegistryPrivate::removeCommands(const QStringList &names)
{
    // Released after the lock: the last reference to a handler may own anything.
    std::vector<std::shared_ptr<const Entry>> removed;
    {
        QWriteLocker locker(&lock);
        for (const QString &name : names) {
            const auto found = commands.find(name);
            if (found == commands.end())
                continue;
            removed.push_back(std::move(found->second));
            commands.erase(found);
        }
    }
    qCDebug(lcRegistry) << "removed" << names;
}

std::shared_ptr<const CommandRegistryPrivate::Entry>
CommandRegistryPrivate::find(const QString &name) const
{
    QReadLocker locker(&lock);
    const auto found = commands.find(name);
    return found == commands.end() ? nullptr : found->second;
}

bool CommandRegistry::contains(const QString &name) const
{
    return d->find(name) != nullptr;
}

QStringList CommandRegistry::commandNames() const
{
    QReadLocker locker(&d->lock);
    QStringList names;
    for (const auto &[name, entry] : d->commands)
        names.append(name);
    return names;
}

QJsonArray CommandRegistry::describeCommands() const
{
    QReadLocker locker(&d->lock);
    QJsonArray descriptions;
    for (const auto &[name, entry] : d->commands) {
        descriptions.append(QJsonObject{
            {Protocol::Key::name, name},
            {Protocol::Key::description, entry->descriptor->description},
            {Protocol::Key::argsSchema, entry->schema},
            {Protocol::Key::timeoutMs, qint64(entry->descriptor->defaultTimeout.count())},
        });
    }
    return descriptions;
}

std::optional<CommandResult> CommandRegistryPrivate::validate(const Entry &entry, QJsonObject &args,
                                                              CommandInvocation &invocation) const
{
    const CommandDescriptor &descriptor = *entry.descriptor;
    if (invocation.args.isObject()) {
        // Left as the only owner, so that the inserts below do not copy the object.
        args = std::exchange(invocation.args, QJsonValue()).toObject();
    } else if (!invocation.args.isUndefined() && !invocation.args.isNull()) {
        return CommandResult::failure(ErrorCode::InvalidArgs,
                                      QStringLiteral("Args must be a JSON object"));
    }

    const QJsonValue sentSession = args.value(Protocol::Key::sessionId);
    if (sentSession.isString() &&
        (!invocation.session || sentSession.toString() != invocation.session->id())) {
        return CommandResult::failure(
            ErrorCode::SessionMismatch,
            QStringLiteral("args.session_id does not match the session of this request"));
    }
    if (sentSession.isUndefined() && invocation.session)
        args.insert(Protocol::Key::sessionId, invocation.session->id());

    if (descriptor.requiresSession && !invocation.session) {
        return CommandResult::failure(
            ErrorCode::NoSession,
            QStringLiteral("Command %1 needs a session: send X-Session-Id").arg(descriptor.name));
    }

    const QJsonArray problems = entry.validator->validate(args);
    if (!problems.isEmpty()) {
        return CommandResult::failure(
            ErrorCode::InvalidArgs,
            QStringLiteral("Args do not match the schema of %1").arg(descriptor.name), problems);
    }
    for (const auto &[name, defaultValue] : entry.defaults) {
        if (!args.contains(name))
            args.insert(name, defaultValue);
    }
    return std::nullopt;
}

std::shared_ptr<CommandRun> CommandRegistryPrivate::prepare(CommandInvocation invocation)
{
    CommandRun::Request request;
    request.command = std::move(invocation.command);
    request.requestId = invocation.requestId;
    const std::shared_ptr<const Entry> entry = find(request.command);
    if (!entry) {
        request.session = std::move(invocation.session);
        request.rejection = CommandResult::failure(
            ErrorCode::UnknownCommand, QStringLiteral("Unknown command: ") + request.command);
        return std::make_shared<CommandRun>(this, std::move(request));
    }
    request.rejection = validate(*entry, request.args, invocation);
    request.timeout =
        std::min(invocation.timeout.value_or(entry->descriptor->defaultTimeout), maxTimeout);
    request.descriptor = entry->descriptor;
    request.handlerHome = entry->handlerHome;
    request.session = std::move(invocation.session);
    return std::make_shared<CommandRun>(this, std::move(request));
}

CommandInfo CommandRegistryPrivate::info(const CommandRun &run) const
{
    return CommandInfo{run.serial(), run.command(), run.args(), run.requestId(),
                       run.session() ? run.session()->id() : QString()};
}

void CommandRegistryPrivate::commandStarted(const CommandRun &run)
{
    inFlight.fetch_add(1, std::memory_order_relaxed);
    if (watchers.load(std::memory_order_relaxed) > 0)
        Q_EMIT q->commandStarted(info(run), CommandRegistry::QPrivateSignal());
}

void CommandRegistryPrivate::commandProgressed(const CommandRun &run,
                                               const CommandProgress &progress)
{
    if (watchers.load(std::memory_order_relaxed) > 0)
        Q_EMIT q->commandProgressed(info(run), progress, CommandRegistry::QPrivateSignal());
}

void CommandRegistryPrivate::commandFinished(const CommandRun &run, bool counted,
                                             const CommandResult &result)
{
    if (!counted)
        return;
    inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (watchers.load(std::memory_order_relaxed) > 0)
        Q_EMIT q->commandFinished(info(run), result, CommandRegistry::QPrivateSignal());
}

void CommandRegistryPrivate::listHere(CommandRun *run)
{
    run->m_listedHere = true;
    run->m_previousHere = nullptr;
    run->m_nextHere = handlersHere;
    if (handlersHere)
        handlersHere->m_previousHere = run;
    handlersHere = run;
}

void CommandRegistryPrivate::unlistHere(CommandRun *run)
{
    if (run->m_previousHere)
        run->m_previousHere->m_nextHere = run->m_nextHere;
    else
        handlersHere = run->m_nextHere;
    if (run->m_nextHere)
        run->m_nextHere->m_previousHere = run->m_previousHere;
    run->m_previousHere = run->m_nextHere = nullptr;
    run->m_listedHere = false;
}

CommandContext *CommandRegistry::createCommand(CommandInvocation invocation)
{
    if (QThread::currentThread() != thread()) {
        qCWarning(lcRegistry) << "createCommand() called off the registry's thread; the handler of"
                              << invocation.command << "runs on the calling thread";
    }
    // A context made on another thread cannot be the registry's child; it deletes itself anyway.
    QObject *parent = QThread::currentThread() == thread() ? this : nullptr;
    return d->prepare(std::move(invocation))->makeOwnContext(parent);
}

void CommandRegistry::setMaxTimeout(std::chrono::milliseconds timeout)
{
    d->maxTimeout = std::clamp(timeout, std::chrono::milliseconds(1),
                               std::chrono::milliseconds(std::numeric_limits<int>::max()));
}

std::chrono::milliseconds CommandRegistry::maxTimeout() const
{
    return d->maxTimeout;
}

int CommandRegistry::inFlightCount() const
{
    return d->inFlight.load(std::memory_order_relaxed);
}

QThreadPool *CommandRegistry::workerPool() const
{
    return d->pool.get();
}

namespace {

bool isCommandSignal(const QMetaMethod &signal)
{
    return signal == QMetaMethod::fromSignal(&CommandRegistry::commandStarted) ||
           signal == QMetaMethod::fromSignal(&CommandRegistry::commandProgressed) ||
           signal == QMetaMethod::fromSignal(&CommandRegistry::commandFinished);
}

} // namespace

void CommandRegistry::connectNotify(const QMetaMethod &signal)
{
    if (isCommandSignal(signal))
        d->watchers.fetch_add(1, std::memory_order_relaxed);
}

void CommandRegistry::disconnectNotify(const QMetaMethod &signal)
{
    // An invalid method: everything was disconnected at once.
    if (!signal.isValid())
        d->watchers.store(0, std::memory_order_relaxed);
    else if (isCommandSignal(signal))
        d->watchers.fetch_sub(1, std::memory_order_relaxed);
}

} // namespace CommandBridge
