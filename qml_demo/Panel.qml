// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge

// The whole panel: connection bar (with the server's live `stats`), command list, args form,
// activity and event log. It owns its CommandClient, so a test can create one against any
// bridge.
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
    property alias eventLog: eventLog
    property alias statsSubscription: statsSubscription
    // The latest `stats` event data, null until one arrives on the current connection.
    property var stats: null
    // in_flight of the latest `stats` events, oldest first.
    property var inFlightHistory: []
    property int maxStatsSamples: 40

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
    // Shares the connection with the event log's subscription: choosing `stats` there too adds
    // nothing on the wire.
    EventSubscription {
        id: statsSubscription
        client: client
        // Only from a server that declares it: another would answer unknown_event.
        events: client.events.count > 0 && client.events.indexOf("stats") >= 0 ? ["stats"] : []
        onEventReceived: (name, data) => {
            panel.stats = data;
            panel.inFlightHistory = panel.inFlightHistory.concat([data.in_flight])
                                                             .slice(-panel.maxStatsSamples);
        }
        onActiveChanged: {
            if (!active) {
                panel.stats = null;
                panel.inFlightHistory = [];
            }
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionBar {
            id: connectionBar
            Layout.fillWidth: true
            client: client
            stats: panel.stats
            statsHistory: panel.inFlightHistory
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
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: 16

                CallList {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    calls: callModel
                    runningCount: panel.runningCount
                    onClearRequested: panel.clearFinished()
                }
                EventLog {
                    id: eventLog
                    objectName: "eventLog"
                    Layout.fillWidth: true
                    Layout.preferredHeight: 300
                    client: client
                }
            }
        }
    }
}
