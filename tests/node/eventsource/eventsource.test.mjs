// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The demo server's event stream (spec section 10) read by an EventSource we did not write: the
// npm package `eventsource`, the WHATWG EventSource for Node.js, used as a browser page uses one.
// It starts the real command-bridge-server executable (once without and once with a token) and
// drives it with fetch.
//
// Usage: node eventsource.test.mjs PATH_TO_COMMAND_BRIDGE_SERVER (CTest's `eventsource` test).
// Exits non-zero on any failure; every wait is bounded.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { EventSource } from 'eventsource';

const serverPath = process.argv[2];
if (!serverPath) {
    console.error('usage: node eventsource.test.mjs PATH_TO_COMMAND_BRIDGE_SERVER');
    process.exit(2);
}

const timeoutMs = 10000;
const testOptions = { timeout: 4 * timeoutMs };
const token = 'eventsource-test-token';
const servers = new Set();

// Whatever ends this process (a failed assertion, a crash) takes the servers with it.
process.on('exit', () => {
    for (const server of servers)
        server.child.kill('SIGKILL');
});

/// Starts the server on a free port; resolves once its "listening on" line names the port.
async function startServer(extraArguments = []) {
    const child = spawn(serverPath, ['--port', '0', ...extraArguments], {
        stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = { child, base: '', stderr: '' };
    servers.add(server);
    let stdout = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => (server.stderr += chunk));
    server.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    server.base = await new Promise((resolve, reject) => {
        const timer = setTimeout(
            () => reject(new Error(`${serverPath} printed no "listening on" line in ${timeoutMs} ms:\n${stdout}`)),
            timeoutMs);
        const fail = (error) => {
            clearTimeout(timer);
            reject(error);
        };
        child.on('error', (error) => fail(new Error(`cannot start ${serverPath}: ${error.message}`)));
        child.on('exit', (code, signal) =>
            fail(new Error(`${serverPath} exited (${code ?? signal}) before listening:\n${server.stderr}`)));
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
            stdout += chunk;
            const match = /listening on (http:\/\/127\.0\.0\.1:(\d+)) \(WebSocket: ws:\/\/127\.0\.0\.1:\2\/ws\)\n/.exec(stdout);
            if (match) {
                clearTimeout(timer);
                resolve(match[1]);
            }
        });
    });
    return server;
}

/// Stops the server with SIGTERM (its graceful stop), SIGKILL if it does not exit in time.
async function stopServer(server) {
    if (!server)
        return undefined;
    if (server.child.exitCode === null && server.child.signalCode === null)
        server.child.kill('SIGTERM');
    const timer = setTimeout(() => server.child.kill('SIGKILL'), timeoutMs);
    const exit = await server.exited;
    clearTimeout(timer);
    servers.delete(server);
    return exit;
}

/// A rejection after timeoutMs that says what was awaited and what was seen instead.
function withTimeout(promise, what, seen) {
    let timer;
    const expired = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; seen: ${seen()}`)),
            timeoutMs);
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/// An EventSource on the event stream that records, in arrival order, every named event it
/// listens for, every unnamed message, and every error.
class Stream {
    constructor(url, names = ['notice', 'history.changed', 'stats']) {
        this.url = url;
        this.events = [];
        this.messages = [];
        this.errors = [];
        this.openCount = 0;
        this.waiters = new Set();
        this.source = new EventSource(url);
        this.source.onopen = () => {
            ++this.openCount;
            this.changed();
        };
        this.source.onerror = (error) => {
            this.errors.push({ code: error.code, message: error.message, readyState: this.source.readyState });
            this.changed();
        };
        this.source.onmessage = (message) => {
            this.messages.push(message.data);
            this.changed();
        };
        for (const name of names) {
            this.source.addEventListener(name, (event) => {
                this.events.push({ type: event.type, lastEventId: event.lastEventId, data: event.data });
                this.changed();
            });
        }
    }

    changed() {
        for (const waiter of this.waiters)
            waiter();
    }

    /// Resolves once \a predicate(this) holds, rejects after timeoutMs.
    until(predicate, what) {
        let waiter;
        const reached = new Promise((resolve) => {
            waiter = () => {
                if (predicate(this))
                    resolve();
            };
            this.waiters.add(waiter);
            waiter();
        });
        return withTimeout(reached, `${what} on ${this.url}`, () => JSON.stringify({
            readyState: this.source.readyState, opened: this.openCount, events: this.events,
            messages: this.messages, errors: this.errors,
        })).finally(() => this.waiters.delete(waiter));
    }

    opened() {
        return this.until((stream) => stream.openCount > 0, 'onopen');
    }

    failed() {
        return this.until((stream) => stream.errors.length > 0, 'onerror');
    }

    /// The event objects received, parsed; each checked to be a well-formed SSE event first.
    parsed() {
        return this.events.map((event) => {
            const object = JSON.parse(event.data);
            assert.equal(event.type, object.event, `SSE event name vs the event object: ${event.data}`);
            assert.equal(event.lastEventId, String(object.seq), `SSE id vs seq: ${event.data}`);
            return object;
        });
    }

    close() {
        this.source.close();
    }
}

async function runCommand(server, command, args, headers = {}) {
    const response = await fetch(`${server.base}/api/v1/commands/${command}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify(args),
        signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: response.status, body: await response.json() };
}

function notice(seq, text, n) {
    return { type: 'event', event: 'notice', seq, data: { text, n } };
}

/**
 * Starts the server with `args` before the tests of a `describe` (handing it to `started`) and
 * stops it after them, closing every stream opened by the function returned: open(query).
 */
function serveWithStreams(started, args) {
    let server;
    const streams = [];
    before(async () => {
        server = await startServer(args);
        started(server);
    });
    after(async () => {
        for (const stream of streams)
            stream.close();
        // A crash on the way out (a sanitizer's report, say) fails the suite, not only a log.
        const exit = await stopServer(server);
        assert.deepEqual(exit, { code: 0, signal: null }, `server's exit; its stderr:\n${server.stderr}`);
    });
    return (query) => {
        const stream = new Stream(`${server.base}/api/v1/events/stream?${query}`);
        streams.push(stream);
        return stream;
    };
}

describe('command-bridge-server without a token', () => {
    let server;
    const open = serveWithStreams((started) => (server = started), undefined);

    test('broadcast repeat 3 reaches the stream as 3 notice events, in order, ids = seq', testOptions, async () => {
        const stream = open('events=notice,history.*');
        await stream.opened();
        assert.equal(stream.source.readyState, EventSource.OPEN);

        const answer = await runCommand(server, 'broadcast', { text: 'hello', repeat: 3 });
        assert.deepEqual(answer, { status: 200, body: { command: 'broadcast', success: true, result: { published: 3 } } });

        await stream.until((s) => s.events.length >= 3, '3 notices');
        assert.deepEqual(stream.parsed(), [notice(1, 'hello', 1), notice(2, 'hello', 2), notice(3, 'hello', 3)]);
        assert.deepEqual(stream.events.map((event) => event.lastEventId), ['1', '2', '3']);
        // Named events only: nothing reaches onmessage, and the stream never failed.
        assert.deepEqual(stream.messages, []);
        assert.deepEqual(stream.errors, []);
        assert.equal(stream.openCount, 1);
    });

    test('a comma written as %2C (URLSearchParams) subscribes to both entries', testOptions, async () => {
        const stream = open(new URLSearchParams({ events: 'notice,history.*' }).toString());
        await stream.opened();
        const answer = await runCommand(server, 'broadcast', { text: 'encoded' });
        assert.equal(answer.status, 200);
        await stream.until((s) => s.events.length >= 1, 'a notice');
        assert.deepEqual(stream.parsed(), [notice(1, 'encoded', 1)]);
    });

    test('a session stream receives its history.changed, another session\'s stream does not', testOptions, async () => {
        const mine = open('events=notice,history.*&session=es-mine');
        const other = open('events=notice,history.*&session=es-other');
        const none = open('events=notice,history.*');
        await Promise.all([mine.opened(), other.opened(), none.opened()]);

        const added = await runCommand(server, 'history.add', { text: 'a turn' }, { 'X-Session-Id': 'es-mine' });
        assert.deepEqual(added, { status: 200, body: { command: 'history.add', success: true, result: { turns: 1 } } });
        // Published after history.changed from the same thread: once a stream has the notice, it
        // has every history.changed it was going to get.
        const barrier = await runCommand(server, 'broadcast', { text: 'barrier' });
        assert.equal(barrier.status, 200);
        await Promise.all([mine, other, none].map((s) => s.until((x) => x.events.length > 0 &&
            x.events.at(-1).type === 'notice', 'the barrier notice')));

        assert.deepEqual(mine.parsed(), [
            { type: 'event', event: 'history.changed', seq: 1, data: { turns: 1 } },
            notice(2, 'barrier', 1),
        ]);
        assert.deepEqual(other.parsed(), [notice(1, 'barrier', 1)]);
        assert.deepEqual(none.parsed(), [notice(1, 'barrier', 1)]);
    });

    test('an undeclared event fails the EventSource; the raw answer is 404 unknown_event', testOptions, async () => {
        const stream = open('events=nope');
        await stream.failed();
        assert.equal(stream.openCount, 0);
        assert.equal(stream.errors[0].code, 404, JSON.stringify(stream.errors));
        // A failed connection: the EventSource does not retry.
        assert.equal(stream.source.readyState, EventSource.CLOSED);

        const response = await fetch(`${server.base}/api/v1/events/stream?events=nope`,
            { signal: AbortSignal.timeout(timeoutMs) });
        assert.equal(response.status, 404);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        const body = await response.json();
        assert.equal(body.success, false, JSON.stringify(body));
        assert.equal(body.result?.code, 'unknown_event', JSON.stringify(body));
    });

    test('a command stream\'s response starts before its first progress (fetch)', testOptions, async () => {
        // count's one step is a minute away: the status and headers must not wait for it.
        const controller = new AbortController();
        const started = fetch(`${server.base}/api/v1/commands/count/stream`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ to: 1, interval_ms: 60000 }),
            signal: controller.signal,
        });
        try {
            const response = await withTimeout(started, 'the response of count/stream', () => 'no response');
            assert.equal(response.status, 200);
            assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
        } finally {
            controller.abort();
        }
    });

    test('the stream is text/event-stream and the server\'s graceful stop ends it', testOptions, async () => {
        const response = await fetch(`${server.base}/api/v1/events/stream?events=notice`,
            { signal: AbortSignal.timeout(timeoutMs) });
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);

        const stream = open('events=notice');
        await stream.opened();
        const exit = await stopServer(server);
        server = undefined;
        assert.deepEqual(exit, { code: 0, signal: null });
        // The raw body ends: the read finishes rather than hanging.
        const rest = await withTimeout(response.text(), 'the end of the raw stream', () => '');
        assert.match(rest, /^: server shutting down\n\n$/m);
        // The EventSource sees the end as a lost connection and would reconnect.
        await stream.failed();
        assert.equal(stream.source.readyState, EventSource.CONNECTING);
    });
});

describe('command-bridge-server with --token', () => {
    let server;
    const open = serveWithStreams((started) => (server = started), ['--token', token]);

    test('?token= opens the stream and its events arrive', testOptions, async () => {
        const stream = open(`events=notice,history.*&token=${token}`);
        await stream.opened();
        const answer = await runCommand(server, 'broadcast', { text: 'with token', repeat: 2 },
            { Authorization: `Bearer ${token}` });
        assert.deepEqual(answer, { status: 200, body: { command: 'broadcast', success: true, result: { published: 2 } } });
        await stream.until((s) => s.events.length >= 2, '2 notices');
        assert.deepEqual(stream.parsed(), [notice(1, 'with token', 1), notice(2, 'with token', 2)]);
    });

    for (const [name, query] of [['no token', 'events=notice'], ['a wrong token', 'events=notice&token=wrong']]) {
        test(`${name} fails the EventSource with 401`, testOptions, async () => {
            const stream = open(query);
            await stream.failed();
            assert.equal(stream.openCount, 0);
            assert.equal(stream.errors[0].code, 401, JSON.stringify(stream.errors));
            assert.equal(stream.source.readyState, EventSource.CLOSED);

            const response = await fetch(`${server.base}/api/v1/events/stream?${query}`,
                { signal: AbortSignal.timeout(timeoutMs) });
            assert.equal(response.status, 401);
            const body = await response.json();
            assert.equal(body.result?.code, 'unauthorized', JSON.stringify(body));
        });
    }
});
