"""A whole Goosey on this machine through ops/up (HAProxy, edges, a coordinator, Redis, PostgreSQL and the mock
upstream), and Claude Code-shaped load through it, for the tests that scale it or break parts of it."""
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from conftest import BIN_DIR, ROOT, wait_until


class Cluster:
    """ops/up's cluster in a data folder of its own, on `port` (HAProxy) and internal ports from `ports`."""

    def __init__(self, port, ports, **env):
        self.port, self.ports = port, ports
        self.data = Path(tempfile.mkdtemp(prefix="goosey-cluster-"))
        os.chmod(self.data, 0o711)  # PostgreSQL runs as its own user below it
        self.env = {k: v for k, v in os.environ.items() if k != "ANTHROPIC_API_KEY"}
        self.env.update(GOOSEY_BIN_DIR=str(BIN_DIR), GOOSEY_CLUSTER_DATA=str(self.data), GOOSEY_PORT=str(port),
                        GOOSEY_CLUSTER_PORTS=str(ports), **env)
        self.coordinator_url = f"http://127.0.0.1:{ports + 1}"
        self.mock_url = f"http://127.0.0.1:{ports + 2}"
        self.redis_url = f"redis://127.0.0.1:{ports + 3}"
        self.postgres_url = f"postgres://goosey@127.0.0.1:{ports + 4}/goosey_test"

    def ops(self, script, *args, timeout=600):
        result = subprocess.run([str(ROOT / "ops" / script), *args], env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"ops/{script} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def sh(self, commands, timeout=300):
        """Runs `commands` with ops/lib/cluster.sh's functions at hand, as ops/up set the cluster up."""
        script = f'source ops/lib/cluster.sh && cluster_init && cluster_binaries && {commands}'
        result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{commands} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def down(self):
        subprocess.run([str(ROOT / "ops" / "down")], env=self.env, capture_output=True, text=True, timeout=300)
        shutil.rmtree(self.data, ignore_errors=True)

    @property
    def student_key(self):
        return (self.data / "student.key").read_text().strip()

    def goosey(self, *args, check=True):
        """The staff command line as ops/up's admin, on the demo course unless told otherwise."""
        env = {**self.env, "GOOSEY_URL": self.coordinator_url, "GOOSEY_TOKEN": (self.data / "admin.token").read_text().strip(),
               "GOOSEY_COURSE": "DEMO-COURSE", "POSTGRES_URL": self.postgres_url, "REDIS_URL": self.redis_url}
        result = subprocess.run([str(BIN_DIR / "goosey"), *args], env=env, capture_output=True, text=True, timeout=120)
        assert not check or result.returncode == 0, f"goosey {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def psql(self, sql):
        result = subprocess.run(["psql", self.postgres_url, "-X", "-At", "-F", "\t", "-c", sql], capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return [line.split("\t") for line in result.stdout.splitlines()]

    def pids(self):
        """Process id of each edge (edge-N) and the coordinator, as ops/status lists them."""
        rows = [line.split() for line in self.ops("status").stdout.splitlines()[1:]]
        return {row[0]: row[1] for row in rows if len(row) > 1 and row[0].startswith(("edge-", "coordinator"))}

    def pid_of(self, name):
        path = self.data / "edges" / name / "edge.pid" if name.startswith("edge-") else self.data / f"{name}.pid"
        return int(path.read_text().strip())

    def mock_records(self):
        """What the mock billed: every request it answered, oldest first."""
        with urllib.request.urlopen(self.mock_url + "/mock/requests", timeout=30) as response:
            return json.load(response)


class Load:
    """Clients that each run one streamed request after another through HAProxy until told to stop, and note
    how each ended: ok, cut (the stream began but did not finish), a refusal (status) or an error."""

    def __init__(self, port, key, clients=6, deltas=12, delay_ms=120):
        self.port, self.key, self.deltas, self.delay_ms = port, key, deltas, delay_ms
        self.stop, self.lock, self.gate = threading.Event(), threading.Lock(), threading.Event()
        self.gate.set()
        self.outcomes = []  # (kind, status, upstream request id or None, detail)
        self.starting = 0  # clients whose request is sent but whose stream has not begun
        self.threads = [threading.Thread(target=self.client, daemon=True) for _ in range(clients)]

    @property
    def ok(self):
        with self.lock:
            return sum(1 for kind, *_ in self.outcomes if kind == "ok")

    def count(self, kind):
        with self.lock:
            return sum(1 for outcome in self.outcomes if outcome[0] == kind)

    def failures(self, allowed=()):
        """Outcomes that are neither ok nor of a kind (or refusal status) the caller expected."""
        with self.lock:
            return [o for o in self.outcomes if o[0] != "ok" and o[0] not in allowed and f"{o[0]}:{o[1]}" not in allowed]

    def pause(self):
        """Lets no new request start, and waits until every stream in flight has begun."""
        with self.lock:
            self.gate.clear()
        wait_until(lambda: self.starting == 0, timeout=60, what="every stream in flight to begin")

    def resume(self):
        self.gate.set()

    def client(self):
        session = str(uuid.uuid4())
        while not self.stop.is_set():
            if not self.gate.wait(timeout=0.2):
                continue
            with self.lock:
                if not self.gate.is_set():  # paused between the wait and here
                    continue
                self.starting += 1
            outcome = self.one(session)
            with self.lock:
                self.outcomes.append(outcome)

    def _begun(self):
        with self.lock:
            self.starting -= 1

    def one(self, session):
        begun = False
        status, request_id = 0, None
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            body = {"model": "claude-sonnet-4-6", "max_tokens": 256, "stream": True,
                    "messages": [{"role": "user", "content": "Tell me about Redis."}]}
            connection.request("POST", "/v1/messages?beta=true", body=json.dumps(body), headers={
                "x-api-key": self.key, "anthropic-version": "2023-06-01", "content-type": "application/json",
                "x-claude-code-session-id": session, "x-mock-deltas": str(self.deltas), "x-mock-delay-ms": str(self.delay_ms)})
            response = connection.getresponse()
            status, request_id = response.status, response.getheader("request-id")
            first = response.read1(65536)
            begun = True
            self._begun()
            text = (first + response.read()).decode()
            connection.close()
            if status != 200:
                return ("refused", status, request_id, text[-300:])
            if "event: message_stop" in text:
                return ("ok", status, request_id, "")
            return ("cut", status, request_id, text[-300:])
        except Exception as error:
            if not begun:
                self._begun()
            return ("cut" if begun else "error", status, request_id, repr(error))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.gate.set()
        for thread in self.threads:
            thread.join(timeout=120)


def wait_for_traffic(load, more, timeout=90, what="traffic"):
    """Waits for `more` requests beyond those already ok."""
    target = load.ok + more
    wait_until(lambda: load.ok >= target, timeout=timeout, what=what)


def seconds_since(start):
    return round(time.monotonic() - start, 1)
