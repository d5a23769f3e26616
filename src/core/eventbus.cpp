// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "eventbus_p.h"

#include "commandregistry_p.h"
#include "handoff_p.h"
#include "logging_p.h"
#include "protocol_p.h"
#include "schemavalidator_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>

#include <algorithm>

namespace CommandBridge {
namespace {

QString scopeName(EventScope scope)
{
    return scope == EventScope::Session ? QStringLiteral("session") : QStringLiteral("global");
}

} // namespace

EventBus::Declared::~Declared() = default;

bool EventBus::entryMatches(const QString &entry, const QString &name)
{
    if (entry == QLatin1String("*"))
        return true;
    if (entry.endsWith(QLatin1String(".*")))
        return name.size() > entry.size() - 1 &&
               QStringView(name).startsWith(QStringView(entry).chopped(1));
    return entry == name;
}

std::optional<QString> EventBus::declare(const EventDescriptor &descriptor)
{
    static const QRegularExpression namePattern(QStringLiteral("^[A-Za-z0-9._-]{1,128}$"));
    if (!namePattern.match(descriptor.name).hasMatch()) {
        return QStringLiteral("Invalid event name \"%1\": use 1 to 128 of [A-Za-z0-9._-]")
            .arg(descriptor.name);
    }
    auto declared = std::make_shared<Declared>();
    auto compiled = SchemaValidator::compile(descriptor.dataSchema);
    if (auto *error = std::get_if<QString>(&compiled)) {
        return QStringLiteral("Event \"%1\" has an invalid schema: %2")
            .arg(descriptor.name, *error);
    }
    declared->validator = std::move(std::get<std::unique_ptr<SchemaValidator>>(compiled));
    declared->descriptor = descriptor;

    QWriteLocker locker(&m_lock);
    if (m_events.count(descriptor.name))
        return QStringLiteral("Event \"%1\" is already registered").arg(descriptor.name);
    int interest = 0;
    for (auto entry = m_entries.cbegin(); entry != m_entries.cend(); ++entry) {
        if (entryMatches(entry.key(), descriptor.name))
            interest += entry.value();
    }
    declared->interest.store(interest, std::memory_order_relaxed);
    m_events.emplace(descriptor.name, std::move(declared));
    return std::nullopt;
}

void EventBus::undeclare(const QString &name)
{
    QWriteLocker locker(&m_lock);
    m_events.erase(name);
}

std::shared_ptr<const EventBus::Declared> EventBus::find(const QString &name) const
{
    QReadLocker locker(&m_lock);
    const auto found = m_events.find(name);
    return found == m_events.end() ? nullptr : found->second;
}

QJsonArray EventBus::describe() const
{
    QReadLocker locker(&m_lock);
    QJsonArray events;
    for (const auto &[name, declared] : m_events) {
        const EventDescriptor &descriptor = declared->descriptor;
        events.append(QJsonObject{
            {Protocol::Key::name, name},
            {Protocol::Key::description, descriptor.description},
            {Protocol::Key::dataSchema, descriptor.dataSchema},
            {Protocol::Key::scope, scopeName(descriptor.scope)},
        });
    }
    return events;
}

bool EventBus::hasSubscribers(const QString &name) const
{
    const std::shared_ptr<const Declared> declared = find(name);
    return declared && declared->interest.load(std::memory_order_relaxed) > 0;
}

bool EventBus::publish(const QString &name, const QString &sessionId, const QJsonObject &data,
                       const QString &coalescingKey)
{
    return publish(find(name).get(), name, sessionId, data, coalescingKey);
}

bool EventBus::publishFromCommand(const QString &name, const QString &commandSession,
                                  const QJsonObject &data, const QString &coalescingKey)
{
    const std::shared_ptr<const Declared> declared = find(name);
    if (!declared || declared->descriptor.scope == EventScope::Global)
        return publish(declared.get(), name, QString(), data, coalescingKey);
    if (commandSession.isEmpty()) {
        qCWarning(lcEvents) << "not published:" << name
                            << "is a session event and the command runs without a session";
        return false;
    }
    return publish(declared.get(), name, commandSession, data, coalescingKey);
}

bool EventBus::publish(const Declared *declared, const QString &name, const QString &sessionId,
                       const QJsonObject &data, const QString &coalescingKey)
{
    if (!declared) {
        qCWarning(lcEvents) << "not published: no event" << name << "is declared";
        return false;
    }
    const EventScope scope = sessionId.isEmpty() ? EventScope::Global : EventScope::Session;
    if (declared->descriptor.scope != scope) {
        qCWarning(lcEvents).noquote() << "not published:" << name << "is a"
                                      << scopeName(declared->descriptor.scope) << "event";
        return false;
    }
    if (declared->interest.load(std::memory_order_relaxed) == 0)
        return true;
    const QJsonArray problems = declared->validator->validate(data);
    if (!problems.isEmpty()) {
        qCWarning(lcEvents) << "not published:" << name
                            << "data does not match its schema:" << problems;
        return false;
    }

    auto event = std::make_shared<PublishedEvent>();
    event->name = name;
    event->sessionId = sessionId;
    event->replacementKey =
        coalescingKey.isEmpty() ? name : name + QLatin1Char('\n') + coalescingKey;
    event->data = QJsonDocument(data).toJson(QJsonDocument::Compact);

    std::vector<std::shared_ptr<EventHub>> hubs;
    {
        QReadLocker locker(&m_lock);
        hubs = m_hubs;
    }
    std::shared_ptr<EventHub> here;
    for (std::shared_ptr<EventHub> &hub : hubs) {
        if (hub->home()->isCurrent())
            here = hub;
        else
            hub->home()->post({HandOff::Kind::Event, nullptr, HandOff::EventDelivery{hub, event}});
    }
    // Last, so a subscriber here that publishes in turn cannot overtake this one elsewhere.
    if (here)
        here->deliver(*event);
    return true;
}

void EventBus::addEntry(const QString &entry)
{
    QWriteLocker locker(&m_lock);
    ++m_entries[entry];
    for (const auto &[name, declared] : m_events) {
        if (entryMatches(entry, name))
            declared->interest.fetch_add(1, std::memory_order_relaxed);
    }
}

void EventBus::removeEntry(const QString &entry)
{
    QWriteLocker locker(&m_lock);
    const auto counted = m_entries.find(entry);
    if (counted == m_entries.end())
        return;
    if (--counted.value() == 0)
        m_entries.erase(counted);
    for (const auto &[name, declared] : m_events) {
        if (entryMatches(entry, name))
            declared->interest.fetch_sub(1, std::memory_order_relaxed);
    }
}

std::shared_ptr<EventHub> EventBus::hubHere()
{
    const std::shared_ptr<HandOff> &home = HandOff::current();
    QWriteLocker locker(&m_lock);
    for (const std::shared_ptr<EventHub> &hub : m_hubs) {
        if (hub->home() == home)
            return hub;
    }
    return m_hubs.emplace_back(std::make_shared<EventHub>(home));
}

void EventBus::dropHubIfIdle(const std::shared_ptr<EventHub> &hub)
{
    if (!hub->isIdle())
        return;
    QWriteLocker locker(&m_lock);
    m_hubs.erase(std::remove(m_hubs.begin(), m_hubs.end(), hub), m_hubs.end());
}

EventHub::EventHub(std::shared_ptr<HandOff> home)
    : m_home(std::move(home))
{}

void EventHub::deliver(const PublishedEvent &event)
{
    const bool nested = std::exchange(m_delivering, true);
    // By index: a subscriber may subscribe others (appended) or go (nulled) meanwhile.
    for (std::size_t i = 0; i < m_subscriptions.size(); ++i) {
        ConnectionSubscription *subscription = m_subscriptions[i];
        if (subscription && subscription->matches(event))
            subscription->subscriber()->eventPublished(event);
    }
    if (nested)
        return;
    m_delivering = false;
    m_subscriptions.erase(std::remove(m_subscriptions.begin(), m_subscriptions.end(), nullptr),
                          m_subscriptions.end());
}

ConnectionSubscription::ConnectionSubscription(CommandRegistry *registry,
                                               EventSubscriber *subscriber, QString sessionId)
    : m_registry(registry)
    , m_bus(CommandRegistryPrivate::get(registry)->events)
    , m_subscriber(subscriber)
    , m_sessionId(std::move(sessionId))
{}

ConnectionSubscription::~ConnectionSubscription()
{
    for (const QString &entry : m_entries)
        m_bus->removeEntry(entry);
    detach();
}

std::optional<ConnectionSubscription::Refusal>
ConnectionSubscription::check(CommandRegistry *registry, const QStringList &entries,
                              const std::set<QString> &held)
{
    const EventBus &bus = *CommandRegistryPrivate::get(registry)->events;
    std::set<QString> all = held;
    for (const QString &entry : entries) {
        const bool pattern = entry == QLatin1String("*") || entry.endsWith(QLatin1String(".*"));
        if (!pattern && !bus.contains(entry)) {
            return Refusal{ErrorCode::UnknownEvent,
                           QStringLiteral("Unknown event \"%1\"").arg(entry)};
        }
        all.insert(entry);
    }
    if (all.size() > maxEntries) {
        return Refusal{ErrorCode::BadMessage,
                       QStringLiteral("Too many subscriptions (limit %1)").arg(maxEntries)};
    }
    return std::nullopt;
}

std::optional<ConnectionSubscription::Refusal>
ConnectionSubscription::subscribe(const QStringList &entries)
{
    if (std::optional<Refusal> refusal = check(m_registry, entries, m_entries))
        return refusal;
    for (const QString &entry : entries) {
        if (m_entries.insert(entry).second)
            m_bus->addEntry(entry);
    }
    attach();
    return std::nullopt;
}

void ConnectionSubscription::unsubscribe(const QStringList &entries)
{
    for (const QString &entry : entries) {
        if (m_entries.erase(entry))
            m_bus->removeEntry(entry);
    }
    if (m_entries.empty())
        detach();
}

bool ConnectionSubscription::matches(const PublishedEvent &event) const
{
    if (!event.sessionId.isEmpty() && event.sessionId != m_sessionId)
        return false;
    return std::any_of(m_entries.cbegin(), m_entries.cend(), [&](const QString &entry) {
        return EventBus::entryMatches(entry, event.name);
    });
}

void ConnectionSubscription::attach()
{
    if (m_hub || m_entries.empty())
        return;
    m_hub = m_bus->hubHere();
    m_hub->m_subscriptions.push_back(this);
}

void ConnectionSubscription::detach()
{
    if (!m_hub)
        return;
    auto &subscriptions = m_hub->m_subscriptions;
    const auto self = std::find(subscriptions.begin(), subscriptions.end(), this);
    if (m_hub->m_delivering)
        *self = nullptr;
    else
        subscriptions.erase(self);
    m_bus->dropHubIfIdle(m_hub);
    m_hub.reset();
}

} // namespace CommandBridge
