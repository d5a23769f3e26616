// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "commandclientextension_p.h"

#include <CommandBridge/commandcall.h>
#include <CommandBridge/commandclient.h>
#include <CommandBridge/commandlistmodel.h>
#include <CommandBridge/eventlistmodel.h>
#include <CommandBridge/eventsubscription.h>

#include <QtQml/qqml.h>

// `import CommandBridge`: the client library's classes registered as QML types from here, so
// that the client library itself needs no Qt Qml (a widgets app links only Core and Network).

namespace CommandBridge::Qml {

struct CommandClientForeign
{
    Q_GADGET
    QML_FOREIGN(CommandBridge::CommandClient)
    QML_NAMED_ELEMENT(CommandClient)
    QML_EXTENDED(CommandBridge::Qml::CommandClientExtension)
};

struct CommandCallForeign
{
    Q_GADGET
    QML_FOREIGN(CommandBridge::CommandCall)
    QML_NAMED_ELEMENT(CommandCall)
    QML_UNCREATABLE("CommandCall objects are made by CommandClient.run()")
};

struct CommandListModelForeign
{
    Q_GADGET
    QML_FOREIGN(CommandBridge::CommandListModel)
    QML_NAMED_ELEMENT(CommandListModel)
    QML_UNCREATABLE("Use CommandClient.commands")
};

struct EventListModelForeign
{
    Q_GADGET
    QML_FOREIGN(CommandBridge::EventListModel)
    QML_NAMED_ELEMENT(EventListModel)
    QML_UNCREATABLE("Use CommandClient.events")
};

struct EventSubscriptionForeign
{
    Q_GADGET
    QML_FOREIGN(CommandBridge::EventSubscription)
    QML_NAMED_ELEMENT(EventSubscription)
};

} // namespace CommandBridge::Qml
