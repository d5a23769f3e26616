// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

import QtQuick
import QtTest
import CommandBridge

// What the QML module (src/quick) adds to the C++ client: CommandClient.calls as a list property,
// and calls returned to QML that the garbage collector leaves alone (they have a parent).
TestCase {
    id: testCase

    name: "CommandClientQml"

    Component {
        id: clientComponent
        CommandClient { }
    }

    function test_callsListsTheCallsRunAndOutlivesGarbageCollection() {
        const client = createTemporaryObject(clientComponent, testCase, { url: bridgeUrl });
        compare(client.calls.length, 0);
        // Not connected: the call finishes as Disconnected from the event loop.
        let call = client.run("count", { to: 1 });
        compare(client.calls.length, 1);
        verify(client.calls[0] === call);
        call = null;
        gc();
        tryCompare(client.calls[0], "state", CommandCall.Disconnected);
        compare(client.calls[0].command, "count");
        client.clearFinished();
        tryVerify(() => client.calls.length === 0, 5000, "clearFinished() removed the call");
    }
}
