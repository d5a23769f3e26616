// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#include "commandlistmodel.h"

#include "describedrows_p.h"
#include "protocol_p.h"

namespace CommandBridge {

namespace Key = Protocol::Key;
using Kind = DescribedRows::Kind;

class CommandListModelPrivate
{
public:
    DescribedRows rows{{
        {CommandListModel::NameRole, QByteArrayLiteral("name"), Key::name, Kind::String},
        {CommandListModel::DescriptionRole, QByteArrayLiteral("description"), Key::description,
         Kind::String},
        {CommandListModel::ArgsSchemaRole, QByteArrayLiteral("argsSchema"), Key::argsSchema,
         Kind::Object},
        {CommandListModel::TimeoutMsRole, QByteArrayLiteral("timeoutMs"), Key::timeoutMs,
         Kind::Int},
    }};
};

CommandListModel::CommandListModel(QObject *parent)
    : QAbstractListModel(parent)
    , d(std::make_unique<CommandListModelPrivate>())
{}

CommandListModel::~CommandListModel() = default;

int CommandListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : d->rows.count();
}

QVariant CommandListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    return d->rows.value(index.row(), role);
}

QHash<int, QByteArray> CommandListModel::roleNames() const
{
    return d->rows.roleNames();
}

QVariantMap CommandListModel::get(int row) const
{
    return d->rows.row(row);
}

int CommandListModel::indexOf(const QString &name) const
{
    return d->rows.indexOf(name);
}

void CommandListModel::setCommands(const QJsonArray &commands)
{
    const int oldCount = rowCount();
    beginResetModel();
    d->rows.set(commands);
    endResetModel();
    if (rowCount() != oldCount)
        Q_EMIT countChanged();
}

QJsonArray CommandListModel::commandsJson() const
{
    return d->rows.json();
}

} // namespace CommandBridge
