#pragma once

#include <CommandBridge/session.h>

#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <unordered_map>

#include <chrono>
#include <memory>

namespace CommandBridge {

/// Sessions by id. A session is created on first use, stays while anything holds it, and is
/// dropped after it has been unused for the idle time. Lives on the server's thread.
class SessionStore : public QObject
{
    Q_OBJECT

public:
    explicit SessionStore(QObject *parent = nullptr);
    ~SessionStore() override;

    void setIdleTime(std::chrono::milliseconds idleTime);
    std::chrono::milliseconds idleTime() const { return m_idleTime; }

    /// The session \a id, created when missing; an empty id creates a new UUID session. The
    /// caller holds it until release().
    std::shared_ptr<Session> acquire(const QString &id = QString());
    /// The caller no longer holds \a session; its idle time starts when nobody does.
    void release(const std::shared_ptr<Session> &session);

    bool contains(const QString &id) const;
    int count() const { return int(m_sessions.size()); }

private:
    struct Entry
    {
        std::shared_ptr<Session> session;
        int holders = 0;
        std::unique_ptr<QTimer> idleTimer;
    };

    std::unordered_map<QString, Entry> m_sessions;
    std::chrono::milliseconds m_idleTime{std::chrono::minutes(30)};
};

} // namespace CommandBridge
