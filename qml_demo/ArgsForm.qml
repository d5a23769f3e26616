// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge
import "format.js" as Format

// A form generated from the selected command's args schema, and its Run button. When the server
// answers invalid_args, each detail is shown under the field its JSON pointer names.
Card {
    id: form

    required property CommandClient client
    // The command's row of CommandListModel.get(): name, description, argsSchema, timeoutMs.
    property var command: ({})
    readonly property string commandName: command.name !== undefined ? command.name : ""
    // A plain JavaScript copy: Qt 6.8 passes JSON arrays to QML as sequences, not arrays.
    readonly property var schema: command.argsSchema !== undefined
                                  ? JSON.parse(JSON.stringify(command.argsSchema)) : ({})
    // Properties the form shows; the session id is the connection's business.
    readonly property var fields: {
        const properties = schema.properties !== undefined ? schema.properties : {};
        const required = Array.isArray(schema.required) ? schema.required : [];
        return Object.keys(properties)
            .filter(name => name !== "session_id")
            .sort((a, b) => (required.indexOf(b) >= 0) - (required.indexOf(a) >= 0) || a.localeCompare(b))
            .map(name => ({ name: name, schema: properties[name], isRequired: required.indexOf(name) >= 0 }));
    }
    // A schema without properties takes any object: offer a JSON editor instead.
    readonly property bool freeForm: fields.length === 0 && schema.additionalProperties !== false
    property string formError
    // The call this form started last; its invalid_args details are shown on the fields.
    property CommandCall lastCall: null

    // Run was pressed and every input made JSON; whoever runs it sets lastCall.
    signal runRequested(string name, var args)

    function field(name) {
        for (let i = 0; i < fieldRepeater.count; ++i) {
            const item = fieldRepeater.itemAt(i);
            if (item && item.name === name)
                return item;
        }
        return null;
    }

    function clearErrors() {
        formError = "";
        for (let i = 0; i < fieldRepeater.count; ++i)
            fieldRepeater.itemAt(i).error = "";
    }

    function collectArgs() {
        clearErrors();
        let args = {};
        let ok = true;
        if (freeForm && jsonArgs.text.trim() !== "") {
            try {
                args = JSON.parse(jsonArgs.text);
                if (typeof args !== "object" || args === null || Array.isArray(args)) {
                    formError = qsTr("The args must be a JSON object.");
                    ok = false;
                }
            } catch (e) {
                formError = qsTr("Not valid JSON: %1").arg(e.message);
                ok = false;
            }
        }
        for (let i = 0; i < fieldRepeater.count; ++i) {
            const item = fieldRepeater.itemAt(i);
            const input = item.read();
            if (input.error !== undefined) {
                item.error = input.error;
                ok = false;
            } else if (input.include) {
                args[item.name] = input.value;
            }
        }
        return ok ? args : null;
    }

    // The args as they stand, for the request preview; null while an input is not valid JSON.
    // Unlike collectArgs() it touches no error, so a binding may call it.
    function previewArgs() {
        let args = {};
        if (freeForm && jsonArgs.text.trim() !== "") {
            try {
                args = JSON.parse(jsonArgs.text);
            } catch (e) {
                return null;
            }
        }
        for (let i = 0; i < fieldRepeater.count; ++i) {
            const item = fieldRepeater.itemAt(i);
            if (item === null)
                continue;
            const input = item.read();
            if (input.error !== undefined)
                return null;
            if (input.include)
                args[item.name] = input.value;
        }
        return args;
    }

    function submit() {
        const args = collectArgs();
        if (args !== null)
            runRequested(commandName, args);
    }

    // JSON pointer "/to" names field "to"; a detail about the whole object ("Missing required
    // property 'text'") names its field in quotes.
    function showDetails(details, fallback) {
        clearErrors();
        const unplaced = [];
        for (const detail of details) {
            const path = detail.path !== undefined ? String(detail.path) : "";
            let name = "";
            if (path.length > 1)
                name = path.substring(1).split("/")[0].replace(/~1/g, "/").replace(/~0/g, "~");
            else {
                const quoted = /'([^']+)'/.exec(detail.message);
                if (quoted && field(quoted[1]) !== null)
                    name = quoted[1];
            }
            const target = name !== "" ? field(name) : null;
            if (target !== null)
                target.error = target.error !== "" ? target.error + "\n" + detail.message : detail.message;
            else
                unplaced.push((path !== "" ? path + ": " : "") + detail.message);
        }
        formError = unplaced.length > 0 ? unplaced.join("\n") : details.length === 0 ? fallback : "";
    }

    onCommandNameChanged: {
        lastCall = null;
        formError = "";
    }

    title: commandName !== "" ? commandName : qsTr("Run")
    subtitle: commandName !== "" && command.timeoutMs > 0
              ? qsTr("times out after %1").arg(Format.duration(command.timeoutMs)) : ""

    Connections {
        target: form.lastCall
        function onFinished() {
            if (form.lastCall.errorCode === "invalid_args")
                form.showDetails(form.lastCall.errorDetails, form.lastCall.errorMessage);
        }
    }

    Label {
        anchors.centerIn: parent
        width: parent.width - 48
        visible: form.commandName === ""
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        color: Theme.muted
        text: qsTr("Pick a command on the left to fill in its args and run it.")
    }

    ColumnLayout {
        anchors.fill: parent
        visible: form.commandName !== ""
        spacing: 0

        ScrollView {
            id: scroll
            Layout.fillWidth: true
            Layout.fillHeight: true
            contentWidth: availableWidth
            clip: true

            ColumnLayout {
                objectName: "fields"
                width: scroll.availableWidth
                spacing: 16

                Label {
                    Layout.fillWidth: true
                    Layout.topMargin: 16
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    text: form.command.description !== undefined ? form.command.description : ""
                    color: Theme.muted
                    wrapMode: Text.Wrap
                }

                Repeater {
                    id: fieldRepeater
                    model: form.fields
                    delegate: ArgField {
                        required property var modelData
                        Layout.fillWidth: true
                        Layout.leftMargin: 16
                        Layout.rightMargin: 16
                        name: modelData.name
                        schema: modelData.schema
                        isRequired: modelData.isRequired
                    }
                }

                Label {
                    Layout.fillWidth: true
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    visible: form.fields.length === 0 && !form.freeForm
                    text: qsTr("This command takes no args.")
                    color: Theme.muted
                }

                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    visible: form.freeForm
                    spacing: 5
                    Label {
                        text: qsTr("args (any JSON object)")
                        font.family: Theme.monoFamily
                        font.weight: Font.DemiBold
                        color: Theme.text
                    }
                    TextArea {
                        id: jsonArgs
                        objectName: "jsonArgs"
                        Layout.fillWidth: true
                        Layout.preferredHeight: 110
                        font.family: Theme.monoFamily
                        font.pixelSize: 12
                        wrapMode: TextEdit.Wrap
                        selectByMouse: true
                        text: "{\n  \"greeting\": \"hello\"\n}"
                        background: Rectangle {
                            radius: 6
                            color: Theme.surface
                            border.width: jsonArgs.activeFocus ? 2 : 1
                            border.color: jsonArgs.activeFocus ? Theme.accent : Theme.borderStrong
                        }
                    }
                }

                Label {
                    objectName: "formError"
                    Layout.fillWidth: true
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    visible: form.formError !== ""
                    text: "⚠ " + form.formError
                    color: Theme.danger
                    wrapMode: Text.Wrap
                }

                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.leftMargin: 16
                    Layout.rightMargin: 16
                    spacing: 5
                    Label {
                        text: qsTr("Message sent")
                        font.pixelSize: Theme.smallFontSize
                        font.weight: Font.DemiBold
                        font.capitalization: Font.AllUppercase
                        font.letterSpacing: 0.4
                        color: Theme.muted
                    }
                    JsonView {
                        objectName: "requestPreview"
                        Layout.fillWidth: true
                        maxHeight: 220
                        value: {
                            const args = form.previewArgs();
                            return { type: "command", command: form.commandName,
                                     args: args !== null ? args : qsTr("(not valid JSON yet)") };
                        }
                    }
                    Label {
                        Layout.fillWidth: true
                        text: qsTr("The client adds the request id; the server adds the session id.")
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.muted
                        wrapMode: Text.Wrap
                    }
                }

                Item { implicitHeight: 4 }
            }
        }

        Rectangle {
            Layout.fillWidth: true
            implicitHeight: 1
            color: Theme.border
        }
        RowLayout {
            Layout.fillWidth: true
            Layout.margins: 12
            Layout.leftMargin: 16
            spacing: 10

            Label {
                id: outcome
                objectName: "runOutcome"
                Layout.fillWidth: true
                elide: Text.ElideRight
                readonly property CommandCall call: form.lastCall
                text: {
                    if (form.client.state !== CommandClient.Connected)
                        return qsTr("Connect to run commands");
                    if (call === null)
                        return qsTr("Ctrl+Enter runs it");
                    switch (call.state) {
                    case CommandCall.Running: return qsTr("#%1 running…").arg(call.requestId);
                    case CommandCall.Succeeded: return qsTr("#%1 succeeded in %2").arg(call.requestId).arg(Format.elapsed(call.elapsedMs));
                    case CommandCall.Cancelled: return qsTr("#%1 cancelled").arg(call.requestId);
                    default: return qsTr("#%1 %2").arg(call.requestId).arg(call.errorCode);
                    }
                }
                color: call === null || call.state === CommandCall.Running ? Theme.muted
                       : call.state === CommandCall.Succeeded ? Theme.success
                       : call.state === CommandCall.Cancelled ? Theme.neutral : Theme.danger
            }
            ActionButton {
                objectName: "resetButton"
                text: qsTr("Reset")
                visible: form.fields.length > 0
                onClicked: {
                    form.clearErrors();
                    for (let i = 0; i < fieldRepeater.count; ++i)
                        fieldRepeater.itemAt(i).reset();
                }
            }
            ActionButton {
                objectName: "runButton"
                Layout.preferredWidth: 96
                primary: true
                text: qsTr("Run")
                enabled: form.client.state === CommandClient.Connected
                onClicked: form.submit()
            }
        }
    }
}
