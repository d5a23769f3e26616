// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// A rounded label with a tinted background, e.g. a call's state or the connection state.
Rectangle {
    id: pill

    property string text
    property color tint: Theme.neutral
    property color fill: Theme.neutralSoft
    property bool dot: false
    property bool pulsing: false

    implicitWidth: row.implicitWidth + 16
    implicitHeight: 22
    radius: height / 2
    color: fill

    RowLayout {
        id: row
        anchors.centerIn: parent
        spacing: 6

        Rectangle {
            visible: pill.dot
            implicitWidth: 8
            implicitHeight: 8
            radius: 4
            color: pill.tint

            SequentialAnimation on opacity {
                running: pill.pulsing
                loops: Animation.Infinite
                alwaysRunToEnd: true
                NumberAnimation { to: 0.25; duration: 600 }
                NumberAnimation { to: 1; duration: 600 }
            }
        }
        Label {
            text: pill.text
            color: pill.tint
            font.pixelSize: Theme.smallFontSize
            font.weight: Font.DemiBold
            font.capitalization: Font.AllUppercase
            font.letterSpacing: 0.4
        }
    }
}
