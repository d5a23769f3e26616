// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "requestadmission_p.h"

#include <QtCore/QByteArray>

#include <functional>
#include <optional>

namespace CommandBridge {

/// Where each request on an HTTP connection begins and ends, as the gate reads it: a head
/// (parseRequestHead), then exactly Content-Length body bytes. Every head is shown to admission
/// first; a refused or unreadable head, or one with a Transfer-Encoding or an invalid
/// Content-Length, ends the framing, and nothing after it is read. The same bytes frame the same
/// whatever pieces they arrive in. Not thread-safe: used on its connection's thread.
class HttpRequestFramer
{
public:
    using Admission = std::function<std::optional<Refusal>(const HttpRequestHead &head)>;

    /// Bytes of one admitted request, in order: its head with as much of its body as arrived with
    /// it, then the rest of its body in as many pieces as it arrived in.
    struct Piece
    {
        /// The head of the request this piece starts; null for later body bytes of the latest
        /// one. Valid during the call only.
        const HttpRequestHead *head = nullptr;
        QByteArray bytes;
        /// The request is whole with this piece.
        bool endsRequest = false;
    };
    using Consumer = std::function<void(Piece &&piece)>;

    explicit HttpRequestFramer(Admission admission);

    /// Frames \a fresh, the next bytes received, handing each admitted piece to \a consumer.
    /// Stops at a refusal; from then on ignores everything.
    void frame(QByteArray fresh, const Consumer &consumer);

    /// Why the connection was refused; set once, by frame().
    const std::optional<Refusal> &refusal() const { return m_refusal; }
    /// Part of a head, or a body not yet complete, has arrived.
    bool isInsideRequest() const { return !m_partialHead.isEmpty() || m_bodyRemaining > 0; }

private:
    Admission m_admission;
    QByteArray m_partialHead;
    qint64 m_bodyRemaining = 0;
    std::optional<Refusal> m_refusal;
};

} // namespace CommandBridge
