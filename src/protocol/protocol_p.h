// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// The one place that names the wire: message types, JSON keys, paths and limits of protocol v1.

#include <QtCore/QLatin1String>

namespace CommandBridge::Protocol {

inline constexpr int version = 1;
inline constexpr int maxIdLength = 128;
inline constexpr int maxSessionIdLength = 128;
/// What a session id must match (`?session=`, X-Session-Id), as a regular expression.
inline constexpr QLatin1String sessionIdPattern{"^[A-Za-z0-9._-]{1,128}$"};
/// Integer ids must survive a round trip through a double.
inline constexpr double maxSafeInteger = 9007199254740991.0;

namespace Type {
inline constexpr QLatin1String command{"command"};
inline constexpr QLatin1String cancel{"cancel"};
inline constexpr QLatin1String listCommands{"list_commands"};
inline constexpr QLatin1String ping{"ping"};
inline constexpr QLatin1String auth{"auth"};
inline constexpr QLatin1String hello{"hello"};
inline constexpr QLatin1String commandProgress{"command_progress"};
inline constexpr QLatin1String commandResult{"command_result"};
inline constexpr QLatin1String commands{"commands"};
inline constexpr QLatin1String pong{"pong"};
inline constexpr QLatin1String authResult{"auth_result"};
inline constexpr QLatin1String error{"error"};
inline constexpr QLatin1String listEvents{"list_events"};
inline constexpr QLatin1String events{"events"};
inline constexpr QLatin1String subscribe{"subscribe"};
inline constexpr QLatin1String subscribed{"subscribed"};
inline constexpr QLatin1String unsubscribe{"unsubscribe"};
inline constexpr QLatin1String unsubscribed{"unsubscribed"};
inline constexpr QLatin1String event{"event"};
} // namespace Type

namespace Key {
inline constexpr QLatin1String type{"type"};
inline constexpr QLatin1String id{"id"};
inline constexpr QLatin1String command{"command"};
inline constexpr QLatin1String args{"args"};
inline constexpr QLatin1String timeoutMs{"timeout_ms"};
inline constexpr QLatin1String token{"token"};
inline constexpr QLatin1String protocol{"protocol"};
inline constexpr QLatin1String server{"server"};
inline constexpr QLatin1String sessionId{"session_id"};
inline constexpr QLatin1String authRequired{"auth_required"};
inline constexpr QLatin1String limits{"limits"};
inline constexpr QLatin1String maxMessageBytes{"max_message_bytes"};
inline constexpr QLatin1String maxInFlight{"max_in_flight"};
inline constexpr QLatin1String maxTimeoutMs{"max_timeout_ms"};
inline constexpr QLatin1String message{"message"};
inline constexpr QLatin1String percent{"percent"};
inline constexpr QLatin1String success{"success"};
inline constexpr QLatin1String result{"result"};
inline constexpr QLatin1String code{"code"};
inline constexpr QLatin1String details{"details"};
inline constexpr QLatin1String path{"path"};
inline constexpr QLatin1String commands{"commands"};
inline constexpr QLatin1String name{"name"};
inline constexpr QLatin1String description{"description"};
inline constexpr QLatin1String argsSchema{"args_schema"};
inline constexpr QLatin1String status{"status"};
inline constexpr QLatin1String connections{"connections"};
inline constexpr QLatin1String sessions{"sessions"};
inline constexpr QLatin1String inFlight{"in_flight"};
inline constexpr QLatin1String uptimeMs{"uptime_ms"};
inline constexpr QLatin1String features{"features"};
inline constexpr QLatin1String events{"events"};
inline constexpr QLatin1String event{"event"};
inline constexpr QLatin1String seq{"seq"};
inline constexpr QLatin1String data{"data"};
inline constexpr QLatin1String dataSchema{"data_schema"};
inline constexpr QLatin1String scope{"scope"};
inline constexpr QLatin1String session{"session"};
} // namespace Key

/// JSON-RPC 2.0 and the Model Context Protocol (spec section 11).
namespace Mcp {
inline constexpr QLatin1String jsonRpcVersion{"2.0"};
/// Newest first: the answer to a client whose version is not here.
inline constexpr QLatin1String versions[] = {
    QLatin1String("2025-11-25"), QLatin1String("2025-06-18"), QLatin1String("2025-03-26")};
inline constexpr QLatin1String sessionHeader{"Mcp-Session-Id"};
inline constexpr QLatin1String serverName{"CommandBridge"};
namespace Method {
inline constexpr QLatin1String initialize{"initialize"};
inline constexpr QLatin1String ping{"ping"};
inline constexpr QLatin1String toolsList{"tools/list"};
inline constexpr QLatin1String toolsCall{"tools/call"};
inline constexpr QLatin1String cancelled{"notifications/cancelled"};
inline constexpr QLatin1String progress{"notifications/progress"};
} // namespace Method
namespace Key {
inline constexpr QLatin1String jsonrpc{"jsonrpc"};
inline constexpr QLatin1String method{"method"};
inline constexpr QLatin1String params{"params"};
inline constexpr QLatin1String result{"result"};
inline constexpr QLatin1String error{"error"};
inline constexpr QLatin1String code{"code"};
inline constexpr QLatin1String message{"message"};
inline constexpr QLatin1String data{"data"};
inline constexpr QLatin1String protocolVersion{"protocolVersion"};
inline constexpr QLatin1String capabilities{"capabilities"};
inline constexpr QLatin1String serverInfo{"serverInfo"};
inline constexpr QLatin1String tools{"tools"};
inline constexpr QLatin1String listChanged{"listChanged"};
inline constexpr QLatin1String name{"name"};
inline constexpr QLatin1String version{"version"};
inline constexpr QLatin1String description{"description"};
inline constexpr QLatin1String inputSchema{"inputSchema"};
inline constexpr QLatin1String arguments{"arguments"};
inline constexpr QLatin1String content{"content"};
inline constexpr QLatin1String type{"type"};
inline constexpr QLatin1String object{"object"};
inline constexpr QLatin1String text{"text"};
inline constexpr QLatin1String structuredContent{"structuredContent"};
inline constexpr QLatin1String isError{"isError"};
inline constexpr QLatin1String meta{"_meta"};
inline constexpr QLatin1String progressToken{"progressToken"};
inline constexpr QLatin1String progress{"progress"};
inline constexpr QLatin1String total{"total"};
inline constexpr QLatin1String requestId{"requestId"};
} // namespace Key
/// JSON-RPC error codes.
namespace Error {
inline constexpr int parse = -32700;
inline constexpr int invalidRequest = -32600;
inline constexpr int methodNotFound = -32601;
inline constexpr int invalidParams = -32602;
/// Server-defined: the server cannot take another MCP session, or is shutting down.
inline constexpr int unavailable = -32000;
} // namespace Error
} // namespace Mcp

/// What the hello message lists under "features" (spec section 10).
namespace Feature {
inline constexpr QLatin1String events{"events"};
} // namespace Feature

/// HTTP headers of the REST API besides the standard ones.
namespace Header {
inline constexpr QLatin1String sessionId{"X-Session-Id"};
} // namespace Header

/// The HTTP paths (spec sections 4, 10 and 12), as requests name them and as QHttpServer routes
/// them.
namespace Path {
inline constexpr QLatin1String webSocket{"/ws"};
inline constexpr QLatin1String health{"/api/v1/health"};
/// MCP over Streamable HTTP (spec section 11).
inline constexpr QLatin1String mcp{"/mcp"};
inline constexpr QLatin1String commands{"/api/v1/commands"};
inline constexpr QLatin1String events{"/api/v1/events"};
inline constexpr QLatin1String eventStream{"/api/v1/events/stream"};
inline constexpr QLatin1String openApi{"/api/v1/openapi.json"};
/// A command's own path is commandPrefix + its name (+ streamSuffix), as OpenAPI lists it.
inline constexpr QLatin1String commandPrefix{"/api/v1/commands/"};
inline constexpr QLatin1String streamSuffix{"/stream"};
/// QHttpServer::route patterns: <arg> is the command's name.
inline constexpr QLatin1String commandRoute{"/api/v1/commands/<arg>"};
inline constexpr QLatin1String commandStreamRoute{"/api/v1/commands/<arg>/stream"};
/// A command's path, run or stream; captures the name.
inline constexpr QLatin1String commandPattern{"^/api/v1/commands/([^/]+)(/stream)?$"};
/// Every REST path that has a route, whatever the method: the rest are not_found.
inline constexpr QLatin1String knownRestPattern{
    "^(/api/v1/(health|openapi\\.json|commands(/[^/]+(/stream)?)?|events(/stream)?)|/mcp)$"};
} // namespace Path

} // namespace CommandBridge::Protocol
