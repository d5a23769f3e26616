// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic

// A text field whose border turns red while the server rejects its value.
TextField {
    id: control

    property bool invalid: false

    implicitHeight: 32
    leftPadding: 10
    rightPadding: 10
    color: Theme.text
    placeholderTextColor: "#9aa3af"
    selectByMouse: true
    background: Rectangle {
        radius: 6
        color: control.enabled ? Theme.surface : Theme.surfaceAlt
        border.width: control.activeFocus || control.invalid ? 2 : 1
        border.color: control.invalid ? Theme.danger
                                      : control.activeFocus ? Theme.accent : Theme.borderStrong
    }
}
