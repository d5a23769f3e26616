// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "logging_p.h"

namespace CommandBridge {
Q_LOGGING_CATEGORY(lcRegistry, "commandbridge.registry", QtInfoMsg)
Q_LOGGING_CATEGORY(lcCommands, "commandbridge.commands", QtInfoMsg)
Q_LOGGING_CATEGORY(lcEvents, "commandbridge.events", QtInfoMsg)
Q_LOGGING_CATEGORY(lcAccess, "commandbridge.access", QtInfoMsg)
Q_LOGGING_CATEGORY(lcWebSocket, "commandbridge.websocket", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRest, "commandbridge.rest", QtInfoMsg)
Q_LOGGING_CATEGORY(lcRouter, "commandbridge.router", QtInfoMsg)
} // namespace CommandBridge
