// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// A CommandRegistry filled with test commands covering every execution mode, and a
// CommandBridgeServer serving it on 127.0.0.1, port 0.

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QWaitCondition>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace CommandBridgeTest {

/// What the test handlers observed. Shared with the handlers, so it outlives any of them;
/// every member is thread-safe.
class HandlerProbe
{
public:
    /// Handlers that received CommandContext::cancelRequested().
    std::atomic<int> cancelObserved{0};
    /// `pool` handlers that saw CommandContext::isCancelled() between steps and stopped.
    std::atomic<int> poolCancelObserved{0};
    /// `pool` handlers that have started / returned.
    std::atomic<int> poolStarted{0};
    std::atomic<int> poolReturned{0};

    void recordStart(const QString &command);
    /// Commands whose handler ran, in the order they started.
    QStringList startedCommands() const;
    /// Runs the event loop until \a count handlers of \a command ran (false after 5 s). A command
    /// is in flight once admitted, before a handler on another thread runs; one cancelled in
    /// between never reaches its handler, so a test about the handler's cancel waits for this.
    bool waitForHandlers(const QString &command, int count = 1) const;

    void recordPoolThread(QThread *thread);
    /// The threads `pool` handlers ran on.
    QSet<QThread *> poolThreads() const;

    /// `pool` handlers given "hold_after" wait here (bounded, and woken by a cancel unless they
    /// ignore it) until the test releases them.
    void releaseGate();
    bool waitAtGate(const std::function<bool()> &stop);

private:
    mutable QMutex m_mutex;
    QWaitCondition m_gateOpened;
    bool m_gateOpen = false;
    QStringList m_started;
    QSet<QThread *> m_poolThreads;
};

/// Builds the registry and server. Set options() (and registry limits) before listen().
///
/// Test commands (all with schemas a test may rely on):
/// - `quick` (Synchronous): result is its args as the handler saw them.
/// - `slow` (EventLoop): args `steps` (default 3), `interval_ms` (default 10). Every interval it
///   reports "step i/steps" at 100*i/steps percent, then succeeds with {"steps": steps}. Stops on
///   cancelRequested.
/// - `pool` (WorkerPool): args `steps` (default 3), `step_ms` (default 0), `hold_after` (0: never)
///   and `ignore_cancel` (false). Reports "step i/steps" from the worker thread, waits at the
///   probe's gate after step `hold_after`, checks isCancelled() between steps unless told to
///   ignore it, and succeeds with {"steps": steps}.
/// - `never` (EventLoop): never finishes; counts cancelRequested.
/// - `throws` (Synchronous): throws std::runtime_error("boom").
/// - `nores` (Synchronous): returns without a result.
/// - `failing` (Synchronous): fails with code "not_found", message "No such thing".
/// - `needs_session` (Synchronous, requiresSession): result {"session_id": context.sessionId()}.
/// - `strict` (Synchronous): schema with required integer `n` 1..10, string `s` of at most 5
///   characters, no other properties; result is its args.
/// - `session_set` (Synchronous, requiresSession): args `key`, `value`; stores the value in the
///   session; result {"stored": key}.
/// - `session_get` (Synchronous, requiresSession): args `key`; result {"key": key, "value": v},
///   without "value" when the session has none.
class BridgeFixture
{
public:
    BridgeFixture();
    ~BridgeFixture();
    BridgeFixture(const BridgeFixture &) = delete;
    BridgeFixture &operator=(const BridgeFixture &) = delete;

    /// Applied by listen(). networkThreads starts as $COMMANDBRIDGE_TEST_NETWORK_THREADS (or 0).
    CommandBridge::ServerOptions &options() { return m_options; }
    CommandBridge::CommandRegistry *registry() const { return m_registry.get(); }
    CommandBridge::CommandBridgeServer *server() const { return m_server.get(); }
    HandlerProbe &probe() const { return *m_probe; }

    /// Applies options() and listens on 127.0.0.1, port 0.
    [[nodiscard]] bool listen();

    /// ws://127.0.0.1:PORT/ws, with ?session=ID when \a sessionId is not empty.
    QUrl webSocketUrl(const QString &sessionId = QString()) const;

    /// The names of the test commands, sorted.
    static QStringList commandNames();
    /// The description and default timeout each test command was registered with.
    static QString descriptionOf(const QString &name);
    static std::chrono::milliseconds defaultTimeoutOf(const QString &name);
    /// The schema `strict` was registered with.
    static QJsonObject strictSchema();

private:
    void registerCommands();

    std::shared_ptr<HandlerProbe> m_probe;
    CommandBridge::ServerOptions m_options;
    std::unique_ptr<CommandBridge::CommandRegistry> m_registry;
    std::unique_ptr<CommandBridge::CommandBridgeServer> m_server;
};

} // namespace CommandBridgeTest
