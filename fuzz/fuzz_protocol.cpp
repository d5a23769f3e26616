// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// libFuzzer target over everything that reads client bytes before a handler runs: the message
// decoder, the HTTP head parser and request framer, request admission and the args schema
// validator. The first byte picks the entry point, the rest is its input. None of them may crash,
// trip a sanitizer, assert or throw, whatever the bytes.

#include "httprequestframer_p.h"
#include "httprequesthead_p.h"
#include "messagedecoder_p.h"
#include "requestadmission_p.h"
#include "schemavalidator_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>
#include <QtCore/QtGlobal>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <variant>

using namespace CommandBridge;

namespace {

enum class Target : std::uint8_t {
    ClientMessage,
    RestArgs,
    RequestHead,
    SessionIdAndParameters,
    ValidateArgs,
    CompileSchema,
    Count,
};

// Small enough that the fuzzer reaches TooLarge with short inputs.
constexpr qsizetype maxHeadBytes = 512;

/// A command's args schema as an application would register it: the registry's session_id
/// property, every kind of keyword a client's args meet, nesting, patterns, patternProperties
/// and a format.
constexpr const char *argsSchemaJson = R"({
    "type": "object",
    "properties": {
        "session_id": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,128}$"},
        "text": {"type": "string", "minLength": 1, "maxLength": 64},
        "count": {"type": "integer", "minimum": 0, "maximum": 1000, "multipleOf": 2},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "mode": {"enum": ["fast", "slow", 3, null]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 4, "uniqueItems": true},
        "point": {
            "type": "object",
            "properties": {"x": {"type": "number"}, "y": {"type": "number"}},
            "required": ["x", "y"],
            "additionalProperties": false
        },
        "choice": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
        "nested": {"type": "array", "items": {"$ref": "#/properties/point"}},
        "labels": {
            "type": "object",
            "patternProperties": {"^[a-z]+$": {"type": "string", "pattern": "^(\\w|-)*$"}},
            "additionalProperties": false
        },
        "when": {"type": "string", "format": "date-time"}
    },
    "required": ["text"],
    "additionalProperties": false
})";

[[noreturn]] void fail(const char *what)
{
    qFatal("fuzz_protocol: %s", what);
    std::abort(); // qFatal is not declared noreturn in Qt 6.4
}

const SchemaValidator &argsValidator()
{
    static const std::unique_ptr<SchemaValidator> validator = [] {
        QJsonParseError error;
        const QJsonDocument schema = QJsonDocument::fromJson(QByteArray(argsSchemaJson), &error);
        if (!schema.isObject())
            fail("the fixed args schema is not a JSON object");
        auto compiled = SchemaValidator::compile(schema.object());
        if (!std::holds_alternative<std::unique_ptr<SchemaValidator>>(compiled))
            fail("the fixed args schema does not compile");
        return std::move(std::get<std::unique_ptr<SchemaValidator>>(compiled));
    }();
    return *validator;
}

const RequestAdmission &admission(bool loopbackOnly)
{
    // Made in place: an admission holds a mutex, so it cannot be copied out of a factory.
    static const auto configure = [](RequestAdmission &admission, bool loopback) {
        admission.setPolicy(RequestAdmission::Policy{
            QStringLiteral("s3cret-token"),
            {QStringLiteral("https://app.example"), QStringLiteral("http://localhost:5173")},
            loopback,
            1024,
        });
    };
    static RequestAdmission loopback;
    static RequestAdmission anyHost;
    static const bool configured = [] {
        configure(loopback, true);
        configure(anyHost, false);
        return true;
    }();
    Q_UNUSED(configured);
    return loopbackOnly ? loopback : anyHost;
}

void useId(const QJsonValue &id)
{
    if (id.isUndefined())
        return;
    const RequestIdKey key = requestIdKey(id);
    const bool keyMatches = key.isText ? id.isString() && key.text == id.toString()
                                       : id.isDouble() && double(key.number) == id.toDouble();
    if (!keyMatches || describeRequestId(id).isEmpty())
        fail("an id's key does not match it, or its description is empty");
}

void fuzzClientMessage(const QByteArray &bytes)
{
    const DecodeResult result = decodeClientMessage(bytes);
    if (const auto *message = std::get_if<ClientMessage>(&result)) {
        useId(message->id);
        if (message->timeout && message->timeout->count() < 1)
            fail("a decoded timeout is below 1 ms");
    } else {
        useId(std::get<DecodeError>(result).id);
    }
}

void fuzzRestArgs(const QByteArray &bytes)
{
    const auto result = decodeRestArgs(bytes);
    if (const auto *args = std::get_if<QJsonValue>(&result); args && args->isUndefined())
        fail("REST args decoded to undefined");
}

/// The requests the gate frames from \a bytes handed over in two pieces split at \a cut, each
/// request's bytes whole, and the refusal's status last (0 for none).
QList<QByteArray> frameInTwoPieces(const QByteArray &bytes, qsizetype cut)
{
    HttpRequestFramer framer(
        [](const HttpRequestHead &head) { return admission(false).admit(head); });
    QList<QByteArray> requests;
    const auto take = [&requests](HttpRequestFramer::Piece &&piece) {
        if (piece.head)
            requests.append(piece.bytes);
        else if (requests.isEmpty())
            fail("the framer passed body bytes before any head");
        else
            requests.last() += piece.bytes;
    };
    framer.frame(bytes.left(cut), take);
    framer.frame(bytes.mid(cut), take);
    requests.append(QByteArray::number(framer.refusal() ? framer.refusal()->status : 0));
    return requests;
}

void fuzzRequestHead(const QByteArray &bytes)
{
    // Where requests end may not depend on how the bytes arrived (tst_framingagreement compares
    // that framing with QHttpServer's).
    if (frameInTwoPieces(bytes, 0) != frameInTwoPieces(bytes, bytes.size() / 2))
        fail("a stream frames differently when it arrives in two pieces");
    const ParsedRequestHead parsed = parseRequestHead(bytes, maxHeadBytes);
    if (parsed.status != ParsedRequestHead::Status::Complete)
        return;
    const HttpRequestHead &head = parsed.head;
    if (head.length < 4 || head.length > bytes.size() || head.length > maxHeadBytes)
        fail("a complete head has a length outside the buffer");
    // What passes must frame the same for any HTTP parser (no request smuggling).
    if (head.headers.size() > maxHeaderFields)
        fail("a complete head has more fields than QHttpServer keeps");
    int contentLengths = 0;
    for (const auto &[name, value] : head.headers) {
        if (name.isEmpty() || name.contains(' ') || name.contains('\t') || name.contains(':'))
            fail("a field name holds whitespace or a colon");
        if (value.contains('\r') || value.contains('\n') || value.contains('\0'))
            fail("a field value holds a line break or NUL");
        contentLengths += name == "content-length" ? 1 : 0;
    }
    if (contentLengths > 1)
        fail("a complete head has two Content-Length fields");
    if (head.target.startsWith("//"))
        fail("a complete head's target starts with //, where URL parsers read a host");
    for (const auto &[name, value] : head.headers) {
        if (name == "connection" && value.toLower().contains("upgrade") && !head.wantsClose())
            fail("a connection stays open after a request QHttpServer may take for an upgrade");
    }
    head.path();
    head.query();
    head.contentLength();
    head.isWebSocketUpgrade();
    for (const bool loopbackOnly : {true, false}) {
        const RequestAdmission &gate = admission(loopbackOnly);
        const std::optional<Refusal> refusal = gate.admit(head);
        if (refusal && (refusal->status < 400 || refusal->status > 599 || refusal->code.isEmpty()))
            fail("a refusal has no error status or code");
        gate.isAuthenticatedUpgrade(head.header("authorization"), head.query());
    }
}

void fuzzSessionIdAndParameters(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    isValidSessionId(text);
    decodeTimeoutParameter(text);
    useId(QJsonValue(text));
    admission(true).isValidToken(text);
}

void fuzzValidateArgs(const QByteArray &bytes)
{
    const auto result = decodeRestArgs(bytes);
    if (const auto *args = std::get_if<QJsonValue>(&result))
        argsValidator().validate(*args);
}

void fuzzCompileSchema(const QByteArray &bytes)
{
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    if (!document.isObject())
        return;
    auto compiled = SchemaValidator::compile(document.object());
    if (const auto *validator = std::get_if<std::unique_ptr<SchemaValidator>>(&compiled)) {
        // A schema that compiled must validate anything, including itself.
        (*validator)->validate(document.object());
        (*validator)->validate(QJsonValue(QStringLiteral("text")));
        (*validator)->validate(QJsonValue(42));
        (*validator)->validate(QJsonObject{{QStringLiteral("text"), QStringLiteral("a")}});
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const auto target = Target(data[0] % std::uint8_t(Target::Count));
    const QByteArray bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    switch (target) {
    case Target::ClientMessage:
        fuzzClientMessage(bytes);
        break;
    case Target::RestArgs:
        fuzzRestArgs(bytes);
        break;
    case Target::RequestHead:
        fuzzRequestHead(bytes);
        break;
    case Target::SessionIdAndParameters:
        fuzzSessionIdAndParameters(bytes);
        break;
    case Target::ValidateArgs:
        fuzzValidateArgs(bytes);
        break;
    case Target::CompileSchema:
        fuzzCompileSchema(bytes);
        break;
    case Target::Count:
        break;
    }
    return 0;
}
