// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// The one place that builds server messages and REST bodies from values.

#include <CommandBridge/commandresult.h>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QStringList>

#include <chrono>

namespace CommandBridge {

struct HelloInfo
{
    QString serverName;
    QString sessionId;
    bool authRequired = false;
    qint64 maxMessageBytes = 0;
    int maxInFlight = 0;
    std::chrono::milliseconds maxTimeout{0};
};

namespace Encoder {

QJsonObject hello(const HelloInfo &info);
// `id` is omitted when undefined.
QJsonObject commands(const QJsonValue &id, const QJsonArray &descriptions);
QJsonObject pong(const QJsonValue &id);
QJsonObject events(const QJsonValue &id, const QJsonArray &descriptions);
/// `subscribed` (or `unsubscribed`) with the connection's whole subscription list.
QJsonObject subscriptions(bool subscribed, const QJsonValue &id, const QStringList &entries);
/// The `event` message; \a data is the data object as compact JSON, encoded once per publication.
QByteArray event(const QString &name, quint64 seq, const QByteArray &data);
/// One event of the event stream: "event: NAME\nid: SEQ\ndata: EVENT\n\n", \a eventJson being
/// the `event` message.
QByteArray streamedEvent(const QString &name, quint64 seq, const QByteArray &eventJson);
QJsonObject authResult(bool success);
QJsonObject error(ErrorCode code, const QString &message, const QJsonValue &id);

/// The `result` member of a command_result: the value, or {code, message[, details]}.
QJsonValue resultPayload(const CommandResult &result);

/// REST body of a command run: {"command", "success", "result"}, written directly like
/// progress() and result(): it is sent for every REST command.
QByteArray restCommandBody(const QString &command, const CommandResult &result);
/// REST body of a request refused before any command ran: {"success": false, "result": {code,
/// message}}, with "command" when the request named one.
QJsonObject restErrorBody(const QString &code, const QString &message,
                          const QString &command = QString());
/// GET /api/v1/commands
QJsonObject restCommandList(const QJsonArray &descriptions);
/// GET /api/v1/events
QJsonObject restEventList(const QJsonArray &descriptions);

/// One Server-Sent Event: "event: NAME\ndata: JSON\n\n", \a json being one line.
QByteArray serverSentEvent(const char *event, const QByteArray &json);

/// Compact UTF-8 JSON.
QByteArray toJson(const QJsonObject &object);

/// command_progress and command_result, compact with sorted keys like every other message, written
/// directly: these two are sent for every command, and building the envelope as a QJsonObject
/// costs more than echo itself. WebSocket sends them as they are, SSE frames them as events.
QByteArray progress(const QJsonValue &id, const QString &command, const CommandProgress &progress);
QByteArray result(const QJsonValue &id, const QString &command, const CommandResult &result);

/// JSON-RPC 2.0 answers (MCP, spec section 11), compact.
QByteArray jsonRpcResult(const QJsonValue &id, const QJsonValue &result);
QByteArray jsonRpcError(const QJsonValue &id, int code, const QString &message);
/// notifications/progress for \a token: \a percent of a total of 100, and the report's message.
QByteArray mcpProgress(const QJsonValue &token, const CommandProgress &progress, double percent);
QJsonObject mcpInitializeResult(const QString &protocolVersion, const QString &serverVersion);
/// The tools/list result: one tool per list_commands entry.
QJsonObject mcpTools(const QJsonArray &descriptions);
/// The JSON-RPC response to tools/call \a id once its command finished: its value (or error) as
/// text and as structuredContent (a non-object value wrapped as {"result": value}), and isError.
/// Written directly, as result() is: MCP sends one for every call.
QByteArray mcpToolCallResponse(const QJsonValue &id, const CommandResult &result);

} // namespace Encoder
} // namespace CommandBridge
