// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "messageencoder_p.h"

#include "protocol_p.h"

#include <QtCore/QCborValue>
#include <QtCore/QJsonArray>

#include <charconv>
#include <iterator>

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

/// Writes u and the four hex digits of \a unit, as QJsonDocument escapes it.
char *appendHex(char *dst, char16_t unit)
{
    constexpr char digits[] = "0123456789abcdef";
    *dst++ = 'u';
    for (int shift = 12; shift >= 0; shift -= 4)
        *dst++ = digits[(unit >> shift) & 0xf];
    return dst;
}

/// Writes the escape of the ASCII \a unit (a quote, a backslash or a control character) as
/// QJsonDocument does: \b \f \n \r \t by name, other controls as \u00XX. At most 6 bytes.
char *appendEscape(char *dst, char16_t unit)
{
    *dst++ = '\\';
    switch (unit) {
    case u'"':
        *dst++ = '"';
        break;
    case u'\\':
        *dst++ = '\\';
        break;
    case u'\b':
        *dst++ = 'b';
        break;
    case u'\f':
        *dst++ = 'f';
        break;
    case u'\n':
        *dst++ = 'n';
        break;
    case u'\r':
        *dst++ = 'r';
        break;
    case u'\t':
        *dst++ = 't';
        break;
    default:
        dst = appendHex(dst, unit);
    }
    return dst;
}

/// Appends \a text as a JSON string the way QJsonDocument writes it: quote, backslash and control
/// characters escaped (\b \f \n \r \t, else \u00XX), unpaired surrogates as \uXXXX, the rest UTF-8.
void appendString(QByteArray &out, QStringView text)
{
    // Room for the largest form of one step: \uXXXX, then the closing quote.
    constexpr qsizetype slack = 7;
    qsizetype used = out.size();
    out.resize(used + 1 + text.size() + slack);
    char *dst = out.data() + used;
    const char *limit = out.constData() + out.size() - slack;
    *dst++ = '"';
    const char16_t *src = text.utf16();
    const char16_t *const end = src + text.size();
    while (src != end) {
        if (dst >= limit) {
            used = dst - out.constData();
            out.resize(2 * out.size());
            dst = out.data() + used;
            limit = out.constData() + out.size() - slack;
        }
        const char16_t unit = *src++;
        if (unit >= 0x20 && unit < 0x80 && unit != u'"' && unit != u'\\') {
            *dst++ = char(unit);
        } else if (unit < 0x80) {
            dst = appendEscape(dst, unit);
        } else if (unit < 0x800) {
            *dst++ = char(0xc0 | (unit >> 6));
            *dst++ = char(0x80 | (unit & 0x3f));
        } else if (!QChar::isSurrogate(unit)) {
            *dst++ = char(0xe0 | (unit >> 12));
            *dst++ = char(0x80 | ((unit >> 6) & 0x3f));
            *dst++ = char(0x80 | (unit & 0x3f));
        } else if (QChar::isHighSurrogate(unit) && src != end && QChar::isLowSurrogate(*src)) {
            const char32_t point = QChar::surrogateToUcs4(unit, *src++);
            *dst++ = char(0xf0 | (point >> 18));
            *dst++ = char(0x80 | ((point >> 12) & 0x3f));
            *dst++ = char(0x80 | ((point >> 6) & 0x3f));
            *dst++ = char(0x80 | (point & 0x3f));
        } else {
            *dst++ = '\\';
            dst = appendHex(dst, unit);
        }
    }
    *dst++ = '"';
    out.resize(dst - out.constData());
}

void appendNumber(QByteArray &out, const QJsonValue &value)
{
    // QJsonValue keeps integers apart from doubles, and Qt writes the two differently.
    const QCborValue number = QCborValue::fromJsonValue(value);
    if (number.isInteger()) {
        char digits[24];
        const auto written =
            std::to_chars(std::begin(digits), std::end(digits), number.toInteger());
        out.append(digits, written.ptr - digits);
        return;
    }
    const double real = number.toDouble();
    if (qIsFinite(real))
        out += QByteArray::number(real, 'g', QLocale::FloatingPointShortest);
    else
        out += "null"; // as Qt: JSON has no infinities or NaN
}

void appendJson(QByteArray &out, const QJsonValue &value);

void appendObject(QByteArray &out, const QJsonObject &object)
{
    char separator = '{';
    for (auto it = object.constBegin(), end = object.constEnd(); it != end; ++it) {
        out += separator;
        appendString(out, it.key());
        out += ':';
        appendJson(out, it.value());
        separator = ',';
    }
    if (separator == '{')
        out += '{';
    out += '}';
}

void appendArray(QByteArray &out, const QJsonArray &array)
{
    char separator = '[';
    for (const QJsonValue &element : array) {
        out += separator;
        appendJson(out, element);
        separator = ',';
    }
    if (separator == '[')
        out += '[';
    out += ']';
}

/// Appends \a value byte for byte as QJsonDocument::toJson(Compact) writes it, which the wire
/// tests and the protocol's examples rely on, at a fraction of its cost: Qt's writer allocates
/// for every string and number, and this runs for every message the bridge sends.
void appendJson(QByteArray &out, const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        out += value.toBool() ? "true" : "false";
        return;
    case QJsonValue::Double:
        appendNumber(out, value);
        return;
    case QJsonValue::String:
        appendString(out, value.toString());
        return;
    case QJsonValue::Array:
        appendArray(out, value.toArray());
        return;
    case QJsonValue::Object:
        appendObject(out, value.toObject());
        return;
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        out += "null";
        return;
    }
}

void appendKey(QByteArray &out, char separator, QLatin1String key)
{
    out += separator;
    out += '"';
    out += QByteArrayView(key.data(), key.size());
    out += "\":";
}

/// A protocol constant as a JSON string: constants need no escaping.
void appendPlain(QByteArray &out, QLatin1String constant)
{
    out += '"';
    out += QByteArrayView(constant.data(), constant.size());
    out += '"';
}

void appendMember(QByteArray &out, char separator, QLatin1String key, const QJsonValue &value)
{
    appendKey(out, separator, key);
    appendJson(out, value);
}

/// appendString() of the valid UTF-8 \a utf8 (JSON this encoder wrote), without decoding it first.
void appendUtf8AsString(QByteArray &out, QByteArrayView utf8)
{
    out.reserve(out.size() + utf8.size() + 2);
    out += '"';
    const char *run = utf8.begin();
    for (const char *at = utf8.begin(); at != utf8.end(); ++at) {
        const auto byte = static_cast<unsigned char>(*at);
        if (byte >= 0x20 && byte != '"' && byte != '\\')
            continue;
        out.append(run, at - run);
        char escape[6];
        out.append(escape, appendEscape(escape, byte) - escape);
        run = at + 1;
    }
    out.append(run, utf8.end() - run);
    out += '"';
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
    object.insert(Protocol::Key::features, QJsonArray{QString(Protocol::Feature::events)});
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

QJsonObject commands(const QJsonValue &id, const QJsonArray &descriptions)
{
    QJsonObject object = typed(Protocol::Type::commands, id);
    object.insert(Protocol::Key::commands, descriptions);
    return object;
}

QJsonObject events(const QJsonValue &id, const QJsonArray &descriptions)
{
    QJsonObject object = typed(Protocol::Type::events, id);
    object.insert(Protocol::Key::events, descriptions);
    return object;
}

QJsonObject subscriptions(bool subscribed, const QJsonValue &id, const QStringList &entries)
{
    QJsonObject object =
        typed(subscribed ? Protocol::Type::subscribed : Protocol::Type::unsubscribed, id);
    object.insert(Protocol::Key::events, QJsonArray::fromStringList(entries));
    return object;
}

QByteArray event(const QString &name, quint64 seq, const QByteArray &data)
{
    QByteArray out;
    out.reserve(data.size() + name.size() + 64);
    out += QByteArrayLiteral("{\"data\":");
    out += data;
    out += QByteArrayLiteral(",\"event\":");
    appendString(out, name);
    out += QByteArrayLiteral(",\"seq\":");
    out += QByteArray::number(seq);
    out += QByteArrayLiteral(",\"type\":\"event\"}");
    return out;
}

QByteArray streamedEvent(const QString &name, quint64 seq, const QByteArray &eventJson)
{
    return QByteArrayLiteral("event: ") + name.toUtf8() + QByteArrayLiteral("\nid: ") +
           QByteArray::number(seq) + QByteArrayLiteral("\ndata: ") + eventJson +
           QByteArrayLiteral("\n\n");
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

QJsonObject restEventList(const QJsonArray &descriptions)
{
    return QJsonObject{{Protocol::Key::events, descriptions}};
}

QByteArray serverSentEvent(const char *event, const QByteArray &json)
{
    return QByteArrayLiteral("event: ") + event + QByteArrayLiteral("\ndata: ") + json +
           QByteArrayLiteral("\n\n");
}

QByteArray toJson(const QJsonObject &object)
{
    QByteArray out;
    appendObject(out, object);
    return out;
}

// Members in the order QJsonDocument writes them: sorted by key.
QByteArray progress(const QJsonValue &id, const QString &command, const CommandProgress &progress)
{
    QByteArray out;
    out.reserve(96 + command.size() + progress.message.size());
    appendKey(out, '{', Protocol::Key::command);
    appendString(out, command);
    if (!id.isUndefined())
        appendMember(out, ',', Protocol::Key::id, id);
    appendKey(out, ',', Protocol::Key::message);
    appendString(out, progress.message);
    if (progress.percent)
        appendMember(out, ',', Protocol::Key::percent, *progress.percent);
    appendKey(out, ',', Protocol::Key::type);
    appendPlain(out, Protocol::Type::commandProgress);
    out += '}';
    return out;
}

QByteArray restCommandBody(const QString &command, const CommandResult &result)
{
    QByteArray out;
    out.reserve(96 + command.size());
    appendKey(out, '{', Protocol::Key::command);
    appendString(out, command);
    appendMember(out, ',', Protocol::Key::result, resultPayload(result));
    appendMember(out, ',', Protocol::Key::success, result.isSuccess());
    out += '}';
    return out;
}

QByteArray result(const QJsonValue &id, const QString &command, const CommandResult &result)
{
    QByteArray out;
    out.reserve(128 + command.size());
    appendKey(out, '{', Protocol::Key::command);
    appendString(out, command);
    if (!id.isUndefined())
        appendMember(out, ',', Protocol::Key::id, id);
    appendMember(out, ',', Protocol::Key::result, resultPayload(result));
    appendMember(out, ',', Protocol::Key::success, result.isSuccess());
    appendKey(out, ',', Protocol::Key::type);
    appendPlain(out, Protocol::Type::commandResult);
    out += '}';
    return out;
}

QByteArray jsonRpcResult(const QJsonValue &id, const QJsonValue &result)
{
    namespace Key = Protocol::Mcp::Key;
    return toJson(QJsonObject{{Key::jsonrpc, Protocol::Mcp::jsonRpcVersion},
                              {Protocol::Key::id, id},
                              {Key::result, result}});
}

QByteArray jsonRpcError(const QJsonValue &id, int code, const QString &message)
{
    namespace Key = Protocol::Mcp::Key;
    return toJson(
        QJsonObject{{Key::jsonrpc, Protocol::Mcp::jsonRpcVersion},
                    {Protocol::Key::id, id},
                    {Key::error, QJsonObject{{Key::code, code}, {Key::message, message}}}});
}

QByteArray mcpProgress(const QJsonValue &token, const CommandProgress &progress, double percent)
{
    namespace Key = Protocol::Mcp::Key;
    return toJson(QJsonObject{{Key::jsonrpc, Protocol::Mcp::jsonRpcVersion},
                              {Key::method, Protocol::Mcp::Method::progress},
                              {Key::params, QJsonObject{{Key::progressToken, token},
                                                        {Key::progress, percent},
                                                        {Key::total, 100},
                                                        {Key::message, progress.message}}}});
}

QJsonObject mcpInitializeResult(const QString &protocolVersion, const QString &serverVersion)
{
    namespace Key = Protocol::Mcp::Key;
    return QJsonObject{
        {Key::protocolVersion, protocolVersion},
        {Key::capabilities, QJsonObject{{Key::tools, QJsonObject{{Key::listChanged, false}}}}},
        {Key::serverInfo,
         QJsonObject{{Key::name, Protocol::Mcp::serverName}, {Key::version, serverVersion}}},
    };
}

QJsonObject mcpTools(const QJsonArray &descriptions)
{
    namespace Key = Protocol::Mcp::Key;
    QJsonArray tools;
    for (const QJsonValue &value : descriptions) {
        const QJsonObject command = value.toObject();
        // MCP clients insist on an object schema (the official SDK refuses the whole list
        // otherwise). Args are objects whatever a schema without a type says, so saying so
        // changes nothing.
        QJsonObject inputSchema = command.value(Protocol::Key::argsSchema).toObject();
        if (!inputSchema.contains(Key::type))
            inputSchema.insert(Key::type, Key::object);
        tools.append(QJsonObject{
            {Key::name, command.value(Protocol::Key::name)},
            {Key::description, command.value(Protocol::Key::description)},
            {Key::inputSchema, inputSchema},
        });
    }
    return QJsonObject{{Key::tools, tools}};
}

QByteArray mcpToolCallResponse(const QJsonValue &id, const CommandResult &result)
{
    namespace Key = Protocol::Mcp::Key;
    const QJsonValue payload = resultPayload(result);
    QByteArray text;
    if (result.isSuccess())
        appendJson(text, payload);
    QByteArray out;
    out.reserve(128 + 2 * text.size());
    appendMember(out, '{', Protocol::Key::id, id);
    appendKey(out, ',', Key::jsonrpc);
    appendPlain(out, Protocol::Mcp::jsonRpcVersion);
    appendKey(out, ',', Key::result);
    appendKey(out, '{', Key::content);
    out += '[';
    appendKey(out, '{', Key::text);
    if (result.isSuccess())
        appendUtf8AsString(out, text);
    else
        appendString(out, result.errorMessage());
    appendKey(out, ',', Key::type);
    appendPlain(out, Key::text);
    out += "}]";
    appendMember(out, ',', Key::isError, !result.isSuccess());
    appendKey(out, ',', Key::structuredContent);
    if (payload.isObject()) {
        if (result.isSuccess())
            out += text;
        else
            appendJson(out, payload);
    } else {
        appendMember(out, '{', Protocol::Key::result, payload);
        out += '}';
    }
    out += "}}";
    return out;
}

} // namespace CommandBridge::Encoder
