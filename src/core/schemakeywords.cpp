// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "schemakeywords_p.h"

#include "qtjsonadapter_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QSet>
#include <QtCore/QUrl>

#include <map>
#include <new>
#include <optional>
#include <set>
#include <stdexcept>

namespace CommandBridge {
namespace {

using Context = std::vector<std::string>;
using valijson::ValidationResults;
using valijson::adapters::Adapter;

// What take() puts in place of the keywords. A schema's own keys with this prefix are dropped
// from valijson's copy (valijson ignores unknown keywords anyway), so they cannot pose as ours.
const QString reservedPrefix = QStringLiteral("x-commandbridge-");
const QString patternKey = QStringLiteral("x-commandbridge-pattern");
const QString formatKey = QStringLiteral("x-commandbridge-format");
const QString siteKey = QStringLiteral("x-commandbridge-patternProperties");
const QString subschemasKey = QStringLiteral("x-commandbridge-subschemas");

// valijson's wording, so that clients see the same messages as before.
const std::string noMatchMessage = "Failed to match regex specified by 'pattern' constraint.";

/// The formats valijson checks (with std::regex), as ECMA-262 patterns; other formats are
/// annotations.
QString formatPattern(const QString &format)
{
    static const QString date = QStringLiteral("([0-9]+)-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])");
    static const QString time =
        QStringLiteral("([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)"
                       "(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])");
    if (format == QLatin1String("date"))
        return QLatin1Char('^') + date + QLatin1Char('$');
    if (format == QLatin1String("time"))
        return QLatin1Char('^') + time + QLatin1Char('$');
    if (format == QLatin1String("date-time"))
        return QLatin1Char('^') + date + QLatin1String("[Tt]") + time + QLatin1Char('$');
    return QString();
}

/// Whether the date at the start of \a text ("Y-MM-DD", already matched) has its day in its
/// month, February having 29, as valijson checks it.
bool dayFitsMonth(std::string_view text)
{
    const std::size_t dash = text.find('-');
    const int month = std::stoi(std::string(text.substr(dash + 1, 2)));
    const int day = std::stoi(std::string(text.substr(dash + 4, 2)));
    const int days =
        month == 2 ? 29 : (month <= 7 ? (month % 2 == 0 ? 30 : 31) : (month % 2 == 0 ? 31 : 30));
    return day <= days;
}

/// Base of the constraints below: valijson copies a constraint into its own memory.
template <typename Derived> class Keyword : public valijson::constraints::PolyConstraint
{
private:
    valijson::constraints::Constraint *cloneInto(void *memory) const override
    {
        return new (memory) Derived(static_cast<const Derived &>(*this));
    }
    std::size_t sizeOf() const override { return sizeof(Derived); }
};

SchemaPattern::Outcome search(const SchemaPattern &pattern, const std::string &text,
                              const Context &context, const std::string &propertyName = {})
{
    const SchemaPattern::Outcome outcome = pattern.search(text);
    if (outcome == SchemaPattern::Outcome::Unchecked)
        throw UncheckedPattern(context, pattern.source(), QString::fromStdString(propertyName));
    return outcome;
}

class PatternKeyword final : public Keyword<PatternKeyword>
{
public:
    explicit PatternKeyword(const SchemaPattern *pattern)
        : m_pattern(pattern)
    {}

    bool validate(const Adapter &target, const Context &context,
                  ValidationResults *results) const override
    {
        if (!target.isString() ||
            search(*m_pattern, target.asString(), context) == SchemaPattern::Outcome::Match)
            return true;
        if (results)
            results->pushError(context, noMatchMessage);
        return false;
    }

private:
    const SchemaPattern *m_pattern;
};

class FormatKeyword final : public Keyword<FormatKeyword>
{
public:
    FormatKeyword(const SchemaPattern *pattern, std::string format)
        : m_pattern(pattern)
        , m_format(std::move(format))
    {}

    /// Strings only, as the specification (and valijson since 1.0.3) says.
    bool validate(const Adapter &target, const Context &context,
                  ValidationResults *results) const override
    {
        if (!target.isString())
            return true;
        const std::string text = target.asString();
        if (search(*m_pattern, text, context) == SchemaPattern::Outcome::Match &&
            (m_format == "time" || dayFitsMonth(text)))
            return true;
        if (results)
            results->pushError(context, "String should be a valid " + m_format);
        return false;
    }

private:
    const SchemaPattern *m_pattern;
    std::string m_format;
};

} // namespace

/// One schema object with `patternProperties`: its declared property names, a schema for each
/// pattern and what becomes of the other properties (its `additionalProperties`).
struct SchemaKeywords::Site
{
    enum class Others { Allowed, Refused, Checked };

    /// Where the object is in the rewritten document, as tokens.
    QStringList location;
    std::set<std::string> declared;
    std::vector<std::pair<const SchemaPattern *, std::unique_ptr<valijson::Schema>>> patterns;
    Others others = Others::Allowed;
    std::unique_ptr<valijson::Schema> othersSchema;
};

namespace {

class PatternPropertiesKeyword final : public Keyword<PatternPropertiesKeyword>
{
public:
    using Site = SchemaKeywords::Site;

    explicit PatternPropertiesKeyword(const Site *site)
        : m_site(site)
    {}

    /// As valijson does it: a property matching a pattern must match its schema, one that is
    /// neither declared nor matching any pattern is checked against `additionalProperties`.
    bool validate(const Adapter &target, const Context &context,
                  ValidationResults *results) const override
    {
        if (!target.isObject())
            return true;
        bool valid = true;
        // Returning false stops the walk: when nobody collects results, the first failure decides.
        target.applyToObject([&](const std::string &name, const Adapter &value) {
            Context memberContext = context;
            memberContext.push_back('[' + name + ']');
            bool matched = m_site->declared.count(name) > 0;
            for (const auto &[pattern, schema] : m_site->patterns) {
                if (search(*pattern, name, context, name) != SchemaPattern::Outcome::Match)
                    continue;
                matched = true;
                if (validateMember(*schema, value, memberContext, results))
                    continue;
                valid = false;
                if (!results)
                    return false;
                results->pushError(context,
                                   "Failed to validate against schema associated with pattern '" +
                                       pattern->source().toStdString() + "'.");
            }
            if (matched || m_site->others == Site::Others::Allowed)
                return true;
            if (m_site->others == Site::Others::Refused) {
                valid = false;
                if (results)
                    results->pushError(context, "Object contains a property that could not be "
                                                "validated using 'properties' or "
                                                "'additionalProperties' constraints: '" +
                                                    name + "'.");
            } else if (!validateMember(*m_site->othersSchema, value, memberContext, results)) {
                valid = false;
                if (results)
                    results->pushError(context,
                                       "Failed to validate against additional properties schema");
            }
            return valid || results != nullptr;
        });
        return valid;
    }

private:
    static bool validateMember(const valijson::Schema &schema, const Adapter &value,
                               const Context &context, ValidationResults *results)
    {
        // valijson hands members of a Qt JSON value over as Qt JSON adapters.
        const auto *json = dynamic_cast<const QtJsonAdapter *>(&value);
        if (!json)
            throw std::logic_error("patternProperties met a value that is not Qt JSON");
        valijson::Validator validator;
        if (!results)
            return validator.validate(schema, *json, nullptr);
        ValidationResults nested;
        const bool valid = validator.validate(schema, *json, &nested);
        ValidationResults::Error error;
        while (nested.popError(error)) {
            // The nested path starts at its own "<root>", which is this member.
            Context full = context;
            if (!error.context.empty())
                full.insert(full.end(), error.context.begin() + 1, error.context.end());
            results->pushError(full, error.description);
        }
        return valid;
    }

    const Site *m_site;
};

using Patterns = std::map<QString, SchemaPattern>;

const SchemaPattern &knownPattern(const Patterns &patterns, const QString &source)
{
    const auto found = patterns.find(source);
    if (found == patterns.end())
        throw std::runtime_error("pattern not compiled: " + source.toStdString());
    return found->second;
}

class PatternBuilder final : public valijson::ConstraintBuilder
{
public:
    explicit PatternBuilder(const Patterns &patterns)
        : m_patterns(patterns)
    {}
    valijson::constraints::Constraint *make(const Adapter &value) const override
    {
        return new PatternKeyword(
            &knownPattern(m_patterns, QString::fromStdString(value.asString())));
    }

private:
    const Patterns &m_patterns;
};

class FormatBuilder final : public valijson::ConstraintBuilder
{
public:
    explicit FormatBuilder(const Patterns &patterns)
        : m_patterns(patterns)
    {}
    valijson::constraints::Constraint *make(const Adapter &value) const override
    {
        const std::string format = value.asString();
        const QString source = formatPattern(QString::fromStdString(format));
        return new FormatKeyword(&knownPattern(m_patterns, source), format);
    }

private:
    const Patterns &m_patterns;
};

class SiteBuilder final : public valijson::ConstraintBuilder
{
public:
    explicit SiteBuilder(const std::vector<std::unique_ptr<SchemaKeywords::Site>> &sites)
        : m_sites(sites)
    {}
    valijson::constraints::Constraint *make(const Adapter &value) const override
    {
        const std::int64_t index = value.asInteger();
        if (index < 0 || std::size_t(index) >= m_sites.size())
            throw std::runtime_error("no such patternProperties");
        return new PatternPropertiesKeyword(m_sites[std::size_t(index)].get());
    }

private:
    const std::vector<std::unique_ptr<SchemaKeywords::Site>> &m_sites;
};

/// A JSON pointer of \a tokens, as this file keeps schema locations.
QString pointer(const QStringList &tokens)
{
    QString result;
    for (QString token : tokens)
        result += QLatin1Char('/') + token.replace(QLatin1Char('~'), QLatin1String("~0"))
                                         .replace(QLatin1Char('/'), QLatin1String("~1"));
    return result;
}

/// The same, as a $ref for valijson, which decodes %XX in its tokens after ~0 and ~1.
QString reference(const QStringList &tokens)
{
    QString result = QStringLiteral("#");
    for (const QString &token : tokens)
        result += QLatin1Char('/') +
                  QString::fromLatin1(QUrl::toPercentEncoding(token, {}, QByteArrayLiteral("~")));
    return result;
}

/// Where a local $ref leads, in pointer() form, as valijson reads it; nullopt when not local.
std::optional<QString> target(const QString &reference)
{
    if (!reference.startsWith(QLatin1Char('#')))
        return std::nullopt;
    QStringList tokens = reference.mid(1).split(QLatin1Char('/'));
    tokens.removeFirst();
    for (QString &token : tokens) {
        token.replace(QLatin1String("~1"), QLatin1String("/"))
            .replace(QLatin1String("~0"), QLatin1String("~"));
        token = QUrl::fromPercentEncoding(token.toUtf8());
    }
    return pointer(tokens);
}

const QSet<QString> singleSchemaKeys = {
    QStringLiteral("additionalItems"),
    QStringLiteral("additionalProperties"),
    QStringLiteral("contains"),
    QStringLiteral("propertyNames"),
    QStringLiteral("not"),
    QStringLiteral("if"),
    QStringLiteral("then"),
    QStringLiteral("else"),
    QStringLiteral("items"),
};
const QSet<QString> schemaArrayKeys = {
    QStringLiteral("allOf"),
    QStringLiteral("anyOf"),
    QStringLiteral("oneOf"),
    QStringLiteral("items"),
};
const QSet<QString> schemaMapKeys = {
    QStringLiteral("properties"),
    QStringLiteral("dependencies"),
    QStringLiteral("definitions"),
    QStringLiteral("$defs"),
};

} // namespace

UncheckedPattern::UncheckedPattern(std::vector<std::string> context, QString pattern,
                                   QString propertyName)
    : m_context(std::move(context))
    , m_pattern(std::move(pattern))
    , m_propertyName(std::move(propertyName))
{}

const char *UncheckedPattern::what() const noexcept
{
    return "a pattern could not be checked";
}

/// Walks a schema where valijson would, keyword by keyword, and rewrites it for valijson.
class SchemaKeywords::Rewriter
{
    /// Where a node is: in the schema as written (for messages and $refs), and in the rewritten
    /// document, where the subschemas of a site have moved.
    struct Place
    {
        QStringList written;
        QStringList rewritten;

        Place operator/(const QString &key) const
        {
            return Place{written + QStringList{key}, rewritten + QStringList{key}};
        }
    };

public:
    explicit Rewriter(SchemaKeywords &keywords)
        : m_keywords(keywords)
    {}

    /// Rewrites \a root in place, or says why it is refused.
    std::optional<QString> run(QJsonObject &root)
    {
        root = schema(root, Place()).toObject();
        if (m_error)
            return m_error;
        // valijson parses what a $ref leads to as a schema: only a place walked as one has had
        // its keywords taken. (A place under a patternProperties is not one: it moved.)
        for (const auto &[reference, location] : m_references) {
            const std::optional<QString> leadsTo = target(reference);
            if (leadsTo && !m_schemas.contains(*leadsTo)) {
                return QStringLiteral("$ref \"%1\" at \"%2\" does not lead to a schema under "
                                      "properties, items, definitions, $defs, allOf, ...")
                    .arg(reference, location);
            }
        }
        return std::nullopt;
    }

private:
    QJsonValue schema(const QJsonValue &node, const Place &place)
    {
        const QStringList &location = place.written;
        if (m_moved == 0)
            m_schemas.insert(pointer(location));
        if (!node.isObject())
            return node;
        const QJsonObject in = node.toObject();
        const bool isSite = in.value(QLatin1String("patternProperties")).isObject();
        QJsonObject out;
        for (auto it = in.begin(); it != in.end() && !m_error; ++it) {
            const QString &key = it.key();
            const QJsonValue &value = it.value();
            const Place at = place / key;
            if (key.startsWith(reservedPrefix) ||
                (isSite && (key == QLatin1String("patternProperties") ||
                            key == QLatin1String("additionalProperties"))))
                continue;
            if (key == QLatin1String("pattern") && value.isString()) {
                if (addPattern(value.toString(), location))
                    out.insert(patternKey, value);
            } else if (key == QLatin1String("format") && value.isString()) {
                // valijson checks three formats and calls the others annotations; none are
                // left to it, as valijson 1.0 throws for a format on a value that is no string.
                const QString pattern = formatPattern(value.toString());
                if (!pattern.isEmpty() && addPattern(pattern, location))
                    out.insert(formatKey, value);
            } else if (value.isArray() && schemaArrayKeys.contains(key)) {
                QJsonArray items = value.toArray();
                for (qsizetype i = 0; i < items.size(); ++i)
                    items[i] = schema(items.at(i), at / QString::number(i));
                out.insert(key, items);
            } else if (singleSchemaKeys.contains(key)) {
                out.insert(key, schema(value, at));
            } else if (value.isObject() && schemaMapKeys.contains(key)) {
                QJsonObject members = value.toObject();
                for (auto member = members.begin(); member != members.end(); ++member) {
                    // A dependency is a schema or a list of names.
                    if (!member.value().isArray())
                        member.value() = schema(member.value(), at / member.key());
                }
                out.insert(key, members);
            } else {
                if (key == QLatin1String("$ref") && value.isString())
                    m_references.emplace_back(value.toString(), pointer(location));
                out.insert(key, value);
            }
        }
        if (isSite && !m_error)
            site(in, place, out);
        return out;
    }

    /// Replaces the `patternProperties` and `additionalProperties` of \a in by a site.
    void site(const QJsonObject &in, const Place &place, QJsonObject &out)
    {
        const QStringList &location = place.written;
        auto site = std::make_unique<Site>();
        site->location = place.rewritten;
        const QJsonObject declared = in.value(QLatin1String("properties")).toObject();
        for (auto it = declared.begin(); it != declared.end(); ++it)
            site->declared.insert(it.key().toStdString());

        QJsonArray subschemas;
        ++m_moved;
        const QJsonObject patterns = in.value(QLatin1String("patternProperties")).toObject();
        for (auto it = patterns.begin(); it != patterns.end() && !m_error; ++it) {
            if (!addPattern(it.key(), location))
                break;
            site->patterns.emplace_back(&m_keywords.m_patterns.at(it.key()), nullptr);
            subschemas.append(
                schema(it.value(), movedTo(place, subschemas.size(),
                                           QStringLiteral("patternProperties"), it.key())));
        }
        const QJsonValue others = in.value(QLatin1String("additionalProperties"));
        if (others.isBool()) {
            site->others = others.toBool() ? Site::Others::Allowed : Site::Others::Refused;
        } else if (others.isObject()) {
            site->others = Site::Others::Checked;
            subschemas.append(schema(
                others, movedTo(place, subschemas.size(), QStringLiteral("additionalProperties"))));
        } else if (!others.isUndefined()) {
            m_error = QStringLiteral("additionalProperties must be a schema at \"%1\"")
                          .arg(pointer(location));
        }
        --m_moved;

        out.insert(siteKey, qint64(m_keywords.m_sites.size()));
        out.insert(subschemasKey, subschemas);
        m_keywords.m_sites.push_back(std::move(site));
    }

    /// The place of a site's subschema, written at \a keys, rewritten as its \a index-th.
    static Place movedTo(const Place &site, qsizetype index, const QString &key,
                         const QString &member = QString())
    {
        QStringList written = site.written + QStringList{key};
        if (!member.isNull())
            written.append(member);
        return Place{written, site.rewritten + QStringList{subschemasKey, QString::number(index)}};
    }

    bool addPattern(const QString &source, const QStringList &location)
    {
        if (m_keywords.m_patterns.count(source) > 0)
            return true;
        auto compiled = SchemaPattern::compile(source);
        if (const QString *why = std::get_if<QString>(&compiled)) {
            m_error = QStringLiteral("Invalid pattern \"%1\" at \"%2\": %3")
                          .arg(source, pointer(location), *why);
            return false;
        }
        m_keywords.m_patterns.emplace(source, std::get<SchemaPattern>(std::move(compiled)));
        return true;
    }

    SchemaKeywords &m_keywords;
    /// Above 0 while walking subschemas that take() moves, which a $ref cannot reach.
    int m_moved = 0;
    QSet<QString> m_schemas;
    std::vector<std::pair<QString, QString>> m_references;
    std::optional<QString> m_error;
};

SchemaKeywords::SchemaKeywords() = default;
SchemaKeywords::~SchemaKeywords() = default;

std::variant<std::unique_ptr<SchemaKeywords>, QString> SchemaKeywords::take(QJsonObject &schema)
{
    std::unique_ptr<SchemaKeywords> keywords(new SchemaKeywords);
    Rewriter rewriter(*keywords);
    if (std::optional<QString> problem = rewriter.run(schema))
        return *problem;
    // Each subschema of a site is parsed on its own: the whole document with its root replaced
    // by a $ref to it, so that its own $refs resolve as in the document.
    for (const std::unique_ptr<Site> &site : keywords->m_sites) {
        qsizetype next = 0;
        const auto parseNext = [&] {
            QJsonObject document = schema;
            document.insert(
                QStringLiteral("$ref"),
                reference(site->location + QStringList{subschemasKey, QString::number(next++)}));
            auto parsed = std::make_unique<valijson::Schema>();
            keywords->parse(document, *parsed);
            return parsed;
        };
        for (auto &pattern : site->patterns)
            pattern.second = parseNext();
        if (site->others == Site::Others::Checked)
            site->othersSchema = parseNext();
    }
    return keywords;
}

void SchemaKeywords::parse(const QJsonObject &document, valijson::Schema &schema) const
{
    // The parser deletes its builders.
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    parser.addConstraintBuilder(patternKey.toStdString(), new PatternBuilder(m_patterns));
    parser.addConstraintBuilder(formatKey.toStdString(), new FormatBuilder(m_patterns));
    parser.addConstraintBuilder(siteKey.toStdString(), new SiteBuilder(m_sites));
    const QtJsonAdapter adapter{QJsonValue(document)};
    parser.populateSchema(adapter, schema);
}

bool SchemaKeywords::isEmpty() const
{
    return m_patterns.empty();
}

} // namespace CommandBridge
