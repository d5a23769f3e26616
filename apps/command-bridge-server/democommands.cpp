// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "democommands.h"

#include <CommandBridge/commandbridgeserver.h>
#include <CommandBridge/commandbuilder.h>
#include <CommandBridge/session.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>

#include <algorithm>

using namespace std::chrono_literals;
using namespace Qt::StringLiterals;

namespace CommandBridge::Demo {
namespace {

Q_LOGGING_CATEGORY(lcDemo, "commandbridge.demo")

constexpr qint64 mebibyte = 1024 * 1024;
constexpr int summaryWordsPerTurn = 4;
constexpr qsizetype maxSummaryLength = 500;
constexpr qint64 broadcastSlice = 1000;

/// The session key holding the conversation: a JSON array of {"text": ...} turns.
QString historyKey()
{
    return u"history"_s;
}

/// Session commands are registered with requiresSession, so a missing session is a library bug;
/// still fail cleanly rather than crash.
std::shared_ptr<Session> sessionOf(CommandContext &context)
{
    std::shared_ptr<Session> session = context.session();
    if (!session)
        context.fail(ErrorCode::NoSession, u"Command %1 needs a session"_s.arg(context.command()));
    return session;
}

void echo(CommandContext &context)
{
    context.succeed(context.args());
}

/// Counts on the event loop; the timer is the context's child, so it dies with the command.
void count(CommandContext &context)
{
    const QJsonObject args = context.args();
    const int to = std::clamp(args.value(u"to"_s).toInt(10), 1, 1000000);
    const int intervalMs = std::clamp(args.value(u"interval_ms"_s).toInt(100), 0, 60000);

    auto *timer = new QTimer(&context);
    timer->setInterval(intervalMs);
    QObject::connect(timer, &QTimer::timeout, &context, [&context, timer, to, step = 0]() mutable {
        ++step;
        context.reportProgress(u"step %1/%2"_s.arg(step).arg(to), 100.0 * step / to);
        if (step == to) {
            timer->stop();
            context.succeed(QJsonObject{{u"counted"_s, to}});
        }
    });
    QObject::connect(&context, &CommandContext::cancelRequested, timer, &QTimer::stop);
    timer->start();
}

/// Runs on the worker pool: CPU-bound, so it checks for cancellation between blocks.
void hash(CommandContext &context)
{
    const int mebibytes = std::clamp(context.args().value(u"mebibytes"_s).toInt(1), 1, 1024);

    QByteArray block(mebibyte, Qt::Uninitialized);
    for (qsizetype i = 0; i < block.size(); ++i)
        block[i] = static_cast<char>(i % 256);

    QCryptographicHash sha256(QCryptographicHash::Sha256);
    for (int i = 1; i <= mebibytes; ++i) {
        if (context.isCancelled())
            return;
        sha256.addData(block);
        context.reportProgress(u"hashed %1/%2 MiB"_s.arg(i).arg(mebibytes), 100.0 * i / mebibytes);
    }
    context.succeed(QJsonObject{{u"sha256"_s, QString::fromLatin1(sha256.result().toHex())},
                                {u"bytes"_s, mebibytes * mebibyte}});
}

void historyAdd(CommandContext &context)
{
    const std::shared_ptr<Session> session = sessionOf(context);
    if (!session)
        return;
    const QString text = context.args().value(u"text"_s).toString();
    qsizetype turns = 0;
    session->update([&](QJsonObject &state) {
        QJsonArray history = state.value(historyKey()).toArray();
        history.append(QJsonObject{{u"text"_s, text}});
        // Bounded memory per session: the oldest turns go.
        while (history.size() > maxHistoryTurns)
            history.removeFirst();
        turns = history.size();
        state.insert(historyKey(), history);
    });
    context.publishEvent(u"history.changed"_s, QJsonObject{{u"turns"_s, turns}});
    context.succeed(QJsonObject{{u"turns"_s, turns}});
}

void historyList(CommandContext &context)
{
    const std::shared_ptr<Session> session = sessionOf(context);
    if (!session)
        return;
    context.succeed(QJsonObject{{u"turns"_s, session->value(historyKey()).toArray()}});
}

/// A short deterministic stand-in for a real summariser: the first words of each turn.
QString summarise(const QJsonArray &history, qsizetype count)
{
    QStringList openings;
    for (qsizetype i = 0; i < count; ++i) {
        const QString text = history.at(i).toObject().value(u"text"_s).toString().simplified();
        openings.append(text.split(u' ').mid(0, summaryWordsPerTurn).join(u' '));
    }
    QString summary = u"Summary of %1 turns: "_s.arg(count) + openings.join(u"; "_s);
    if (summary.size() > maxSummaryLength)
        summary = summary.left(maxSummaryLength - 3) + u"..."_s;
    return summary;
}

void compact(CommandContext &context)
{
    const std::shared_ptr<Session> session = sessionOf(context);
    if (!session)
        return;
    const qint64 keepRecent =
        std::max<qint64>(0, context.args().value(u"keep_recent"_s).toInteger(2));

    qsizetype compacted = 0;
    qsizetype turnsAfter = 0;
    session->update([&](QJsonObject &state) {
        const QJsonArray history = state.value(historyKey()).toArray();
        turnsAfter = history.size();
        if (history.size() <= keepRecent)
            return;
        compacted = history.size() - keepRecent;
        QJsonArray kept{QJsonObject{{u"text"_s, summarise(history, compacted)}}};
        for (qsizetype i = compacted; i < history.size(); ++i)
            kept.append(history.at(i));
        turnsAfter = kept.size();
        state.insert(historyKey(), kept);
    });

    // Reported after the update: progress signals must not be emitted under the session's lock.
    for (qsizetype i = 1; i <= compacted; ++i)
        context.reportProgress(u"summarised %1/%2"_s.arg(i).arg(compacted), 100.0 * i / compacted);
    if (compacted > 0)
        context.publishEvent(u"history.changed"_s, QJsonObject{{u"turns"_s, turnsAfter}});
    context.succeed(QJsonObject{{u"compacted"_s, compacted > 0},
                                {u"turns_compacted"_s, compacted},
                                {u"turns_after"_s, turnsAfter}});
}

/// Publishes notices \a first to \a repeat, a slice per pass of the event loop so that the GUI
/// thread stays responsive and a cancel is seen between slices.
void publishNotices(CommandContext *context, const QString &text, qint64 first, qint64 repeat)
{
    if (context->isCancelled())
        return;
    const qint64 last = std::min(repeat, first + broadcastSlice - 1);
    for (qint64 n = first; n <= last; ++n)
        context->publishEvent(u"notice"_s, QJsonObject{{u"text"_s, text}, {u"n"_s, n}});
    if (last == repeat) {
        context->succeed(QJsonObject{{u"published"_s, repeat}});
        return;
    }
    QTimer::singleShot(0, context, [context, text, last, repeat] {
        publishNotices(context, text, last + 1, repeat);
    });
}

void broadcast(CommandContext &context)
{
    const QJsonObject args = context.args();
    publishNotices(&context, args.value(u"text"_s).toString(), 1,
                   args.value(u"repeat"_s).toInteger(1));
}

void fail(CommandContext &context)
{
    const QJsonObject args = context.args();
    context.fail(args.value(u"code"_s).toString(u"failed"_s),
                 args.value(u"message"_s).toString(u"Command failed"_s));
}

// The args schemas (JSON Schema draft 7), written as JSON so they read exactly as list_commands
// shows them. The registry adds the optional "session_id" property.
constexpr const char *anyArgsSchema = R"({"type": "object"})";
constexpr const char *noArgsSchema =
    R"({"type": "object", "properties": {}, "additionalProperties": false})";
constexpr const char *countSchema = R"({
    "type": "object",
    "properties": {
        "to": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 10},
        "interval_ms": {"type": "integer", "minimum": 0, "maximum": 60000, "default": 100}
    },
    "additionalProperties": false
})";
constexpr const char *hashSchema = R"({
    "type": "object",
    "properties": {
        "mebibytes": {"type": "integer", "minimum": 1, "maximum": 1024, "default": 1}
    },
    "additionalProperties": false
})";
constexpr const char *historyAddSchema = R"({
    "type": "object",
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 10000}
    },
    "required": ["text"],
    "additionalProperties": false
})";
constexpr const char *compactSchema = R"({
    "type": "object",
    "properties": {
        "keep_recent": {"type": "integer", "minimum": 0, "default": 2}
    },
    "additionalProperties": false
})";
constexpr const char *broadcastSchema = R"({
    "type": "object",
    "properties": {
        "text": {"type": "string", "minLength": 1, "maxLength": 10000},
        "repeat": {"type": "integer", "minimum": 1, "maximum": 1000000, "default": 1}
    },
    "required": ["text"],
    "additionalProperties": false
})";
constexpr const char *noticeSchema = R"({
    "type": "object",
    "properties": {"text": {"type": "string"}, "n": {"type": "integer", "minimum": 1}},
    "required": ["text", "n"]
})";
constexpr const char *historyChangedSchema = R"({
    "type": "object",
    "properties": {"turns": {"type": "integer", "minimum": 0}},
    "required": ["turns"]
})";
constexpr const char *statsSchema = R"({
    "type": "object",
    "properties": {
        "connections": {"type": "integer", "minimum": 0},
        "sessions": {"type": "integer", "minimum": 0},
        "in_flight": {"type": "integer", "minimum": 0}
    },
    "required": ["connections", "sessions", "in_flight"]
})";
constexpr const char *failSchema = R"({
    "type": "object",
    "properties": {
        "code": {"type": "string", "pattern": "^[a-z_]{1,64}$", "default": "failed"},
        "message": {"type": "string", "maxLength": 10000, "default": "Command failed"}
    },
    "additionalProperties": false
})";

void add(CommandRegistry &registry, CommandBuilder command)
{
    if (!command.registerIn(registry))
        qCCritical(lcDemo) << "Cannot register a demo command:" << command.errorString();
}

EventDescriptor event(const QString &name, const QString &description, const char *dataSchema,
                      EventScope scope)
{
    return EventDescriptor{name, description, QJsonDocument::fromJson(dataSchema).object(), scope};
}

void declare(CommandRegistry &registry, const EventDescriptor &event)
{
    if (!registry.registerEvent(event))
        qCCritical(lcDemo) << "Cannot declare a demo event:" << registry.errorString();
}

} // namespace

CommandBuilder broadcastCommand()
{
    return std::move(CommandBuilder(u"broadcast"_s)
                         .description(u"Publishes 'repeat' notice events with 'text'"_s)
                         .args(broadcastSchema)
                         .mode(ExecutionMode::EventLoop)
                         .handler(broadcast));
}

EventDescriptor noticeEvent()
{
    return event(u"notice"_s, u"A notice, published by the broadcast command"_s, noticeSchema,
                 EventScope::Global);
}

void registerDemoCommands(CommandRegistry &registry)
{
    // echo accepts any args on purpose: it shows what a handler receives.
    add(registry, CommandBuilder(u"echo"_s)
                      .description(u"Returns its args as the handler sees them"_s)
                      .args(anyArgsSchema)
                      .mode(ExecutionMode::Synchronous)
                      .handler(echo));
    add(registry,
        CommandBuilder(u"count"_s)
            .description(u"Counts to 'to', one step every 'interval_ms', reporting each"_s)
            .args(countSchema)
            .mode(ExecutionMode::EventLoop)
            .defaultTimeout(10min)
            .handler(count));
    add(registry, CommandBuilder(u"hash"_s)
                      .description(u"SHA-256 of 'mebibytes' MiB of the bytes 0..255 repeated"_s)
                      .args(hashSchema)
                      .mode(ExecutionMode::WorkerPool)
                      .defaultTimeout(5min)
                      .handler(hash));
    add(registry, CommandBuilder(u"history.add"_s)
                      .description(u"Appends a turn to the session's history"_s)
                      .args(historyAddSchema)
                      .mode(ExecutionMode::Synchronous)
                      .requiresSession()
                      .handler(historyAdd));
    add(registry, CommandBuilder(u"history.list"_s)
                      .description(u"Returns the session's history"_s)
                      .args(noArgsSchema)
                      .mode(ExecutionMode::Synchronous)
                      .requiresSession()
                      .handler(historyList));
    add(registry,
        CommandBuilder(u"compact"_s)
            .description(u"Replaces all but the last 'keep_recent' history turns by a summary"_s)
            .args(compactSchema)
            .mode(ExecutionMode::Synchronous)
            .requiresSession()
            .handler(compact));
    add(registry, broadcastCommand());
    add(registry, CommandBuilder(u"fail"_s)
                      .description(u"Fails with the given code and message"_s)
                      .args(failSchema)
                      .mode(ExecutionMode::Synchronous)
                      .handler(fail));

    declare(registry, noticeEvent());
    declare(registry,
            event(u"history.changed"_s, u"The session's history changed (history.add, compact)"_s,
                  historyChangedSchema, EventScope::Session));
    declare(registry, event(u"stats"_s, u"The server's counts, once a second while subscribed"_s,
                            statsSchema, EventScope::Global));
}

void publishStats(CommandRegistry &registry, CommandBridgeServer &server)
{
    auto *timer = new QTimer(&server);
    timer->setInterval(1s);
    QObject::connect(timer, &QTimer::timeout, &server, [&registry, &server] {
        if (!registry.hasEventSubscribers(u"stats"_s))
            return;
        registry.publishEvent(u"stats"_s, QJsonObject{{u"connections"_s, server.connectionCount()},
                                                      {u"sessions"_s, server.sessionCount()},
                                                      {u"in_flight"_s, server.inFlightCount()}});
    });
    timer->start();
}

} // namespace CommandBridge::Demo
