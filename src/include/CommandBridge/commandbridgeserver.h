// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>

#include <chrono>
#include <memory>
#include <optional>

namespace CommandBridge {

class CommandRegistry;

/// Limits and settings of a CommandBridgeServer. The defaults are those of protocol v1.
struct ServerOptions
{
    /// Largest WebSocket message and REST body accepted (close code 1009 / HTTP 413 beyond).
    qint64 maxMessageBytes = 1024 * 1024;
    /// Commands in flight per WebSocket connection; one more gets `busy`.
    int maxInFlight = 32;
    /// REST commands in flight over the whole server; one more gets 503 `busy`.
    int maxRestInFlight = 256;
    /// How long a session outlives its last connection.
    std::chrono::milliseconds sessionIdleTime{std::chrono::minutes(30)};
    /// Time a new connection has to send its first complete request head (or handshake).
    std::chrono::milliseconds handshakeTimeout{std::chrono::seconds(10)};
    /// How long a kept-alive HTTP connection with no request under way stays open.
    std::chrono::milliseconds httpIdleTimeout{std::chrono::seconds(30)};
    /// Longest time shutdown() waits for sockets to flush before closing them hard.
    std::chrono::milliseconds shutdownGrace{std::chrono::seconds(2)};

    /// Bearer token clients must present (docs/protocol.md §12.1); empty means no authentication.
    QString token;
    /// Time a WebSocket client that did not authenticate at the upgrade has to send `auth`.
    std::chrono::milliseconds authTimeout{std::chrono::seconds(10)};
    /// Origins allowed besides the server's own, such as "http://localhost:5173".
    QStringList allowedOrigins;
    /// Open TCP connections; one more is answered with HTTP 503 and closed.
    int maxConnections = 1024;
    /// Unsent bytes on a WebSocket or SSE stream above which queued progress of a request is
    /// coalesced; on an HTTP connection, above which no further pipelined request is read.
    qint64 outgoingHighWater = 256 * 1024;
    /// Unsent bytes above which a WebSocket client that stays there for slowClientTimeout is
    /// disconnected.
    qint64 outgoingHardLimit = 16 * 1024 * 1024;
    /// How long a WebSocket client may stay above outgoingHardLimit before it is disconnected.
    std::chrono::milliseconds slowClientTimeout{std::chrono::seconds(10)};
    /// How often an event stream (GET /api/v1/events/stream) sends a `: keepalive` comment, so
    /// that proxies do not close it while no event comes.
    std::chrono::milliseconds eventStreamKeepAlive{std::chrono::seconds(15)};
    /// Serve https:// and wss:// on the same port with this configuration (certificate and key).
    std::optional<QSslConfiguration> tls;
    /// Threads that serve the sockets, each with an epoll event loop (Linux) that costs nothing per
    /// idle connection; connections are spread over them. The default, one, keeps the sockets off
    /// the thread that made the server (the app's GUI); 0 serves them on that thread. Handlers
    /// still run where CommandDescriptor::thread and CommandDescriptor::mode say. Read by listen().
    int networkThreads = 1;
};

class CommandBridgeServerPrivate;

/// Serves the commands of a CommandRegistry on one TCP port: WebSocket clients at /ws and REST
/// clients at /api/v1/... (protocol v1).
///
/// Ownership: owned by its parent (or the caller); the registry is not owned and must outlive the
/// server. The server owns its network threads, its sessions and every connection; destroying it
/// closes them all at once (call shutdown() first for a graceful stop). Threads: create and use it
/// on one thread with an event loop, and emit its signal there. Its sockets are served on that
/// thread, or on ServerOptions::networkThreads threads of its own so that a busy bridge does not
/// delay the app's GUI; handlers run where their CommandDescriptor says.
class COMMANDBRIDGE_EXPORT CommandBridgeServer : public QObject
{
    Q_OBJECT

public:
    /// A server for the commands and events of \a registry, which must outlive it; it does not
    /// listen until listen() is called.
    explicit CommandBridgeServer(CommandRegistry *registry, QObject *parent = nullptr);
    /// Closes every connection at once and stops the network threads, waiting for them; commands
    /// still running are aborted (their handlers see isCancelled()) and their clients get no
    /// result. For a graceful stop, call shutdown() and wait for shutdownFinished() first.
    ~CommandBridgeServer() override;

    /// Options take effect for connections made after the call; set them before listen().
    /// ServerOptions::networkThreads is read only by the first listen().
    void setOptions(const ServerOptions &options);
    /// The options last set (the defaults until setOptions() is called).
    ServerOptions options() const;

    /// Listens on \a address and \a port (0 picks a free port). Returns false and sets
    /// errorString() when it cannot, when \a address is not a loopback address and no token
    /// is configured, or when the server already listens or was shut down.
    [[nodiscard]] bool listen(const QHostAddress &address = QHostAddress::LocalHost,
                              quint16 port = 0);
    /// True from a successful listen() until shutdown().
    bool isListening() const;
    /// Why the last listen() failed, for humans; empty after a successful one.
    QString errorString() const;
    /// The port listened on (the one picked when listen() was given 0); 0 while not listening.
    quint16 serverPort() const;
    /// The address listened on; a null QHostAddress while not listening.
    QHostAddress serverAddress() const;
    /// http://HOST:PORT (https:// with TLS)
    QUrl httpUrl() const;
    /// ws://HOST:PORT/ws (wss:// with TLS)
    QUrl webSocketUrl() const;

    /// Open WebSocket connections over all network threads (health: "connections").
    int connectionCount() const;
    /// Sessions the server keeps: those in use and those waiting out
    /// ServerOptions::sessionIdleTime after their last connection (health: "sessions").
    int sessionCount() const;
    /// Commands started and not yet finished: the registry's CommandRegistry::inFlightCount(),
    /// whichever front end runs them (health: "in_flight").
    int inFlightCount() const;

    /// Graceful stop (docs/protocol.md §9): no new connections, every running command gets a
    /// `shutting_down` result, open REST requests get 503, WebSockets close with 1001.
    /// shutdownFinished() follows once the sockets are closed. Calling it again does nothing, and
    /// a server that was shut down does not listen again.
    void shutdown();

Q_SIGNALS:
    /// Emitted once after shutdown(), on the server's thread, when every socket is closed or
    /// ServerOptions::shutdownGrace has passed, whichever comes first. It may come during the
    /// call to shutdown() (when the server never listened, for one), so connect to it before.
    /// The app may quit its event loop then; delete the server later (deleteLater()), not in a
    /// slot directly connected to this signal.
    void shutdownFinished();

private:
    std::unique_ptr<CommandBridgeServerPrivate> d;
};

} // namespace CommandBridge
