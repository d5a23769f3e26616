// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "openapi_p.h"

#include "protocol_p.h"

#include <QtCore/QList>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <utility>

using namespace Qt::StringLiterals;

namespace CommandBridge::OpenApi {
namespace {

// ---- JSON Schema draft 7 to 2020-12

/// What a keyword of a draft 7 schema becomes.
enum class Kind {
    /// Left out: $schema and $id (references resolve against the document), and what draft 7
    /// ignores.
    Drop,
    /// Copied as it is: values (enum, const, default, ...), annotations and unknown keywords.
    Data,
    Schema,
    SchemaArray,
    SchemaMap,
    /// Draft 7's "dependencies": an array entry is dependentRequired, a schema dependentSchemas.
    Dependencies,
};

struct Keyword
{
    /// The keyword's name in 2020-12.
    QString name;
    Kind kind;
};

Keyword keywordOf(const QJsonObject &schema, const QString &key)
{
    const bool tuple = schema.value("items"_L1).isArray();
    if (key == "$schema"_L1 || key == "$id"_L1)
        return {key, Kind::Drop};
    // A draft 7 schema that also has "$defs" (an unknown keyword there) keeps both apart.
    if (key == "definitions"_L1 && !schema.contains("$defs"_L1))
        return {u"$defs"_s, Kind::SchemaMap};
    if (key == "definitions"_L1 || key == "$defs"_L1 || key == "properties"_L1 ||
        key == "patternProperties"_L1)
        return {key, Kind::SchemaMap};
    if (key == "dependencies"_L1 && schema.value(key).isObject())
        return {key, Kind::Dependencies};
    if (key == "items"_L1)
        return tuple ? Keyword{u"prefixItems"_s, Kind::SchemaArray} : Keyword{key, Kind::Schema};
    if (key == "additionalItems"_L1)
        return tuple ? Keyword{u"items"_s, Kind::Schema} : Keyword{key, Kind::Drop};
    if (key == "allOf"_L1 || key == "anyOf"_L1 || key == "oneOf"_L1)
        return {key, Kind::SchemaArray};
    static const QStringList single{
        u"additionalProperties"_s, u"contains"_s, u"else"_s, u"if"_s, u"not"_s,
        u"propertyNames"_s,        u"then"_s,
    };
    return {key, single.contains(key) ? Kind::Schema : Kind::Data};
}

/// A JSON pointer token of a $ref, as a key: "~1" is "/", "~0" is "~", and the URI fragment's
/// percent-encoding is undone.
QString unescapeToken(const QString &token)
{
    return QUrl::fromPercentEncoding(token.toUtf8())
        .replace("~1"_L1, "/"_L1)
        .replace("~0"_L1, "~"_L1);
}

QJsonValue child(const QJsonValue &container, const QString &token)
{
    return container.isArray() ? container.toArray().at(token.toInt())
                               : container.toObject().value(unescapeToken(token));
}

/// Rewrites one args schema. The registry accepts only local references ("#/..."), resolved
/// against the schema's root; in the document they are resolved against the document, so each
/// is prefixed with the schema's location and its path translated like the keywords.
class SchemaConverter
{
public:
    SchemaConverter(const QJsonValue &root, const QString &location)
        : m_root(root)
        , m_location(location)
    {}

    // New keys are only ever keywords: the app's property names are kept by assigning through
    // iterators (Qt 6.8.2's QJsonObject::insert() crashes on some keys, see architecture.md).
    QJsonValue convert(const QJsonValue &value) const
    {
        if (!value.isObject())
            return value;
        const QJsonObject in = value.toObject();
        // Draft 7 ignores the siblings of a $ref; the definitions next to it stay, for other
        // references to reach.
        const bool reference = in.value("$ref"_L1).isString();
        QJsonObject out = in;
        QList<std::pair<QString, QJsonValue>> renamed;
        for (auto it = in.begin(); it != in.end(); ++it) {
            const QString &key = it.key();
            if (reference && key == "$ref"_L1) {
                out[key] = rewrite(it.value().toString());
                continue;
            }
            const Keyword keyword = keywordOf(in, key);
            if (keyword.kind == Kind::Drop ||
                (reference && key != "definitions"_L1 && key != "$defs"_L1)) {
                out.remove(key);
                continue;
            }
            QJsonValue converted;
            switch (keyword.kind) {
            case Kind::Drop:
            case Kind::Data:
                continue;
            case Kind::Schema:
                converted = convert(it.value());
                break;
            case Kind::SchemaArray:
                converted = convertArray(it.value());
                break;
            case Kind::SchemaMap:
                converted = convertMap(it.value());
                break;
            case Kind::Dependencies:
                out.remove(key);
                splitDependencies(it.value().toObject(), renamed);
                continue;
            }
            if (keyword.name == key) {
                out[key] = converted;
            } else {
                out.remove(key);
                renamed.append({keyword.name, converted});
            }
        }
        for (const auto &[key, converted] : std::as_const(renamed))
            out.insert(key, converted);
        return out;
    }

private:
    QJsonValue convertArray(const QJsonValue &value) const
    {
        if (!value.isArray())
            return value;
        QJsonArray out;
        for (const QJsonValue &item : value.toArray())
            out.append(convert(item));
        return out;
    }

    QJsonValue convertMap(const QJsonValue &value) const
    {
        if (!value.isObject())
            return value;
        QJsonObject out = value.toObject();
        for (auto it = out.begin(); it != out.end(); ++it)
            it.value() = convert(it.value());
        return out;
    }

    void splitDependencies(const QJsonObject &dependencies,
                           QList<std::pair<QString, QJsonValue>> &renamed) const
    {
        QJsonObject required = dependencies;
        QJsonObject schemas = dependencies;
        for (auto it = dependencies.begin(); it != dependencies.end(); ++it)
            (it.value().isArray() ? schemas : required).remove(it.key());
        for (auto it = schemas.begin(); it != schemas.end(); ++it)
            it.value() = convert(it.value());
        if (!required.isEmpty())
            renamed.append({u"dependentRequired"_s, required});
        if (!schemas.isEmpty())
            renamed.append({u"dependentSchemas"_s, schemas});
    }

    QString rewrite(const QString &reference) const
    {
        if (reference == "#"_L1)
            return u'#' + m_location;
        if (!reference.startsWith("#/"_L1))
            return reference;
        return u'#' + m_location + translate(reference.mid(2).split(u'/'));
    }

    /// The path of \a tokens in the original schema, as the converted schema has it.
    QString translate(const QStringList &tokens) const
    {
        QString out;
        QJsonValue node = m_root;
        for (qsizetype i = 0; i < tokens.size(); ++i) {
            const QString key = unescapeToken(tokens.at(i));
            const Keyword keyword =
                node.isObject() ? keywordOf(node.toObject(), key) : Keyword{key, Kind::Data};
            if (keyword.kind == Kind::Data || keyword.kind == Kind::Drop) {
                // Into a value, or somewhere the conversion left out: the rest as it was.
                out += u'/' + tokens.mid(i).join(u'/');
                break;
            }
            const QJsonValue value = node.toObject().value(key);
            if (keyword.kind == Kind::Schema) {
                out += u'/' + keyword.name;
                node = value;
                continue;
            }
            if (i + 1 == tokens.size()) {
                out += u'/' + keyword.name;
                break;
            }
            const QString &entry = tokens.at(++i);
            node = child(value, entry);
            QString name = keyword.name;
            if (keyword.kind == Kind::Dependencies) {
                name = node.isArray() ? u"dependentRequired"_s : u"dependentSchemas"_s;
            }
            out += u'/' + name + u'/' + entry;
        }
        return out;
    }

    const QJsonValue m_root;
    const QString m_location;
};

// ---- The document

QJsonObject ref(const QString &pointer)
{
    return QJsonObject{{u"$ref"_s, QString(u'#' + pointer)}};
}

QJsonObject schemaRef(const QString &name)
{
    return ref(u"/components/schemas/"_s + name);
}

QJsonObject content(const QString &mediaType, const QJsonValue &schema)
{
    return QJsonObject{{mediaType, QJsonObject{{u"schema"_s, schema}}}};
}

QJsonObject json(const QJsonValue &schema)
{
    return content(u"application/json"_s, schema);
}

QJsonObject typed(const QString &type)
{
    return QJsonObject{{u"type"_s, type}};
}

/// SSE bodies are text: OpenAPI 3.1 cannot type their events, the descriptions tell them.
QJsonObject eventStream()
{
    return content(u"text/event-stream"_s, typed(u"string"_s));
}

QJsonObject response(const QString &description, const QJsonObject &body)
{
    return QJsonObject{{u"description"_s, description}, {u"content"_s, body}};
}

QJsonObject counter(int minimum = 0)
{
    return QJsonObject{{u"type"_s, u"integer"_s}, {u"minimum"_s, minimum}};
}

QJsonObject constant(const QJsonValue &value)
{
    return QJsonObject{{u"const"_s, value}};
}

QJsonObject described(QJsonObject schema, const QString &description)
{
    schema.insert(u"description"_s, description);
    return schema;
}

QJsonObject objectSchema(const QJsonObject &properties, const QStringList &required)
{
    return QJsonObject{
        {u"type"_s, u"object"_s},
        {u"properties"_s, properties},
        {u"required"_s, QJsonArray::fromStringList(required)},
    };
}

QJsonObject sessionIdSchema()
{
    return QJsonObject{{u"type"_s, u"string"_s}, {u"pattern"_s, Protocol::sessionIdPattern}};
}

QJsonObject parameter(const QString &name, const QString &in, bool required,
                      const QString &description, const QJsonObject &schema)
{
    return QJsonObject{{u"name"_s, name},
                       {u"in"_s, in},
                       {u"required"_s, required},
                       {u"description"_s, description},
                       {u"schema"_s, schema}};
}

/// The error responses, each with the Failure body; operations name those they can give.
struct ErrorResponse
{
    QLatin1String name;
    QLatin1String status;
    const char *description;
};

constexpr ErrorResponse errorResponses[] = {
    {"BadRequest"_L1, "400"_L1,
     "bad_message (the body is not JSON; a bad timeout_ms or X-Session-Id), invalid_args (args "
     "not an object, or not matching the schema: details lists each problem as {path, "
     "message}), session_mismatch (args.session_id differs from X-Session-Id), no_session (the "
     "command needs X-Session-Id)"},
    {"Unauthorized"_L1, "401"_L1, "unauthorized: missing or wrong bearer token"},
    {"Forbidden"_L1, "403"_L1, "forbidden: the Host or Origin header is not allowed"},
    {"NotFound"_L1, "404"_L1, "not_found: the command failed with this code of its own"},
    {"Conflict"_L1, "409"_L1, "conflict: the command failed with this code of its own"},
    {"LengthRequired"_L1, "411"_L1, "bad_message: a body without Content-Length"},
    {"PayloadTooLarge"_L1, "413"_L1,
     "payload_too_large: the body is larger than the server's limit"},
    {"HeadTooLarge"_L1, "431"_L1, "bad_message: the request head is larger than 16 KiB"},
    {"CommandFailed"_L1, "500"_L1,
     "failed (the command failed), internal (its handler threw or broke its contract), or a "
     "code of the command's own without a status of its own"},
    {"Unavailable"_L1, "503"_L1,
     "busy (too many REST commands in flight) or shutting_down (the server is stopping)"},
    {"ShuttingDown"_L1, "503"_L1, "shutting_down: the server is stopping"},
    {"Timeout"_L1, "504"_L1, "timeout: the command ran longer than its timeout"},
};

const QStringList commandErrors{
    u"BadRequest"_s,    u"Unauthorized"_s,   u"Forbidden"_s,       u"NotFound"_s,
    u"Conflict"_s,      u"LengthRequired"_s, u"PayloadTooLarge"_s, u"HeadTooLarge"_s,
    u"CommandFailed"_s, u"Unavailable"_s,    u"Timeout"_s,
};
const QStringList routeErrors{u"Unauthorized"_s, u"Forbidden"_s, u"HeadTooLarge"_s,
                              u"ShuttingDown"_s};

/// The responses of an operation: \a success as 200, then the named errors; 401 only when a
/// token is required.
QJsonObject responses(const QJsonObject &success, const QStringList &errors, bool tokenRequired)
{
    QJsonObject object{{u"200"_s, success}};
    for (const ErrorResponse &error : errorResponses) {
        if (errors.contains(error.name) && (tokenRequired || error.name != "Unauthorized"_L1))
            object.insert(error.status, ref(u"/components/responses/"_s + error.name));
    }
    return object;
}

QJsonObject operation(const QString &id, const QString &tag, const QString &summary,
                      const QString &description, const QJsonObject &responses)
{
    return QJsonObject{
        {u"operationId"_s, id},          {u"tags"_s, QJsonArray{tag}}, {u"summary"_s, summary},
        {u"description"_s, description}, {u"responses"_s, responses},
    };
}

QJsonObject components(const ServerFacts &facts)
{
    const QJsonObject error = objectSchema(
        {
            {Protocol::Key::code, typed(u"string"_s)},
            {Protocol::Key::message, typed(u"string"_s)},
            {Protocol::Key::details,
             described({}, u"invalid_args: an array of {path (a JSON pointer), message}; "
                           "otherwise what the command gave, if anything"_s)},
        },
        {Protocol::Key::code, Protocol::Key::message});
    const QJsonObject failure = described(
        objectSchema(
            {
                {Protocol::Key::command, typed(u"string"_s)},
                {Protocol::Key::success, constant(false)},
                {Protocol::Key::result, schemaRef(u"Error"_s)},
            },
            {Protocol::Key::success, Protocol::Key::result}),
        u"A failed command, or a request refused before any command ran (without \"command\" "
        "when it named none)"_s);
    const QJsonObject success = objectSchema(
        {
            {Protocol::Key::command, typed(u"string"_s)},
            {Protocol::Key::success, constant(true)},
            {Protocol::Key::result, described({}, u"The command's result"_s)},
        },
        {Protocol::Key::command, Protocol::Key::success, Protocol::Key::result});
    const QJsonObject jsonSchema =
        described(typed(u"object"_s), u"A JSON Schema (draft 7), as registered"_s);
    const QJsonObject command = objectSchema(
        {
            {Protocol::Key::name, typed(u"string"_s)},
            {Protocol::Key::description, typed(u"string"_s)},
            {Protocol::Key::argsSchema, jsonSchema},
            {Protocol::Key::timeoutMs, counter(1)},
        },
        {Protocol::Key::name, Protocol::Key::description, Protocol::Key::argsSchema,
         Protocol::Key::timeoutMs});
    const QJsonObject event = objectSchema(
        {
            {Protocol::Key::name, typed(u"string"_s)},
            {Protocol::Key::description, typed(u"string"_s)},
            {Protocol::Key::dataSchema, jsonSchema},
            {Protocol::Key::scope, QJsonObject{{u"enum"_s, QJsonArray{u"global"_s, u"session"_s}}}},
        },
        {Protocol::Key::name, Protocol::Key::description, Protocol::Key::dataSchema,
         Protocol::Key::scope});
    const auto listOf = [](const QString &key, const QString &item) {
        return objectSchema(
            {{key, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, schemaRef(item)}}}}, {key});
    };
    const QJsonObject health = objectSchema(
        {
            {Protocol::Key::status, constant(u"ok"_s)},
            {Protocol::Key::connections, counter()},
            {Protocol::Key::sessions, counter()},
            {Protocol::Key::inFlight, counter()},
            {Protocol::Key::uptimeMs, counter()},
        },
        {Protocol::Key::status, Protocol::Key::connections, Protocol::Key::sessions,
         Protocol::Key::inFlight, Protocol::Key::uptimeMs});

    const auto sessionHeader = [](bool required) {
        return parameter(Protocol::Header::sessionId, u"header"_s, required,
                         required ? u"The session the command runs in, created if needed. "
                                    "This command needs one: without it the answer is 400 "
                                    "no_session."_s
                                  : u"The session the command runs in, created if needed; its "
                                    "id is added to the args as session_id. Without it the "
                                    "command runs with no session."_s,
                         sessionIdSchema());
    };
    QJsonObject timeout = counter(1);
    timeout.insert(u"format"_s, u"int64"_s);

    QJsonObject errors;
    for (const ErrorResponse &response : errorResponses) {
        errors.insert(response.name,
                      QJsonObject{{u"description"_s, QLatin1String(response.description)},
                                  {u"content"_s, json(schemaRef(u"Failure"_s))}});
    }

    QJsonObject object{
        {u"schemas"_s,
         QJsonObject{
             {u"Success"_s, success},
             {u"Failure"_s, failure},
             {u"Error"_s, error},
             {u"CommandDescription"_s, command},
             {u"CommandList"_s, listOf(Protocol::Key::commands, u"CommandDescription"_s)},
             {u"EventDescription"_s, event},
             {u"EventList"_s, listOf(Protocol::Key::events, u"EventDescription"_s)},
             {u"Health"_s, health},
         }},
        {u"parameters"_s,
         QJsonObject{
             {u"session_id"_s, sessionHeader(false)},
             {u"session_id_required"_s, sessionHeader(true)},
             {u"timeout_ms"_s,
              parameter(Protocol::Key::timeoutMs, u"query"_s, false,
                        u"Timeout in milliseconds; the command's own by default. Values above "
                        "%1 (max_timeout_ms) are lowered to it."_s.arg(facts.maxTimeout.count()),
                        timeout)},
         }},
        {u"responses"_s, errors},
    };
    if (facts.tokenRequired) {
        object.insert(
            u"securitySchemes"_s,
            QJsonObject{
                {u"bearer"_s, QJsonObject{{u"type"_s, u"http"_s},
                                          {u"scheme"_s, u"bearer"_s},
                                          {u"description"_s,
                                           u"The server's token: Authorization: Bearer TOKEN"_s}}},
                {u"token_query"_s,
                 QJsonObject{{u"type"_s, u"apiKey"_s},
                             {u"in"_s, u"query"_s},
                             {u"name"_s, Protocol::Key::token},
                             {u"description"_s, u"The same token in the URL: on the event "
                                                "stream only, for EventSource"_s}}},
            });
    }
    return object;
}

/// A valid operationId part for a command name ('.' and '-' become '_'), unique among \a taken:
/// a name that an earlier one already turned into the same part gets "_2", "_3", ... Commands
/// come sorted by name, so the same commands always get the same ids.
QString uniqueIdentifier(const QString &name, QSet<QString> &taken)
{
    QString base = name;
    base.replace(u'.', u'_').replace(u'-', u'_');
    QString identifier = base;
    for (int n = 2; taken.contains(identifier); ++n)
        identifier = base + u'_' + QString::number(n);
    taken.insert(identifier);
    return identifier;
}

QJsonObject commandOperation(const QJsonObject &command, const QString &identifier, bool stream,
                             const ServerFacts &facts)
{
    const QString name = command.value(Protocol::Key::name).toString();
    QString description =
        command.value(Protocol::Key::description).toString() +
        u"\n\nDefault timeout: %1 ms."_s.arg(command.value(Protocol::Key::timeoutMs).toInteger());
    const QJsonObject success =
        stream ? response(u"The command started: \"event: progress\" events, each with a "
                          "command_progress object as data, then one \"event: result\" with the "
                          "command_result object, whose \"success\" tells how it ended. Requests "
                          "refused before the start get a JSON error."_s,
                          eventStream())
               : response(u"The command succeeded"_s, json(schemaRef(u"Success"_s)));
    QJsonObject object =
        operation((stream ? u"stream_"_s : u"run_"_s) + identifier, u"commands"_s,
                  (stream ? u"Run %1, streaming its progress"_s : u"Run %1"_s).arg(name),
                  description, responses(success, commandErrors, facts.tokenRequired));
    object.insert(u"parameters"_s, QJsonArray{
                                       ref(facts.sessionCommands.contains(name)
                                               ? u"/components/parameters/session_id_required"_s
                                               : u"/components/parameters/session_id"_s),
                                       ref(u"/components/parameters/timeout_ms"_s),
                                   });
    object.insert(u"requestBody"_s, QJsonObject{
                                        {u"required"_s, false},
                                        {u"description"_s, u"The args; an empty body means {}"_s},
                                        {u"content"_s, json(schemaRef(identifier + u"_args"_s))},
                                    });
    return QJsonObject{{u"post"_s, object}};
}

QJsonObject getRoute(const QString &id, const QString &tag, const QString &summary,
                     const QString &description, const QJsonObject &success, bool tokenRequired)
{
    return QJsonObject{{u"get"_s, operation(id, tag, summary, description,
                                            responses(success, routeErrors, tokenRequired))}};
}

QJsonObject eventStreamRoute(const QJsonArray &events, const ServerFacts &facts)
{
    QStringList declared;
    for (const QJsonValue &event : events) {
        declared.append(u"%1 (%2)"_s.arg(event.toObject().value(Protocol::Key::name).toString(),
                                         event.toObject().value(Protocol::Key::scope).toString()));
    }
    QJsonObject answers =
        responses(response(u"The events subscribed to, until the server stops"_s, eventStream()),
                  routeErrors, facts.tokenRequired);
    answers.insert(u"400"_s, response(u"bad_message: events missing or with an empty entry, or "
                                      "a bad session"_s,
                                      json(schemaRef(u"Failure"_s))));
    answers.insert(u"404"_s, response(u"unknown_event: an exact name that is not declared"_s,
                                      json(schemaRef(u"Failure"_s))));
    QJsonObject object = operation(
        u"subscribe_events"_s, u"events"_s, u"Receive events as Server-Sent Events"_s,
        u"Each event is \"event: NAME\", \"id: SEQ\" and \"data:\" the event message "
        "{\"type\": \"event\", \"event\", \"seq\", \"data\"}; a \": keepalive\" comment comes "
        "while none does. Session events reach the streams of their session only."_s,
        answers);
    object.insert(
        u"parameters"_s,
        QJsonArray{
            parameter(
                Protocol::Key::events, u"query"_s, true,
                u"Comma-separated: event names, prefixes ending in \".*\", or \"*\" for "
                "all. Declared: %1."_s.arg(declared.isEmpty() ? u"none"_s : declared.join(u", "_s)),
                typed(u"string"_s)),
            parameter(Protocol::Key::session, u"query"_s, false,
                      u"The session whose session events the stream receives, when "
                      "X-Session-Id is not sent (EventSource cannot send headers)"_s,
                      sessionIdSchema()),
            parameter(Protocol::Header::sessionId, u"header"_s, false,
                      u"The session whose session events the stream receives"_s, sessionIdSchema()),
        });
    if (facts.tokenRequired) {
        // EventSource cannot set headers: the stream also takes the token in its URL.
        object.insert(u"security"_s, QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}},
                                                QJsonObject{{u"token_query"_s, QJsonArray()}}});
    }
    return QJsonObject{{u"get"_s, object}};
}

} // namespace

QJsonValue schemaAt(const QJsonValue &draft7, const QString &location)
{
    return SchemaConverter(draft7, location).convert(draft7);
}

QJsonObject document(const QJsonArray &commands, const QJsonArray &events, const ServerFacts &facts)
{
    QJsonObject parts = components(facts);
    QJsonObject schemas = parts.value(u"schemas"_s).toObject();
    QJsonObject paths;
    QSet<QString> taken;
    for (const QJsonValue &value : commands) {
        const QJsonObject command = value.toObject();
        const QString name = command.value(Protocol::Key::name).toString();
        const QString identifier = uniqueIdentifier(name, taken);
        const QString schemaName = identifier + u"_args"_s;
        schemas.insert(schemaName, schemaAt(command.value(Protocol::Key::argsSchema),
                                            u"/components/schemas/"_s + schemaName));
        const QString path = Protocol::Path::commandPrefix + name;
        paths.insert(path, commandOperation(command, identifier, false, facts));
        paths.insert(path + Protocol::Path::streamSuffix,
                     commandOperation(command, identifier, true, facts));
    }
    parts.insert(u"schemas"_s, schemas);

    paths.insert(Protocol::Path::commands,
                 getRoute(u"list_commands"_s, u"commands"_s, u"List the commands"_s,
                          u"Every command with its args schema (draft 7) and default timeout, "
                          "sorted by name"_s,
                          response(u"The commands"_s, json(schemaRef(u"CommandList"_s))),
                          facts.tokenRequired));
    paths.insert(Protocol::Path::events,
                 getRoute(u"list_events"_s, u"events"_s, u"List the events"_s,
                          u"Every declared event with its data schema (draft 7) and scope, "
                          "sorted by name"_s,
                          response(u"The events"_s, json(schemaRef(u"EventList"_s))),
                          facts.tokenRequired));
    paths.insert(Protocol::Path::eventStream, eventStreamRoute(events, facts));
    // Health needs no token: no 401, and no security even when the rest needs it.
    QJsonObject health =
        getRoute(u"get_health"_s, u"server"_s, u"Counts of the server"_s,
                 u"Open WebSocket connections, sessions, commands in flight and uptime; needs no "
                 "token"_s,
                 response(u"The counts"_s, json(schemaRef(u"Health"_s))), false);
    if (facts.tokenRequired) {
        QJsonObject get = health.value(u"get"_s).toObject();
        get.insert(u"security"_s, QJsonArray());
        health.insert(u"get"_s, get);
    }
    paths.insert(Protocol::Path::health, health);
    paths.insert(Protocol::Path::openApi,
                 getRoute(u"get_openapi"_s, u"server"_s, u"This document"_s,
                          u"The OpenAPI 3.1 document of this server's REST API, made from its "
                          "registry when requested"_s,
                          response(u"The document"_s, json(typed(u"object"_s))),
                          facts.tokenRequired));

    const auto tag = [](const QString &name, const QString &description) {
        return QJsonObject{{u"name"_s, name}, {u"description"_s, description}};
    };
    QJsonObject object{
        {u"openapi"_s, u"3.1.0"_s},
        {u"info"_s,
         QJsonObject{
             {u"title"_s, u"CommandBridge"_s},
             {u"version"_s, facts.version},
             {u"description"_s,
              u"The REST API of this CommandBridge server, made from its command registry when "
              "requested: one path per command. Bodies are at most %1 bytes. The same commands "
              "are served over WebSocket at %2 (protocol v1)."_s.arg(facts.maxMessageBytes)
                  .arg(Protocol::Path::webSocket)},
         }},
        {u"servers"_s, QJsonArray{QJsonObject{{u"url"_s, facts.url}}}},
        {u"tags"_s, QJsonArray{tag(u"commands"_s, u"The registry's commands"_s),
                               tag(u"events"_s, u"What the application tells on its own"_s),
                               tag(u"server"_s, u"The server itself"_s)}},
        {u"paths"_s, paths},
        {u"components"_s, parts},
    };
    if (facts.tokenRequired)
        object.insert(u"security"_s, QJsonArray{QJsonObject{{u"bearer"_s, QJsonArray()}}});
    return object;
}

} // namespace CommandBridge::OpenApi
