#include "httprequestgate_p.h"

#include "connectionrouter_p.h"

#include <QtNetwork/QTcpSocket>

namespace CommandBridge {
namespace {

constexpr qsizetype maxHeadBytes = 16 * 1024;

} // namespace

HttpRequestGate::HttpRequestGate(QTcpSocket *socket, Admission admission)
    : QObject(socket)
    , m_socket(socket)
    , m_admission(std::move(admission))
{
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpRequestGate::beforeRead);
}

void HttpRequestGate::watchReads()
{
    connect(m_socket, &QTcpSocket::readyRead, this,
            [this] { m_framedUnread = m_socket->bytesAvailable(); });
}

void HttpRequestGate::beforeRead()
{
    if (m_refused)
        return;
    const qint64 available = m_socket->bytesAvailable();
    if (available > m_framedUnread)
        frame(m_socket->peek(available).mid(m_framedUnread));
    m_framedUnread = available;
}

void HttpRequestGate::frame(QByteArray fresh)
{
    while (!fresh.isEmpty() && !m_refused) {
        if (m_bodyRemaining > 0) {
            const qint64 taken = std::min<qint64>(m_bodyRemaining, fresh.size());
            m_bodyRemaining -= taken;
            fresh.remove(0, taken);
            continue;
        }
        m_partialHead += fresh;
        fresh.clear();
        const ParsedRequestHead parsed = parseRequestHead(m_partialHead, maxHeadBytes);
        std::optional<Refusal> refusal;
        switch (parsed.status) {
        case ParsedRequestHead::Status::Incomplete:
            return;
        case ParsedRequestHead::Status::TooLarge:
            refusal = Refusal(431, errorCodeString(ErrorCode::BadMessage),
                              QStringLiteral("Request head too large"));
            break;
        case ParsedRequestHead::Status::Malformed:
            refusal = Refusal(400, errorCodeString(ErrorCode::BadMessage),
                              QStringLiteral("Malformed HTTP request"));
            break;
        case ParsedRequestHead::Status::Complete:
            refusal = m_admission(parsed.head);
            break;
        }
        if (refusal) {
            m_refused = true;
            // QHttpServer must not read the refused request: take it out of the buffer first.
            m_socket->readAll();
            ConnectionRouter::refuse(m_socket, *refusal);
            return;
        }
        m_bodyRemaining = parsed.head.contentLength().value_or(0);
        fresh = m_partialHead.mid(parsed.head.length);
        m_partialHead.clear();
    }
}

} // namespace CommandBridge
