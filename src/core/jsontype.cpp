// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "jsontype_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QMetaProperty>
#include <QtCore/QStringList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace CommandBridge {

namespace {

template <typename T> constexpr std::pair<qint64, qint64> boundsOf()
{
    // Unsigned 64-bit values above qint64's range have no exact JSON integer here.
    constexpr auto maximum = quint64(std::numeric_limits<T>::max());
    constexpr auto top = quint64(std::numeric_limits<qint64>::max());
    return {qint64(std::numeric_limits<T>::min()), qint64(std::min(maximum, top))};
}

template <typename T> QVariant integerVariant(qint64 value)
{
    return QVariant::fromValue(T(value));
}

QString typeName(QMetaType type)
{
    return type.isValid() ? QString::fromLatin1(type.name()) : QStringLiteral("(unknown type)");
}

} // namespace

std::optional<JsonType> JsonType::integer(QMetaType type)
{
    std::pair<qint64, qint64> bounds;
    switch (type.id()) {
    case QMetaType::Int:
        bounds = boundsOf<int>();
        break;
    case QMetaType::UInt:
        bounds = boundsOf<uint>();
        break;
    case QMetaType::Short:
        bounds = boundsOf<short>();
        break;
    case QMetaType::UShort:
        bounds = boundsOf<ushort>();
        break;
    case QMetaType::Long:
        bounds = boundsOf<long>();
        break;
    case QMetaType::ULong:
        bounds = boundsOf<ulong>();
        break;
    case QMetaType::LongLong:
        bounds = boundsOf<qlonglong>();
        break;
    case QMetaType::ULongLong:
        bounds = boundsOf<qulonglong>();
        break;
    default:
        return std::nullopt;
    }
    JsonType mapped(Kind::Integer, type);
    mapped.m_minimum = bounds.first;
    mapped.m_maximum = bounds.second;
    return mapped;
}

JsonType JsonType::enumeration(QMetaType type, const QMetaEnum &enumerator)
{
    JsonType mapped(Kind::Enum, type);
    mapped.m_enum = enumerator;
    return mapped;
}

std::variant<JsonType, QString> JsonType::of(QMetaType type)
{
    if (std::optional<JsonType> mapped = integer(type))
        return *mapped;
    switch (type.id()) {
    case QMetaType::Double:
        return JsonType(Kind::Number, type);
    case QMetaType::Float:
        return JsonType(Kind::Float, type);
    case QMetaType::Bool:
        return JsonType(Kind::Boolean, type);
    case QMetaType::QString:
        return JsonType(Kind::String, type);
    case QMetaType::QStringList:
        return JsonType(Kind::StringList, type);
    case QMetaType::QJsonObject:
        return JsonType(Kind::JsonObject, type);
    case QMetaType::QVariantMap:
        return JsonType(Kind::VariantMap, type);
    case QMetaType::QJsonArray:
        return JsonType(Kind::JsonArray, type);
    case QMetaType::QVariantList:
        return JsonType(Kind::VariantList, type);
    case QMetaType::QJsonValue:
        return JsonType(Kind::JsonValue, type);
    default:
        break;
    }
    if (type.flags().testFlag(QMetaType::IsEnumeration) && type.metaObject()) {
        // A Q_ENUM's meta-type knows the class that declares it; the enumerator has its short name.
        const QByteArray fullName = type.name();
        const QByteArray shortName = fullName.mid(fullName.lastIndexOf(':') + 1);
        const int index = type.metaObject()->indexOfEnumerator(shortName.constData());
        if (index >= 0) {
            const QMetaEnum enumerator = type.metaObject()->enumerator(index);
            if (enumerator.isFlag())
                return QStringLiteral("flags type %1 has no JSON form").arg(typeName(type));
            return enumeration(type, enumerator);
        }
    }
    return QStringLiteral("type %1 has no JSON form").arg(typeName(type));
}

std::variant<JsonType, QString> JsonType::of(const QMetaProperty &property)
{
    if (!property.isEnumType())
        return of(property.metaType());
    if (property.enumerator().isFlag())
        return QStringLiteral("flags type %1 has no JSON form").arg(typeName(property.metaType()));
    return enumeration(property.metaType(), property.enumerator());
}

QJsonObject JsonType::schema() const
{
    const auto typed = [](const char *type) {
        return QJsonObject{{QStringLiteral("type"), QLatin1String(type)}};
    };
    switch (m_kind) {
    case Kind::Integer:
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")},
                           {QStringLiteral("minimum"), m_minimum},
                           {QStringLiteral("maximum"), m_maximum}};
    case Kind::Number:
        return typed("number");
    case Kind::Float:
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("number")},
                           {QStringLiteral("minimum"), -double(std::numeric_limits<float>::max())},
                           {QStringLiteral("maximum"), double(std::numeric_limits<float>::max())}};
    case Kind::Boolean:
        return typed("boolean");
    case Kind::String:
        return typed("string");
    case Kind::StringList:
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                           {QStringLiteral("items"), typed("string")}};
    case Kind::JsonObject:
    case Kind::VariantMap:
        return typed("object");
    case Kind::JsonArray:
    case Kind::VariantList:
        return typed("array");
    case Kind::JsonValue:
        return QJsonObject();
    case Kind::Enum: {
        QJsonArray keys;
        for (int i = 0; i < m_enum.keyCount(); ++i)
            keys.append(QString::fromLatin1(m_enum.key(i)));
        return QJsonObject{{QStringLiteral("type"), QStringLiteral("string")},
                           {QStringLiteral("enum"), keys}};
    }
    }
    return QJsonObject();
}

std::optional<QVariant> JsonType::fromJson(const QJsonValue &value) const
{
    switch (m_kind) {
    case Kind::Integer: {
        // Two different fallbacks: equal results mean the value is an exact integer.
        const qint64 number = value.toInteger(0);
        if (number != value.toInteger(1) || number < m_minimum || number > m_maximum)
            return std::nullopt;
        switch (m_type.id()) {
        case QMetaType::Int:
            return integerVariant<int>(number);
        case QMetaType::UInt:
            return integerVariant<uint>(number);
        case QMetaType::Short:
            return integerVariant<short>(number);
        case QMetaType::UShort:
            return integerVariant<ushort>(number);
        case QMetaType::Long:
            return integerVariant<long>(number);
        case QMetaType::ULong:
            return integerVariant<ulong>(number);
        case QMetaType::LongLong:
            return integerVariant<qlonglong>(number);
        default:
            return integerVariant<qulonglong>(number);
        }
    }
    case Kind::Number:
        if (!value.isDouble())
            return std::nullopt;
        return QVariant(value.toDouble());
    case Kind::Float: {
        const double number = value.toDouble(std::nan(""));
        if (!value.isDouble() || std::abs(number) > double(std::numeric_limits<float>::max()))
            return std::nullopt;
        return QVariant(float(number));
    }
    case Kind::Boolean:
        if (!value.isBool())
            return std::nullopt;
        return QVariant(value.toBool());
    case Kind::String:
        if (!value.isString())
            return std::nullopt;
        return QVariant(value.toString());
    case Kind::StringList: {
        if (!value.isArray())
            return std::nullopt;
        QStringList strings;
        for (const QJsonValue &item : value.toArray()) {
            if (!item.isString())
                return std::nullopt;
            strings.append(item.toString());
        }
        return QVariant(strings);
    }
    case Kind::JsonObject:
        if (!value.isObject())
            return std::nullopt;
        return QVariant(value.toObject());
    case Kind::VariantMap:
        if (!value.isObject())
            return std::nullopt;
        return QVariant(value.toObject().toVariantMap());
    case Kind::JsonArray:
        if (!value.isArray())
            return std::nullopt;
        return QVariant(value.toArray());
    case Kind::VariantList:
        if (!value.isArray())
            return std::nullopt;
        return QVariant(value.toArray().toVariantList());
    case Kind::JsonValue:
        return QVariant(value);
    case Kind::Enum: {
        bool known = false;
        const int number = m_enum.keyToValue(value.toString().toLatin1().constData(), &known);
        if (!value.isString() || !known)
            return std::nullopt;
        // An enum's storage is that of its underlying integer type.
        QVariant converted(m_type);
        void *data = converted.data();
        switch (m_type.sizeOf()) {
        case 1:
            *static_cast<qint8 *>(data) = qint8(number);
            break;
        case 2:
            *static_cast<qint16 *>(data) = qint16(number);
            break;
        case 4:
            *static_cast<qint32 *>(data) = qint32(number);
            break;
        case 8:
            *static_cast<qint64 *>(data) = qint64(number);
            break;
        default:
            return std::nullopt;
        }
        return converted;
    }
    }
    return std::nullopt;
}

qint64 JsonType::readInteger(const void *data) const
{
    switch (m_type.sizeOf()) {
    case 1:
        return m_type.id() == QMetaType::UChar ? *static_cast<const quint8 *>(data)
                                               : *static_cast<const qint8 *>(data);
    case 2:
        return m_type.id() == QMetaType::UShort ? *static_cast<const quint16 *>(data)
                                                : *static_cast<const qint16 *>(data);
    case 4:
        return m_type.id() == QMetaType::UInt ||
                       (m_type.id() == QMetaType::ULong && sizeof(ulong) == 4)
                   ? qint64(*static_cast<const quint32 *>(data))
                   : qint64(*static_cast<const qint32 *>(data));
    default:
        return *static_cast<const qint64 *>(data);
    }
}

QJsonValue JsonType::toJson(const void *data) const
{
    if (!data)
        return QJsonValue();
    switch (m_kind) {
    case Kind::Integer: {
        if (m_type.id() == QMetaType::ULongLong ||
            (m_type.id() == QMetaType::ULong && sizeof(ulong) == 8)) {
            const quint64 number = *static_cast<const quint64 *>(data);
            if (number > quint64(std::numeric_limits<qint64>::max()))
                return double(number);
        }
        return readInteger(data);
    }
    case Kind::Number:
    case Kind::Float: {
        const double number = m_kind == Kind::Float ? double(*static_cast<const float *>(data))
                                                    : *static_cast<const double *>(data);
        // JSON has no infinities or NaN.
        return std::isfinite(number) ? QJsonValue(number) : QJsonValue();
    }
    case Kind::Boolean:
        return *static_cast<const bool *>(data);
    case Kind::String:
        return *static_cast<const QString *>(data);
    case Kind::StringList:
        return QJsonArray::fromStringList(*static_cast<const QStringList *>(data));
    case Kind::JsonObject:
        return *static_cast<const QJsonObject *>(data);
    case Kind::VariantMap:
        return QJsonObject::fromVariantMap(*static_cast<const QVariantMap *>(data));
    case Kind::JsonArray:
        return *static_cast<const QJsonArray *>(data);
    case Kind::VariantList:
        return QJsonArray::fromVariantList(*static_cast<const QVariantList *>(data));
    case Kind::JsonValue:
        return *static_cast<const QJsonValue *>(data);
    case Kind::Enum: {
        const qint64 number = readInteger(data);
        const char *key = m_enum.valueToKey(int(number));
        // A value that is no single key (a cast, a combination) is told as its number.
        return key ? QJsonValue(QString::fromLatin1(key)) : QJsonValue(number);
    }
    }
    return QJsonValue();
}

} // namespace CommandBridge
