// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic

// The calls of this panel: those still running on top, then the finished ones, newest first.
Card {
    id: card

    // Rows with a "call" role: the running calls first, then the finished ones.
    property alias calls: list.model
    property int runningCount
    readonly property int finishedCount: list.count - runningCount

    signal clearRequested()

    title: qsTr("Activity")
    subtitle: qsTr("%1 running  ·  %2 finished").arg(runningCount).arg(finishedCount)
    actions: ActionButton {
        objectName: "clearButton"
        implicitHeight: 28
        enabled: card.finishedCount > 0
        text: qsTr("Clear finished")
        onClicked: card.clearRequested()
    }

    ListView {
        id: list
        objectName: "callList"
        anchors.fill: parent
        anchors.margins: 12
        clip: true
        spacing: 8
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { }
        delegate: CallCard {
            width: ListView.view.width - 4
        }

        Label {
            anchors.centerIn: parent
            width: parent.width - 40
            visible: list.count === 0
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            color: Theme.muted
            text: qsTr("Calls you run appear here with their progress and results.")
        }
    }
}
