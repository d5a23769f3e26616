// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic

// A spin box for JSON Schema integers and numbers. SpinBox only holds ints, so a number with
// `decimals` is stored scaled by 10^decimals.
SpinBox {
    id: control

    property int decimals: 0
    property bool invalid: false
    readonly property real factor: Math.pow(10, decimals)
    readonly property real realValue: value / factor

    function setRealValue(number) {
        value = Math.round(number * factor);
    }

    implicitHeight: 32
    editable: true
    inputMethodHints: Qt.ImhFormattedNumbersOnly
    textFromValue: function (value, locale) {
        return (value / control.factor).toFixed(control.decimals);
    }
    valueFromText: function (text, locale) {
        const number = Number(text);
        return isNaN(number) ? control.value : Math.round(number * control.factor);
    }
    validator: RegularExpressionValidator {
        regularExpression: control.decimals > 0 ? /-?\d*\.?\d*/ : /-?\d*/
    }

    background: Rectangle {
        implicitWidth: 140
        radius: 6
        color: Theme.surface
        border.width: control.activeFocus || control.invalid ? 2 : 1
        border.color: control.invalid ? Theme.danger
                                      : control.activeFocus ? Theme.accent : Theme.borderStrong
    }
    up.indicator: Rectangle {
        x: control.mirrored ? 0 : control.width - width
        height: control.height
        implicitWidth: 32
        implicitHeight: 32
        radius: 6
        color: control.up.pressed ? Theme.neutralSoft : "transparent"
        Text {
            anchors.centerIn: parent
            text: "+"
            font.pixelSize: 16
            color: control.value < control.to ? Theme.text : Theme.borderStrong
        }
    }
    down.indicator: Rectangle {
        x: control.mirrored ? control.width - width : 0
        height: control.height
        implicitWidth: 32
        implicitHeight: 32
        radius: 6
        color: control.down.pressed ? Theme.neutralSoft : "transparent"
        Text {
            anchors.centerIn: parent
            text: "−"
            font.pixelSize: 16
            color: control.value > control.from ? Theme.text : Theme.borderStrong
        }
    }
}
