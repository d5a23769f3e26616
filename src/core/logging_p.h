#pragma once

#include <QtCore/QLoggingCategory>

namespace CommandBridge {
Q_DECLARE_LOGGING_CATEGORY(lcRegistry)
Q_DECLARE_LOGGING_CATEGORY(lcEvents)
Q_DECLARE_LOGGING_CATEGORY(lcWebSocket)
Q_DECLARE_LOGGING_CATEGORY(lcRest)
Q_DECLARE_LOGGING_CATEGORY(lcRouter)
} // namespace CommandBridge
