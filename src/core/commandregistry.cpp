#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include "logging_p.h"
#include "protocol_p.h"
#include "schemavalidator_p.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QThread>
#include <QtCore/QThreadPool>

#include <utility>
#include <vector>

namespace CommandBridge {

struct CommandRegistry::Entry
{
    std::shared_ptr<const CommandDescriptor> descriptor;
    /// The app's schema plus the optional "session_id" every command accepts.
    QJsonObject schema;
    std::unique_ptr<SchemaValidator> validator;
    std::vector<std::pair<QString, QJsonValue>> defaults;
};

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

CommandRegistry::CommandRegistry(QObject *parent)
    : QObject(parent)
    , m_pool(std::make_unique<QThreadPool>())
{
    m_pool->setObjectName(QStringLiteral("CommandBridge worker pool"));
}

CommandRegistry::~CommandRegistry()
{
    // Worker handlers still hold their contexts: stop them, then wait before the contexts go.
    const QList<CommandContext *> running = findChildren<CommandContext *>();
    for (CommandContext *context : running)
        context->abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    m_pool->waitForDone();
}

bool CommandRegistry::registerCommand(const CommandDescriptor &descriptor)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9._-]{1,128}$"));
    if (!namePattern.match(descriptor.name).hasMatch()) {
        m_errorString = QStringLiteral("Invalid command name \"%1\": use 1 to 128 of "
                                       "[A-Za-z0-9._-]")
                            .arg(descriptor.name);
        return false;
    }
    if (contains(descriptor.name)) {
        m_errorString = QStringLiteral("Command \"%1\" is already registered").arg(descriptor.name);
        return false;
    }
    if (!descriptor.handler) {
        m_errorString = QStringLiteral("Command \"%1\" has no handler").arg(descriptor.name);
        return false;
    }
    if (descriptor.defaultTimeout.count() < 1) {
        m_errorString =
            QStringLiteral("Command \"%1\" needs a positive default timeout").arg(descriptor.name);
        return false;
    }

    auto entry = std::make_shared<Entry>();
    entry->schema = withSessionIdProperty(descriptor.argsSchema);
    entry->defaults = propertyDefaults(entry->schema);
    auto compiled = SchemaValidator::compile(entry->schema);
    if (auto *error = std::get_if<QString>(&compiled)) {
        m_errorString =
            QStringLiteral("Command \"%1\" has an invalid schema: %2").arg(descriptor.name, *error);
        return false;
    }
    entry->validator = std::move(std::get<std::unique_ptr<SchemaValidator>>(compiled));
    entry->descriptor = std::make_shared<const CommandDescriptor>(descriptor);
    {
        QWriteLocker locker(&m_lock);
        if (!m_commands.emplace(descriptor.name, std::move(entry)).second) {
            m_errorString =
                QStringLiteral("Command \"%1\" is already registered").arg(descriptor.name);
            return false;
        }
    }
    m_errorString.clear();
    qCDebug(lcRegistry) << "registered" << descriptor.name;
    return true;
}

std::shared_ptr<const CommandRegistry::Entry> CommandRegistry::find(const QString &name) const
{
    QReadLocker locker(&m_lock);
    const auto found = m_commands.find(name);
    return found == m_commands.end() ? nullptr : found->second;
}

bool CommandRegistry::contains(const QString &name) const
{
    return find(name) != nullptr;
}

QStringList CommandRegistry::commandNames() const
{
    QReadLocker locker(&m_lock);
    QStringList names;
    for (const auto &[name, entry] : m_commands)
        names.append(name);
    return names;
}

QJsonArray CommandRegistry::describeCommands() const
{
    QReadLocker locker(&m_lock);
    QJsonArray descriptions;
    for (const auto &[name, entry] : m_commands) {
        descriptions.append(QJsonObject{
            {Protocol::Key::name, name},
            {Protocol::Key::description, entry->descriptor->description},
            {Protocol::Key::argsSchema, entry->schema},
            {Protocol::Key::timeoutMs, qint64(entry->descriptor->defaultTimeout.count())},
        });
    }
    return descriptions;
}

std::optional<CommandResult> CommandRegistry::validate(const Entry &entry, QJsonObject &args,
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

CommandContext *CommandRegistry::createCommand(CommandInvocation invocation)
{
    // A context made on another thread cannot be the registry's child; it deletes itself anyway.
    QObject *parent = QThread::currentThread() == thread() ? this : nullptr;
    const std::shared_ptr<const Entry> entry = find(invocation.command);
    if (!entry) {
        return new CommandContext(
            this, parent, nullptr, invocation.command, QJsonObject(), invocation.session,
            invocation.requestId, std::chrono::milliseconds(0),
            CommandResult::failure(ErrorCode::UnknownCommand,
                                   QStringLiteral("Unknown command: ") + invocation.command));
    }
    QJsonObject args;
    std::optional<CommandResult> rejection = validate(*entry, args, invocation);
    const std::chrono::milliseconds timeout =
        std::min(invocation.timeout.value_or(entry->descriptor->defaultTimeout), m_maxTimeout);
    return new CommandContext(this, parent, entry->descriptor, invocation.command, args,
                              std::move(invocation.session), invocation.requestId, timeout,
                              std::move(rejection));
}

void CommandRegistry::setMaxTimeout(std::chrono::milliseconds timeout)
{
    m_maxTimeout = std::clamp(timeout, std::chrono::milliseconds(1),
                              std::chrono::milliseconds(std::numeric_limits<int>::max()));
}

QThreadPool *CommandRegistry::workerPool() const
{
    return m_pool.get();
}

} // namespace CommandBridge
