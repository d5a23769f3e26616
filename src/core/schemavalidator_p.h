// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <memory>
#include <optional>
#include <variant>

namespace valijson {
class Schema;
}

namespace CommandBridge {

class SchemaKeywords;

/// A compiled JSON Schema (draft 7, through valijson's Qt adapter; `pattern`,
/// `patternProperties` and `format` through SchemaKeywords). Immutable after compile(), so one
/// instance may validate from several threads.
class SchemaValidator
{
public:
    ~SchemaValidator();

    /// Compiles \a schema, or returns why it is not a valid schema.
    static std::variant<std::unique_ptr<SchemaValidator>, QString>
    compile(const QJsonObject &schema);

    /// The problems of \a value as [{path, message}]: one entry per failing leaf, paths as JSON
    /// pointers into \a value. Empty when it matches. A pattern the regex engine gave up on (see
    /// SchemaPattern) is the one entry.
    QJsonArray validate(const QJsonValue &value) const;

private:
    SchemaValidator();
    /// A match decided without valijson, for the simplest schemas; false means "ask valijson".
    bool obviouslyMatches(const QJsonValue &value) const;

    // Before m_schema, whose constraints point into it.
    std::unique_ptr<SchemaKeywords> m_keywords;
    std::unique_ptr<valijson::Schema> m_schema;
    struct FlatSchema;
    /// Set when the schema is an object of simply typed properties: then a value that matches
    /// is told without valijson, which remains the judge (and the author of the details) of
    /// anything else.
    std::unique_ptr<const FlatSchema> m_flat;
};

} // namespace CommandBridge
