// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge
import "format.js" as Format

// One call: state, command and args, elapsed time, progress bar and latest message while it
// runs, then the result as JSON or the error's code and message. Everything is a binding to the
// call's properties, so a command streaming thousands of progress messages costs one repaint per
// frame, not one delegate per message.
Rectangle {
    id: card

    // Null for a moment when the client deletes a cleared call before its delegate goes: hence
    // the `?.` below.
    required property CommandCall call
    readonly property bool running: call?.state === CommandCall.Running
    readonly property bool succeeded: call?.state === CommandCall.Succeeded
    readonly property color tint: {
        switch (call?.state) {
        case CommandCall.Running: return Theme.accent;
        case CommandCall.Succeeded: return Theme.success;
        case CommandCall.Failed: return Theme.danger;
        case CommandCall.Disconnected: return Theme.warning;
        default: return Theme.neutral;
        }
    }

    objectName: "call_" + call?.requestId
    implicitHeight: column.implicitHeight + 24
    radius: Theme.radius
    color: Theme.surface
    border.color: running ? "#bcd0f7" : Theme.border

    Rectangle {
        width: 3
        height: parent.height - 16
        x: 0
        y: 8
        radius: 2
        color: card.tint
    }

    ColumnLayout {
        id: column
        anchors.left: parent.left
        anchors.right: parent.right
        anchors.top: parent.top
        anchors.margins: 12
        anchors.leftMargin: 16
        spacing: 8

        RowLayout {
            Layout.fillWidth: true
            spacing: 8

            StatusPill {
                objectName: "stateBadge"
                text: {
                    switch (card.call?.state) {
                    case CommandCall.Running: return qsTr("Running");
                    case CommandCall.Succeeded: return qsTr("Succeeded");
                    case CommandCall.Failed: return qsTr("Failed");
                    case CommandCall.Cancelled: return qsTr("Cancelled");
                    default: return qsTr("Disconnected");
                    }
                }
                tint: card.tint
                fill: {
                    switch (card.call?.state) {
                    case CommandCall.Running: return Theme.accentSoft;
                    case CommandCall.Succeeded: return Theme.successSoft;
                    case CommandCall.Failed: return Theme.dangerSoft;
                    case CommandCall.Disconnected: return Theme.warningSoft;
                    default: return Theme.neutralSoft;
                    }
                }
            }
            Label {
                text: card.call?.command ?? ""
                font.family: Theme.monoFamily
                font.weight: Font.DemiBold
                color: Theme.text
            }
            Label {
                Layout.fillWidth: true
                text: Format.compactJson(card.call?.args, 80)
                font.family: Theme.monoFamily
                font.pixelSize: 12
                color: Theme.muted
                elide: Text.ElideRight
            }
            Label {
                objectName: "elapsed"
                text: "#" + card.call?.requestId + "  ·  " + Format.elapsed(card.call?.elapsedMs)
                font.pixelSize: 12
                color: Theme.muted
            }
            ActionButton {
                objectName: "cancelButton"
                visible: card.running
                implicitHeight: 26
                danger: true
                text: qsTr("Cancel")
                onClicked: card.call?.cancel()
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            visible: card.running || card.call?.progress >= 0

            ProgressBar {
                id: bar
                objectName: "progressBar"
                Layout.fillWidth: true
                from: 0
                to: 100
                value: Math.max(0, card.call?.progress ?? 0)
                indeterminate: card.running && card.call?.progress < 0

                background: Rectangle {
                    implicitHeight: 6
                    implicitWidth: 200
                    radius: 3
                    color: Theme.neutralSoft
                }
                contentItem: Item {
                    implicitHeight: 6
                    Rectangle {
                        visible: !bar.indeterminate
                        width: bar.visualPosition * parent.width
                        height: parent.height
                        radius: 3
                        color: card.tint
                    }
                    Rectangle {
                        visible: bar.indeterminate
                        width: bar.width / 4
                        height: parent.height
                        radius: 3
                        color: card.tint
                        XAnimator on x {
                            running: bar.indeterminate && bar.visible
                            from: -bar.width / 4
                            to: bar.width
                            duration: 1200
                            loops: Animation.Infinite
                        }
                    }
                }
            }
            Label {
                Layout.preferredWidth: 44
                horizontalAlignment: Text.AlignRight
                text: card.call?.progress < 0 ? "" : Math.floor(card.call?.progress) + " %"
                font.pixelSize: 12
                color: Theme.muted
            }
        }

        Label {
            objectName: "messageText"
            Layout.fillWidth: true
            visible: card.running && text !== ""
            text: card.call?.message ?? ""
            font.pixelSize: 12
            color: Theme.muted
            elide: Text.ElideRight
        }

        RowLayout {
            Layout.fillWidth: true
            visible: !card.running && !card.succeeded
            spacing: 8
            Rectangle {
                implicitWidth: codeLabel.implicitWidth + 12
                implicitHeight: codeLabel.implicitHeight + 6
                radius: 4
                color: card.call?.state === CommandCall.Failed ? Theme.dangerSoft : Theme.neutralSoft
                Label {
                    id: codeLabel
                    anchors.centerIn: parent
                    text: card.call?.errorCode ?? ""
                    font.family: Theme.monoFamily
                    font.pixelSize: 12
                    color: card.tint
                }
            }
            Label {
                objectName: "errorText"
                Layout.fillWidth: true
                text: card.call?.errorMessage ?? ""
                color: Theme.text
                wrapMode: Text.Wrap
            }
        }
        Repeater {
            model: card.running ? [] : card.call?.errorDetails ?? []
            delegate: Label {
                required property var modelData
                Layout.fillWidth: true
                text: "• " + (modelData.path !== "" ? modelData.path + "  " : "") + modelData.message
                font.pixelSize: 12
                color: Theme.muted
                wrapMode: Text.Wrap
            }
        }

        JsonView {
            objectName: "resultView"
            Layout.fillWidth: true
            visible: card.succeeded
            value: card.succeeded ? card.call?.result : null
        }
    }
}
