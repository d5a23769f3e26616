// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QStringList>
#include <QtCore/QVariant>

#include <vector>

namespace CommandBridge {

/// The rows of a list model filled from a server's descriptions (its `commands` or `events`
/// array): one row per description, one value per role, each read from one key.
class DescribedRows
{
public:
    enum class Kind { String, Int, Object };
    struct Column
    {
        int role;
        QByteArray roleName;
        QLatin1String key;
        Kind kind;
    };

    /// The first column is the name, which Qt::DisplayRole shows too.
    explicit DescribedRows(std::vector<Column> columns);

    int count() const { return int(m_rows.size()); }
    QVariant value(int row, int role) const;
    QHash<int, QByteArray> roleNames() const;
    /// The row as a map with the role names as keys; empty for a row out of range.
    QVariantMap row(int row) const;
    int indexOf(const QString &name) const;
    QStringList names() const;

    void set(const QJsonArray &descriptions);
    const QJsonArray &json() const { return m_json; }

private:
    std::vector<Column> m_columns;
    QJsonArray m_json;
    std::vector<QVariantList> m_rows;
};

} // namespace CommandBridge
