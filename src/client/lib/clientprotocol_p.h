// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

// The client's side of the wire: builds the messages it sends and reads the ones it receives.
// Message types and keys come from the server's protocol_p.h, the one file that names the wire.

#include "protocol_p.h"

#include <QtCore/QJsonObject>
#include <QtCore/QLatin1String>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <optional>

namespace CommandBridge::ClientProtocol {

/// Error codes a call can end with that the client reports itself or treats specially.
namespace Code {
inline constexpr QLatin1String disconnected{"disconnected"};
inline constexpr QLatin1String cancelled{"cancelled"};
inline constexpr QLatin1String unknownId{"unknown_id"};
inline constexpr QLatin1String unauthorized{"unauthorized"};
} // namespace Code

/// Close code of a connection that failed authentication (spec section 7): not retried.
inline constexpr int closeCodeUnauthorized = 4001;

QString encodeCommand(int id, const QString &command, const QJsonObject &args, int timeoutMs);
QString encodeCancel(int id);
QString encodeListCommands(int id);
QString encodeAuth(const QString &token);
QString encodeListEvents(int id);
QString encodeSubscribe(int id, const QStringList &events);
QString encodeUnsubscribe(int id, const QStringList &events);

/// The JSON object of a text frame; nullopt if it is not one.
std::optional<QJsonObject> decode(const QString &text);
/// The message's `id` when it is an integer (the only kind this client sends).
std::optional<int> integerId(const QJsonObject &message);

/// Whether a subscription entry (an exact name, `prefix.*` or `*`) covers the event \a name.
bool entryMatches(QStringView entry, QStringView name);

/// \a base with its `session` query item set to \a sessionId (kept as is when empty).
QUrl withSession(const QUrl &base, const QString &sessionId);
/// The `session` query item of \a url, empty if none.
QString sessionOf(const QUrl &url);

} // namespace CommandBridge::ClientProtocol
