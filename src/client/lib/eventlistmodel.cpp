// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "eventlistmodel.h"

#include "describedrows_p.h"
#include "protocol_p.h"

namespace CommandBridge {

namespace Key = Protocol::Key;
using Kind = DescribedRows::Kind;

class EventListModelPrivate
{
public:
    DescribedRows rows{{
        {EventListModel::NameRole, QByteArrayLiteral("name"), Key::name, Kind::String},
        {EventListModel::DescriptionRole, QByteArrayLiteral("description"), Key::description,
         Kind::String},
        {EventListModel::DataSchemaRole, QByteArrayLiteral("dataSchema"), Key::dataSchema,
         Kind::Object},
        {EventListModel::ScopeRole, QByteArrayLiteral("scope"), Key::scope, Kind::String},
    }};
};

EventListModel::EventListModel(QObject *parent)
    : QAbstractListModel(parent)
    , d(std::make_unique<EventListModelPrivate>())
{}

EventListModel::~EventListModel() = default;

int EventListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : d->rows.count();
}

QVariant EventListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    return d->rows.value(index.row(), role);
}

QHash<int, QByteArray> EventListModel::roleNames() const
{
    return d->rows.roleNames();
}

QVariantMap EventListModel::get(int row) const
{
    return d->rows.row(row);
}

int EventListModel::indexOf(const QString &name) const
{
    return d->rows.indexOf(name);
}

QStringList EventListModel::names() const
{
    return d->rows.names();
}

void EventListModel::setEvents(const QJsonArray &events)
{
    const int oldCount = rowCount();
    beginResetModel();
    d->rows.set(events);
    endResetModel();
    if (rowCount() != oldCount)
        Q_EMIT countChanged();
}

QJsonArray EventListModel::eventsJson() const
{
    return d->rows.json();
}

} // namespace CommandBridge
