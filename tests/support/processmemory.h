// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QByteArray>

#if defined(__SANITIZE_ADDRESS__)
#define COMMANDBRIDGE_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COMMANDBRIDGE_TEST_ASAN 1
#endif
#endif

namespace CommandBridgeTest {

/// AddressSanitizer keeps freed memory in quarantine and adds shadow memory, so resident size
/// says nothing about the process there; the memory tests check the rest at a smaller scale.
#ifdef COMMANDBRIDGE_TEST_ASAN
inline constexpr bool residentSizeIsMeaningful = false;
#else
inline constexpr bool residentSizeIsMeaningful = true;
#endif

/// A field of /proc/self/status in KiB ("VmRSS", "VmHWM"); -1 when it cannot be read.
qint64 procStatusKiB(const QByteArray &field);

} // namespace CommandBridgeTest
