// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QMetaEnum>
#include <QtCore/QMetaType>
#include <QtCore/QVariant>

#include <optional>
#include <variant>

QT_BEGIN_NAMESPACE
class QMetaProperty;
QT_END_NAMESPACE

namespace CommandBridge {

/// How one C++ type travels as JSON (protocol section 13): its JSON Schema, and the conversions
/// both ways. Made once per parameter, property and signal argument when an object is exposed;
/// immutable afterwards, so any thread may use it.
class JsonType
{
public:
    /// The mapping of \a type, or why it has none.
    static std::variant<JsonType, QString> of(QMetaType type);
    /// The mapping of \a property's type (a Q_ENUM property by its enumerator).
    static std::variant<JsonType, QString> of(const QMetaProperty &property);

    QMetaType metaType() const { return m_type; }
    /// The JSON Schema of the values: integers with the C++ type's bounds, enums by key name.
    QJsonObject schema() const;

    /// \a value, which matched schema(), as a value of metaType(); nothing when it does not fit
    /// exactly (a fraction for an integer, a number out of the type's range).
    std::optional<QVariant> fromJson(const QJsonValue &value) const;
    /// The value of metaType() at \a data as JSON.
    QJsonValue toJson(const void *data) const;
    QJsonValue toJson(const QVariant &value) const { return toJson(value.constData()); }

private:
    enum class Kind {
        Integer,
        Number,
        Float,
        Boolean,
        String,
        StringList,
        JsonObject,
        VariantMap,
        JsonArray,
        VariantList,
        JsonValue,
        Enum,
    };
    JsonType(Kind kind, QMetaType type)
        : m_kind(kind)
        , m_type(type)
    {}
    static std::optional<JsonType> integer(QMetaType type);
    static JsonType enumeration(QMetaType type, const QMetaEnum &enumerator);
    qint64 readInteger(const void *data) const;

    Kind m_kind;
    QMetaType m_type;
    qint64 m_minimum = 0;
    qint64 m_maximum = 0;
    QMetaEnum m_enum;
};

} // namespace CommandBridge
