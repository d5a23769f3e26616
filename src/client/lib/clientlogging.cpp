#include "clientlogging_p.h"

namespace CommandBridge {
Q_LOGGING_CATEGORY(lcClient, "commandbridge.client", QtInfoMsg)
} // namespace CommandBridge
