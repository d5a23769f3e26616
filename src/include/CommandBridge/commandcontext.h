// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridge_export.h>
#include <CommandBridge/commandresult.h>

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QObject>

#include <chrono>
#include <memory>

namespace CommandBridge {

class CommandRun;
class Session;

/// One running command as its handler sees it, in the spirit of KDE's KJob: the handler reads its
/// inputs here and reports progress and its one result through it.
///
/// Ownership: made by the library (or by CommandRegistry::createCommand()); it deletes itself
/// after the command finished and its handler returned, so a handler must not keep a pointer to it
/// beyond that. Threads: it lives on the thread where its handler runs (for a WorkerPool handler,
/// on the thread that started the command, while the handler runs on a pool thread), and its
/// signals are emitted there. Its getters, reportProgress(), succeed(), fail(), publishEvent(),
/// isCancelled() and isFinished() may be called from any thread; start(), cancel() and abort()
/// only from its own.
///
/// A context made by CommandRegistry::createCommand() is also the command's front end: start()
/// runs it, and started(), progressed() and finished() reach whoever connected to them. Commands
/// run by a server report to the server instead; CommandRegistry's commandStarted(),
/// commandProgressed() and commandFinished() tell the app about every command.
class COMMANDBRIDGE_EXPORT CommandContext : public QObject
{
    Q_OBJECT

public:
    ~CommandContext() override;

    /// The name of the command being run.
    QString command() const;
    /// The args the handler sees: the session id injected, schema defaults applied.
    QJsonObject args() const;
    /// Empty when the command runs without a session (REST without X-Session-Id).
    QString sessionId() const;
    /// Null when the command runs without a session.
    std::shared_ptr<Session> session() const;
    /// The client's request id, verbatim; undefined when the request had none.
    QJsonValue requestId() const;
    /// How long the command may run: the request's timeout or the command's default, capped by
    /// CommandRegistry::maxTimeout(). When it passes, the command finishes with `timeout`.
    std::chrono::milliseconds timeout() const;

    /// True once the command was cancelled, timed out or aborted; a handler stops at its next step.
    bool isCancelled() const;
    /// True once the command has its result (given by the handler, or by a cancel or timeout).
    bool isFinished() const;

    /// Reports progress. \a percent is clamped to 0..100 and to never go below an earlier report;
    /// a negative value means unknown. Reports after the result are discarded. From a worker
    /// thread, a caller more than 1024 reports ahead of the front end waits for it to catch up (or
    /// for a cancel), so every report arrives and memory stays bounded.
    void reportProgress(const QString &message, double percent = -1.0);
    /// Finishes successfully with \a value. Only the first of succeed()/fail() counts.
    void succeed(const QJsonValue &value = QJsonValue());
    /// Finishes with a failure: the wire code \a code, the human-readable \a message and optional
    /// \a details. Use ErrorCode::Failed or a code of the handler's own, such as "not_found".
    /// Only the first of succeed()/fail() counts.
    void fail(const QString &code, const QString &message,
              const QJsonValue &details = QJsonValue(QJsonValue::Undefined));
    /// Finishes with a failure whose code is the wire string of \a code, such as
    /// ErrorCode::Failed. Only the first of succeed()/fail() counts.
    void fail(ErrorCode code, const QString &message,
              const QJsonValue &details = QJsonValue(QJsonValue::Undefined));

    /// Publishes \a event, from any thread: a Global event to all its subscribers, a Session
    /// event to this command's session (false without one). An event published before the result
    /// reaches every connection that receives both before that result. See
    /// CommandRegistry::publishEvent().
    bool publishEvent(const QString &event, const QJsonObject &data,
                      const QString &coalescingKey = QString());

    /// For a context made by createCommand(): runs the handler (or finishes at once when the
    /// request was rejected). Call once, after connecting to the signals.
    void start();
    /// For a context made by createCommand(): the client cancelled; finishes with `cancelled`
    /// and tells the handler to stop.
    void cancel();
    /// For a context made by createCommand(): finishes with \a code (timeout, shutting_down,
    /// ...) at once and tells the handler to stop.
    void abort(ErrorCode code, const QString &message);

Q_SIGNALS:
    /// createCommand() only: the request passed validation and its handler is about to run;
    /// never emitted for a request rejected before it ran (unknown command, bad args, ...).
    void started(QPrivateSignal);
    /// createCommand() only: progress in the order reported, never after finished().
    void progressed(const CommandBridge::CommandProgress &progress, QPrivateSignal);
    /// createCommand() only: emitted exactly once per started command, also when it is
    /// cancelled, times out or is rejected before its handler ran.
    void finished(const CommandBridge::CommandResult &result, QPrivateSignal);
    /// The handler should stop: the command was cancelled, timed out or aborted. Emitted on the
    /// context's thread; a WorkerPool handler polls isCancelled() instead.
    void cancelRequested(QPrivateSignal);

private:
    friend class CommandRun;
    CommandContext(std::shared_ptr<CommandRun> run, QObject *parent);

    const std::shared_ptr<CommandRun> d;
};

} // namespace CommandBridge
