// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "messagedecoder_p.h"

#include "protocol_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>

#include <cmath>

namespace CommandBridge {
namespace {

DecodeError badMessage(const QString &message, const QJsonValue &id = QJsonValue::Undefined)
{
    return DecodeError{ErrorCode::BadMessage, message, id};
}

/// Parses any JSON value; QJsonDocument alone refuses a bare scalar such as `5`.
std::optional<QJsonValue> parseJsonValue(const QByteArray &utf8)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(utf8, &parseError);
    if (parseError.error == QJsonParseError::NoError)
        return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    const QJsonDocument wrapped =
        QJsonDocument::fromJson(QByteArray('[' + utf8 + ']'), &parseError);
    if (parseError.error != QJsonParseError::NoError || wrapped.array().size() != 1)
        return std::nullopt;
    return wrapped.array().first();
}

bool isSafeInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    return std::isfinite(number) && std::trunc(number) == number &&
           std::abs(number) <= Protocol::maxSafeInteger;
}

bool isValidId(const QJsonValue &id)
{
    if (id.isString()) {
        const qsizetype length = id.toString().size();
        return length >= 1 && length <= Protocol::maxIdLength;
    }
    return isSafeInteger(id);
}

/// The `events` of subscribe and unsubscribe: a non-empty array of non-empty strings.
std::optional<DecodeError> decodeEventEntries(const QJsonValue &value, ClientMessage &message)
{
    const QString problem = QStringLiteral("\"events\" must be a non-empty array of event names");
    if (!value.isArray() || value.toArray().isEmpty())
        return badMessage(problem, message.id);
    const QJsonArray entries = value.toArray();
    message.events.reserve(entries.size());
    for (const QJsonValue &entry : entries) {
        if (!entry.isString() || entry.toString().isEmpty())
            return badMessage(problem, message.id);
        message.events.append(entry.toString());
    }
    return std::nullopt;
}

} // namespace

DecodeResult decodeClientMessage(const QByteArray &utf8)
{
    const std::optional<QJsonValue> value = parseJsonValue(utf8);
    if (!value)
        return badMessage(QStringLiteral("Message is not valid JSON"));
    if (!value->isObject())
        return badMessage(QStringLiteral("Message must be a JSON object"));
    const QJsonObject object = value->toObject();

    // The id first, so that every later refusal can carry it.
    ClientMessage message;
    const QJsonValue id = object.value(Protocol::Key::id);
    if (!id.isUndefined()) {
        if (!isValidId(id))
            return badMessage(
                QStringLiteral("\"id\" must be a string of 1 to 128 characters or an integer"));
        message.id = id;
    }

    const QJsonValue type = object.value(Protocol::Key::type);
    if (type.isUndefined())
        return badMessage(QStringLiteral("Message has no \"type\""), message.id);
    if (!type.isString())
        return badMessage(QStringLiteral("\"type\" must be a string"), message.id);

    const QString typeName = type.toString();
    if (typeName == Protocol::Type::command) {
        message.type = ClientMessage::Type::Command;
        const QJsonValue command = object.value(Protocol::Key::command);
        if (!command.isString())
            return badMessage(QStringLiteral("\"command\" must be a string"), message.id);
        message.command = command.toString();
        message.args = object.value(Protocol::Key::args);
        const QJsonValue timeout = object.value(Protocol::Key::timeoutMs);
        if (!timeout.isUndefined()) {
            if (!isSafeInteger(timeout) || timeout.toDouble() < 1)
                return badMessage(QStringLiteral("\"timeout_ms\" must be an integer of at least 1"),
                                  message.id);
            message.timeout = std::chrono::milliseconds(qint64(timeout.toDouble()));
        }
    } else if (typeName == Protocol::Type::cancel) {
        message.type = ClientMessage::Type::Cancel;
        if (message.id.isUndefined())
            return badMessage(QStringLiteral("\"cancel\" needs an \"id\""));
    } else if (typeName == Protocol::Type::listCommands) {
        message.type = ClientMessage::Type::ListCommands;
    } else if (typeName == Protocol::Type::listEvents) {
        message.type = ClientMessage::Type::ListEvents;
    } else if (typeName == Protocol::Type::subscribe || typeName == Protocol::Type::unsubscribe) {
        message.type = typeName == Protocol::Type::subscribe ? ClientMessage::Type::Subscribe
                                                             : ClientMessage::Type::Unsubscribe;
        if (std::optional<DecodeError> error =
                decodeEventEntries(object.value(Protocol::Key::events), message))
            return *error;
    } else if (typeName == Protocol::Type::ping) {
        message.type = ClientMessage::Type::Ping;
    } else if (typeName == Protocol::Type::auth) {
        message.type = ClientMessage::Type::Auth;
        const QJsonValue token = object.value(Protocol::Key::token);
        if (!token.isString())
            return badMessage(QStringLiteral("\"token\" must be a string"), message.id);
        message.token = token.toString();
    } else {
        return DecodeError{ErrorCode::UnknownType,
                           QStringLiteral("Unknown message type: ") + typeName, message.id};
    }
    return message;
}

std::variant<QJsonValue, DecodeError> decodeRestArgs(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return QJsonValue(QJsonObject());
    std::optional<QJsonValue> value = parseJsonValue(body);
    if (!value)
        return badMessage(QStringLiteral("Body is not valid JSON"));
    return *value;
}

std::variant<std::optional<std::chrono::milliseconds>, DecodeError>
decodeTimeoutParameter(const QString &value)
{
    if (value.isEmpty())
        return std::optional<std::chrono::milliseconds>();
    bool ok = false;
    const qint64 milliseconds = value.toLongLong(&ok);
    if (!ok || milliseconds < 1)
        return badMessage(QStringLiteral("\"timeout_ms\" must be an integer of at least 1"));
    return std::optional<std::chrono::milliseconds>(milliseconds);
}

std::variant<JsonRpcMessage, JsonRpcError> decodeJsonRpc(const QByteArray &body)
{
    namespace Key = Protocol::Mcp::Key;
    namespace Error = Protocol::Mcp::Error;
    const std::optional<QJsonValue> value = parseJsonValue(body);
    if (!value)
        return JsonRpcError{Error::parse, QStringLiteral("Parse error: the body is not JSON")};
    if (value->isArray())
        return JsonRpcError{Error::invalidRequest, QStringLiteral("Batches are not supported")};
    if (!value->isObject())
        return JsonRpcError{Error::invalidRequest, QStringLiteral("A message must be an object")};
    const QJsonObject object = value->toObject();

    JsonRpcMessage message;
    const QJsonValue id = object.value(Protocol::Key::id);
    const bool validId = id.isUndefined() || id.isString() || isSafeInteger(id);
    const QJsonValue answerId = validId && !id.isUndefined() ? id : QJsonValue(QJsonValue::Null);
    const auto invalid = [&answerId](const QString &text) {
        return JsonRpcError{Error::invalidRequest, text, answerId};
    };
    if (object.value(Key::jsonrpc) != Protocol::Mcp::jsonRpcVersion)
        return invalid(QStringLiteral("\"jsonrpc\" must be \"2.0\""));
    if (!validId)
        return invalid(QStringLiteral("\"id\" must be a string or an integer"));
    message.id = id;
    const QJsonValue method = object.value(Key::method);
    if (method.isUndefined()) {
        if (!id.isUndefined() && (object.contains(Key::result) || object.contains(Key::error)))
            return message; // a response to the server, which sends no requests
        return invalid(QStringLiteral("\"method\" is missing"));
    }
    if (!method.isString() || method.toString().isEmpty())
        return invalid(QStringLiteral("\"method\" must be a non-empty string"));
    message.method = method.toString();
    const QJsonValue params = object.value(Key::params);
    if (!params.isUndefined() && !params.isObject())
        return invalid(QStringLiteral("\"params\" must be an object"));
    message.params = params.toObject();
    return message;
}

std::variant<QStringList, DecodeError> decodeEventsParameter(const QString &value)
{
    QStringList entries = value.split(QLatin1Char(','));
    if (value.isEmpty() || entries.contains(QString()))
        return badMessage(
            QStringLiteral("\"events\" must be a comma-separated list of event names"));
    return entries;
}

bool isValidSessionId(QStringView id)
{
    if (id.isEmpty() || id.size() > Protocol::maxSessionIdLength)
        return false;
    for (const QChar c : id) {
        const bool allowed = (c >= QLatin1Char('a') && c <= QLatin1Char('z')) ||
                             (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) ||
                             (c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
                             c == QLatin1Char('.') || c == QLatin1Char('_') ||
                             c == QLatin1Char('-');
        if (!allowed)
            return false;
    }
    return true;
}

QString describeRequestId(const QJsonValue &id)
{
    return id.isString() ? QLatin1Char('"') + id.toString() + QLatin1Char('"')
                         : QString::number(qint64(id.toDouble()));
}

RequestIdKey requestIdKey(const QJsonValue &id)
{
    if (id.isString())
        return RequestIdKey{id.toString(), 0, true};
    return RequestIdKey{QString(), qint64(id.toDouble()), false};
}

} // namespace CommandBridge
