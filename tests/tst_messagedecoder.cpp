// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Decoding client messages, REST args and parameters (spec sections 3 and 5), without sockets.

#include "messagedecoder_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

#include <variant>

using namespace CommandBridge;
using namespace std::chrono_literals;

namespace QTest {
template <> inline char *toString(const QJsonValue &value)
{
    if (value.isUndefined())
        return qstrdup("undefined");
    const QByteArray json = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return qstrdup(json.mid(1, json.size() - 2).constData());
}
} // namespace QTest

namespace {

const QJsonValue noId(QJsonValue::Undefined);

QString badIdMessage()
{
    return QStringLiteral("\"id\" must be a string of 1 to 128 characters or an integer");
}

QString badCommandMessage()
{
    return QStringLiteral("\"command\" must be a string");
}

QString badTimeoutMessage()
{
    return QStringLiteral("\"timeout_ms\" must be an integer of at least 1");
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray commandWithId(const QByteArray &idJson)
{
    return QByteArray(R"({"type":"command","command":"quick","id":)") + idJson + '}';
}

} // namespace

class tst_MessageDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void badMessageIsRefusedWithItsCode_data();
    void badMessageIsRefusedWithItsCode();
    void eventMessagesDecode();
    void eventsParameterDecodes();
    void validMessageDecodes_data();
    void validMessageDecodes();
    void integerAndStringIdsKeepTheirType();
    void restArgsDecode_data();
    void restArgsDecode();
    void restBodyThatIsNotJsonIsBadMessage_data();
    void restBodyThatIsNotJsonIsBadMessage();
    void timeoutParameterDecodes_data();
    void timeoutParameterDecodes();
    void badTimeoutParameterIsBadMessage_data();
    void badTimeoutParameterIsBadMessage();
    void sessionIdValidity_data();
    void sessionIdValidity();
    void requestIdKeysKeepIdsApart();
    void jsonRpcMessageDecodes_data();
    void jsonRpcMessageDecodes();
};

void tst_MessageDecoder::badMessageIsRefusedWithItsCode_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QJsonValue>("id");

    const QString badMessage = QStringLiteral("bad_message");
    const QString notJson = QStringLiteral("Message is not valid JSON");
    const QString notObject = QStringLiteral("Message must be a JSON object");

    // Not JSON.
    QTest::newRow("empty") << QByteArray() << badMessage << notJson << noId;
    QTest::newRow("text") << QByteArray("hello") << badMessage << notJson << noId;
    QTest::newRow("truncated object")
        << QByteArray(R"({"type":"ping")") << badMessage << notJson << noId;
    QTest::newRow("trailing garbage")
        << QByteArray(R"({"type":"ping"} x)") << badMessage << notJson << noId;
    QTest::newRow("invalid utf-8")
        << QByteArray("{\"type\":\"ping\",\"id\":\"\xff\xfe\"}") << badMessage << notJson << noId;

    // JSON, but not an object.
    QTest::newRow("array") << QByteArray(R"([{"type":"ping"}])") << badMessage << notObject << noId;
    QTest::newRow("string") << QByteArray(R"("ping")") << badMessage << notObject << noId;
    QTest::newRow("number") << QByteArray("42") << badMessage << notObject << noId;
    QTest::newRow("null") << QByteArray("null") << badMessage << notObject << noId;

    // type.
    QTest::newRow("type missing") << QByteArray(R"({"command":"quick"})") << badMessage
                                  << QStringLiteral("Message has no \"type\"") << noId;
    QTest::newRow("type missing, id kept")
        << QByteArray(R"({"id":"m1","command":"quick"})") << badMessage
        << QStringLiteral("Message has no \"type\"") << QJsonValue(QStringLiteral("m1"));
    QTest::newRow("type number") << QByteArray(R"({"type":5})") << badMessage
                                 << QStringLiteral("\"type\" must be a string") << noId;
    QTest::newRow("type null") << QByteArray(R"({"type":null})") << badMessage
                               << QStringLiteral("\"type\" must be a string") << noId;
    QTest::newRow("type object, id kept")
        << QByteArray(R"({"type":{"a":1},"id":4})") << badMessage
        << QStringLiteral("\"type\" must be a string") << QJsonValue(4);
    QTest::newRow("unknown type, id kept")
        << QByteArray(R"({"type":"bogus","id":"u1"})") << QStringLiteral("unknown_type")
        << QStringLiteral("Unknown message type: bogus") << QJsonValue(QStringLiteral("u1"));
    QTest::newRow("unknown type, integer id kept")
        << QByteArray(R"({"type":"Command","id":9})") << QStringLiteral("unknown_type")
        << QStringLiteral("Unknown message type: Command") << QJsonValue(9);
    QTest::newRow("unknown type, no id")
        << QByteArray(R"({"type":"bogus"})") << QStringLiteral("unknown_type")
        << QStringLiteral("Unknown message type: bogus") << noId;

    // Invalid ids: the reply carries none.
    QTest::newRow("id float") << commandWithId("1.5") << badMessage << badIdMessage() << noId;
    QTest::newRow("id true") << commandWithId("true") << badMessage << badIdMessage() << noId;
    QTest::newRow("id null") << commandWithId("null") << badMessage << badIdMessage() << noId;
    QTest::newRow("id object") << commandWithId(R"({"a":1})") << badMessage << badIdMessage()
                               << noId;
    QTest::newRow("id array") << commandWithId("[1]") << badMessage << badIdMessage() << noId;
    QTest::newRow("id empty string")
        << commandWithId(R"("")") << badMessage << badIdMessage() << noId;
    QTest::newRow("id 129 characters")
        << commandWithId('"' + QByteArray(129, 'a') + '"') << badMessage << badIdMessage() << noId;
    QTest::newRow("id 2^60") << commandWithId("1152921504606846976") << badMessage << badIdMessage()
                             << noId;
    QTest::newRow("id 2^53") << commandWithId("9007199254740992") << badMessage << badIdMessage()
                             << noId;
    QTest::newRow("id -2^53") << commandWithId("-9007199254740992") << badMessage << badIdMessage()
                              << noId;
    QTest::newRow("ping id float")
        << QByteArray(R"({"type":"ping","id":2.5})") << badMessage << badIdMessage() << noId;
    QTest::newRow("cancel id bool")
        << QByteArray(R"({"type":"cancel","id":false})") << badMessage << badIdMessage() << noId;

    // command missing or not a string: the id comes back when it is valid.
    QTest::newRow("command missing") << QByteArray(R"({"type":"command","id":"c1"})") << badMessage
                                     << badCommandMessage() << QJsonValue(QStringLiteral("c1"));
    QTest::newRow("command missing, no id")
        << QByteArray(R"({"type":"command"})") << badMessage << badCommandMessage() << noId;
    QTest::newRow("command number") << QByteArray(R"({"type":"command","id":3,"command":5})")
                                    << badMessage << badCommandMessage() << QJsonValue(3);
    QTest::newRow("command null") << QByteArray(R"({"type":"command","id":3,"command":null})")
                                  << badMessage << badCommandMessage() << QJsonValue(3);
    QTest::newRow("command array")
        << QByteArray(R"({"type":"command","id":"c2","command":["quick"]})") << badMessage
        << badCommandMessage() << QJsonValue(QStringLiteral("c2"));

    // timeout_ms must be an integer >= 1.
    const QByteArray timeoutPrefix(
        R"({"type":"command","command":"quick","id":"t1","timeout_ms":)");
    const QJsonValue t1(QStringLiteral("t1"));
    QTest::newRow("timeout 0") << QByteArray(timeoutPrefix + "0}") << badMessage
                               << badTimeoutMessage() << t1;
    QTest::newRow("timeout -1") << QByteArray(timeoutPrefix + "-1}") << badMessage
                                << badTimeoutMessage() << t1;
    QTest::newRow("timeout 1.5") << QByteArray(timeoutPrefix + "1.5}") << badMessage
                                 << badTimeoutMessage() << t1;
    QTest::newRow("timeout string")
        << QByteArray(timeoutPrefix + R"("5"})") << badMessage << badTimeoutMessage() << t1;
    QTest::newRow("timeout null") << QByteArray(timeoutPrefix + "null}") << badMessage
                                  << badTimeoutMessage() << t1;
    QTest::newRow("timeout bool") << QByteArray(timeoutPrefix + "true}") << badMessage
                                  << badTimeoutMessage() << t1;

    // cancel needs an id.
    QTest::newRow("cancel without id") << QByteArray(R"({"type":"cancel"})") << badMessage
                                       << QStringLiteral("\"cancel\" needs an \"id\"") << noId;

    // subscribe and unsubscribe: events is a non-empty array of non-empty strings.
    const QString badEvents = QStringLiteral("\"events\" must be a non-empty array of event names");
    const QJsonValue s1(QStringLiteral("s1"));
    QTest::newRow("subscribe without events")
        << QByteArray(R"({"type":"subscribe","id":"s1"})") << badMessage << badEvents << s1;
    QTest::newRow("subscribe events string")
        << QByteArray(R"({"type":"subscribe","id":"s1","events":"notice"})") << badMessage
        << badEvents << s1;
    QTest::newRow("subscribe events empty")
        << QByteArray(R"({"type":"subscribe","id":"s1","events":[]})") << badMessage << badEvents
        << s1;
    QTest::newRow("subscribe events number")
        << QByteArray(R"({"type":"subscribe","id":"s1","events":[1]})") << badMessage << badEvents
        << s1;
    QTest::newRow("subscribe events empty name")
        << QByteArray(R"({"type":"subscribe","id":"s1","events":["notice",""]})") << badMessage
        << badEvents << s1;
    QTest::newRow("unsubscribe events null")
        << QByteArray(R"({"type":"unsubscribe","events":null})") << badMessage << badEvents << noId;
}

void tst_MessageDecoder::badMessageIsRefusedWithItsCode()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, code);
    QFETCH(QString, message);
    QFETCH(QJsonValue, id);

    const DecodeResult decoded = decodeClientMessage(input);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, "the message was accepted");
    QCOMPARE(errorCodeString(error->code), code);
    QCOMPARE(error->message, message);
    QCOMPARE(error->id, id);
    QCOMPARE(error->id.type(), id.type());
}

void tst_MessageDecoder::eventMessagesDecode()
{
    DecodeResult decoded =
        decodeClientMessage(R"({"type":"subscribe","id":4,"events":["notice","history.*","*"]})");
    auto *message = std::get_if<ClientMessage>(&decoded);
    QVERIFY(message);
    QCOMPARE(int(message->type), int(ClientMessage::Type::Subscribe));
    QCOMPARE(message->id, QJsonValue(4));
    QCOMPARE(message->events, (QStringList{QStringLiteral("notice"), QStringLiteral("history.*"),
                                           QStringLiteral("*")}));

    decoded = decodeClientMessage(R"({"type":"unsubscribe","events":["x"]})");
    message = std::get_if<ClientMessage>(&decoded);
    QVERIFY(message);
    QCOMPARE(int(message->type), int(ClientMessage::Type::Unsubscribe));
    QCOMPARE(message->events, QStringList{QStringLiteral("x")});

    decoded = decodeClientMessage(R"({"type":"list_events","id":"l"})");
    message = std::get_if<ClientMessage>(&decoded);
    QVERIFY(message);
    QCOMPARE(int(message->type), int(ClientMessage::Type::ListEvents));
}

void tst_MessageDecoder::eventsParameterDecodes()
{
    const auto entries = decodeEventsParameter(QStringLiteral("notice,history.*"));
    QCOMPARE(std::get<QStringList>(entries),
             (QStringList{QStringLiteral("notice"), QStringLiteral("history.*")}));
    for (const QString &bad :
         {QString(), QStringLiteral(","), QStringLiteral("a,,b"), QStringLiteral("a,")}) {
        const auto refused = decodeEventsParameter(bad);
        const auto *error = std::get_if<DecodeError>(&refused);
        QVERIFY2(error, qPrintable(bad));
        QCOMPARE(error->code, ErrorCode::BadMessage);
    }
}

void tst_MessageDecoder::validMessageDecodes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<int>("type");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QString>("command");
    QTest::addColumn<QJsonValue>("args");
    QTest::addColumn<qint64>("timeoutMs"); // -1: none
    QTest::addColumn<QString>("token");

    const int command = int(ClientMessage::Type::Command);
    const QJsonValue undefined(QJsonValue::Undefined);

    QTest::newRow("command with args")
        << QByteArray(R"({"type":"command","id":"c1","command":"count","args":{"to":3}})")
        << command << QJsonValue(QStringLiteral("c1")) << QStringLiteral("count")
        << QJsonValue(QJsonObject{{QStringLiteral("to"), 3}}) << qint64(-1) << QString();
    QTest::newRow("command without args")
        << QByteArray(R"({"type":"command","id":1,"command":"count"})") << command << QJsonValue(1)
        << QStringLiteral("count") << undefined << qint64(-1) << QString();
    QTest::newRow("command with null args")
        << QByteArray(R"({"type":"command","id":1,"command":"count","args":null})") << command
        << QJsonValue(1) << QStringLiteral("count") << QJsonValue(QJsonValue::Null) << qint64(-1)
        << QString();
    QTest::newRow("command with array args (registry decides)")
        << QByteArray(R"({"type":"command","command":"count","args":[1]})") << command << undefined
        << QStringLiteral("count") << QJsonValue(QJsonArray{1}) << qint64(-1) << QString();
    QTest::newRow("command without id")
        << QByteArray(R"({"type":"command","command":"count","args":{}})") << command << undefined
        << QStringLiteral("count") << QJsonValue(QJsonObject()) << qint64(-1) << QString();
    QTest::newRow("command with timeout")
        << QByteArray(R"({"type":"command","id":"t","command":"count","timeout_ms":250})")
        << command << QJsonValue(QStringLiteral("t")) << QStringLiteral("count") << undefined
        << qint64(250) << QString();
    QTest::newRow("command with timeout 1")
        << QByteArray(R"({"type":"command","command":"count","timeout_ms":1})") << command
        << undefined << QStringLiteral("count") << undefined << qint64(1) << QString();
    QTest::newRow("unknown fields ignored")
        << QByteArray(R"({"type":"command","command":"count","extra":{"x":1},"id":"e"})") << command
        << QJsonValue(QStringLiteral("e")) << QStringLiteral("count") << undefined << qint64(-1)
        << QString();
    QTest::newRow("id 128 characters")
        << QByteArray(QByteArray(R"({"type":"command","command":"count","id":")") +
                      QByteArray(128, 'x') + QByteArray(R"("})"))
        << command << QJsonValue(QString(128, QLatin1Char('x'))) << QStringLiteral("count")
        << undefined << qint64(-1) << QString();
    QTest::newRow("id 2^53-1")
        << QByteArray(R"({"type":"command","command":"count","id":9007199254740991})") << command
        << QJsonValue(qint64(9007199254740991)) << QStringLiteral("count") << undefined
        << qint64(-1) << QString();
    QTest::newRow("id negative") << QByteArray(R"({"type":"command","command":"count","id":-7})")
                                 << command << QJsonValue(-7) << QStringLiteral("count")
                                 << undefined << qint64(-1) << QString();
    QTest::newRow("id 0") << QByteArray(R"({"type":"command","command":"count","id":0})") << command
                          << QJsonValue(0) << QStringLiteral("count") << undefined << qint64(-1)
                          << QString();

    QTest::newRow("cancel") << QByteArray(R"({"type":"cancel","id":"c1"})")
                            << int(ClientMessage::Type::Cancel) << QJsonValue(QStringLiteral("c1"))
                            << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("cancel integer id")
        << QByteArray(R"({"type":"cancel","id":12})") << int(ClientMessage::Type::Cancel)
        << QJsonValue(12) << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("list_commands") << QByteArray(R"({"type":"list_commands","id":7})")
                                   << int(ClientMessage::Type::ListCommands) << QJsonValue(7)
                                   << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("list_commands without id")
        << QByteArray(R"({"type":"list_commands"})") << int(ClientMessage::Type::ListCommands)
        << undefined << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("ping with id") << QByteArray(R"({"type":"ping","id":"p"})")
                                  << int(ClientMessage::Type::Ping)
                                  << QJsonValue(QStringLiteral("p")) << QString() << undefined
                                  << qint64(-1) << QString();
    QTest::newRow("ping without id")
        << QByteArray(R"({"type":"ping"})") << int(ClientMessage::Type::Ping) << undefined
        << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("ping with whitespace")
        << QByteArray(" \n{ \"type\" : \"ping\" }\n ") << int(ClientMessage::Type::Ping)
        << undefined << QString() << undefined << qint64(-1) << QString();
    QTest::newRow("auth with token")
        << QByteArray(R"({"type":"auth","token":"s3cret"})") << int(ClientMessage::Type::Auth)
        << undefined << QString() << undefined << qint64(-1) << QStringLiteral("s3cret");
}

void tst_MessageDecoder::validMessageDecodes()
{
    QFETCH(QByteArray, input);
    QFETCH(int, type);
    QFETCH(QJsonValue, id);
    QFETCH(QString, command);
    QFETCH(QJsonValue, args);
    QFETCH(qint64, timeoutMs);
    QFETCH(QString, token);

    const DecodeResult decoded = decodeClientMessage(input);
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        QFAIL(qPrintable(QStringLiteral("refused: ") + error->message));
    const ClientMessage &message = std::get<ClientMessage>(decoded);
    QCOMPARE(int(message.type), type);
    QCOMPARE(message.id, id);
    QCOMPARE(message.id.type(), id.type());
    QCOMPARE(message.command, command);
    QCOMPARE(message.args, args);
    QCOMPARE(message.args.type(), args.type());
    QCOMPARE(message.timeout.has_value(), timeoutMs >= 0);
    if (timeoutMs >= 0)
        QCOMPARE(qint64(message.timeout->count()), timeoutMs);
    QCOMPARE(message.token, token);
}

void tst_MessageDecoder::integerAndStringIdsKeepTheirType()
{
    const DecodeResult asString =
        decodeClientMessage(QByteArray(R"({"type":"command","command":"quick","id":"1"})"));
    const DecodeResult asInteger =
        decodeClientMessage(QByteArray(R"({"type":"command","command":"quick","id":1})"));
    QVERIFY(std::holds_alternative<ClientMessage>(asString));
    QVERIFY(std::holds_alternative<ClientMessage>(asInteger));
    const QJsonValue stringId = std::get<ClientMessage>(asString).id;
    const QJsonValue integerId = std::get<ClientMessage>(asInteger).id;

    QVERIFY(stringId.isString());
    QCOMPARE(stringId.toString(), QStringLiteral("1"));
    QVERIFY(integerId.isDouble());
    QCOMPARE(integerId.toInteger(), qint64(1));
    QVERIFY(stringId != integerId);
    // Echoed as an integer, not as 1.0 or "1".
    QCOMPARE(json(QJsonObject{{QStringLiteral("id"), integerId}}), QByteArray(R"({"id":1})"));
    QCOMPARE(json(QJsonObject{{QStringLiteral("id"), stringId}}), QByteArray(R"({"id":"1"})"));
}

void tst_MessageDecoder::restArgsDecode_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QJsonValue>("args");

    QTest::newRow("empty body means {}") << QByteArray() << QJsonValue(QJsonObject());
    QTest::newRow("object") << QByteArray(R"({"to":3})")
                            << QJsonValue(QJsonObject{{QStringLiteral("to"), 3}});
    QTest::newRow("empty object") << QByteArray("{}") << QJsonValue(QJsonObject());
    // Whether args are an object is the registry's call (invalid_args), not the decoder's.
    QTest::newRow("array") << QByteArray("[1,2]") << QJsonValue(QJsonArray{1, 2});
    QTest::newRow("number") << QByteArray("5") << QJsonValue(5);
    QTest::newRow("string") << QByteArray(R"("x")") << QJsonValue(QStringLiteral("x"));
}

void tst_MessageDecoder::restArgsDecode()
{
    QFETCH(QByteArray, body);
    QFETCH(QJsonValue, args);

    const auto decoded = decodeRestArgs(body);
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        QFAIL(qPrintable(QStringLiteral("refused: ") + error->message));
    QCOMPARE(std::get<QJsonValue>(decoded), args);
    QCOMPARE(std::get<QJsonValue>(decoded).type(), args.type());
}

void tst_MessageDecoder::restBodyThatIsNotJsonIsBadMessage_data()
{
    QTest::addColumn<QByteArray>("body");

    QTest::newRow("text") << QByteArray("to=3");
    QTest::newRow("truncated") << QByteArray(R"({"to":)");
    QTest::newRow("trailing garbage") << QByteArray(R"({"to":3}})");
}

void tst_MessageDecoder::restBodyThatIsNotJsonIsBadMessage()
{
    QFETCH(QByteArray, body);

    const auto decoded = decodeRestArgs(body);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, "the body was accepted");
    QCOMPARE(error->code, ErrorCode::BadMessage);
    QCOMPARE(error->message, QStringLiteral("Body is not valid JSON"));
}

void tst_MessageDecoder::timeoutParameterDecodes_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<qint64>("timeoutMs"); // -1: none

    QTest::newRow("absent") << QString() << qint64(-1);
    QTest::newRow("1") << QStringLiteral("1") << qint64(1);
    QTest::newRow("250") << QStringLiteral("250") << qint64(250);
    QTest::newRow("large") << QStringLiteral("3600000") << qint64(3600000);
}

void tst_MessageDecoder::timeoutParameterDecodes()
{
    QFETCH(QString, value);
    QFETCH(qint64, timeoutMs);

    const auto decoded = decodeTimeoutParameter(value);
    if (const auto *error = std::get_if<DecodeError>(&decoded))
        QFAIL(qPrintable(QStringLiteral("refused: ") + error->message));
    const auto timeout = std::get<std::optional<std::chrono::milliseconds>>(decoded);
    QCOMPARE(timeout.has_value(), timeoutMs >= 0);
    if (timeoutMs >= 0)
        QCOMPARE(qint64(timeout->count()), timeoutMs);
}

void tst_MessageDecoder::badTimeoutParameterIsBadMessage_data()
{
    QTest::addColumn<QString>("value");

    QTest::newRow("0") << QStringLiteral("0");
    QTest::newRow("-1") << QStringLiteral("-1");
    QTest::newRow("1.5") << QStringLiteral("1.5");
    QTest::newRow("word") << QStringLiteral("soon");
    QTest::newRow("number and unit") << QStringLiteral("5s");
    QTest::newRow("overflow") << QStringLiteral("99999999999999999999999");
}

void tst_MessageDecoder::badTimeoutParameterIsBadMessage()
{
    QFETCH(QString, value);

    const auto decoded = decodeTimeoutParameter(value);
    const auto *error = std::get_if<DecodeError>(&decoded);
    QVERIFY2(error, "the value was accepted");
    QCOMPARE(error->code, ErrorCode::BadMessage);
    QVERIFY2(error->message.contains(QLatin1String("timeout_ms")), qPrintable(error->message));
}

void tst_MessageDecoder::sessionIdValidity_data()
{
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("letters") << QStringLiteral("abcXYZ") << true;
    QTest::newRow("all allowed characters") << QStringLiteral("A-z_0.9") << true;
    QTest::newRow("uuid") << QStringLiteral("5f0c6a1e-8d2b-4c1a-9e3f-0a1b2c3d4e5f") << true;
    QTest::newRow("one character") << QStringLiteral("x") << true;
    QTest::newRow("128 characters") << QString(128, QLatin1Char('s')) << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("129 characters") << QString(129, QLatin1Char('s')) << false;
    QTest::newRow("space") << QStringLiteral("bad id") << false;
    QTest::newRow("exclamation mark") << QStringLiteral("bad!") << false;
    QTest::newRow("slash") << QStringLiteral("a/b") << false;
    QTest::newRow("braces") << QStringLiteral("{5f0c}") << false;
    QTest::newRow("non-ascii letter") << QStringLiteral("caf\u00e9") << false;
    QTest::newRow("newline") << QStringLiteral("abc\n") << false;
}

void tst_MessageDecoder::sessionIdValidity()
{
    QFETCH(QString, id);
    QFETCH(bool, valid);

    QCOMPARE(isValidSessionId(id), valid);
}

void tst_MessageDecoder::requestIdKeysKeepIdsApart()
{
    const QList<QJsonValue> ids = {
        QJsonValue(1),
        QJsonValue(QStringLiteral("1")),
        QJsonValue(2),
        QJsonValue(-1),
        QJsonValue(QStringLiteral("01")),
        QJsonValue(QStringLiteral("i:1")),
        QJsonValue(QStringLiteral("s:1")),
        QJsonValue(QStringLiteral("\"1\"")),
        QJsonValue(qint64(9007199254740991)),
    };
    for (qsizetype i = 0; i < ids.size(); ++i) {
        QCOMPARE(requestIdKey(ids.at(i)), requestIdKey(ids.at(i)));
        for (qsizetype j = i + 1; j < ids.size(); ++j) {
            QVERIFY2(requestIdKey(ids.at(i)) != requestIdKey(ids.at(j)),
                     qPrintable(describeRequestId(ids.at(i)) + QStringLiteral(" == ") +
                                describeRequestId(ids.at(j))));
        }
    }
    // The key of a decoded id equals the key of the same id built by hand.
    const DecodeResult decoded = decodeClientMessage(QByteArray(R"({"type":"cancel","id":1})"));
    QVERIFY(std::holds_alternative<ClientMessage>(decoded));
    QCOMPARE(requestIdKey(std::get<ClientMessage>(decoded).id), requestIdKey(QJsonValue(1)));
}

void tst_MessageDecoder::jsonRpcMessageDecodes_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QJsonValue>("id");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QJsonObject>("params");

    const QJsonValue none(QJsonValue::Undefined);
    QTest::newRow("request, integer id")
        << QByteArray(R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})") << QJsonValue(7)
        << QStringLiteral("tools/list") << QJsonObject();
    QTest::newRow("request, string id, params")
        << QByteArray(R"({"jsonrpc":"2.0","id":"a","method":"tools/call","params":{"name":"x"}})")
        << QJsonValue(QStringLiteral("a")) << QStringLiteral("tools/call")
        << QJsonObject{{QStringLiteral("name"), QStringLiteral("x")}};
    QTest::newRow("request, negative id") << QByteArray(R"({"jsonrpc":"2.0","id":-1,"method":"m"})")
                                          << QJsonValue(-1) << QStringLiteral("m") << QJsonObject();
    QTest::newRow("request, unknown fields ignored")
        << QByteArray(R"({"jsonrpc":"2.0","id":1,"method":"m","extra":[1]})") << QJsonValue(1)
        << QStringLiteral("m") << QJsonObject();
    QTest::newRow("notification")
        << QByteArray(
               R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})")
        << none << QStringLiteral("notifications/cancelled")
        << QJsonObject{{QStringLiteral("requestId"), 1}};
    QTest::newRow("result from the client") << QByteArray(R"({"jsonrpc":"2.0","id":3,"result":{}})")
                                            << QJsonValue(3) << QString() << QJsonObject();
    QTest::newRow("error from the client")
        << QByteArray(R"({"jsonrpc":"2.0","id":"e","error":{"code":1,"message":"x"}})")
        << QJsonValue(QStringLiteral("e")) << QString() << QJsonObject();
}

/// The refusals are checked with their exact HTTP answers in tst_mcp.
void tst_MessageDecoder::jsonRpcMessageDecodes()
{
    QFETCH(QByteArray, input);
    QFETCH(QJsonValue, id);
    QFETCH(QString, method);
    QFETCH(QJsonObject, params);

    const auto decoded = decodeJsonRpc(input);
    const auto *message = std::get_if<JsonRpcMessage>(&decoded);
    if (const auto *error = std::get_if<JsonRpcError>(&decoded))
        QFAIL(qPrintable(error->message));
    QCOMPARE(message->id, id);
    QCOMPARE(message->method, method);
    QCOMPARE(message->params, params);
}

QTEST_GUILESS_MAIN(tst_MessageDecoder)
#include "tst_messagedecoder.moc"
