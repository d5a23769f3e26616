// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandcall.h>

#include <QtCore/QObject>
#include <QtQml/QQmlListProperty>

namespace CommandBridge {
class CommandClient;
}

namespace CommandBridge::Qml {

/// What QML sees of a CommandClient beyond its own properties: `calls` as a list property, which
/// needs Qt Qml and so is not part of the client library.
///
/// Ownership: made by the QML engine as a child of the client it extends. Threads: the client's.
class CommandClientExtension : public QObject
{
    Q_OBJECT
    Q_PROPERTY(QQmlListProperty<CommandBridge::CommandCall> calls READ calls NOTIFY callsChanged)

public:
    explicit CommandClientExtension(QObject *client);

    /// CommandClient::calls(), oldest first.
    QQmlListProperty<CommandCall> calls();

Q_SIGNALS:
    void callsChanged();

private:
    CommandClient *m_client;
};

} // namespace CommandBridge::Qml
