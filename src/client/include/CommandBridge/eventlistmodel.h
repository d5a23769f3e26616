#pragma once

#include <CommandBridge/commandbridgeclient_export.h>

#include <QtCore/QAbstractListModel>
#include <QtCore/QJsonArray>
#include <QtCore/QVariantMap>

#include <memory>

namespace CommandBridge {

class EventListModelPrivate;

/// The events a server declares (its answer to `list_events`), one row per event, sorted by name
/// as the server sends them.
///
/// Ownership: owned by its CommandClient (CommandClient::events()), which refills it after each
/// hello from a server that offers events. Threads: use it on the client's thread only.
class COMMANDBRIDGECLIENT_EXPORT EventListModel : public QAbstractListModel
{
    Q_OBJECT

    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    enum Role {
        NameRole = Qt::UserRole + 1, ///< "name": QString
        DescriptionRole,             ///< "description": QString
        DataSchemaRole,              ///< "dataSchema": QVariantMap (the JSON Schema of `data`)
        ScopeRole,                   ///< "scope": QString, "global" or "session"
    };
    Q_ENUM(Role)

    explicit EventListModel(QObject *parent = nullptr);
    ~EventListModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    /// The row as a map with the role names as keys; empty for a row out of range.
    Q_INVOKABLE QVariantMap get(int row) const;
    /// Row of the event called \a name, -1 if the server declares none.
    Q_INVOKABLE int indexOf(const QString &name) const;
    /// The names of all rows, in order.
    Q_INVOKABLE QStringList names() const;

    /// Replaces the rows with the `events` array of an `events` message.
    void setEvents(const QJsonArray &events);
    /// The `events` array the rows came from.
    QJsonArray eventsJson() const;

Q_SIGNALS:
    void countChanged();

private:
    std::unique_ptr<EventListModelPrivate> d;
};

} // namespace CommandBridge
