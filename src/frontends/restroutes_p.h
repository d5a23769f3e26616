// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QSet>

#include <atomic>
#include <functional>
#include <memory>

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

    /// The routes of several network threads share one count for ServerOptions::maxRestInFlight.
    void setInFlightCounter(std::shared_ptr<std::atomic<int>> counter)
    {
        m_inFlight = std::move(counter);
    }

    /// Open requests end with 503 shutting_down; new ones get the same.
    void shutdown();

private:
    void runCommand(const QString &name, const QHttpServerRequest &request,
                    QHttpServerResponder &responder, bool stream);
    void streamEvents(const QHttpServerRequest &request, QHttpServerResponder &responder);
    /// GET /api/v1/openapi.json, made from the registry as it is now.
    QJsonObject openApiDocument(const QHttpServerRequest &request) const;

    CommandRegistry *m_registry;
    SessionStore *m_sessions;
    ServerOptions m_options;
    HealthSource m_health;
    QSet<RestCall *> m_calls;
    std::shared_ptr<std::atomic<int>> m_inFlight = std::make_shared<std::atomic<int>>(0);
    bool m_shuttingDown = false;
};

} // namespace CommandBridge
