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
class COMMANDBRIDGE_EXPORT Session
{
public:
    explicit Session(const QString &id);
    ~Session();

    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    QString id() const;

    QJsonValue value(const QString &key) const;
    void setValue(const QString &key, const QJsonValue &value);
    void remove(const QString &key);
    QJsonObject state() const;

    /// Changes the state atomically: \a mutator runs under the session's lock and must not block.
    void update(const std::function<void(QJsonObject &state)> &mutator);

private:
    std::unique_ptr<SessionPrivate> d;
};

} // namespace CommandBridge
