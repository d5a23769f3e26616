// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

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
    /// The data roles, by the names QML delegates use.
    enum Role {
        NameRole = Qt::UserRole + 1, ///< "name": QString
        DescriptionRole,             ///< "description": QString
        DataSchemaRole,              ///< "dataSchema": QVariantMap (the JSON Schema of `data`)
        ScopeRole,                   ///< "scope": QString, "global" or "session"
    };
    Q_ENUM(Role)

    /// An empty model; a CommandClient fills the one it owns.
    explicit EventListModel(QObject *parent = nullptr);
    ~EventListModel() override;

    /// The number of events (the `count` property); 0 under a valid \a parent.
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    /// The \a role of the row at \a index; Qt::DisplayRole is the name. An invalid QVariant for
    /// an index out of range or an unknown role.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The Role values and their names.
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
    /// rowCount() changed.
    void countChanged();

private:
    std::unique_ptr<EventListModelPrivate> d;
};

} // namespace CommandBridge
