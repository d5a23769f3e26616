// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic
import "format.js" as Format

// A JSON value pretty-printed and coloured, selectable, wrapping long strings and scrolling past
// maxHeight.
Rectangle {
    id: view

    property var value
    property int maxHeight: 180
    readonly property string text: Format.prettyJson(value)
    readonly property alias textItem: edit

    implicitHeight: Math.min(edit.implicitHeight + 16, maxHeight)
    radius: 6
    color: Theme.codeBackground
    border.color: Theme.border

    Flickable {
        id: flick
        anchors.fill: parent
        anchors.margins: 8
        contentWidth: width
        contentHeight: edit.implicitHeight
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { }

        TextEdit {
            id: edit

            readonly property var highlighted: Format.highlightJson(view.text, {
                key: "#0b5cad", string: "#0a7d3b", number: "#a2461a", literal: "#7c3aed"
            })

            width: flick.width
            wrapMode: TextEdit.WrapAtWordBoundaryOrAnywhere
            readOnly: true
            selectByMouse: true
            font.family: Theme.monoFamily
            font.pixelSize: 12
            color: Theme.text
            textFormat: highlighted === null ? TextEdit.PlainText : TextEdit.RichText
            text: highlighted === null
                  ? view.text
                  : "<pre style=\"white-space:pre-wrap; font-family:'" + Theme.monoFamily + "'; margin:0\">" + highlighted + "</pre>"
        }
    }
}
