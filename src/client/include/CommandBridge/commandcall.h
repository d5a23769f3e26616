// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeclient_export.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QObject>
#include <QtCore/QString>

#include <memory>

namespace CommandBridge {

class CommandCallPrivate;

/// One command run through a CommandClient: its progress while it runs, then exactly one outcome.
///
/// Signals are emitted on the client's thread. Once the call is final, its properties no longer
/// change.
///
/// Ownership: created by CommandClient::run() as a child of the client, also when returned to QML
/// (the JavaScript garbage collector never deletes an object that has a parent). It lives until the
/// client is destroyed or CommandClient::clearFinished() deletes it after it finished. Deleting
/// a running call yourself cancels it on the server, without a finished() signal.
/// Threads: use it on the client's thread only.
class COMMANDBRIDGECLIENT_EXPORT CommandCall : public QObject
{
    Q_OBJECT

    Q_PROPERTY(QString command READ command CONSTANT)
    Q_PROPERTY(QJsonObject args READ args CONSTANT)
    Q_PROPERTY(int requestId READ requestId CONSTANT)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(bool running READ isRunning NOTIFY stateChanged)
    Q_PROPERTY(QJsonValue result READ result NOTIFY resultChanged)
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY errorCodeChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorMessageChanged)
    Q_PROPERTY(QJsonArray errorDetails READ errorDetails NOTIFY errorDetailsChanged)
    Q_PROPERTY(qint64 elapsedMs READ elapsedMs NOTIFY elapsedMsChanged)

public:
    /// Where the call is. Every state but Running is final.
    enum State {
        Running,      ///< Sent (or waiting for the connection); progress may arrive.
        Succeeded,    ///< The command succeeded; result() holds its result.
        Failed,       ///< The server reported a failure (including `timeout`); see errorCode().
        Cancelled,    ///< Cancelled by cancel() (the server confirmed, or it was never sent).
        Disconnected, ///< The connection was lost or closed first; errorCode() is "disconnected".
    };
    Q_ENUM(State)

    ~CommandCall() override;

    /// The name of the command run.
    QString command() const;
    /// The args as sent, before the server adds the session id.
    QJsonObject args() const;
    /// The wire `id`, never reused by the client (so unique on every connection).
    int requestId() const;

    /// Latest reported percent (0..100), -1 while unknown; 100 once the call succeeded.
    double progress() const;
    /// Latest progress message.
    QString message() const;
    /// Where the call is; it changes once, from Running to a final state.
    State state() const;
    /// True while state() is Running.
    bool isRunning() const;

    /// The command's result once it succeeded (any JSON value; undefined before).
    QJsonValue result() const;
    /// Wire error code once it failed ("timeout", "invalid_args", ...), "cancelled" or
    /// "disconnected"; empty otherwise.
    QString errorCode() const;
    /// Human-readable text for errorCode().
    QString errorMessage() const;
    /// The failure's `details`: for `invalid_args` a list of {"path": JSON pointer, "message"}.
    QJsonArray errorDetails() const;

    /// Milliseconds since run(); frozen once finished. While running, elapsedMsChanged() is
    /// emitted a few times a second so that QML bindings tick without a Timer.
    qint64 elapsedMs() const;

    /// Asks the server to cancel; the call becomes Cancelled when the server confirms (or at once
    /// if it was not sent yet). Does nothing once finished. A result that crossed the cancel on
    /// the wire wins.
    Q_INVOKABLE void cancel();

Q_SIGNALS:
    /// Emitted exactly once per call, after the final state and its result or error are set.
    /// Not emitted if the client is destroyed while the call runs.
    void finished();

    /// progress() changed.
    void progressChanged();
    /// message() changed.
    void messageChanged();
    /// state() and isRunning() changed: the call finished, just before finished().
    void stateChanged();
    /// result() was set: the call succeeded.
    void resultChanged();
    /// errorCode() was set: the call failed, was cancelled or disconnected.
    void errorCodeChanged();
    /// errorMessage() was set, together with errorCode().
    void errorMessageChanged();
    /// errorDetails() was set to a non-empty list.
    void errorDetailsChanged();
    /// elapsedMs() moved: a few times a second while running, and once when the call finished.
    void elapsedMsChanged();

private:
    friend class CommandCallPrivate;
    explicit CommandCall(QObject *parent);
    std::unique_ptr<CommandCallPrivate> d;
};

} // namespace CommandBridge
