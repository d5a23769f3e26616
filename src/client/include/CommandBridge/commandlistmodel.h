// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

#pragma once

#include <CommandBridge/commandbridgeclient_export.h>

#include <QtCore/QAbstractListModel>
#include <QtCore/QJsonArray>
#include <QtCore/QVariantMap>

#include <memory>

namespace CommandBridge {

class CommandListModelPrivate;

/// The commands a server offers (its `commands` message), one row per command, in server order.
///
/// Ownership: owned by its CommandClient (CommandClient::commands()), which refills it after each
/// hello. Threads: use it on the client's thread only.
class COMMANDBRIDGECLIENT_EXPORT CommandListModel : public QAbstractListModel
{
    Q_OBJECT

    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)

public:
    /// The data roles, by the names QML delegates use.
    enum Role {
        NameRole = Qt::UserRole + 1, ///< "name": QString
        DescriptionRole,             ///< "description": QString
        ArgsSchemaRole,              ///< "argsSchema": QVariantMap (the JSON Schema of the args)
        TimeoutMsRole,               ///< "timeoutMs": int, the command's default timeout
    };
    Q_ENUM(Role)

    /// An empty model; a CommandClient fills the one it owns.
    explicit CommandListModel(QObject *parent = nullptr);
    ~CommandListModel() override;

    /// The number of commands (the `count` property); 0 under a valid \a parent.
    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    /// The \a role of the row at \a index; Qt::DisplayRole is the name. An invalid QVariant for
    /// an index out of range or an unknown role.
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    /// The Role values and their names.
    QHash<int, QByteArray> roleNames() const override;

    /// The row as a map with the role names as keys; empty for a row out of range.
    Q_INVOKABLE QVariantMap get(int row) const;
    /// Row of the command called \a name, -1 if the server has none.
    Q_INVOKABLE int indexOf(const QString &name) const;

    /// Replaces the rows with the `commands` array of a `commands` message.
    void setCommands(const QJsonArray &commands);
    /// The `commands` array the rows came from.
    QJsonArray commandsJson() const;

Q_SIGNALS:
    /// rowCount() changed.
    void countChanged();

private:
    std::unique_ptr<CommandListModelPrivate> d;
};

} // namespace CommandBridge
