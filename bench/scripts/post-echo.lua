-- SPDX-FileCopyrightText: 2026 CommandBridge contributors
-- SPDX-License-Identifier: BSD-3-Clause

-- wrk script: POST the echo command's args, as the REST benchmark of bench/run-comparison.sh does.
wrk.method = "POST"
wrk.path = "/api/v1/commands/echo"
wrk.body = '{"text":"hello"}'
wrk.headers["Content-Type"] = "application/json"

-- Non-2xx answers count as errors in the summary the script parses.
done = function(summary, latency, requests)
    io.write(string.format("WRKJSON {\"requests\":%d,\"duration_us\":%d,\"non2xx\":%d,\"errors\":%d,\"p50_us\":%d,\"p99_us\":%d}\n",
        summary.requests, summary.duration, summary.errors.status,
        summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
        latency:percentile(50), latency:percentile(99)))
end
