#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QString>

#include <functional>

namespace CommandBridge {

/// The state a client keeps between commands: a small JSON object shared by every connection of
/// the session. Shared through std::shared_ptr, so a handler on a worker thread may keep using it
/// after the last connection left. All members are thread-safe.
class COMMANDBRIDGE_EXPORT Session
{
public:
    explicit Session(const QString &id);

    QString id() const { return m_id; }

    QJsonValue value(const QString &key) const;
    void setValue(const QString &key, const QJsonValue &value);
    void remove(const QString &key);
    QJsonObject state() const;

    /// Changes the state atomically: \a mutator runs under the session's lock and must not block.
    void update(const std::function<void(QJsonObject &state)> &mutator);

private:
    const QString m_id;
    mutable QMutex m_mutex;
    QJsonObject m_state;
};

} // namespace CommandBridge
