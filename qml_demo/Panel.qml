import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge

// The whole panel: connection bar, command list, args form and activity. It owns its
// CommandClient, so a test can create one against any bridge.
Pane {
    id: panel

    property alias client: client
    property alias url: connectionBar.url
    property alias token: connectionBar.token
    property alias selectedCommand: commandList.selected
    property alias form: argsForm
    property alias connectionBar: connectionBar
    // The calls of this panel, running ones first, then finished ones, newest first. A call moves
    // between the two only when it finishes; progress never touches the model.
    property alias calls: callModel
    property int runningCount: 0
    readonly property int finishedCount: callModel.count - runningCount

    // Runs \a name and lists the call; the form's Run button comes through here too.
    function run(name, args) {
        const call = client.run(name, args);
        callModel.insert(0, { call: call });
        ++runningCount;
        call.finished.connect(function () {
            --runningCount;
            for (let i = 0; i < callModel.count; ++i) {
                if (callModel.get(i).call === call) {
                    // A move, not a remove and insert: its delegate (and anything bound to it) stays.
                    if (i !== runningCount)
                        callModel.move(i, runningCount, 1);
                    break;
                }
            }
        });
        return call;
    }

    function runSelected() {
        if (client.state === CommandClient.Connected && selectedCommand !== "")
            argsForm.submit();
    }

    function clearFinished() {
        if (finishedCount > 0)
            callModel.remove(runningCount, finishedCount);
        client.clearFinished();
    }

    padding: 0
    font.pixelSize: Theme.fontSize
    palette.highlight: Theme.accent
    palette.button: Theme.surface
    palette.text: Theme.text
    palette.windowText: Theme.text
    background: Rectangle { color: Theme.background }

    CommandClient {
        id: client
    }
    ListModel {
        id: callModel
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionBar {
            id: connectionBar
            Layout.fillWidth: true
            client: client
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.margins: 16
            spacing: 16

            CommandList {
                id: commandList
                Layout.preferredWidth: 290
                Layout.fillHeight: true
                client: client
            }
            ArgsForm {
                id: argsForm
                objectName: "argsForm"
                Layout.preferredWidth: 380
                Layout.fillHeight: true
                client: client
                // Re-read when the list is refilled after a reconnect.
                command: client.commands.count >= 0 && commandList.selected !== ""
                         ? client.commands.get(client.commands.indexOf(commandList.selected)) : ({})
                onRunRequested: (name, args) => lastCall = panel.run(name, args)
            }
            CallList {
                Layout.fillWidth: true
                Layout.fillHeight: true
                calls: callModel
                runningCount: panel.runningCount
                onClearRequested: panel.clearFinished()
            }
        }
    }
}
