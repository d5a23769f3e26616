// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "restroutes_p.h"

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>
#include <CommandBridge/version.h>

#include "admittedhttpsocket_p.h"
#include "commandregistry_p.h"
#include "commandrun_p.h"
#include "eventstream_p.h"
#include "httpserveradapter_p.h"
#include "logging_p.h"
#include "messagedecoder_p.h"
#include "messageencoder_p.h"
#include "openapi_p.h"
#include "outgoingqueue_p.h"
#include "protocol_p.h"
#include "sessionstore_p.h"

#include <QtCore/QMetaEnum>
#include <QtCore/QPointer>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtNetwork/QTcpSocket>

#include <optional>

namespace CommandBridge {
namespace {

const QByteArray jsonType = QByteArrayLiteral("application/json");
const QByteArray sessionHeader = Protocol::Header::sessionId.latin1();

void writeJson(QHttpServerResponder &responder, int status, const QByteArray &body)
{
    responder.write(body, jsonType, QHttpServerResponder::StatusCode(status));
}

void writeJson(QHttpServerResponder &responder, int status, const QJsonObject &body)
{
    writeJson(responder, status, Encoder::toJson(body));
}

/// A command's answer to a plain POST: 200 with its value, or its error code's status.
void writeResult(QHttpServerResponder &responder, const QString &command,
                 const CommandResult &result)
{
    writeJson(responder, result.isSuccess() ? 200 : httpStatusForErrorCode(result.errorCode()),
              Encoder::restCommandBody(command, result));
}

/// Where the client reached this server, as OpenAPI's servers[0].url: the scheme and the Host
/// header it sent, so a client generated from the document calls the same address. Without a
/// usable Host, "/": the document's own location.
QString serverUrl(const QHttpServerRequest &request, bool tls)
{
    static const QRegularExpression host{
        QStringLiteral(R"(^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$)")};
    const QString value = QString::fromLatin1(request.value("Host"));
    if (!host.match(value).hasMatch())
        return QStringLiteral("/");
    return (tls ? QStringLiteral("https://") : QStringLiteral("http://")) + value;
}

QString methodName(const QHttpServerRequest &request)
{
    const char *key =
        QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method()));
    return key ? QString::fromLatin1(key).toUpper() : QStringLiteral("UNKNOWN");
}

} // namespace

/// One REST request waiting for its command, and the command's sink. Holds the responder no longer
/// than the connection lives. A stream's events leave through an OutgoingQueue, so a client that
/// stops reading costs bounded memory. Deletes itself once its answer is written or its client
/// is gone.
class RestCall : public QObject, public CommandSink
{
public:
    using Finished = std::function<void(RestCall *call)>;

    /// \a connection is live.
    RestCall(QHttpServerResponder &&responder, AdmittedHttpSocket *connection, bool stream,
             qint64 highWater, Finished finished, QObject *parent)
        : QObject(parent)
        , m_connection(connection)
        , m_socket(connection->transport())
        , m_responder(std::move(responder))
        , m_stream(stream)
        , m_events(
              [this](const QByteArray &event) {
                  // Sending may find the client gone, and clientGone() then drops the responder.
                  if (m_responder)
                      HttpServerAdapter::writeStream(*m_responder, event);
              },
              [this] { return m_socket ? unsentBytes(m_socket) : 0; }, highWater,
              [this] {
                  if (m_socket)
                      sendNow(m_socket);
              })
        , m_finished(std::move(finished))
    {}

    /// Runs \a command. False when it is answered already (a handler that finished at once on
    /// this thread): the call may go now, having watched nothing. Otherwise it watches \a
    /// connection until its answer is written and deletes itself then.
    bool run(RunningCommand command, AdmittedHttpSocket *connection)
    {
        m_command = std::move(command);
        m_command.start(this);
        if (m_answered)
            return false;
        watch(connection);
        return true;
    }

    /// Takes over \a command, started with another sink and not finished, and watches \a
    /// connection until its answer is written.
    void adopt(RunningCommand command, AdmittedHttpSocket *connection)
    {
        m_command = std::move(command);
        m_command.setSink(this);
        watch(connection);
    }

    const RunningCommand &command() const { return m_command; }

    void commandStarted(const RunningCommand &) override
    {
        if (!m_stream || !m_responder)
            return;
        m_streamOpen = true;
        HttpServerAdapter::beginStream(*m_responder, "text/event-stream");
    }

    void commandProgressed(const RunningCommand &command, const CommandProgress &progress) override
    {
        if (m_streamOpen && m_responder) {
            m_events.pushProgress(
                this, Encoder::serverSentEvent(
                          "progress",
                          Encoder::progress(QJsonValue::Undefined, command.command(), progress)));
        }
    }

    void commandFinished(const RunningCommand &command, const CommandResult &result) override
    {
        m_done = true;
        if (m_responder && m_streamOpen) {
            // The last piece of the stream, sent once the progress before it has left.
            m_resultEvent = Encoder::serverSentEvent(
                "result", Encoder::result(QJsonValue::Undefined, command.command(), result));
            m_ending = true;
            drain();
        } else {
            if (m_responder && m_connection) {
                const AdmittedHttpSocket::WriteBatch batch(m_connection);
                writeResult(*m_responder, command.command(), result);
            }
            m_responder.reset();
            deleteLater();
        }
        m_finished(this);
    }

private:
    void watch(AdmittedHttpSocket *connection)
    {
        m_watching = true;
        connect(connection, &QTcpSocket::disconnected, this, &RestCall::clientGone);
        connect(m_socket.data(), &QObject::destroyed, this, &RestCall::clientGone);
        whenBytesLeave(m_socket, this, [this] { drain(); });
    }

    void drain()
    {
        if (!m_responder)
            return;
        m_events.flush();
        // The flush may have found the client gone.
        if (m_ending && m_responder && m_events.waitingBytes() == 0) {
            HttpServerAdapter::endStream(*m_responder, m_resultEvent, m_socket);
            answered();
        }
    }

    void answered()
    {
        m_responder.reset();
        m_answered = true;
        if (m_watching)
            deleteLater();
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
    const bool m_stream;
    bool m_streamOpen = false;
    bool m_ending = false;
    bool m_done = false;
    bool m_answered = false;
    bool m_watching = false;
    QByteArray m_resultEvent;
    OutgoingQueue m_events;
    const Finished m_finished;
    RunningCommand m_command;
};

RestRoutes::RestRoutes(CommandRegistry *registry, SessionStore *sessions, QObject *parent)
    : QObject(parent)
    , m_registry(registry)
    , m_sessions(sessions)
{}

RestRoutes::~RestRoutes() = default;

void RestRoutes::install(QHttpServer &server)
{
    using Method = QHttpServerRequest::Method;
    server.route(
        QString(Protocol::Path::commands), Method::Get,
        [this](const QHttpServerRequest &, HttpServerAdapter::ResponderArgument responder) {
            writeJson(responder, 200, Encoder::restCommandList(m_registry->describeCommands()));
        });
    server.route(
        QString(Protocol::Path::health), Method::Get,
        [this](const QHttpServerRequest &, HttpServerAdapter::ResponderArgument responder) {
            writeJson(responder, 200, m_health ? m_health() : QJsonObject());
        });
    server.route(
        QString(Protocol::Path::events), Method::Get,
        [this](const QHttpServerRequest &, HttpServerAdapter::ResponderArgument responder) {
            writeJson(responder, 200, Encoder::restEventList(m_registry->describeEvents()));
        });
    server.route(
        QString(Protocol::Path::eventStream), Method::Get,
        [this](const QHttpServerRequest &request, HttpServerAdapter::ResponderArgument responder) {
            streamEvents(request, responder);
        });
    server.route(
        QString(Protocol::Path::openApi), Method::Get,
        [this](const QHttpServerRequest &request, HttpServerAdapter::ResponderArgument responder) {
            writeJson(responder, 200, openApiDocument(request));
        });
    server.route(QString(Protocol::Path::commandRoute), Method::Post,
                 [this](const QString &name, const QHttpServerRequest &request,
                        HttpServerAdapter::ResponderArgument responder) {
                     runCommand(name, request, responder, false);
                 });
    server.route(QString(Protocol::Path::commandStreamRoute), Method::Post,
                 [this](const QString &name, const QHttpServerRequest &request,
                        HttpServerAdapter::ResponderArgument responder) {
                     runCommand(name, request, responder, true);
                 });
    HttpServerAdapter::setMissingHandler(
        server, this, [](const QHttpServerRequest &request, QHttpServerResponder &responder) {
            static const QRegularExpression knownPath{QString(Protocol::Path::knownRestPattern)};
            const QString path = request.url().path();
            const auto refuse = [&](ErrorCode code, const QString &message) {
                writeJson(responder, httpStatusForErrorCode(code),
                          Encoder::restErrorBody(errorCodeString(code), message));
            };
            if (knownPath.match(path).hasMatch()) {
                refuse(ErrorCode::MethodNotAllowed, QStringLiteral("Method %1 is not allowed on %2")
                                                        .arg(methodName(request), path));
                return;
            }
            refuse(ErrorCode::NotFound,
                   QStringLiteral("No route for %1 %2").arg(methodName(request), path));
        });
}

void RestRoutes::runCommand(const QString &name, const QHttpServerRequest &request,
                            QHttpServerResponder &responder, bool stream)
{
    const auto reject = [&](ErrorCode code, const QString &message) {
        writeJson(responder, httpStatusForErrorCode(code),
                  Encoder::restCommandBody(name, CommandResult::failure(code, message)));
    };
    if (m_shuttingDown)
        return reject(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    auto args = decodeRestArgs(request.body());
    if (const auto *error = std::get_if<DecodeError>(&args))
        return reject(error->code, error->message);
    auto timeout = decodeTimeoutParameter(request.query().queryItemValue(Protocol::Key::timeoutMs));
    if (const auto *error = std::get_if<DecodeError>(&timeout))
        return reject(error->code, error->message);
    const QString sessionId = QString::fromUtf8(request.value(sessionHeader));
    if (!sessionId.isEmpty() && !isValidSessionId(sessionId)) {
        return reject(ErrorCode::BadMessage,
                      QStringLiteral("X-Session-Id must match [A-Za-z0-9._-]{1,128}"));
    }
    AdmittedHttpSocket *connection = HttpServerAdapter::connectionOf(request, responder);
    if (!connection) {
        // Every request arrives on an AdmittedHttpSocket: this means Qt changed how it tells one.
        qCCritical(lcRest) << "no connection found for a request from" << request.remoteAddress();
        return reject(ErrorCode::Internal, QStringLiteral("The request's connection is unknown"));
    }
    if (!connection->transport())
        return; // the client is gone: nobody to answer
    if (m_inFlight->fetch_add(1, std::memory_order_relaxed) >= m_options.maxRestInFlight) {
        m_inFlight->fetch_sub(1, std::memory_order_relaxed);
        qCDebug(lcAccess) << "refused command" << name << "from" << request.remoteAddress()
                          << "rule in-flight, limit" << m_options.maxRestInFlight;
        return reject(ErrorCode::Busy, QStringLiteral("Too many commands in flight (limit %1)")
                                           .arg(m_options.maxRestInFlight));
    }

    CommandInvocation invocation;
    invocation.command = name;
    invocation.args = std::get<QJsonValue>(args);
    invocation.session = sessionId.isEmpty() ? nullptr : m_sessions->acquire(sessionId);
    invocation.timeout = std::get<std::optional<std::chrono::milliseconds>>(timeout);

    const auto done = [this](const RunningCommand &command) {
        m_sessions->release(command.session());
        m_inFlight->fetch_sub(1, std::memory_order_relaxed);
    };
    RunningCommand command(CommandRegistryPrivate::get(m_registry)->prepare(std::move(invocation)));
    if (!stream) {
        // Most handlers answer at once: then no RestCall (a QObject watching the connection) is
        // made for them.
        ImmediateResult immediate;
        command.start(&immediate);
        if (immediate.result) {
            const AdmittedHttpSocket::WriteBatch batch(connection);
            writeResult(responder, command.command(), *immediate.result);
            done(command);
            return;
        }
    }
    auto *call = new RestCall(
        std::move(responder), connection, stream, m_options.outgoingHighWater,
        [this, done](RestCall *finished) {
            done(finished->command());
            m_calls.remove(finished);
        },
        this);
    m_calls.insert(call);
    if (command.run()->isStarted())
        call->adopt(std::move(command), connection);
    else if (!call->run(std::move(command), connection))
        delete call;
}

QJsonObject RestRoutes::openApiDocument(const QHttpServerRequest &request) const
{
    const QJsonArray commands = m_registry->describeCommands();
    OpenApi::ServerFacts facts;
    facts.version = QStringLiteral(COMMANDBRIDGE_VERSION_STRING);
    facts.url = serverUrl(request, m_options.tls.has_value());
    facts.tokenRequired = !m_options.token.isEmpty();
    facts.maxMessageBytes = m_options.maxMessageBytes;
    facts.maxTimeout = m_registry->maxTimeout();
    for (const QJsonValue &command : commands) {
        const QString name = command.toObject().value(Protocol::Key::name).toString();
        const auto entry = CommandRegistryPrivate::get(m_registry)->find(name);
        if (entry && entry->descriptor->requiresSession)
            facts.sessionCommands.insert(name);
    }
    return OpenApi::document(commands, m_registry->describeEvents(), facts);
}

void RestRoutes::streamEvents(const QHttpServerRequest &request, QHttpServerResponder &responder)
{
    const auto refuse = [&](ErrorCode code, const QString &message) {
        writeJson(responder, httpStatusForErrorCode(code),
                  Encoder::restErrorBody(errorCodeString(code), message));
    };
    if (m_shuttingDown)
        return refuse(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    const QUrlQuery query = request.query();
    auto entries =
        decodeEventsParameter(query.queryItemValue(Protocol::Key::events, QUrl::FullyDecoded));
    if (const auto *error = std::get_if<DecodeError>(&entries))
        return refuse(error->code, error->message);
    QString sessionId = QString::fromUtf8(request.value(sessionHeader));
    if (sessionId.isEmpty())
        sessionId = query.queryItemValue(Protocol::Key::session, QUrl::FullyDecoded);
    if (!sessionId.isEmpty() && !isValidSessionId(sessionId)) {
        return refuse(ErrorCode::BadMessage,
                      QStringLiteral("The session must match [A-Za-z0-9._-]{1,128}"));
    }
    const QStringList &names = std::get<QStringList>(entries);
    if (const auto refusal = ConnectionSubscription::check(m_registry, names))
        return refuse(refusal->code, refusal->message);
    AdmittedHttpSocket *connection = HttpServerAdapter::connectionOf(request, responder);
    if (!connection) {
        qCCritical(lcRest) << "no connection found for a request from" << request.remoteAddress();
        return refuse(ErrorCode::Internal, QStringLiteral("The request's connection is unknown"));
    }
    if (!connection->transport())
        return;
    new EventStream(m_registry, names, sessionId, std::move(responder), connection,
                    m_options.outgoingHighWater, m_options.eventStreamKeepAlive, this);
}

void RestRoutes::shutdown()
{
    m_shuttingDown = true;
    const QList<EventStream *> streams = findChildren<EventStream *>(Qt::FindDirectChildrenOnly);
    for (EventStream *stream : streams)
        stream->end();
    const QSet<RestCall *> calls = m_calls;
    for (RestCall *call : calls)
        call->command().abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
}

} // namespace CommandBridge
