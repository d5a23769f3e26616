// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "requestadmission_p.h"

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace CommandBridge {

/// Heads longer than this are refused with 431 before anything else reads them.
inline constexpr qsizetype maxRequestHeadBytes = 16 * 1024;

/// The refusal of a head that cannot be read: 431 when too large, 400 when malformed.
Refusal unreadableHeadRefusal(ParsedRequestHead::Status status);

/// Writes \a refusal as a JSON error response, then closes \a socket after a bounded drain so the
/// client can read the answer. The socket deletes itself once closed.
void refuseConnection(QTcpSocket *socket, const Refusal &refusal);

} // namespace CommandBridge
