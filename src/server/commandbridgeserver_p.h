// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include "mcproutes_p.h"
#include "networkshard_p.h"
#include "requestadmission_p.h"
#include "sessionstore_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QThread>
#include <QtCore/QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace CommandBridge {

class CommandBridgeServerPrivate
{
public:
    CommandBridgeServerPrivate(CommandBridgeServer *q, CommandRegistry *registry);
    ~CommandBridgeServerPrivate();

    void applyPolicy(const QHostAddress &address);
    QJsonObject health() const;
    void createShards();
    /// Runs \a work on \a shard's thread and waits for it.
    static void runOn(NetworkShard *shard, const std::function<void()> &work);
    /// Runs \a work on \a shard's thread: now when that is this one, else when it gets there.
    static void post(NetworkShard *shard, void (NetworkShard::*work)());
    /// The first shard listens; the others serve the same listening socket.
    bool listenOnShards(const QHostAddress &address, quint16 port);
    void distribute(qintptr socketDescriptor, bool overCapacity);
    void shardClosed();
    void finishShutdown();

    CommandBridgeServer *const q;
    CommandRegistry *const registry;
    ServerOptions options;
    QString errorString;
    QElapsedTimer uptime;
    bool listening = false;
    QHostAddress address;
    quint16 port = 0;
    bool shuttingDown = false;
    bool shutdownDone = false;
    int shardsOpen = 0;
    RequestAdmission admission;
    std::unique_ptr<SessionStore> sessions;
    /// After the store: its sessions are released into the store when it goes.
    const std::shared_ptr<McpSessions> mcpSessions;
    const std::shared_ptr<std::atomic<int>> openConnections = std::make_shared<std::atomic<int>>(0);
    const std::shared_ptr<std::atomic<int>> restInFlight = std::make_shared<std::atomic<int>>(0);
    /// Created by the first listen(); with network threads each lives on its own thread.
    std::vector<NetworkShard *> shards;
    std::vector<std::unique_ptr<QThread>> networkThreads;
    /// Round robin over the shards; every shard's router accepts.
    std::atomic<std::size_t> nextShard{0};
    std::unique_ptr<QTimer> shutdownGrace;
};

} // namespace CommandBridge
