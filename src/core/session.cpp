// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/session.h>

#include <QtCore/QMutex>
#include <QtCore/QMutexLocker>

namespace CommandBridge {

class SessionPrivate
{
public:
    explicit SessionPrivate(const QString &id)
        : id(id)
    {}

    const QString id;
    mutable QMutex mutex;
    QJsonObject state;
};

Session::Session(const QString &id)
    : d(std::make_unique<SessionPrivate>(id))
{}

Session::~Session() = default;

QString Session::id() const
{
    return d->id;
}

QJsonValue Session::value(const QString &key) const
{
    QMutexLocker locker(&d->mutex);
    return d->state.value(key);
}

void Session::setValue(const QString &key, const QJsonValue &value)
{
    QMutexLocker locker(&d->mutex);
    d->state.insert(key, value);
}

void Session::remove(const QString &key)
{
    QMutexLocker locker(&d->mutex);
    d->state.remove(key);
}

QJsonObject Session::state() const
{
    QMutexLocker locker(&d->mutex);
    return d->state;
}

void Session::update(const std::function<void(QJsonObject &)> &mutator)
{
    QMutexLocker locker(&d->mutex);
    mutator(d->state);
}

} // namespace CommandBridge
