#include <CommandBridge/session.h>

#include <QtCore/QMutexLocker>

namespace CommandBridge {

Session::Session(const QString &id)
    : m_id(id)
{}

QJsonValue Session::value(const QString &key) const
{
    QMutexLocker locker(&m_mutex);
    return m_state.value(key);
}

void Session::setValue(const QString &key, const QJsonValue &value)
{
    QMutexLocker locker(&m_mutex);
    m_state.insert(key, value);
}

void Session::remove(const QString &key)
{
    QMutexLocker locker(&m_mutex);
    m_state.remove(key);
}

QJsonObject Session::state() const
{
    QMutexLocker locker(&m_mutex);
    return m_state;
}

void Session::update(const std::function<void(QJsonObject &)> &mutator)
{
    QMutexLocker locker(&m_mutex);
    mutator(m_state);
}

} // namespace CommandBridge
