// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandregistry.h>

#include "jsontype_p.h"

#include <QtCore/QMetaProperty>
#include <QtCore/QObject>
#include <QtCore/QPointer>

#include <memory>
#include <mutex>
#include <variant>
#include <vector>

namespace CommandBridge {

class HandOff;

/// One object exposed by CommandRegistry::exposeObject() (protocol section 13): what its
/// meta-object says, read once, and the commands and events derived from it.
///
/// Lives on the registry's thread, which owns it (CommandRegistryPrivate::exposed). Its commands
/// run on the object's thread through the registry's hand-off; its signals reach it there,
/// directly (it is their receiver without being a Q_OBJECT: qt_metacall() takes the signal's
/// slot in its table), and it publishes them as events from that thread. When the object is
/// destroyed, it removes its commands and events at once, ends the calls still waiting for the
/// object with `internal`, and asks the registry's thread to delete it.
class ExposedObject : public QObject
{
public:
    /// Reads \a object's class, or returns why it cannot be exposed.
    static std::variant<std::unique_ptr<ExposedObject>, QString> read(CommandRegistry *registry,
                                                                      const QString &name,
                                                                      QObject *object,
                                                                      const ExposeOptions &options);
    ~ExposedObject() override;

    /// Adds the commands and events and connects the signals, or returns why not (then nothing
    /// was added).
    std::optional<QString> install();
    /// False once the object was destroyed.
    bool isAlive() const;

    int qt_metacall(QMetaObject::Call call, int id, void **args) override;

    struct Parameter
    {
        QString name;
        JsonType type;
    };
    struct Method
    {
        QString name;
        QString description;
        std::vector<Parameter> parameters;
        /// The method index to call with n parameters given (n = the position in the list), -1
        /// where no overload takes n: moc gives a method with default arguments one per count.
        std::vector<int> indexByCount;
        std::optional<JsonType> result;
        bool takesContext = false;
    };
    struct Property
    {
        QString name;
        QMetaProperty property;
        JsonType type;
    };
    struct Signal
    {
        QMetaMethod method;
        /// The event of a plain signal, with its parameters; empty for a NOTIFY signal only.
        QString event;
        std::vector<Parameter> parameters;
        /// The properties it is the NOTIFY signal of, by position in State::properties, each
        /// with its event.
        std::vector<std::pair<int, QString>> notifies;
    };

    /// What the commands' handlers share with this object; outlives it while calls run.
    struct State
    {
        QString name;
        QPointer<QObject> object;
        std::vector<Method> methods;
        std::vector<Property> properties;
        std::mutex mutex;
        /// Calls whose method took their context and has not finished it yet.
        std::vector<QPointer<CommandContext>> waiting;
        bool gone = false;
    };

private:
    ExposedObject(CommandRegistry *registry, std::shared_ptr<State> state);
    std::optional<QString> resolveHome();
    void objectDestroyed();
    void relay(const Signal &signal, void **args);
    QStringList commandNames() const;
    QStringList eventNames() const;
    void removeCommandsAndEvents();

    CommandRegistry *const m_registry;
    const std::shared_ptr<State> m_state;
    std::vector<Signal> m_signals;
    std::shared_ptr<HandOff> m_home;
    std::vector<EventDescriptor> m_events;
    QStringList m_commands;
};

} // namespace CommandBridge
