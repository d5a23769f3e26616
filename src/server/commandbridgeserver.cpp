// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include "commandbridgeserver_p.h"
#include "epolleventdispatcher_p.h"
#include "logging_p.h"
#include "protocol_p.h"

namespace CommandBridge {

CommandBridgeServerPrivate::CommandBridgeServerPrivate(CommandBridgeServer *q,
                                                       CommandRegistry *registry)
    : q(q)
    , registry(registry)
    , sessions(std::make_unique<SessionStore>())
    , mcpSessions(std::make_shared<McpSessions>(sessions.get()))
{}

CommandBridgeServerPrivate::~CommandBridgeServerPrivate()
{
    // Shards go first: their connections release sessions and contexts on the way out.
    for (NetworkShard *shard : shards)
        runOn(shard, [shard] { delete shard; });
    for (const std::unique_ptr<QThread> &thread : networkThreads) {
        thread->quit();
        thread->wait();
    }
}

void CommandBridgeServerPrivate::applyPolicy(const QHostAddress &boundAddress)
{
    admission.setPolicy(RequestAdmission::Policy{
        options.token,
        options.allowedOrigins,
        boundAddress.isNull() || boundAddress.isLoopback(),
        options.maxMessageBytes,
    });
}

QJsonObject CommandBridgeServerPrivate::health() const
{
    return QJsonObject{
        {Protocol::Key::status, QStringLiteral("ok")},
        {Protocol::Key::connections, q->connectionCount()},
        {Protocol::Key::sessions, sessions->count()},
        {Protocol::Key::inFlight, registry->inFlightCount()},
        {Protocol::Key::uptimeMs, uptime.elapsed()},
    };
}

void CommandBridgeServerPrivate::runOn(NetworkShard *shard, const std::function<void()> &work)
{
    if (shard->thread() == QThread::currentThread())
        work();
    else
        QMetaObject::invokeMethod(shard, work, Qt::BlockingQueuedConnection);
}

void CommandBridgeServerPrivate::post(NetworkShard *shard, void (NetworkShard::*work)())
{
    if (shard->thread() == QThread::currentThread())
        (shard->*work)();
    else
        QMetaObject::invokeMethod(shard, work, Qt::QueuedConnection);
}

void CommandBridgeServerPrivate::createShards()
{
    const NetworkShard::Shared shared{
        registry,        sessions.get(), &admission,  [this] { return health(); },
        openConnections, restInFlight,   mcpSessions,
    };
    const auto watch = [this](NetworkShard *shard) {
        shard->setOptions(options);
        QObject::connect(shard, &NetworkShard::allClosed, q, [this] { shardClosed(); });
        shards.push_back(shard);
    };
    if (options.networkThreads <= 0) {
        watch(new NetworkShard(shared));
        return;
    }
    for (int i = 0; i < options.networkThreads; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("CommandBridge network %1").arg(i));
#ifdef Q_OS_LINUX
        auto dispatcher = std::make_unique<EpollEventDispatcher>();
        if (dispatcher->isValid())
            thread->setEventDispatcher(dispatcher.release());
        else
            qCWarning(lcRouter) << "no epoll event loop; network thread" << i << "uses Qt's";
#endif
        // Built on its thread so that it and everything it creates live there.
        auto *anchor = new QObject;
        anchor->moveToThread(thread.get());
        thread->start();
        NetworkShard *shard = nullptr;
        QMetaObject::invokeMethod(
            anchor,
            [&shard, &shared, anchor] {
                shard = new NetworkShard(shared);
                anchor->deleteLater();
            },
            Qt::BlockingQueuedConnection);
        networkThreads.push_back(std::move(thread));
        watch(shard);
    }
}

bool CommandBridgeServerPrivate::listenOnShards(const QHostAddress &requested, quint16 port)
{
    NetworkShard *first = shards.front();
    bool listened = false;
    qintptr descriptor = -1;
    runOn(first, [&] {
        listened = first->listen(requested, port);
        errorString = first->router()->errorString();
        address = first->router()->serverAddress();
        this->port = first->router()->serverPort();
        descriptor = first->router()->socketDescriptor();
    });
    for (std::size_t i = 1; listened && i < shards.size(); ++i) {
        NetworkShard *shard = shards[i];
        runOn(shard, [&] {
            listened = shard->listenAlongside(descriptor);
            errorString = shard->router()->errorString();
        });
    }
    if (!listened) {
        for (NetworkShard *shard : shards)
            runOn(shard, [shard] { shard->router()->close(); });
        return false;
    }
    if (shards.size() > 1) {
        for (NetworkShard *shard : shards) {
            runOn(shard, [this, shard] {
                shard->router()->setDistributor([this](qintptr socket, bool overCapacity) {
                    distribute(socket, overCapacity);
                });
            });
        }
    }
    return true;
}

void CommandBridgeServerPrivate::distribute(qintptr socketDescriptor, bool overCapacity)
{
    NetworkShard *shard = shards[nextShard.fetch_add(1, std::memory_order_relaxed) % shards.size()];
    ConnectionRouter *router = shard->router();
    if (shard->thread() == QThread::currentThread()) {
        router->adopt(socketDescriptor, overCapacity);
        return;
    }
    QMetaObject::invokeMethod(
        router,
        [router, socketDescriptor, overCapacity] { router->adopt(socketDescriptor, overCapacity); },
        Qt::QueuedConnection);
}

void CommandBridgeServerPrivate::shardClosed()
{
    if (shuttingDown && shardsOpen > 0 && --shardsOpen == 0)
        finishShutdown();
}

void CommandBridgeServerPrivate::finishShutdown()
{
    if (shutdownDone)
        return;
    shutdownDone = true;
    if (shutdownGrace)
        shutdownGrace->stop();
    // REST answers written during shutdown must leave before the embedding app quits its loop.
    // A network thread flushes in turn, before the server's teardown reaches it, without making
    // this thread wait behind whatever it is still writing.
    for (NetworkShard *shard : shards)
        post(shard, &NetworkShard::flush);
    Q_EMIT q->shutdownFinished();
}

CommandBridgeServer::CommandBridgeServer(CommandRegistry *registry, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<CommandBridgeServerPrivate>(this, registry))
{
    d->uptime.start();
    setOptions(ServerOptions());
}

CommandBridgeServer::~CommandBridgeServer() = default;

void CommandBridgeServer::setOptions(const ServerOptions &options)
{
    d->options = options;
    d->sessions->setIdleTime(options.sessionIdleTime);
    d->mcpSessions->setIdleTime(options.sessionIdleTime);
    d->applyPolicy(d->listening ? d->address : QHostAddress());
    for (NetworkShard *shard : d->shards)
        d->runOn(shard, [shard, options] { shard->setOptions(options); });
}

ServerOptions CommandBridgeServer::options() const
{
    return d->options;
}

bool CommandBridgeServer::listen(const QHostAddress &address, quint16 port)
{
    if (!address.isLoopback() && d->options.token.isEmpty()) {
        d->errorString = QStringLiteral("Refusing to listen on the non-loopback address %1 "
                                        "without a token")
                             .arg(address.toString());
        return false;
    }
    if (d->listening || d->shuttingDown) {
        d->errorString = QStringLiteral("The server is already listening or shut down");
        return false;
    }
    if (d->shards.empty())
        d->createShards();
    // The rules hold before the first connection can arrive.
    d->applyPolicy(address);
    if (!d->listenOnShards(address, port))
        return false;
    d->listening = true;
    d->errorString.clear();
    qCDebug(lcRouter) << "listening on" << httpUrl().toString() << "with"
                      << d->networkThreads.size() << "network threads";
    return true;
}

bool CommandBridgeServer::isListening() const
{
    return d->listening;
}

QString CommandBridgeServer::errorString() const
{
    return d->errorString;
}

quint16 CommandBridgeServer::serverPort() const
{
    return d->listening ? d->port : 0;
}

QHostAddress CommandBridgeServer::serverAddress() const
{
    return d->listening ? d->address : QHostAddress();
}

QUrl CommandBridgeServer::httpUrl() const
{
    QUrl url;
    url.setScheme(d->options.tls ? QStringLiteral("https") : QStringLiteral("http"));
    url.setHost(serverAddress().toString());
    url.setPort(serverPort());
    return url;
}

QUrl CommandBridgeServer::webSocketUrl() const
{
    QUrl url = httpUrl();
    url.setScheme(d->options.tls ? QStringLiteral("wss") : QStringLiteral("ws"));
    url.setPath(Protocol::Path::webSocket);
    return url;
}

int CommandBridgeServer::connectionCount() const
{
    int count = 0;
    for (const NetworkShard *shard : d->shards)
        count += shard->connectionCount();
    return count;
}

int CommandBridgeServer::sessionCount() const
{
    return d->sessions->count();
}

int CommandBridgeServer::inFlightCount() const
{
    return d->registry->inFlightCount();
}

void CommandBridgeServer::shutdown()
{
    if (d->shuttingDown)
        return;
    d->shuttingDown = true;
    d->listening = false;
    d->admission.setShuttingDown();
    d->shardsOpen = int(d->shards.size());
    if (d->shards.empty()) {
        d->finishShutdown();
        return;
    }
    d->shutdownGrace = std::make_unique<QTimer>();
    d->shutdownGrace->setSingleShot(true);
    connect(d->shutdownGrace.get(), &QTimer::timeout, this, [this] { d->finishShutdown(); });
    d->shutdownGrace->start(d->options.shutdownGrace);
    for (NetworkShard *shard : d->shards)
        d->post(shard, &NetworkShard::shutdown);
}

} // namespace CommandBridge
