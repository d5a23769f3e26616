// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandregistry.h>

#include "handoff_p.h"

#include <QtCore/QReadWriteLock>

#include <atomic>
#include <map>
#include <memory>
#include <vector>

namespace CommandBridge {

class CommandRun;
class EventBus;
class ExposedObject;
class SchemaValidator;

class CommandRegistryPrivate
{
public:
    struct Entry
    {
        std::shared_ptr<const CommandDescriptor> descriptor;
        /// The app's schema plus the optional "session_id" every command accepts.
        QJsonObject schema;
        std::unique_ptr<SchemaValidator> validator;
        std::vector<std::pair<QString, QJsonValue>> defaults;
        /// Where a HandlerThread::Registry handler runs when not on the registry's thread: an
        /// exposed object's thread. Null for the registry's.
        std::shared_ptr<HandOff> handlerHome;
        ~Entry();
    };

    explicit CommandRegistryPrivate(CommandRegistry *q);

    static CommandRegistryPrivate *get(CommandRegistry *registry) { return registry->d.get(); }

    /// Validates \a invocation and makes its run on the calling thread; a request that cannot
    /// run gets a run that finishes with the matching error when started.
    std::shared_ptr<CommandRun> prepare(CommandInvocation invocation);
    std::shared_ptr<const Entry> find(const QString &name) const;

    /// registerCommand() with the handler placed on \a handlerHome's thread (null: the
    /// registry's).
    bool addCommand(const CommandDescriptor &descriptor, std::shared_ptr<HandOff> handlerHome);
    /// From any thread; runs already prepared keep their descriptor.
    void removeCommands(const QStringList &names);
    /// An exposed object was destroyed; registry's thread only.
    void forgetExposed(const QString &name, const ExposedObject *exposed);

    // Called by runs on the thread that serves them.
    void commandStarted(const CommandRun &run);
    void commandProgressed(const CommandRun &run, const CommandProgress &progress);
    void commandFinished(const CommandRun &run, bool counted, const CommandResult &result);

    // The contexts living on the registry's thread for other threads' requests; that thread only.
    void listHere(CommandRun *run);
    void unlistHere(CommandRun *run);
    CommandRun *handlersHere = nullptr;

    CommandRegistry *const q;
    /// The registry thread's mailbox, where HandlerThread::Registry handlers are handed.
    const std::shared_ptr<HandOff> home;
    mutable QReadWriteLock lock;
    std::map<QString, std::shared_ptr<const Entry>> commands;
    /// Before the pool: worker handlers may publish until the pool has waited for them.
    const std::shared_ptr<EventBus> events;
    std::unique_ptr<QThreadPool> pool;
    std::chrono::milliseconds maxTimeout{std::chrono::minutes(10)};
    QString errorString;
    std::atomic<int> inFlight{0};
    std::atomic<quint64> nextSerial{1};
    /// Connections to the three command signals: none, and no CommandInfo is built.
    std::atomic<int> watchers{0};
    /// The objects exposed by name; registry's thread only.
    std::map<QString, std::unique_ptr<ExposedObject>> exposed;

private:
    std::optional<CommandResult> validate(const Entry &entry, QJsonObject &args,
                                          CommandInvocation &invocation) const;
    CommandInfo info(const CommandRun &run) const;
};

} // namespace CommandBridge
