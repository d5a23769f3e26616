#include "sessionstore_p.h"

#include <QtCore/QUuid>

namespace CommandBridge {

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
{}

SessionStore::~SessionStore() = default;

void SessionStore::setIdleTime(std::chrono::milliseconds idleTime)
{
    m_idleTime = idleTime;
}

std::shared_ptr<Session> SessionStore::acquire(const QString &id)
{
    const QString sessionId =
        id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    Entry &entry = m_sessions[sessionId];
    if (!entry.session)
        entry.session = std::make_shared<Session>(sessionId);
    ++entry.holders;
    entry.idleTimer.reset();
    return entry.session;
}

void SessionStore::release(const std::shared_ptr<Session> &session)
{
    if (!session)
        return;
    const auto found = m_sessions.find(session->id());
    if (found == m_sessions.end() || found->second.session != session)
        return;
    Entry &entry = found->second;
    if (--entry.holders > 0)
        return;
    entry.idleTimer = std::make_unique<QTimer>();
    entry.idleTimer->setSingleShot(true);
    const QString sessionId = session->id();
    connect(entry.idleTimer.get(), &QTimer::timeout, this, [this, sessionId] {
        const auto idle = m_sessions.find(sessionId);
        if (idle == m_sessions.end() || idle->second.holders > 0)
            return;
        // This slot runs inside the timer's own signal: the timer may not be deleted here.
        idle->second.idleTimer.release()->deleteLater();
        m_sessions.erase(idle);
    });
    entry.idleTimer->start(m_idleTime);
}

bool SessionStore::contains(const QString &id) const
{
    return m_sessions.count(id) > 0;
}

} // namespace CommandBridge
