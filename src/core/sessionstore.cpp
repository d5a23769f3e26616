// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "sessionstore_p.h"

#include <QtCore/QThread>
#include <QtCore/QUuid>

namespace CommandBridge {

SessionStore::SessionStore(QObject *parent)
    : QObject(parent)
{}

SessionStore::~SessionStore() = default;

void SessionStore::setIdleTime(std::chrono::milliseconds idleTime)
{
    QMutexLocker locker(&m_mutex);
    m_idleTime = idleTime;
}

std::chrono::milliseconds SessionStore::idleTime() const
{
    QMutexLocker locker(&m_mutex);
    return m_idleTime;
}

std::shared_ptr<Session> SessionStore::acquire(const QString &id)
{
    const QString sessionId =
        id.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : id;
    QMutexLocker locker(&m_mutex);
    Entry &entry = m_sessions[sessionId];
    if (!entry.session)
        entry.session = std::make_shared<Session>(sessionId);
    // A running idle timer stays: it finds the session held when it fires and lets it be.
    ++entry.holders;
    return entry.session;
}

void SessionStore::release(const std::shared_ptr<Session> &session)
{
    if (!session)
        return;
    {
        QMutexLocker locker(&m_mutex);
        const auto found = m_sessions.find(session->id());
        if (found == m_sessions.end() || found->second.session != session)
            return;
        if (--found->second.holders > 0)
            return;
    }
    if (QThread::currentThread() == thread()) {
        startIdleTimer(session->id());
        return;
    }
    QMetaObject::invokeMethod(
        this, [this, id = session->id()] { startIdleTimer(id); }, Qt::QueuedConnection);
}

void SessionStore::startIdleTimer(const QString &id)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(id);
    if (found == m_sessions.end() || found->second.holders > 0)
        return;
    Entry &entry = found->second;
    if (!entry.idleTimer) {
        entry.idleTimer = std::make_unique<QTimer>();
        entry.idleTimer->setSingleShot(true);
        connect(entry.idleTimer.get(), &QTimer::timeout, this, [this, id] { dropIfIdle(id); });
    }
    entry.idleTimer->start(m_idleTime);
}

void SessionStore::dropIfIdle(const QString &id)
{
    QMutexLocker locker(&m_mutex);
    const auto idle = m_sessions.find(id);
    if (idle == m_sessions.end() || idle->second.holders > 0)
        return;
    // This slot runs inside the timer's own signal: the timer may not be deleted here.
    idle->second.idleTimer.release()->deleteLater();
    m_sessions.erase(idle);
}

bool SessionStore::contains(const QString &id) const
{
    QMutexLocker locker(&m_mutex);
    return m_sessions.count(id) > 0;
}

int SessionStore::count() const
{
    QMutexLocker locker(&m_mutex);
    return int(m_sessions.size());
}

} // namespace CommandBridge
