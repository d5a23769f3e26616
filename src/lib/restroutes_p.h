#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include <functional>

QT_BEGIN_NAMESPACE
class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponder;
QT_END_NAMESPACE

namespace CommandBridge {

class CommandRegistry;
class RestCall;
class SessionStore;

/// The REST front end: installs the /api/v1 routes on a QHttpServer and runs each request
/// through the registry. Knows nothing of WebSockets; requests reach it already admitted.
class RestRoutes : public QObject
{
    Q_OBJECT

public:
    using HealthSource = std::function<QJsonObject()>;

    RestRoutes(CommandRegistry *registry, SessionStore *sessions, QObject *parent = nullptr);
    ~RestRoutes() override;

    void setOptions(const ServerOptions &options) { m_options = options; }
    void setHealthSource(HealthSource source) { m_health = std::move(source); }
    void install(QHttpServer &server);

    /// REST commands still waiting for their result.
    int inFlightCount() const { return int(m_calls.size()); }

    /// Open requests end with 503 shutting_down; new ones get the same.
    void shutdown();

private:
    void runCommand(const QString &name, const QHttpServerRequest &request,
                    QHttpServerResponder &&responder, bool stream);

    CommandRegistry *m_registry;
    SessionStore *m_sessions;
    ServerOptions m_options;
    HealthSource m_health;
    QSet<RestCall *> m_calls;
    bool m_shuttingDown = false;
};

} // namespace CommandBridge
