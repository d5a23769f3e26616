// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge

// The server's commands with their descriptions; clicking one selects it.
Card {
    id: card

    required property CommandClient client
    property string selected

    title: qsTr("Commands")
    subtitle: client.commands.count > 0 ? client.commands.count : ""

    ListView {
        id: list
        objectName: "commandList"
        anchors.fill: parent
        anchors.margins: 6
        clip: true
        spacing: 2
        model: card.client.commands
        currentIndex: card.client.commands.count > 0 ? card.client.commands.indexOf(card.selected) : -1
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { }

        delegate: Rectangle {
            id: row

            required property int index
            required property string name
            required property string description
            required property var argsSchema
            readonly property bool current: ListView.isCurrentItem
            readonly property int argCount: {
                const properties = argsSchema && argsSchema.properties ? argsSchema.properties : {};
                return Object.keys(properties).filter(key => key !== "session_id").length;
            }
            // No declared properties and extra ones allowed: any object goes (like echo).
            readonly property bool anyArgs: argCount === 0 && !!argsSchema
                                            && argsSchema.additionalProperties !== false

            objectName: "command_" + name
            width: ListView.view.width
            implicitHeight: column.implicitHeight + 18
            radius: 6
            color: current ? Theme.accentSoft : mouse.containsMouse ? Theme.surfaceAlt : "transparent"

            Rectangle {
                visible: row.current
                x: 0
                y: 8
                width: 3
                height: parent.height - 16
                radius: 2
                color: Theme.accent
            }
            ColumnLayout {
                id: column
                anchors.left: parent.left
                anchors.right: parent.right
                anchors.verticalCenter: parent.verticalCenter
                anchors.leftMargin: 14
                anchors.rightMargin: 10
                spacing: 3

                RowLayout {
                    Layout.fillWidth: true
                    Label {
                        Layout.fillWidth: true
                        text: row.name
                        font.family: Theme.monoFamily
                        font.weight: Font.DemiBold
                        color: row.current ? Theme.accent : Theme.text
                        elide: Text.ElideRight
                    }
                    Label {
                        text: row.anyArgs ? qsTr("any args")
                              : row.argCount === 0 ? qsTr("no args")
                                                 : row.argCount === 1 ? qsTr("1 arg")
                                                                      : qsTr("%1 args").arg(row.argCount)
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.muted
                    }
                }
                Label {
                    Layout.fillWidth: true
                    text: row.description
                    color: Theme.muted
                    wrapMode: Text.Wrap
                    maximumLineCount: 2
                    elide: Text.ElideRight
                }
            }
            MouseArea {
                id: mouse
                anchors.fill: parent
                hoverEnabled: true
                cursorShape: Qt.PointingHandCursor
                onClicked: card.selected = row.name
            }
        }

        Label {
            anchors.centerIn: parent
            width: parent.width - 40
            visible: list.count === 0
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.muted
            text: card.client.state === CommandClient.Connected ? qsTr("The server has no commands.")
                                                               : qsTr("Connect to a bridge to see its commands.")
        }
    }
}
