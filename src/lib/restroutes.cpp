#include "restroutes_p.h"

#include <CommandBridge/commandregistry.h>
#include <CommandBridge/session.h>

#include "admittedhttpsocket_p.h"
#include "httpserveradapter_p.h"
#include "logging_p.h"
#include "messagedecoder_p.h"
#include "messageencoder_p.h"
#include "outgoingqueue_p.h"
#include "protocol_p.h"
#include "sessionstore_p.h"

#include <QtCore/QMetaEnum>
#include <QtCore/QPointer>
#include <QtCore/QRegularExpression>
#include <QtHttpServer/QHttpServer>
#include <QtHttpServer/QHttpServerRequest>
#include <QtHttpServer/QHttpServerResponder>
#include <QtNetwork/QTcpSocket>

#include <optional>

namespace CommandBridge {
namespace {

const QByteArray jsonType = QByteArrayLiteral("application/json");

void writeJson(QHttpServerResponder &responder, int status, const QJsonObject &body)
{
    responder.write(Encoder::toJson(body), jsonType, QHttpServerResponder::StatusCode(status));
}

QString methodName(const QHttpServerRequest &request)
{
    const char *key =
        QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(int(request.method()));
    return key ? QString::fromLatin1(key).toUpper() : QStringLiteral("UNKNOWN");
}

} // namespace

/// One REST request waiting for its command. Holds the responder no longer than the connection
/// lives. A stream's events leave through an OutgoingQueue, so a client that stops reading costs
/// bounded memory. Deletes itself once its answer is written or its client is gone.
class RestCall : public QObject
{
public:
    /// \a connection is live.
    RestCall(QHttpServerResponder &&responder, AdmittedHttpSocket *connection,
             const QString &command, bool stream, qint64 highWater, QObject *parent)
        : QObject(parent)
        , m_socket(connection->transport())
        , m_responder(std::move(responder))
        , m_command(command)
        , m_stream(stream)
        , m_events(
              [this](const QByteArray &event) {
                  HttpServerAdapter::writeStream(*m_responder, event);
              },
              [this] { return m_socket ? unsentBytes(m_socket) : 0; }, highWater)
    {
        connect(connection, &QTcpSocket::disconnected, this, &RestCall::clientGone);
        connect(m_socket.data(), &QObject::destroyed, this, &RestCall::clientGone);
        whenBytesLeave(m_socket, this, [this] { drain(); });
    }

    void attach(CommandContext *context, std::shared_ptr<Session> session)
    {
        m_context = context;
        m_session = std::move(session);
    }

    CommandContext *context() const { return m_context; }
    std::shared_ptr<Session> session() const { return m_session; }

    void openStream()
    {
        if (!m_stream || !m_responder)
            return;
        m_streamOpen = true;
        HttpServerAdapter::beginStream(*m_responder, "text/event-stream");
    }

    void progress(const CommandProgress &progress)
    {
        if (m_streamOpen && m_responder) {
            m_events.pushProgress(
                this, Encoder::serverSentEvent("progress", Encoder::progress(QJsonValue::Undefined,
                                                                             m_command, progress)));
        }
    }

    void finish(const CommandResult &result)
    {
        m_context = nullptr;
        if (m_responder && m_streamOpen) {
            // The last piece of the stream, sent once the progress before it has left.
            m_resultEvent = Encoder::serverSentEvent(
                "result", Encoder::result(QJsonValue::Undefined, m_command, result));
            m_ending = true;
            drain();
            return;
        }
        if (m_responder) {
            const int status =
                result.isSuccess() ? 200 : httpStatusForErrorCode(result.errorCode());
            writeJson(*m_responder, status, Encoder::restCommandBody(m_command, result));
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
        if (m_ending && m_events.waitingBytes() == 0) {
            HttpServerAdapter::endStream(*m_responder, m_resultEvent, m_socket);
            m_responder.reset();
            deleteLater();
        }
    }

    void clientGone()
    {
        m_responder.reset();
        if (m_context)
            m_context->abort(ErrorCode::Cancelled, QStringLiteral("Connection closed"));
        else
            deleteLater();
    }

    QPointer<QTcpSocket> m_socket;
    std::optional<QHttpServerResponder> m_responder;
    const QString m_command;
    const bool m_stream;
    bool m_streamOpen = false;
    bool m_ending = false;
    QByteArray m_resultEvent;
    OutgoingQueue m_events;
    CommandContext *m_context = nullptr;
    std::shared_ptr<Session> m_session;
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
            static const QRegularExpression knownPath(QString(Protocol::Path::knownRestPattern));
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
        writeJson(responder, httpStatusForErrorCode(errorCodeString(code)),
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
    const QString sessionId = QString::fromUtf8(request.value("X-Session-Id"));
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
        return reject(ErrorCode::Busy, QStringLiteral("Too many commands in flight (limit %1)")
                                           .arg(m_options.maxRestInFlight));
    }

    CommandInvocation invocation;
    invocation.command = name;
    invocation.args = std::get<QJsonValue>(args);
    invocation.session = sessionId.isEmpty() ? nullptr : m_sessions->acquire(sessionId);
    invocation.timeout = std::get<std::optional<std::chrono::milliseconds>>(timeout);

    auto *call = new RestCall(std::move(responder), connection, name, stream,
                              m_options.outgoingHighWater, this);
    CommandContext *context = m_registry->createCommand(invocation);
    call->attach(context, invocation.session);
    m_calls.insert(call);
    connect(context, &CommandContext::started, call, &RestCall::openStream);
    connect(context, &CommandContext::progressed, call, &RestCall::progress);
    connect(context, &CommandContext::finished, call, [this, call](const CommandResult &result) {
        call->finish(result);
        m_sessions->release(call->session());
        m_calls.remove(call);
        m_inFlight->fetch_sub(1, std::memory_order_relaxed);
    });
    context->start();
}

void RestRoutes::shutdown()
{
    m_shuttingDown = true;
    const QSet<RestCall *> calls = m_calls;
    for (RestCall *call : calls) {
        if (CommandContext *context = call->context())
            context->abort(ErrorCode::ShuttingDown, QStringLiteral("Server is shutting down"));
    }
}

} // namespace CommandBridge
