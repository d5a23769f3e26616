// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "clientprotocol_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonParseError>
#include <QtCore/QUrlQuery>

#include <cmath>
#include <limits>

namespace CommandBridge::ClientProtocol {

namespace {

const QString sessionQueryItem = QStringLiteral("session");

QString encode(const QJsonObject &message)
{
    return QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

} // namespace

QString encodeCommand(int id, const QString &command, const QJsonObject &args, int timeoutMs)
{
    QJsonObject message{{Protocol::Key::type, Protocol::Type::command},
                        {Protocol::Key::id, id},
                        {Protocol::Key::command, command},
                        {Protocol::Key::args, args}};
    if (timeoutMs > 0)
        message.insert(Protocol::Key::timeoutMs, timeoutMs);
    return encode(message);
}

QString encodeCancel(int id)
{
    return encode(
        QJsonObject{{Protocol::Key::type, Protocol::Type::cancel}, {Protocol::Key::id, id}});
}

QString encodeListCommands(int id)
{
    return encode(
        QJsonObject{{Protocol::Key::type, Protocol::Type::listCommands}, {Protocol::Key::id, id}});
}

QString encodeAuth(const QString &token)
{
    return encode(
        QJsonObject{{Protocol::Key::type, Protocol::Type::auth}, {Protocol::Key::token, token}});
}

QString encodeListEvents(int id)
{
    return encode(
        QJsonObject{{Protocol::Key::type, Protocol::Type::listEvents}, {Protocol::Key::id, id}});
}

QString encodeSubscribe(int id, const QStringList &events)
{
    return encode(QJsonObject{{Protocol::Key::type, Protocol::Type::subscribe},
                              {Protocol::Key::id, id},
                              {Protocol::Key::events, QJsonArray::fromStringList(events)}});
}

QString encodeUnsubscribe(int id, const QStringList &events)
{
    return encode(QJsonObject{{Protocol::Key::type, Protocol::Type::unsubscribe},
                              {Protocol::Key::id, id},
                              {Protocol::Key::events, QJsonArray::fromStringList(events)}});
}

bool entryMatches(QStringView entry, QStringView name)
{
    if (entry == u"*")
        return true;
    // "history.*" covers every longer name that starts with "history.", as the server matches.
    if (entry.endsWith(u".*"))
        return name.size() >= entry.size() && name.startsWith(entry.chopped(1));
    return entry == name;
}

std::optional<QJsonObject> decode(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return std::nullopt;
    return document.object();
}

std::optional<int> integerId(const QJsonObject &message)
{
    const QJsonValue id = message.value(Protocol::Key::id);
    if (!id.isDouble())
        return std::nullopt;
    const double value = id.toDouble();
    if (std::trunc(value) != value || value < 0 || value > std::numeric_limits<int>::max())
        return std::nullopt;
    return int(value);
}

QUrl withSession(const QUrl &base, const QString &sessionId)
{
    if (sessionId.isEmpty())
        return base;
    QUrl url = base;
    QUrlQuery query(url);
    query.removeAllQueryItems(sessionQueryItem);
    query.addQueryItem(sessionQueryItem, QString::fromLatin1(QUrl::toPercentEncoding(sessionId)));
    url.setQuery(query);
    return url;
}

QString sessionOf(const QUrl &url)
{
    return QUrlQuery(url).queryItemValue(sessionQueryItem, QUrl::FullyDecoded);
}

} // namespace CommandBridge::ClientProtocol
