// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "clientlogging_p.h"

namespace CommandBridge {
Q_LOGGING_CATEGORY(lcClient, "commandbridge.client", QtInfoMsg)
} // namespace CommandBridge
