#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include "connectionrouter_p.h"
#include "requestadmission_p.h"
#include "restroutes_p.h"
#include "sessionstore_p.h"
#include "websocketbridge_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtHttpServer/QHttpServer>

#include <memory>

namespace CommandBridge {

class CommandBridgeServerPrivate
{
public:
    CommandBridgeServerPrivate(CommandBridgeServer *q, CommandRegistry *registry);

    void applyPolicy();
    QJsonObject health() const;
    void finishShutdown();

    CommandBridgeServer *const q;
    CommandRegistry *const registry;
    ServerOptions options;
    QString errorString;
    QElapsedTimer uptime;
    bool shuttingDown = false;
    bool shutdownDone = false;
    RequestAdmission admission;
    // Declared in dependency order: front ends go before the sessions and the router they use.
    std::unique_ptr<SessionStore> sessions;
    std::unique_ptr<ConnectionRouter> router;
    std::unique_ptr<QHttpServer> http;
    std::unique_ptr<RestRoutes> rest;
    std::unique_ptr<WebSocketBridge> webSockets;
    std::unique_ptr<QTimer> shutdownGrace;
};

} // namespace CommandBridge
