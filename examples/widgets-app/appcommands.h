// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

class BridgeWindow;

namespace CommandBridge {
class CommandRegistry;
} // namespace CommandBridge

/// Exposes \a window as `window` (window.get, window.set, window.paint, the event
/// window.headlineChanged), which run on the GUI thread, and registers primes, which counts primes
/// on the registry's worker pool. \a window must outlive \a registry's commands (it does: main()
/// destroys the server and the registry first).
void registerAppCommands(CommandBridge::CommandRegistry &registry, BridgeWindow &window);
