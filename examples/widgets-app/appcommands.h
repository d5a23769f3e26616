#pragma once

class BridgeWindow;

namespace CommandBridge {
class CommandRegistry;
} // namespace CommandBridge

/// Registers the example's commands: set_title and set_color change \a window and run on the GUI
/// thread; primes counts primes on the registry's worker pool. \a window must outlive \a registry's
/// commands (it does: main() destroys the server and the registry first).
void registerAppCommands(CommandBridge::CommandRegistry &registry, BridgeWindow &window);
