// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The commands both bridge benchmarks serve: the same `echo` and `burst` as the baselines, the
// demo server's `broadcast` with its `notice` event for the fan-out benchmark, and an exposed
// object's `counter.increment`.
#pragma once

#include "democommands.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/commandcontext.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHostAddress>

#include <cstdio>

namespace BridgeBench {

/// The object behind `counter.increment`: an exposed method against the hand-written `echo`.
class Counter : public QObject
{
    Q_OBJECT

public:
    /// Adds \a by and answers the new value.
    Q_INVOKABLE int increment(int by)
    {
        m_value = int((qint64(m_value) + by) % 1000000000);
        return m_value;
    }

private:
    int m_value = 0;
};

/// Registers `echo` (answers its args) and `burst` (reports "1".."n" as progress, then answers
/// {"n": n}), both Synchronous on \a thread, and the demo server's `broadcast` (EventLoop on
/// \a thread) with its Global `notice` event. False, with the reason in \a errorString, when it
/// cannot.
inline bool registerCommands(CommandBridge::CommandRegistry &registry,
                             CommandBridge::HandlerThread thread, QString &errorString)
{
    using namespace CommandBridge;
    CommandBuilder echo =
        CommandBuilder(QStringLiteral("echo"))
            .description(QStringLiteral("Answers its args"))
            .mode(ExecutionMode::Synchronous)
            .thread(thread)
            .handler([](CommandContext &context) { context.succeed(context.args()); });
    CommandBuilder burst =
        CommandBuilder(QStringLiteral("burst"))
            .description(QStringLiteral("Reports n progress messages, then answers"))
            .args(R"({
                "type": "object",
                "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 1000000}},
                "required": ["n"]
            })")
            .mode(ExecutionMode::Synchronous)
            .thread(thread)
            .handler([](CommandContext &context) {
                const int n = context.args().value(QStringLiteral("n")).toInt();
                for (int i = 1; i <= n; ++i)
                    context.reportProgress(QString::number(i), 100.0 * i / n);
                context.succeed(QJsonObject{{QStringLiteral("n"), n}});
            });
    CommandBuilder broadcast = CommandBridge::Demo::broadcastCommand();
    broadcast.thread(thread);
    for (CommandBuilder *command : {&echo, &burst, &broadcast}) {
        if (!command->registerIn(registry)) {
            errorString = command->errorString();
            return false;
        }
    }
    if (!registry.registerEvent(CommandBridge::Demo::noticeEvent())) {
        errorString = registry.errorString();
        return false;
    }
    return true;
}

/// The options both benchmarks take besides their own.
struct Options
{
    quint16 port = 0;
    int networkThreads = 0;
    CommandBridge::HandlerThread handlerThread = CommandBridge::HandlerThread::Network;
};

inline void addOptions(QCommandLineParser &parser)
{
    parser.addHelpOption();
    parser.addOption({QStringLiteral("port"), QStringLiteral("TCP port on 127.0.0.1 (0: any)"),
                      QStringLiteral("port"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("network-threads"),
                      QStringLiteral("Threads serving the sockets (0: the main thread)"),
                      QStringLiteral("n"), QStringLiteral("0")});
    parser.addOption({QStringLiteral("handler-thread"),
                      QStringLiteral("Where echo and burst run: network or registry (main)"),
                      QStringLiteral("thread"), QStringLiteral("network")});
}

/// False when an option is malformed.
inline bool readOptions(const QCommandLineParser &parser, Options &options)
{
    bool portOk = false;
    bool threadsOk = false;
    const uint port = parser.value(QStringLiteral("port")).toUInt(&portOk);
    options.networkThreads = parser.value(QStringLiteral("network-threads")).toInt(&threadsOk);
    const QString thread = parser.value(QStringLiteral("handler-thread"));
    options.port = quint16(port);
    options.handlerThread = thread == QLatin1String("registry")
                                ? CommandBridge::HandlerThread::Registry
                                : CommandBridge::HandlerThread::Network;
    return portOk && port <= 65535 && threadsOk && options.networkThreads >= 0 &&
           options.networkThreads <= 64 &&
           (thread == QLatin1String("registry") || thread == QLatin1String("network"));
}

/// Limits sized for load, not for a desktop app's defaults.
inline CommandBridge::ServerOptions serverOptions(const Options &options)
{
    CommandBridge::ServerOptions server;
    server.networkThreads = options.networkThreads;
    server.maxConnections = 20000;
    server.maxRestInFlight = 4096;
    return server;
}

/// The registry with `echo`, `burst` and the exposed `counter` (on the main thread), served on
/// 127.0.0.1.
struct Bridge
{
    Counter counter; // outlives the registry's commands
    CommandBridge::CommandRegistry registry;
    CommandBridge::CommandBridgeServer server{&registry};

    /// Registers the commands and listens; false, with the reason on stderr, when it cannot.
    bool start(const Options &options)
    {
        QString error;
        if (!registerCommands(registry, options.handlerThread, error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return false;
        }
        if (!registry.exposeObject(QStringLiteral("counter"), &counter)) {
            std::fprintf(stderr, "%s\n", qPrintable(registry.errorString()));
            return false;
        }
        server.setOptions(serverOptions(options));
        if (!server.listen(QHostAddress::LocalHost, options.port)) {
            std::fprintf(stderr, "%s\n", qPrintable(server.errorString()));
            return false;
        }
        return true;
    }
};

} // namespace BridgeBench
