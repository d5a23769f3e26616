// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeclient_export.h>
#include <CommandBridge/commandcall.h>
#include <CommandBridge/commandlistmodel.h>
#include <CommandBridge/eventlistmodel.h>
#include <CommandBridge/eventsubscription.h>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QVariantMap>

#include <memory>

namespace CommandBridge {

class CommandClientPrivate;

/// Speaks protocol v1 to a CommandBridge server over WebSocket: connects (optionally with a
/// token), keeps the session across dropped connections, lists the server's commands and runs
/// them as CommandCall objects, lists its events and delivers those its EventSubscription objects
/// ask for. Usable from C++ and, as `import CommandBridge`, from QML.
///
/// Reconnecting: once connected, a dropped connection is retried with exponential backoff
/// (250 ms doubling up to 5 s, without limit) joining the same session (`?session=`), until
/// disconnectFromServer() is called or the server refuses the token (HTTP 401, close 4001). Calls
/// running when the connection drops finish as CommandCall::Disconnected: the server cancels them
/// when their connection closes. Event subscriptions belong to the connection on the server: the
/// client subscribes its EventSubscription objects again after every reconnect.
///
/// Ownership: owned by its parent (or the QML engine when created in QML); it owns its calls and
/// its command and event models. It does not own the EventSubscription objects that use it
/// (except those subscribe() made, which are its children). Threads: create and use it on one
/// thread with an event loop (in QML apps, the GUI thread); it, its calls, models and
/// subscriptions emit every signal there.
///
/// Texts: errorString() and the messages of calls it fails itself are English, through tr(); the
/// library carries their catalogues as resources, so an app translates them by installing a
/// QTranslator loaded with `load(QLocale(), "commandbridge_client", "_", ":/i18n")`. Errors the
/// server sends keep its text.
class COMMANDBRIDGECLIENT_EXPORT CommandClient : public QObject
{
    Q_OBJECT

    Q_PROPERTY(QUrl url READ url WRITE setUrl NOTIFY urlChanged)
    Q_PROPERTY(QString token READ token WRITE setToken NOTIFY tokenChanged)
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(QString sessionId READ sessionId NOTIFY sessionIdChanged)
    Q_PROPERTY(CommandBridge::CommandListModel *commands READ commands CONSTANT)
    Q_PROPERTY(CommandBridge::EventListModel *events READ events CONSTANT)
    Q_PROPERTY(QStringList subscriptions READ subscriptions NOTIFY subscriptionsChanged)
    Q_PROPERTY(
        bool autoReconnect READ autoReconnect WRITE setAutoReconnect NOTIFY autoReconnectChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY errorStringChanged)

public:
    /// The connection's state. Only Connected runs commands at once.
    enum State {
        Disconnected, ///< No connection, and none being attempted.
        Connecting,   ///< connectToServer() was called; waiting for the server's hello.
        Connected,    ///< hello received: sessionId() is valid and commands can run.
        Reconnecting, ///< The connection dropped; retrying with backoff to rejoin the session.
    };
    Q_ENUM(State)

    /// A Disconnected client for the default url(); call connectToServer() to connect.
    explicit CommandClient(QObject *parent = nullptr);
    /// Closes the connection. Calls still running are destroyed without emitting finished();
    /// subscriptions still using the client are left with a null client().
    ~CommandClient() override;

    /// The WebSocket URL, default ws://127.0.0.1:8080/ws. A `session` query item joins that
    /// session on the first connect. Takes effect at the next connectToServer() from
    /// Disconnected; reconnects keep the URL they started with.
    QUrl url() const;
    /// Sets url() to \a url.
    void setUrl(const QUrl &url);

    /// Bearer token sent at the upgrade (`Authorization` header), and in an `auth` message if the
    /// server still asks for one. Empty: none. Takes effect at the next connection.
    QString token() const;
    /// Sets token() to \a token.
    void setToken(const QString &token);

    /// The connection's state; stateChanged() tells of every change.
    State state() const;

    /// The session of the connection, from hello; kept while Reconnecting, empty whenever
    /// Disconnected.
    QString sessionId() const;

    /// The server's commands, refreshed after every hello. Owned by the client.
    CommandListModel *commands() const;

    /// The server's declared events (`list_events`), refreshed after every hello from a server
    /// whose hello lists the "events" feature; empty otherwise. Owned by the client.
    EventListModel *events() const;

    /// The connection's subscription entries as the server last confirmed them (its answers
    /// list them all, sorted): the union of what the active subscriptions asked for. Empty while
    /// not connected.
    QStringList subscriptions() const;

    /// Every call not yet deleted by clearFinished(), oldest first (in QML, the list property
    /// `calls`, which the QML module adds).
    QList<CommandCall *> calls() const;

    /// Whether a dropped connection is retried (default true). Turning it off while
    /// Reconnecting stops retrying.
    bool autoReconnect() const;
    /// Sets autoReconnect() to \a enabled.
    void setAutoReconnect(bool enabled);

    /// Why the last connection failed or closed; cleared when a connection succeeds.
    QString errorString() const;

    /// Opens a connection to url(). An attempt that fails before hello ends Disconnected with
    /// errorString() set; it is not retried. While Reconnecting, retries at once instead of
    /// waiting for the backoff; otherwise does nothing unless Disconnected.
    Q_INVOKABLE void connectToServer();
    /// Closes the connection and stops reconnecting; running calls finish as Disconnected and the
    /// session is forgotten.
    Q_INVOKABLE void disconnectFromServer();

    /// Runs \a name with \a args. \a timeoutMs > 0 asks for that timeout (the server caps it),
    /// 0 uses the command's default. While Connecting the call is sent once hello arrives; while
    /// Disconnected or Reconnecting it finishes at once (from the event loop, so finished() can
    /// still be connected) as Disconnected. Never returns null; the call is a child of the client,
    /// which the JavaScript garbage collector never deletes, also when returned to QML (see
    /// CommandCall).
    Q_INVOKABLE CommandBridge::CommandCall *
    run(const QString &name, const QVariantMap &args = QVariantMap(), int timeoutMs = 0);
    /// C++ overload taking JSON args.
    CommandCall *run(const QString &name, const QJsonObject &args, int timeoutMs = 0);

    /// Subscribes to \a events, a shorthand for an EventSubscription with this client and
    /// \a events, made a child of the client. The entries are exact names, `prefix.*` or `*`.
    /// Delete the subscription to unsubscribe. Never returns null.
    EventSubscription *subscribe(const QStringList &events);

    /// Deletes the calls that have finished (later, from the event loop, so a QML delegate or a
    /// slot still using one is safe) and removes them from calls().
    Q_INVOKABLE void clearFinished();

Q_SIGNALS:
    /// hello received, after the first connect and after every rejoin.
    void connected();
    /// An open connection closed; state() tells whether a reconnect follows.
    void disconnected();

    /// An event arrived for any subscription of this client, in the order the server sent it.
    /// \a seq counts the events of the current connection, from 1 after every (re)connect.
    void eventReceived(const QString &name, const QJsonObject &data, qint64 seq);
    /// `seq` jumped: the server left out \a count events on this connection (it coalesces them for
    /// a client that reads too slowly, newest wins). Emitted before the event that follows them.
    void eventsMissed(qint64 count);

    /// url() changed.
    void urlChanged();
    /// token() changed.
    void tokenChanged();
    /// state() changed.
    void stateChanged();
    /// sessionId() changed: a new session at hello, or none once Disconnected.
    void sessionIdChanged();
    /// calls() changed: a call was added by run() or removed by clearFinished() or its deletion.
    void callsChanged();
    /// autoReconnect() changed.
    void autoReconnectChanged();
    /// errorString() changed.
    void errorStringChanged();
    /// subscriptions() changed.
    void subscriptionsChanged();

private:
    friend class CommandClientPrivate;
    std::unique_ptr<CommandClientPrivate> d;
};

} // namespace CommandBridge
