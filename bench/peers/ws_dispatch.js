// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Node.js peer of cb-bench-qt-dispatch: the same echo + burst protocol on the `ws` package.
'use strict';
const { WebSocketServer } = require('ws');

function portArg() {
    const i = process.argv.indexOf('--port');
    return i > 0 ? Number(process.argv[i + 1]) : 0;
}

const handlers = new Map([
    ['echo', (ws, id, args) => {
        ws.send(JSON.stringify({ type: 'command_result', id, command: 'echo', success: true, result: args }));
    }],
    ['burst', (ws, id, args) => {
        const n = Number(args.n) || 0;
        for (let i = 1; i <= n; ++i) {
            ws.send(JSON.stringify({
                type: 'command_progress', id, command: 'burst', message: String(i),
                percent: Math.floor((100 * i) / n),
            }));
        }
        ws.send(JSON.stringify({ type: 'command_result', id, command: 'burst', success: true, result: { n } }));
    }],
]);

const server = new WebSocketServer({ host: '127.0.0.1', port: portArg(), path: '/ws', perMessageDeflate: false });
server.on('listening', () => process.stdout.write(`PORT ${server.address().port}\n`));
server.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => {
        if (isBinary)
            return;
        let msg;
        try {
            msg = JSON.parse(data.toString());
        } catch {
            return;
        }
        const handler = handlers.get(msg.command);
        if (msg.type === 'command' && handler)
            handler(ws, msg.id, msg.args && typeof msg.args === 'object' ? msg.args : {});
    });
});

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        for (const ws of server.clients)
            ws.terminate();
        server.close(() => process.exit(0));
    });
}
