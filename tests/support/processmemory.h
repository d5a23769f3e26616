#pragma once

#include <QtCore/QByteArray>

namespace CommandBridgeTest {

/// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 when it cannot be read.
qint64 procStatusKiB(const QByteArray &field);

} // namespace CommandBridgeTest
