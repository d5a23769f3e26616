#include "messageencoder_p.h"

#include "protocol_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include <algorithm>

namespace CommandBridge::Encoder {
namespace {

QJsonObject typed(QLatin1String type, const QJsonValue &id)
{
    QJsonObject object{{Protocol::Key::type, type}};
    if (!id.isUndefined())
        object.insert(Protocol::Key::id, id);
    return object;
}

QJsonObject failurePayload(const QString &code, const QString &message)
{
    return QJsonObject{{Protocol::Key::code, code}, {Protocol::Key::message, message}};
}

/// Appends \a value as QJsonDocument writes it. Objects and arrays are Qt's own output; a scalar
/// is wrapped in an array for Qt to write, except for the plain strings and finite numbers whose
/// form is known.
void appendJson(QByteArray &out, const QJsonValue &value)
{
    if (value.isObject()) {
        out += QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
        return;
    }
    if (value.isArray()) {
        out += QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
        return;
    }
    if (value.isString()) {
        const QString text = value.toString();
        const bool plain = std::all_of(text.begin(), text.end(), [](QChar c) {
            return c.unicode() >= 0x20 && c.unicode() < 0x7f && c != QLatin1Char('"') &&
                   c != QLatin1Char('\\');
        });
        if (plain) {
            out += '"';
            out += text.toLatin1();
            out += '"';
            return;
        }
    }
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out += QByteArrayView(wrapped).sliced(1, wrapped.size() - 2);
}

void appendKey(QByteArray &out, char separator, QLatin1String key)
{
    out += separator;
    out += '"';
    out += QByteArrayView(key.data(), key.size());
    out += "\":";
}

void appendMember(QByteArray &out, char separator, QLatin1String key, const QJsonValue &value)
{
    appendKey(out, separator, key);
    appendJson(out, value);
}

} // namespace

QJsonObject hello(const HelloInfo &info)
{
    const QJsonObject limits{
        {Protocol::Key::maxMessageBytes, info.maxMessageBytes},
        {Protocol::Key::maxInFlight, info.maxInFlight},
        {Protocol::Key::maxTimeoutMs, qint64(info.maxTimeout.count())},
    };
    QJsonObject object = typed(Protocol::Type::hello, QJsonValue::Undefined);
    object.insert(Protocol::Key::protocol, Protocol::version);
    object.insert(Protocol::Key::server, info.serverName);
    object.insert(Protocol::Key::sessionId, info.sessionId);
    object.insert(Protocol::Key::authRequired, info.authRequired);
    object.insert(Protocol::Key::limits, limits);
    return object;
}

QJsonObject progress(const QJsonValue &id, const QString &command, const CommandProgress &progress)
{
    QJsonObject object = typed(Protocol::Type::commandProgress, id);
    object.insert(Protocol::Key::command, command);
    object.insert(Protocol::Key::message, progress.message);
    if (progress.percent)
        object.insert(Protocol::Key::percent, *progress.percent);
    return object;
}

QJsonValue resultPayload(const CommandResult &result)
{
    if (result.isSuccess())
        return result.value();
    QJsonObject payload = failurePayload(result.errorCode(), result.errorMessage());
    if (!result.errorDetails().isUndefined())
        payload.insert(Protocol::Key::details, result.errorDetails());
    return payload;
}

QJsonObject result(const QJsonValue &id, const QString &command, const CommandResult &result)
{
    QJsonObject object = typed(Protocol::Type::commandResult, id);
    object.insert(Protocol::Key::command, command);
    object.insert(Protocol::Key::success, result.isSuccess());
    object.insert(Protocol::Key::result, resultPayload(result));
    return object;
}

QJsonObject commands(const QJsonValue &id, const QJsonArray &descriptions)
{
    QJsonObject object = typed(Protocol::Type::commands, id);
    object.insert(Protocol::Key::commands, descriptions);
    return object;
}

QJsonObject pong(const QJsonValue &id)
{
    return typed(Protocol::Type::pong, id);
}

QJsonObject authResult(bool success)
{
    QJsonObject object = typed(Protocol::Type::authResult, QJsonValue::Undefined);
    object.insert(Protocol::Key::success, success);
    return object;
}

QJsonObject error(ErrorCode code, const QString &message, const QJsonValue &id)
{
    QJsonObject object = typed(Protocol::Type::error, id);
    object.insert(Protocol::Key::code, errorCodeString(code));
    object.insert(Protocol::Key::message, message);
    return object;
}

QJsonObject restCommandBody(const QString &command, const CommandResult &result)
{
    return QJsonObject{
        {Protocol::Key::command, command},
        {Protocol::Key::success, result.isSuccess()},
        {Protocol::Key::result, resultPayload(result)},
    };
}

QJsonObject restErrorBody(const QString &code, const QString &message, const QString &command)
{
    QJsonObject body{
        {Protocol::Key::success, false},
        {Protocol::Key::result, failurePayload(code, message)},
    };
    if (!command.isEmpty())
        body.insert(Protocol::Key::command, command);
    return body;
}

QJsonObject restCommandList(const QJsonArray &descriptions)
{
    return QJsonObject{{Protocol::Key::commands, descriptions}};
}

QByteArray serverSentEvent(const char *event, const QJsonObject &data)
{
    return QByteArrayLiteral("event: ") + event + QByteArrayLiteral("\ndata: ") + toJson(data) +
           QByteArrayLiteral("\n\n");
}

QByteArray toJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Members in the order QJsonDocument writes them: sorted by key.
QByteArray progressJson(const QJsonValue &id, const QString &command,
                        const CommandProgress &progress)
{
    QByteArray out;
    out.reserve(96 + progress.message.size());
    appendMember(out, '{', Protocol::Key::command, command);
    if (!id.isUndefined())
        appendMember(out, ',', Protocol::Key::id, id);
    appendMember(out, ',', Protocol::Key::message, progress.message);
    if (progress.percent)
        appendMember(out, ',', Protocol::Key::percent, *progress.percent);
    appendMember(out, ',', Protocol::Key::type, Protocol::Type::commandProgress);
    out += '}';
    return out;
}

QByteArray resultJson(const QJsonValue &id, const QString &command, const CommandResult &result)
{
    QByteArray payload;
    appendJson(payload, resultPayload(result));
    QByteArray out;
    out.reserve(96 + command.size() + payload.size());
    appendMember(out, '{', Protocol::Key::command, command);
    if (!id.isUndefined())
        appendMember(out, ',', Protocol::Key::id, id);
    appendKey(out, ',', Protocol::Key::result);
    out += payload;
    appendMember(out, ',', Protocol::Key::success, result.isSuccess());
    appendMember(out, ',', Protocol::Key::type, Protocol::Type::commandResult);
    out += '}';
    return out;
}

} // namespace CommandBridge::Encoder
