// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtTest
import CommandBridge

// EventSubscription against the real bridge of tst_panel.cpp (bridgeUrl), which serves the demo
// commands and events: `broadcast` publishes `notice`s, `history.add` a `history.changed`.
TestCase {
    id: testCase

    name: "EventSubscription"

    Component {
        id: clientComponent
        CommandClient { }
    }
    Component {
        id: subscriptionComponent
        EventSubscription { }
    }
    Component {
        id: spyComponent
        SignalSpy { }
    }

    function connectedClient() {
        const client = createTemporaryObject(clientComponent, testCase, { url: bridgeUrl });
        client.connectToServer();
        tryCompare(client, "state", CommandClient.Connected);
        tryVerify(() => client.events.count > 0, 5000, "the server's events are listed");
        return client;
    }

    function subscription(client, events) {
        return createTemporaryObject(subscriptionComponent, testCase,
                                     { client: client, events: events });
    }

    function spy(target, signalName) {
        return createTemporaryObject(spyComponent, testCase,
                                     { target: target, signalName: signalName });
    }

    function run(client, name, args) {
        const call = client.run(name, args);
        tryCompare(call, "state", CommandCall.Succeeded);
        return call;
    }

    function test_eventsModelListsTheDeclaredEvents() {
        const client = connectedClient();
        for (const name of ["history.changed", "notice", "stats"])
            verify(client.events.indexOf(name) >= 0, name);
        const notice = client.events.get(client.events.indexOf("notice"));
        compare(notice.scope, "global");
        verify(notice.description !== "");
        verify(notice.dataSchema.properties.text !== undefined);
        compare(client.events.get(client.events.indexOf("history.changed")).scope, "session");
    }

    function test_activeOnceConfirmedThenEventsArrive() {
        const client = connectedClient();
        const notices = subscription(client, ["notice"]);
        const received = spy(notices, "eventReceived");
        tryCompare(notices, "active", true);
        compare(client.subscriptions, ["notice"]);

        run(client, "broadcast", { text: "hello", repeat: 3 });
        tryCompare(received, "count", 3);
        for (let i = 0; i < 3; ++i) {
            const [name, data, seq] = received.signalArguments[i];
            compare(name, "notice");
            compare(data.text, "hello");
            compare(data.n, i + 1);
            if (i > 0)
                compare(seq, received.signalArguments[i - 1][2] + 1);
        }
    }

    function test_unknownEventFailsWithUnknownEvent() {
        const client = connectedClient();
        const bad = subscription(client, ["notice", "no.such.event"]);
        tryCompare(bad, "errorCode", "unknown_event");
        verify(bad.errorString.indexOf("no.such.event") >= 0, bad.errorString);
        verify(!bad.active);
        compare(client.subscriptions, []);

        // A new list clears the error and subscribes.
        bad.events = ["notice"];
        compare(bad.errorCode, "");
        tryCompare(bad, "active", true);
    }

    function test_emptyEntryFailsWithBadMessage() {
        const client = connectedClient();
        const bad = subscription(client, [""]);
        tryCompare(bad, "errorCode", "bad_message");
        verify(!bad.active);
    }

    function test_changingEventsResubscribes() {
        const client = connectedClient();
        const watcher = subscription(client, ["notice"]);
        const received = spy(watcher, "eventReceived");
        tryCompare(watcher, "active", true);

        watcher.events = ["history.*"];
        tryCompare(watcher, "active", true);
        compare(client.subscriptions, ["history.*"]);
        run(client, "broadcast", { text: "not for me" });
        run(client, "history.add", { text: "a turn" });
        tryCompare(received, "count", 1);
        compare(received.signalArguments[0][0], "history.changed");
        compare(received.signalArguments[0][1].turns, 1);
    }

    function test_subscriptionsShareTheirEntries() {
        const client = connectedClient();
        const first = subscription(client, ["notice"]);
        const second = subscription(client, ["notice", "stats"]);
        const received = spy(second, "eventReceived");
        tryCompare(first, "active", true);
        tryCompare(second, "active", true);
        compare(client.subscriptions, ["notice", "stats"]);

        // Detaching one sends nothing: the other still needs `notice`.
        first.client = null;
        verify(!first.active);
        run(client, "broadcast", { text: "still here" });
        tryVerify(() => received.signalArguments.some(args => args[0] === "notice"));
        compare(client.subscriptions, ["notice", "stats"]);

        second.events = [];
        verify(!second.active);
        tryCompare(client.subscriptions, "length", 0);
    }
}
