// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// The server's `stats` event as a small live figure: connections, commands in flight, and the
// in-flight count of the last samples as bars.
RowLayout {
    id: figure

    // The latest `stats` data ({connections, sessions, in_flight}); null hides the figure.
    property var stats: null
    // in_flight of the latest samples, oldest first.
    property var history: []
    readonly property int peak: Math.max(1, ...history)

    spacing: 12
    visible: stats !== null

    component Figure: ColumnLayout {
        property alias label: caption.text
        property alias value: number.text
        property alias valueName: number.objectName
        spacing: 0
        Label {
            id: caption
            font.pixelSize: Theme.smallFontSize
            color: Theme.muted
        }
        Label {
            id: number
            font.family: Theme.monoFamily
            font.pixelSize: 15
            font.weight: Font.DemiBold
            color: Theme.text
        }
    }

    Figure {
        label: qsTr("connections")
        valueName: "statConnections"
        value: figure.stats ? figure.stats.connections : ""
    }
    Figure {
        label: qsTr("in flight")
        valueName: "statInFlight"
        value: figure.stats ? figure.stats.in_flight : ""
    }
    Row {
        objectName: "inFlightBars"
        Layout.alignment: Qt.AlignVCenter
        spacing: 2
        height: 26

        Repeater {
            model: figure.history
            delegate: Rectangle {
                required property int modelData
                anchors.bottom: parent.bottom
                width: 4
                height: Math.max(2, 26 * modelData / figure.peak)
                radius: 1
                color: modelData > 0 ? Theme.accent : Theme.borderStrong
            }
        }
    }
}
