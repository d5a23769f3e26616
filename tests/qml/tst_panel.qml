// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtTest
import CommandBridge
import CommandBridgePanel

// The panel against a real bridge (bridgeUrl, started by tst_panel.cpp), driven like a person
// would: clicks on its buttons and list rows, values in its form fields. The panels are children
// of the visible root, since a TestCase itself is invisible.
Item {
    id: root

    width: 1360
    height: 1080

    TestCase {
        id: testCase

        name: "Panel"
        when: windowShown

        Component {
            id: panelComponent
            Panel {
                width: root.width
                height: root.height
            }
        }

        function connectedPanel() {
            const panel = createTemporaryObject(panelComponent, root);
            verify(panel);
            panel.url = bridgeUrl;
            mouseClick(findChild(panel, "connectButton"));
            tryCompare(panel.client, "state", CommandClient.Connected);
            tryVerify(() => findChild(panel, "command_count") !== null);
            return panel;
        }

        function select(panel, command) {
            mouseClick(findChild(panel, "command_" + command));
            compare(panel.selectedCommand, command);
            compare(panel.form.commandName, command);
            // The generated fields are laid out before anything clicks them.
            waitForItemPolished(findChild(panel.form, "fields"));
        }

        // Clicks Run and returns the call's card in the activity list.
        function runFromForm(panel) {
            const previous = panel.form.lastCall;
            mouseClick(findChild(panel, "runButton"));
            tryVerify(() => panel.form.lastCall !== previous);
            const call = panel.form.lastCall;
            let card = null;
            tryVerify(() => (card = findChild(panel, "call_" + call.requestId)) !== null);
            return card;
        }

        function test_connectShowsStatusSessionAndCommands() {
            const panel = createTemporaryObject(panelComponent, root);
            panel.url = bridgeUrl;
            const button = findChild(panel, "connectButton");
            const status = findChild(panel, "connectionStatus");
            compare(button.text, "Connect");
            compare(status.text, "Disconnected");

            mouseClick(button);
            tryCompare(status, "text", "Connected");
            verify(panel.client.sessionId !== "");
            compare(button.text, "Disconnect");
            for (const name of ["echo", "count", "hash", "history.add", "history.list", "compact", "fail"])
                tryVerify(() => findChild(panel, "command_" + name) !== null, 5000, name);

            mouseClick(button);
            tryCompare(status, "text", "Disconnected");
            compare(panel.client.sessionId, "");
        }

        function test_showsTheMcpUrlOfTheServer() {
            const panel = createTemporaryObject(panelComponent, root);
            const mcp = findChild(panel, "mcpUrl");
            const cases = [
                ["ws://127.0.0.1:8080/ws", "http://127.0.0.1:8080/mcp"],
                ["wss://host.example:443/ws?session=demo", "https://host.example:443/mcp"],
                ["http://[::1]:9000/ws", "http://[::1]:9000/mcp"],
            ];
            for (const [url, expected] of cases) {
                panel.url = url;
                compare(mcp.url, expected, url);
                verify(mcp.visible);
                verify(mcp.text.endsWith(expected));
            }
            panel.url = "not a url";
            verify(!mcp.visible);
        }

        function test_formIsGeneratedFromTheSchema() {
            const panel = connectedPanel();
            select(panel, "count");
            const to = findChild(panel, "spin_to");
            const interval = findChild(panel, "spin_interval_ms");
            verify(to.visible);
            compare(to.value, 10);          // the schema's defaults
            compare(interval.value, 100);
            compare(to.from, 1);            // and bounds
            compare(to.to, 1000000);
            verify(!findChild(panel, "field_session_id"), "the session id is not the user's business");

            select(panel, "history.add");
            verify(findChild(panel, "text_text").visible);
            verify(findChild(panel, "field_text").isRequired);
        }

        function test_countReachesHundredAndShowsTheResult() {
            const panel = connectedPanel();
            select(panel, "count");
            findChild(panel, "field_to").setValue(5);
            findChild(panel, "field_interval_ms").setValue(30);

            const card = runFromForm(panel);
            const bar = findChild(card, "progressBar");
            const seen = [];
            bar.valueChanged.connect(() => seen.push(bar.value));
            tryCompare(bar, "value", 100);
            tryCompare(findChild(card, "stateBadge"), "text", "Succeeded");
            verify(seen.some(value => value > 0 && value < 100), "progress before the end: " + seen);

            const result = findChild(card, "resultView");
            tryVerify(() => result.visible);
            verify(result.text.indexOf("\"counted\": 5") >= 0, result.text);
            verify(!findChild(card, "cancelButton").visible);
            compare(panel.finishedCount, 1);
            compare(panel.runningCount, 0);
        }

        function test_cancelStopsALongCount() {
            const panel = connectedPanel();
            select(panel, "count");
            findChild(panel, "field_to").setValue(100000);
            findChild(panel, "field_interval_ms").setValue(50);

            const card = runFromForm(panel);
            const bar = findChild(card, "progressBar");
            tryVerify(() => bar.value > 0);
            tryVerify(() => findChild(card, "messageText").text.startsWith("step "));

            const cancel = findChild(card, "cancelButton");
            verify(cancel.visible);
            mouseClick(cancel);
            tryCompare(findChild(card, "stateBadge"), "text", "Cancelled");
            compare(panel.form.lastCall.errorCode, "cancelled");
            verify(!cancel.visible);
            verify(bar.value < 100);
            tryVerify(() => bridge.inFlightCount() === 0, 5000, "the server still runs the count");
        }

        function test_badArgsAreShownNextToTheirField() {
            const panel = connectedPanel();
            select(panel, "fail");
            const code = findChild(panel, "text_code");
            mouseClick(code);
            keySequence(StandardKey.SelectAll);
            keyClick(Qt.Key_Delete);
            for (const key of "no way")
                keyClick(key);
            compare(code.text, "no way");

            const card = runFromForm(panel);
            tryCompare(findChild(card, "stateBadge"), "text", "Failed");
            compare(panel.form.lastCall.errorCode, "invalid_args");

            const error = findChild(panel, "error_code");
            tryVerify(() => error.visible);
            verify(error.text.length > 2, error.text);
            verify(code.invalid);
            verify(!findChild(panel, "error_message").visible, "only the bad field is marked");
            verify(!findChild(panel, "formError").visible);

            // Editing the field clears what the server said about the old value.
            mouseClick(code);
            keyClick(Qt.Key_Backspace);
            verify(!error.visible);
            verify(!code.invalid);
        }

        function test_emptyRequiredTextIsReportedOnItsField() {
            const panel = connectedPanel();
            select(panel, "history.add");
            compare(findChild(panel, "text_text").text, "");
            runFromForm(panel);
            const error = findChild(panel, "error_text");
            tryVerify(() => error.visible);
            verify(findChild(panel, "text_text").invalid);
        }

        function test_clearFinishedKeepsRunningCalls() {
            const panel = connectedPanel();
            const done = panel.run("echo", { n: 1 });
            const running = panel.run("count", { to: 100000, interval_ms: 50 });
            const doneCard = "call_" + done.requestId;
            const runningCard = "call_" + running.requestId;
            tryCompare(done, "state", CommandCall.Succeeded);
            compare(panel.finishedCount, 1);
            compare(panel.runningCount, 1);
            // Cards appear once the list has laid out its new rows.
            tryVerify(() => findChild(panel, doneCard) !== null && findChild(panel, runningCard) !== null);

            mouseClick(findChild(panel, "clearButton"));
            compare(panel.finishedCount, 0);
            compare(panel.runningCount, 1);
            tryVerify(() => findChild(panel, doneCard) === null);
            tryVerify(() => findChild(panel, runningCard) !== null);
            running.cancel();
            tryCompare(running, "state", CommandCall.Cancelled);
        }

        function test_disconnectEndsRunningCallsAsDisconnected() {
            const panel = connectedPanel();
            const call = panel.run("count", { to: 100000, interval_ms: 50 });
            let card = null;
            tryVerify(() => (card = findChild(panel, "call_" + call.requestId)) !== null);
            mouseClick(findChild(panel, "connectButton"));
            tryCompare(findChild(card, "stateBadge"), "text", "Disconnected");
            compare(panel.runningCount, 0);
            tryVerify(() => bridge.inFlightCount() === 0, 5000, "the server still runs the count");
        }

        function chooseEvent(panel, name) {
            let chip = null;
            tryVerify(() => (chip = findChild(panel, "eventChip_" + name)) !== null, 5000, name);
            // The Flow places a new chip when it polishes: a click before that lands on whichever
            // chip still sits at its origin.
            waitForItemPolished(chip.parent);
            mouseClick(chip);
            verify(chip.checked);
        }

        function test_eventLogShowsChosenEventsNewestFirst() {
            const panel = connectedPanel();
            const log = panel.eventLog;
            chooseEvent(panel, "notice");
            compare(log.chosen, ["notice"]);
            tryCompare(log.subscription, "active", true);
            compare(findChild(panel, "subscriptionStatus").text, "Live");

            panel.run("broadcast", { text: "from the test", repeat: 3 });
            tryCompare(log.entries, "count", 3);
            compare(log.receivedCount, 3);
            const newest = log.entries.get(0);
            const oldest = log.entries.get(2);
            compare(newest.name, "notice");
            verify(newest.seq > oldest.seq, newest.seq + " after " + oldest.seq);
            verify(newest.payload.indexOf("\"n\":3") >= 0, newest.payload);
            tryVerify(() => findChild(panel, "event_" + newest.seq) !== null);

            // Unchosen: nothing more arrives, and the client unsubscribed.
            mouseClick(findChild(panel, "eventChip_notice"));
            compare(log.chosen, []);
            tryVerify(() => panel.client.subscriptions.indexOf("notice") < 0);
            const call = panel.run("broadcast", { text: "unseen" });
            tryCompare(call, "state", CommandCall.Succeeded);
            compare(log.receivedCount, 3);
        }

        function test_exposedCounterIsLikeAnyCommand() {
            const panel = connectedPanel();
            const log = panel.eventLog;
            chooseEvent(panel, "counter.valueChanged");
            tryCompare(log.subscription, "active", true);

            // Its form comes from the schema derived from increment(int by).
            select(panel, "counter.increment");
            const by = findChild(panel, "spin_by");
            verify(by.visible);
            compare(by.to, 2147483647);
            verify(findChild(panel, "field_by").isRequired);
            findChild(panel, "field_by").setValue(3);
            runFromForm(panel);
            tryCompare(panel.form.lastCall, "state", CommandCall.Succeeded);
            compare(panel.form.lastCall.result.value, 3);

            tryCompare(log.entries, "count", 1);
            compare(log.entries.get(0).name, "counter.valueChanged");
            verify(log.entries.get(0).payload.indexOf("\"value\":3") >= 0, log.entries.get(0).payload);
        }

        function test_eventLogKeepsTheNewest200() {
            const panel = connectedPanel();
            const log = panel.eventLog;
            chooseEvent(panel, "notice");
            tryCompare(log.subscription, "active", true);
            const call = panel.run("broadcast", { text: "many", repeat: 250 });
            tryCompare(call, "state", CommandCall.Succeeded);
            tryVerify(() => log.receivedCount + log.missedCount === 250, 10000);
            tryCompare(log.entries, "count", 200);
            verify(log.entries.get(0).payload.indexOf("\"n\":250") >= 0, log.entries.get(0).payload);
        }

        function test_gapInSeqIsMarkedInTheLog() {
            const panel = connectedPanel();
            const log = panel.eventLog;
            chooseEvent(panel, "notice");
            tryCompare(log.subscription, "active", true);
            // What the client emits when seq jumps (tst_commandclientevents covers the jump).
            log.subscription.eventsMissed(4);
            tryCompare(log.entries, "count", 1);
            compare(log.entries.get(0).kind, "gap");
            compare(log.entries.get(0).missed, 4);
            compare(log.missedCount, 4);
            tryVerify(() => findChild(panel, "gap_0") !== null);
        }

        function test_unknownEventIsShownOnTheLog() {
            const panel = connectedPanel();
            const log = panel.eventLog;
            log.chosen = ["no.such.event"];
            tryCompare(log.subscription, "errorCode", "unknown_event");
            tryCompare(findChild(panel, "subscriptionStatus"), "text", "unknown_event");
            verify(findChild(panel, "subscriptionError").visible);
        }

        function test_statsDriveTheHeaderFigure() {
            const panel = connectedPanel();
            const figure = findChild(panel, "statsFigure");
            tryVerify(() => figure.visible, 5000, "a stats event arrives once a second");
            compare(findChild(panel, "statConnections").text, String(panel.stats.connections));
            verify(panel.stats.connections >= 1);
            compare(findChild(panel, "statInFlight").text, String(panel.stats.in_flight));
            verify(panel.inFlightHistory.length >= 1);

            mouseClick(findChild(panel, "connectButton"));
            tryVerify(() => !figure.visible);
        }

        // Thousands of progress messages update bindings, not a model: the event loop keeps turning.
        function test_staysResponsiveUnderAProgressStorm() {
            const panel = connectedPanel();
            const ticks = [];
            const ticker = Qt.createQmlObject(
                "import QtQuick; Timer { interval: 10; repeat: true; running: true }", panel);
            ticker.triggered.connect(() => ticks.push(Date.now()));

            const call = panel.run("count", { to: 20000, interval_ms: 0 });
            let card = null;
            tryVerify(() => (card = findChild(panel, "call_" + call.requestId)) !== null);
            tryCompare(call, "state", CommandCall.Succeeded, 60000);
            ticker.running = false;

            compare(findChild(card, "progressBar").value, 100);
            verify(ticks.length > 10, "ticks: " + ticks.length);
            let longestGap = 0;
            for (let i = 1; i < ticks.length; ++i)
                longestGap = Math.max(longestGap, ticks[i] - ticks[i - 1]);
            verify(longestGap < 500, "the GUI thread stalled for " + longestGap + " ms");
        }
    }
}
