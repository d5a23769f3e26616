#include "eventlistmodel.h"

#include "protocol_p.h"

#include <QtCore/QJsonObject>

#include <algorithm>
#include <vector>

namespace CommandBridge {

namespace Key = Protocol::Key;

namespace {

struct EventRow
{
    QString name;
    QString description;
    QVariantMap dataSchema;
    QString scope;
};

} // namespace

class EventListModelPrivate
{
public:
    QJsonArray json;
    std::vector<EventRow> rows;
};

EventListModel::EventListModel(QObject *parent)
    : QAbstractListModel(parent)
    , d(std::make_unique<EventListModelPrivate>())
{}

EventListModel::~EventListModel() = default;

int EventListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(d->rows.size());
}

QVariant EventListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return QVariant();
    const EventRow &row = d->rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return row.name;
    case DescriptionRole:
        return row.description;
    case DataSchemaRole:
        return row.dataSchema;
    case ScopeRole:
        return row.scope;
    default:
        return QVariant();
    }
}

QHash<int, QByteArray> EventListModel::roleNames() const
{
    return {{NameRole, QByteArrayLiteral("name")},
            {DescriptionRole, QByteArrayLiteral("description")},
            {DataSchemaRole, QByteArrayLiteral("dataSchema")},
            {ScopeRole, QByteArrayLiteral("scope")}};
}

QVariantMap EventListModel::get(int row) const
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

int EventListModel::indexOf(const QString &name) const
{
    const auto found = std::find_if(d->rows.cbegin(), d->rows.cend(),
                                    [&name](const EventRow &row) { return row.name == name; });
    return found == d->rows.cend() ? -1 : int(found - d->rows.cbegin());
}

QStringList EventListModel::names() const
{
    QStringList names;
    names.reserve(rowCount());
    for (const EventRow &row : d->rows)
        names.append(row.name);
    return names;
}

void EventListModel::setEvents(const QJsonArray &events)
{
    const int oldCount = rowCount();
    beginResetModel();
    d->json = events;
    d->rows.clear();
    d->rows.reserve(size_t(events.size()));
    for (const QJsonValue &value : events) {
        const QJsonObject event = value.toObject();
        d->rows.push_back(EventRow{event.value(Key::name).toString(),
                                   event.value(Key::description).toString(),
                                   event.value(Key::dataSchema).toObject().toVariantMap(),
                                   event.value(Key::scope).toString()});
    }
    endResetModel();
    if (rowCount() != oldCount)
        Q_EMIT countChanged();
}

QJsonArray EventListModel::eventsJson() const
{
    return d->json;
}

} // namespace CommandBridge
