#!/usr/bin/env python3
# SPDX-FileCopyrightText: 2026 CommandBridge contributors
# SPDX-License-Identifier: BSD-3-Clause
"""Runs the CommandBridge comparison: every workload against every system, in interleaved rounds
(A B C A B C ...), each server pinned to CPU 0 and each client to CPU 1, and writes a Markdown
report (medians and min-max ranges over the rounds, ratios, targets) plus a gnuplot plot.

Called by bench/run-comparison.sh after it has installed and built everything; standard library
only. Every server is started fresh for every run, so no run inherits another's heap or sockets.
"""

import argparse
import datetime
import json
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SERVER_CPU = "0"
CLIENT_CPU = "1"
# Where echo runs on the main thread, as an exposed object's calls do there.
EXPOSED_SYSTEMS = ("bridge", "bridge-app")


def log(text):
    print(f"[compare] {text}", file=sys.stderr, flush=True)


class Server:
    """A server process pinned to SERVER_CPU that announces `PORT <n>` on stdout."""

    def __init__(self, name, command, log_dir):
        self.name = name
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self.stderr = open(self.log_path, "ab")
        self.process = subprocess.Popen(["taskset", "-c", SERVER_CPU] + command,
                                        stdout=subprocess.PIPE, stderr=self.stderr)
        self.pid = self.process.pid  # taskset execs the server: same pid
        line = self.read_line(15)
        match = re.match(r"PORT (\d+)$", line or "")
        if not match:
            self.stop()
            raise RuntimeError(f"{name}: no 'PORT <n>' line (got {line!r}); see {self.log_path}")
        self.port = int(match.group(1))

    def read_line(self, timeout):
        deadline = time.monotonic() + timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.process.stdout], [], [], left)[0]:
                return None
            byte = os.read(self.process.stdout.fileno(), 1)  # unbuffered, so select() is right
            if not byte:
                return None
            line += byte
        return line.decode().strip()

    def stop(self):
        """SIGTERM, then the exit status; a server that needs SIGKILL or fails counts as failed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            status = "killed after 10 s"
        self.stderr.close()
        return status


def run_client(command, timeout):
    """Runs a client pinned to CLIENT_CPU; returns (exit status, stdout, stderr)."""
    try:
        done = subprocess.run(["taskset", "-c", CLIENT_CPU] + command, capture_output=True,
                              text=True, timeout=timeout)
        return done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as timeout_error:
        return "timeout", timeout_error.stdout or "", timeout_error.stderr or ""


def last_json(text, prefix=""):
    for line in reversed(text.splitlines()):
        if line.startswith(prefix):
            try:
                return json.loads(line[len(prefix):])
            except ValueError:
                pass
    return None


class Comparison:
    def __init__(self, args):
        self.args = args
        self.bin = os.path.join(args.build_dir, "bench")
        self.loadclient = os.path.join(self.bin, "cb-loadclient")
        self.log_dir = tempfile.mkdtemp(prefix="cb-compare-")
        self.results = []  # one dict per run
        self.failures = []
        self.skipped = {}
        bridge = self.find_binary("cb-bench-bridge")
        gui = self.find_binary("cb-bench-gui-latency")
        peers = os.path.join(ROOT, "bench", "peers")
        threads = str(args.bridge_threads)
        # name -> command (without --port 0), or None when it is not there.
        self.ws_systems = {
            "qt-echo": [os.path.join(self.bin, "cb-bench-qt-echo")],
            "qt-dispatch": [os.path.join(self.bin, "cb-bench-qt-dispatch")],
            "node-ws": ["node", os.path.join(peers, "ws_dispatch.js")],
            "bridge": bridge and [bridge, "--network-threads", "0"],
            "bridge-net": bridge and [bridge, "--network-threads", threads],
            "bridge-app": bridge and [bridge, "--network-threads", threads,
                                      "--handler-thread", "registry"],
        }
        # Only in rt 1x1: bare Qt's round trip when the answer is made on the main thread and
        # the sockets live on a network thread, the floor of bridge-app's placement.
        self.hop_systems = {
            "qt-echo-hop": [os.path.join(self.bin, "cb-bench-qt-echo-hop")],
        }
        self.rest_systems = {
            "qt-http": [os.path.join(self.bin, "cb-bench-qt-http")],
            "node-http": ["node", os.path.join(peers, "http_route.js")],
            "bridge": bridge and [bridge, "--network-threads", "0"],
            "bridge-net": bridge and [bridge, "--network-threads", threads],
            "bridge-app": bridge and [bridge, "--network-threads", threads,
                                      "--handler-thread", "registry"],
        }
        # Event fan-out: the raw Qt send loop (the limit), Node.js ws, the bridge's placements.
        self.fanout_systems = {
            "qt-broadcast": [os.path.join(self.bin, "cb-bench-qt-broadcast")],
            "node-ws": ["node", os.path.join(peers, "ws_broadcast.js")],
            "bridge": bridge and [bridge, "--network-threads", "0"],
            "bridge-net": bridge and [bridge, "--network-threads", threads],
            "bridge-app": bridge and [bridge, "--network-threads", threads,
                                      "--handler-thread", "registry"],
        }
        # MCP tools/call echo: the bridge only (the REST figures of the same run are its peer).
        self.mcp_systems = {name: command for name, command in self.rest_systems.items()
                            if name.startswith("bridge")}
        self.gui_systems = {
            "bridge": gui and [gui, "--network-threads", "0"],
            "bridge-net": gui and [gui, "--network-threads", threads],
            "bridge-app": gui and [gui, "--network-threads", threads,
                                   "--handler-thread", "registry"],
        }
        for systems, binary in ((self.ws_systems, bridge), (self.rest_systems, bridge),
                                (self.fanout_systems, bridge), (self.mcp_systems, bridge),
                                (self.gui_systems, gui)):
            for name in [name for name, command in systems.items() if command is None]:
                del systems[name]
                self.skipped[name] = ("cb-bench-bridge" if binary is bridge else
                                      "cb-bench-gui-latency") + " is not built (bench/bridge/)"
        for name, reason in sorted(self.skipped.items()):
            log(f"skipping {name}: {reason}")

    def find_binary(self, name):
        for directory, _, files in os.walk(os.path.join(self.args.build_dir, "bench")):
            if name in files and os.access(os.path.join(directory, name), os.X_OK):
                return os.path.join(directory, name)
        return None

    # One run: a fresh server, one client, one record.
    def record(self, workload, system, round_index, figures, ok, note=""):
        entry = {"workload": workload, "system": system, "round": round_index, "ok": ok}
        entry.update(figures or {})
        self.results.append(entry)
        if not ok:
            self.failures.append(f"{workload} on {system} (round {round_index + 1}): {note}")
            log(f"FAILED {workload} on {system}: {note}")

    def run_ws(self, workload, system, round_index, client_args, with_pid=False, systems=None):
        try:
            server = Server(system, (systems or self.ws_systems)[system] + ["--port", "0"],
                            self.log_dir)
        except RuntimeError as error:
            return self.record(workload, system, round_index, None, False, str(error))
        extra = ["--server-pid", str(server.pid)] if with_pid else []
        command = [self.loadclient, "--port", str(server.port)] + client_args + extra
        status, out, err = run_client(command, self.args.seconds + self.args.warmup + 120)
        server_status = server.stop()
        figures = last_json(out)
        ok = status == 0 and figures is not None and server_status == 0
        note = (f"client exit {status}, server exit {server_status}: "
                + " | ".join(err.strip().splitlines()[-3:]))
        self.record(workload, system, round_index, figures, ok, note)
        log(f"{workload:>18} {system:<12} {err.strip().splitlines()[-1] if err.strip() else ''}")

    def rt_args(self, connections, window, idle=0):
        return ["--mode", "rt", "--connections", str(connections), "--window", str(window),
                "--idle", str(idle), "--duration", str(self.args.seconds),
                "--warmup", str(self.args.warmup)]

    def run_fanout(self, subscribers, system, round_index):
        notices = self.args.fanout_events // subscribers
        self.run_ws(f"fanout {subscribers}", system, round_index,
                    ["--mode", "fanout", "--connections", str(subscribers), "--count",
                     str(notices), "--timeout", str(self.args.seconds * 10 + 60)],
                    systems=self.fanout_systems)

    @staticmethod
    def mcp_session(url):
        """Initializes an MCP session as a client does; returns its id after one echo call."""
        def post(body, session=None):
            headers = {"Content-Type": "application/json",
                       "Accept": "application/json, text/event-stream"}
            if session:
                headers["Mcp-Session-Id"] = session
            request = urllib.request.Request(f"{url}/mcp", json.dumps(body).encode(), headers)
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.headers.get("Mcp-Session-Id"), response.read()
        session, _ = post({"jsonrpc": "2.0", "id": 0, "method": "initialize",
                           "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                                      "clientInfo": {"name": "compare.py", "version": "1"}}})
        post({"jsonrpc": "2.0", "method": "notifications/initialized"}, session)
        _, answer = post({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
                          "params": {"name": "echo", "arguments": {"text": "hello"}}}, session)
        result = json.loads(answer).get("result", {})
        if result.get("isError") is not False:
            raise RuntimeError(f"tools/call echo failed: {answer[:300]!r}")
        return session

    def run_rest(self, system, round_index, workload="rest"):
        systems = self.mcp_systems if workload == "mcp" else self.rest_systems
        try:
            server = Server(system, systems[system] + ["--port", "0"], self.log_dir)
        except RuntimeError as error:
            return self.record(workload, system, round_index, None, False, str(error))
        url = f"http://127.0.0.1:{server.port}"
        script = os.path.join(ROOT, "bench", "scripts",
                              "mcp-echo.lua" if workload == "mcp" else "post-echo.lua")
        if workload == "mcp":
            try:
                os.environ["MCP_SESSION_ID"] = self.mcp_session(url)
            except (OSError, ValueError, RuntimeError) as error:
                server.stop()
                return self.record(workload, system, round_index, None, False, str(error))
        warmup = max(1, round(self.args.warmup))
        run_client(["wrk", "-t1", "-c16", f"-d{warmup}s", "-s", script, url], warmup + 30)
        status, out, err = run_client(["wrk", "-t1", "-c16", f"-d{round(self.args.seconds)}s",
                                       "-s", script, url], self.args.seconds + 60)
        server_status = server.stop()
        summary = last_json(out, "WRKJSON ")
        figures = None
        if summary:
            figures = {"rps": summary["requests"] / (summary["duration_us"] / 1e6),
                       "p50_us": summary["p50_us"], "p99_us": summary["p99_us"],
                       "errors": summary["non2xx"] + summary["errors"]}
        ok = (status == 0 and figures is not None and figures["errors"] == 0
              and server_status == 0)
        self.record(workload, system, round_index, figures, ok,
                    f"wrk exit {status}, server exit {server_status}, {summary}: {err.strip()}")
        if figures:
            log(f"{workload:>18} {system:<12} {figures['rps']:.0f} requests/s")

    def run_gui(self, system, round_index):
        seconds = self.args.seconds + self.args.warmup
        command = self.gui_systems[system] + ["--port", "0", "--seconds", str(round(seconds))]
        try:
            server = Server(system, command, self.log_dir)
        except RuntimeError as error:
            return self.record("gui", system, round_index, None, False, str(error))
        load = ["--mode", "rt", "--connections", "16", "--window", "32", "--warmup", "0",
                "--duration", str(max(0.5, round(seconds) - 0.5))]
        status, out, err = run_client([self.loadclient, "--port", str(server.port)] + load,
                                      seconds + 60)
        report = server.read_line(seconds + 30)
        server_status = server.stop()
        figures = json.loads(report) if report and report.startswith("{") else None
        load_figures = last_json(out)
        if figures is not None and load_figures:
            figures["load_rps"] = load_figures.get("rps")
        ok = status == 0 and figures is not None and server_status == 0
        self.record("gui", system, round_index, figures, ok,
                    f"client exit {status}, server exit {server_status}, report {report!r}: "
                    + " | ".join(err.strip().splitlines()[-3:]))
        log(f"{'gui':>18} {system:<12} {report}")

    def run(self):
        a = self.args
        ws = list(self.ws_systems)
        no_echo = [s for s in ws if s != "qt-echo"]  # the raw echo cannot run commands
        for round_index in range(a.rounds):
            log(f"round {round_index + 1} of {a.rounds}")
            if a.only:
                self.run_selected(round_index)
                continue
            self.run_round_trips(round_index)
            self.run_exposed(round_index)
            for s in no_echo:
                self.run_ws("progress", s, round_index,
                            ["--mode", "progress", "--connections", "4", "--count", "1000",
                             "--duration", str(a.seconds), "--warmup", str(a.warmup)])
            for s in ws:
                self.run_ws("connect", s, round_index,
                            ["--mode", "connect", "--connections", str(a.connect_count)],
                            with_pid=True)
            for connections, window in ((1, 1), (16, 32)):
                for s in no_echo:
                    self.run_ws(f"rt {connections}x{window} idle", s, round_index,
                                self.rt_args(connections, window, a.idle_count))
            for s in self.rest_systems:
                self.run_rest(s, round_index)
            for s in self.mcp_systems:
                self.run_rest(s, round_index, "mcp")
            for subscribers in a.fanout_counts:
                for s in self.fanout_systems:
                    self.run_fanout(subscribers, s, round_index)
            for s in self.gui_systems:
                self.run_gui(s, round_index)

    def run_round_trips(self, round_index):
        for s in self.ws_systems:
            self.run_ws("rt 1x1", s, round_index, self.rt_args(1, 1))
        for s in self.hop_systems:
            self.run_ws("rt 1x1", s, round_index, self.rt_args(1, 1), systems=self.hop_systems)
        for connections in self.args.connection_counts:
            for s in self.ws_systems:
                self.run_ws(f"rt {connections}x32", s, round_index, self.rt_args(connections, 32))

    def run_exposed(self, round_index, with_echo=False):
        """The round trips of an exposed QObject's method, where the object lives where these
        placements run echo: the main thread. with_echo: echo's rt 16x32 too (--only exposed)."""
        for s in EXPOSED_SYSTEMS:
            if s not in self.ws_systems:
                continue
            if with_echo:
                self.run_ws("rt 16x32", s, round_index, self.rt_args(16, 32))
            self.run_ws("rt 16x32 exposed", s, round_index,
                        self.rt_args(16, 32) + ["--command", "counter.increment",
                                                "--args", '{"by":1}'])

    def run_selected(self, round_index):
        """--only: the chosen groups of workloads, in the same order as a full round."""
        a = self.args
        if "rt" in a.only:
            self.run_round_trips(round_index)
        if "exposed" in a.only:
            self.run_exposed(round_index, with_echo="rt" not in a.only)
        if "rest" in a.only:
            for s in self.rest_systems:
                self.run_rest(s, round_index)
        if "mcp" in a.only:
            for s in self.mcp_systems:
                self.run_rest(s, round_index, "mcp")
        if "fanout" in a.only:
            for subscribers in a.fanout_counts:
                for s in self.fanout_systems:
                    self.run_fanout(subscribers, s, round_index)
        if "gui" in a.only:
            for s in self.gui_systems:
                self.run_gui(s, round_index)

    # Aggregation.
    def values(self, workload, system, key):
        return [r[key] for r in self.results
                if r["workload"] == workload and r["system"] == system and r["ok"]
                and isinstance(r.get(key), (int, float))]

    def median(self, workload, system, key):
        values = self.values(workload, system, key)
        return statistics.median(values) if values else None

    def cell(self, workload, system, key, scale=1.0, digits=0):
        values = self.values(workload, system, key)
        runs = [r for r in self.results if r["workload"] == workload and r["system"] == system]
        if not runs:
            return "–"
        if not values:
            return "failed"
        fmt = f"{{:,.{digits}f}}"
        text = fmt.format(statistics.median(values) * scale)
        if len(values) > 1:
            text += f" ({fmt.format(min(values) * scale)}–{fmt.format(max(values) * scale)})"
        if len(values) < len(runs):
            text += f" [{len(runs) - len(values)} failed]"
        return text

    def ratio(self, workload, system, other, key, other_workload=None):
        mine = self.median(workload, system, key)
        theirs = self.median(other_workload or workload, other, key)
        if mine is None or theirs in (None, 0):
            return None
        return mine / theirs

    def targets(self):
        """(target, check) rows; check(system) gives (figure text, met: True/False/None)."""
        def ratio_check(workload, other, key, bound, at_least=True, other_workload=None):
            """The system's median over `other`'s (None: the system itself) on other_workload;
            without a bound, the ratio alone."""
            def check(system):
                value = self.ratio(workload, system, other or system, key, other_workload)
                if value is None:
                    return ("n/a", None)
                if bound is None:
                    return (f"{value:.2f}x", None)
                return (f"{value:.2f}x", value >= bound if at_least else value <= bound)
            return check

        def value_check(workload, key, bound, unit, digits, strict=False):
            def check(system):
                value = self.median(workload, system, key)
                if value is None:
                    return ("n/a", None)
                return (f"{value:.{digits}f} {unit}", value < bound if strict else value <= bound)
            return check

        def delivered(system):
            runs = [r for r in self.results if r["workload"] == "progress" and r["system"] == system]
            if not runs:
                return ("n/a", None)
            violations = sum(r.get("violations") or 0 for r in runs)
            return (f"{violations} violations", all(r["ok"] for r in runs) and violations == 0)

        idle = self.args.idle_count
        return [
            ("1a. echo 16x32 round trips >= 1.0x qt-dispatch",
             ratio_check("rt 16x32", "qt-dispatch", "rps", 1.0)),
            ("1b. echo 16x32 round trips >= 2.4x node-ws",
             ratio_check("rt 16x32", "node-ws", "rps", 2.4)),
            ("1c. echo 1x1 p50 latency <= 1.3x qt-echo",
             ratio_check("rt 1x1", "qt-echo", "p50_us", 1.3, at_least=False)),
            ("1c'. for reference, no target: echo 1x1 p50 / qt-echo-hop's (bare Qt, answer "
             "made on the main thread, sockets on a network thread)",
             ratio_check("rt 1x1", "qt-echo-hop", "p50_us", None)),
            ("2a. progress rate >= 1.0x qt-dispatch",
             ratio_check("progress", "qt-dispatch", "msgs_per_s", 1.0)),
            ("2b. every progress message delivered, in order", delivered),
            ("3. REST POST echo (16 conns) >= 0.9x qt-http",
             ratio_check("rest", "qt-http", "rps", 0.9)),
            ("4. <= 20 KiB per idle WebSocket connection",
             value_check("connect", "kib_per_conn", 20, "KiB", 1)),
            (f"5a. 1x1 with {idle} idle connections >= 50% of 1x1",
             ratio_check("rt 1x1 idle", None, "rps", 0.5, other_workload="rt 1x1")),
            (f"5b. 16x32 with {idle} idle connections >= 50% of 16x32",
             ratio_check("rt 16x32 idle", None, "rps", 0.5, other_workload="rt 16x32")),
            ("6. 60 Hz main-thread timer p99 lateness < 5 ms under 16x32 load",
             value_check("gui", "p99_ms", 5, "ms", 2, strict=True)),
            (f"7. fan-out to {self.args.fanout_counts[-1]:,} subscribers >= 2x node-ws events/s",
             ratio_check(f"fanout {self.args.fanout_counts[-1]}", "node-ws", "events_per_s", 2.0)),
            ("8. MCP tools/call echo (16 conns) >= 0.8x REST echo",
             ratio_check("mcp", None, "rps", 0.8, other_workload="rest")),
            ("9. exposed `counter.increment` 16x32 >= 0.8x echo, same placement",
             ratio_check("rt 16x32 exposed", None, "rps", 0.8, other_workload="rt 16x32")),
        ]

    def report(self, started, elapsed):
        a = self.args
        ws = list(self.ws_systems)
        lines = []
        add = lines.append
        cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                    if line.startswith("model name")), platform.processor())
        node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
        add("# CommandBridge comparison: latest run")
        add("")
        add(f"Run {started:%Y-%m-%d %H:%M} UTC in {elapsed / 60:.1f} min: "
            f"`bench/run-comparison.sh{''.join(' ' + x for x in a.argv)}`.")
        add("")
        add(f"Machine: {cpu}, {os.cpu_count()} CPUs, Linux {platform.release()}, "
            f"Qt {a.qt_version}, Node.js {node}. Servers pinned to CPU {SERVER_CPU}, "
            f"clients (cb-loadclient, wrk) to CPU {CLIENT_CPU}. {a.rounds} round(s), "
            f"interleaved; {a.seconds:g} s measured per run after {a.warmup:g} s warm-up. "
            "Cells: median (min–max over the rounds).")
        if self.skipped:
            add("")
            add("Skipped: " + "; ".join(f"{name}: {reason}"
                                        for name, reason in sorted(self.skipped.items())) + ".")
        add("")
        add("## Targets")
        add("")
        add("Handler placements: `bridge` serves sockets and runs handlers on the main thread; "
            f"`bridge-net` serves sockets on {a.bridge_threads} network thread(s) and runs the "
            "handlers there (HandlerThread::Network); `bridge-app` serves sockets on the network "
            "thread(s) and runs the handlers on the main thread (HandlerThread::Registry, the "
            "default for an app's handlers).")
        add("")
        placements = ("bridge", "bridge-net", "bridge-app")
        add("| target | " + " | ".join(placements) + " |")
        add("| --- |" + " --- |" * len(placements))
        for text, check in self.targets():
            cells = []
            for system in placements:
                value, met = check(system)
                mark = {True: "met", False: "**not met**", None: ""}[met]
                cells.append(f"{value} {mark}".strip())
            add(f"| {text} | " + " | ".join(cells) + " |")
        add("")
        add("## WebSocket")
        add("")
        ws = ws + list(self.hop_systems)
        add("Round trips per second (`echo`, window = requests in flight per connection), "
            f"latency p50/p99 in µs; idle rows add {a.idle_count} idle connections; the "
            "exposed row runs `counter.increment {\"by\":1}`, a method of a QObject that "
            "`CommandRegistry::exposeObject()` serves, on the systems whose echo runs on the main "
            "thread too; qt-echo-hop runs rt 1x1 only.")
        add("")
        add("| workload | " + " | ".join(ws) + " |")
        add("| --- |" + " --- |" * len(ws))
        workloads = (["rt 1x1"] + [f"rt {c}x32" for c in a.connection_counts]
                     + ["rt 1x1 idle", "rt 16x32 idle", "rt 16x32 exposed"])
        for workload in workloads:
            add(f"| {workload} round trips/s | "
                + " | ".join(self.cell(workload, s, "rps") for s in ws) + " |")
        for workload in ("rt 1x1", "rt 16x32", "rt 1x1 idle", "rt 16x32 idle"):
            for key, label in (("p50_us", "p50 µs"), ("p99_us", "p99 µs")):
                add(f"| {workload} {label} | "
                    + " | ".join(self.cell(workload, s, key) for s in ws) + " |")
        add("| progress msgs/s (4 conns, burst n=1000) | "
            + " | ".join(self.cell("progress", s, "msgs_per_s") for s in ws) + " |")
        add("| progress violations | " + " | ".join(
            str(sum(r.get("violations") or 0 for r in self.results
                    if r["workload"] == "progress" and r["system"] == s))
            if any(r["workload"] == "progress" and r["system"] == s for r in self.results)
            else "–" for s in ws) + " |")
        add(f"| connect: handshakes/s (K={a.connect_count}) | "
            + " | ".join(self.cell("connect", s, "handshakes_per_s") for s in ws) + " |")
        add("| connect: server KiB per idle connection | "
            + " | ".join(self.cell("connect", s, "kib_per_conn", digits=1) for s in ws) + " |")
        add("")
        add("## REST")
        add("")
        add("`wrk -t1 -c16` posting `{\"text\":\"hello\"}` to `POST /api/v1/commands/echo`.")
        add("")
        rest = list(self.rest_systems)
        add("| figure | " + " | ".join(rest) + " |")
        add("| --- |" + " --- |" * len(rest))
        add("| requests/s | " + " | ".join(self.cell("rest", s, "rps") for s in rest) + " |")
        add("| p50 µs | " + " | ".join(self.cell("rest", s, "p50_us") for s in rest) + " |")
        add("| p99 µs | " + " | ".join(self.cell("rest", s, "p99_us") for s in rest) + " |")
        if self.mcp_systems:
            add("| MCP `tools/call` echo requests/s | "
                + " | ".join(self.cell("mcp", s, "rps") if s in self.mcp_systems else "–"
                             for s in rest) + " |")
            add("| MCP p50 µs | "
                + " | ".join(self.cell("mcp", s, "p50_us") if s in self.mcp_systems else "–"
                             for s in rest) + " |")
            add("| MCP / REST | " + " | ".join(
                (lambda r: f"{r:.2f}x" if r else "n/a")(self.ratio("mcp", s, s, "rps", "rest"))
                if s in self.mcp_systems else "–" for s in rest) + " |")
        if self.fanout_systems:
            fan = list(self.fanout_systems)
            add("")
            add("## Event fan-out")
            add("")
            add(f"One `broadcast` of {a.fanout_events:,} / N `notice` events to N subscribed "
                "connections (after a warm-up broadcast of a tenth), `cb-loadclient --mode fanout`:"
                " events delivered per second, from sending the command until every connection "
                "has the last notice.")
            add("")
            add("| subscribers | " + " | ".join(fan) + " |")
            add("| --- |" + " --- |" * len(fan))
            for n in a.fanout_counts:
                add(f"| {n:,} events/s | "
                    + " | ".join(self.cell(f"fanout {n}", s, "events_per_s") for s in fan) + " |")
            for n in a.fanout_counts:
                add(f"| {n:,} delivered of sent (median) | " + " | ".join(
                    (lambda d, e: f"{d:,.0f} of {e:,.0f}" if d is not None and e else "–")(
                        self.median(f"fanout {n}", s, "events"),
                        self.median(f"fanout {n}", s, "events_expected")) for s in fan) + " |")
            for other in ("node-ws", "qt-broadcast"):
                for n in a.fanout_counts:
                    add(f"| {n:,}: ratio to {other} | " + " | ".join(
                        (lambda r: f"{r:.2f}x" if r else "n/a")(
                            self.ratio(f"fanout {n}", s, other, "events_per_s"))
                        if s.startswith("bridge") else "–" for s in fan) + " |")
        if self.gui_systems:
            add("")
            add("## Main-thread latency under load")
            add("")
            add("`cb-bench-gui-latency`: lateness of a 60 Hz timer on the main thread while "
                "cb-loadclient drives rt 16x32 against the same process.")
            add("")
            gui = list(self.gui_systems)
            add("| figure | " + " | ".join(gui) + " |")
            add("| --- |" + " --- |" * len(gui))
            for key, label, digits in (("p50_ms", "timer lateness p50 ms", 2),
                                       ("p99_ms", "timer lateness p99 ms", 2),
                                       ("max_ms", "timer lateness max ms", 2),
                                       ("load_rps", "round trips/s meanwhile", 0)):
                add(f"| {label} | "
                    + " | ".join(self.cell("gui", s, key, digits=digits) for s in gui) + " |")
        if a.plot:
            add("")
            add("## Throughput against connections")
            add("")
            add(f"![Round trips per second against connections, window 32]"
                f"({os.path.relpath(a.plot, os.path.dirname(os.path.abspath(a.out)))})")
        if self.failures:
            add("")
            add("## Failed runs")
            add("")
            for failure in self.failures:
                add(f"- {failure}")
        add("")
        return "\n".join(lines)

    def plot(self):
        if not self.args.plot or not shutil.which("gnuplot"):
            return
        os.makedirs(os.path.dirname(os.path.abspath(self.args.plot)), exist_ok=True)
        data = os.path.join(self.log_dir, "throughput.dat")
        series = []
        with open(data, "w") as out:
            for system in self.ws_systems:
                points = [(c, self.median(f"rt {c}x32", system, "rps"))
                          for c in self.args.connection_counts]
                points = [(c, v) for c, v in points if v is not None]
                if not points:
                    continue
                out.write(f"# {system}\n")
                for c, v in points:
                    out.write(f"{c} {v:.0f}\n")
                out.write("\n\n")
                series.append(system)
        if not series:
            return
        plots = ", ".join(f"'{data}' index {i} using 1:($2/1000) with linespoints lw 2 pt 7 "
                          f"title '{name}'"
                          for i, name in enumerate(series))
        counts = self.args.connection_counts
        script = f"""
set terminal pngcairo size 900,560 font ",11"
set output '{os.path.abspath(self.args.plot)}'
set title 'WebSocket echo, window 32 per connection, server on one core'
set xlabel 'connections'
set ylabel 'thousand round trips per second (log scale)'
set logscale xy
set xrange [{counts[0] / 1.5}:{counts[-1] * 1.5}]
set xtics ({", ".join(str(c) for c in counts)})
set grid
set key outside right
plot {plots}
"""
        subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--require-all", action="store_true",
                        help="fail when a system is skipped (not built): the smoke test's mode")
    parser.add_argument("--bridge-threads", type=int, default=1)
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "performance-latest.md"))
    parser.add_argument("--plot", default=None)
    parser.add_argument("--raw", default=None, help="also write every run's figures as JSON")
    parser.add_argument("--qt-version", default="6")
    parser.add_argument("--fanout-events", type=int, default=None, dest="fanout_events_option",
                        help="events of one fan-out run: N subscribers get N-th parts "
                             "(default 1000000, --quick 100000)")
    parser.add_argument("--only", type=lambda text: set(text.split(",")), default=None,
                        help="run only these groups of workloads, comma-separated: rt (1x1 and "
                             "Nx32), exposed, rest, mcp, fanout, gui")
    parser.add_argument("--argv", nargs=argparse.REMAINDER, default=[])
    args = parser.parse_args()
    args.connection_counts = [1, 4, 16, 64, 256]
    args.idle_count = 5000
    args.connect_count = 2000
    args.fanout_counts = [1, 100, 1000]
    args.fanout_events = 1000000
    if args.quick:
        args.fanout_events = 100000
        args.rounds, args.seconds, args.warmup = 1, 2, 0.5
        args.connection_counts = [1, 16, 64]
        args.idle_count, args.connect_count = 500, 200
    if args.fanout_events_option is not None:
        args.fanout_events = args.fanout_events_option
    if args.plot is None:
        args.plot = os.path.join(os.path.dirname(os.path.abspath(args.out)), "images",
                                 "throughput-vs-connections.png")
    if os.cpu_count() < 2:
        sys.exit("compare.py: needs 2 CPUs (server on CPU 0, client on CPU 1)")

    comparison = Comparison(args)
    if args.require_all and comparison.skipped:
        sys.exit("compare.py: --require-all, but skipped: " + ", ".join(sorted(comparison.skipped)))
    started = datetime.datetime.utcnow()
    begin = time.monotonic()
    comparison.run()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    comparison.plot()
    with open(args.out, "w") as out:
        out.write(comparison.report(started, time.monotonic() - begin))
    if args.raw:
        with open(args.raw, "w") as out:
            json.dump(comparison.results, out, indent=1)
    log(f"wrote {args.out}" + (f" and {args.plot}" if args.plot else "")
        + f"; server logs in {comparison.log_dir}")
    if comparison.failures:
        log(f"{len(comparison.failures)} run(s) failed:")
        for failure in comparison.failures:
            log(f"  {failure}")
        sys.exit(1)


if __name__ == "__main__":
    main()
