// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "httprequesthead_p.h"

#include <QtCore/QUrl>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace CommandBridge {
namespace {

constexpr bool isAsciiLetterOrNumber(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/// Which bytes are RFC 9110's tchar (what a method or a header name is made of) and which may
/// appear in a field value (visible characters, spaces, tabs and obs-text, no other controls):
/// looked up, since every byte of every head is checked.
struct CharClasses
{
    std::array<bool, 256> token{};
    std::array<bool, 256> fieldValue{};

    constexpr CharClasses()
    {
        for (int c = 0; c < 256; ++c) {
            token[c] = isAsciiLetterOrNumber(char(c));
            fieldValue[c] = c == '\t' || (c >= 0x20 && c != 0x7f);
        }
        for (const char c : std::string_view("!#$%&'*+-.^_`|~"))
            token[static_cast<unsigned char>(c)] = true;
    }
};

constexpr CharClasses charClasses;

bool isToken(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) {
        return charClasses.token[static_cast<unsigned char>(c)];
    });
}

bool isFieldValue(QByteArrayView text)
{
    return std::all_of(text.begin(), text.end(), [](char c) {
        return charClasses.fieldValue[static_cast<unsigned char>(c)];
    });
}

/// Whether \a text equals \a lowerCase, ignoring the case of ASCII letters.
bool equalsLowerCase(QByteArrayView text, QByteArrayView lowerCase)
{
    if (text.size() != lowerCase.size())
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if ((c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c) != lowerCase[i])
            return false;
    }
    return true;
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

/// \a text as a QByteArray: the one of \a known it equals, which costs no allocation, else a
/// copy. Every request passes here.
template <size_t N>
QByteArray sharedOrCopy(QByteArrayView text, const std::array<QByteArray, N> &known)
{
    for (const QByteArray &word : known) {
        if (word.size() == text.size() &&
            std::memcmp(word.constData(), text.data(), size_t(text.size())) == 0)
            return word;
    }
    return text.toByteArray();
}

/// The same for a header name, kept in lower case: \a known are.
template <size_t N>
QByteArray sharedOrLowerCaseCopy(QByteArrayView name, const std::array<QByteArray, N> &known)
{
    for (const QByteArray &word : known) {
        if (equalsLowerCase(name, word))
            return word;
    }
    return name.toByteArray().toLower();
}

} // namespace

bool HttpRequestHead::hasHeader(QByteArrayView lowerCaseName) const
{
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto &header) { return header.first == lowerCaseName; });
}

QByteArray HttpRequestHead::header(QByteArrayView lowerCaseName) const
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

bool HttpRequestHead::wantsClose() const
{
    // QHttpServer closes the connection after a request it takes for an upgrade: one with
    // "upgrade" anywhere in a Connection field (and an Upgrade field naming websocket).
    for (const auto &[name, value] : headers) {
        if (name == "connection" && value.toLower().contains("upgrade"))
            return true;
    }
    const QByteArray connection = header("connection");
    if (version == "HTTP/1.0")
        return !containsToken(connection, "keep-alive");
    return containsToken(connection, "close");
}

bool HttpRequestHead::expectsContinue() const
{
    return header("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
}

std::optional<qint64> HttpRequestHead::contentLength() const
{
    for (const auto &[name, value] : headers) {
        if (name == "content-length") {
            bool ok = false;
            const qint64 length = value.toLongLong(&ok);
            const bool digits = std::all_of(value.begin(), value.end(),
                                            [](char c) { return c >= '0' && c <= '9'; });
            return ok && digits ? length : -1;
        }
    }
    return std::nullopt;
}

qsizetype indexOfHeadEnd(QByteArrayView bytes, qsizetype from)
{
    from = std::max<qsizetype>(from, 0);
    if (bytes.size() - from < 4)
        return -1;
    // Each LF found (memchr) is checked for the CR before it and the CRLF after it.
    const char *const begin = bytes.data();
    const char *const end = begin + bytes.size();
    const char *at = begin + from + 1;
    while (at + 2 < end) {
        at = static_cast<const char *>(std::memchr(at, '\n', size_t(end - 2 - at)));
        if (!at)
            return -1;
        if (at[-1] == '\r' && at[1] == '\r' && at[2] == '\n')
            return at - 1 - begin;
        ++at;
    }
    return -1;
}

ParsedRequestHead parseRequestHead(const QByteArray &buffer, qsizetype maxBytes)
{
    ParsedRequestHead parsed;
    const qsizetype end = indexOfHeadEnd(buffer);
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
    // Anything another HTTP parser could read differently is Malformed: QHttpServer reads the same
    // bytes after this, and the two must agree on where each request ends.
    const QByteArrayView head(buffer.constData(), end + 2);
    const auto malformed = [&parsed] {
        parsed.status = ParsedRequestHead::Status::Malformed;
        return parsed;
    };
    // Every line ends with CRLF, the last one included (head spans up to its CRLF).
    qsizetype lineEnd = head.indexOf('\n');
    const auto lineAt = [&head](qsizetype start,
                                qsizetype newline) -> std::optional<QByteArrayView> {
        if (newline <= start || head.at(newline - 1) != '\r')
            return std::nullopt;
        return head.sliced(start, newline - 1 - start);
    };
    const std::optional<QByteArrayView> requestLine = lineAt(0, lineEnd);
    if (!requestLine)
        return malformed();
    // Exactly "METHOD SP TARGET SP HTTP/1.x".
    const qsizetype firstSpace = requestLine->indexOf(' ');
    const qsizetype secondSpace = requestLine->indexOf(' ', firstSpace + 1);
    if (firstSpace <= 0 || secondSpace < 0 || requestLine->indexOf(' ', secondSpace + 1) >= 0)
        return malformed();
    const QByteArrayView method = requestLine->first(firstSpace);
    const QByteArrayView target = requestLine->sliced(firstSpace + 1, secondSpace - firstSpace - 1);
    const QByteArrayView version = requestLine->sliced(secondSpace + 1);
    // "//host/path" is a path to us, but URL parsers (QHttpServer's among them) read a host.
    if (!isToken(method) || !target.startsWith('/') || target.startsWith("//") ||
        !isFieldValue(target) || (version != "HTTP/1.1" && version != "HTTP/1.0"))
        return malformed();
    static const std::array<QByteArray, 2> methods = {QByteArrayLiteral("GET"),
                                                      QByteArrayLiteral("POST")};
    static const std::array<QByteArray, 2> versions = {QByteArrayLiteral("HTTP/1.1"),
                                                       QByteArrayLiteral("HTTP/1.0")};
    // In lower case, as the head keeps them.
    static const std::array<QByteArray, 12> names = {
        QByteArrayLiteral("host"),          QByteArrayLiteral("content-length"),
        QByteArrayLiteral("content-type"),  QByteArrayLiteral("connection"),
        QByteArrayLiteral("user-agent"),    QByteArrayLiteral("accept"),
        QByteArrayLiteral("authorization"), QByteArrayLiteral("origin"),
        QByteArrayLiteral("upgrade"),       QByteArrayLiteral("accept-encoding"),
        QByteArrayLiteral("x-session-id"),  QByteArrayLiteral("expect")};
    parsed.head.method = sharedOrCopy(method, methods);
    parsed.head.target = target.toByteArray();
    parsed.head.version = sharedOrCopy(version, versions);
    parsed.head.headers.reserve(8);
    for (qsizetype lineStart = lineEnd + 1; lineStart < head.size(); lineStart = lineEnd + 1) {
        lineEnd = head.indexOf('\n', lineStart);
        const std::optional<QByteArrayView> line = lineAt(lineStart, lineEnd);
        if (!line)
            return malformed();
        // No whitespace in or before a name (which also refuses obs-fold continuation lines).
        const qsizetype colon = line->indexOf(':');
        if (colon <= 0 || !isToken(line->first(colon)))
            return malformed();
        const QByteArrayView value = line->sliced(colon + 1).trimmed();
        if (!isFieldValue(value) || parsed.head.headers.size() == maxHeaderFields)
            return malformed();
        QByteArray name = sharedOrLowerCaseCopy(line->first(colon), names);
        // A second Content-Length, equal or not, is where two parsers part ways; a second Host
        // is where admission and the routes could see different hosts.
        if ((name == "content-length" || name == "host") && parsed.head.hasHeader(name))
            return malformed();
        parsed.head.headers.append({std::move(name), value.toByteArray()});
    }
    parsed.head.length = end + 4;
    parsed.status = ParsedRequestHead::Status::Complete;
    return parsed;
}

} // namespace CommandBridge
