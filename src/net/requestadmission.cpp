// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "requestadmission_p.h"

#include "messagedecoder_p.h"
#include "protocol_p.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>

#include <algorithm>

namespace CommandBridge {
namespace {

Refusal forbidden(Refusal::Rule rule, const QString &message)
{
    return Refusal{rule, 403, errorCodeString(ErrorCode::Forbidden), message};
}

Refusal unauthorized()
{
    return Refusal{Refusal::Rule::Token, 401, errorCodeString(ErrorCode::Unauthorized),
                   QStringLiteral("Missing or wrong bearer token")};
}

/// An empty port (none) or 1 to 5 digits.
bool isPort(QByteArrayView port)
{
    return port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool isLoopbackHost(QByteArrayView host)
{
    QByteArrayView name = host;
    QByteArrayView port;
    if (name.startsWith('[')) {
        const qsizetype close = name.indexOf(']');
        if (close < 0 || (close + 1 < name.size() && name.at(close + 1) != ':'))
            return false;
        port = name.sliced(std::min(close + 2, name.size()));
        name = name.first(close + 1);
    } else if (const qsizetype colon = name.indexOf(':'); colon >= 0) {
        port = name.sliced(colon + 1);
        name = name.first(colon);
    }
    // "localhost:evil.com" or "localhost:80@evil.com" name another host to some parsers.
    if (!isPort(port))
        return false;
    return name.compare("localhost", Qt::CaseInsensitive) == 0 || name == "127.0.0.1" ||
           name.compare("[::1]", Qt::CaseInsensitive) == 0;
}

QString bearerToken(const QByteArray &authorization)
{
    static const QByteArray scheme = QByteArrayLiteral("bearer ");
    if (authorization.size() <= scheme.size() ||
        authorization.left(scheme.size()).toLower() != scheme)
        return QString();
    return QString::fromUtf8(authorization.mid(scheme.size()).trimmed());
}

} // namespace

QLatin1String ruleName(Refusal::Rule rule)
{
    switch (rule) {
    case Refusal::Rule::Host:
        return QLatin1String("host");
    case Refusal::Rule::Origin:
        return QLatin1String("origin");
    case Refusal::Rule::Token:
        return QLatin1String("token");
    case Refusal::Rule::Endpoint:
        return QLatin1String("endpoint");
    case Refusal::Rule::Upgrade:
        return QLatin1String("upgrade");
    case Refusal::Rule::Session:
        return QLatin1String("session");
    case Refusal::Rule::Framing:
        return QLatin1String("framing");
    case Refusal::Rule::Size:
        return QLatin1String("size");
    case Refusal::Rule::Capacity:
        return QLatin1String("capacity");
    case Refusal::Rule::ShuttingDown:
        return QLatin1String("shutting-down");
    }
    return QLatin1String("unknown");
}

QDebug operator<<(QDebug debug, const Refusal &refusal)
{
    const QDebugStateSaver saver(debug);
    debug.nospace() << refusal.request << " rule " << ruleName(refusal.rule).data() << ", "
                    << refusal.status << ' ' << refusal.message;
    return debug;
}

bool RequestAdmission::isValidToken(const QString &presented) const
{
    return isValidToken(presented, policy().token);
}

bool RequestAdmission::isValidToken(const QString &presented, const QString &token)
{
    const QByteArray expected = token.toUtf8();
    const QByteArray given = presented.toUtf8();
    // Every byte of the longer one is visited, so the time tells only the length.
    unsigned difference = unsigned(expected.size() ^ given.size());
    const qsizetype length = std::max(expected.size(), given.size());
    for (qsizetype i = 0; i < length; ++i) {
        const auto a = i < expected.size() ? uchar(expected.at(i)) : uchar(0);
        const auto b = i < given.size() ? uchar(given.at(i)) : uchar(0);
        difference |= unsigned(a ^ b);
    }
    return difference == 0 && !expected.isEmpty();
}

std::optional<Refusal> RequestAdmission::checkHost(const HttpRequestHead &head,
                                                   const Policy &policy)
{
    if (!policy.loopbackOnly)
        return std::nullopt;
    const QByteArray host = head.header("host");
    if (isLoopbackHost(host))
        return std::nullopt;
    return forbidden(Refusal::Rule::Host,
                     QStringLiteral("Host \"%1\" is not allowed").arg(QString::fromUtf8(host)));
}

std::optional<Refusal> RequestAdmission::checkOrigin(const HttpRequestHead &head,
                                                     const Policy &policy)
{
    const QString origin = QString::fromUtf8(head.header("origin"));
    if (origin.isEmpty())
        return std::nullopt;
    const QString host = QString::fromUtf8(head.header("host"));
    if (origin.compare(QStringLiteral("http://") + host, Qt::CaseInsensitive) == 0 ||
        origin.compare(QStringLiteral("https://") + host, Qt::CaseInsensitive) == 0 ||
        policy.allowedOrigins.contains(origin, Qt::CaseInsensitive))
        return std::nullopt;
    return forbidden(Refusal::Rule::Origin,
                     QStringLiteral("Origin \"%1\" is not allowed").arg(origin));
}

QString RequestAdmission::presentedToken(const QByteArray &authorization, const QUrlQuery &query)
{
    const QString headerToken = bearerToken(authorization);
    return headerToken.isEmpty() ? query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded)
                                 : headerToken;
}

bool RequestAdmission::isAuthenticatedUpgrade(const QByteArray &authorization,
                                              const QUrlQuery &query) const
{
    return !tokenRequired() || isValidToken(presentedToken(authorization, query));
}

std::optional<Refusal> RequestAdmission::admit(const HttpRequestHead &head) const
{
    std::optional<Refusal> refusal = check(head, policy());
    if (!refusal)
        return refusal;
    refusal->request = QString::fromLatin1(head.method) + QLatin1Char(' ') + head.path();
    if (!head.isWebSocketUpgrade()) {
        static const QRegularExpression commandPath{QString(Protocol::Path::commandPattern)};
        const QRegularExpressionMatch match = commandPath.match(head.path());
        if (match.hasMatch())
            refusal->command = match.captured(1);
    }
    return refusal;
}

std::optional<Refusal> RequestAdmission::check(const HttpRequestHead &head,
                                               const Policy &policy) const
{
    if (m_shuttingDown) {
        return Refusal(Refusal::Rule::ShuttingDown, 503, errorCodeString(ErrorCode::ShuttingDown),
                       QStringLiteral("Server is shutting down"));
    }
    if (std::optional<Refusal> refusal = checkHost(head, policy))
        return refusal;
    if (std::optional<Refusal> refusal = checkOrigin(head, policy))
        return refusal;

    const QString path = head.path();
    if (head.isWebSocketUpgrade()) {
        if (path != Protocol::Path::webSocket) {
            return Refusal{Refusal::Rule::Endpoint, httpStatusForErrorCode(ErrorCode::NotFound),
                           errorCodeString(ErrorCode::NotFound),
                           QStringLiteral("No WebSocket endpoint at ") + path};
        }
        // Checked here so that the refusal has its JSON body: QWebSocketServer answers these with
        // an empty 400, or not at all.
        if (head.method != "GET" || head.version != "HTTP/1.1") {
            return Refusal{Refusal::Rule::Upgrade, 400, errorCodeString(ErrorCode::BadMessage),
                           QStringLiteral("A WebSocket upgrade is a GET over HTTP/1.1")};
        }
        if (head.header("sec-websocket-version").trimmed() != "13") {
            return Refusal{Refusal::Rule::Upgrade, 400, errorCodeString(ErrorCode::BadMessage),
                           QStringLiteral("Unsupported WebSocket version (13 required)")};
        }
        if (QByteArray::fromBase64(head.header("sec-websocket-key").trimmed(),
                                   QByteArray::AbortOnBase64DecodingErrors)
                .size() != 16) {
            return Refusal{Refusal::Rule::Upgrade, 400, errorCodeString(ErrorCode::BadMessage),
                           QStringLiteral("Missing or invalid Sec-WebSocket-Key")};
        }
        const QUrlQuery query = head.query();
        if (query.hasQueryItem(QStringLiteral("session")) &&
            !isValidSessionId(query.queryItemValue(QStringLiteral("session")))) {
            return Refusal{Refusal::Rule::Session, 400, errorCodeString(ErrorCode::BadMessage),
                           QStringLiteral("session must match [A-Za-z0-9._-]{1,128}")};
        }
        // No token at the upgrade may still authenticate with an `auth` message; a wrong one may
        // not.
        const QString presented = presentedToken(head.header("authorization"), query);
        if (!policy.token.isEmpty() && !presented.isEmpty() &&
            !isValidToken(presented, policy.token))
            return unauthorized();
        return std::nullopt;
    }

    // A browser's EventSource cannot set headers: the event stream may carry the token in its URL.
    const QString presented = path == Protocol::Path::eventStream
                                  ? presentedToken(head.header("authorization"), head.query())
                                  : bearerToken(head.header("authorization"));
    if (!policy.token.isEmpty() && path != Protocol::Path::health &&
        !isValidToken(presented, policy.token))
        return unauthorized();
    // Without a length a body's end is unknown until QHttpServer has buffered all of it.
    if (head.hasHeader("transfer-encoding")) {
        return Refusal(Refusal::Rule::Framing, 411, errorCodeString(ErrorCode::BadMessage),
                       QStringLiteral("Request bodies need a Content-Length"));
    }
    const std::optional<qint64> length = head.contentLength();
    if (length && *length < 0) {
        return Refusal{Refusal::Rule::Framing, 400, errorCodeString(ErrorCode::BadMessage),
                       QStringLiteral("Invalid Content-Length")};
    }
    if (length && *length > policy.maxBodyBytes) {
        return Refusal{Refusal::Rule::Size, 413, errorCodeString(ErrorCode::PayloadTooLarge),
                       QStringLiteral("Body is larger than %1 bytes").arg(policy.maxBodyBytes)};
    }
    return std::nullopt;
}

} // namespace CommandBridge
