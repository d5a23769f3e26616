#pragma once

namespace CommandBridge {
class CommandRegistry;
} // namespace CommandBridge

#include <QtCore/QtGlobal>

namespace CommandBridge::Demo {

/// A session's history keeps its newest turns, this many at most.
inline constexpr qsizetype maxHistoryTurns = 100;

/// Registers the demo commands (echo, count, hash, history.add, history.list, compact, fail), one
/// per execution mode and feature, so clients and tests have something real to run.
void registerDemoCommands(CommandRegistry &registry);

} // namespace CommandBridge::Demo
