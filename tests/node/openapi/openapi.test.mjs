// SPDX-FileCopyrightText: 2026 CommandBridge contributors
// SPDX-License-Identifier: BSD-3-Clause

// The demo server's OpenAPI document (spec section 12) checked by tools we did not write: the npm
// validator @apidevtools/swagger-parser must accept it, and a client that knows only the server's
// base URL and the document's path calls commands with what the document says (path, method,
// parameters, request body schema, security) and checks each answer against the documented
// response schema (Ajv, JSON Schema 2020-12). Once without a token, once with one.
//
// Usage: node openapi.test.mjs path/to/command-bridge-server

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv2020 from 'ajv/dist/2020.js';

const serverPath = process.argv[2];
if (!serverPath) {
    console.error('usage: node openapi.test.mjs path/to/command-bridge-server');
    process.exit(2);
}

// The one path a client must know (spec section 12); everything else comes from the document.
const documentPath = '/api/v1/openapi.json';
const startTimeoutMs = 20000;

/** Starts the server on a free port; resolves with the process and its base URL. */
function startServer(args) {
    return new Promise((resolve, reject) => {
        const child = spawn(serverPath, ['--port', '0', ...args],
            { stdio: ['ignore', 'pipe', 'inherit'] });
        let output = '';
        const timer = setTimeout(() => {
            child.kill('SIGKILL');
            reject(new Error(`no "listening on" line within ${startTimeoutMs} ms: ${output}`));
        }, startTimeoutMs);
        child.on('error', (error) => { clearTimeout(timer); reject(error); });
        child.on('exit', (code) => {
            clearTimeout(timer);
            reject(new Error(`server exited (${code}) before listening: ${output}`));
        });
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
            output += chunk;
            const match = /listening on (http:\/\/\S+)/.exec(output);
            if (match) {
                clearTimeout(timer);
                child.removeAllListeners('exit');
                resolve({ child, base: new URL(match[1]) });
            }
        });
    });
}

/** Stops the server with SIGTERM and waits for its exit (status 0 after a graceful stop). */
function stopServer(server) {
    return new Promise((resolve) => {
        if (server.child.exitCode !== null) {
            resolve(server.child.exitCode);
            return;
        }
        server.child.on('exit', (code) => resolve(code));
        server.child.kill('SIGTERM');
    });
}

/** One HTTP request; a body goes with its Content-Length (the server refuses chunked bodies). */
function request(method, url, headers = {}, body = undefined) {
    if (body !== undefined)
        headers = { ...headers, 'Content-Length': Buffer.byteLength(body) };
    return new Promise((resolve, reject) => {
        const req = http.request(url, { method, headers, timeout: 20000 }, (res) => {
            let data = '';
            res.setEncoding('utf8');
            res.on('data', (chunk) => { data += chunk; });
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: data }));
        });
        req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
        req.on('error', reject);
        if (body !== undefined)
            req.write(body);
        req.end();
    });
}

function mediaType(headers) {
    return (headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The operation with this operationId: where it is and what it is, as the document says. */
function findOperation(api, operationId) {
    for (const [path, item] of Object.entries(api.paths)) {
        for (const [method, operation] of Object.entries(item)) {
            if (operation?.operationId === operationId)
                return { path, method: method.toUpperCase(), operation };
        }
    }
    throw new Error(`the document has no operation ${operationId}`);
}

/** A client of one document: fills in requests from what the document says, nothing else. */
class DocumentClient {
    constructor(api, documentUrl, token) {
        this.api = api;
        this.base = new URL(api.servers[0].url, documentUrl);
        this.token = token;
        this.ajv = new Ajv2020({ strict: false, validateFormats: false });
    }

    /** Headers of the security the operation needs: an http bearer scheme gets the token. */
    securityHeaders(operation) {
        const requirements = operation.security ?? this.api.security ?? [];
        const schemes = this.api.components?.securitySchemes ?? {};
        for (const requirement of requirements) {
            for (const name of Object.keys(requirement)) {
                const scheme = schemes[name];
                if (scheme?.type === 'http' && scheme.scheme === 'bearer')
                    return { Authorization: `Bearer ${this.token}` };
            }
        }
        return {};
    }

    /** The request body schema's verdict on args. */
    checkArgs(operation, args) {
        const schema = operation.requestBody.content['application/json'].schema;
        const validate = this.ajv.compile(schema);
        return { valid: validate(args), errors: validate.errors };
    }

    /**
     * Calls an operation. `values` gives a value per parameter meaning: 'session' for the header
     * parameter with a string pattern (X-Session-Id), 'timeout' for the integer query parameter.
     */
    async call(operationId, args, values = {}) {
        const { path, method, operation } = findOperation(this.api, operationId);
        // Server URL and path are joined as they are (OpenAPI's rule).
        const url = new URL(this.base.href.replace(/\/$/, '') + path);
        const headers = { 'Content-Type': 'application/json', ...this.securityHeaders(operation) };
        for (const parameter of operation.parameters ?? []) {
            const schema = parameter.schema ?? {};
            if (parameter.in === 'header' && schema.type === 'string' && schema.pattern) {
                const value = values.session;
                if (value === undefined) {
                    assert.ok(!parameter.required, `${operationId} requires ${parameter.name}`);
                    continue;
                }
                assert.match(value, new RegExp(schema.pattern));
                headers[parameter.name] = value;
            } else if (parameter.in === 'query' && schema.type === 'integer'
                && values.timeout !== undefined) {
                assert.ok(values.timeout >= schema.minimum);
                url.searchParams.set(parameter.name, String(values.timeout));
            }
        }
        const body = JSON.stringify(args);
        const response = await request(method, url, headers, body);
        return { operation, response };
    }

    /** Checks a response against the one the document gives for its status. */
    checkResponse(operation, response) {
        const documented = operation.responses[String(response.status)];
        assert.ok(documented, `status ${response.status} is not documented: ${response.body}`);
        const type = mediaType(response.headers);
        assert.ok(documented.content?.[type], `${type} is not documented for ${response.status}`);
        const schema = documented.content[type].schema;
        if (type !== 'application/json')
            return response.body;
        const body = JSON.parse(response.body);
        const validate = this.ajv.compile(schema);
        assert.ok(validate(body), `${response.body} does not match: ${JSON.stringify(validate.errors)}`);
        return body;
    }
}

async function checkServer(token) {
    const label = token ? 'with a token' : 'without a token';
    const server = await startServer(token ? ['--token', token] : []);
    try {
        const documentUrl = new URL(documentPath, server.base);
        const authorization = token ? { Authorization: `Bearer ${token}` } : {};
        if (token) {
            const refused = await request('GET', documentUrl);
            assert.equal(refused.status, 401, 'the document needs the token like any route');
        }
        const fetched = await request('GET', documentUrl, authorization);
        assert.equal(fetched.status, 200, fetched.body);
        assert.equal(mediaType(fetched.headers), 'application/json');
        const document = JSON.parse(fetched.body);

        // The standard validator: throws on any problem. It dereferences the object it is given.
        const api = await SwaggerParser.validate(structuredClone(document));
        assert.equal(api.openapi, '3.1.0');
        assert.equal(new URL(api.servers[0].url, documentUrl).href, server.base.href);
        // The validator does not compare operationIds across a 3.1 document: they must be unique.
        const ids = Object.values(api.paths).flatMap((item) => Object.values(item))
            .map((operation) => operation.operationId);
        assert.equal(new Set(ids).size, ids.length, `operationIds repeat: ${ids}`);
        assert.ok(ids.every((id) => /^[A-Za-z0-9_]+$/.test(id)), `odd operationIds: ${ids}`);
        const schemes = api.components?.securitySchemes;
        if (token) {
            assert.deepEqual(schemes.bearer, { ...schemes.bearer, type: 'http', scheme: 'bearer' });
            assert.deepEqual(api.security, [{ bearer: [] }]);
        } else {
            assert.equal(schemes, undefined);
            assert.equal(api.security, undefined);
        }

        const client = new DocumentClient(api, documentUrl, token);

        // count: the body is checked against the documented schema before it is sent, and the
        // server agrees with the schema both ways.
        const countArgs = { to: 3, interval_ms: 1 };
        assert.ok(client.checkArgs(findOperation(api, 'run_count').operation, countArgs).valid);
        const counted = await client.call('run_count', countArgs, { timeout: 10000 });
        assert.equal(counted.response.status, 200, counted.response.body);
        const countBody = client.checkResponse(counted.operation, counted.response);
        assert.deepEqual(countBody, { command: 'count', success: true, result: { counted: 3 } });

        const badArgs = { to: 0 };
        assert.ok(!client.checkArgs(counted.operation, badArgs).valid);
        const refused = await client.call('run_count', badArgs);
        assert.equal(refused.response.status, 400);
        const refusal = client.checkResponse(refused.operation, refused.response);
        assert.equal(refusal.result.code, 'invalid_args');

        // history.add needs a session: the document makes its X-Session-Id header required.
        const session = `openapi-${randomUUID()}`;
        const addArgs = { text: 'hello from the document' };
        assert.ok(client.checkArgs(findOperation(api, 'run_history_add').operation, addArgs).valid);
        const added = await client.call('run_history_add', addArgs, { session });
        assert.equal(added.response.status, 200, added.response.body);
        assert.deepEqual(client.checkResponse(added.operation, added.response),
            { command: 'history.add', success: true, result: { turns: 1 } });
        const listed = await client.call('run_history_list', {}, { session });
        assert.deepEqual(client.checkResponse(listed.operation, listed.response).result,
            { turns: [{ text: 'hello from the document' }] });

        // The stream variant answers with the documented media type.
        const streamed = await client.call('stream_count', { to: 2, interval_ms: 1 });
        assert.equal(streamed.response.status, 200, streamed.response.body);
        const events = client.checkResponse(streamed.operation, streamed.response);
        assert.match(events, /event: result\ndata: \{[^\n]*"success":true/);

        console.log(`ok ${label}: ${Object.keys(api.paths).length} paths validated; count, `
            + 'history.add, history.list and the count stream called from the document');
    } finally {
        const status = await stopServer(server);
        assert.equal(status, 0, 'the server stops cleanly');
    }
}

try {
    await checkServer('');
    await checkServer(`token-${randomUUID()}`);
} catch (error) {
    console.error(error);
    process.exit(1);
}
