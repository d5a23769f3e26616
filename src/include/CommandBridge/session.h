// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <functional>
#include <memory>

namespace CommandBridge {

class SessionPrivate;

/// The state a client keeps between commands: a small JSON object shared by every connection of
/// the session. Shared through std::shared_ptr, so a handler on a worker thread may keep using it
/// after the last connection left. All members are thread-safe.
///
/// Ownership: a server makes its sessions and keeps each while a connection or request uses it
/// and for ServerOptions::sessionIdleTime after; handlers get it from CommandContext::session().
/// Make one yourself only to pass in a CommandInvocation to CommandRegistry::createCommand().
class COMMANDBRIDGE_EXPORT Session
{
public:
    /// A session called \a id with an empty state.
    explicit Session(const QString &id);
    ~Session();

    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    /// The session id, as clients send it (`?session=`, `X-Session-Id`) and `hello` reports it.
    QString id() const;

    /// The state's value at \a key; undefined when there is none.
    QJsonValue value(const QString &key) const;
    /// Sets the state's \a key to \a value.
    void setValue(const QString &key, const QJsonValue &value);
    /// Removes \a key from the state.
    void remove(const QString &key);
    /// A copy of the whole state. For a read-modify-write, use update() instead.
    QJsonObject state() const;

    /// Changes the state atomically: \a mutator runs under the session's lock and must not block.
    void update(const std::function<void(QJsonObject &state)> &mutator);

private:
    std::unique_ptr<SessionPrivate> d;
};

} // namespace CommandBridge
