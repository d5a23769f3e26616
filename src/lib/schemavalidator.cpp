#include "schemavalidator_p.h"

#include "protocol_p.h"

#define VALIJSON_USE_EXCEPTIONS 1
#include <valijson/adapters/qtjson_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <array>
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

} // namespace

SchemaValidator::SchemaValidator()
    : m_schema(std::make_unique<valijson::Schema>())
{}

SchemaValidator::~SchemaValidator() = default;

std::variant<std::unique_ptr<SchemaValidator>, QString>
SchemaValidator::compile(const QJsonObject &schema)
{
    std::unique_ptr<SchemaValidator> validator(new SchemaValidator);
    try {
        valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
        const valijson::adapters::QtJsonAdapter adapter{QJsonValue(schema)};
        parser.populateSchema(adapter, *validator->m_schema);
    } catch (const std::exception &error) {
        return QString::fromUtf8(error.what());
    }
    return validator;
}

QJsonArray SchemaValidator::validate(const QJsonValue &value) const
{
    valijson::Validator validator;
    valijson::ValidationResults results;
    const valijson::adapters::QtJsonAdapter adapter(value);
    if (validator.validate(*m_schema, adapter, &results))
        return {};

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
    return details;
}

} // namespace CommandBridge
