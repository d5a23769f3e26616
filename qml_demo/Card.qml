// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// A titled white panel section; children go into its body and usually fill it.
Rectangle {
    id: card

    property string title
    property string subtitle
    // Controls shown at the right of the title.
    property alias actions: actionRow.data
    default property alias content: body.data

    color: Theme.surface
    radius: Theme.radius
    border.color: Theme.border

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        RowLayout {
            Layout.fillWidth: true
            Layout.preferredHeight: 46
            Layout.leftMargin: 16
            Layout.rightMargin: 12
            spacing: 8

            Label {
                text: card.title
                font.pixelSize: Theme.titleFontSize
                font.weight: Font.DemiBold
                color: Theme.text
            }
            Label {
                Layout.fillWidth: true
                text: card.subtitle
                color: Theme.muted
                elide: Text.ElideRight
            }
            RowLayout {
                id: actionRow
                spacing: 6
            }
        }
        Rectangle {
            Layout.fillWidth: true
            implicitHeight: 1
            color: Theme.border
        }
        Item {
            id: body
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
        }
    }
}
