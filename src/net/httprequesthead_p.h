// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QUrlQuery>

#include <optional>

namespace CommandBridge {

/// The request line and headers of an HTTP/1.x request, read before the request is handed on.
struct HttpRequestHead
{
    QByteArray method;
    QByteArray target;
    /// "HTTP/1.1" or "HTTP/1.0".
    QByteArray version;
    /// Header names in lower case, in the order received.
    QList<QPair<QByteArray, QByteArray>> headers;
    /// Bytes up to and including the blank line.
    qsizetype length = 0;

    bool hasHeader(QByteArrayView lowerCaseName) const;
    /// The first field of that name; empty when absent.
    QByteArray header(QByteArrayView lowerCaseName) const;
    QString path() const;
    QUrlQuery query() const;
    bool isWebSocketUpgrade() const;
    /// Whether the connection ends after the answer: `Connection: close`, HTTP/1.0 without
    /// `Connection: keep-alive`, or a Connection field that mentions an upgrade.
    bool wantsClose() const;
    /// `Expect: 100-continue`: the client waits for an interim answer before sending the body.
    bool expectsContinue() const;
    /// Undefined when absent; -1 when present but not a number.
    std::optional<qint64> contentLength() const;
};

struct ParsedRequestHead
{
    enum class Status { Incomplete, Complete, Malformed, TooLarge };
    Status status = Status::Incomplete;
    HttpRequestHead head;
};

/// More header fields than this are Malformed: QHttpServer 6.4 keeps no more than 100, and a
/// field it dropped (a Content-Length, say) would frame the request differently.
inline constexpr qsizetype maxHeaderFields = 100;

/// Where the first CRLF CRLF in \a bytes begins, from \a from on; -1 if there is none. What
/// ends an HTTP head, found faster than by QByteArrayView::indexOf, which every request and
/// answer would pay for.
qsizetype indexOfHeadEnd(QByteArrayView bytes, qsizetype from = 0);

/// Parses the head at the start of \a buffer; a head longer than \a maxBytes is TooLarge. A head
/// that HTTP parsers could frame differently (obs-fold, whitespace in or before a field name,
/// controls, two Content-Length or Host fields, more than maxHeaderFields fields, bare LF, a
/// request line other than "METHOD SP /TARGET SP HTTP/1.x", a target starting with "//") is
/// Malformed.
ParsedRequestHead parseRequestHead(const QByteArray &buffer, qsizetype maxBytes);

} // namespace CommandBridge
