#include "httprequesthead_p.h"

#include <QtCore/QUrl>

namespace CommandBridge {
namespace {

bool containsToken(const QByteArray &list, const QByteArray &token)
{
    const QList<QByteArray> items = list.split(',');
    for (const QByteArray &item : items) {
        if (item.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

} // namespace

QByteArray HttpRequestHead::header(const QByteArray &lowerCaseName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerCaseName)
            return value;
    }
    return QByteArray();
}

QString HttpRequestHead::path() const
{
    return QUrl(QString::fromUtf8(target)).path();
}

QUrlQuery HttpRequestHead::query() const
{
    return QUrlQuery(QUrl(QString::fromUtf8(target)));
}

bool HttpRequestHead::isWebSocketUpgrade() const
{
    return containsToken(header("upgrade"), "websocket") &&
           containsToken(header("connection"), "upgrade");
}

std::optional<qint64> HttpRequestHead::contentLength() const
{
    for (const auto &[name, value] : headers) {
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.trimmed().toLongLong(&ok);
            return ok && length >= 0 ? length : -1;
        }
    }
    return std::nullopt;
}

ParsedRequestHead parseRequestHead(const QByteArray &buffer, qsizetype maxBytes)
{
    ParsedRequestHead parsed;
    const qsizetype end = buffer.indexOf("\r\n\r\n");
    if (end < 0) {
        parsed.status = buffer.size() > maxBytes ? ParsedRequestHead::Status::TooLarge
                                                 : ParsedRequestHead::Status::Incomplete;
        return parsed;
    }
    if (end + 4 > maxBytes) {
        parsed.status = ParsedRequestHead::Status::TooLarge;
        return parsed;
    }

    const QList<QByteArray> lines = buffer.left(end).split('\n');
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine.at(2).startsWith("HTTP/1.") ||
        requestLine.at(0).isEmpty() || !requestLine.at(1).startsWith('/')) {
        parsed.status = ParsedRequestHead::Status::Malformed;
        return parsed;
    }
    parsed.head.method = requestLine.at(0);
    parsed.head.target = requestLine.at(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            parsed.status = ParsedRequestHead::Status::Malformed;
            return parsed;
        }
        parsed.head.headers.append(
            {line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    parsed.head.length = end + 4;
    parsed.status = ParsedRequestHead::Status::Complete;
    return parsed;
}

} // namespace CommandBridge
