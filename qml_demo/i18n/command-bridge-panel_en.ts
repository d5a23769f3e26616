<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>ArgField</name>
    <message>
        <location filename="../ArgField.qml" line="95"/>
        <source>Not valid JSON: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgField.qml" line="111"/>
        <source>max %1 chars</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgField.qml" line="131"/>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgField.qml" line="177"/>
        <source>JSON value</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgField.qml" line="204"/>
        <source>Expected to match %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ArgsForm</name>
    <message>
        <location filename="../ArgsForm.qml" line="60"/>
        <source>The args must be a JSON object.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="64"/>
        <source>Not valid JSON: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="140"/>
        <location filename="../ArgsForm.qml" line="337"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="142"/>
        <source>times out after %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="159"/>
        <source>Pick a command on the left to fill in its args and run it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="208"/>
        <source>This command takes no args.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="219"/>
        <source>args (any JSON object)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="260"/>
        <source>Message sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="274"/>
        <source>(not valid JSON yet)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="279"/>
        <source>The client adds the request id; the server adds the session id.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="309"/>
        <source>Connect to run commands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="311"/>
        <source>Ctrl+Enter runs it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="313"/>
        <source>#%1 running…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="314"/>
        <source>#%1 succeeded in %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="315"/>
        <source>#%1 cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="316"/>
        <source>#%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ArgsForm.qml" line="325"/>
        <source>Reset</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallCard</name>
    <message>
        <location filename="../CallCard.qml" line="61"/>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallCard.qml" line="62"/>
        <source>Succeeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallCard.qml" line="63"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallCard.qml" line="64"/>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallCard.qml" line="65"/>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallCard.qml" line="104"/>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CallList</name>
    <message>
        <location filename="../CallList.qml" line="15"/>
        <source>Activity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallList.qml" line="16"/>
        <source>%1 running  ·  %2 finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallList.qml" line="21"/>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CallList.qml" line="45"/>
        <source>Calls you run appear here with their progress and results.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <location filename="../main.cpp" line="57"/>
        <source>cannot save the screenshot to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="73"/>
        <source>CommandBridge panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="77"/>
        <source>A Qt Quick panel for running CommandBridge commands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="79"/>
        <source>Bridge WebSocket URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="81"/>
        <source>Bearer token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="82"/>
        <source>Connect at start.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="85"/>
        <source>Connect and run a few demo commands, one of them long (implies --connect).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="89"/>
        <source>Save the window to this PNG and quit (with --demo: mid-command).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="93"/>
        <source>Delay before the screenshot, counted from the demo&apos;s start (default 2000).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="102"/>
        <source>--url must be a ws:// or wss:// URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="108"/>
        <source>--screenshot-after-ms must be a number of milliseconds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../main.cpp" line="146"/>
        <source>the demo did not start: is the bridge running?</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CommandList</name>
    <message>
        <location filename="../CommandList.qml" line="13"/>
        <source>Commands</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="79"/>
        <source>any args</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="80"/>
        <source>no args</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="81"/>
        <source>1 arg</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="82"/>
        <source>%1 args</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="112"/>
        <source>The server has no commands.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../CommandList.qml" line="113"/>
        <source>Connect to a bridge to see its commands.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConnectionBar</name>
    <message>
        <location filename="../ConnectionBar.qml" line="65"/>
        <source>command panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="74"/>
        <source>URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="90"/>
        <source>Token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="97"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="107"/>
        <source>Connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="108"/>
        <source>Disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="127"/>
        <source>Connected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="128"/>
        <source>Connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="129"/>
        <source>Reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="130"/>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ConnectionBar.qml" line="145"/>
        <source>session</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EventLog</name>
    <message>
        <location filename="../EventLog.qml" line="59"/>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="60"/>
        <source>%1 received  ·  %2 missed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="61"/>
        <source>%1 received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="66"/>
        <source>Live</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="67"/>
        <source>Waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="77"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="150"/>
        <source>session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="249"/>
        <source>⚠ 1 event missed (the server coalesced it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="250"/>
        <source>⚠ %1 events missed (the server coalesced them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="267"/>
        <source>The server declares no events.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="268"/>
        <source>Connect to a bridge to see its events.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="269"/>
        <source>Pick events above to watch them arrive.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../EventLog.qml" line="270"/>
        <source>Waiting for events…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../Main.qml" line="42"/>
        <source>CommandBridge panel</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StatsFigure</name>
    <message>
        <location filename="../StatsFigure.qml" line="39"/>
        <source>connections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../StatsFigure.qml" line="44"/>
        <source>in flight</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
