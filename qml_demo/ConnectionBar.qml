// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge
import "format.js" as Format

// URL and token of the bridge, connect/disconnect, and where the connection stands.
Rectangle {
    id: bar

    required property CommandClient client
    property alias url: urlField.text
    property alias token: tokenField.text
    // The server's latest `stats` event data and in-flight history, for the live figure.
    property alias stats: statsFigure.stats
    property alias statsHistory: statsFigure.history

    function toggleConnection() {
        if (client.state === CommandClient.Disconnected) {
            client.url = urlField.text.trim();
            client.token = tokenField.text;
            client.connectToServer();
        } else {
            client.disconnectFromServer();
        }
    }

    implicitHeight: 60
    color: Theme.surface

    Rectangle {
        anchors.bottom: parent.bottom
        width: parent.width
        height: 1
        color: Theme.border
    }

    RowLayout {
        anchors.fill: parent
        anchors.leftMargin: 20
        anchors.rightMargin: 20
        spacing: 10

        Rectangle {
            implicitWidth: 28
            implicitHeight: 28
            radius: 7
            color: Theme.accent
            Label {
                anchors.centerIn: parent
                text: "⌘"
                color: "white"
                font.pixelSize: 16
                font.bold: true
            }
        }
        ColumnLayout {
            spacing: 0
            Label {
                text: "CommandBridge"
                font.pixelSize: Theme.titleFontSize
                font.weight: Font.Bold
                color: Theme.text
            }
            Label {
                text: qsTr("command panel")
                font.pixelSize: Theme.smallFontSize
                color: Theme.muted
            }
        }

        Item { implicitWidth: 16 }

        Label {
            text: qsTr("URL")
            color: Theme.muted
        }
        ColumnLayout {
            Layout.fillWidth: true
            Layout.minimumWidth: 200
            Layout.maximumWidth: 420
            spacing: 1
            InputField {
                id: urlField
                objectName: "urlField"
                Layout.fillWidth: true
                implicitHeight: 28
                text: "ws://127.0.0.1:8080/ws"
                font.family: Theme.monoFamily
                font.pixelSize: 12
                enabled: bar.client.state === CommandClient.Disconnected
                onAccepted: bar.toggleConnection()
            }
            // Where an AI agent reaches the same commands (docs/mcp.md).
            Label {
                objectName: "mcpUrl"
                Layout.fillWidth: true
                readonly property string url: Format.mcpUrl(urlField.text)
                visible: url !== ""
                text: qsTr("MCP %1").arg(url)
                font.family: Theme.monoFamily
                font.pixelSize: Theme.smallFontSize
                color: Theme.muted
                elide: Text.ElideRight
            }
        }
        Label {
            text: qsTr("Token")
            color: Theme.muted
        }
        InputField {
            id: tokenField
            objectName: "tokenField"
            Layout.preferredWidth: 150
            placeholderText: qsTr("none")
            echoMode: TextInput.Password
            enabled: bar.client.state === CommandClient.Disconnected
            onAccepted: bar.toggleConnection()
        }
        ActionButton {
            id: connectButton
            objectName: "connectButton"
            Layout.preferredWidth: 110
            primary: bar.client.state === CommandClient.Disconnected
            text: bar.client.state === CommandClient.Disconnected ? qsTr("Connect")
                                                                  : qsTr("Disconnect")
            onClicked: bar.toggleConnection()
        }

        Item { Layout.fillWidth: true }

        StatsFigure {
            id: statsFigure
            objectName: "statsFigure"
            Layout.rightMargin: 8
        }
        StatusPill {
            id: status
            objectName: "connectionStatus"
            dot: true
            pulsing: bar.client.state === CommandClient.Connecting
                     || bar.client.state === CommandClient.Reconnecting
            text: {
                switch (bar.client.state) {
                case CommandClient.Connected: return qsTr("Connected");
                case CommandClient.Connecting: return qsTr("Connecting");
                case CommandClient.Reconnecting: return qsTr("Reconnecting");
                default: return qsTr("Disconnected");
                }
            }
            tint: bar.client.state === CommandClient.Connected ? Theme.success
                  : bar.client.state === CommandClient.Disconnected ? Theme.neutral : Theme.warning
            fill: bar.client.state === CommandClient.Connected ? Theme.successSoft
                  : bar.client.state === CommandClient.Disconnected ? Theme.neutralSoft : Theme.warningSoft
        }
        ColumnLayout {
            spacing: 0
            Layout.preferredWidth: 230
            Label {
                objectName: "sessionLabel"
                Layout.fillWidth: true
                visible: bar.client.sessionId !== ""
                text: qsTr("session")
                font.pixelSize: Theme.smallFontSize
                color: Theme.muted
            }
            Label {
                Layout.fillWidth: true
                visible: bar.client.sessionId !== ""
                text: bar.client.sessionId
                font.family: Theme.monoFamily
                font.pixelSize: 12
                color: Theme.text
                elide: Text.ElideMiddle
            }
            Label {
                objectName: "connectionError"
                Layout.fillWidth: true
                visible: bar.client.sessionId === "" && bar.client.errorString !== ""
                text: bar.client.errorString
                color: Theme.danger
                font.pixelSize: Theme.smallFontSize
                wrapMode: Text.Wrap
                maximumLineCount: 2
                elide: Text.ElideRight
            }
        }
    }
}
