// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Node.js peer of cb-bench-qt-broadcast: the bridge's event fan-out on the `ws` package. Answers
// `subscribe`; on the `broadcast` command it encodes each notice once and sends that same Buffer
// to every subscribed connection (the `ws` broadcast idiom), 1000 notices per turn of the event
// loop as the bridge publishes them, then answers the requester.
'use strict';
const { WebSocketServer } = require('ws');

function portArg() {
    const i = process.argv.indexOf('--port');
    return i > 0 ? Number(process.argv[i + 1]) : 0;
}

const SLICE = 1000;
const subscribers = new Set();
let seq = 0; // every subscriber's own count while all subscribed before the first notice

function publish(requester, id, text, first, repeat) {
    const last = Math.min(repeat, first + SLICE - 1);
    for (let n = first; n <= last; ++n) {
        // The same key order as the bridge's encoder, so every system sends the same bytes.
        const data = Buffer.from(JSON.stringify({ data: { n, text }, event: 'notice', seq: ++seq, type: 'event' }));
        for (const ws of subscribers)
            ws.send(data, { binary: false });
    }
    if (last < repeat) {
        setImmediate(publish, requester, id, text, last + 1, repeat);
        return;
    }
    if (requester.readyState === requester.OPEN)
        requester.send(JSON.stringify({ type: 'command_result', id, command: 'broadcast', success: true, result: { published: repeat } }));
}

const server = new WebSocketServer({ host: '127.0.0.1', port: portArg(), path: '/ws', perMessageDeflate: false });
server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
server.on('connection', (ws) => {
    ws.on('close', () => subscribers.delete(ws));
    ws.on('message', (raw, isBinary) => {
        if (isBinary)
            return;
        let msg;
        try {
            msg = JSON.parse(raw.toString());
        } catch {
            return;
        }
        if (msg.type === 'subscribe') {
            subscribers.add(ws);
            ws.send(JSON.stringify({ type: 'subscribed', id: msg.id, events: ['notice'] }));
        } else if (msg.type === 'command' && msg.command === 'broadcast') {
            const args = msg.args && typeof msg.args === 'object' ? msg.args : {};
            publish(ws, msg.id, String(args.text), 1, Number(args.repeat) || 1);
        }
    });
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        for (const ws of server.clients)
            ws.terminate();
        server.close(() => process.exit(0));
    });
}
