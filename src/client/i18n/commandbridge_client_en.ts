<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>CommandBridge::CommandClient</name>
    <message>
        <location filename="../lib/commandclient.cpp" line="38"/>
        <source>Closed by the server (%1: %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="42"/>
        <source>The connection was closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="50"/>
        <source>The server refused the token (HTTP 401)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="52"/>
        <source>The server refused this host or origin (HTTP 403)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="54"/>
        <source>The server refused the request (HTTP 400): is the session id valid?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="78"/>
        <source>The server did not say hello in time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="158"/>
        <source>The server refused the token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="177"/>
        <source>The server requires a token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="269"/>
        <source>The connection to the server was lost: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="270"/>
        <source>Could not connect to the server: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="347"/>
        <source>Not connected to the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="368"/>
        <source>Cancelled before it was sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../lib/commandclient.cpp" line="557"/>
        <source>Disconnected from the server</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
