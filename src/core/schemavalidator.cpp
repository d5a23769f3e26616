// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "schemavalidator_p.h"

#include "protocol_p.h"
#include "qtjsonadapter_p.h"
#include "schemakeywords_p.h"

#include <QtCore/QJsonArray>

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>

namespace CommandBridge {
namespace {

using Context = std::vector<std::string>;

// valijson reports a failure at its leaf and again at each parent that contains it, with these
// messages; a parent report is dropped when a more precise one covers the same place.
bool isParentReport(const std::string &description)
{
    static const std::array<const char *, 5> prefixes = {
        "Failed to validate item #",
        "Failed to validate against schema associated with",
        "Failed to validate against child schema #",
        "Failed to validate against additional properties schema",
        "Failed to validate against dependent schema",
    };
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const char *prefix) { return description.rfind(prefix, 0) == 0; });
}

bool covers(const Context &parent, const Context &child)
{
    return child.size() >= parent.size() && std::equal(parent.begin(), parent.end(), child.begin());
}

QString escapePointerToken(QString token)
{
    return token.replace(QLatin1Char('~'), QLatin1String("~0"))
        .replace(QLatin1Char('/'), QLatin1String("~1"));
}

// valijson names both object members and array items "[token]" under "<root>"; walking the
// validated value tells which one each is.
QString jsonPointer(const Context &context, QJsonValue value)
{
    QString pointer;
    for (std::size_t i = 1; i < context.size(); ++i) {
        std::string component = context[i];
        if (component.size() >= 2 && component.front() == '[' && component.back() == ']')
            component = component.substr(1, component.size() - 2);
        const QString token = QString::fromStdString(component);
        if (value.isArray()) {
            value = value.toArray().at(token.toInt());
        } else {
            value = value.toObject().value(token);
        }
        pointer += QLatin1Char('/') + escapePointerToken(token);
    }
    return pointer;
}

/// Resolves a local reference ("#/a/b") in \a root; nullopt when it is not local or leads nowhere.
std::optional<QString> localPointer(const QString &reference)
{
    if (reference.isEmpty() || reference == QLatin1String("#"))
        return QString();
    if (reference.startsWith(QLatin1String("#/")))
        return reference.mid(1);
    return std::nullopt;
}

QJsonValue resolve(const QJsonValue &root, const QString &pointer)
{
    QJsonValue node = root;
    const QStringList tokens = pointer.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    for (QString token : tokens) {
        token.replace(QLatin1String("~1"), QLatin1String("/"))
            .replace(QLatin1String("~0"), QLatin1String("~"));
        node = node.isArray() ? node.toArray().at(token.toInt()) : node.toObject().value(token);
    }
    return node;
}

// valijson 1.0 trusts schemas more than a server may: a $ref that leads back into itself recurses
// without end and multipleOf <= 0 divides by zero. (Patterns are SchemaKeywords' business.)
std::optional<QString> unsafeConstruct(const QJsonValue &root, const QJsonValue &node,
                                       const QString &location)
{
    if (node.isArray()) {
        const QJsonArray items = node.toArray();
        for (qsizetype i = 0; i < items.size(); ++i) {
            if (auto problem = unsafeConstruct(root, items.at(i),
                                               location + QLatin1Char('/') + QString::number(i)))
                return problem;
        }
        return std::nullopt;
    }
    if (!node.isObject())
        return std::nullopt;
    const QJsonObject object = node.toObject();
    if (object.contains(QLatin1String("multipleOf")) &&
        !(object.value(QLatin1String("multipleOf")).toDouble() > 0))
        return QStringLiteral("multipleOf must be a number above 0 at \"%1\"").arg(location);
    if (object.contains(QLatin1String("$ref"))) {
        // Follow the chain of local references; coming back to where it started, or into an
        // enclosing schema, is a cycle.
        QStringList visited{location};
        QString reference = object.value(QLatin1String("$ref")).toString();
        for (int step = 0; step < 64; ++step) {
            // valijson resolves any other reference against this same document, so only local
            // pointers can be checked for cycles, and only they are accepted.
            const std::optional<QString> pointer = localPointer(reference);
            if (!pointer)
                return QStringLiteral("Only local $ref (\"#/...\") are supported, at \"%1\"")
                    .arg(location);
            for (const QString &seen : std::as_const(visited)) {
                if (seen == *pointer || seen.startsWith(*pointer + QLatin1Char('/')) ||
                    pointer->isEmpty())
                    return QStringLiteral("Recursive $ref at \"%1\"").arg(location);
            }
            visited.append(*pointer);
            reference = resolve(root, *pointer).toObject().value(QLatin1String("$ref")).toString();
            if (reference.isNull())
                break;
        }
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (auto problem =
                unsafeConstruct(root, it.value(), location + QLatin1Char('/') + it.key()))
            return problem;
    }
    return std::nullopt;
}

/// Why \a unchecked refused the args: the budget ran out, or one match needed too much.
QString uncheckedMessage(const UncheckedPattern &unchecked, bool budgetSpent)
{
    const QString what = unchecked.propertyName().isEmpty()
                             ? QStringLiteral("Pattern \"%1\"").arg(unchecked.pattern())
                             : QStringLiteral("Pattern \"%1\" on property name \"%2\"")
                                   .arg(unchecked.pattern(), unchecked.propertyName());
    const QString why =
        budgetSpent ? QStringLiteral("the schema's patterns took more than %1 ms on these args")
                          .arg(SchemaPattern::defaultBudget.count())
                    : QStringLiteral("matching it needs more memory or steps than the regex engine "
                                     "allows (a group repeated over a long string?)");
    return what + QStringLiteral(" could not be checked: ") + why;
}

/// valijson converts numbers to 64-bit integers for some checks; beyond that range the conversion
/// is undefined, so such numbers are refused before validation. Whole numbers below it are all
/// integers to the adapter.
constexpr double hugeNumberLimit = QtJson::integerLimit;

void findHugeNumbers(const QJsonValue &value, const QString &pointer, QJsonArray &details)
{
    if (value.isDouble() && std::abs(value.toDouble()) >= hugeNumberLimit) {
        details.append(QJsonObject{
            {Protocol::Key::path, pointer},
            {Protocol::Key::message, QStringLiteral("Number is too large: at most 9.2e18")}});
    } else if (value.isArray()) {
        const QJsonArray items = value.toArray();
        for (qsizetype i = 0; i < items.size(); ++i)
            findHugeNumbers(items.at(i), pointer + QLatin1Char('/') + QString::number(i), details);
    } else if (value.isObject()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            findHugeNumbers(it.value(), pointer + QLatin1Char('/') + escapePointerToken(it.key()),
                            details);
    }
}

bool hasHugeNumber(const QJsonValue &value)
{
    if (value.isDouble())
        return std::abs(value.toDouble()) >= hugeNumberLimit;
    if (value.isArray()) {
        const QJsonArray items = value.toArray();
        return std::any_of(items.begin(), items.end(),
                           [](const QJsonValue &item) { return hasHugeNumber(item); });
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        return std::any_of(object.begin(), object.end(),
                           [](const QJsonValue &member) { return hasHugeNumber(member); });
    }
    return false;
}

} // namespace

/// A schema of the form {"type": "object", "properties": {NAME: SIMPLE, ...}, "required": [...],
/// "additionalProperties": false}, "required" and "additionalProperties" optional, where each
/// SIMPLE has one "type": "string" (with an optional "enum" of strings), "boolean", "number" or
/// "integer" (each number with optional "minimum" and "maximum"), besides annotations. Registry
/// schemas of commands without their own, and those of exposed objects, are of this form.
struct SchemaValidator::FlatSchema
{
    enum class Type { String, Boolean, Number, Integer };
    struct Property
    {
        QString name;
        Type type = Type::String;
        std::optional<double> minimum;
        std::optional<double> maximum;
        std::optional<QStringList> allowed;
    };
    std::vector<Property> properties;
    QStringList required;
    bool closed = false;

    static std::unique_ptr<const FlatSchema> of(const QJsonObject &schema);
    bool matches(const QJsonObject &object) const;
};

namespace {

bool isAnnotation(const QString &keyword)
{
    return keyword == QLatin1String("default") || keyword == QLatin1String("description") ||
           keyword == QLatin1String("title");
}

} // namespace

std::unique_ptr<const SchemaValidator::FlatSchema>
SchemaValidator::FlatSchema::of(const QJsonObject &schema)
{
    auto flat = std::make_unique<FlatSchema>();
    if (schema.value(QStringLiteral("type")) != QLatin1String("object"))
        return nullptr;
    for (auto it = schema.begin(); it != schema.end(); ++it) {
        const QString keyword = it.key();
        if (keyword == QLatin1String("type") || isAnnotation(keyword))
            continue;
        if (keyword == QLatin1String("additionalProperties") && it.value().isBool()) {
            flat->closed = !it.value().toBool();
        } else if (keyword == QLatin1String("required") && it.value().isArray()) {
            for (const QJsonValue &name : it.value().toArray()) {
                if (!name.isString())
                    return nullptr;
                flat->required.append(name.toString());
            }
        } else if (keyword != QLatin1String("properties") || !it.value().isObject()) {
            return nullptr;
        }
    }
    const QJsonObject properties = schema.value(QStringLiteral("properties")).toObject();
    for (auto it = properties.begin(); it != properties.end(); ++it) {
        if (!it.value().isObject())
            return nullptr;
        const QJsonObject declared = it.value().toObject();
        Property property;
        property.name = it.key();
        const QJsonValue type = declared.value(QStringLiteral("type"));
        if (type == QLatin1String("string"))
            property.type = Type::String;
        else if (type == QLatin1String("boolean"))
            property.type = Type::Boolean;
        else if (type == QLatin1String("number"))
            property.type = Type::Number;
        else if (type == QLatin1String("integer"))
            property.type = Type::Integer;
        else
            return nullptr;
        const bool numeric = property.type == Type::Number || property.type == Type::Integer;
        for (auto keyword = declared.begin(); keyword != declared.end(); ++keyword) {
            const QString name = keyword.key();
            if (name == QLatin1String("type") || isAnnotation(name))
                continue;
            if (numeric && keyword.value().isDouble() && name == QLatin1String("minimum")) {
                property.minimum = keyword.value().toDouble();
            } else if (numeric && keyword.value().isDouble() && name == QLatin1String("maximum")) {
                property.maximum = keyword.value().toDouble();
            } else if (property.type == Type::String && name == QLatin1String("enum") &&
                       keyword.value().isArray()) {
                QStringList allowed;
                for (const QJsonValue &item : keyword.value().toArray()) {
                    if (!item.isString())
                        return nullptr;
                    allowed.append(item.toString());
                }
                property.allowed = allowed;
            } else {
                return nullptr;
            }
        }
        flat->properties.push_back(std::move(property));
    }
    return flat;
}

bool SchemaValidator::FlatSchema::matches(const QJsonObject &object) const
{
    for (const QString &name : required) {
        if (!object.contains(name))
            return false;
    }
    for (auto member = object.begin(); member != object.end(); ++member) {
        const QString name = member.key();
        const auto property =
            std::find_if(properties.begin(), properties.end(),
                         [&name](const Property &declared) { return declared.name == name; });
        if (property == properties.end()) {
            if (closed)
                return false;
            continue;
        }
        const QJsonValue value = member.value();
        switch (property->type) {
        case Type::String:
            if (!value.isString() ||
                (property->allowed && !property->allowed->contains(value.toString())))
                return false;
            continue;
        case Type::Boolean:
            if (!value.isBool())
                return false;
            continue;
        case Type::Number:
        case Type::Integer:
            if (!value.isDouble() || (property->type == Type::Integer && !QtJson::isInteger(value)))
                return false;
            if ((property->minimum && value.toDouble() < *property->minimum) ||
                (property->maximum && value.toDouble() > *property->maximum))
                return false;
            continue;
        }
    }
    return true;
}

SchemaValidator::SchemaValidator()
    : m_schema(std::make_unique<valijson::Schema>())
{}

SchemaValidator::~SchemaValidator() = default;

std::variant<std::unique_ptr<SchemaValidator>, QString>
SchemaValidator::compile(const QJsonObject &schema)
{
    if (const std::optional<QString> problem = unsafeConstruct(schema, schema, QString()))
        return *problem;
    std::unique_ptr<SchemaValidator> validator(new SchemaValidator);
    try {
        QJsonObject forValijson = schema;
        auto keywords = SchemaKeywords::take(forValijson);
        if (const QString *problem = std::get_if<QString>(&keywords))
            return *problem;
        validator->m_keywords = std::move(std::get<std::unique_ptr<SchemaKeywords>>(keywords));
        validator->m_keywords->parse(forValijson, *validator->m_schema);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    validator->m_flat = FlatSchema::of(schema);
    return validator;
}

bool SchemaValidator::obviouslyMatches(const QJsonValue &value) const
{
    return m_flat && value.isObject() && m_flat->matches(value.toObject());
}

QJsonArray SchemaValidator::validate(const QJsonValue &value) const
{
    if (hasHugeNumber(value)) {
        QJsonArray hugeNumbers;
        findHugeNumbers(value, QString(), hugeNumbers);
        return hugeNumbers;
    }
    if (obviouslyMatches(value))
        return {};
    valijson::Validator validator;
    valijson::ValidationResults results;
    const QtJsonAdapter adapter(value);
    // Only schemas with patterns pay for the budget.
    std::optional<SchemaPattern::Budget> budget;
    if (!m_keywords->isEmpty())
        budget.emplace(SchemaPattern::defaultBudget);
    try {
        if (validator.validate(*m_schema, adapter, &results))
            return {};
    } catch (const UncheckedPattern &unchecked) {
        return QJsonArray{QJsonObject{
            {Protocol::Key::path, jsonPointer(unchecked.context(), value)},
            {Protocol::Key::message, uncheckedMessage(unchecked, budget && budget->isSpent())},
        }};
    } catch (const std::exception &error) {
        // valijson throws where it cannot apply a keyword to a value (1.0 did for "format" on a
        // number, which SchemaKeywords now checks): the value is refused, not let through.
        const QString message = QStringLiteral("Args could not be checked against the schema: ") +
                                QString::fromUtf8(error.what());
        return QJsonArray{
            QJsonObject{{Protocol::Key::path, QString()}, {Protocol::Key::message, message}}};
    }

    const std::vector<valijson::ValidationResults::Error> errors(results.begin(), results.end());
    QJsonArray details;
    for (std::size_t i = 0; i < errors.size(); ++i) {
        const auto &error = errors[i];
        if (isParentReport(error.description)) {
            const bool coveredByLeaf =
                std::any_of(errors.begin(), errors.end(), [&](const auto &other) {
                    return &other != &error && !isParentReport(other.description) &&
                           covers(error.context, other.context);
                });
            if (coveredByLeaf)
                continue;
        }
        details.append(QJsonObject{
            {Protocol::Key::path, jsonPointer(error.context, value)},
            {Protocol::Key::message, QString::fromStdString(error.description)},
        });
    }
    // Some constraints (propertyNames) fail without a word: an empty list would read as a match.
    if (details.isEmpty()) {
        details.append(QJsonObject{
            {Protocol::Key::path, QString()},
            {Protocol::Key::message, QStringLiteral("Failed to validate against the schema.")}});
    }
    return details;
}

} // namespace CommandBridge
