#include "httprequestframer_p.h"

#include "httprefusal_p.h"

#include <utility>

namespace CommandBridge {

HttpRequestFramer::HttpRequestFramer(Admission admission)
    : m_admission(std::move(admission))
{}

void HttpRequestFramer::frame(QByteArray fresh, const Consumer &consumer)
{
    while (!fresh.isEmpty() && !m_refusal) {
        if (m_bodyRemaining > 0) {
            const qint64 taken = std::min<qint64>(m_bodyRemaining, fresh.size());
            m_bodyRemaining -= taken;
            Piece body;
            body.bytes = fresh.left(taken);
            body.endsRequest = m_bodyRemaining == 0;
            fresh.remove(0, taken);
            consumer(std::move(body));
            continue;
        }
        m_partialHead += fresh;
        fresh.clear();
        const ParsedRequestHead parsed = parseRequestHead(m_partialHead, maxRequestHeadBytes);
        if (parsed.status == ParsedRequestHead::Status::Incomplete)
            return;
        m_refusal = parsed.status == ParsedRequestHead::Status::Complete
                        ? m_admission(parsed.head)
                        : std::optional<Refusal>(unreadableHeadRefusal(parsed.status));
        const std::optional<qint64> length = parsed.head.contentLength();
        // RequestAdmission refuses these with their own answers; whatever another admission
        // says, a body whose end only another parser would know is never framed.
        if (!m_refusal && (parsed.head.hasHeader("transfer-encoding") || (length && *length < 0)))
            m_refusal = unreadableHeadRefusal(ParsedRequestHead::Status::Malformed);
        if (m_refusal) {
            m_partialHead.clear();
            return;
        }
        m_bodyRemaining = length.value_or(0);
        fresh = m_partialHead.mid(parsed.head.length);
        m_partialHead.truncate(parsed.head.length);
        Piece head;
        head.head = &parsed.head;
        head.bytes = std::exchange(m_partialHead, QByteArray());
        head.endsRequest = m_bodyRemaining == 0;
        consumer(std::move(head));
    }
}

} // namespace CommandBridge
