#pragma once

namespace CommandBridge {
class CommandRegistry;
} // namespace CommandBridge

namespace CommandBridge::Demo {

/// Registers the demo commands (echo, count, hash, history.add, history.list, compact, fail), one
/// per execution mode and feature, so clients and tests have something real to run.
void registerDemoCommands(CommandRegistry &registry);

} // namespace CommandBridge::Demo
