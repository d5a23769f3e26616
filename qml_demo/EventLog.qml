// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Layouts
import QtQuick.Controls.Basic
import CommandBridge
import "format.js" as Format

// The events the server declares, as chips to subscribe to, and the newest ones that arrived,
// newest first, with a marker where the server left some out (a jump in `seq`). Arrivals are
// shown in batches a few times a second, so a storm of events costs a few model updates, not
// one per event.
Card {
    id: card

    required property CommandClient client
    // The event names subscribed to; the chips edit it.
    property var chosen: []
    property alias subscription: subscription
    property int maxEntries: 200
    property int receivedCount: 0
    property int missedCount: 0
    // Rows with `kind` "event" (name, seq, payload: the data as compact JSON, time) or "gap"
    // (missed: how many).
    property alias entries: entryModel

    function toggle(name) {
        const next = chosen.filter(entry => entry !== name);
        if (next.length === chosen.length)
            next.push(name);
        chosen = next.sort();
    }

    function clear() {
        pending = [];
        entryModel.clear();
        receivedCount = 0;
        missedCount = 0;
    }

    // Arrived, not yet in the model: oldest first, never more than maxEntries.
    property var pending: []

    function queue(row) {
        pending.push(row);
        if (pending.length > maxEntries)
            pending.shift();
        if (!flushTimer.running)
            flushTimer.start();
    }

    function flush() {
        const rows = pending;
        pending = [];
        for (const row of rows)
            entryModel.insert(0, row);
        if (entryModel.count > maxEntries)
            entryModel.remove(maxEntries, entryModel.count - maxEntries);
    }

    title: qsTr("Events")
    subtitle: missedCount > 0 ? qsTr("%1 received  ·  %2 missed").arg(receivedCount).arg(missedCount)
                              : qsTr("%1 received").arg(receivedCount)
    actions: [
        StatusPill {
            objectName: "subscriptionStatus"
            visible: card.chosen.length > 0
            text: subscription.active ? qsTr("Live")
                  : subscription.errorCode !== "" ? subscription.errorCode : qsTr("Waiting")
            tint: subscription.active ? Theme.success
                  : subscription.errorCode !== "" ? Theme.danger : Theme.neutral
            fill: subscription.active ? Theme.successSoft
                  : subscription.errorCode !== "" ? Theme.dangerSoft : Theme.neutralSoft
        },
        ActionButton {
            objectName: "clearEventsButton"
            implicitHeight: 28
            enabled: entryModel.count > 0
            text: qsTr("Clear")
            onClicked: card.clear()
        }
    ]

    EventSubscription {
        id: subscription
        client: card.client
        events: card.chosen
        onEventReceived: (name, data, seq) => {
            ++card.receivedCount;
            card.queue({ kind: "event", name: name, seq: seq, payload: Format.compactJson(data, 400),
                         time: new Date().toLocaleTimeString(Qt.locale(), "HH:mm:ss"), missed: 0 });
        }
        onEventsMissed: count => {
            card.missedCount += count;
            card.queue({ kind: "gap", name: "", seq: 0, payload: "", time: "", missed: count });
        }
    }
    ListModel {
        id: entryModel
    }
    Timer {
        id: flushTimer
        interval: 100
        onTriggered: card.flush()
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: 12
        spacing: 8

        Flow {
            objectName: "eventChips"
            Layout.fillWidth: true
            spacing: 6

            Repeater {
                model: card.client.events
                delegate: Rectangle {
                    id: chip

                    required property string name
                    required property string description
                    required property string scope
                    readonly property bool checked: card.chosen.indexOf(name) >= 0

                    objectName: "eventChip_" + name
                    implicitWidth: chipRow.implicitWidth + 20
                    implicitHeight: 26
                    radius: 13
                    color: checked ? Theme.accentSoft : chipMouse.containsMouse ? Theme.surfaceAlt
                                                                                 : Theme.surface
                    border.color: checked ? Theme.accent : Theme.borderStrong

                    RowLayout {
                        id: chipRow
                        anchors.centerIn: parent
                        spacing: 5
                        Label {
                            text: chip.checked ? "✓" : "+"
                            color: chip.checked ? Theme.accent : Theme.muted
                            font.pixelSize: Theme.smallFontSize
                        }
                        Label {
                            text: chip.name
                            font.family: Theme.monoFamily
                            font.pixelSize: 12
                            color: chip.checked ? Theme.accent : Theme.text
                        }
                        Label {
                            visible: chip.scope === "session"
                            text: qsTr("session")
                            font.pixelSize: 10
                            color: Theme.muted
                        }
                    }
                    MouseArea {
                        id: chipMouse
                        anchors.fill: parent
                        hoverEnabled: true
                        cursorShape: Qt.PointingHandCursor
                        onClicked: card.toggle(chip.name)
                    }
                    ToolTip.visible: chipMouse.containsMouse && chip.description !== ""
                    ToolTip.delay: 600
                    ToolTip.text: chip.description
                }
            }
        }

        Label {
            objectName: "subscriptionError"
            Layout.fillWidth: true
            visible: subscription.errorString !== ""
            text: subscription.errorString
            color: Theme.danger
            font.pixelSize: Theme.smallFontSize
            wrapMode: Text.Wrap
        }

        ListView {
            id: list
            objectName: "eventList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 2
            model: entryModel
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { }

            delegate: Rectangle {
                id: entry

                required property int index
                required property string kind
                required property string name
                required property double seq
                required property string payload
                required property string time
                required property double missed

                objectName: kind === "gap" ? "gap_" + index : "event_" + seq
                width: ListView.view.width - 4
                implicitHeight: 26
                radius: 4
                color: kind === "gap" ? Theme.warningSoft : index % 2 === 0 ? Theme.surfaceAlt
                                                                            : "transparent"

                RowLayout {
                    anchors.fill: parent
                    anchors.leftMargin: 8
                    anchors.rightMargin: 8
                    spacing: 10
                    visible: entry.kind === "event"

                    Label {
                        Layout.preferredWidth: 54
                        text: "#" + entry.seq
                        font.family: Theme.monoFamily
                        font.pixelSize: 12
                        color: Theme.muted
                        horizontalAlignment: Text.AlignRight
                    }
                    Label {
                        Layout.preferredWidth: 120
                        text: entry.name
                        font.family: Theme.monoFamily
                        font.pixelSize: 12
                        font.weight: Font.DemiBold
                        color: Theme.accent
                        elide: Text.ElideRight
                    }
                    Label {
                        Layout.fillWidth: true
                        text: entry.payload
                        font.family: Theme.monoFamily
                        font.pixelSize: 12
                        color: Theme.text
                        elide: Text.ElideRight
                    }
                    Label {
                        text: entry.time
                        font.pixelSize: Theme.smallFontSize
                        color: Theme.muted
                    }
                }
                Label {
                    anchors.centerIn: parent
                    visible: entry.kind === "gap"
                    text: entry.missed === 1 ? qsTr("⚠ 1 event missed (the server coalesced it)")
                                             : qsTr("⚠ %1 events missed (the server coalesced them)")
                                               .arg(entry.missed)
                    color: Theme.warning
                    font.pixelSize: Theme.smallFontSize
                    font.weight: Font.DemiBold
                }
            }

            Label {
                anchors.centerIn: parent
                width: parent.width - 40
                visible: list.count === 0
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                color: Theme.muted
                text: card.client.events.count === 0
                      ? (card.client.state === CommandClient.Connected
                         ? qsTr("The server declares no events.")
                         : qsTr("Connect to a bridge to see its events."))
                      : card.chosen.length === 0 ? qsTr("Pick events above to watch them arrive.")
                                                 : qsTr("Waiting for events…")
            }
        }
    }
}
