// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "wsclient.h"

#include "websocketcompat_p.h"

#include <QtCore/QJsonParseError>
#include <QtCore/QUrlQuery>

namespace CommandBridgeTest {

WsClient::WsClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::connected, this, [this] { m_wasConnected = true; });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        m_disconnected = true;
        m_closeCode = m_socket.closeCode();
        m_closeReason = m_socket.closeReason();
    });
    connect(&m_socket, CommandBridge::webSocketErrorSignal, this, [this] { ++m_errorCount; });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
        if (error.error == QJsonParseError::NoError && document.isObject())
            record(document.object());
        else
            record(QJsonObject{{QStringLiteral("_raw"), text}});
    });
    connect(&m_socket, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
        record(QJsonObject{{QStringLiteral("_binary"), QString::fromLatin1(data.toBase64())}});
    });
}

WsClient::~WsClient()
{
    m_socket.disconnect(this);
    m_socket.abort();
}

void WsClient::open(const QUrl &url)
{
    m_socket.open(url);
}

void WsClient::open(const QUrl &url, const QString &sessionId)
{
    QUrl withSession = url;
    QUrlQuery query(withSession);
    query.removeAllQueryItems(QStringLiteral("session"));
    query.addQueryItem(QStringLiteral("session"),
                       QString::fromLatin1(QUrl::toPercentEncoding(sessionId)));
    withSession.setQuery(query);
    m_socket.open(withSession);
}

bool WsClient::waitForConnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_wasConnected || m_disconnected || hasError(); },
                           timeoutMs) &&
           m_wasConnected && !m_disconnected;
}

bool WsClient::waitForDisconnected(int timeoutMs)
{
    return QTest::qWaitFor([this] { return m_disconnected; }, timeoutMs);
}

void WsClient::close(QWebSocketProtocol::CloseCode code)
{
    m_socket.close(code);
}

bool WsClient::isConnected() const
{
    return m_socket.state() == QAbstractSocket::ConnectedState;
}

void WsClient::sendJson(const QJsonObject &message)
{
    sendText(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void WsClient::sendText(const QByteArray &utf8)
{
    m_socket.sendTextMessage(QString::fromUtf8(utf8));
}

QList<QJsonObject> WsClient::messagesFor(const QJsonValue &id) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &message : m_messages) {
        if (message.value(QStringLiteral("id")) == id)
            found.append(message);
    }
    return found;
}

QList<QJsonObject> WsClient::messagesFor(const QString &type, const QJsonValue &id) const
{
    QList<QJsonObject> found;
    for (const QJsonObject &message : m_messages) {
        if (message.value(QStringLiteral("type")) == type &&
            message.value(QStringLiteral("id")) == id) {
            found.append(message);
        }
    }
    return found;
}

std::optional<QJsonObject>
WsClient::find(const std::function<bool(const QJsonObject &)> &match) const
{
    for (const QJsonObject &message : m_messages) {
        if (match(message))
            return message;
    }
    return std::nullopt;
}

QJsonObject WsClient::waitForType(const QString &type, const QJsonValue &id, int timeoutMs)
{
    const auto match = [&type, &id](const QJsonObject &message) {
        return message.value(QStringLiteral("type")) == type &&
               message.value(QStringLiteral("id")) == id;
    };
    std::optional<QJsonObject> found;
    (void)QTest::qWaitFor(
        [&] {
            found = find(match);
            return found.has_value();
        },
        timeoutMs);
    return found.value_or(QJsonObject());
}

QJsonObject WsClient::waitForMessage(int index, int timeoutMs)
{
    if (!QTest::qWaitFor([this, index] { return m_messages.size() > index; }, timeoutMs))
        return QJsonObject();
    return m_messages.at(index);
}

QJsonObject WsClient::waitForHello(int timeoutMs)
{
    return waitForType(QStringLiteral("hello"), QJsonValue(QJsonValue::Undefined), timeoutMs);
}

bool WsClient::roundTrip(const QJsonValue &id, int timeoutMs)
{
    sendJson(
        QJsonObject{{QStringLiteral("type"), QStringLiteral("ping")}, {QStringLiteral("id"), id}});
    const QJsonObject pong = waitForType(QStringLiteral("pong"), id, timeoutMs);
    return pong == QJsonObject{{QStringLiteral("type"), QStringLiteral("pong")},
                               {QStringLiteral("id"), id}};
}

void WsClient::record(const QJsonObject &message)
{
    m_messages.append(message);
}

QJsonObject commandMessage(const QJsonValue &id, const QString &command, const QJsonValue &args)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("command")},
                        {QStringLiteral("command"), command}};
    if (!id.isUndefined())
        message.insert(QStringLiteral("id"), id);
    if (!args.isUndefined())
        message.insert(QStringLiteral("args"), args);
    return message;
}

} // namespace CommandBridgeTest
