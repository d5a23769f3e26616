// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtQuick.Controls.Basic

// The command-bridge-panel window. `demo` fills it with a few calls, one of them long, and
// watches the demo server's events, so the panel can be seen (and screenshotted) at work.
ApplicationWindow {
    id: window

    property string url: "ws://127.0.0.1:8080/ws"
    property string token
    property bool autoConnect: false
    property bool demo: false
    property bool demoDone: false

    // Emitted once the demo's long command is running.
    signal demoStarted()

    function startDemo() {
        if (demoDone)
            return;
        demoDone = true;
        // Subscribed before the commands that publish go out: the server handles a connection's
        // messages in order.
        panel.eventLog.chosen = ["history.changed", "notice", "stats"];
        panel.run("hash", { mebibytes: 16 });
        panel.run("fail", { code: "not_found", message: "No record with id 42" });
        panel.run("broadcast", { text: "Deploy finished", repeat: 3 });
        panel.run("history.add", { text: "Summarise the release notes" });
        panel.run("hash", { mebibytes: 1024 });
        panel.selectedCommand = "count";
        panel.form.field("to").setValue(200);
        panel.form.field("interval_ms").setValue(40);
        panel.form.submit();
        demoStarted();
    }

    width: 1360
    height: 820
    minimumWidth: 1000
    minimumHeight: 560
    visible: true
    title: qsTr("CommandBridge panel")

    Panel {
        id: panel
        anchors.fill: parent
        url: window.url
        token: window.token
    }

    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        onActivated: panel.runSelected()
    }

    Connections {
        target: panel.client.commands
        enabled: window.demo
        function onCountChanged() {
            if (panel.client.commands.count > 0)
                window.startDemo();
        }
    }

    Component.onCompleted: {
        if (autoConnect || demo)
            panel.connectionBar.toggleConnection();
    }
}
