// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic

// A flat button in the panel's colours: primary (filled), danger (red outline) or plain.
Button {
    id: control

    property bool primary: false
    property bool danger: false

    implicitHeight: 32
    leftPadding: 14
    rightPadding: 14
    font.weight: Font.Medium

    contentItem: Text {
        text: control.text
        font: control.font
        color: !control.enabled ? Theme.muted
                                : control.primary ? "white"
                                                  : control.danger ? Theme.danger : Theme.text
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        elide: Text.ElideRight
    }
    background: Rectangle {
        radius: 6
        color: {
            if (!control.enabled)
                return Theme.neutralSoft;
            if (control.primary)
                return control.down || control.hovered ? Theme.accentHover : Theme.accent;
            if (control.danger)
                return control.down || control.hovered ? Theme.dangerSoft : Theme.surface;
            return control.down || control.hovered ? Theme.neutralSoft : Theme.surface;
        }
        border.color: control.primary && control.enabled ? "transparent"
                                                         : control.danger ? "#efb4b4" : Theme.borderStrong
    }
}
