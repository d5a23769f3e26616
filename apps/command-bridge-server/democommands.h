// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QtGlobal>

namespace CommandBridge {
class CommandBridgeServer;
} // namespace CommandBridge

namespace CommandBridge::Demo {

/// A session's history keeps its newest turns, this many at most.
inline constexpr qsizetype maxHistoryTurns = 100;

/// Registers the demo commands (echo, count, hash, history.add, history.list, compact, broadcast,
/// fail), one per execution mode and feature, and the demo events (notice, history.changed,
/// stats), so clients and tests have something real to run.
void registerDemoCommands(CommandRegistry &registry);

/// The demo's `broadcast` command, which publishes `repeat` `notice` events a slice of 1000 per
/// pass of the event loop, for a registry that places it itself (the fan-out benchmark).
CommandBuilder broadcastCommand();
/// The `notice` event that `broadcast` publishes.
EventDescriptor noticeEvent();

/// Publishes the `stats` event of \a server once a second while anyone subscribes to it. The
/// timer is a child of \a server.
void publishStats(CommandRegistry &registry, CommandBridgeServer &server);

} // namespace CommandBridge::Demo
