// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include "valijson_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <utility>

namespace CommandBridge {

class QtJsonAdapter;

/// The parts valijson's BasicAdapter is assembled from, for QtJsonAdapter.
namespace QtJson {

/// Whole numbers below this magnitude are integers. Args with larger numbers are refused before
/// validation (SchemaValidator), because valijson casts numbers to int64_t for some checks.
inline constexpr double integerLimit = 9.2e18;

/// Whether \a value is a JSON Schema "integer": a whole number, of magnitude below integerLimit.
inline bool isInteger(const QJsonValue &value)
{
    if (!value.isDouble())
        return false;
    const double number = value.toDouble();
    return std::trunc(number) == number && std::abs(number) < integerLimit;
}

using ObjectMember = std::pair<std::string, QtJsonAdapter>;

/// Dereferences to an adapter made on the spot, as valijson's iterators do.
class ArrayIterator
{
public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = QtJsonAdapter;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = QtJsonAdapter;

    explicit ArrayIterator(QJsonArray::const_iterator position)
        : m_position(position)
    {}
    QtJsonAdapter operator*() const;
    valijson::adapters::DerefProxy<QtJsonAdapter> operator->() const;
    bool operator==(const ArrayIterator &other) const { return m_position == other.m_position; }
    bool operator!=(const ArrayIterator &other) const { return m_position != other.m_position; }
    ArrayIterator &operator++()
    {
        ++m_position;
        return *this;
    }
    ArrayIterator operator++(int)
    {
        ArrayIterator before = *this;
        ++m_position;
        return before;
    }
    ArrayIterator &operator--()
    {
        --m_position;
        return *this;
    }
    /// valijson skips the items a tuple schema has checked with this.
    void advance(std::ptrdiff_t count) { m_position += count; }

private:
    QJsonArray::const_iterator m_position;
};

class ObjectIterator
{
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = ObjectMember;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = ObjectMember;

    explicit ObjectIterator(QJsonObject::const_iterator position)
        : m_position(position)
    {}
    ObjectMember operator*() const;
    valijson::adapters::DerefProxy<ObjectMember> operator->() const;
    bool operator==(const ObjectIterator &other) const { return m_position == other.m_position; }
    bool operator!=(const ObjectIterator &other) const { return m_position != other.m_position; }
    ObjectIterator &operator++()
    {
        ++m_position;
        return *this;
    }
    ObjectIterator operator++(int)
    {
        ObjectIterator before = *this;
        ++m_position;
        return before;
    }

private:
    QJsonObject::const_iterator m_position;
};

class Array
{
public:
    using const_iterator = ArrayIterator;
    using iterator = ArrayIterator;

    Array() = default;
    explicit Array(const QJsonValue &value)
        : m_array(value.toArray())
    {
        if (!value.isArray())
            valijson::throwRuntimeError("Value is not an array.");
    }
    ArrayIterator begin() const { return ArrayIterator(m_array.begin()); }
    ArrayIterator end() const { return ArrayIterator(m_array.end()); }
    std::size_t size() const { return std::size_t(m_array.size()); }

private:
    QJsonArray m_array;
};

class Object
{
public:
    using const_iterator = ObjectIterator;
    using iterator = ObjectIterator;

    Object() = default;
    explicit Object(const QJsonValue &value)
        : m_object(value.toObject())
    {
        if (!value.isObject())
            valijson::throwRuntimeError("Value is not an object.");
    }
    ObjectIterator begin() const { return ObjectIterator(m_object.begin()); }
    ObjectIterator end() const { return ObjectIterator(m_object.end()); }
    ObjectIterator find(const std::string &name) const
    {
        return ObjectIterator(m_object.find(QString::fromStdString(name)));
    }
    std::size_t size() const { return std::size_t(m_object.size()); }

private:
    QJsonObject m_object;
};

/// A copy of a value kept by the schema, for "enum" and "const".
class FrozenValue final : public valijson::adapters::FrozenValue
{
public:
    explicit FrozenValue(QJsonValue value)
        : m_value(std::move(value))
    {}
    valijson::adapters::FrozenValue *clone() const override { return new FrozenValue(m_value); }
    bool equalTo(const valijson::adapters::Adapter &other, bool strict) const override;

private:
    QJsonValue m_value;
};

/// How BasicAdapter reads a QJsonValue. Like valijson's Qt adapter except for integers, which
/// it read with toInt(): a whole number beyond int's range was no integer, and read as 0.
class Value
{
public:
    Value() = default;
    Value(QJsonValue value)
        : m_value(std::move(value))
    {}

    valijson::adapters::FrozenValue *freeze() const { return new FrozenValue(m_value); }

    opt::optional<Array> getArrayOptional() const
    {
        if (!m_value.isArray())
            return opt::nullopt;
        return Array(m_value);
    }
    bool getArraySize(std::size_t &result) const
    {
        if (!m_value.isArray())
            return false;
        result = std::size_t(m_value.toArray().size());
        return true;
    }
    opt::optional<Object> getObjectOptional() const
    {
        if (!m_value.isObject())
            return opt::nullopt;
        return Object(m_value);
    }
    bool getObjectSize(std::size_t &result) const
    {
        if (!m_value.isObject())
            return false;
        result = std::size_t(m_value.toObject().size());
        return true;
    }
    bool getBool(bool &result) const
    {
        if (!m_value.isBool())
            return false;
        result = m_value.toBool();
        return true;
    }
    bool getDouble(double &result) const
    {
        if (!m_value.isDouble())
            return false;
        result = m_value.toDouble();
        return true;
    }
    /// Exact for integers (QJsonValue keeps those parsed without fraction or exponent as
    /// qint64); 0 for other numbers, as valijson's adapter gives.
    bool getInteger(std::int64_t &result) const
    {
        if (!m_value.isDouble())
            return false;
        result = m_value.toInteger();
        return true;
    }
    bool getString(std::string &result) const
    {
        if (!m_value.isString())
            return false;
        result = m_value.toString().toStdString();
        return true;
    }

    static bool hasStrictTypes() { return true; }
    bool isArray() const { return m_value.isArray(); }
    bool isBool() const { return m_value.isBool(); }
    bool isDouble() const { return m_value.isDouble(); }
    bool isInteger() const { return QtJson::isInteger(m_value); }
    bool isNull() const { return m_value.isNull(); }
    bool isNumber() const { return m_value.isDouble(); }
    bool isObject() const { return m_value.isObject(); }
    bool isString() const { return m_value.isString(); }

private:
    QJsonValue m_value;
};

} // namespace QtJson

/// valijson's view of a QJsonValue, for schemas and the values checked against them. Unlike
/// valijson's own Qt adapter, a whole number up to QtJson::integerLimit is an "integer" and is
/// read exactly.
class QtJsonAdapter final
    : public valijson::adapters::BasicAdapter<QtJsonAdapter, QtJson::Array, QtJson::ObjectMember,
                                              QtJson::Object, QtJson::Value>
{
public:
    explicit QtJsonAdapter(const QJsonValue &value)
        : BasicAdapter(value)
    {}
};

namespace QtJson {

inline QtJsonAdapter ArrayIterator::operator*() const
{
    return QtJsonAdapter(*m_position);
}

inline valijson::adapters::DerefProxy<QtJsonAdapter> ArrayIterator::operator->() const
{
    return valijson::adapters::DerefProxy<QtJsonAdapter>(**this);
}

inline ObjectMember ObjectIterator::operator*() const
{
    return ObjectMember(m_position.key().toStdString(), QtJsonAdapter(m_position.value()));
}

inline valijson::adapters::DerefProxy<ObjectMember> ObjectIterator::operator->() const
{
    return valijson::adapters::DerefProxy<ObjectMember>(**this);
}

inline bool FrozenValue::equalTo(const valijson::adapters::Adapter &other, bool strict) const
{
    return QtJsonAdapter(m_value).equalTo(other, strict);
}

} // namespace QtJson
} // namespace CommandBridge

namespace valijson::adapters {

template <> struct AdapterTraits<CommandBridge::QtJsonAdapter>
{
    using DocumentType = QJsonValue;
    static std::string adapterName() { return "CommandBridge::QtJsonAdapter"; }
};

} // namespace valijson::adapters
