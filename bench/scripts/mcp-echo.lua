-- SPDX-FileCopyrightText: 2026 CommandBridge contributors
-- SPDX-License-Identifier: BSD-3-Clause

-- wrk script: tools/call of the echo tool over MCP (POST /mcp, JSON response) in the session that
-- bench/scripts/compare.py initialized and passes in MCP_SESSION_ID; the same args as post-echo.lua.
wrk.method = "POST"
wrk.path = "/mcp"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["Mcp-Session-Id"] = os.getenv("MCP_SESSION_ID") or ""

-- Non-2xx answers count as errors in the summary the script parses.
done = function(summary, latency, requests)
    io.write(string.format("WRKJSON {\"requests\":%d,\"duration_us\":%d,\"non2xx\":%d,\"errors\":%d,\"p50_us\":%d,\"p99_us\":%d}\n",
        summary.requests, summary.duration, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(99)))
end
