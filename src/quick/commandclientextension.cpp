// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "commandclientextension_p.h"

#include <CommandBridge/commandclient.h>

namespace CommandBridge::Qml {

namespace {

CommandClient *clientOf(QQmlListProperty<CommandCall> *list)
{
    return static_cast<CommandClient *>(list->object);
}

} // namespace

CommandClientExtension::CommandClientExtension(QObject *client)
    : QObject(client)
    , m_client(qobject_cast<CommandClient *>(client))
{
    Q_ASSERT(m_client);
    connect(m_client, &CommandClient::callsChanged, this, &CommandClientExtension::callsChanged);
}

QQmlListProperty<CommandCall> CommandClientExtension::calls()
{
    return QQmlListProperty<CommandCall>(
        m_client, nullptr,
        [](QQmlListProperty<CommandCall> *list) { return clientOf(list)->calls().size(); },
        [](QQmlListProperty<CommandCall> *list, qsizetype index) {
            return clientOf(list)->calls().value(index);
        });
}

} // namespace CommandBridge::Qml
