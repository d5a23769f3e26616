// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

namespace CommandBridge {
class CommandBridgeServer;
class CommandRegistry;
} // namespace CommandBridge

#include <QtCore/QtGlobal>

namespace CommandBridge::Demo {

/// A session's history keeps its newest turns, this many at most.
inline constexpr qsizetype maxHistoryTurns = 100;

/// Registers the demo commands (echo, count, hash, history.add, history.list, compact, broadcast,
/// fail), one per execution mode and feature, and the demo events (notice, history.changed,
/// stats), so clients and tests have something real to run.
void registerDemoCommands(CommandRegistry &registry);

/// Publishes the `stats` event of \a server once a second while anyone subscribes to it. The
/// timer is a child of \a server.
void publishStats(CommandRegistry &registry, CommandBridgeServer &server);

} // namespace CommandBridge::Demo
