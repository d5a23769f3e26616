// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// A real QWebSocket client that records everything the server sends, for the wire tests.

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QUrl>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <functional>
#include <optional>

// Readable QCOMPARE failures for JSON values.
namespace QTest {
template <> inline char *toString(const QJsonObject &object)
{
    return qstrdup(QJsonDocument(object).toJson(QJsonDocument::Compact).constData());
}
template <> inline char *toString(const QJsonArray &array)
{
    return qstrdup(QJsonDocument(array).toJson(QJsonDocument::Compact).constData());
}
template <> inline char *toString(const QJsonValue &value)
{
    if (value.isUndefined())
        return qstrdup("undefined");
    const QJsonArray wrapped{value};
    const QByteArray json = QJsonDocument(wrapped).toJson(QJsonDocument::Compact);
    return qstrdup(json.mid(1, json.size() - 2).constData());
}
} // namespace QTest

namespace CommandBridgeTest {

/// Default time a wait helper polls before giving up.
inline constexpr int defaultWaitMs = 10000;

/// Connects to a CommandBridge WebSocket and records every message received, parsed. A text
/// message that is not a JSON object is recorded as {"_raw": TEXT}, a binary one as
/// {"_binary": BASE64}, so assertions on it fail visibly.
class WsClient : public QObject
{
    Q_OBJECT

public:
    explicit WsClient(QObject *parent = nullptr);
    ~WsClient() override;

    /// Opens \a url as given.
    void open(const QUrl &url);
    /// Opens \a url with the query ?session=\a sessionId (percent-encoded), joining that session.
    void open(const QUrl &url, const QString &sessionId);
    /// Waits until connected; false when it did not connect (or was refused) in time.
    [[nodiscard]] bool waitForConnected(int timeoutMs = defaultWaitMs);
    /// Waits until the socket disconnected.
    [[nodiscard]] bool waitForDisconnected(int timeoutMs = defaultWaitMs);
    void close(QWebSocketProtocol::CloseCode code = QWebSocketProtocol::CloseCodeNormal);

    bool isConnected() const;
    bool wasConnected() const { return m_wasConnected; }
    bool isDisconnected() const { return m_disconnected; }
    /// True once the socket reported an error (e.g. a refused handshake).
    bool hasError() const { return m_errorCount > 0; }
    /// The close code the server sent; meaningful once disconnected.
    int closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }

    void sendJson(const QJsonObject &message);
    void sendText(const QByteArray &utf8);

    /// Every message received so far, in order (the first is normally hello).
    QList<QJsonObject> messages() const { return m_messages; }
    int messageCount() const { return int(m_messages.size()); }
    /// The messages whose "id" equals \a id (an undefined \a id selects those without an id).
    QList<QJsonObject> messagesFor(const QJsonValue &id) const;
    /// The messages of \a type about request \a id.
    QList<QJsonObject> messagesFor(const QString &type, const QJsonValue &id) const;

    /// The first message of \a type with \a id (undefined: without an id), waiting for it up to
    /// \a timeoutMs; an empty object when none came.
    QJsonObject waitForType(const QString &type,
                            const QJsonValue &id = QJsonValue(QJsonValue::Undefined),
                            int timeoutMs = defaultWaitMs);
    /// The message at \a index (0-based), waiting for it; an empty object when none came.
    QJsonObject waitForMessage(int index, int timeoutMs = defaultWaitMs);
    /// The hello message, waiting for it.
    QJsonObject waitForHello(int timeoutMs = defaultWaitMs);
    /// Sends a ping with \a id and waits for its pong; true when the pong came and equals
    /// {"type":"pong","id":id}.
    [[nodiscard]] bool roundTrip(const QJsonValue &id, int timeoutMs = defaultWaitMs);

    QWebSocket *socket() { return &m_socket; }

private:
    std::optional<QJsonObject> find(const std::function<bool(const QJsonObject &)> &match) const;
    void record(const QJsonObject &message);

    QWebSocket m_socket;
    QList<QJsonObject> m_messages;
    bool m_wasConnected = false;
    bool m_disconnected = false;
    int m_errorCount = 0;
    int m_closeCode = QWebSocketProtocol::CloseCodeNormal;
    QString m_closeReason;
};

/// A `command` message (protocol section 4); \a id and \a args are left out when undefined.
QJsonObject commandMessage(const QJsonValue &id, const QString &command,
                           const QJsonValue &args = QJsonValue(QJsonValue::Undefined));
/// The same with object args, also written as a braced list.
inline QJsonObject commandMessage(const QJsonValue &id, const QString &command,
                                  const QJsonObject &args)
{
    return commandMessage(id, command, QJsonValue(args));
}

} // namespace CommandBridgeTest
