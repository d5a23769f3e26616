// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "exposedobject_p.h"

#include "commandregistry_p.h"
#include "eventbus_p.h"
#include "handoff_p.h"
#include "logging_p.h"
#include "protocol_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QMetaMethod>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QThread>
#include <QtCore/QVarLengthArray>

#include <functional>
#include <map>

namespace CommandBridge {

namespace {

const char excludeClassInfo[] = "CommandBridge.exclude";

QSet<QString> excludedNames(const QMetaObject *meta, const ExposeOptions &options)
{
    QSet<QString> excluded(options.exclude.cbegin(), options.exclude.cend());
    for (int i = 0; i < meta->classInfoCount(); ++i) {
        const QMetaClassInfo info = meta->classInfo(i);
        if (qstrcmp(info.name(), excludeClassInfo) != 0)
            continue;
        const QStringList names = QString::fromUtf8(info.value()).split(QLatin1Char(','));
        for (const QString &name : names) {
            if (!name.trimmed().isEmpty())
                excluded.insert(name.trimmed());
        }
    }
    return excluded;
}

bool isContextParameter(const QMetaMethod &method, int index)
{
    return method.parameterMetaType(index) == QMetaType::fromType<CommandContext *>() ||
           method.parameterTypeName(index).endsWith("CommandContext*");
}

bool isCloned(const QMetaMethod &method)
{
    return method.attributes() & QMetaMethod::Cloned;
}

/// The overload each name exposes: the one with the most parameters (the first of equals), not
/// counting the copies moc makes for default arguments.
std::map<QString, int> chosenOverloads(const QMetaObject *meta, int from,
                                       const std::function<bool(const QMetaMethod &)> &select)
{
    std::map<QString, int> chosen;
    for (int i = from; i < meta->methodCount(); ++i) {
        const QMetaMethod method = meta->method(i);
        if (method.access() != QMetaMethod::Public || isCloned(method) || !select(method))
            continue;
        const QString name = QString::fromLatin1(method.name());
        const auto found = chosen.find(name);
        if (found == chosen.end())
            chosen.emplace(name, i);
        else if (meta->method(found->second).parameterCount() < method.parameterCount())
            found->second = i;
    }
    return chosen;
}

QString signature(const QMetaObject *meta, const QMetaMethod &method)
{
    QStringList parameters;
    const QList<QByteArray> names = method.parameterNames();
    for (int i = 0; i < method.parameterCount(); ++i) {
        parameters.append(
            QString::fromLatin1(method.parameterTypeName(i) + ' ' + names.value(i)).trimmed());
    }
    return QStringLiteral("%1 %2::%3(%4)")
        .arg(QString::fromLatin1(method.typeName()), QString::fromLatin1(meta->className()),
             QString::fromLatin1(method.name()), parameters.join(QStringLiteral(", ")));
}

/// The parameters of \a method (without a trailing CommandContext *), or why one cannot be.
std::variant<std::vector<ExposedObject::Parameter>, QString>
parametersOf(const QMetaObject *meta, const QMetaMethod &method, int count)
{
    std::vector<ExposedObject::Parameter> parameters;
    const QList<QByteArray> names = method.parameterNames();
    for (int i = 0; i < count; ++i) {
        const QString name = QString::fromLatin1(names.value(i));
        const QString where =
            QStringLiteral("parameter %1 of %2")
                .arg(name.isEmpty() ? QString::number(i + 1) : name, signature(meta, method));
        if (name.isEmpty())
            return QStringLiteral("%1 has no name; name it in the declaration").arg(where);
        auto type = JsonType::of(method.parameterMetaType(i));
        if (auto *error = std::get_if<QString>(&type))
            return QStringLiteral("%1: %2").arg(where, *error);
        parameters.push_back({name, std::get<JsonType>(type)});
    }
    return parameters;
}

QJsonObject objectSchema(const std::vector<ExposedObject::Parameter> &parameters, int required)
{
    QJsonObject properties;
    QJsonArray requiredNames;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        properties.insert(parameters[i].name, parameters[i].type.schema());
        if (int(i) < required)
            requiredNames.append(parameters[i].name);
    }
    QJsonObject schema{{QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("properties"), properties},
                       {QStringLiteral("additionalProperties"), false}};
    if (!requiredNames.isEmpty())
        schema.insert(QStringLiteral("required"), requiredNames);
    return schema;
}

/// Fails \a context with invalid_args for the argument \a name, as a schema failure would.
void failArgument(CommandContext &context, const QString &name, const QString &message)
{
    context.fail(ErrorCode::InvalidArgs,
                 QStringLiteral("Args do not match the schema of %1").arg(context.command()),
                 QJsonArray{QJsonObject{{QStringLiteral("path"), QString(QLatin1Char('/') + name)},
                                        {QStringLiteral("message"), message}}});
}

/// The object, or null once \a context failed with why the call cannot reach it.
QObject *reach(ExposedObject::State &state, CommandContext &context)
{
    QObject *object = state.object.data();
    if (!object) {
        context.fail(ErrorCode::Internal,
                     QStringLiteral("The exposed object %1 was destroyed").arg(state.name));
        return nullptr;
    }
    if (object->thread() != QThread::currentThread()) {
        context.fail(ErrorCode::Internal,
                     QStringLiteral("The exposed object %1 is not on the thread of its call")
                         .arg(state.name));
        return nullptr;
    }
    return object;
}

QJsonObject readProperties(const ExposedObject::State &state, const QObject *object)
{
    QJsonObject values;
    for (const ExposedObject::Property &property : state.properties)
        values.insert(property.name, property.type.toJson(property.property.read(object)));
    return values;
}

void callMethod(ExposedObject::State &state, const ExposedObject::Method &method,
                CommandContext &context)
{
    QObject *object = reach(state, context);
    if (!object)
        return;
    const QJsonObject args = context.args();

    // Trailing parameters not given are left to the overload without them (their defaults).
    int count = int(method.parameters.size());
    while (count > 0 && method.indexByCount[count] >= 0 && method.indexByCount[count - 1] >= 0 &&
           !args.contains(method.parameters[count - 1].name))
        --count;
    QVarLengthArray<QVariant, 8> values;
    values.reserve(count);
    for (int i = 0; i < count; ++i) {
        const ExposedObject::Parameter &parameter = method.parameters[i];
        const QJsonValue given = args.value(parameter.name);
        if (given.isUndefined()) {
            return failArgument(context, parameter.name,
                                QStringLiteral("Needed when a later argument is given"));
        }
        std::optional<QVariant> value = parameter.type.fromJson(given);
        if (!value) {
            return failArgument(context, parameter.name,
                                QStringLiteral("Does not fit the parameter's C++ type"));
        }
        values.append(std::move(*value));
    }

    QVariant returned = method.result ? QVariant(method.result->metaType()) : QVariant();
    CommandContext *contextArgument = &context;
    QVarLengthArray<void *, 10> argv;
    argv.append(method.result ? returned.data() : nullptr);
    for (QVariant &value : values)
        argv.append(value.data());
    if (method.takesContext)
        argv.append(&contextArgument);
    QMetaObject::metacall(object, QMetaObject::InvokeMetaMethod, method.indexByCount[count],
                          argv.data());

    if (!method.takesContext) {
        context.succeed(
            method.result ? QJsonObject{{QStringLiteral("value"), method.result->toJson(returned)}}
                          : QJsonObject());
        return;
    }
    if (context.isFinished())
        return;
    const std::lock_guard locker(state.mutex);
    if (state.gone) {
        context.fail(ErrorCode::Internal,
                     QStringLiteral("The exposed object %1 was destroyed").arg(state.name));
        return;
    }
    // Drop the finished ones while here, so the list stays as long as the calls still waiting.
    state.waiting.erase(std::remove_if(state.waiting.begin(), state.waiting.end(),
                                       [](const QPointer<CommandContext> &waiting) {
                                           return !waiting || waiting->isFinished();
                                       }),
                        state.waiting.end());
    state.waiting.emplace_back(&context);
}

void getProperties(ExposedObject::State &state, CommandContext &context)
{
    if (const QObject *object = reach(state, context))
        context.succeed(readProperties(state, object));
}

void setProperties(ExposedObject::State &state, CommandContext &context)
{
    QObject *object = reach(state, context);
    if (!object)
        return;
    const QJsonObject args = context.args();
    // Converted first, so that a value that does not fit writes none.
    std::vector<std::pair<const ExposedObject::Property *, QVariant>> writes;
    for (const ExposedObject::Property &property : state.properties) {
        const QJsonValue given = args.value(property.name);
        if (given.isUndefined() || !property.property.isWritable())
            continue;
        std::optional<QVariant> value = property.type.fromJson(given);
        if (!value) {
            return failArgument(context, property.name,
                                QStringLiteral("Does not fit the property's C++ type"));
        }
        writes.emplace_back(&property, std::move(*value));
    }
    for (auto &[property, value] : writes) {
        if (!property->property.write(object, std::move(value))) {
            return context.fail(ErrorCode::Failed,
                                QStringLiteral("Could not write property %1 of %2")
                                    .arg(property->name, state.name));
        }
    }
    context.succeed(readProperties(state, object));
}

} // namespace

ExposedObject::ExposedObject(CommandRegistry *registry, std::shared_ptr<State> state)
    : m_registry(registry)
    , m_state(std::move(state))
{}

ExposedObject::~ExposedObject() = default;

std::variant<std::unique_ptr<ExposedObject>, QString>
ExposedObject::read(CommandRegistry *registry, const QString &name, QObject *object,
                    const ExposeOptions &options)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9_-]{1,100}$"));
    if (!object)
        return QStringLiteral("Cannot expose a null object as \"%1\"").arg(name);
    if (!namePattern.match(name).hasMatch()) {
        return QStringLiteral("Invalid object name \"%1\": use 1 to 100 of [A-Za-z0-9_-]")
            .arg(name);
    }
    const QMetaObject *meta = object->metaObject();
    const QMetaObject *base = options.baseClass ? options.baseClass : &QObject::staticMetaObject;
    if (!meta->inherits(base)) {
        return QStringLiteral("Cannot expose %1: %2 does not derive from %3")
            .arg(name, QString::fromLatin1(meta->className()),
                 QString::fromLatin1(base->className()));
    }
    const QSet<QString> excluded = excludedNames(meta, options);
    const QString cannot =
        QStringLiteral("Cannot expose %1 (%2): ").arg(name, QString::fromLatin1(meta->className()));

    auto state = std::make_shared<State>();
    state->name = name;
    state->object = object;

    // Properties.
    for (int i = base->propertyCount(); i < meta->propertyCount(); ++i) {
        const QMetaProperty property = meta->property(i);
        const QString propertyName = QString::fromLatin1(property.name());
        if (excluded.contains(propertyName) || !property.isReadable())
            continue;
        auto type = JsonType::of(property);
        if (auto *error = std::get_if<QString>(&type)) {
            return cannot + QStringLiteral("property %1: %2; exclude it with ExposeOptions::"
                                           "exclude or Q_CLASSINFO(\"%3\", \"%1\")")
                                .arg(propertyName, *error, QLatin1String(excludeClassInfo));
        }
        state->properties.push_back({propertyName, property, std::get<JsonType>(type)});
    }

    // Methods: public slots and Q_INVOKABLEs.
    const auto isCallable = [&](const QMetaMethod &method) {
        return (method.methodType() == QMetaMethod::Slot ||
                method.methodType() == QMetaMethod::Method) &&
               !excluded.contains(QString::fromLatin1(method.name()));
    };
    for (const auto &[methodName, index] : chosenOverloads(meta, base->methodCount(), isCallable)) {
        const QMetaMethod method = meta->method(index);
        const QString reason = cannot + QStringLiteral("%1; exclude it with ExposeOptions::exclude "
                                                       "or Q_CLASSINFO(\"%2\", \"%3\")");
        if (methodName == QLatin1String("get") || methodName == QLatin1String("set")) {
            return reason.arg(
                QStringLiteral("method %1 takes the name of the property command").arg(methodName),
                QLatin1String(excludeClassInfo), methodName);
        }
        Method exposed;
        exposed.name = methodName;
        exposed.description = QStringLiteral("Calls ") + signature(meta, method);
        int count = method.parameterCount();
        exposed.takesContext = count > 0 && isContextParameter(method, count - 1);
        if (exposed.takesContext)
            --count;
        auto parameters = parametersOf(meta, method, count);
        if (auto *error = std::get_if<QString>(&parameters))
            return reason.arg(*error, QLatin1String(excludeClassInfo), methodName);
        exposed.parameters = std::get<std::vector<Parameter>>(std::move(parameters));
        if (method.returnMetaType().id() != QMetaType::Void && !exposed.takesContext) {
            auto result = JsonType::of(method.returnMetaType());
            if (auto *error = std::get_if<QString>(&result)) {
                return reason.arg(
                    QStringLiteral("the result of %1: %2").arg(signature(meta, method), *error),
                    QLatin1String(excludeClassInfo), methodName);
            }
            exposed.result = std::get<JsonType>(result);
        }
        exposed.indexByCount.assign(std::size_t(count) + 1, -1);
        exposed.indexByCount[count] = index;
        // moc lists the copies for default arguments right after the method, shortest last.
        for (int clone = index + 1; !exposed.takesContext && clone < meta->methodCount(); ++clone) {
            const QMetaMethod copy = meta->method(clone);
            if (!isCloned(copy) || copy.name() != method.name())
                break;
            exposed.indexByCount[copy.parameterCount()] = clone;
        }
        state->methods.push_back(std::move(exposed));
    }

    auto exposed = std::unique_ptr<ExposedObject>(new ExposedObject(registry, state));

    // Signals: each property's NOTIFY, and the others by name.
    std::map<int, std::vector<std::pair<int, QString>>> notifiers;
    for (std::size_t i = 0; i < state->properties.size(); ++i) {
        const QMetaProperty &property = state->properties[i].property;
        if (property.hasNotifySignal()) {
            notifiers[property.notifySignalIndex()].emplace_back(
                int(i),
                name + QLatin1Char('.') + state->properties[i].name + QStringLiteral("Changed"));
        }
    }
    QSet<int> notifySignals;
    for (int i = 0; i < meta->propertyCount(); ++i) {
        if (meta->property(i).hasNotifySignal())
            notifySignals.insert(meta->property(i).notifySignalIndex());
    }
    const auto isSignal = [&](const QMetaMethod &method) {
        return method.methodType() == QMetaMethod::Signal &&
               !excluded.contains(QString::fromLatin1(method.name()));
    };
    QSet<QString> eventNames;
    for (const auto &[signalName, index] : chosenOverloads(meta, base->methodCount(), isSignal)) {
        const QMetaMethod method = meta->method(index);
        Signal signal;
        signal.method = method;
        if (!notifySignals.contains(index)) {
            auto parameters = parametersOf(meta, method, method.parameterCount());
            if (auto *error = std::get_if<QString>(&parameters)) {
                return cannot + QStringLiteral("%1; exclude it with ExposeOptions::exclude or "
                                               "Q_CLASSINFO(\"%2\", \"%3\")")
                                    .arg(*error, QLatin1String(excludeClassInfo), signalName);
            }
            signal.parameters = std::get<std::vector<Parameter>>(std::move(parameters));
            signal.event = name + QLatin1Char('.') + signalName;
            exposed->m_events.push_back(
                {signal.event,
                 QStringLiteral("%1 emitted %2")
                     .arg(name, QString::fromLatin1(method.methodSignature())),
                 objectSchema(signal.parameters, int(signal.parameters.size())),
                 EventScope::Global});
        }
        signal.notifies = notifiers[index];
        for (const auto &[property, event] : signal.notifies) {
            const Property &notified = state->properties[property];
            exposed->m_events.push_back(
                {event, QStringLiteral("The property %1 of %2 changed").arg(notified.name, name),
                 objectSchema({{QStringLiteral("value"), notified.type}}, 1), EventScope::Global});
        }
        if (signal.event.isEmpty() && signal.notifies.empty())
            continue;
        exposed->m_signals.push_back(std::move(signal));
    }
    for (const EventDescriptor &event : exposed->m_events) {
        if (eventNames.contains(event.name))
            return cannot + QStringLiteral("two signals make the event %1").arg(event.name);
        eventNames.insert(event.name);
    }
    return exposed;
}

std::optional<QString> ExposedObject::resolveHome()
{
    QObject *object = m_state->object.data();
    QThread *thread = object->thread();
    if (thread == m_registry->thread())
        return std::nullopt;
    if (!thread || !thread->isRunning()) {
        return QStringLiteral("Cannot expose %1: its thread does not run an event loop")
            .arg(m_state->name);
    }
    // The object's thread makes its own mailbox, as every thread that runs handlers does; it
    // runs an event loop, so what it sends leaves in batches.
    std::shared_ptr<HandOff> home;
    QMetaObject::invokeMethod(
        object,
        [&home] {
            home = HandOff::current();
            home->setDefersWakeUps(true);
        },
        Qt::BlockingQueuedConnection);
    m_home = std::move(home);
    return std::nullopt;
}

std::optional<QString> ExposedObject::install()
{
    if (std::optional<QString> error = resolveHome())
        return error;
    CommandRegistryPrivate *registry = CommandRegistryPrivate::get(m_registry);
    const QString prefix = m_state->name + QLatin1Char('.');
    std::vector<CommandDescriptor> commands;
    for (const Method &method : m_state->methods) {
        CommandDescriptor command;
        command.name = prefix + method.name;
        command.description = method.description;
        int required = 0;
        while (required < int(method.parameters.size()) && method.indexByCount[required] < 0)
            ++required;
        command.argsSchema = objectSchema(method.parameters, required);
        command.mode = method.takesContext ? ExecutionMode::EventLoop : ExecutionMode::Synchronous;
        command.handler = [state = m_state, &method](CommandContext &context) {
            callMethod(*state, method, context);
        };
        commands.push_back(std::move(command));
    }
    if (!m_state->properties.empty()) {
        QStringList names;
        std::vector<Parameter> writable;
        for (const Property &property : m_state->properties) {
            names.append(property.name);
            if (property.property.isWritable())
                writable.push_back({property.name, property.type});
        }
        CommandDescriptor get;
        get.name = prefix + QStringLiteral("get");
        get.description = QStringLiteral("Reads the properties of %1: %2")
                              .arg(m_state->name, names.join(QStringLiteral(", ")));
        get.argsSchema = objectSchema({}, 0);
        get.mode = ExecutionMode::Synchronous;
        get.handler = [state = m_state](CommandContext &context) {
            getProperties(*state, context);
        };
        commands.push_back(get);
        CommandDescriptor set;
        set.name = prefix + QStringLiteral("set");
        set.description = QStringLiteral("Writes the given writable properties of %1, then "
                                         "answers as %1.get")
                              .arg(m_state->name);
        set.argsSchema = objectSchema(writable, 0);
        set.mode = ExecutionMode::Synchronous;
        set.handler = [state = m_state](CommandContext &context) {
            setProperties(*state, context);
        };
        commands.push_back(set);
    }

    for (const CommandDescriptor &command : commands) {
        if (!registry->addCommand(command, m_home)) {
            const QString error = registry->errorString;
            removeCommandsAndEvents();
            return error;
        }
        m_commands.append(command.name);
    }
    std::vector<EventDescriptor> declared;
    for (const EventDescriptor &event : m_events) {
        if (std::optional<QString> error = registry->events->declare(event)) {
            m_events = std::move(declared);
            removeCommandsAndEvents();
            return error;
        }
        declared.push_back(event);
    }

    const int firstRelay = QObject::staticMetaObject.methodCount();
    for (std::size_t i = 0; i < m_signals.size(); ++i) {
        QMetaObject::connect(m_state->object, m_signals[i].method.methodIndex(), this,
                             firstRelay + int(i), Qt::DirectConnection);
    }
    connect(
        m_state->object, &QObject::destroyed, this, [this] { objectDestroyed(); },
        Qt::DirectConnection);
    qCDebug(lcRegistry) << "exposed" << m_state->name << "with" << m_commands << "and"
                        << eventNames();
    return std::nullopt;
}

bool ExposedObject::isAlive() const
{
    const std::lock_guard locker(m_state->mutex);
    return !m_state->gone;
}

QStringList ExposedObject::eventNames() const
{
    QStringList names;
    for (const EventDescriptor &event : m_events)
        names.append(event.name);
    return names;
}

void ExposedObject::removeCommandsAndEvents()
{
    CommandRegistryPrivate *registry = CommandRegistryPrivate::get(m_registry);
    registry->removeCommands(m_commands);
    for (const EventDescriptor &event : m_events)
        registry->events->undeclare(event.name);
}

void ExposedObject::objectDestroyed()
{
    std::vector<QPointer<CommandContext>> waiting;
    {
        const std::lock_guard locker(m_state->mutex);
        m_state->gone = true;
        waiting.swap(m_state->waiting);
    }
    removeCommandsAndEvents();
    const QString message =
        QStringLiteral("The exposed object %1 was destroyed before the call finished")
            .arg(m_state->name);
    for (const QPointer<CommandContext> &context : waiting) {
        if (context)
            context->fail(ErrorCode::Internal, message);
    }
    qCDebug(lcRegistry) << "exposed object" << m_state->name << "destroyed";
    // The registry's thread owns this object; the object may have gone on another thread.
    QMetaObject::invokeMethod(
        m_registry,
        [registry = m_registry, name = m_state->name, self = this] {
            CommandRegistryPrivate::get(registry)->forgetExposed(name, self);
        },
        Qt::QueuedConnection);
}

int ExposedObject::qt_metacall(QMetaObject::Call call, int id, void **args)
{
    id = QObject::qt_metacall(call, id, args);
    if (id < 0 || call != QMetaObject::InvokeMetaMethod)
        return id;
    if (id < int(m_signals.size()))
        relay(m_signals[std::size_t(id)], args);
    return -1;
}

void ExposedObject::relay(const Signal &signal, void **args)
{
    if (!signal.event.isEmpty() && m_registry->hasEventSubscribers(signal.event)) {
        QJsonObject data;
        for (std::size_t i = 0; i < signal.parameters.size(); ++i)
            data.insert(signal.parameters[i].name, signal.parameters[i].type.toJson(args[i + 1]));
        m_registry->publishEvent(signal.event, data);
    }
    if (signal.notifies.empty())
        return;
    const QObject *object = m_state->object.data();
    if (!object)
        return;
    for (const auto &[index, event] : signal.notifies) {
        if (!m_registry->hasEventSubscribers(event))
            continue;
        const Property &property = m_state->properties[std::size_t(index)];
        m_registry->publishEvent(
            event, QJsonObject{{QStringLiteral("value"),
                                property.type.toJson(property.property.read(object))}});
    }
}

} // namespace CommandBridge
