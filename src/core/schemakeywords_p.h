// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "schemapattern_p.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <exception>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace valijson {
class Schema;
}

namespace CommandBridge {

/// A pattern the engine gave up on (SchemaPattern::Outcome::Unchecked). Thrown out of valijson's
/// validation, which it ends: such args are refused, never let through.
class UncheckedPattern : public std::exception
{
public:
    UncheckedPattern(std::vector<std::string> context, QString pattern, QString propertyName);

    const char *what() const noexcept override;

    /// valijson's path to the value (the object, for a property name).
    const std::vector<std::string> &context() const { return m_context; }
    const QString &pattern() const { return m_pattern; }
    /// The property name matched against a patternProperties key; empty for a `pattern`.
    const QString &propertyName() const { return m_propertyName; }

private:
    std::vector<std::string> m_context;
    QString m_pattern;
    QString m_propertyName;
};

/// The keywords CommandBridge evaluates itself instead of valijson: `pattern`,
/// `patternProperties` (with the `additionalProperties` beside it) and `format`. valijson runs
/// them on std::regex, whose recursion a long string turns into a stack overflow, and which has
/// no bound on time; here they run on SchemaPattern. This is the same with every valijson
/// version: valijson 1.0 (Debian 12) has no way to choose its regex engine, and the one of
/// 1.0.3 (Debian 13) is a yes-or-no search that cannot say "gave up" nor where.
///
/// take() rewrites a schema for valijson: each keyword becomes a custom one (see
/// addBuildersTo()) whose constraint calls back into this object; the `patternProperties`
/// subschemas are parsed into schemas of their own. So a schema's patterns are compiled once,
/// when it is. Immutable afterwards: one instance may serve validations on several threads.
class SchemaKeywords
{
public:
    ~SchemaKeywords();

    /// Takes the keywords out of \a schema, which becomes what valijson is to parse (with
    /// parse()), or returns why the schema is refused: an invalid pattern, or a $ref that does
    /// not lead to a schema. Throws what valijson throws for a schema it cannot parse.
    static std::variant<std::unique_ptr<SchemaKeywords>, QString> take(QJsonObject &schema);

    /// Parses \a document, rewritten by take(), into \a schema with these keywords' constraints.
    /// Throws what valijson throws.
    void parse(const QJsonObject &document, valijson::Schema &schema) const;

    /// True when the schema had none of the keywords, so validation never meets a pattern.
    bool isEmpty() const;

    /// A schema object with `patternProperties` (defined in the .cpp).
    struct Site;

private:
    class Rewriter;
    SchemaKeywords();

    // Node-based: constraints hold pointers to the patterns.
    std::map<QString, SchemaPattern> m_patterns;
    std::vector<std::unique_ptr<Site>> m_sites;
};

} // namespace CommandBridge
