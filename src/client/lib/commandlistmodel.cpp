#include "commandlistmodel.h"

#include "protocol_p.h"

#include <QtCore/QJsonObject>

#include <algorithm>
#include <vector>

namespace CommandBridge {

namespace Key = Protocol::Key;

namespace {

struct CommandRow
{
    QString name;
    QString description;
    QVariantMap argsSchema;
    int timeoutMs = 0;
};

} // namespace

class CommandListModelPrivate
{
public:
    QJsonArray json;
    std::vector<CommandRow> rows;
};

CommandListModel::CommandListModel(QObject *parent)
    : QAbstractListModel(parent)
    , d(std::make_unique<CommandListModelPrivate>())
{}

CommandListModel::~CommandListModel() = default;

int CommandListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

QVariant CommandListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const CommandRow &row = d->rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.name;
    case DescriptionRole:
        return row.description;
    case ArgsSchemaRole:
        return row.argsSchema;
    case TimeoutMsRole:
        return row.timeoutMs;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> CommandListModel::roleNames() const
{
    return {{NameRole, QByteArrayLiteral("name")},
            {DescriptionRole, QByteArrayLiteral("description")},
            {ArgsSchemaRole, QByteArrayLiteral("argsSchema")},
            {TimeoutMsRole, QByteArrayLiteral("timeoutMs")}};
}

QVariantMap CommandListModel::get(int row) const
{
    QVariantMap map;
    if (row < 0 || row >= rowCount())
        return map;
    const QModelIndex at = index(row);
    const QHash<int, QByteArray> roles = roleNames();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it)
        map.insert(QString::fromLatin1(it.value()), data(at, it.key()));
    return map;
}

int CommandListModel::indexOf(const QString &name) const
{
    const auto found = std::find_if(d->rows.cbegin(), d->rows.cend(),
                                    [&name](const CommandRow &row) { return row.name == name; });
    return found == d->rows.cend() ? -1 : int(found - d->rows.cbegin());
}

void CommandListModel::setCommands(const QJsonArray &commands)
{
    const int oldCount = rowCount();
    beginResetModel();
    d->json = commands;
    d->rows.clear();
    d->rows.reserve(size_t(commands.size()));
    for (const QJsonValue &value : commands) {
        const QJsonObject command = value.toObject();
        d->rows.push_back(CommandRow{command.value(Key::name).toString(),
                                     command.value(Key::description).toString(),
                                     command.value(Key::argsSchema).toObject().toVariantMap(),
                                     command.value(Key::timeoutMs).toInt()});
    }
    endResetModel();
    if (rowCount() != oldCount)
        Q_EMIT countChanged();
}

QJsonArray CommandListModel::commandsJson() const
{
    return d->json;
}

} // namespace CommandBridge
