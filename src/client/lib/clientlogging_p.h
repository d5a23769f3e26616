// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QLoggingCategory>

namespace CommandBridge {
Q_DECLARE_LOGGING_CATEGORY(lcClient)
} // namespace CommandBridge
