// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeserver.h>

#include "commandrun_p.h"
#include "eventbus_p.h"
#include "messagedecoder_p.h"
#include "outgoingqueue_p.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QSet>

#include <atomic>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace CommandBridge {

class ClientFrameSocket;
class CommandRegistry;
class RequestAdmission;
class Session;
class SessionStore;
class WebSocketBridge;

/// One WebSocket client: decodes its messages, runs its commands and is the single way out for
/// everything sent to it. Owned by the bridge; lives until its socket disconnects.
class WebSocketConnection : public QObject, private CommandSink, private EventSubscriber
{
    Q_OBJECT

public:
    /// \a frames is the socket \a socket reads (its transport() tells the unsent bytes, TLS
    /// included); the session \a sessionId is only held once the client is authenticated.
    WebSocketConnection(QWebSocket *socket, ClientFrameSocket *frames, const QString &sessionId,
                        bool authenticated, WebSocketBridge *bridge);
    ~WebSocketConnection() override;

    /// Ends every running command with \a code, then closes the socket with \a closeCode.
    void closeWith(ErrorCode code, const QString &message, int closeCode);

Q_SIGNALS:
    void closed(CommandBridge::WebSocketConnection *connection);

private:
    void receive(const QByteArray &utf8);
    void receiveBinary(const QByteArray &message);
    void receiveBeforeAuth(const DecodeResult &decoded);
    void authenticate(const ClientMessage &message);
    void runCommand(ClientMessage &&message);
    void cancelCommand(const ClientMessage &message);
    void subscribe(const ClientMessage &message);
    void unsubscribe(const ClientMessage &message);
    void eventPublished(const PublishedEvent &event) override;
    void abortAll(ErrorCode code, const QString &message);
    void send(const QJsonObject &message);
    void send(const QByteArray &message);
    void checkBacklog();
    void acquireSession();
    void onDisconnected();
    QTcpSocket *transport() const;
    void timerEvent(QTimerEvent *event) override;
    void commandProgressed(const RunningCommand &command, const CommandProgress &progress) override;
    void commandFinished(const RunningCommand &command, const CommandResult &result) override;

    WebSocketBridge *m_bridge;
    QWebSocket *m_socket;
    QPointer<ClientFrameSocket> m_frames;
    const QString m_sessionId;
    std::shared_ptr<Session> m_session;
    OutgoingQueue m_outgoing;
    // QBasicTimers: a QTimer's QObject would cost every idle connection a few hundred bytes.
    QBasicTimer m_authDeadline;
    /// Runs while the unsent output is above the hard limit.
    QBasicTimer m_slowClientDeadline;
    bool m_authenticated;
    /// Running commands by request id key; commands without id are only in m_running.
    QHash<RequestIdKey, RunningCommand> m_byId;
    QSet<RunningCommand> m_running;
    /// Made by the first subscribe: a connection that never subscribes costs nothing more.
    std::unique_ptr<ConnectionSubscription> m_events;
    bool m_closed = false;
    bool m_closing = false;
};

/// Speaks protocol v1 to WebSocket clients handed over by the connection router.
class WebSocketBridge : public QObject
{
    Q_OBJECT

public:
    WebSocketBridge(CommandRegistry *registry, SessionStore *sessions,
                    const RequestAdmission *admission, QObject *parent = nullptr);
    ~WebSocketBridge() override;

    void setOptions(const ServerOptions &options) { m_options = options; }
    const ServerOptions &options() const { return m_options; }
    CommandRegistry *registry() const { return m_registry; }
    SessionStore *sessions() const { return m_sessions; }
    const RequestAdmission *admission() const { return m_admission; }

    /// Takes \a socket, an admitted upgrade request whose handshake is still unread.
    void handleUpgrade(CommandBridge::ClientFrameSocket *socket);
    /// Any thread may ask: the server's health sums the bridges of its network threads.
    int connectionCount() const { return m_connectionCount.load(std::memory_order_relaxed); }

    /// Ends every command with shutting_down and closes every socket with 1001; allClosed()
    /// follows once they are gone.
    void shutdown();

Q_SIGNALS:
    void allClosed();

private:
    void acceptConnections();

    CommandRegistry *m_registry;
    SessionStore *m_sessions;
    const RequestAdmission *m_admission;
    ServerOptions m_options;
    std::unique_ptr<QWebSocketServer> m_server;
    QSet<WebSocketConnection *> m_connections;
    std::atomic<int> m_connectionCount{0};
    /// Sockets handed to QWebSocketServer, by peer, until their QWebSocket appears.
    QHash<QString, QPointer<ClientFrameSocket>> m_upgrading;
    qsizetype m_upgradingPurgeAt = 64;
    bool m_shuttingDown = false;
};

} // namespace CommandBridge
