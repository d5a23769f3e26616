// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// Node.js peer of cb-bench-qt-http: POST /api/v1/commands/echo answers the parsed body.
'use strict';
const http = require('http');

function portArg() {
    const i = process.argv.indexOf('--port');
    return i > 0 ? Number(process.argv[i + 1]) : 0;
}

function reply(res, status, body) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
}

const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/api/v1/commands/echo')
        return reply(res, 404, { success: false });
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
        const text = Buffer.concat(chunks).toString().trim();
        try {
            reply(res, 200, { success: true, result: text ? JSON.parse(text) : {} });
        } catch {
            reply(res, 400, { success: false });
        }
    });
});
server.keepAliveTimeout = 60000;
server.listen(portArg(), '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));

for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
        server.closeAllConnections();
        server.close(() => process.exit(0));
    });
}
