// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "describedrows_p.h"

#include <QtCore/QJsonObject>

#include <algorithm>

namespace CommandBridge {

DescribedRows::DescribedRows(std::vector<Column> columns)
    : m_columns(std::move(columns))
{}

QVariant DescribedRows::value(int row, int role) const
{
    if (row < 0 || row >= count())
        return QVariant();
    if (role == Qt::DisplayRole)
        return m_rows[size_t(row)].first();
    const auto column = std::find_if(m_columns.cbegin(), m_columns.cend(),
                                     [role](const Column &c) { return c.role == role; });
    return column == m_columns.cend() ? QVariant()
                                      : m_rows[size_t(row)].at(int(column - m_columns.cbegin()));
}

QHash<int, QByteArray> DescribedRows::roleNames() const
{
    QHash<int, QByteArray> names;
    for (const Column &column : m_columns)
        names.insert(column.role, column.roleName);
    return names;
}

QVariantMap DescribedRows::row(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= count())
        return map;
    for (size_t i = 0; i < m_columns.size(); ++i)
        map.insert(QString::fromLatin1(m_columns[i].roleName), m_rows[size_t(row)].at(int(i)));
    return map;
}

int DescribedRows::indexOf(const QString &name) const
{
    const auto found =
        std::find_if(m_rows.cbegin(), m_rows.cend(),
                     [&name](const QVariantList &row) { return row.first().toString() == name; });
    return found == m_rows.cend() ? -1 : int(found - m_rows.cbegin());
}

QStringList DescribedRows::names() const
{
    QStringList names;
    names.reserve(count());
    for (const QVariantList &row : m_rows)
        names.append(row.first().toString());
    return names;
}

void DescribedRows::set(const QJsonArray &descriptions)
{
    m_json = descriptions;
    m_rows.clear();
    m_rows.reserve(size_t(descriptions.size()));
    for (const QJsonValue &value : descriptions) {
        const QJsonObject description = value.toObject();
        QVariantList row;
        row.reserve(qsizetype(m_columns.size()));
        for (const Column &column : m_columns) {
            const QJsonValue field = description.value(column.key);
            switch (column.kind) {
            case Kind::String:
                row.append(field.toString());
                break;
            case Kind::Int:
                row.append(field.toInt());
                break;
            case Kind::Object:
                row.append(field.toObject().toVariantMap());
                break;
            }
        }
        m_rows.push_back(std::move(row));
    }
}

} // namespace CommandBridge
