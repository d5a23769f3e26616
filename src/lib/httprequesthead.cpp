#include "httprequesthead_p.h"

#include <QtCore/QUrl>

#include <algorithm>

namespace CommandBridge {
namespace {

bool isAsciiLetterOrNumber(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Whether the comma-separated \a list has \a token, ignoring case and spaces around items.
bool containsToken(QByteArrayView list, QByteArrayView token)
{
    while (!list.isEmpty()) {
        qsizetype comma = list.indexOf(',');
        if (comma < 0)
            comma = list.size();
        if (list.first(comma).trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
        list = list.sliced(std::min(comma + 1, list.size()));
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
    // The usual target, letters, digits and "/-._~" only, is its own path; QUrl for the rest.
    const bool plain = std::all_of(target.begin(), target.end(), [](char c) {
        return isAsciiLetterOrNumber(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    });
    return plain ? QString::fromLatin1(target) : QUrl(QString::fromUtf8(target)).path();
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

    // Views into buffer: every request passes here, so only what the head keeps is copied.
    const QByteArrayView head(buffer.constData(), end);
    qsizetype lineEnd = head.indexOf('\n');
    if (lineEnd < 0)
        lineEnd = head.size();
    const QByteArrayView requestLine = head.first(lineEnd).trimmed();
    // Exactly "METHOD SP TARGET SP VERSION".
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype secondSpace = requestLine.indexOf(' ', firstSpace + 1);
    if (firstSpace <= 0 || secondSpace < 0 || requestLine.indexOf(' ', secondSpace + 1) >= 0 ||
        !requestLine.sliced(firstSpace + 1).startsWith('/') ||
        !requestLine.sliced(secondSpace + 1).startsWith("HTTP/1.")) {
        parsed.status = ParsedRequestHead::Status::Malformed;
        return parsed;
    }
    parsed.head.method = requestLine.first(firstSpace).toByteArray();
    parsed.head.target =
        requestLine.sliced(firstSpace + 1, secondSpace - firstSpace - 1).toByteArray();
    parsed.head.headers.reserve(8);
    for (qsizetype lineStart = lineEnd + 1; lineStart <= head.size(); lineStart = lineEnd + 1) {
        lineEnd = head.indexOf('\n', lineStart);
        if (lineEnd < 0)
            lineEnd = head.size();
        const QByteArrayView line = head.sliced(lineStart, lineEnd - lineStart).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0) {
            parsed.status = ParsedRequestHead::Status::Malformed;
            return parsed;
        }
        parsed.head.headers.append({line.first(colon).trimmed().toByteArray().toLower(),
                                    line.sliced(colon + 1).trimmed().toByteArray()});
    }
    parsed.head.length = end + 4;
    parsed.status = ParsedRequestHead::Status::Complete;
    return parsed;
}

} // namespace CommandBridge
