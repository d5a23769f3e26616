// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic

// One property of a command's args schema as an input: a spin box for integers and numbers,
// a check box for booleans, a combo box for enums, a text field for strings and, for anything
// else, a text field that takes JSON. `error` shows what the server said about this value.
ColumnLayout {
    id: field

    required property string name
    required property var schema
    required property bool isRequired
    property string error

    readonly property string kind: {
        if (schema.enum !== undefined && Array.isArray(schema.enum))
            return "enum";
        switch (schema.type) {
        case "integer":
        case "number":
        case "boolean":
        case "string":
            return schema.type;
        default:
            return "json";
        }
    }
    readonly property bool hasDefault: schema["default"] !== undefined

    // Fills in the schema's default, or the type's neutral value.
    function reset() {
        error = "";
        const initial = schema["default"];
        switch (kind) {
        case "integer":
        case "number":
            spin.setRealValue(initial !== undefined ? initial : Math.max(0, spin.from / spin.factor));
            break;
        case "boolean":
            check.checked = initial === true;
            break;
        case "enum":
            combo.currentIndex = Math.max(0, schema.enum.indexOf(initial));
            break;
        case "string":
            text.text = initial !== undefined ? initial : "";
            break;
        default:
            text.text = initial !== undefined ? JSON.stringify(initial) : "";
        }
    }

    // Sets the input from a JSON value (tests and the demo use it).
    function setValue(value) {
        error = "";
        switch (kind) {
        case "integer":
        case "number":
            spin.setRealValue(value);
            break;
        case "boolean":
            check.checked = value === true;
            break;
        case "enum":
            combo.currentIndex = schema.enum.indexOf(value);
            break;
        case "string":
            text.text = value;
            break;
        default:
            text.text = JSON.stringify(value);
        }
    }

    // {include, value} to send, or {error} when the input cannot become JSON.
    function read() {
        switch (kind) {
        case "integer":
        case "number":
            return { include: true, value: spin.realValue };
        case "boolean":
            return { include: true, value: check.checked };
        case "enum":
            return { include: true, value: schema.enum[combo.currentIndex] };
        case "string":
            // An optional empty string is left out, so the server applies its default.
            return { include: text.text !== "" || isRequired, value: text.text };
        default:
            if (text.text.trim() === "")
                return { include: false };
            try {
                return { include: true, value: JSON.parse(text.text) };
            } catch (e) {
                return { error: qsTr("Not valid JSON: %1").arg(e.message) };
            }
        }
    }

    function hint() {
        const parts = [];
        if (kind === "integer" || kind === "number") {
            if (schema.minimum !== undefined && schema.maximum !== undefined)
                parts.push(schema.minimum + " – " + schema.maximum);
            else if (schema.minimum !== undefined)
                parts.push("≥ " + schema.minimum);
            else if (schema.maximum !== undefined)
                parts.push("≤ " + schema.maximum);
        }
        if (kind === "string" && schema.maxLength !== undefined)
            parts.push(qsTr("max %1 chars").arg(schema.maxLength));
        parts.unshift(kind === "json" ? (schema.type !== undefined ? schema.type + ", JSON" : "JSON")
                                      : kind);
        return parts.join(" · ");
    }

    objectName: "field_" + name
    spacing: 5

    RowLayout {
        Layout.fillWidth: true
        spacing: 6
        Label {
            text: field.name
            font.family: Theme.monoFamily
            font.weight: Font.DemiBold
            color: Theme.text
        }
        Label {
            visible: field.isRequired
            text: qsTr("required")
            font.pixelSize: Theme.smallFontSize
            color: Theme.warning
        }
        Item { Layout.fillWidth: true }
        Label {
            text: field.hint()
            font.pixelSize: Theme.smallFontSize
            color: Theme.muted
        }
    }

    NumberField {
        id: spin
        objectName: "spin_" + field.name
        Layout.fillWidth: true
        visible: field.kind === "integer" || field.kind === "number"
        decimals: field.kind === "number" ? 2 : 0
        // SpinBox holds ints: keep the scaled bounds inside them.
        from: Math.max(-2147483647, Math.ceil((field.schema.minimum !== undefined ? field.schema.minimum
                                                                                 : -2147483647) * factor))
        to: Math.min(2147483647, Math.floor((field.schema.maximum !== undefined ? field.schema.maximum
                                                                                : 2147483647) * factor))
        invalid: field.error !== ""
        onValueModified: field.error = ""
    }
    CheckBox {
        id: check
        objectName: "check_" + field.name
        visible: field.kind === "boolean"
        text: checked ? "true" : "false"
        onToggled: field.error = ""
    }
    ComboBox {
        id: combo
        objectName: "combo_" + field.name
        Layout.fillWidth: true
        visible: field.kind === "enum"
        model: field.kind === "enum" ? field.schema.enum.map(value => String(value)) : []
        onActivated: field.error = ""
    }
    InputField {
        id: text
        objectName: "text_" + field.name
        Layout.fillWidth: true
        visible: field.kind === "string" || field.kind === "json"
        placeholderText: field.kind === "json" ? qsTr("JSON value")
                                               : field.schema.pattern !== undefined ? field.schema.pattern : ""
        invalid: field.error !== ""
        onTextEdited: field.error = ""
    }
    Binding {
        target: text
        property: "font.family"
        value: Theme.monoFamily
        when: field.kind === "json"
    }

    Label {
        Layout.fillWidth: true
        visible: field.schema.description !== undefined
        text: field.schema.description !== undefined ? field.schema.description : ""
        font.pixelSize: Theme.smallFontSize
        color: Theme.muted
        wrapMode: Text.Wrap
    }
    Label {
        objectName: "error_" + field.name
        Layout.fillWidth: true
        visible: field.error !== ""
        // valijson names the failed keyword, not its value: add the value for the pattern.
        text: "⚠ " + field.error
              + (field.error.indexOf("'pattern'") >= 0 && field.schema.pattern !== undefined
                 ? "\n" + qsTr("Expected to match %1").arg(field.schema.pattern) : "")
        color: Theme.danger
        font.pixelSize: 12
        wrapMode: Text.Wrap
    }

    Component.onCompleted: reset()
}
