#pragma once

#include <QtCore/QLoggingCategory>

namespace CommandBridge {
Q_DECLARE_LOGGING_CATEGORY(lcClient)
} // namespace CommandBridge
