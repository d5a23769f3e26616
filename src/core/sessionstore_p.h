// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/session.h>

#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <chrono>
#include <memory>
#include <unordered_map>

namespace CommandBridge {

/// Sessions by id. A session is created on first use, stays while anything holds it, and is
/// dropped after it has been unused for the idle time.
///
/// Threads: acquire(), release(), contains() and count() may be called from any thread (the
/// network threads share one store); the idle timers run on the store's own thread.
class SessionStore : public QObject
{
    Q_OBJECT

public:
    explicit SessionStore(QObject *parent = nullptr);
    ~SessionStore() override;

    void setIdleTime(std::chrono::milliseconds idleTime);
    std::chrono::milliseconds idleTime() const;

    /// The session \a id, created when missing; an empty id creates a new UUID session. The
    /// caller holds it until release().
    std::shared_ptr<Session> acquire(const QString &id = QString());
    /// The caller no longer holds \a session; its idle time starts when nobody does.
    void release(const std::shared_ptr<Session> &session);

    bool contains(const QString &id) const;
    int count() const;

private:
    struct Entry
    {
        std::shared_ptr<Session> session;
        int holders = 0;
        std::unique_ptr<QTimer> idleTimer;
    };

    void startIdleTimer(const QString &id);
    void dropIfIdle(const QString &id);

    mutable QMutex m_mutex;
    std::unordered_map<QString, Entry> m_sessions;
    std::chrono::milliseconds m_idleTime{std::chrono::minutes(30)};
};

} // namespace CommandBridge
