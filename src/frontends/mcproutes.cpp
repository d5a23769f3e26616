// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "mcproutes_p.h"

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>
#include <CommandBridge/version.h>

#include "admittedhttpsocket_p.h"
#include "commandregistry_p.h"
#include "commandrun_p.h"
#include "httpserveradapter_p.h"
#include "logging_p.h"
#include "messageencoder_p.h"
#include "outgoingqueue_p.h"
#include "protocol_p.h"
#include "sessionstore_p.h"

#include <QtCore/QPointer>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtNetwork/QTcpSocket>

#include <optional>

namespace CommandBridge {
namespace {

namespace Mcp = Protocol::Mcp;

const QByteArray jsonType = QByteArrayLiteral("application/json");

void writeJson(QHttpServerResponder &responder, int status, const QByteArray &body)
{
    responder.write(body, jsonType, QHttpServerResponder::StatusCode(status));
}

/// Malformed messages are refused at the HTTP level too; method-level errors travel in a 200.
int httpStatusOf(int jsonRpcCode)
{
    return jsonRpcCode == Mcp::Error::parse || jsonRpcCode == Mcp::Error::invalidRequest ? 400
                                                                                         : 200;
}

void writeError(QHttpServerResponder &responder, const QJsonValue &id, int code,
                const QString &message, int status = 0)
{
    writeJson(
        responder, status ? status : httpStatusOf(code),
        Encoder::jsonRpcError(id.isUndefined() ? QJsonValue(QJsonValue::Null) : id, code, message));
}

void writeAccepted(QHttpServerResponder &responder)
{
    responder.write(QHttpServerResponder::StatusCode::Accepted);
}

QString negotiatedVersion(const QJsonObject &params)
{
    const QString asked = params.value(Mcp::Key::protocolVersion).toString();
    for (QLatin1String version : Mcp::versions) {
        if (asked == version)
            return asked;
    }
    return Mcp::versions[0];
}

} // namespace

/// One tools/call waiting for its command, and the command's sink: plain JSON, or a
/// Server-Sent Events stream of notifications/progress ending with the response when the call
/// asked for progress. Holds the responder no longer than the connection lives; deletes itself
/// once answered or once its client is gone.
class McpCall : public QObject, public CommandSink
{
public:
    McpCall(QHttpServerResponder &&responder, AdmittedHttpSocket *connection, QJsonValue rpcId,
            QJsonValue progressToken, std::shared_ptr<McpSessions> sessions, QString sessionId,
            qint64 highWater, std::function<void(McpCall *)> finished, QObject *parent)
        : QObject(parent)
        , m_connection(connection)
        , m_socket(connection->transport())
        , m_responder(std::move(responder))
        , m_rpcId(std::move(rpcId))
        , m_progressToken(std::move(progressToken))
        , m_sessions(std::move(sessions))
        , m_sessionId(std::move(sessionId))
        , m_events(
              [this](const QByteArray &event) {
                  if (m_responder)
                      HttpServerAdapter::writeStream(*m_responder, event);
              },
              [this] { return m_socket ? unsentBytes(m_socket) : 0; }, highWater)
        , m_finished(std::move(finished))
    {
        connect(connection, &QTcpSocket::disconnected, this, &McpCall::clientGone);
        connect(m_socket.data(), &QObject::destroyed, this, &McpCall::clientGone);
        whenBytesLeave(m_socket, this, [this] { drain(); });
        m_sessions->addCall(m_sessionId, requestIdKey(m_rpcId), this);
    }

    ~McpCall() override { m_sessions->removeCall(m_sessionId, requestIdKey(m_rpcId), this); }

    void run(RunningCommand command)
    {
        m_command = std::move(command);
        m_command.start(this);
    }

    /// Takes over \a command, started with another sink and not finished.
    void adopt(RunningCommand command)
    {
        m_command = std::move(command);
        m_command.setSink(this);
    }

    const RunningCommand &command() const { return m_command; }

    /// The front end goes away (CommandSink: a sink outlives its command): the command ends
    /// unanswered.
    void abandon()
    {
        m_responder.reset();
        if (!m_done)
            m_command.abort(ErrorCode::Cancelled, QStringLiteral("Server is stopping"));
    }

    /// notifications/cancelled: the command stops and no response follows.
    void cancel()
    {
        if (m_done)
            return;
        m_cancelled = true;
        m_command.cancel();
    }

    void commandStarted(const RunningCommand &) override
    {
        if (m_progressToken.isUndefined() || !m_responder)
            return;
        m_streamOpen = true;
        HttpServerAdapter::beginStream(*m_responder, "text/event-stream");
    }

    void commandProgressed(const RunningCommand &, const CommandProgress &progress) override
    {
        if (!m_streamOpen || !m_responder)
            return;
        if (progress.percent)
            m_percent = *progress.percent;
        m_events.pushProgress(
            this, Encoder::serverSentEvent(
                      "message", Encoder::mcpProgress(m_progressToken, progress, m_percent)));
    }

    void commandFinished(const RunningCommand &, const CommandResult &result) override
    {
        m_done = true;
        m_finished(this);
        if (!m_responder) {
            deleteLater();
            return;
        }
        if (m_cancelled) {
            // No response for a cancelled request (MCP): the exchange ends without one.
            if (m_streamOpen) {
                m_last = QByteArrayLiteral(": cancelled\n\n");
                drain();
            } else {
                m_responder.reset();
                if (m_socket)
                    m_socket->disconnectFromHost();
                deleteLater();
            }
            return;
        }
        const QByteArray response = Encoder::mcpToolCallResponse(m_rpcId, result);
        if (m_streamOpen) {
            m_last = Encoder::serverSentEvent("message", response);
            drain();
            return;
        }
        if (m_connection) {
            const AdmittedHttpSocket::WriteBatch batch(m_connection);
            writeJson(*m_responder, 200, response);
        }
        m_responder.reset();
        deleteLater();
    }

private:
    void drain()
    {
        if (!m_responder)
            return;
        m_events.flush();
        if (!m_last.isEmpty() && m_events.waitingBytes() == 0) {
            HttpServerAdapter::endStream(*m_responder, m_last, m_socket);
            m_responder.reset();
            deleteLater();
        }
    }

    void clientGone()
    {
        m_responder.reset();
        if (!m_done)
            m_command.abort(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
        else
            deleteLater();
    }

    const QPointer<AdmittedHttpSocket> m_connection;
    QPointer<QTcpSocket> m_socket;
    std::optional<QHttpServerResponder> m_responder;
    const QJsonValue m_rpcId;
    const QJsonValue m_progressToken;
    const std::shared_ptr<McpSessions> m_sessions;
    const QString m_sessionId;
    OutgoingQueue m_events;
    const std::function<void(McpCall *)> m_finished;
    RunningCommand m_command;
    QByteArray m_last;
    double m_percent = 0.0;
    bool m_streamOpen = false;
    bool m_done = false;
    bool m_cancelled = false;
};

McpSessions::McpSessions(SessionStore *store)
    : m_store(store)
{}

McpSessions::~McpSessions()
{
    for (auto &[id, entry] : m_sessions)
        m_store->release(entry.session);
}

void McpSessions::setIdleTime(std::chrono::milliseconds idleTime)
{
    QMutexLocker locker(&m_mutex);
    m_idleTime = idleTime;
}

std::shared_ptr<Session> McpSessions::open()
{
    std::shared_ptr<Session> session = m_store->acquire();
    QMutexLocker locker(&m_mutex);
    if (m_sessions.size() >= maxSessions) {
        const Clock::time_point idleSince = Clock::now() - m_idleTime;
        for (auto entry = m_sessions.begin(); entry != m_sessions.end();) {
            if (entry->second.calls.isEmpty() && entry->second.lastUsed < idleSince) {
                m_store->release(entry->second.session);
                entry = m_sessions.erase(entry);
            } else {
                ++entry;
            }
        }
    }
    if (m_sessions.size() >= maxSessions) {
        locker.unlock();
        m_store->release(session);
        return nullptr;
    }
    m_sessions.emplace(session->id(), Entry{session, Clock::now(), {}});
    return session;
}

std::shared_ptr<Session> McpSessions::find(const QString &id)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(id);
    if (found == m_sessions.end())
        return nullptr;
    found->second.lastUsed = Clock::now();
    return found->second.session;
}

bool McpSessions::close(const QString &id)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(id);
    if (found == m_sessions.end())
        return false;
    for (McpCall *call : std::as_const(found->second.calls))
        QMetaObject::invokeMethod(
            call, [call] { call->cancel(); }, Qt::QueuedConnection);
    m_store->release(found->second.session);
    m_sessions.erase(found);
    return true;
}

void McpSessions::addCall(const QString &sessionId, const RequestIdKey &id, McpCall *call)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(sessionId);
    if (found != m_sessions.end())
        found->second.calls.insert(id, call);
}

void McpSessions::removeCall(const QString &sessionId, const RequestIdKey &id, McpCall *call)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(sessionId);
    if (found != m_sessions.end() && found->second.calls.value(id) == call)
        found->second.calls.remove(id);
}

void McpSessions::cancel(const QString &sessionId, const RequestIdKey &id)
{
    QMutexLocker locker(&m_mutex);
    const auto found = m_sessions.find(sessionId);
    if (found == m_sessions.end())
        return;
    if (McpCall *call = found->second.calls.value(id)) {
        // Posted under the lock: the call cannot be deleted before the event is; an event for a
        // deleted object is discarded.
        QMetaObject::invokeMethod(
            call, [call] { call->cancel(); }, Qt::QueuedConnection);
    }
}

McpRoutes::McpRoutes(CommandRegistry *registry, std::shared_ptr<McpSessions> sessions,
                     QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_sessions(std::move(sessions))
{}

McpRoutes::~McpRoutes()
{
    // Before ~QObject deletes the calls, which are their commands' sinks.
    const QSet<McpCall *> calls = m_calls;
    for (McpCall *call : calls)
        call->abandon();
}

void McpRoutes::install(QHttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    server.route(
        QString(Protocol::Path::mcp), Method::Post,
        [this](const QHttpServerRequest &request, HttpServerAdapter::ResponderArgument responder) {
            post(request, responder);
        });
    server.route(
        QString(Protocol::Path::mcp), Method::Delete,
        [this](const QHttpServerRequest &request, HttpServerAdapter::ResponderArgument responder) {
            remove(request, responder);
        });
}

void McpRoutes::post(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    auto decoded = decodeJsonRpc(request.body());
    if (const auto *error = std::get_if<JsonRpcError>(&decoded))
        return writeError(responder, error->id, error->code, error->message);
    JsonRpcMessage &message = std::get<JsonRpcMessage>(decoded);
    if (m_shuttingDown) {
        return writeError(responder, message.id, Mcp::Error::unavailable,
                          QStringLiteral("Server is shutting down"), 503);
    }

    if (message.method == Mcp::Method::initialize) {
        if (message.id.isUndefined())
            return writeAccepted(responder);
        const std::shared_ptr<Session> session = m_sessions->open();
        if (!session) {
            qCDebug(lcAccess) << "refused an MCP session to" << request.remoteAddress()
                              << "rule mcp-sessions, limit" << McpSessions::maxSessions;
            return writeError(
                responder, message.id, Mcp::Error::unavailable,
                QStringLiteral("Too many MCP sessions (limit %1)").arg(McpSessions::maxSessions),
                503);
        }
        HttpServerAdapter::writeWithHeader(
            responder, 200, jsonType,
            Encoder::jsonRpcResult(message.id, Encoder::mcpInitializeResult(
                                                   negotiatedVersion(message.params),
                                                   QStringLiteral(COMMANDBRIDGE_VERSION_STRING))),
            QByteArray(Mcp::sessionHeader.data(), Mcp::sessionHeader.size()),
            session->id().toUtf8());
        return;
    }

    const QString sessionId = QString::fromUtf8(request.value(Mcp::sessionHeader.data()));
    if (sessionId.isEmpty()) {
        return writeError(responder, message.id, Mcp::Error::invalidRequest,
                          QStringLiteral("Mcp-Session-Id is required after initialize"));
    }
    const std::shared_ptr<Session> session = m_sessions->find(sessionId);
    if (!session) {
        return writeError(responder, message.id, Mcp::Error::invalidRequest,
                          QStringLiteral("Unknown MCP session: %1").arg(sessionId), 404);
    }

    // Notifications and responses are accepted with no body.
    if (message.id.isUndefined() || message.method.isEmpty()) {
        if (message.method == Mcp::Method::cancelled) {
            const QJsonValue id = message.params.value(Mcp::Key::requestId);
            if (id.isString() || id.isDouble())
                m_sessions->cancel(sessionId, requestIdKey(id));
        }
        return writeAccepted(responder);
    }
    if (message.method == Mcp::Method::ping)
        return writeJson(responder, 200, Encoder::jsonRpcResult(message.id, QJsonObject()));
    if (message.method == Mcp::Method::toolsList) {
        return writeJson(
            responder, 200,
            Encoder::jsonRpcResult(message.id, Encoder::mcpTools(m_registry->describeCommands())));
    }
    if (message.method == Mcp::Method::toolsCall)
        return callTool(message, sessionId, session, request, responder);
    writeError(responder, message.id, Mcp::Error::methodNotFound,
               QStringLiteral("Unknown method: %1").arg(message.method));
}

void McpRoutes::callTool(JsonRpcMessage &message, const QString &sessionId,
                         const std::shared_ptr<Session> &session, const QHttpServerRequest &request,
                         QHttpServerResponder &responder)
{
    const QJsonValue name = message.params.value(Mcp::Key::name);
    if (!name.isString()) {
        return writeError(responder, message.id, Mcp::Error::invalidParams,
                          QStringLiteral("tools/call needs a string \"name\""));
    }
    if (!m_registry->contains(name.toString())) {
        return writeError(responder, message.id, Mcp::Error::invalidParams,
                          QStringLiteral("Unknown tool: %1").arg(name.toString()));
    }
    AdmittedHttpSocket *connection = HttpServerAdapter::connectionOf(request, responder);
    if (!connection) {
        qCCritical(lcRest) << "no connection found for a request from" << request.remoteAddress();
        return writeError(responder, message.id, Mcp::Error::unavailable,
                          QStringLiteral("The request's connection is unknown"), 500);
    }
    if (!connection->transport())
        return;
    if (m_inFlight->fetch_add(1, std::memory_order_relaxed) >= m_options.maxRestInFlight) {
        m_inFlight->fetch_sub(1, std::memory_order_relaxed);
        qCDebug(lcAccess) << "refused tool call" << name.toString() << "from"
                          << request.remoteAddress() << "rule in-flight, limit"
                          << m_options.maxRestInFlight;
        return writeError(responder, message.id, Mcp::Error::unavailable,
                          QStringLiteral("Too many commands in flight (limit %1)")
                              .arg(m_options.maxRestInFlight));
    }
    QJsonValue progressToken =
        message.params.value(Mcp::Key::meta).toObject().value(Mcp::Key::progressToken);
    const bool acceptsStream = request.value("Accept").contains("text/event-stream");
    if (!acceptsStream || !(progressToken.isString() || progressToken.isDouble()))
        progressToken = QJsonValue(QJsonValue::Undefined);

    CommandInvocation invocation;
    invocation.command = name.toString();
    // Taken, not copied: the registry then owns the only reference and adds session_id in place.
    invocation.args = message.params.take(Mcp::Key::arguments);
    invocation.requestId = message.id;
    invocation.session = session;
    RunningCommand command(CommandRegistryPrivate::get(m_registry)->prepare(std::move(invocation)));
    if (progressToken.isUndefined()) {
        // Most handlers answer at once: then no McpCall (a QObject watching the connection) is
        // made for them.
        ImmediateResult immediate;
        command.start(&immediate);
        if (immediate.result) {
            m_inFlight->fetch_sub(1, std::memory_order_relaxed);
            const AdmittedHttpSocket::WriteBatch batch(connection);
            return writeJson(responder, 200,
                             Encoder::mcpToolCallResponse(message.id, *immediate.result));
        }
    }
    auto *call = new McpCall(
        std::move(responder), connection, message.id, progressToken, m_sessions, sessionId,
        m_options.outgoingHighWater,
        [this](McpCall *finished) {
            m_inFlight->fetch_sub(1, std::memory_order_relaxed);
            m_calls.remove(finished);
        },
        this);
    // Before run(): a command may finish inside it.
    m_calls.insert(call);
    if (command.run()->isStarted())
        call->adopt(std::move(command));
    else
        call->run(std::move(command));
}

void McpRoutes::remove(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const QString sessionId = QString::fromUtf8(request.value(Mcp::sessionHeader.data()));
    if (sessionId.isEmpty()) {
        return writeError(responder, QJsonValue::Null, Mcp::Error::invalidRequest,
                          QStringLiteral("Mcp-Session-Id is required"));
    }
    if (!m_sessions->close(sessionId)) {
        return writeError(responder, QJsonValue::Null, Mcp::Error::invalidRequest,
                          QStringLiteral("Unknown MCP session: %1").arg(sessionId), 404);
    }
    responder.write(QHttpServerResponder::StatusCode::NoContent);
}

void McpRoutes::shutdown()
{
    m_shuttingDown = true;
    const QSet<McpCall *> calls = m_calls;
    for (McpCall *call : calls)
        call->command().abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
}

} // namespace CommandBridge
