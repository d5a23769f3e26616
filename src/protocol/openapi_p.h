// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// The OpenAPI 3.1 document of the REST API (spec section 12), built from values only.

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>
#include <QtCore/QString>

#include <chrono>

namespace CommandBridge::OpenApi {

/// What the document tells besides the registry's commands and events: the serving server.
struct ServerFacts
{
    /// info.version: the library's version.
    QString version;
    /// servers[0].url: where the routes are, e.g. "http://127.0.0.1:8080", or "/".
    QString url;
    /// Adds the bearer security scheme, required by every route but health.
    bool tokenRequired = false;
    qint64 maxMessageBytes = 0;
    std::chrono::milliseconds maxTimeout{0};
    /// Commands that fail with no_session without X-Session-Id: the header is required for them.
    QSet<QString> sessionCommands;
};

/// The document: one literal path per command (and its /stream variant) with its args schema as
/// the request body, the fixed routes, the envelopes and error bodies. \a commands and \a events
/// are CommandRegistry::describeCommands() and describeEvents().
QJsonObject document(const QJsonArray &commands, const QJsonArray &events,
                     const ServerFacts &facts);

/// A JSON Schema draft 7 (as commands declare their args) as the JSON Schema 2020-12 an OpenAPI
/// 3.1 document holds, placed at \a location (a JSON pointer into the document). Local $refs are
/// rewritten to point there; see docs/protocol.md section 10.7 for every rewrite.
QJsonValue schemaAt(const QJsonValue &draft7, const QString &location);

} // namespace CommandBridge::OpenApi
