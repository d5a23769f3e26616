// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Args schemas: patterns on a bounded regex engine with ECMA-262's meaning, patternProperties,
// format, integers beyond 32 bits; and long pattern-checked and large integer args over a real
// WebSocket.

#include "bridgefixture.h"
#include "schemapattern_p.h"
#include "schemavalidator_p.h"
#include "wsclient.h"

#include <CommandBridge/commandcontext.h>
#include <CommandBridge/commandregistry.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtTest/QTest>

using namespace CommandBridge;
using namespace CommandBridgeTest;
using namespace std::chrono_literals;

namespace {

QJsonObject parse(const char *json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(QByteArray(json), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad test JSON: %s", json);
    return document.object();
}

std::unique_ptr<SchemaValidator> compiled(const QJsonObject &schema)
{
    auto result = SchemaValidator::compile(schema);
    if (const QString *problem = std::get_if<QString>(&result)) {
        qWarning("schema refused: %s", qPrintable(*problem));
        return nullptr;
    }
    return std::move(std::get<std::unique_ptr<SchemaValidator>>(result));
}

QJsonObject nameSchema(const char *pattern)
{
    return QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("name"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                                  {QStringLiteral("pattern"), QString::fromUtf8(pattern)}}}}},
    };
}

QJsonObject named(const QString &name)
{
    return QJsonObject{{QStringLiteral("name"), name}};
}

QString pathOf(const QJsonArray &details, qsizetype index = 0)
{
    return details.at(index).toObject().value(QStringLiteral("path")).toString();
}

QString messageOf(const QJsonArray &details, qsizetype index = 0)
{
    return details.at(index).toObject().value(QStringLiteral("message")).toString();
}

constexpr qsizetype mebibyte = 1024 * 1024;

// (?=a*a*0a) backtracks in cubic time within repeats, which PCRE2's match limit does not count:
// on 3,000 characters it runs for seconds. Only the deadline stops it.
const char *const cubicPattern = "(?=a*a*0a)";
QString cubicSubject()
{
    return QString(3000, QLatin1Char('a')) + QLatin1Char('0');
}

} // namespace

class tst_SchemaValidator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The pattern engine
    void patternHasEcmaMeaning_data();
    void patternHasEcmaMeaning();
    void nonEcmaPatternIsRefused_data();
    void nonEcmaPatternIsRefused();
    void calloutsStandWhereBacktrackingPasses_data();
    void calloutsStandWhereBacktrackingPasses();
    void searchStopsAtItsDeadline();
    void budgetBoundsAllSearchesOfAValidation();

    // Schemas
    void mebibyteStringIsCheckedAgainstPattern();
    void catastrophicPatternIsRefusedPromptly_data();
    void catastrophicPatternIsRefusedPromptly();
    void uncheckedPatternNeverPasses_data();
    void uncheckedPatternNeverPasses();
    void patternPropertiesCheckMatchingMembers_data();
    void patternPropertiesCheckMatchingMembers();
    void uncheckedPropertyNameIsRefused();
    void formatIsCheckedOnStringsOnly_data();
    void formatIsCheckedOnStringsOnly();
    void invalidSchemaIsRefusedAtCompile_data();
    void invalidSchemaIsRefusedAtCompile();
    void dataIsNotReadAsSchema();
    void flatSchemaAcceptsOnlyWhatValijsonAccepts_data();
    void flatSchemaAcceptsOnlyWhatValijsonAccepts();
    void wholeNumbersBeyondIntAreIntegers_data();
    void wholeNumbersBeyondIntAreIntegers();

    // Through the wire
    void mebibytePatternArgIsAnsweredOverWebSocket();
    void largeIntegerArgIsAnsweredOverWebSocket();
};

// A schema of simply typed properties is matched without valijson; whatever that check lets
// through must be what valijson accepts, and everything else still gets valijson's details.
void tst_SchemaValidator::flatSchemaAcceptsOnlyWhatValijsonAccepts_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("valid");

    QTest::newRow("all given") << QByteArray(R"({"n":3,"s":"x","b":true,"x":0.5,"e":"on"})")
                               << true;
    QTest::newRow("required only") << QByteArray(R"({"n":3})") << true;
    QTest::newRow("integral double") << QByteArray(R"({"n":3.0})") << true;
    QTest::newRow("bounds inclusive") << QByteArray(R"({"n":-5,"x":1})") << true;
    QTest::newRow("required missing") << QByteArray(R"({"s":"x"})") << false;
    QTest::newRow("unknown member") << QByteArray(R"({"n":3,"z":1})") << false;
    QTest::newRow("fraction for integer") << QByteArray(R"({"n":2.5})") << false;
    QTest::newRow("integer above maximum") << QByteArray(R"({"n":11})") << false;
    QTest::newRow("integer below minimum") << QByteArray(R"({"n":-6})") << false;
    QTest::newRow("integer beyond int above maximum") << QByteArray(R"({"n":8589934592})") << false;
    QTest::newRow("unbounded integer beyond int")
        << QByteArray(R"({"n":1,"w":-8589934592})") << true;
    QTest::newRow("fraction beyond int") << QByteArray(R"({"n":1,"w":8589934592.5})") << false;
    QTest::newRow("string for integer") << QByteArray(R"({"n":"3"})") << false;
    QTest::newRow("number above maximum") << QByteArray(R"({"n":1,"x":1.5})") << false;
    QTest::newRow("number for string") << QByteArray(R"({"n":1,"s":1})") << false;
    QTest::newRow("number for boolean") << QByteArray(R"({"n":1,"b":1})") << false;
    QTest::newRow("not in enum") << QByteArray(R"({"n":1,"e":"off!"})") << false;
    QTest::newRow("null member") << QByteArray(R"({"n":null})") << false;
}

void tst_SchemaValidator::flatSchemaAcceptsOnlyWhatValijsonAccepts()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, valid);
    const QJsonObject schema = QJsonDocument::fromJson(R"({
        "type": "object",
        "properties": {
            "n": {"type": "integer", "minimum": -5, "maximum": 10, "description": "a count"},
            "w": {"type": "integer"},
            "s": {"type": "string"},
            "b": {"type": "boolean", "default": false},
            "x": {"type": "number", "maximum": 1},
            "e": {"type": "string", "enum": ["on", "off"]}
        },
        "required": ["n"],
        "additionalProperties": false
    })")
                                   .object();
    auto compiled = SchemaValidator::compile(schema);
    QVERIFY(std::holds_alternative<std::unique_ptr<SchemaValidator>>(compiled));
    const QJsonArray problems = std::get<std::unique_ptr<SchemaValidator>>(compiled)->validate(
        QJsonDocument::fromJson(value).object());
    QVERIFY2(problems.isEmpty() == valid, QJsonDocument(problems).toJson().constData());
}

// A whole number is an "integer" up to the 9.2e18 beyond which args are refused, and bounds and
// multipleOf see its real value: valijson's own Qt adapter stopped at int's range (2^31).
void tst_SchemaValidator::wholeNumbersBeyondIntAreIntegers_data()
{
    QTest::addColumn<QByteArray>("schema");
    QTest::addColumn<QByteArray>("value");
    // Empty when the value matches.
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("message");

    const QByteArray integer = R"({"type":"integer"})";
    // Bounds through the flat schema's shortcut, then through valijson.
    const QByteArray flat = R"({"type":"object","properties":{"n":)"
                            R"({"type":"integer","minimum":-10000000000,"maximum":10000000000}}})";
    const QByteArray bounded = R"({"type":"integer","minimum":-10000000000,"maximum":10000000000})";
    const QByteArray multiple = R"({"type":"integer","multipleOf":5})";
    const auto ok = [](const char *row, const QByteArray &schema, const QByteArray &value) {
        QTest::newRow(row) << schema << value << QString() << QString();
    };
    const auto refused = [](const char *row, const QByteArray &schema, const QByteArray &value,
                            const QString &path, const QString &message) {
        QTest::newRow(row) << schema << value << path << message;
    };
    const QString notInteger = QStringLiteral("Value type not permitted by 'type' constraint.");
    const QString tooLarge = QStringLiteral("Number is too large: at most 9.2e18");

    ok("3000000000", integer, "3000000000");
    ok("2^40", integer, "1099511627776");
    ok("2^40 with exponent", integer, "1.099511627776e12");
    ok("-3000000000", integer, "-3000000000");
    ok("-2^40", integer, "-1099511627776");
    ok("2^62", integer, "4611686018427387904");
    refused("2^40 + 0.5", integer, "1099511627776.5", QString(), notInteger);
    refused("-2^40 - 0.5", integer, "-1099511627776.5", QString(), notInteger);
    refused("9.3e18", integer, "9.3e18", QString(), tooLarge);
    refused("-9.3e18", integer, "-9300000000000000000", QString(), tooLarge);

    ok("below maximum, flat", flat, R"({"n":5000000000})");
    ok("above minimum, flat", flat, R"({"n":-5000000000})");
    refused("above maximum, flat", flat, R"({"n":20000000000})", QStringLiteral("/n"),
            QStringLiteral("Expected number less than or equal to 10000000000.000000"));
    refused("below minimum, flat", flat, R"({"n":-20000000000})", QStringLiteral("/n"),
            QStringLiteral("Expected number greater than or equal to -10000000000.000000"));
    ok("below maximum", bounded, "5000000000");
    ok("above minimum", bounded, "-5000000000");
    refused("above maximum", bounded, "20000000000", QString(),
            QStringLiteral("Expected number less than or equal to 10000000000.000000"));
    refused("below minimum", bounded, "-20000000000", QString(),
            QStringLiteral("Expected number greater than or equal to -10000000000.000000"));

    ok("multiple of 5", multiple, "5000000005");
    refused("no multiple of 5", multiple, "5000000001", QString(),
            QStringLiteral("Value should be a multiple of 5"));
    refused("negative, no multiple of 5", multiple, "-5000000001", QString(),
            QStringLiteral("Value should be a multiple of 5"));
}

void tst_SchemaValidator::wholeNumbersBeyondIntAreIntegers()
{
    QFETCH(QByteArray, schema);
    QFETCH(QByteArray, value);
    QFETCH(QString, path);
    QFETCH(QString, message);
    const auto validator = compiled(QJsonDocument::fromJson(schema).object());
    QVERIFY(validator);
    // QJsonDocument parses arrays and objects only.
    const QJsonValue parsed = QJsonDocument::fromJson("[" + value + "]").array().first();
    QVERIFY(parsed.isDouble() || parsed.isObject());
    const QJsonArray problems = validator->validate(parsed);
    if (message.isEmpty()) {
        QVERIFY2(problems.isEmpty(), QJsonDocument(problems).toJson().constData());
        return;
    }
    QCOMPARE(problems.size(), 1);
    QCOMPARE(pathOf(problems), path);
    QCOMPARE(messageOf(problems), message);
}

void tst_SchemaValidator::patternHasEcmaMeaning_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("matches");

    const auto row = [](const char *name, const char *pattern, const QString &text, bool matches) {
        QTest::newRow(name) << QString::fromUtf8(pattern) << text << matches;
    };
    row("search is unanchored", "b", QStringLiteral("abc"), true);
    row("\\d is ASCII", "^\\d+$", QStringLiteral("123"), true);
    row("\\d is not Arabic-Indic", "^\\d$", QStringLiteral("\u0663"), false);
    row("\\w is ASCII", "^\\w+$", QStringLiteral("a_Z9"), true);
    row("\\w is not é", "^\\w$", QStringLiteral("\u00e9"), false);
    row("\\s no-break space", "^\\s$", QStringLiteral("\u00a0"), true);
    row("\\s line separator", "^\\s$", QStringLiteral("\u2028"), true);
    row("\\s byte order mark", "^\\s$", QStringLiteral("\ufeff"), true);
    row("\\s ideographic space", "^\\s$", QStringLiteral("\u3000"), true);
    row("\\s not a letter", "^\\s$", QStringLiteral("x"), false);
    row("\\S not a no-break space", "^\\S$", QStringLiteral("\u00a0"), false);
    row("[\\S] a letter", "^[\\S]$", QStringLiteral("x"), true);
    row("[a\\S] not a space", "^[a\\S]$", QStringLiteral("\u2028"), false);
    row("[^\\S] a space", "^[^\\S]$", QStringLiteral("\u3000"), true);
    row("[^x\\S] a space but x", "^[^ \\S]$", QStringLiteral(" "), false);
    row("[^x\\S] another space", "^[^ \\S]$", QStringLiteral("\t"), true);
    row("$ is the end, not before a final newline", "^abc$", QStringLiteral("abc\n"), false);
    row("$ at the end", "^abc$", QStringLiteral("abc"), true);
    row(". is not CR", "^.$", QStringLiteral("\r"), false);
    row(". is not a line separator", "^.$", QStringLiteral("\u2028"), false);
    row(". is a code point", "^.$", QStringLiteral("\U0001F600"), true);
    row("\\uXXXX", "^\\u00e9$", QStringLiteral("\u00e9"), true);
    row("\\u{X}", "^\\u{1F600}$", QStringLiteral("\U0001F600"), true);
    row("\\u surrogate pair", "^\\uD83D\\uDE00$", QStringLiteral("\U0001F600"), true);
    row("\\x", "^\\x41$", QStringLiteral("A"), true);
    row("\\v is vertical tab only", "^\\v$", QStringLiteral("\n"), false);
    row("\\v vertical tab", "^\\v$", QStringLiteral("\u000b"), true);
    row("[^] is anything", "^[^]$", QStringLiteral("\n"), true);
    row("[] is nothing", "[]", QStringLiteral("a"), false);
    row("[ in a class is literal", "^[[:a]]$", QStringLiteral(":]"), true);
    row("no POSIX classes", "^[[:alpha:]]$", QStringLiteral("b"), false);
    row("unset back reference matches empty", "^(a)?\\1b$", QStringLiteral("b"), true);
    row("back reference", "^(ab)\\1$", QStringLiteral("abab"), true);
    row("named group and back reference", "^(?<x>a)\\k<x>$", QStringLiteral("aa"), true);
    row("lazy quantifier", "^a+?$", QStringLiteral("aaa"), true);
    row("brace without quantifier", "^a{$", QStringLiteral("a{"), true);
    row("quantifier", "^a{2,3}$", QStringLiteral("aaa"), true);
    row("lookahead", "^(?=.*\\d)\\w+$", QStringLiteral("ab1"), true);
    row("negative lookahead", "^(?!ab)\\w+$", QStringLiteral("abc"), false);
    row("lookbehind", "(?<=a)b", QStringLiteral("ab"), true);
    row("\\p{L}", "^\\p{L}+$", QStringLiteral("\u00e9t\u00e9"), true);
    row("escaped slash", "^a\\/b$", QStringLiteral("a/b"), true);
}

void tst_SchemaValidator::patternHasEcmaMeaning()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);
    QFETCH(bool, matches);

    auto compiledPattern = SchemaPattern::compile(pattern);
    const auto *regex = std::get_if<SchemaPattern>(&compiledPattern);
    if (!regex)
        QFAIL(qPrintable(std::get<QString>(compiledPattern)));
    QCOMPARE(regex->search(text),
             matches ? SchemaPattern::Outcome::Match : SchemaPattern::Outcome::NoMatch);
}

void tst_SchemaValidator::nonEcmaPatternIsRefused_data()
{
    QTest::addColumn<QString>("pattern");

    const char *const patterns[] = {
        "(",         "[a",        "a)",    "*a",    "(?i)a",   "(*LIMIT_MATCH=1)a",
        "(*UCP)\\w", "(?#note)a", "(?>a)", "(?|a)", "a++",     "a*+",
        "a?+",       "a{2}+",     "\\A",   "\\z",   "\\Z",     "\\Qa\\E",
        "\\h",       "\\R",       "\\K",   "\\e",   "\\ud800", "\\u{110000}",
        "\\u12",     "\\x4",      "\\c1",  "\\01",  "(a)\\2",  "\\k'x'",
        "[\\B]",     "[\\1]",     "\\p",   "a\\",
    };
    for (const char *pattern : patterns)
        QTest::newRow(pattern) << QString::fromUtf8(pattern);
}

void tst_SchemaValidator::nonEcmaPatternIsRefused()
{
    QFETCH(QString, pattern);

    auto compiledPattern = SchemaPattern::compile(pattern);
    if (const auto *accepted = std::get_if<SchemaPattern>(&compiledPattern))
        QFAIL(qPrintable(QStringLiteral("accepted as ") + accepted->translated()));
    QVERIFY(!std::get<QString>(compiledPattern).isEmpty());
}

void tst_SchemaValidator::calloutsStandWhereBacktrackingPasses_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("translated");

    // At the start, in every group and alternative, between two quantified items; not after a
    // lone repeat, which PCRE2 then makes possessive: ^[a-z]+$ fails on "aaa…a!" at once.
    QTest::newRow("anchored repeat")
        << QStringLiteral("^[a-z]+$") << QStringLiteral("(?C)^[a-z]+$");
    QTest::newRow("two repeats") << QStringLiteral("a*a*0a") << QStringLiteral("(?C)a*(?C)a*0a");
    QTest::newRow("repeat, atom, repeat") << QStringLiteral("a*ba?") << QStringLiteral("(?C)a*ba?");
    QTest::newRow("alternatives") << QStringLiteral("^(a|aa)+$")
                                  << QStringLiteral("(?C)^((?C)a|(?C)aa)+$");
    QTest::newRow("group after a repeat")
        << QStringLiteral("x+(?=y*z*)+") << QStringLiteral("(?C)x+(?C)(?=(?C)y*(?C)z*)+");
}

void tst_SchemaValidator::calloutsStandWhereBacktrackingPasses()
{
    QFETCH(QString, pattern);
    QFETCH(QString, translated);

    auto compiledPattern = SchemaPattern::compile(pattern);
    QCOMPARE(std::get<SchemaPattern>(compiledPattern).translated(), translated);
}

void tst_SchemaValidator::searchStopsAtItsDeadline()
{
    auto compiledPattern = SchemaPattern::compile(QString::fromUtf8(cubicPattern));
    const auto &pattern = std::get<SchemaPattern>(compiledPattern);
    QElapsedTimer timer;
    timer.start();
    SchemaPattern::Budget budget(100ms);
    QCOMPARE(pattern.search(cubicSubject()), SchemaPattern::Outcome::Unchecked);
    QVERIFY(budget.isSpent());
    QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
}

void tst_SchemaValidator::budgetBoundsAllSearchesOfAValidation()
{
    auto cubic = SchemaPattern::compile(QString::fromUtf8(cubicPattern));
    auto simple = SchemaPattern::compile(QStringLiteral("a"));
    {
        SchemaPattern::Budget budget(50ms);
        QCOMPARE(std::get<SchemaPattern>(cubic).search(cubicSubject()),
                 SchemaPattern::Outcome::Unchecked);
        // Spent: later searches under this budget give up at once.
        QCOMPARE(std::get<SchemaPattern>(simple).search(QStringLiteral("a")),
                 SchemaPattern::Outcome::Unchecked);
    }
    QCOMPARE(std::get<SchemaPattern>(simple).search(QStringLiteral("a")),
             SchemaPattern::Outcome::Match);
}

void tst_SchemaValidator::mebibyteStringIsCheckedAgainstPattern()
{
    const auto validator = compiled(nameSchema("^[a-z]+$"));
    QVERIFY(validator);
    const QString letters(mebibyte, QLatin1Char('a'));
    QCOMPARE(validator->validate(named(letters)), QJsonArray());

    const QJsonArray details = validator->validate(named(letters + QLatin1Char('!')));
    QCOMPARE(details.size(), 1);
    QCOMPARE(pathOf(details), QStringLiteral("/name"));
    QCOMPARE(messageOf(details),
             QStringLiteral("Failed to match regex specified by 'pattern' constraint."));
}

void tst_SchemaValidator::catastrophicPatternIsRefusedPromptly_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("text");

    const QString as(30000, QLatin1Char('a'));
    QTest::newRow("^(a+)+$") << QStringLiteral("^(a+)+$") << as + QLatin1Char('!');
    QTest::newRow("^(a|aa)+$") << QStringLiteral("^(a|aa)+$") << as + QLatin1Char('!');
    QTest::newRow("^(a|a)*$") << QStringLiteral("^(a|a)*$") << as + QLatin1Char('!');
    QTest::newRow("cubic lookahead") << QString::fromUtf8(cubicPattern) << cubicSubject();
    QTest::newRow("repeated group on 1 MiB")
        << QStringLiteral("^([a-z])+$") << QString(mebibyte, QLatin1Char('a'));
}

void tst_SchemaValidator::catastrophicPatternIsRefusedPromptly()
{
    QFETCH(QString, pattern);
    QFETCH(QString, text);

    const auto validator = compiled(nameSchema(pattern.toUtf8().constData()));
    QVERIFY(validator);
    QElapsedTimer timer;
    timer.start();
    const QJsonArray details = validator->validate(named(text));
    // Either a non-match or "could not be checked", never a pass; within the 500 ms budget
    // (and the time to walk a mebibyte), however loaded the machine.
    QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(details.size(), 1);
    QCOMPARE(pathOf(details), QStringLiteral("/name"));
    QVERIFY2(messageOf(details).startsWith(QStringLiteral("Failed to match regex")) ||
                 messageOf(details).startsWith(QStringLiteral("Pattern \"") + pattern +
                                               QStringLiteral("\" could not be checked: ")),
             qPrintable(messageOf(details)));
}

void tst_SchemaValidator::uncheckedPatternNeverPasses_data()
{
    QTest::addColumn<QJsonObject>("schema");

    // Each would pass if "could not be checked" were read as "does not match".
    QTest::newRow("not") << parse(R"j({"not":{"pattern":"(?=a*a*0a)"}})j");
    QTest::newRow("oneOf") << parse(R"j({"oneOf":[{"pattern":"(?=a*a*0a)"},{"type":"string"}]})j");
    QTest::newRow("if") << parse(R"j({"if":{"pattern":"(?=a*a*0a)"},"else":true,"then":false})j");
}

void tst_SchemaValidator::uncheckedPatternNeverPasses()
{
    QFETCH(QJsonObject, schema);

    const auto validator = compiled(schema);
    QVERIFY(validator);
    const QJsonArray details = validator->validate(cubicSubject());
    QCOMPARE(details.size(), 1);
    QCOMPARE(pathOf(details), QString());
    QCOMPARE(messageOf(details),
             QStringLiteral("Pattern \"(?=a*a*0a)\" could not be checked: the schema's patterns "
                            "took more than 500 ms on these args"));
}

void tst_SchemaValidator::patternPropertiesCheckMatchingMembers_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QJsonObject>("args");
    QTest::addColumn<QStringList>("paths");

    const QJsonObject labels =
        parse(R"j({"type":"object","properties":{"id":{"type":"string"}},)j"
              R"j("patternProperties":{"^x-":{"type":"integer"},"\\d$":{"minimum":5}},)j"
              R"j("additionalProperties":false})j");
    QTest::newRow("declared and matching")
        << labels << parse(R"j({"id":"a","x-a":1,"b7":9})j") << QStringList();
    QTest::newRow("matching member wrong")
        << labels << parse(R"j({"x-a":"s"})j") << QStringList{QStringLiteral("/x-a")};
    QTest::newRow("two patterns, one fails")
        << labels << parse(R"j({"x-9":3})j") << QStringList{QStringLiteral("/x-9")};
    QTest::newRow("neither declared nor matching")
        << labels << parse(R"j({"y":1})j") << QStringList{QString()};
    QTest::newRow("declared member checked natively")
        << labels << parse(R"j({"id":5})j") << QStringList{QStringLiteral("/id")};

    const QJsonObject others =
        parse(R"j({"patternProperties":{"^n":{"$ref":"#/definitions/count"}},)j"
              R"j("additionalProperties":{"type":"string"},)j"
              R"j("definitions":{"count":{"type":"integer","minimum":0}}})j");
    QTest::newRow("$ref in a pattern's schema")
        << others << parse(R"j({"n1":-1})j") << QStringList{QStringLiteral("/n1")};
    QTest::newRow("additionalProperties schema")
        << others << parse(R"j({"n1":1,"other":5})j") << QStringList{QStringLiteral("/other")};
    QTest::newRow("additionalProperties passes")
        << others << parse(R"j({"n1":1,"other":"x"})j") << QStringList();

    const QJsonObject nested =
        parse(R"j({"patternProperties":{"^a":{"type":"object",)j"
              R"j("patternProperties":{"^b":{"type":"string","pattern":"^\\d+$"}}}}})j");
    QTest::newRow("nested patternProperties")
        << nested << parse(R"j({"a1":{"b1":"12x"}})j") << QStringList{QStringLiteral("/a1/b1")};
    QTest::newRow("nested passes")
        << nested << parse(R"j({"a1":{"b1":"12","c":0}})j") << QStringList();

    const QJsonObject names = parse(R"j({"propertyNames":{"pattern":"^[a-z]+$"}})j");
    QTest::newRow("propertyNames")
        << names << parse(R"j({"ok":1,"Bad":2})j") << QStringList{QString()};
}

void tst_SchemaValidator::patternPropertiesCheckMatchingMembers()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QJsonObject, args);
    QFETCH(QStringList, paths);

    const auto validator = compiled(schema);
    QVERIFY(validator);
    const QJsonArray details = validator->validate(args);
    QStringList found;
    for (qsizetype i = 0; i < details.size(); ++i)
        found.append(pathOf(details, i));
    QCOMPARE(found, paths);
}

void tst_SchemaValidator::uncheckedPropertyNameIsRefused()
{
    const auto validator =
        compiled(parse(R"j({"properties":{"o":{"patternProperties":{"(?=a*a*0a)":false}}}})j"));
    QVERIFY(validator);
    const QJsonArray details =
        validator->validate(QJsonObject{{QStringLiteral("o"), QJsonObject{{cubicSubject(), 1}}}});
    QCOMPARE(details.size(), 1);
    QCOMPARE(pathOf(details), QStringLiteral("/o"));
    QVERIFY2(messageOf(details).startsWith(
                 QStringLiteral("Pattern \"(?=a*a*0a)\" on property name \"aaa")),
             qPrintable(messageOf(details)));
}

void tst_SchemaValidator::formatIsCheckedOnStringsOnly_data()
{
    QTest::addColumn<QString>("format");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<bool>("valid");

    QTest::newRow("date") << QStringLiteral("date") << QJsonValue(QStringLiteral("2024-04-30"))
                          << true;
    QTest::newRow("date, 31 April")
        << QStringLiteral("date") << QJsonValue(QStringLiteral("2024-04-31")) << false;
    QTest::newRow("date, 30 February")
        << QStringLiteral("date") << QJsonValue(QStringLiteral("2024-02-30")) << false;
    QTest::newRow("date, 31 August")
        << QStringLiteral("date") << QJsonValue(QStringLiteral("2024-08-31")) << true;
    QTest::newRow("date, 1 MiB of digits")
        << QStringLiteral("date") << QJsonValue(QString(mebibyte, QLatin1Char('1'))) << false;
    QTest::newRow("date, 1 MiB year")
        << QStringLiteral("date")
        << QJsonValue(QString(mebibyte, QLatin1Char('1')) + QStringLiteral("-01-31")) << true;
    QTest::newRow("time") << QStringLiteral("time") << QJsonValue(QStringLiteral("16:52:45+02:00"))
                          << true;
    QTest::newRow("time, 25 h") << QStringLiteral("time") << QJsonValue(QStringLiteral("25:00:00Z"))
                                << false;
    QTest::newRow("time, 1 MiB fraction")
        << QStringLiteral("time")
        << QJsonValue(QStringLiteral("10:00:00.") + QString(mebibyte, QLatin1Char('5')) +
                      QLatin1Char('Z'))
        << true;
    QTest::newRow("date-time") << QStringLiteral("date-time")
                               << QJsonValue(QStringLiteral("2022-07-18T16:52:45Z")) << true;
    QTest::newRow("date-time, no zone")
        << QStringLiteral("date-time") << QJsonValue(QStringLiteral("2022-07-18T16:52:45"))
        << false;
    QTest::newRow("date-time on an object")
        << QStringLiteral("date-time") << QJsonValue(QJsonObject{{QStringLiteral("a"), 1}}) << true;
    QTest::newRow("date on a number") << QStringLiteral("date") << QJsonValue(5) << true;
    QTest::newRow("email is an annotation")
        << QStringLiteral("email") << QJsonValue(QStringLiteral("nope")) << true;
}

void tst_SchemaValidator::formatIsCheckedOnStringsOnly()
{
    QFETCH(QString, format);
    QFETCH(QJsonValue, value);
    QFETCH(bool, valid);

    const auto validator = compiled(QJsonObject{{QStringLiteral("format"), format}});
    QVERIFY(validator);
    const QJsonArray details = validator->validate(value);
    QCOMPARE(details.isEmpty(), valid);
    if (!valid)
        QCOMPARE(messageOf(details), QStringLiteral("String should be a valid ") + format);
}

void tst_SchemaValidator::invalidSchemaIsRefusedAtCompile_data()
{
    QTest::addColumn<QJsonObject>("schema");
    QTest::addColumn<QString>("problem");

    QTest::newRow("bad pattern") << parse(R"j({"properties":{"a":{"pattern":"("}}})j")
                                 << QStringLiteral("Invalid pattern \"(\" at \"/properties/a\": ");
    QTest::newRow("PCRE-only pattern")
        << parse(R"j({"pattern":"(?i)a"})j")
        << QStringLiteral("Invalid pattern \"(?i)a\" at \"\": this (? group is not ECMA-262");
    QTest::newRow("bad patternProperties key")
        << parse(R"j({"patternProperties":{"[":{}}})j")
        << QStringLiteral("Invalid pattern \"[\" at \"\": missing ]");
    QTest::newRow("additionalProperties a number")
        << parse(R"j({"patternProperties":{"a":{}},"additionalProperties":5})j")
        << QStringLiteral("additionalProperties must be a schema");
    QTest::newRow("$ref into patternProperties")
        << parse(R"j({"patternProperties":{"^a":{"type":"string"}},)j"
                 R"j("properties":{"b":{"$ref":"#/patternProperties/^a"}}})j")
        << QStringLiteral("$ref \"#/patternProperties/^a\" at \"/properties/b\" does not lead to "
                          "a schema");
    QTest::newRow("$ref into data")
        << parse(
               R"j({"default":{"pattern":"(?=a*a*0a)"},"properties":{"b":{"$ref":"#/default"}}})j")
        << QStringLiteral("$ref \"#/default\" at \"/properties/b\" does not lead to a schema");
}

void tst_SchemaValidator::invalidSchemaIsRefusedAtCompile()
{
    QFETCH(QJsonObject, schema);
    QFETCH(QString, problem);

    auto result = SchemaValidator::compile(schema);
    const QString *refused = std::get_if<QString>(&result);
    QVERIFY(refused);
    QVERIFY2(refused->startsWith(problem), qPrintable(*refused));
}

void tst_SchemaValidator::dataIsNotReadAsSchema()
{
    // A "pattern" inside const, or under a key of our own prefix, is data: never compiled,
    // never matched.
    const auto validator =
        compiled(parse(R"j({"const":{"pattern":"("},"x-commandbridge-pattern":"^z$"})j"));
    QVERIFY(validator);
    const QJsonObject sameData = parse(R"j({"pattern":"("})j");
    QCOMPARE(validator->validate(sameData), QJsonArray());

    const auto defs = compiled(parse(R"j({"$defs":{"name":{"type":"string","pattern":"^a"}},)j"
                                     R"j("properties":{"n":{"$ref":"#/$defs/name"}}})j"));
    QVERIFY(defs);
    QCOMPARE(pathOf(defs->validate(parse(R"j({"n":"b"})j"))), QStringLiteral("/n"));
}

void tst_SchemaValidator::mebibytePatternArgIsAnsweredOverWebSocket()
{
    BridgeFixture fixture;
    fixture.options().maxMessageBytes = 4 * mebibyte;
    CommandDescriptor descriptor;
    descriptor.name = QStringLiteral("name_check");
    descriptor.description = QStringLiteral("Has a pattern in its schema");
    descriptor.argsSchema = nameSchema("^[a-z]+$");
    descriptor.mode = ExecutionMode::Synchronous;
    descriptor.handler = [](CommandContext &context) {
        context.succeed(
            QJsonObject{{QStringLiteral("length"),
                         context.args().value(QStringLiteral("name")).toString().size()}});
    };
    QVERIFY2(fixture.registry()->registerCommand(descriptor),
             qPrintable(fixture.registry()->errorString()));
    QVERIFY(fixture.listen());

    WsClient client;
    client.open(fixture.webSocketUrl());
    QVERIFY(client.waitForConnected());
    QVERIFY(!client.waitForHello().isEmpty());
    const QString letters(mebibyte, QLatin1Char('a'));
    const auto call = [&client](int id, const QString &name) {
        client.sendJson(commandMessage(id, QStringLiteral("name_check"), named(name)));
        return client.waitForType(QStringLiteral("command_result"), id);
    };

    const QJsonObject passed = call(1, letters);
    QCOMPARE(passed.value(QStringLiteral("success")), QJsonValue(true));
    QCOMPARE(passed.value(QStringLiteral("result")).toObject().value(QStringLiteral("length")),
             QJsonValue(mebibyte));

    const QJsonObject refused = call(2, letters + QLatin1Char('!'));
    QCOMPARE(refused.value(QStringLiteral("success")), QJsonValue(false));
    const QJsonObject result = refused.value(QStringLiteral("result")).toObject();
    QCOMPARE(result.value(QStringLiteral("code")), QJsonValue(QStringLiteral("invalid_args")));
    QCOMPARE(pathOf(result.value(QStringLiteral("details")).toArray()), QStringLiteral("/name"));
    QVERIFY(client.isConnected());
}

void tst_SchemaValidator::largeIntegerArgIsAnsweredOverWebSocket()
{
    BridgeFixture fixture;
    CommandDescriptor descriptor;
    descriptor.name = QStringLiteral("wide_check");
    descriptor.description = QStringLiteral("Takes an integer beyond 32 bits");
    // multipleOf keeps the schema off the flat shortcut: valijson judges every call.
    descriptor.argsSchema = parse(R"({"type":"object","required":["n"],"properties":{"n":)"
                                  R"({"type":"integer","maximum":10000000000,"multipleOf":5}}})");
    descriptor.mode = ExecutionMode::Synchronous;
    descriptor.handler = [](CommandContext &context) {
        const qint64 n = context.args().value(QStringLiteral("n")).toInteger();
        context.succeed(QJsonObject{{QStringLiteral("next"), n + 1}});
    };
    QVERIFY2(fixture.registry()->registerCommand(descriptor),
             qPrintable(fixture.registry()->errorString()));
    QVERIFY(fixture.listen());

    WsClient client;
    client.open(fixture.webSocketUrl());
    QVERIFY(client.waitForConnected());
    QVERIFY(!client.waitForHello().isEmpty());
    const auto call = [&client](int id, qint64 n) {
        client.sendJson(commandMessage(id, QStringLiteral("wide_check"),
                                       QJsonObject{{QStringLiteral("n"), n}}));
        return client.waitForType(QStringLiteral("command_result"), id);
    };

    const QJsonObject passed = call(1, 5000000000);
    QCOMPARE(passed.value(QStringLiteral("success")), QJsonValue(true));
    QCOMPARE(passed.value(QStringLiteral("result")).toObject().value(QStringLiteral("next")),
             QJsonValue(qint64(5000000001)));

    const QJsonObject refused = call(2, 20000000000);
    QCOMPARE(refused.value(QStringLiteral("success")), QJsonValue(false));
    const QJsonObject result = refused.value(QStringLiteral("result")).toObject();
    QCOMPARE(result.value(QStringLiteral("code")), QJsonValue(QStringLiteral("invalid_args")));
    const QJsonArray details = result.value(QStringLiteral("details")).toArray();
    QCOMPARE(details.size(), 1);
    QCOMPARE(pathOf(details), QStringLiteral("/n"));
    QCOMPARE(messageOf(details),
             QStringLiteral("Expected number less than or equal to 10000000000.000000"));
}

QTEST_GUILESS_MAIN(tst_SchemaValidator)
#include "tst_schemavalidator.moc"
