#!/usr/bin/env python3
"""The deadline crunch's load driver and measurements (run by loadtest/crunch, which provisions).

200 students run Claude-Code-shaped sessions, one turn after another, against each target in turn
(the mock directly, Goosey through HAProxy and its edges, LiteLLM's two Anthropic routes): the same
students, seeds and session shapes for every target. Each target gets the same phase length. The
driver measures, per target: requests/s, TTFB (first SSE body byte) p50/p99, refusals and failures by
reason, the proxy's CPU and RSS from /proc; for Goosey also Redis commands per request, the log-ingest
lag into Postgres, Postgres bytes per request and the ledger (Postgres) against what the mock billed.

    crunch.py run --config run.json      (written by loadtest/crunch)

Only the standard library and aiohttp. Keys are read from files and never printed.
"""

import argparse
import asyncio
import bisect
import csv
import datetime as dt
import json
import multiprocessing
import os
import random
import re
import statistics
import subprocess
import sys
import time

MODEL = "claude-sonnet-4-6"
MAX_BODY = 800_000
START_BODY = 50_000
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message):
    print(f"[crunch] {message}", file=sys.stderr, flush=True)


# MARK: - Text corpus (built once per process from a fixed seed: same bytes everywhere)

WORDS = (
    "parser token expression scanner buffer index offset result error value state node tree "
    "function return struct enum case switch guard let var self init throws async await actor "
    "test expect assert fixture module import package target build release debug cache layer "
    "request response stream header body status client server route handler session student "
    "course quota period balance lease settle record spool ingest batch commit retry timeout"
).split()
CODE_SHAPES = [
    "func {a}{B}(_ {c}: [{D}]) throws -> {E} {{",
    "    let {a} = try {b}.{c}({d}: {e})",
    "    guard let {a} = {b}[{c}] else {{ throw {D}Error.{e} }}",
    "    // {a} the {b} before the {c} so that {d} never sees a {e}",
    "    for {a} in {b}.{c} where {a}.{d} != nil {{",
    "    }}",
    "    return {D}({a}: {b}, {c}: {d})",
    "struct {A}{B}: Sendable {{",
    "    var {a}: [{B}: {C}] = [:]",
    "    XCTAssertEqual({a}.{b}, {c}, \\\"{d} {e}\\\")",
]


def build_corpus(seed=12345, lines=40_000):
    """An escaped-for-JSON numbered source listing (Claude Code's Read output) and its line offsets."""
    rng = random.Random(seed)
    parts = []
    offsets = [0]
    size = 0
    for number in range(1, lines + 1):
        shape = rng.choice(CODE_SHAPES)
        words = {k: rng.choice(WORDS) for k in "abcde"}
        words.update({k.upper(): rng.choice(WORDS).capitalize() for k in "abcde"})
        line = f"{number:6d}\\t" + shape.format(**words) + "\\n"
        parts.append(line)
        size += len(line)
        offsets.append(size)
    return "".join(parts), offsets


CORPUS, CORPUS_OFFSETS = build_corpus()


def listing(rng, approx_bytes):
    """A slice of the corpus of about `approx_bytes`, cut at line boundaries (valid JSON string content)."""
    total = CORPUS_OFFSETS[-1]
    approx_bytes = min(approx_bytes, total // 2)
    start_line = rng.randrange(0, len(CORPUS_OFFSETS) // 2)
    start = CORPUS_OFFSETS[start_line]
    end_line = bisect.bisect_left(CORPUS_OFFSETS, start + approx_bytes)
    return CORPUS[start:CORPUS_OFFSETS[min(end_line, len(CORPUS_OFFSETS) - 1)]]


def prose(rng, approx_bytes):
    out = []
    size = 0
    while size < approx_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20))).capitalize() + ". "
        out.append(sentence)
        size += len(sentence)
    return "".join(out)


def jstr(text):
    return json.dumps(text)


# MARK: - Request bodies


class Shapes:
    """The parts of every body that do not change within a session: system prompt and tools (~37 KB)."""

    TOOL_NAMES = [
        "Task", "Bash", "Glob", "Grep", "LS", "ExitPlanMode", "Read", "Edit", "MultiEdit", "Write",
        "NotebookEdit", "WebFetch", "TodoWrite", "WebSearch", "BashOutput", "KillShell",
    ]

    def __init__(self):
        rng = random.Random(777)
        system = [
            {"type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.",
             "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": prose(rng, 12_000), "cache_control": {"type": "ephemeral"}},
        ]
        tools = []
        for name in self.TOOL_NAMES:
            tools.append({
                "name": name,
                "description": prose(rng, 1_400),
                "input_schema": {
                    "type": "object",
                    "properties": {w: {"type": "string", "description": prose(rng, 60)} for w in rng.sample(WORDS, 4)},
                    "required": [],
                    "additionalProperties": False,
                    "$schema": "http://json-schema.org/draft-07/schema#",
                },
            })
        self.system = json.dumps(system, separators=(",", ":"))
        self.tools = json.dumps(tools, separators=(",", ":"))

    def prefix(self, session_id):
        metadata = {"user_id": f"user_{session_id[:10]}_account__session_{session_id}"}
        return (
            '{"model":"' + MODEL + '","max_tokens":32000,"stream":true,"thinking":{"type":"enabled","budget_tokens":8000},'
            '"system":' + self.system + ',"tools":' + self.tools + ',"metadata":' + json.dumps(metadata) + ',"messages":['
        ).encode()


SHAPES = None


def text_block(text, cached=False):
    block = '{"type":"text","text":' + jstr(text)
    return block + (',"cache_control":{"type":"ephemeral"}}' if cached else "}")


def user_message(blocks):
    return ('{"role":"user","content":[' + ",".join(blocks) + "]}").encode()


def assistant_message(blocks):
    return ('{"role":"assistant","content":[' + ",".join(blocks) + "]}").encode()


def fake_anthropic_key(rng):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "sk-ant-api03-" + "".join(rng.choice(alphabet) for _ in range(93)) + "AA"


# MARK: - Students


class Student:
    """One student's night: a seeded sequence of sessions and turns, the same for every target."""

    def __init__(self, index, seed, key, small_limit, leaker, mode):
        self.index = index
        self.id = f"s{index:03d}"
        self.rng = random.Random(f"{seed}:{index}")
        self.key = key
        self.small_limit = small_limit
        self.leaker = leaker
        self.mode = mode
        self.turns_done = 0
        self.leaked = False
        self.new_session()
        # Everyone is somewhere in a session when the night's measurement starts.
        for _ in range(self.rng.randint(0, 30)):
            self.grow(self.pick_scenario())
            if self.body_size() > MAX_BODY * 0.9:
                break

    def new_session(self):
        self.session = "%08x-%04x-4%03x-8%03x-%012x" % (
            self.rng.getrandbits(32), self.rng.getrandbits(16), self.rng.getrandbits(12),
            self.rng.getrandbits(12), self.rng.getrandbits(48),
        )
        self.prefix = SHAPES.prefix(self.session)
        reminder = "<system-reminder>\nAs you answer the user's questions, you can use the following context:\n" + prose(self.rng, 9_000) + "\n</system-reminder>"
        self.messages = [user_message([text_block(reminder), text_block("Help me finish assignment 3 before the deadline: " + prose(self.rng, 300))])]
        self.pending_text = None
        self.tool_turn = False

    def body_size(self):
        return len(self.prefix) + sum(len(m) + 1 for m in self.messages) + 2

    def body(self):
        return self.prefix + b",".join(self.messages) + b"]}"

    def pick_scenario(self):
        roll = self.rng.random()
        return "tool_use" if roll < 0.55 else ("thinking" if roll < 0.8 else "text")

    def grow(self, scenario):
        """Appends what the answer and the next user message add to the conversation."""
        if scenario == "tool_use":
            tool_id = "toolu_01" + "%022x" % self.rng.getrandbits(88)
            path = f"/home/student/a3/Sources/Calc/{self.rng.choice(WORDS).capitalize()}.swift"
            self.messages.append(assistant_message([
                text_block(prose(self.rng, self.rng.randint(100, 600))),
                '{"type":"tool_use","id":"' + tool_id + '","name":"Read","input":{"file_path":' + jstr(path) + "}}",
            ]))
            content = listing(self.rng, int(self.rng.triangular(2_000, 45_000, 12_000)))
            self.messages.append(user_message([
                '{"tool_use_id":"' + tool_id + '","type":"tool_result","content":"' + content + '"}'
            ]))
        else:
            blocks = []
            if scenario == "thinking":
                blocks.append('{"type":"thinking","thinking":' + jstr(prose(self.rng, self.rng.randint(300, 2_000))) + ',"signature":"' + "E" * 300 + '"}')
            blocks.append(text_block(prose(self.rng, self.rng.randint(300, 3_000))))
            self.messages.append(assistant_message(blocks))
            self.messages.append(user_message([text_block(prose(self.rng, self.rng.randint(60, 400)), cached=True)]))

    def next_turn(self):
        """The next request: (scenario, deltas, delay_ms, think_after_s); the body is `self.body()`."""
        if self.body_size() > MAX_BODY:
            self.new_session()
        scenario = self.pick_scenario()
        duration = 2.0 * (15.0 ** self.rng.random())  # log-uniform 2-30 s
        deltas = self.rng.randint(12, 120)
        events = deltas + 8 + (deltas // 2 + 2 if scenario == "thinking" else 0) + (12 if scenario == "tool_use" else 0)
        delay_ms = max(1, int(duration * 1000 / events))
        think = self.rng.uniform(0.5, 3.0) if scenario == "tool_use" else self.rng.uniform(2.0, 8.0)
        return scenario, deltas, delay_ms, think

    def leak_now(self):
        """The leaking student pastes a key into a prompt on their second turn of the phase."""
        if self.leaker and not self.leaked and self.turns_done == 1:
            self.leaked = True
            key = fake_anthropic_key(random.Random(f"leak:{self.index}"))
            self.messages.append(assistant_message([text_block("The request fails with an authentication error. Can you show me the configuration you use?")]))
            self.messages.append(user_message([text_block(f"here is my .env, why does this not work?\nANTHROPIC_API_KEY={key}\nDEBUG=1", cached=True)]))
            return True
        return False


# MARK: - One request


def classify(status, body):
    """Reason for a non-200 answer, from status and Anthropic error envelope."""
    try:
        error = json.loads(body).get("error", {})
        kind, message = error.get("type", "?"), error.get("message", "")
    except Exception:
        kind, message = "non-json", ""
    if status == 429 and ("allowance" in message or "used" in message or "resets" in message):
        return "refused", "429 allowance used up"
    if status == 403 and "found a secret" in message:
        return "refused", "403 secret in prompt (key suspended)"
    if status == 403 and "suspended" in message:
        return "refused", "403 key suspended"
    return "failed", f"{status} {kind}"


async def one_request(session, target, student, scenario, deltas, delay_ms):
    import aiohttp

    body = student.body()
    headers = {
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
        "x-app": "cli",
        "user-agent": "claude-cli/2.0.50 (external, cli)",
        "x-claude-code-session-id": student.session,
        "x-mock-scenario": scenario,
        "x-mock-deltas": str(deltas),
        "x-mock-delay-ms": str(delay_ms),
        "accept": "application/json",
    }
    if target["auth"] == "x-api-key":
        headers["x-api-key"] = target["key"] if target.get("key") else student.key
    else:
        headers["authorization"] = "Bearer " + target["key"]
    result = {
        "student": student.index, "scenario": scenario, "bytes": len(body), "start": time.time(),
        "status": 0, "ttfb": None, "total": None, "outcome": "failed", "reason": "", "rid": None,
    }
    t0 = time.perf_counter()
    try:
        async with session.post(target["url"], data=body, headers=headers) as response:
            result["status"] = response.status
            result["rid"] = response.headers.get("request-id")
            first = await response.content.readany()
            result["ttfb"] = (time.perf_counter() - t0) * 1000
            if response.status != 200:
                rest = await response.read() if first else b""
                result["outcome"], result["reason"] = classify(response.status, first + rest)
            else:
                tail = first[-256:]
                size = len(first)
                while True:
                    chunk = await response.content.readany()
                    if not chunk:
                        break
                    size += len(chunk)
                    tail = (tail + chunk)[-256:]
                result["resp_bytes"] = size
                if b"message_stop" in tail:
                    result["outcome"] = "ok"
                elif b"event: error" in tail:
                    result["reason"] = "200 stream ended with an error event"
                else:
                    result["reason"] = "200 stream cut before message_stop"
    except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError, OSError) as error:
        detail = getattr(error, "strerror", None) or (str(error).split(":")[0][:40] if str(error) else "")
        result["reason"] = f"transport {type(error).__name__}" + (f" ({detail})" if detail else "")
    result["total"] = (time.perf_counter() - t0) * 1000
    return result


# MARK: - A worker process: a share of the students against one target


async def run_students(students, target, deadline, mode, fetch_mock):
    import aiohttp

    results = []
    mock_records = {}
    fetch_queue = asyncio.Queue()
    connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300, enable_cleanup_closed=True)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=120)
    retry_wait = 5.0 if mode == "short" else 30.0

    async def fetcher(session):
        while True:
            rid = await fetch_queue.get()
            if rid is None:
                return
            for attempt in range(3):
                try:
                    async with session.get(f"{fetch_mock['url']}/mock/requests/{rid}") as response:
                        if response.status == 200:
                            mock_records[rid] = await response.json()
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.2)

    async def pause(seconds):
        await asyncio.sleep(max(0.0, min(seconds, deadline - time.time())))

    async def night(student, session):
        await pause(student.rng.uniform(0, min(10.0, (deadline - time.time()) / 4)))
        refusals_in_a_row = 0
        retry = None
        while time.time() < deadline:
            if retry is None:
                student.leak_now()
                turn = student.next_turn()
            else:
                turn = retry
            scenario, deltas, delay_ms, think = turn
            result = await one_request(session, target, student, scenario, deltas, delay_ms)
            results.append(result)
            if result["outcome"] == "ok":
                refusals_in_a_row = 0
                retry = None
                student.turns_done += 1
                student.grow(scenario)
                if fetch_mock and result["rid"]:
                    fetch_queue.put_nowait(result["rid"])
                await pause(think)
            elif result["reason"].startswith("429"):
                # Claude Code stops and shows the message; the student tries again a little later.
                retry = turn
                await pause(retry_wait)
            elif result["reason"].startswith("403"):
                refusals_in_a_row += 1
                if refusals_in_a_row >= 3:
                    return
                # Told to start a new conversation without the secret; the key stays suspended.
                retry = None
                student.new_session()
                await pause(10.0)
            else:
                retry = turn
                await pause(1.0)

    async with aiohttp.ClientSession(connector=connector, timeout=timeout, auto_decompress=False) as session:
        fetchers = [asyncio.create_task(fetcher(session)) for _ in range(4)] if fetch_mock else []
        await asyncio.gather(*(night(s, session) for s in students))
        for _ in fetchers:
            fetch_queue.put_nowait(None)
        await asyncio.gather(*fetchers)
    return results, mock_records


def worker_main(args):
    """Entry of one worker process: runs its students, writes its results as JSON."""
    global SHAPES
    indices, config, target, deadline, out_path, fetch_mock = args
    SHAPES = Shapes()
    keys = load_keys(config)
    students = []
    for index in indices:
        students.append(Student(
            index, config["seed"], keys.get(f"s{index:03d}"), index in config["small_limit_students"],
            index == config["leaker"], config["mode"],
        ))
    while time.time() < deadline - target["duration"]:
        time.sleep(min(0.05, deadline - target["duration"] - time.time()))
    results, mock_records = asyncio.run(run_students(students, target, deadline, config["mode"], fetch_mock))
    usage = os.times()
    with open(out_path, "w") as handle:
        json.dump({"results": results, "mock": mock_records, "cpu": usage.user + usage.system}, handle)


def load_keys(config):
    keys = {}
    path = config.get("keys_csv")
    if path and os.path.exists(path):
        with open(path, newline="") as handle:
            for row in csv.DictReader(handle):
                keys[row["id"]] = row["key"]
    return keys


# MARK: - /proc, Redis, Postgres


def children(pid):
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    out += [int(c) for c in handle.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return out


def tree(pids):
    seen = []
    stack = list(pids)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.append(pid)
        stack += children(pid)
    return seen


def cpu_seconds(pids):
    """utime+stime (+ reaped children's) of the process trees, in seconds."""
    total = 0
    for pid in tree(pids):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += sum(int(fields[i]) for i in (11, 12, 13, 14))
        except (OSError, IndexError):
            pass
    return total / CLOCK_TICKS


def memory_kb(pids, field="VmRSS"):
    total = 0
    for pid in tree(pids):
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith(field + ":"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def machine_ticks():
    with open("/proc/stat") as handle:
        fields = [int(x) for x in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]), idle


def read_pid(path):
    try:
        with open(path) as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def redis_info(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "all"], capture_output=True, text=True, timeout=10).stdout
    stats = {"commands": 0, "script_calls": 0, "by_command": {}}
    for line in out.splitlines():
        if line.startswith("total_commands_processed:"):
            stats["commands"] = int(line.split(":")[1])
        match = re.match(r"cmdstat_([^:]+):calls=(\d+)", line)
        if match:
            stats["by_command"][match.group(1)] = int(match.group(2))
    stats["script_calls"] = sum(v for k, v in stats["by_command"].items() if k in ("evalsha", "eval", "fcall", "evalsha_ro", "eval_ro"))
    return stats


def psql(url, query):
    out = subprocess.run(["psql", url, "-XAtq", "-F", "\t", "-c", query], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"psql failed: {out.stderr.strip()[:300]}")
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def pg_bytes(url):
    rows = psql(url, "SELECT coalesce(sum(pg_total_relation_size(c.oid)),0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
    return int(rows[0][0])


def percentile(values, q):
    if not values:
        return None
    values = sorted(values)
    rank = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[rank]


# MARK: - A phase


def run_phase(config, target, duration, workers, fetch_mock=None, start_at=None):
    students = list(range(config["students"]))
    shares = [students[i::workers] for i in range(workers)]
    work = config["work"]
    # Workers build their students first (a few seconds), then all start together at `start`.
    start = max(start_at or 0, time.time() + 10)
    deadline = start + duration
    target = dict(target, duration=duration)
    groups = target.get("groups", {})
    ctx = multiprocessing.get_context("fork")
    outs = [os.path.join(work, f"{target['name']}-w{i}.json") for i in range(workers)]
    processes = [ctx.Process(target=worker_main, args=((share, config, target, deadline, out, fetch_mock),)) for share, out in zip(shares, outs)]
    for process in processes:
        process.start()
    while time.time() < start:
        time.sleep(min(0.05, max(0, start - time.time())))
    before = {name: cpu_seconds(p) for name, p in groups.items()}
    total_before, idle_before = machine_ticks()
    peak_rss = {name: 0 for name in groups}
    rss_samples = {name: [] for name in groups}
    while any(p.is_alive() for p in processes):
        for name, p in groups.items():
            rss = memory_kb(p)
            peak_rss[name] = max(peak_rss[name], rss)
            rss_samples[name].append(rss)
        time.sleep(1.0)
    for process in processes:
        process.join()
    end = time.time()
    after = {name: cpu_seconds(p) for name, p in groups.items()}
    total_after, idle_after = machine_ticks()
    results, mock_records, driver_cpu = [], {}, 0.0
    for out in outs:
        with open(out) as handle:
            data = json.load(handle)
        results += data["results"]
        mock_records.update(data["mock"])
        driver_cpu += data["cpu"]
    busy = (total_after - total_before) - (idle_after - idle_before)
    elapsed_ticks = max(1, total_after - total_before)
    return {
        "target": target["name"], "label": target["label"], "start": start, "end": end, "duration": duration,
        "results": results, "mock": mock_records,
        "cpu": {name: after[name] - before[name] for name in groups},
        "rss_end_mb": {name: memory_kb(p) / 1024 for name, p in groups.items()},
        "rss_peak_mb": {name: peak_rss[name] / 1024 for name in groups},
        "driver_cpu": driver_cpu,
        "busy_pct": 100.0 * busy / elapsed_ticks,
        "busy_cpu_s": busy / CLOCK_TICKS,
    }


def summarize(phase, proxy_groups):
    results = phase["results"]
    ok = [r for r in results if r["outcome"] == "ok"]
    refused, failed = {}, {}
    for r in results:
        if r["outcome"] == "refused":
            refused[r["reason"]] = refused.get(r["reason"], 0) + 1
        elif r["outcome"] == "failed":
            failed[r["reason"]] = failed.get(r["reason"], 0) + 1
    ttfb = [r["ttfb"] for r in results if r["status"] == 200 and r["ttfb"] is not None]
    totals = [r["total"] / 1000 for r in ok]
    wall = phase["end"] - phase["start"]
    proxy_cpu = sum(phase["cpu"].get(g, 0) for g in proxy_groups)
    answered = [r for r in results if r["status"]]
    return {
        "requests": len(results),
        "answered": len(answered),
        "ok": len(ok),
        "refused": refused,
        "failed": failed,
        "rps": len(results) / phase["duration"],
        "ttfb_p50": percentile(ttfb, 50),
        "ttfb_p99": percentile(ttfb, 99),
        "ttfb_max": max(ttfb) if ttfb else None,
        "stream_p50_s": percentile(totals, 50),
        "stream_p99_s": percentile(totals, 99),
        "body_kb_mean": statistics.mean(r["bytes"] for r in results) / 1000 if results else 0,
        "body_kb_max": max((r["bytes"] for r in results), default=0) / 1000,
        "mb_up": sum(r["bytes"] for r in results) / 1e6,
        "proxy_cpu_s": proxy_cpu,
        "req_per_cpu_s": len(results) / proxy_cpu if proxy_cpu > 0 else None,
        "wall": wall,
    }


# MARK: - Goosey specifics: policy with a reset mid-phase, ledger, ingest


def goosey_cli(config, args):
    env = dict(os.environ)
    env.update({"GOOSEY_URL": config["goosey"]["coordinator_url"], "GOOSEY_COURSE": config["goosey"]["course"]})
    with open(config["goosey"]["admin_token_file"]) as handle:
        env["GOOSEY_TOKEN"] = handle.read().strip()
    out = subprocess.run([config["goosey"]["cli"]] + args, capture_output=True, text=True, env=env, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"goosey {' '.join(args[:2])} failed: {out.stderr.strip()[:400]}")
    return out.stdout


def set_policies(config, reset_at):
    """The course's 7-day period (and the small-limit students' overrides) anchored at `reset_at` (UTC)."""
    moment = dt.datetime.fromtimestamp(reset_at, dt.timezone.utc)
    anchor = moment.strftime("%a %H:%M").lower()
    common = ["--reset-period", "7d", "--anchor", anchor, "--timezone", "UTC"]
    goosey_cli(config, ["quota", "set", "--limit", config["course_limit"], *common, "--reason", "crunch: course allowance"])
    for index in config["small_limit_students"]:
        goosey_cli(config, ["quota", "set", "--student", f"s{index:03d}", "--limit", config["small_limit"], *common, "--reason", "crunch: small allowance"])
    return anchor


def ledger_check(config, phase, since):
    """Postgres's requests against the mock's records, request by request, exactly."""
    url = config["goosey"]["postgres_url"]
    rows = psql(url, (
        "SELECT coalesce(upstream_request_id,''), status, input_tokens, cache_write_5m_tokens, cache_write_1h_tokens, "
        "cache_read_tokens, output_tokens, coalesce(charge,-1), estimated FROM requests "
        f"WHERE course_id = '{config['goosey']['course']}' AND received_at >= to_timestamp({since})"
    ))
    by_rid = {}
    duplicates = 0
    for row in rows:
        if row[0]:
            if row[0] in by_rid:
                duplicates += 1
            by_rid[row[0]] = row
    served = [r for r in phase["results"] if r["status"] == 200 and r.get("rid")]
    missing_mock = [r["rid"] for r in served if r["rid"] not in phase["mock"]]
    missing_pg, mismatched, charge_mismatch, estimated = [], [], 0, 0
    billed = {"input": 0, "cw5m": 0, "cw1h": 0, "read": 0, "output": 0}
    stored = dict(billed)
    for r in served:
        record = phase["mock"].get(r["rid"])
        if record is None:
            continue
        usage = record["usage"]
        cc = usage.get("cache_creation") or {}
        mock = (usage["input_tokens"], cc.get("ephemeral_5m_input_tokens", 0), cc.get("ephemeral_1h_input_tokens", 0),
                usage["cache_read_input_tokens"], usage["output_tokens"])
        for key, value in zip(billed, mock):
            billed[key] += value
        row = by_rid.get(r["rid"])
        if row is None:
            missing_pg.append(r["rid"])
            continue
        got = tuple(int(x) for x in row[2:7])
        for key, value in zip(stored, got):
            stored[key] += value
        if got != mock:
            mismatched.append((r["rid"], mock, got))
        charge = mock[0] * 1000 + mock[1] * 1250 + mock[2] * 2000 + mock[3] * 100 + mock[4] * 5000
        if int(row[7]) != charge:
            charge_mismatch += 1
        if row[8] == "t":
            estimated += 1
    extra = [rid for rid in by_rid if rid not in {r["rid"] for r in served}]
    by_status = {}
    for row in rows:
        by_status[row[1]] = by_status.get(row[1], 0) + 1
    exact = not (missing_mock or missing_pg or mismatched or charge_mismatch or duplicates or extra or estimated)
    return {
        "exact": exact, "served": len(served), "mock_records": len(served) - len(missing_mock),
        "missing_mock_record": len(missing_mock), "missing_in_postgres": len(missing_pg), "mismatched": len(mismatched),
        "mismatch_examples": mismatched[:3], "charge_mismatch": charge_mismatch, "duplicates": duplicates,
        "extra_rows": len(extra), "estimated_rows": estimated, "rows_by_status": by_status, "billed": billed, "stored": stored,
    }


def wait_ingest(config, phase, since, timeout=120):
    """Seconds from the phase's last answer until Postgres holds a record of every answered request."""
    url = config["goosey"]["postgres_url"]
    expected = sum(1 for r in phase["results"] if r["status"])
    last_answer = max((r["start"] + r["total"] / 1000 for r in phase["results"]), default=phase["end"])
    query = f"SELECT count(*) FROM requests WHERE course_id = '{config['goosey']['course']}' AND received_at >= to_timestamp({since})"
    count = 0
    while time.time() < last_answer + timeout:
        count = int(psql(url, query)[0][0])
        if count >= expected:
            break
        time.sleep(0.1)
    done = time.time()
    lag = psql(url, (
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY l), percentile_cont(0.99) WITHIN GROUP (ORDER BY l), max(l) FROM ("
        "SELECT extract(epoch FROM ingested_at - received_at) - total_us / 1e6 AS l FROM requests "
        f"WHERE course_id = '{config['goosey']['course']}' AND received_at >= to_timestamp({since})) x"
    ))[0]
    return {
        "expected": expected, "stored": count, "complete": count >= expected,
        "drain_s": done - last_answer if count >= expected else None,
        "per_record_p50_s": float(lag[0]) if lag[0] else None, "per_record_p99_s": float(lag[1]) if lag[1] else None,
        "per_record_max_s": float(lag[2]) if lag[2] else None,
    }


def reset_evidence(config, phase, reset_at):
    small = set(config["small_limit_students"])
    before_refused, after_served = set(), set()
    for r in phase["results"]:
        if r["student"] not in small:
            continue
        if r["reason"].startswith("429") and r["start"] < reset_at:
            before_refused.add(r["student"])
        if r["outcome"] == "ok" and r["start"] >= reset_at:
            after_served.add(r["student"])
    url = config["goosey"]["postgres_url"]
    periods = psql(url, f"SELECT count(DISTINCT period_index), count(*) FROM periods WHERE course_id = '{config['goosey']['course']}'")[0]
    normal_refused = sum(1 for r in phase["results"] if r["student"] not in small and r["reason"].startswith("429"))
    # Each period the coordinator closed: its `used` against the charges of the requests received in it.
    closed = psql(url, (
        "SELECT count(*), count(*) FILTER (WHERE p.used = (SELECT coalesce(sum(r.charge), 0) FROM requests r "
        "WHERE r.course_id = p.course_id AND r.student_id = p.student_id AND r.received_at >= p.starts_at "
        f"AND r.received_at < p.ends_at)) FROM periods p WHERE p.course_id = '{config['goosey']['course']}' AND p.closed_at IS NOT NULL"
    ))[0]
    return {
        "small_students": len(small), "refused_before_reset": len(before_refused),
        "served_again_after_reset": len(before_refused & after_served),
        "period_indexes_in_postgres": int(periods[0]), "period_rows": int(periods[1]),
        "normal_students_refused": normal_refused,
        "closed_periods": int(closed[0]), "closed_periods_matching_charges": int(closed[1]),
    }


def leak_evidence(config, phase):
    url = config["goosey"]["postgres_url"]
    leaker = config["leaker"]
    reasons = [r["reason"] or r["outcome"] for r in phase["results"] if r["student"] == leaker]
    incidents = psql(url, f"SELECT count(*) FROM incidents WHERE course_id = '{config['goosey']['course']}' AND student_id = 's{leaker:03d}'")[0][0]
    state = psql(url, f"SELECT string_agg(state, ',') FROM keys WHERE course_id = '{config['goosey']['course']}' AND student_id = 's{leaker:03d}'")[0][0]
    return {"student": f"s{leaker:03d}", "answers": reasons, "incidents": int(incidents), "key_state": state}


# MARK: - The run


def machine_state(config):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
        except Exception:
            return "?"
    with open("/proc/loadavg") as handle:
        load = handle.read().split()[:3]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "mem_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "kernel": sh("uname -r"),
        "swift": sh("swift --version 2>&1 | head -1"),
        "haproxy": sh("haproxy -v | head -1 | awk '{print $3}'"),
        "redis": sh("redis-server --version | awk '{print $3}' | cut -d= -f2"),
        "postgres": sh(f"psql '{config['goosey']['postgres_url']}' -XAtc 'SHOW server_version'") if config.get("goosey") else "?",
        "litellm": sh(f"{config['litellm']['python']} -m pip show litellm 2>/dev/null | awk '/^Version/ {{print $2}}'") if config.get("litellm") else "-",
        "python": sys.version.split()[0],
        "load_before": " ".join(load),
        "commit": sh(f"git -C {config['repo']} rev-parse --short HEAD"),
        "dirty": bool(sh(f"git -C {config['repo']} status --porcelain --untracked-files=no")),
    }


def fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def run(config):
    global SHAPES
    SHAPES = Shapes()
    state = machine_state(config)
    log(f"machine: {state['cpus']} cores, load {state['load_before']}; {config['students']} students, "
        f"{config['duration']} s per target, {config['workers']} driver processes")
    phases = {}
    extras = {}
    for target in config["targets"]:
        name = target["name"]
        if name == "goosey":
            g = config["goosey"]
            # The weekly reset falls on a minute boundary about `reset_fraction` into the phase.
            lead = config["duration"] * config["reset_fraction"]
            now = time.time()
            reset_at = (int((now + lead + 25) // 60) + 1) * 60
            start_at = reset_at - lead
            anchor = set_policies(config, reset_at)
            log(f"goosey: course period 7d anchored '{anchor}' UTC: the weekly reset falls {lead:.0f} s into the phase "
                f"(starting in {start_at - time.time():.0f} s)")
            redis_before = redis_info(g["redis_port"])
            pg_before = pg_bytes(g["postgres_url"])
            phase = run_phase(config, target, config["duration"], config["workers"], fetch_mock={"url": g["mock_url"]}, start_at=start_at)
            since = phase["start"] - 1
            log("goosey: waiting for Postgres to hold every record")
            ingest = wait_ingest(config, phase, since)
            redis_after = redis_info(g["redis_port"])
            pg_after = pg_bytes(g["postgres_url"])
            ledger = ledger_check(config, phase, since)
            by_command = {k: redis_after["by_command"].get(k, 0) - redis_before["by_command"].get(k, 0) for k in redis_after["by_command"]}
            extras = {
                "anchor": anchor, "reset_at": reset_at, "reset_offset_s": reset_at - phase["start"],
                "ingest": ingest, "ledger": ledger,
                "redis": {
                    "commands": redis_after["commands"] - redis_before["commands"] - 1,
                    "script_calls": redis_after["script_calls"] - redis_before["script_calls"],
                    "by_command": {k: v for k, v in sorted(by_command.items(), key=lambda kv: -kv[1]) if v > 0},
                },
                "pg_bytes": pg_after - pg_before, "pg_total_bytes": pg_after,
                "reset": reset_evidence(config, phase, reset_at), "leak": leak_evidence(config, phase),
            }
        else:
            log(f"{name}: {config['duration']} s")
            phase = run_phase(config, target, config["duration"], config["workers"])
        phases[name] = phase
        s = summarize(phase, target.get("proxy_groups", []))
        log(f"{name}: {s['requests']} requests, {s['ok']} ok, refused {sum(s['refused'].values())}, failed {sum(s['failed'].values())}, "
            f"TTFB p50 {fmt(s['ttfb_p50'], 2)} ms p99 {fmt(s['ttfb_p99'], 2)} ms")
        if config.get("pause_between", 0):
            time.sleep(config["pause_between"])
    report = build_report(config, state, phases, extras)
    with open(os.path.join(config["work"], "report.md"), "w") as handle:
        handle.write(report)
    summary = {name: summarize(p, next(t for t in config["targets"] if t["name"] == name).get("proxy_groups", [])) for name, p in phases.items()}
    with open(os.path.join(config["work"], "summary.json"), "w") as handle:
        json.dump({"machine": state, "summary": summary, "goosey": extras,
                   "cpu": {n: p["cpu"] for n, p in phases.items()}, "rss_peak_mb": {n: p["rss_peak_mb"] for n, p in phases.items()},
                   "busy": {n: p["busy_pct"] for n, p in phases.items()}}, handle, indent=1, default=str)
    print(report)


def build_report(config, state, phases, extras):
    targets = [t for t in config["targets"] if t["name"] in phases]
    sums = {t["name"]: summarize(phases[t["name"]], t.get("proxy_groups", [])) for t in targets}
    direct = sums.get("direct")
    now = dt.datetime.now(dt.timezone.utc)
    lines = []
    mode = "short (CI)" if config["mode"] == "short" else f"{config['duration'] // 60}-minute"
    lines.append(f"## Deadline crunch, {now:%Y-%m-%d %H:%M} UTC, commit {state['commit']}{' (work tree with uncommitted changes)' if state['dirty'] else ''}, {mode} run")
    lines.append("")
    lines.append(
        f"Machine: {state['cpus']} cores ({state['cpu_model']}), {state['mem_gib']} GiB, Linux {state['kernel']}, {state['swift']}, "
        f"HAProxy {state['haproxy']}, Redis {state['redis']}, PostgreSQL {state['postgres']}, LiteLLM {state['litellm']}, "
        f"Python {state['python']}; load average before the run {state['load_before']}. Everything (mock, cluster, LiteLLM, "
        f"the {config['workers']} driver processes) shares these cores, nothing pinned."
    )
    lines.append("")
    lines.append(
        f"Traffic: {config['students']} students, each running Claude-Code-shaped sessions for {config['duration']} s per target "
        f"(targets one after another): bodies with a cached system prompt, {len(Shapes.TOOL_NAMES)} tools and a conversation "
        f"growing turn by turn from ~50 KB to {MAX_BODY // 1000} KB (then a new session); streams of 2-30 s (log-uniform) "
        "of tool_use 55% / thinking 25% / text 20%; 0.5-3 s between a tool_use answer and the next request, 2-8 s after "
        f"a final answer. {len(config['small_limit_students'])} students have a small allowance ({config['small_limit']} per period; "
        f"the rest {config['course_limit']}) and retry {5 if config['mode'] == 'short' else 30} s after a 429; student "
        f"s{config['leaker']:03d} pastes an `sk-ant-api03-` key into its second prompt. The same seeds for every target."
    )
    lines.append("")
    header = "| figure | " + " | ".join(t["label"] for t in targets) + " |"
    lines.append(header)
    lines.append("|---|" + "--:|" * len(targets))

    def row(label, fn):
        cells = []
        for t in targets:
            try:
                cells.append(fn(t["name"], sums[t["name"]], phases[t["name"]]))
            except Exception:
                cells.append("-")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("requests sent", lambda n, s, p: fmt(s["requests"]))
    row("requests/s", lambda n, s, p: fmt(s["rps"], 1))
    row("complete streams (200, message_stop)", lambda n, s, p: fmt(s["ok"]))
    row("refused by policy", lambda n, s, p: ("; ".join(f"{k}: {v}" for k, v in sorted(s["refused"].items())) or "0"))
    row("failed (not policy)", lambda n, s, p: ("; ".join(f"{k}: {v}" for k, v in sorted(s["failed"].items())) or "0"))
    row("body KB mean / max", lambda n, s, p: f"{s['body_kb_mean']:.0f} / {s['body_kb_max']:.0f}")
    row("TTFB p50 / p99 ms (200s)", lambda n, s, p: f"{fmt(s['ttfb_p50'], 2)} / {fmt(s['ttfb_p99'], 2)}")
    row("added TTFB p50 / p99 ms", lambda n, s, p: "-" if n == "direct" or not direct else
        f"{s['ttfb_p50'] - direct['ttfb_p50']:+.2f} / {s['ttfb_p99'] - direct['ttfb_p99']:+.2f}")
    row("stream time p50 / p99 s", lambda n, s, p: f"{fmt(s['stream_p50_s'], 1)} / {fmt(s['stream_p99_s'], 1)}")
    row("proxy CPU s (what it counts)", lambda n, s, p: "-" if n == "direct" else
        f"{s['proxy_cpu_s']:.1f} ({'+'.join(next(t for t in targets if t['name'] == n)['proxy_groups'])})")
    for t in targets:
        if t["name"] == "goosey":
            row("Goosey CPU s by process", lambda n, s, p: "; ".join(f"{k} {v:.1f}" for k, v in p["cpu"].items()) if n == "goosey" else "-")
            row("requests per CPU-second, edges only", lambda n, s, p: fmt(s["requests"] / p["cpu"]["edges"], 1) if n == "goosey" and p["cpu"].get("edges") else "-")
    row("requests per CPU-second (proxy)", lambda n, s, p: "-" if n == "direct" else fmt(s["req_per_cpu_s"], 1))
    row("mock CPU s", lambda n, s, p: f"{p['cpu'].get('mock', 0):.1f}")
    row("proxy RSS MB end / peak", lambda n, s, p: "-" if n == "direct" else
        " ; ".join(f"{g} {p['rss_end_mb'][g]:.0f} / {p['rss_peak_mb'][g]:.0f}" for g in p["rss_end_mb"] if g != "mock"))
    row("load driver CPU s", lambda n, s, p: f"{p['driver_cpu']:.1f}")
    row("machine busy % (other %)", lambda n, s, p: f"{p['busy_pct']:.0f} ({max(0.0, p['busy_pct'] * (1 - (sum(p['cpu'].values()) + p['driver_cpu']) / max(0.01, p['busy_cpu_s']))):.0f})")
    lines.append("")
    lines.append(
        "TTFB: from just before the request is sent (body upload included) to the first byte of the SSE body, over "
        "200 answers only; added TTFB is a target's percentile minus the direct run's. requests/s: requests sent in the "
        "phase / phase length. Proxy CPU: utime+stime (+ reaped children) from /proc over the phase and its drain; for "
        "Goosey all of edges, HAProxy, Redis, coordinator and PostgreSQL (the mock never counts), for LiteLLM its "
        "gunicorn master and workers. Other %: CPU used by none of the measured processes nor the driver "
        "(e.g. builds alongside)."
    )
    lines.append("")
    if "goosey" in phases:
        g = extras
        s = sums["goosey"]
        answered = max(1, s["answered"])
        ing = g["ingest"]
        led = g["ledger"]
        red = g["redis"]
        lines.append("Goosey only:")
        lines.append("")
        lines.append(f"- Redis: {red['commands'] / answered:.2f} commands per answered request ({red['script_calls'] / answered:.2f} script calls "
                     f"= client round trips for scripts); by command: " + ", ".join(f"{k} {v}" for k, v in list(red["by_command"].items())[:8])
                     + " (all clients: edges and coordinator; commands a script runs count too).")
        if ing["complete"]:
            lines.append(f"- Log ingest: Postgres held all {ing['expected']} logged records (every answered request, refusals included) {ing['drain_s']:.2f} s after the last answer; per record "
                         f"(stored minus answered) p50 {ing['per_record_p50_s']:.2f} s, p99 {ing['per_record_p99_s']:.2f} s, max {ing['per_record_max_s']:.2f} s.")
        else:
            lines.append(f"- Log ingest: INCOMPLETE: Postgres held {ing['stored']} of {ing['expected']} records 120 s after the last answer.")
        lines.append(f"- Postgres: +{g['pg_bytes'] / 1e6:.1f} MB over the phase (all tables with indexes and TOAST), "
                     f"{g['pg_bytes'] / answered / 1000:.1f} KB per request, against {s['mb_up'] / max(1, s['requests']) * 1000:.0f} KB of request body per request.")
        lines.append(f"- Ledger vs mock: {'EXACT' if led['exact'] else 'NOT EXACT'}: {led['served']} streams served, {led['mock_records']} mock records, "
                     f"missing in Postgres {led['missing_in_postgres']}, token mismatches {led['mismatched']}, charge mismatches {led['charge_mismatch']}, "
                     f"duplicates {led['duplicates']}, rows no client saw {led['extra_rows']}, estimated rows {led['estimated_rows']}, mock records not fetched "
                     f"{led['missing_mock_record']}; rows by status {json.dumps(led['rows_by_status'])}; billed {json.dumps(led['billed'])}.")
        rs = g["reset"]
        lines.append(f"- Weekly reset: period anchored '{g['anchor']}' UTC, {g['reset_offset_s']:.0f} s into the phase. Of {rs['small_students']} small-allowance "
                     f"students, {rs['refused_before_reset']} were refused (429) before the reset and {rs['served_again_after_reset']} of those were served "
                     f"again after it; {rs['period_rows']} period rows in Postgres over {rs['period_indexes_in_postgres']} period indexes; 429s to "
                     f"students with the normal allowance: {rs['normal_students_refused']}; closed periods whose `used` equals the sum of "
                     f"the charges of their requests: {rs.get('closed_periods_matching_charges', '-')} of {rs.get('closed_periods', '-')}.")
        lk = g["leak"]
        lines.append(f"- Leak: {lk['student']} answers in order: {', '.join(lk['answers'][:6])}{' …' if len(lk['answers']) > 6 else ''}; "
                     f"incidents in Postgres {lk['incidents']}; key state now {lk['key_state']}.")
        lines.append("")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    run_parser = sub.add_parser("run")
    run_parser.add_argument("--config", required=True)
    probe = sub.add_parser("body-sizes", help="print the body sizes the students' first turns would send")
    probe.add_argument("--students", type=int, default=200)
    args = parser.parse_args()
    if args.command == "run":
        with open(args.config) as handle:
            config = json.load(handle)
        run(config)
    else:
        global SHAPES
        SHAPES = Shapes()
        sizes = [Student(i, 1, "", False, False, "short").body_size() for i in range(args.students)]
        print(f"min {min(sizes)} mean {statistics.mean(sizes):.0f} max {max(sizes)}")


if __name__ == "__main__":
    main()
