// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// The one place that turns client bytes into requests (WebSocket messages, REST bodies and
// parameters). Every rejection carries its protocol error code.

#include <CommandBridge/commanderror.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <chrono>
#include <optional>
#include <variant>

namespace CommandBridge {

/// A client message that passed decoding. Which fields are set depends on type.
struct ClientMessage
{
    enum class Type {
        Command,
        Cancel,
        ListCommands,
        Ping,
        Auth,
        ListEvents,
        Subscribe,
        Unsubscribe
    };

    Type type = Type::Ping;
    /// Undefined when the message had no id.
    QJsonValue id = QJsonValue(QJsonValue::Undefined);
    QString command;
    /// As sent; undefined when absent. The registry decides whether it is an object.
    QJsonValue args = QJsonValue(QJsonValue::Undefined);
    std::optional<std::chrono::milliseconds> timeout;
    QString token;
    /// Subscribe and Unsubscribe: the entries, non-empty strings.
    QStringList events;
};

/// Why a message was refused; id is set when one could be read.
struct DecodeError
{
    ErrorCode code = ErrorCode::BadMessage;
    QString message;
    QJsonValue id = QJsonValue(QJsonValue::Undefined);
};

using DecodeResult = std::variant<ClientMessage, DecodeError>;

/// Decodes one WebSocket text message (spec section 3).
DecodeResult decodeClientMessage(const QByteArray &utf8);

/// Decodes a REST body into command args: empty means {}, otherwise it must be JSON
/// (bad_message); whether it is an object is the registry's call.
std::variant<QJsonValue, DecodeError> decodeRestArgs(const QByteArray &body);

/// Decodes the REST `timeout_ms` query value; an empty string means none.
std::variant<std::optional<std::chrono::milliseconds>, DecodeError>
decodeTimeoutParameter(const QString &value);

/// A JSON-RPC 2.0 message that passed decoding (MCP, spec section 11).
struct JsonRpcMessage
{
    /// Undefined for a notification.
    QJsonValue id = QJsonValue(QJsonValue::Undefined);
    /// Empty for a response (a message with result or error), which the server only accepts.
    QString method;
    QJsonObject params;
};

/// Why a JSON-RPC message was refused: a JSON-RPC error code, and the id when one was read.
struct JsonRpcError
{
    int code = 0;
    QString message;
    QJsonValue id = QJsonValue(QJsonValue::Null);
};

/// Decodes the body of a POST /mcp: one JSON-RPC request, notification or response.
std::variant<JsonRpcMessage, JsonRpcError> decodeJsonRpc(const QByteArray &body);

/// Decodes the event stream's `events` query value: a comma-separated list, no empty entry.
std::variant<QStringList, DecodeError> decodeEventsParameter(const QString &value);

/// True for a session id of `[A-Za-z0-9._-]{1,128}`.
bool isValidSessionId(QStringView id);

/// An id as humans read it in messages: "abc" quoted, 7 bare.
QString describeRequestId(const QJsonValue &id);

/// A hashable request id that keeps `1` and `"1"` apart, with no string built for an integer.
struct RequestIdKey
{
    QString text;      // a string id
    qint64 number = 0; // an integer id
    bool isText = false;

    friend bool operator==(const RequestIdKey &a, const RequestIdKey &b) noexcept
    {
        return a.isText == b.isText && (a.isText ? a.text == b.text : a.number == b.number);
    }
    friend bool operator!=(const RequestIdKey &a, const RequestIdKey &b) noexcept
    {
        return !(a == b);
    }
    friend size_t qHash(const RequestIdKey &key, size_t seed = 0) noexcept
    {
        return key.isText ? qHash(key.text, seed) : qHash(key.number, seed);
    }
};

/// The key of a valid request id (a string, or an integer as decodeClientMessage() accepts).
RequestIdKey requestIdKey(const QJsonValue &id);

} // namespace CommandBridge
