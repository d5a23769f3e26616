// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "httprequesthead_p.h"

#include <CommandBridge/commanderror.h>

#include <QtCore/QDebug>
#include <QtCore/QMutex>
#include <QtCore/QStringList>
#include <QtCore/QUrlQuery>

#include <atomic>
#include <optional>

namespace CommandBridge {

/// Why a request is turned away before it reaches a front end.
struct Refusal
{
    /// Which check refused it: the word commandbridge.access logs (docs/logging.md).
    enum class Rule {
        Host,
        Origin,
        Token,
        Endpoint,
        Upgrade,
        Session,
        Framing,
        Size,
        Capacity,
        ShuttingDown,
    };

    Refusal(Rule rule, int status, const QString &code, const QString &message)
        : rule(rule)
        , status(status)
        , code(code)
        , message(message)
    {}

    Rule rule;
    int status = 400;
    QString code;
    QString message;
    /// The command the refused request named, if any (its body then says so).
    QString command;
    /// "METHOD /path" of the refused request, without its query (which may carry a token); empty
    /// when its head could not be read.
    QString request;
};

/// The rule's name in the log: "host", "origin", "token", ...
QLatin1String ruleName(Refusal::Rule rule);
/// For the log: the request (quoted, as what the client sent may hold a line break), the rule,
/// the status and the message; never a token.
QDebug operator<<(QDebug debug, const Refusal &refusal);

/// The one place that decides whether a request may reach a front end (spec sections 7 and 8):
/// Host and Origin policy, bearer token, WebSocket endpoint and session, body size. The router
/// asks it for each connection's first request head; the REST routes ask again for every request.
/// Threads: any; the network threads of a server share one.
class RequestAdmission
{
public:
    struct Policy
    {
        QString token;
        QStringList allowedOrigins;
        /// Bound to a loopback address: only loopback Host names pass (DNS rebinding).
        bool loopbackOnly = true;
        qint64 maxBodyBytes = 1024 * 1024;
    };

    void setPolicy(const Policy &policy)
    {
        QMutexLocker locker(&m_policyMutex);
        m_policy = policy;
    }
    /// From now on every request is refused with 503 shutting_down. Any thread may call it.
    void setShuttingDown() { m_shuttingDown.store(true, std::memory_order_release); }
    Policy policy() const
    {
        QMutexLocker locker(&m_policyMutex);
        return m_policy;
    }
    bool tokenRequired() const { return !policy().token.isEmpty(); }

    std::optional<Refusal> admit(const HttpRequestHead &head) const;
    /// Whether a WebSocket upgrade carried the right token, in its Authorization header or its
    /// `token` query item. Always true without a token configured.
    bool isAuthenticatedUpgrade(const QByteArray &authorization, const QUrlQuery &query) const;
    /// Compares \a presented with the token in time independent of where they differ.
    bool isValidToken(const QString &presented) const;

private:
    /// The bearer token of \a authorization, else the `token` query item: for WebSocket upgrades
    /// and the event stream, whose browser clients cannot set headers.
    static QString presentedToken(const QByteArray &authorization, const QUrlQuery &query);
    /// Each request takes the policy once (a copy under the mutex), not once per question.
    std::optional<Refusal> check(const HttpRequestHead &head, const Policy &policy) const;
    static std::optional<Refusal> checkHost(const HttpRequestHead &head, const Policy &policy);
    static std::optional<Refusal> checkOrigin(const HttpRequestHead &head, const Policy &policy);
    static bool isValidToken(const QString &presented, const QString &expected);

    mutable QMutex m_policyMutex;
    Policy m_policy;
    std::atomic<bool> m_shuttingDown{false};
};

} // namespace CommandBridge
