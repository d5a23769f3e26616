// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Drives the demo server's MCP front end (spec section 11) with the official MCP TypeScript SDK,
// a client we did not write: its Client over StreamableHTTPClientTransport, against the real
// command-bridge-server executable on 127.0.0.1, port 0.
//
// Usage: node mcp-sdk-test.mjs PATH/TO/command-bridge-server
// Prints one line per check and "N passed, N failed"; exits non-zero on any failure.

import { spawn } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';

const serverPath = process.argv[2];
if (!serverPath) {
    console.error('usage: node mcp-sdk-test.mjs PATH/TO/command-bridge-server');
    process.exit(2);
}

const stepTimeoutMs = 15000;
const wholeRunTimeoutMs = 120000;
const token = 'mcp-sdk-test-token';
const demoCommands = ['broadcast', 'compact', 'count', 'echo', 'fail', 'hash', 'history.add',
    'history.list'];

const servers = [];
let passed = 0;
let failed = 0;

class CheckFailed extends Error {}

function check(condition, what, detail) {
    if (!condition)
        throw new CheckFailed(detail === undefined ? what : `${what}: ${JSON.stringify(detail)}`);
}

function checkEqual(actual, expected, what) {
    if (!isDeepStrictEqual(actual, expected)) {
        throw new CheckFailed(`${what}: expected ${JSON.stringify(expected)}, got ` +
            JSON.stringify(actual));
    }
}

function withTimeout(promise, what, ms = stepTimeoutMs) {
    let timer;
    const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new CheckFailed(`${what}: no answer within ${ms} ms`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/// Starts the demo server and resolves to its base URL, read from its "listening on" line.
function startServer(extraArgs = []) {
    const child = spawn(serverPath, ['--port', '0', ...extraArgs],
        { stdio: ['ignore', 'pipe', 'pipe'] });
    const server = { child, exited: false, output: '' };
    servers.push(server);
    child.on('exit', (code, signal) => {
        server.exited = true;
        server.exitStatus = signal ?? code;
    });
    child.stderr.on('data', (data) => { server.output += data; });
    return withTimeout(new Promise((resolve, reject) => {
        let stdout = '';
        child.on('error', reject);
        child.on('exit', (code) => reject(new Error(
            `command-bridge-server exited (${code}) before listening: ${server.output}`)));
        child.stdout.on('data', (data) => {
            stdout += data;
            const match = /listening on (http:\/\/[^\s/]+)/.exec(stdout);
            if (match) {
                server.url = match[1];
                resolve(server);
            }
        });
    }), 'server start');
}

/// Stops the server as an operator would (SIGTERM); false unless it then exits with status 0.
async function stopServer(server) {
    if (server.exited)
        return server.exitStatus === 0;
    const exited = new Promise((resolve) => server.child.on('exit', resolve));
    server.child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
    if (!stopped) {
        server.child.kill('SIGKILL');
        await exited;
        return false;
    }
    return server.exitStatus === 0;
}

/// A connected SDK client, its transport, and the errors either reported.
async function connect(baseUrl, requestInit) {
    const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`),
        requestInit ? { requestInit } : undefined);
    const client = new Client({ name: 'commandbridge-mcp-sdk-test', version: '1.0.0' });
    const errors = [];
    client.onerror = (error) => errors.push(String(error));
    await withTimeout(client.connect(transport), 'connect');
    return { client, transport, errors };
}

async function health(baseUrl) {
    const response = await fetch(`${baseUrl}/api/v1/health`);
    checkEqual(response.status, 200, 'GET /api/v1/health status');
    return response.json();
}

/// Polls the health route until in_flight is 0; resolves to the milliseconds it took.
async function waitForNoneInFlight(baseUrl, ms = 5000) {
    const start = Date.now();
    for (;;) {
        const { in_flight: inFlight } = await health(baseUrl);
        if (inFlight === 0)
            return Date.now() - start;
        if (Date.now() - start > ms)
            throw new CheckFailed(`in_flight is still ${inFlight} after ${ms} ms`);
        await sleep(20);
    }
}

/// A raw POST /mcp, for what the SDK hides (the status of a request with a stale session).
async function rawPost(baseUrl, message, headers = {}) {
    const response = await fetch(`${baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify(message),
    });
    return { status: response.status, body: await response.text() };
}

/// The text of a tool result's single content block, and a check that it is compact JSON of
/// its structuredContent.
function checkCompactText(result, what) {
    check(Array.isArray(result.content) && result.content.length === 1, `${what}: one content block`,
        result.content);
    const block = result.content[0];
    checkEqual(block.type, 'text', `${what}: content type`);
    checkEqual(JSON.parse(block.text), result.structuredContent,
        `${what}: content text parses to structuredContent`);
    checkEqual(block.text, JSON.stringify(JSON.parse(block.text)), `${what}: compact JSON text`);
}

const checks = [];
const test = (name, body) => checks.push({ name, body });

let base;
let tokenBase;

test('connect: initialize, a session id, the server info', async () => {
    const { client, transport, errors } = await connect(base);
    try {
        check(typeof transport.sessionId === 'string' && transport.sessionId.length > 0,
            'Mcp-Session-Id from initialize', transport.sessionId);
        checkEqual(client.getServerVersion()?.name, 'CommandBridge', 'serverInfo.name');
        check(client.getServerCapabilities()?.tools !== undefined, 'capabilities.tools',
            client.getServerCapabilities());
        await withTimeout(client.ping(), 'ping');
        // The GET /mcp the SDK makes after notifications/initialized must get 405, which it
        // takes silently; anything else it reports here.
        await sleep(100);
        checkEqual(errors, [], 'client errors');
        const { sessions } = await health(base);
        check(sessions >= 1, 'the MCP session is a bridge session (health counts it)', sessions);
    } finally {
        await client.close();
    }
});

test('listTools: every demo command, with its args schema as inputSchema', async () => {
    const { client } = await connect(base);
    try {
        const { tools } = await withTimeout(client.listTools(), 'listTools');
        const names = tools.map((tool) => tool.name).sort();
        for (const name of demoCommands)
            check(names.includes(name), `tool ${name} listed`, names);
        const rest = await (await fetch(`${base}/api/v1/commands`)).json();
        checkEqual(names, rest.commands.map((command) => command.name).sort(),
            'tools are the REST command list');
        for (const tool of tools) {
            const command = rest.commands.find((entry) => entry.name === tool.name);
            checkEqual(tool.inputSchema?.type, 'object', `${tool.name}: inputSchema is an object`);
            checkEqual(tool.inputSchema, command.args_schema, `${tool.name}: inputSchema`);
            checkEqual(tool.description, command.description, `${tool.name}: description`);
            checkEqual(tool.outputSchema, undefined, `${tool.name}: no outputSchema`);
        }
    } finally {
        await client.close();
    }
});

test('callTool: structuredContent, and the same as compact JSON text', async () => {
    const { client, transport } = await connect(base);
    try {
        const echoed = await withTimeout(client.callTool({ name: 'echo',
            arguments: { text: 'hi', n: 1, list: [1, 2.5, 'x'], nested: { ok: true } } }), 'echo');
        checkEqual(echoed.isError, false, 'echo isError');
        checkEqual(echoed.structuredContent, { text: 'hi', n: 1, list: [1, 2.5, 'x'],
            nested: { ok: true }, session_id: transport.sessionId },
            'echo structuredContent (with the injected session_id)');
        checkCompactText(echoed, 'echo');

        const counted = await withTimeout(client.callTool({ name: 'count',
            arguments: { to: 2, interval_ms: 0 } }), 'count');
        checkEqual(counted.isError, false, 'count isError');
        checkEqual(counted.structuredContent, { counted: 2 }, 'count structuredContent');
        checkEqual(counted.content, [{ type: 'text', text: '{"counted":2}' }], 'count content');

        const noArguments = await withTimeout(client.callTool({ name: 'history.list' }),
            'history.list without arguments');
        checkEqual(noArguments.structuredContent, { turns: [] }, 'absent arguments mean {}');
    } finally {
        await client.close();
    }
});

test('callTool: a failing command is a tool error with code, message and details', async () => {
    const { client } = await connect(base);
    try {
        const failedCall = await withTimeout(client.callTool({ name: 'fail',
            arguments: { code: 'not_found', message: 'No such thing' } }), 'fail');
        checkEqual(failedCall.isError, true, 'fail isError');
        checkEqual(failedCall.structuredContent, { code: 'not_found', message: 'No such thing' },
            'fail structuredContent');
        checkEqual(failedCall.content, [{ type: 'text', text: 'No such thing' }],
            'fail content: the message');

        const invalid = await withTimeout(client.callTool({ name: 'count',
            arguments: { to: 'many', extra: 1 } }), 'count with invalid arguments');
        checkEqual(invalid.isError, true, 'invalid arguments isError');
        const error = invalid.structuredContent;
        checkEqual(error.code, 'invalid_args', 'invalid arguments code');
        check(typeof error.message === 'string' && error.message.length > 0, 'a message', error);
        check(Array.isArray(error.details) && error.details.length >= 2,
            'details list every problem', error.details);
        const paths = error.details.map((problem) => problem.path);
        check(paths.includes('/to'), 'details name /to', error.details);
        for (const problem of error.details) {
            check(typeof problem.message === 'string' && problem.message.length > 0,
                'each detail has a message', problem);
        }
        checkEqual(invalid.content, [{ type: 'text', text: error.message }],
            'invalid arguments content: the message');
    } finally {
        await client.close();
    }
});

test('callTool: an unknown tool is JSON-RPC error -32602', async () => {
    const { client } = await connect(base);
    try {
        let thrown;
        try {
            await withTimeout(client.callTool({ name: 'no.such.tool', arguments: {} }),
                'unknown tool');
        } catch (error) {
            thrown = error;
        }
        check(thrown instanceof McpError, 'an McpError', String(thrown));
        checkEqual(thrown.code, -32602, 'error code');
        check(thrown.message.includes('no.such.tool'), 'the message names the tool',
            thrown.message);
    } finally {
        await client.close();
    }
});

test('progress: notifications/progress before the result', async () => {
    const { client } = await connect(base);
    try {
        const reports = [];
        let resolved = false;
        const result = await withTimeout(client.callTool(
            { name: 'count', arguments: { to: 5, interval_ms: 20 } }, undefined,
            { onprogress: (progress) => reports.push({ ...progress, afterResult: resolved }) }),
        'count with progress');
        resolved = true;
        checkEqual(result.structuredContent, { counted: 5 }, 'count result');
        checkEqual(reports.length, 5, 'progress notifications');
        reports.forEach((report, i) => {
            checkEqual(report.total, 100, `progress ${i + 1} total`);
            checkEqual(report.progress, 20 * (i + 1), `progress ${i + 1} progress`);
            checkEqual(report.message, `step ${i + 1}/5`, `progress ${i + 1} message`);
            checkEqual(report.afterResult, false, `progress ${i + 1} before the result`);
        });
        for (let i = 1; i < reports.length; ++i) {
            check(reports[i].progress > reports[i - 1].progress, 'progress increases',
                reports.map((report) => report.progress));
        }
    } finally {
        await client.close();
    }
});

test('cancel: notifications/cancelled stops a streamed and a plain call; in_flight returns to 0', async () => {
    const { client } = await connect(base);
    try {
        await waitForNoneInFlight(base);
        const abort = new AbortController();
        let progressSeen = 0;
        const steps = 1000;
        const intervalMs = 20;
        const call = client.callTool({ name: 'count', arguments: { to: steps,
            interval_ms: intervalMs } }, undefined, {
            signal: abort.signal,
            onprogress: () => {
                if (++progressSeen === 1) {
                    abort.abort('the test cancels');
                }
            },
        });
        let thrown;
        try {
            await withTimeout(call, 'cancelled count');
        } catch (error) {
            thrown = error;
        }
        check(thrown !== undefined && !(thrown instanceof CheckFailed),
            'the call is rejected once aborted', String(thrown));
        checkEqual(progressSeen, 1, 'progress seen before the abort');
        // The whole count takes steps * intervalMs = 20 s: in_flight at 0 long before that
        // means the handler stopped, it did not finish.
        const tookMs = await waitForNoneInFlight(base, 5000);
        check(tookMs < steps * intervalMs / 4, 'in_flight returned to 0 well before the count ' +
            'could have finished', tookMs);

        // Without onprogress the answer is plain JSON: the server closes that connection with
        // nothing sent once the cancel arrives. Aborted once the health route shows it running.
        const plainAbort = new AbortController();
        const plain = client.callTool({ name: 'count', arguments: { to: steps,
            interval_ms: intervalMs } }, undefined, { signal: plainAbort.signal });
        plain.catch(() => {});
        const running = Date.now();
        while ((await health(base)).in_flight !== 1) {
            check(Date.now() - running < 5000, 'the plain call runs within 5 s');
            await sleep(20);
        }
        plainAbort.abort('the test cancels');
        let plainThrown;
        try {
            await withTimeout(plain, 'cancelled plain count');
        } catch (error) {
            plainThrown = error;
        }
        check(plainThrown !== undefined && !(plainThrown instanceof CheckFailed),
            'the plain call is rejected once aborted', String(plainThrown));
        const plainTookMs = await waitForNoneInFlight(base, 5000);
        check(plainTookMs < steps * intervalMs / 4, 'in_flight returned to 0 after the plain cancel',
            plainTookMs);

        const after = await withTimeout(client.callTool({ name: 'count',
            arguments: { to: 1, interval_ms: 0 } }), 'a call after the cancel');
        checkEqual(after.structuredContent, { counted: 1 }, 'the session still works');
    } finally {
        await client.close();
    }
});

test('sessions: each client has its own; a terminated session is gone (404)', async () => {
    const first = await connect(base);
    const second = await connect(base);
    try {
        check(first.transport.sessionId !== second.transport.sessionId, 'distinct session ids',
            [first.transport.sessionId, second.transport.sessionId]);
        for (const text of ['one', 'two']) {
            const added = await withTimeout(first.client.callTool({ name: 'history.add',
                arguments: { text } }), 'history.add');
            checkEqual(added.isError, false, 'history.add isError', added);
        }
        const listed = await withTimeout(first.client.callTool({ name: 'history.list',
            arguments: {} }), 'history.list');
        checkEqual(listed.structuredContent, { turns: [{ text: 'one' }, { text: 'two' }] },
            'history of the first session');
        const other = await withTimeout(second.client.callTool({ name: 'history.list',
            arguments: {} }), 'history.list of the second client');
        checkEqual(other.structuredContent, { turns: [] }, 'history of the second session');

        const oldId = first.transport.sessionId;
        await withTimeout(first.transport.terminateSession(), 'terminateSession');
        checkEqual(first.transport.sessionId, undefined, 'the transport forgot the session');

        const stale = await rawPost(base, { jsonrpc: '2.0', id: 1, method: 'tools/list' },
            { 'mcp-session-id': oldId });
        checkEqual(stale.status, 404, 'a request with the terminated session id');
        checkEqual(JSON.parse(stale.body).error?.code, -32600, 'its JSON-RPC error code');

        // The SDK reconnecting with the stale id (it skips initialize) gets the 404 too.
        const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`),
            { sessionId: oldId });
        const client = new Client({ name: 'commandbridge-mcp-sdk-test', version: '1.0.0' });
        client.onerror = () => {};
        await withTimeout(client.connect(transport), 'reconnect with the stale id');
        let thrown;
        try {
            await withTimeout(client.listTools(), 'listTools with the stale id');
        } catch (error) {
            thrown = error;
        }
        await client.close();
        checkEqual(thrown?.code, 404, 'the SDK sees HTTP 404');

        const still = await withTimeout(second.client.callTool({ name: 'history.list',
            arguments: {} }), 'the second session after the first ended');
        checkEqual(still.structuredContent, { turns: [] }, 'the second session is untouched');
    } finally {
        await first.client.close();
        await second.client.close();
    }
});

test('token: the bearer token opens the session, no or a wrong token gets 401', async () => {
    const { client } = await connect(tokenBase,
        { headers: { Authorization: `Bearer ${token}` } });
    try {
        const { tools } = await withTimeout(client.listTools(), 'listTools with the token');
        check(tools.some((tool) => tool.name === 'echo'), 'tools listed with the token');
        const echoed = await withTimeout(client.callTool({ name: 'echo', arguments: { a: 1 } }),
            'echo with the token');
        checkEqual(echoed.structuredContent.a, 1, 'echo with the token');
    } finally {
        await client.close();
    }
    for (const [what, requestInit] of [['no token', undefined],
        ['a wrong token', { headers: { Authorization: 'Bearer wrong' } }]]) {
        const transport = new StreamableHTTPClientTransport(new URL(`${tokenBase}/mcp`),
            requestInit ? { requestInit } : undefined);
        const refused = new Client({ name: 'commandbridge-mcp-sdk-test', version: '1.0.0' });
        refused.onerror = () => {};
        let thrown;
        try {
            await withTimeout(refused.connect(transport), `connect with ${what}`);
        } catch (error) {
            thrown = error;
        }
        await refused.close();
        check(thrown !== undefined && !(thrown instanceof CheckFailed),
            `connect with ${what} fails`, String(thrown));
        checkEqual(thrown.code, 401, `connect with ${what}: HTTP status`);
    }
});

async function main() {
    const watchdog = setTimeout(() => {
        console.error(`FAIL: the whole run took longer than ${wholeRunTimeoutMs} ms`);
        for (const server of servers)
            server.child.kill('SIGKILL');
        process.exit(1);
    }, wholeRunTimeoutMs);
    try {
        base = (await startServer()).url;
        tokenBase = (await startServer(['--token', token])).url;
        console.log(`node ${process.version}, servers at ${base} and ${tokenBase} (with token)`);
        for (const { name, body } of checks) {
            try {
                await body();
                ++passed;
                console.log(`ok - ${name}`);
            } catch (error) {
                ++failed;
                console.log(`FAIL - ${name}: ${error instanceof CheckFailed ? error.message
                    : error?.stack ?? error}`);
            }
        }
    } catch (error) {
        ++failed;
        console.log(`FAIL - setup: ${error?.stack ?? error}`);
    } finally {
        for (const server of servers) {
            if (await stopServer(server))
                continue;
            ++failed;
            console.log(`FAIL - ${server.url ?? 'a server'} did not exit with status 0 on ` +
                `SIGTERM within 5 s (${server.exitStatus}); its stderr:\n${server.output.trim()}`);
        }
        clearTimeout(watchdog);
    }
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(failed === 0 ? 0 : 1);
}

main();
