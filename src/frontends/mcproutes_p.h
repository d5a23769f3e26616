// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include "messagedecoder_p.h"

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
QT_END_NAMESPACE

namespace CommandBridge {

class CommandRegistry;
class McpCall;
class Session;
class SessionStore;

/// The MCP sessions of one server, shared by its network threads: the ids `initialize` handed
/// out, the bridge session each one holds, and the tool calls running in each, so that a
/// notifications/cancelled arriving on any connection reaches its call. Thread-safe.
class McpSessions
{
public:
    /// Open sessions at most: one more `initialize` is refused, after idle ones were dropped.
    static constexpr std::size_t maxSessions = 1024;

    explicit McpSessions(SessionStore *store);
    ~McpSessions();
    McpSessions(const McpSessions &) = delete;
    McpSessions &operator=(const McpSessions &) = delete;

    /// Sessions unused this long, with no call running, go when room is needed.
    void setIdleTime(std::chrono::milliseconds idleTime);

    /// A new session, or null when maxSessions are open and busy.
    std::shared_ptr<Session> open();
    /// The open session \a id, or null; counts as a use.
    std::shared_ptr<Session> find(const QString &id);
    /// Ends session \a id; false when it is not open.
    bool close(const QString &id);

    void addCall(const QString &sessionId, const RequestIdKey &id, McpCall *call);
    void removeCall(const QString &sessionId, const RequestIdKey &id, McpCall *call);
    /// Cancels the call \a id of session \a sessionId, on the call's thread; unknown ones are
    /// ignored (the call may have just finished).
    void cancel(const QString &sessionId, const RequestIdKey &id);

private:
    using Clock = std::chrono::steady_clock;
    struct Entry
    {
        std::shared_ptr<Session> session;
        Clock::time_point lastUsed;
        QHash<RequestIdKey, McpCall *> calls;
    };

    SessionStore *const m_store;
    QMutex m_mutex;
    std::map<QString, Entry> m_sessions;
    std::chrono::milliseconds m_idleTime{std::chrono::minutes(30)};
};

/// The MCP front end (spec section 11): JSON-RPC 2.0 over Streamable HTTP at /mcp, on the same
/// registry and the same path out of a running command as REST. Knows nothing of WebSockets;
/// requests reach it already admitted (token, Host, Origin, body size).
class McpRoutes : public QObject
{
    Q_OBJECT

public:
    McpRoutes(CommandRegistry *registry, std::shared_ptr<McpSessions> sessions,
              QObject *parent = nullptr);
    ~McpRoutes() override;

    void setOptions(const ServerOptions &options) { m_options = options; }
    /// Tool calls count toward the REST limit (ServerOptions::maxRestInFlight).
    void setInFlightCounter(std::shared_ptr<std::atomic<int>> counter)
    {
        m_inFlight = std::move(counter);
    }
    void install(QHttpServer &server);

    /// Running calls end with shutting_down; new requests get the same.
    void shutdown();

private:
    void post(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void remove(const QHttpServerRequest &request, QHttpServerResponder &responder);
    void callTool(JsonRpcMessage &message, const QString &sessionId,
                  const std::shared_ptr<Session> &session, const QHttpServerRequest &request,
                  QHttpServerResponder &responder);

    CommandRegistry *m_registry;
    const std::shared_ptr<McpSessions> m_sessions;
    ServerOptions m_options;
    std::shared_ptr<std::atomic<int>> m_inFlight = std::make_shared<std::atomic<int>>(0);
    /// The calls whose command still runs (children of this object until they delete themselves).
    QSet<McpCall *> m_calls;
    bool m_shuttingDown = false;
};

} // namespace CommandBridge
