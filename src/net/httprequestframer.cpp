// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "httprequestframer_p.h"

#include "httprefusal_p.h"

#include <utility>

namespace CommandBridge {

HttpRequestFramer::HttpRequestFramer(Admission admission)
    : m_admission(std::move(admission))
{}

void HttpRequestFramer::frame(QByteArray fresh, const Consumer &consumer)
{
    // A head split across reads: at most maxRequestHeadBytes to join.
    if (!m_partialHead.isEmpty())
        fresh.prepend(std::exchange(m_partialHead, QByteArray()));
    // Framed from an offset: copying the rest after every request would make a read of many
    // pipelined requests quadratic.
    qsizetype at = 0;
    while (at < fresh.size() && !m_refusal) {
        const qsizetype left = fresh.size() - at;
        if (m_bodyRemaining > 0) {
            const qint64 taken = std::min<qint64>(m_bodyRemaining, left);
            m_bodyRemaining -= taken;
            Piece body;
            body.bytes = fresh.mid(at, taken);
            body.endsRequest = m_bodyRemaining == 0;
            at += taken;
            consumer(std::move(body));
            continue;
        }
        const QByteArray rest = QByteArray::fromRawData(fresh.constData() + at, left);
        const ParsedRequestHead parsed = parseRequestHead(rest, maxRequestHeadBytes);
        if (parsed.status == ParsedRequestHead::Status::Incomplete) {
            m_partialHead = fresh.mid(at);
            return;
        }
        m_refusal = parsed.status == ParsedRequestHead::Status::Complete
                        ? m_admission(parsed.head)
                        : std::optional<Refusal>(unreadableHeadRefusal(parsed.status));
        const std::optional<qint64> length = parsed.head.contentLength();
        // RequestAdmission refuses these with their own answers; whatever another admission
        // says, a body whose end only another parser would know is never framed.
        if (!m_refusal && (parsed.head.hasHeader("transfer-encoding") || (length && *length < 0)))
            m_refusal = unreadableHeadRefusal(ParsedRequestHead::Status::Malformed);
        if (m_refusal)
            return;
        // With what came of its body: a request read whole is passed on in one piece, usually
        // the read itself, uncopied.
        const qint64 bodyHere = std::min<qint64>(length.value_or(0), left - parsed.head.length);
        m_bodyRemaining = length.value_or(0) - bodyHere;
        Piece head;
        head.head = &parsed.head;
        head.bytes = fresh.mid(at, parsed.head.length + bodyHere);
        head.endsRequest = m_bodyRemaining == 0;
        at += parsed.head.length + bodyHere;
        consumer(std::move(head));
    }
}

} // namespace CommandBridge
